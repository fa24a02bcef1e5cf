// Sigma rules into content, exactly or not at all (docs/sigma.md).
//
// A rule's detection becomes a boolean expression whose leaves are
// criteria; that expression is written as instances (an OR) of criteria
// (an AND) and exclusions (each a negated AND), which is what
// docs/semantics.md gives an instance to mean.
#include <fmt/format.h>
#include <google/protobuf/text_format.h>
#include <re2/re2.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "ringward/sigma.hpp"
#include "ringward/v1/content.pb.h"
#include "sigma/condition.hpp"
#include "sigma/mapping.hpp"
#include "sigma/values.hpp"

namespace ringward::sigma {
namespace {

namespace pb = google::protobuf;

// One Sigma scalar as YAML (1.1, as Sigma's tools read it) types it.
struct Scalar {
    enum class Kind : uint8_t { null, string, integer, boolean, other_number };
    Kind kind = Kind::string;
    std::string text;
    int64_t integer = 0;
    bool boolean = false;
    YAML::Mark mark;
};

Scalar read_scalar(const YAML::Node& node) {
    Scalar scalar;
    scalar.mark = node.Mark();
    scalar.text = node.IsNull() ? std::string() : node.Scalar();
    if (node.IsNull()) {
        scalar.kind = Scalar::Kind::null;
        return scalar;
    }
    if (node.Tag() != "?") {
        return scalar;  // quoted, or explicitly tagged: a string as written
    }
    static const RE2 kDecimal("[-+]?(0|[1-9][0-9]*)");
    static const RE2 kBool(
        "(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|"
        "off|Off|OFF|y|Y|n|N)");
    // YAML 1.1's other ints and floats (octal, hex, binary, sexagesimal,
    // underscores, exponents, .inf): numbers whose text is not their value.
    static const RE2 kOtherNumber(
        "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
        "[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|"
        "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|"
        "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
    if (RE2::FullMatch(scalar.text, kDecimal)) {
        std::string digits = scalar.text[0] == '+' ? scalar.text.substr(1) : scalar.text;
        errno = 0;
        char* end = nullptr;
        const long long value = std::strtoll(digits.c_str(), &end, 10);
        if (errno == 0 && end != nullptr && *end == '\0') {
            scalar.kind = Scalar::Kind::integer;
            scalar.integer = value;
            scalar.text = digits;
        } else {
            scalar.kind = Scalar::Kind::other_number;
        }
    } else if (RE2::FullMatch(scalar.text, kBool)) {
        scalar.kind = Scalar::Kind::boolean;
        const char c = scalar.text[0];
        scalar.boolean = c == 't' || c == 'T' || c == 'y' || c == 'Y' ||
                         ((c == 'o' || c == 'O') && scalar.text.size() == 2);
    } else if (RE2::FullMatch(scalar.text, kOtherNumber)) {
        scalar.kind = Scalar::Kind::other_number;
    }
    return scalar;
}

Location at_mark(const std::string& file, const YAML::Mark& mark) {
    Location location;
    location.file = file;
    if (mark.line >= 0 && mark.column >= 0) {
        location.line = static_cast<uint32_t>(mark.line) + 1;
        location.column = static_cast<uint32_t>(mark.column) + 1;
    }
    return location;
}

// The modifiers Sigma defines; anything else is refused by name.
enum class Mod : uint8_t {
    contains,
    startswith,
    endswith,
    all,
    re,
    re_i,
    re_m,
    re_s,
    cidr,
    windash,
    base64,
    base64offset,
    wide,
    utf16le,
    utf16be,
    utf16,
    gt,
    gte,
    lt,
    lte,
    exists,
    cased,
    fieldref
};

std::optional<Mod> find_modifier(std::string_view name) {
    static const std::map<std::string_view, Mod> kNames = {{"contains", Mod::contains},
                                                           {"startswith", Mod::startswith},
                                                           {"endswith", Mod::endswith},
                                                           {"all", Mod::all},
                                                           {"re", Mod::re},
                                                           {"i", Mod::re_i},
                                                           {"m", Mod::re_m},
                                                           {"s", Mod::re_s},
                                                           {"cidr", Mod::cidr},
                                                           {"windash", Mod::windash},
                                                           {"base64", Mod::base64},
                                                           {"base64offset", Mod::base64offset},
                                                           {"wide", Mod::wide},
                                                           {"utf16le", Mod::utf16le},
                                                           {"utf16be", Mod::utf16be},
                                                           {"utf16", Mod::utf16},
                                                           {"gt", Mod::gt},
                                                           {"gte", Mod::gte},
                                                           {"lt", Mod::lt},
                                                           {"lte", Mod::lte},
                                                           {"exists", Mod::exists},
                                                           {"cased", Mod::cased},
                                                           {"fieldref", Mod::fieldref}};
    const auto it = kNames.find(name);
    return it == kNames.end() ? std::nullopt : std::optional<Mod>(it->second);
}

// A literal: a criterion of the pool, possibly negated.
struct Lit {
    uint32_t criterion = 0;
    bool negate = false;
};
// One instance: its criteria and its exclusions.
struct Term {
    std::vector<Lit> lits;
    std::vector<std::vector<Lit>> exclusions;
};
using Dnf = std::vector<Term>;

class RuleConverter {
  public:
    RuleConverter(const Mapping::Impl& mapping, const ImportOptions& options, std::string file)
        : mapping_(mapping), options_(options), file_(std::move(file)) {}

    // The rule's instances, or nullopt with findings_ saying why.
    std::optional<std::vector<v1::TemplateInstance>> convert(const YAML::Node& root,
                                                             RuleStatus& status);

    std::vector<Diagnostic> findings_;

  private:
    void refuse(Code code, const YAML::Mark& mark, std::string message, std::string help = {}) {
        findings_.push_back(
            make_diagnostic(code, std::move(message), at_mark(file_, mark), std::move(help)));
    }

    std::optional<Expr> search(const YAML::Node& node);
    std::optional<Expr> field_item(const std::string& key, const YAML::Node& key_node,
                                   const YAML::Node& value);
    std::optional<Expr> string_item(const MappedField& field, const std::vector<Mod>& mods,
                                    const std::vector<Scalar>& values, const YAML::Mark& mark);
    std::optional<Expr> typed_item(const MappedField& field, const std::vector<Mod>& mods,
                                   const std::vector<Scalar>& values, const YAML::Mark& mark);
    uint32_t add(v1::Criterion criterion) {
        pool_.push_back(std::move(criterion));
        return static_cast<uint32_t>(pool_.size() - 1);
    }
    Expr leaf(v1::Criterion criterion) {
        return Expr{Expr::Kind::leaf, add(std::move(criterion)), {}};
    }
    std::optional<Dnf> to_dnf(const Expr& expr);

    const Mapping::Impl& mapping_;
    const ImportOptions& options_;
    std::string file_;
    const MappedLogsource* logsource_ = nullptr;
    std::vector<v1::Criterion> pool_;
};

Expr combine(Expr::Kind kind, std::vector<Expr> children) {
    if (children.size() == 1) {
        return std::move(children[0]);
    }
    return Expr{kind, 0, std::move(children)};
}

std::optional<Expr> RuleConverter::search(const YAML::Node& node) {
    if (node.IsMap()) {
        if (node.size() == 0) {
            refuse(Code::sigma_detection_malformed, node.Mark(),
                   "a search identifier is an empty map", "give it at least one field");
            return std::nullopt;
        }
        std::vector<Expr> all;
        std::set<std::string> keys;
        bool ok = true;
        for (const auto& entry : node) {
            const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
            if (!keys.insert(key).second) {
                refuse(Code::sigma_detection_malformed, entry.first.Mark(),
                       fmt::format("'{}' is given twice in one map, so it reads two ways", key),
                       "give each field once; a second test of one field goes in |all or "
                       "another selection");
                ok = false;
                continue;
            }
            auto item = field_item(key, entry.first, entry.second);
            if (item) {
                all.push_back(std::move(*item));
            } else {
                ok = false;
            }
        }
        if (!ok) {
            return std::nullopt;
        }
        return combine(Expr::Kind::all, std::move(all));
    }
    if (node.IsSequence()) {
        size_t maps = 0;
        for (const auto& element : node) {
            maps += element.IsMap() ? 1 : 0;
        }
        if (maps == 0 && node.size() > 0) {
            refuse(Code::sigma_keyword_search, node.Mark(),
                   "the search identifier lists keywords, values without a field",
                   "name the field each value is in");
            return std::nullopt;
        }
        if (maps != node.size() || node.size() == 0) {
            refuse(Code::sigma_detection_malformed, node.Mark(),
                   "a search identifier's list must hold maps of fields only",
                   "write a list of maps, or a keyword list on its own");
            return std::nullopt;
        }
        std::vector<Expr> any;
        bool ok = true;
        for (const auto& element : node) {
            auto item = search(element);
            if (item) {
                any.push_back(std::move(*item));
            } else {
                ok = false;
            }
        }
        if (!ok) {
            return std::nullopt;
        }
        return combine(Expr::Kind::any, std::move(any));
    }
    if (node.IsScalar()) {
        refuse(Code::sigma_keyword_search, node.Mark(),
               "the search identifier is a keyword, a value without a field",
               "name the field the value is in");
        return std::nullopt;
    }
    refuse(Code::sigma_detection_malformed, node.Mark(),
           "a search identifier must be a map of fields or a list of maps");
    return std::nullopt;
}

std::optional<Expr> RuleConverter::field_item(const std::string& key, const YAML::Node& key_node,
                                              const YAML::Node& value) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t bar = key.find('|', start);
        parts.push_back(key.substr(start, bar == std::string::npos ? bar : bar - start));
        if (bar == std::string::npos) {
            break;
        }
        start = bar + 1;
    }
    const YAML::Mark mark = key_node.Mark();
    if (parts[0].empty()) {
        refuse(Code::sigma_keyword_search, mark, "a value without a field name is a keyword search",
               "name the field");
        return std::nullopt;
    }
    std::vector<Mod> mods;
    bool ok = true;
    for (size_t i = 1; i < parts.size(); ++i) {
        const auto mod = find_modifier(parts[i]);
        if (!mod) {
            refuse(Code::sigma_modifier_unsupported, mark,
                   fmt::format("'{}' is not a value modifier ringward knows", parts[i]),
                   "docs/sigma.md lists the modifiers converted");
            ok = false;
        } else {
            mods.push_back(*mod);
        }
    }
    const auto field = logsource_->fields.find(parts[0]);
    if (field == logsource_->fields.end()) {
        refuse(Code::sigma_field_unmapped, mark,
               fmt::format("field '{}' has no template field in the mapping for logsource "
                           "'{}/{}'",
                           parts[0], logsource_->product, logsource_->category),
               "add it to the mapping's fields, and to the template type if the sensor "
               "supplies it");
        ok = false;
    }
    std::vector<Scalar> values;
    if (value.IsSequence()) {
        for (const auto& element : value) {
            if (!element.IsScalar() && !element.IsNull()) {
                refuse(Code::sigma_detection_malformed, element.Mark(),
                       "a field's list holds something other than a value");
                ok = false;
                continue;
            }
            values.push_back(read_scalar(element));
        }
        if (value.size() == 0) {
            refuse(Code::sigma_detection_malformed, value.Mark(),
                   "a field's list of values is empty", "give at least one value");
            ok = false;
        }
    } else if (value.IsScalar() || value.IsNull()) {
        values.push_back(read_scalar(value));
    } else {
        refuse(Code::sigma_detection_malformed, value.Mark(),
               "a field's value is a map, which Sigma does not define");
        ok = false;
    }
    if (!ok) {
        return std::nullopt;
    }
    if (field->second.type == v1::TYPE_STRING) {
        return string_item(field->second, mods, values, mark);
    }
    return typed_item(field->second, mods, values, mark);
}

v1::Criterion make_criterion(const std::string& field, v1::Operator op) {
    v1::Criterion criterion;
    criterion.set_field(field);
    criterion.set_op(op);
    return criterion;
}

v1::Criterion exists_criterion(const std::string& field, bool present) {
    v1::Criterion criterion = make_criterion(field, v1::OP_EXISTS);
    criterion.set_negate(!present);
    return criterion;
}

bool has(const std::vector<Mod>& mods, Mod mod) {
    return std::find(mods.begin(), mods.end(), mod) != mods.end();
}

// The value modifiers that pass through `all`, `cased` and the regex flags
// untouched: these are the only ones a non-string field takes with others.
bool is_flag(Mod mod) {
    return mod == Mod::all || mod == Mod::cased;
}

struct StringMatch {
    MatchOp op = MatchOp::eq;
    std::string operand;
};

std::optional<Expr> RuleConverter::string_item(const MappedField& field,
                                               const std::vector<Mod>& mods,
                                               const std::vector<Scalar>& values,
                                               const YAML::Mark& mark) {
    const bool all = has(mods, Mod::all);
    const bool regex = has(mods, Mod::re);
    bool case_insensitive = !has(mods, Mod::cased);
    for (const Mod mod : mods) {
        if (mod == Mod::cidr || mod == Mod::gt || mod == Mod::gte || mod == Mod::lt ||
            mod == Mod::lte) {
            refuse(Code::sigma_modifier_unsupported, mark,
                   fmt::format("a {} modifier on field '{}', which is a string",
                               mod == Mod::cidr ? "cidr" : "numeric comparison", field.field),
                   "map the field to an IP or number field, or drop the modifier");
            return std::nullopt;
        }
        if ((mod == Mod::re_i || mod == Mod::re_m || mod == Mod::re_s) && !regex) {
            refuse(Code::sigma_modifier_unsupported, mark,
                   "the regex flags i, m and s apply only after re");
            return std::nullopt;
        }
    }
    if (has(mods, Mod::exists)) {
        if (mods.size() != 1 || values.size() != 1 || values[0].kind != Scalar::Kind::boolean) {
            refuse(Code::sigma_modifier_unsupported, mark,
                   "exists takes one value, true or false, and no other modifier");
            return std::nullopt;
        }
        return leaf(exists_criterion(field.field, values[0].boolean));
    }
    if (regex) {
        // The pattern as written: Sigma's regex is case-sensitive unless |i.
        std::string flags;
        for (const Mod mod : mods) {
            if (mod == Mod::re_m) {
                flags += "m";
            } else if (mod == Mod::re_s) {
                flags += "s";
            } else if (mod != Mod::re && mod != Mod::re_i && !is_flag(mod)) {
                refuse(Code::sigma_modifier_unsupported, mark,
                       "re takes a pattern as written: no other value modifier goes with it");
                return std::nullopt;
            }
        }
        case_insensitive = has(mods, Mod::re_i);
        std::vector<Expr> parts;
        v1::Criterion any = make_criterion(field.field, v1::OP_REGEX);
        any.set_case_insensitive(case_insensitive);
        for (const Scalar& value : values) {
            if (value.kind == Scalar::Kind::null) {
                refuse(Code::sigma_value_inexpressible, value.mark, "a regex cannot be null");
                return std::nullopt;
            }
            if (case_insensitive && !fold_is_exact(value.text)) {
                refuse(Code::sigma_case_fold_inexact, value.mark,
                       "a case-insensitive regex holds letters outside ASCII",
                       "drop |i, or write the letters' cases as a class");
                return std::nullopt;
            }
            const std::string pattern =
                flags.empty() ? value.text : "(?" + flags + ")" + value.text;
            if (all) {
                v1::Criterion one = make_criterion(field.field, v1::OP_REGEX);
                one.set_case_insensitive(case_insensitive);
                one.add_values()->set_string(pattern);
                parts.push_back(leaf(std::move(one)));
            } else {
                any.add_values()->set_string(pattern);
            }
        }
        if (!all) {
            return leaf(std::move(any));
        }
        return combine(Expr::Kind::all, std::move(parts));
    }
    if (has(mods, Mod::fieldref)) {
        MatchOp op = MatchOp::eq;
        for (const Mod mod : mods) {
            if (mod == Mod::contains || mod == Mod::startswith || mod == Mod::endswith) {
                op = mod == Mod::contains     ? MatchOp::contains
                     : mod == Mod::startswith ? MatchOp::prefix
                                              : MatchOp::suffix;
            } else if (mod != Mod::fieldref && !is_flag(mod)) {
                refuse(Code::sigma_modifier_unsupported, mark,
                       "fieldref goes only with contains, startswith, endswith, all and cased");
                return std::nullopt;
            }
        }
        std::vector<Expr> parts;
        for (const Scalar& value : values) {
            const auto other = logsource_->fields.find(value.text);
            if (value.kind == Scalar::Kind::null || other == logsource_->fields.end()) {
                refuse(Code::sigma_field_unmapped, value.mark,
                       fmt::format("fieldref names '{}', which has no template field in the "
                                   "mapping",
                                   value.text),
                       "add it to the mapping's fields");
                return std::nullopt;
            }
            if (other->second.type != v1::TYPE_STRING) {
                refuse(
                    Code::sigma_value_inexpressible, value.mark,
                    fmt::format("fieldref compares with '{}', which is not a string", value.text));
                return std::nullopt;
            }
            static constexpr v1::Operator kOps[] = {v1::OP_EQ, v1::OP_PREFIX, v1::OP_SUFFIX,
                                                    v1::OP_CONTAINS};
            v1::Criterion criterion = make_criterion(field.field, kOps[static_cast<int>(op)]);
            criterion.set_case_insensitive(case_insensitive);
            criterion.add_values()->set_field(other->second.field);
            parts.push_back(leaf(std::move(criterion)));
        }
        return combine(all ? Expr::Kind::all : Expr::Kind::any, std::move(parts));
    }

    // Each value through the modifiers in the order written.
    std::vector<std::vector<StringMatch>> per_value;  // variants of each value, ORed
    std::vector<bool> null_values;
    for (const Scalar& value : values) {
        if (value.kind == Scalar::Kind::null) {
            null_values.push_back(true);
            per_value.emplace_back();
            continue;
        }
        null_values.push_back(false);
        if (value.kind == Scalar::Kind::other_number || value.kind == Scalar::Kind::boolean) {
            refuse(Code::sigma_value_inexpressible, value.mark,
                   fmt::format("'{}' reads as a YAML {} here, not as the text written", value.text,
                               value.kind == Scalar::Kind::boolean ? "boolean" : "number"),
                   "quote it if the text is meant");
            return std::nullopt;
        }
        std::vector<Pattern> variants = {parse_sigma_string(value.text)};
        int position_mods = 0;
        for (const Mod mod : mods) {
            switch (mod) {
                case Mod::wide:
                case Mod::utf16le:
                case Mod::utf16be:
                case Mod::utf16:
                case Mod::base64:
                case Mod::base64offset: {
                    std::vector<Pattern> encoded;
                    for (const Pattern& variant : variants) {
                        if (has_wildcard(variant)) {
                            refuse(Code::sigma_value_inexpressible, value.mark,
                                   "a value with wildcards cannot be encoded: the encoding of "
                                   "a wildcard is not a wildcard",
                                   "encode only the literal text, with contains around it");
                            return std::nullopt;
                        }
                        const std::string text = pattern_text(variant);
                        if (mod == Mod::base64) {
                            encoded.push_back(literal_pattern(base64(text)));
                        } else if (mod == Mod::base64offset) {
                            for (const std::string& offset : base64_offsets(text)) {
                                encoded.push_back(literal_pattern(offset));
                            }
                        } else {
                            const Utf16 form = mod == Mod::utf16be ? Utf16::be
                                               : mod == Mod::utf16 ? Utf16::le_bom
                                                                   : Utf16::le;
                            const auto wide = encode_utf16(text, form);
                            if (!wide) {
                                refuse(Code::sigma_value_inexpressible, value.mark,
                                       "the value is not UTF-8, so it has no UTF-16 form");
                                return std::nullopt;
                            }
                            encoded.push_back(literal_pattern(*wide));
                        }
                    }
                    variants = std::move(encoded);
                    break;
                }
                case Mod::windash: {
                    std::vector<Pattern> expanded;
                    for (const Pattern& variant : variants) {
                        bool too_many = false;
                        auto more = windash_variants(
                            variant, options_.max_values_per_criterion_incl, &too_many);
                        if (!more) {
                            refuse(too_many ? Code::sigma_expansion_limit
                                            : Code::sigma_value_inexpressible,
                                   value.mark,
                                   too_many ? fmt::format("windash makes more than {} variants "
                                                          "of the value",
                                                          options_.max_values_per_criterion_incl)
                                            : "windash next to a character outside ASCII: "
                                              "whether it starts a word depends on Unicode",
                                   too_many ? "split the value" : "");
                            return std::nullopt;
                        }
                        expanded.insert(expanded.end(), more->begin(), more->end());
                    }
                    variants = std::move(expanded);
                    break;
                }
                case Mod::contains:
                case Mod::startswith:
                case Mod::endswith:
                    if (++position_mods > 1) {
                        refuse(Code::sigma_modifier_unsupported, mark,
                               "contains, startswith and endswith exclude each other");
                        return std::nullopt;
                    }
                    for (Pattern& variant : variants) {
                        variant = with_stars(std::move(variant), mod != Mod::startswith,
                                             mod != Mod::endswith);
                    }
                    break;
                case Mod::all:
                case Mod::cased:
                    break;
                default:
                    refuse(Code::sigma_modifier_unsupported, mark,
                           "this modifier does not apply to a string value");
                    return std::nullopt;
            }
            if (variants.size() > options_.max_values_per_criterion_incl) {
                refuse(Code::sigma_expansion_limit, value.mark,
                       fmt::format("the value expands to {} variants, more than {}",
                                   variants.size(), options_.max_values_per_criterion_incl),
                       "split the value");
                return std::nullopt;
            }
        }
        std::vector<StringMatch> matches;
        for (const Pattern& variant : variants) {
            const Match match = classify(variant);
            if (match.operand.find('\0') != std::string::npos) {
                refuse(Code::sigma_value_inexpressible, value.mark,
                       "the encoded value holds NUL bytes, which a string field never does",
                       "follow wide/utf16 with base64 or base64offset");
                return std::nullopt;
            }
            if (case_insensitive && !fold_is_exact(match.operand)) {
                refuse(Code::sigma_case_fold_inexact, value.mark,
                       "a case-insensitive value holds letters outside ASCII, which ASCII "
                       "folding would not match in every case",
                       "add |cased and list the cases meant");
                return std::nullopt;
            }
            matches.push_back(StringMatch{match.op, match.operand});
        }
        per_value.push_back(std::move(matches));
    }

    // A group of matches ORed on the field: one criterion where one operator
    // holds them all (any-of), a glob where they differ, a presence test
    // apart.
    const auto group = [&](const std::vector<StringMatch>& matches) -> std::vector<Expr> {
        std::vector<Expr> out;
        std::vector<const StringMatch*> rest;
        for (const StringMatch& match : matches) {
            if (match.op == MatchOp::exists) {
                out.push_back(leaf(exists_criterion(field.field, true)));
            } else {
                rest.push_back(&match);
            }
        }
        if (rest.empty()) {
            return out;
        }
        bool same = true;
        for (const StringMatch* match : rest) {
            same = same && match->op == rest[0]->op;
        }
        const MatchOp op = same ? rest[0]->op : MatchOp::glob;
        static constexpr v1::Operator kOps[] = {v1::OP_EQ,       v1::OP_PREFIX, v1::OP_SUFFIX,
                                                v1::OP_CONTAINS, v1::OP_GLOB,   v1::OP_EXISTS};
        v1::Criterion criterion = make_criterion(field.field, kOps[static_cast<int>(op)]);
        criterion.set_case_insensitive(case_insensitive);
        std::set<std::string> seen;
        for (const StringMatch* match : rest) {
            std::string operand = match->operand;
            if (!same) {
                // Back to the pattern: eq/prefix/suffix/contains as a glob.
                Pattern pattern = literal_pattern(operand);
                if (match->op != MatchOp::glob) {
                    pattern =
                        with_stars(std::move(pattern),
                                   match->op == MatchOp::suffix || match->op == MatchOp::contains,
                                   match->op == MatchOp::prefix || match->op == MatchOp::contains);
                    operand = to_glob(pattern);
                }
            }
            if (seen.insert(case_insensitive ? fold(operand) : operand).second) {
                criterion.add_values()->set_string(operand);
            }
        }
        if (op == MatchOp::eq && criterion.values_size() > 1) {
            criterion.set_op(v1::OP_IN);
        }
        out.push_back(leaf(std::move(criterion)));
        return out;
    };

    if (all) {
        std::vector<Expr> parts;
        for (size_t i = 0; i < per_value.size(); ++i) {
            if (null_values[i]) {
                parts.push_back(leaf(exists_criterion(field.field, false)));
            } else {
                parts.push_back(combine(Expr::Kind::any, group(per_value[i])));
            }
        }
        return combine(Expr::Kind::all, std::move(parts));
    }
    std::vector<StringMatch> together;
    std::vector<Expr> parts;
    bool null_seen = false;
    for (size_t i = 0; i < per_value.size(); ++i) {
        if (null_values[i]) {
            if (!null_seen) {
                parts.push_back(leaf(exists_criterion(field.field, false)));
            }
            null_seen = true;
        }
        together.insert(together.end(), per_value[i].begin(), per_value[i].end());
    }
    for (Expr& part : group(together)) {
        parts.push_back(std::move(part));
    }
    return combine(Expr::Kind::any, std::move(parts));
}

// An IPv4 wildcard pattern that is exactly a network: whole octets, then
// `.*` ("10.*", "192.168.*"), as the address's text.
std::optional<std::string> ipv4_prefix_network(const Pattern& pattern) {
    if (pattern.size() != 2 || pattern[0].kind != Piece::Kind::text ||
        pattern[1].kind != Piece::Kind::star) {
        return std::nullopt;
    }
    static const RE2 kOctets("((?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){1,3}");
    const std::string& text = pattern[0].text;
    if (!RE2::FullMatch(text, kOctets)) {
        return std::nullopt;
    }
    const auto octets = static_cast<size_t>(std::count(text.begin(), text.end(), '.'));
    std::string network = text.substr(0, text.size() - 1);
    for (size_t i = octets; i < 4; ++i) {
        network += ".0";
    }
    return fmt::format("{}/{}", network, octets * 8);
}

std::optional<Expr> RuleConverter::typed_item(const MappedField& field,
                                              const std::vector<Mod>& mods,
                                              const std::vector<Scalar>& values,
                                              const YAML::Mark& mark) {
    const bool all = has(mods, Mod::all);
    std::optional<Mod> comparison;
    bool cidr = false;
    int position = 0;  // contains, startswith, endswith (IP text prefixes)
    for (const Mod mod : mods) {
        if (mod == Mod::gt || mod == Mod::gte || mod == Mod::lt || mod == Mod::lte) {
            if (field.type != v1::TYPE_INT && field.type != v1::TYPE_UINT) {
                refuse(Code::sigma_modifier_unsupported, mark,
                       fmt::format("a numeric comparison on field '{}', which is not a number",
                                   field.field));
                return std::nullopt;
            }
            comparison = mod;
        } else if (mod == Mod::cidr && field.type == v1::TYPE_IP) {
            cidr = true;
        } else if (mod == Mod::startswith && field.type == v1::TYPE_IP) {
            ++position;
        } else if (mod == Mod::exists) {
            if (mods.size() != 1 || values.size() != 1 || values[0].kind != Scalar::Kind::boolean) {
                refuse(Code::sigma_modifier_unsupported, mark,
                       "exists takes one value, true or false, and no other modifier");
                return std::nullopt;
            }
            return leaf(exists_criterion(field.field, values[0].boolean));
        } else if (!is_flag(mod)) {
            refuse(Code::sigma_modifier_unsupported, mark,
                   fmt::format("this modifier does not apply to field '{}' ({})", field.field,
                               v1::FieldType_Name(field.type)));
            return std::nullopt;
        }
    }
    std::vector<Expr> parts;
    std::vector<v1::Value> equal;  // ORed equalities (and networks), one OP_IN
    bool null_seen = false;
    for (const Scalar& value : values) {
        if (value.kind == Scalar::Kind::null) {
            if (!null_seen) {
                parts.push_back(leaf(exists_criterion(field.field, false)));
            }
            null_seen = true;
            continue;
        }
        v1::Value operand;
        if (field.type == v1::TYPE_BOOL) {
            const std::string text = fold(value.text);
            if (value.kind == Scalar::Kind::boolean || text == "true" || text == "false") {
                operand.set_bool_(value.kind == Scalar::Kind::boolean ? value.boolean
                                                                      : text == "true");
            } else {
                refuse(Code::sigma_value_inexpressible, value.mark,
                       fmt::format("'{}' is not true or false", value.text));
                return std::nullopt;
            }
        } else if (field.type == v1::TYPE_IP) {
            if (value.kind != Scalar::Kind::string) {
                refuse(Code::sigma_value_inexpressible, value.mark,
                       fmt::format("'{}' is not an IP address", value.text));
                return std::nullopt;
            }
            Pattern pattern = parse_sigma_string(value.text);
            if (position > 0) {
                pattern = with_stars(std::move(pattern), false, true);
            }
            if (cidr) {
                operand.set_ip(value.text);
            } else if (!has_wildcard(pattern)) {
                if (value.text.find('/') != std::string::npos) {
                    refuse(Code::sigma_value_inexpressible, value.mark,
                           "a network without |cidr is compared as text in Sigma", "add |cidr");
                    return std::nullopt;
                }
                operand.set_ip(value.text);
            } else if (auto network = ipv4_prefix_network(pattern)) {
                operand.set_ip(*network);
            } else {
                refuse(Code::sigma_value_inexpressible, value.mark,
                       fmt::format("'{}' on an IP field is no network: only whole leading "
                                   "IPv4 octets then '*' are",
                                   value.text),
                       "write the networks with |cidr");
                return std::nullopt;
            }
        } else {
            // TYPE_INT, TYPE_UINT: a YAML integer, or a decimal string.
            static const RE2 kDecimal("-?(0|[1-9][0-9]*)");
            if (!(value.kind == Scalar::Kind::integer ||
                  (value.kind == Scalar::Kind::string && RE2::FullMatch(value.text, kDecimal)))) {
                refuse(Code::sigma_value_inexpressible, value.mark,
                       fmt::format("'{}' is not a decimal integer", value.text),
                       "numeric fields take whole numbers, without wildcards");
                return std::nullopt;
            }
            errno = 0;
            char* end = nullptr;
            if (field.type == v1::TYPE_UINT) {
                const unsigned long long n = std::strtoull(value.text.c_str(), &end, 10);
                if (errno != 0 || value.text[0] == '-') {
                    refuse(Code::sigma_value_inexpressible, value.mark,
                           fmt::format("'{}' is not an unsigned 64-bit number", value.text));
                    return std::nullopt;
                }
                operand.set_uint(n);
            } else {
                const long long n = std::strtoll(value.text.c_str(), &end, 10);
                if (errno != 0) {
                    refuse(Code::sigma_value_inexpressible, value.mark,
                           fmt::format("'{}' is not a signed 64-bit number", value.text));
                    return std::nullopt;
                }
                operand.set_int_(n);
            }
        }
        if (comparison) {
            static constexpr v1::Operator kOps[] = {v1::OP_GT, v1::OP_GE, v1::OP_LT, v1::OP_LE};
            const int index = *comparison == Mod::gt    ? 0
                              : *comparison == Mod::gte ? 1
                              : *comparison == Mod::lt  ? 2
                                                        : 3;
            v1::Criterion criterion = make_criterion(field.field, kOps[index]);
            *criterion.add_values() = operand;
            parts.push_back(leaf(std::move(criterion)));
        } else if (all || field.type == v1::TYPE_BOOL) {
            const bool network = operand.has_ip() && operand.ip().find('/') != std::string::npos;
            v1::Criterion criterion =
                make_criterion(field.field, network ? v1::OP_CIDR_CONTAINS : v1::OP_EQ);
            *criterion.add_values() = operand;
            parts.push_back(leaf(std::move(criterion)));
        } else {
            const std::string key = operand.SerializeAsString();
            const bool repeated = std::any_of(equal.begin(), equal.end(), [&](const v1::Value& v) {
                return v.SerializeAsString() == key;
            });
            if (!repeated) {
                equal.push_back(operand);
            }
        }
    }
    if (!equal.empty()) {
        const bool network =
            equal.size() == 1 && equal[0].has_ip() && equal[0].ip().find('/') != std::string::npos;
        v1::Criterion criterion = make_criterion(field.field, equal.size() > 1 ? v1::OP_IN
                                                              : network ? v1::OP_CIDR_CONTAINS
                                                                        : v1::OP_EQ);
        for (const v1::Value& operand : equal) {
            *criterion.add_values() = operand;
        }
        parts.push_back(leaf(std::move(criterion)));
    }
    return combine(all ? Expr::Kind::all : Expr::Kind::any, std::move(parts));
}

std::optional<Dnf> RuleConverter::to_dnf(const Expr& expr) {
    const size_t limit = options_.max_instances_per_rule_incl;
    switch (expr.kind) {
        case Expr::Kind::leaf:
            return Dnf{Term{{Lit{expr.leaf, false}}, {}}};
        case Expr::Kind::any: {
            Dnf out;
            for (const Expr& child : expr.children) {
                auto part = to_dnf(child);
                if (!part || part->size() > limit - out.size()) {
                    return std::nullopt;
                }
                out.insert(out.end(), part->begin(), part->end());
            }
            return out;
        }
        case Expr::Kind::all: {
            Dnf out{Term{}};
            for (const Expr& child : expr.children) {
                auto part = to_dnf(child);
                if (!part || (!part->empty() && out.size() > limit / part->size())) {
                    return std::nullopt;
                }
                Dnf product;
                for (const Term& left : out) {
                    for (const Term& right : *part) {
                        Term term = left;
                        term.lits.insert(term.lits.end(), right.lits.begin(), right.lits.end());
                        term.exclusions.insert(term.exclusions.end(), right.exclusions.begin(),
                                               right.exclusions.end());
                        product.push_back(std::move(term));
                    }
                }
                out = std::move(product);
            }
            return out;
        }
        case Expr::Kind::negation: {
            auto inner = to_dnf(expr.children[0]);
            if (!inner) {
                return std::nullopt;
            }
            // not (T1 or ... or Tn) = not T1 and ... and not Tn. A term without
            // exclusions is a conjunction: its negation is one exclusion. A
            // term L and not E1 ... is, negated, (not l for l in L) or E1 or
            // ...: an OR, multiplied out with the rest.
            std::vector<std::vector<Lit>> exclusions;
            Dnf out{Term{}};
            for (const Term& term : *inner) {
                if (term.exclusions.empty()) {
                    if (term.lits.empty()) {
                        return Dnf{};  // not true: nothing matches
                    }
                    exclusions.push_back(term.lits);
                    continue;
                }
                Dnf alternatives;
                for (const Lit& lit : term.lits) {
                    alternatives.push_back(Term{{Lit{lit.criterion, !lit.negate}}, {}});
                }
                for (const auto& exclusion : term.exclusions) {
                    alternatives.push_back(Term{exclusion, {}});
                }
                if (out.size() > limit / alternatives.size()) {
                    return std::nullopt;
                }
                Dnf product;
                for (const Term& left : out) {
                    for (const Term& right : alternatives) {
                        Term combined = left;
                        combined.lits.insert(combined.lits.end(), right.lits.begin(),
                                             right.lits.end());
                        product.push_back(std::move(combined));
                    }
                }
                out = std::move(product);
            }
            for (Term& term : out) {
                term.exclusions.insert(term.exclusions.end(), exclusions.begin(), exclusions.end());
            }
            return out;
        }
    }
    return std::nullopt;
}

std::string scalar_at(const YAML::Node& node, const char* key) {
    const YAML::Node value = node[key];
    return value && value.IsScalar() ? value.Scalar() : std::string();
}

std::optional<std::vector<v1::TemplateInstance>> RuleConverter::convert(const YAML::Node& root,
                                                                        RuleStatus& status) {
    if (!root.IsMap()) {
        refuse(Code::sigma_yaml_malformed, root.Mark(), "the file is not a YAML map, so no rule");
        return std::nullopt;
    }
    // yaml-cpp keeps both entries of a key given twice and finds the first:
    // a rule that reads two ways is refused rather than read one of them.
    for (const YAML::Node& map : {root, root["logsource"]}) {
        if (!map || !map.IsMap()) {
            continue;
        }
        std::set<std::string> keys;
        for (const auto& entry : map) {
            const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
            if (!keys.insert(key).second) {
                refuse(Code::sigma_yaml_malformed, entry.first.Mark(),
                       fmt::format("'{}' is given twice, so the rule reads two ways", key),
                       "give each key once");
                return std::nullopt;
            }
        }
    }
    status.title = scalar_at(root, "title");
    status.sigma_id = scalar_at(root, "id");
    const YAML::Node detection = root["detection"];
    const YAML::Node logsource = root["logsource"];
    if (root["correlation"]) {
        refuse(Code::sigma_aggregation, root["correlation"].Mark(),
               "a correlation rule relates several events, which one event cannot decide");
        return std::nullopt;
    }
    if (!detection || !detection.IsMap() || !logsource || !logsource.IsMap()) {
        refuse(Code::sigma_yaml_malformed, root.Mark(),
               "the rule has no logsource or detection map");
        return std::nullopt;
    }
    const std::string product = scalar_at(logsource, "product");
    const std::string category = scalar_at(logsource, "category");
    const std::string service = scalar_at(logsource, "service");
    logsource_ = mapping_.find(product, category, service);
    if (logsource_ == nullptr) {
        refuse(Code::sigma_logsource_unmapped, logsource.Mark(),
               fmt::format("logsource product '{}' category '{}' service '{}' is not in the "
                           "mapping",
                           product, category, service),
               "add a logsources entry for it, with its template type");
        return std::nullopt;
    }
    const YAML::Node condition = detection["condition"];
    if (detection["timeframe"] || root["timeframe"]) {
        const YAML::Node timeframe =
            detection["timeframe"] ? detection["timeframe"] : root["timeframe"];
        refuse(Code::sigma_aggregation, timeframe.Mark(),
               "a timeframe relates several events, which one event cannot decide");
        return std::nullopt;
    }
    if (!condition) {
        refuse(Code::sigma_yaml_malformed, detection.Mark(), "the detection has no condition");
        return std::nullopt;
    }
    std::vector<std::string> names;
    std::vector<std::optional<Expr>> searches;
    for (const auto& entry : detection) {
        const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
        if (name == "condition") {
            continue;
        }
        if (std::find(names.begin(), names.end(), name) != names.end()) {
            refuse(Code::sigma_detection_malformed, entry.first.Mark(),
                   fmt::format("search identifier '{}' is defined twice", name));
            searches.emplace_back();
        } else {
            searches.push_back(search(entry.second));
        }
        names.push_back(name);
    }
    struct ConditionText {
        std::string text;
        YAML::Mark mark;
        bool quoted = false;
    };
    std::vector<ConditionText> conditions;
    if (condition.IsSequence()) {
        for (const auto& element : condition) {
            conditions.push_back(
                ConditionText{element.IsScalar() ? element.Scalar() : std::string(), element.Mark(),
                              element.Tag() == "!"});
        }
    } else if (condition.IsScalar()) {
        conditions.push_back(
            ConditionText{condition.Scalar(), condition.Mark(), condition.Tag() == "!"});
    }
    if (conditions.empty()) {
        refuse(Code::sigma_condition_malformed, condition.Mark(),
               "the condition is not a string or a list of strings");
        return std::nullopt;
    }
    std::vector<Expr> alternatives;
    for (const auto& [text, mark, quoted] : conditions) {
        ConditionError error;
        auto expr = parse_condition(text, names, error);
        if (!expr) {
            YAML::Mark where = mark;
            // The offset within the text is a column only on a one-line
            // scalar; a quoted one starts a character later.
            if (text.find('\n') == std::string::npos) {
                where.column += static_cast<int>(error.offset) + (quoted ? 1 : 0);
            }
            refuse(error.aggregation ? Code::sigma_aggregation : Code::sigma_condition_malformed,
                   where, error.message);
            continue;
        }
        alternatives.push_back(std::move(*expr));
    }
    if (!findings_.empty()) {
        return std::nullopt;
    }
    // Leaves name search identifiers until here: substitute their expressions.
    std::vector<Expr> pending;
    Expr top = combine(Expr::Kind::any, std::move(alternatives));
    std::vector<Expr*> stack = {&top};
    while (!stack.empty()) {
        Expr* node = stack.back();
        stack.pop_back();
        if (node->kind == Expr::Kind::leaf) {
            *node = *searches[node->leaf];
            continue;  // criteria leaves already: nothing more to substitute
        }
        for (Expr& child : node->children) {
            stack.push_back(&child);
        }
    }
    auto dnf = to_dnf(top);
    if (!dnf) {
        refuse(Code::sigma_instance_limit, condition.Mark(),
               fmt::format("written as instances and exclusions the condition needs more than "
                           "{} instances",
                           options_.max_instances_per_rule_incl),
               "split the rule, or merge its alternatives into any-of values");
        return std::nullopt;
    }
    if (dnf->empty()) {
        refuse(Code::sigma_condition_malformed, condition.Mark(),
               "the condition can never hold (it negates a selection that always does)");
        return std::nullopt;
    }
    std::vector<v1::TemplateInstance> instances;
    const auto criterion_of = [&](const Lit& lit) {
        v1::Criterion criterion = pool_[lit.criterion];
        criterion.set_negate(criterion.negate() != lit.negate);
        return criterion;
    };
    for (const Term& term : *dnf) {
        v1::TemplateInstance instance;
        instance.mutable_template_type()->set_id(logsource_->template_id);
        instance.mutable_template_type()->set_version(logsource_->template_version);
        for (const Lit& lit : term.lits) {
            *instance.add_criteria() = criterion_of(lit);
        }
        for (const auto& exclusion : term.exclusions) {
            v1::Exclusion* out = instance.add_exclusions();
            for (const Lit& lit : exclusion) {
                *out->add_criteria() = criterion_of(lit);
            }
        }
        instances.push_back(std::move(instance));
    }
    return instances;
}

std::string file_stem(const std::string& file) {
    return std::filesystem::path(file).stem().string();
}

// yaml-cpp 0.7's LoadAll can loop for ever, adding one null document per
// turn without consuming input (a stray ',' is enough). So the documents are
// counted first, through the parser's events, and never past two.
class IgnoreEvents final : public YAML::EventHandler {
  public:
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

size_t count_documents(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    IgnoreEvents events;
    size_t documents = 0;
    while (documents < 2 && parser.HandleNextDocument(events)) {
        ++documents;
    }
    return documents;
}

}  // namespace

size_t ImportResult::imported_count() const noexcept {
    return static_cast<size_t>(
        std::count_if(rules.begin(), rules.end(), [](const RuleStatus& r) { return r.imported; }));
}

ImportResult import_rules(const Mapping& mapping, std::span<const RuleSource> rules,
                          const ImportOptions& options) {
    ImportResult result;
    v1::ContentFile content;
    content.set_channel(options.channel);
    content.set_content_version(options.content_version);
    *content.mutable_sensor_range() = mapping.impl().sensor_range;
    uint32_t next_instance = 1;
    for (const RuleSource& source : rules) {
        RuleStatus status;
        status.file = source.file;
        RuleConverter converter(mapping.impl(), options, source.file);
        std::optional<std::vector<v1::TemplateInstance>> instances;
        try {
            const size_t documents = count_documents(source.text);
            if (documents != 1) {
                Location at;
                at.file = source.file;
                at.line = 1;
                at.column = 1;
                converter.findings_.push_back(make_diagnostic(
                    Code::sigma_yaml_malformed,
                    documents == 0 ? std::string("the file holds no YAML document")
                                   : std::string("the file holds more than one YAML document"),
                    at, "put each rule in its own file; rule collections are not converted"));
            } else {
                instances = converter.convert(YAML::Load(source.text), status);
            }
        } catch (const YAML::Exception& e) {
            converter.findings_.push_back(make_diagnostic(Code::sigma_yaml_malformed,
                                                          fmt::format("not YAML: {}", e.msg),
                                                          at_mark(source.file, e.mark)));
        }
        status.findings = std::move(converter.findings_);
        if (instances && status.findings.empty()) {
            const auto rule_id = static_cast<uint32_t>(content.rules_size() + 1);
            v1::Rule* rule = content.add_rules();
            rule->set_id(rule_id);
            rule->set_name(status.title.empty() ? file_stem(source.file) : status.title);
            rule->set_origin(status.sigma_id.empty()
                                 ? fmt::format("sigma {}", source.file)
                                 : fmt::format("sigma {} {}", status.sigma_id, source.file));
            for (v1::TemplateInstance& instance : *instances) {
                instance.set_id(next_instance++);
                instance.set_rule(rule_id);
                *content.add_instances() = std::move(instance);
            }
            status.imported = true;
            status.rule_id = rule_id;
            status.instances = instances->size();
        }
        result.rules.push_back(std::move(status));
    }
    pb::TextFormat::Printer printer;
    printer.SetUseUtf8StringEscaping(true);
    std::string body;
    printer.PrintToString(content, &body);
    result.content_text =
        "# Imported from Sigma rules by `ringward import sigma`.\n"
        "# proto-file: ringward/v1/content.proto\n"
        "# proto-message: ringward.v1.ContentFile\n\n" +
        body;
    return result;
}

std::vector<std::string> collect_rule_files(std::span<const std::string> paths,
                                            std::vector<Diagnostic>& errors) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<std::string> found;
            fs::recursive_directory_iterator it(path, ec);
            for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                const fs::path& p = it->path();
                if (it->is_regular_file(ec) &&
                    (p.extension() == ".yml" || p.extension() == ".yaml")) {
                    found.push_back(p.string());
                }
            }
            if (ec) {
                Location at;
                at.file = path;
                errors.push_back(make_diagnostic(
                    Code::input_unreadable,
                    fmt::format("folder {} could not be read: {}", path, ec.message()), at));
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.push_back(path);
        }
    }
    return files;
}

}  // namespace ringward::sigma
