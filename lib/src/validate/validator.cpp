// Content validation: always on the blob, through the one reader, against
// the registry and every targeted sensor build. Diagnostics are built only
// when something is wrong; the passing path allocates nothing per criterion.
#include <fmt/format.h>
#include <re2/re2.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <tuple>
#include <unordered_map>

#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/json_writer.hpp"
#include "schema/content_source.hpp"
#include "util/side_thread.hpp"
#include "validate/glob.hpp"
#include "validate/target.hpp"

namespace ringward {

// The one way to make a ValidatedBlob.
struct ValidatorAccess {
    using Digest = std::array<uint8_t, ValidatedBlob::kDigestBytes>;
    static ValidatedBlob make(std::unique_ptr<std::vector<uint8_t>> bytes, format::BlobView view,
                              const format::Limits& limits, const std::optional<Digest>& digest) {
        ValidatedBlob blob(std::move(bytes), view, limits);
        if (digest) {
            blob.digest_ = *digest;
            blob.has_digest_ = true;
        }
        return blob;
    }
};

namespace {

using format::Kind;
using format::Op;
using Build = ValidationTarget::Impl::Build;
using Type = ValidationTarget::Impl::Type;

std::string_view as_view(format::Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data), bytes.size};
}

// A set member, for finding the source value it came from.
struct Member {
    Kind kind = Kind::none;
    uint64_t scalar = 0;
    std::string_view bytes;
    const uint8_t* ip = nullptr;
};

// Where findings point. Blob offsets always; source positions when the blob
// was compiled from source just now.
class Locator {
  public:
    virtual ~Locator() = default;
    virtual Location header(const char* field, uint32_t offset) const = 0;
    virtual Location instance(uint32_t i, uint32_t offset) const = 0;
    virtual Location criterion(uint32_t i, uint32_t k, uint32_t offset) const = 0;
    // Value `index` of a single value or range, or the set member `member`.
    virtual Location value(uint32_t i, uint32_t k, uint32_t index, const Member* member,
                           uint32_t offset) const = 0;
};

class BlobLocator final : public Locator {
  public:
    explicit BlobLocator(std::string file) : file_(std::move(file)) {}
    Location header(const char*, uint32_t offset) const override { return at(offset); }
    Location instance(uint32_t, uint32_t offset) const override { return at(offset); }
    Location criterion(uint32_t, uint32_t, uint32_t offset) const override { return at(offset); }
    Location value(uint32_t, uint32_t, uint32_t, const Member*, uint32_t offset) const override {
        return at(offset);
    }

  private:
    Location at(uint32_t offset) const {
        Location location;
        location.file = file_;
        location.blob_offset = offset;
        return location;
    }
    std::string file_;
};

class SourceLocator final : public Locator {
  public:
    SourceLocator(const ContentSource& source, const CompiledBlob& compiled,
                  const format::BlobView& view)
        : source_(source), compiled_(compiled), view_(view) {}

    Location header(const char* field, uint32_t offset) const override {
        Location location = source_.header_location(field);
        location.blob_offset = offset;
        return location;
    }
    Location instance(uint32_t i, uint32_t offset) const override {
        Location location = source_.instance_location(compiled_.source_instance[i]);
        location.blob_offset = offset;
        return location;
    }
    Location criterion(uint32_t i, uint32_t k, uint32_t offset) const override {
        const CriterionOrigin origin = origin_of(i, k);
        const uint32_t at = compiled_.source_instance[i];
        Location location = origin.group == 0 ? source_.criterion_location(at, origin.index)
                                              : source_.exclusion_criterion_location(
                                                    at, origin.group - 1, origin.index);
        location.blob_offset = offset;
        return location;
    }
    Location value(uint32_t i, uint32_t k, uint32_t index, const Member* member,
                   uint32_t offset) const override {
        const CriterionOrigin origin = origin_of(i, k);
        const uint32_t at = compiled_.source_instance[i];
        const auto& instance = source_.impl().message.instances(static_cast<int>(at));
        const v1::Criterion& criterion =
            origin.group == 0 ? instance.criteria(static_cast<int>(origin.index))
                              : instance.exclusions(static_cast<int>(origin.group - 1))
                                    .criteria(static_cast<int>(origin.index));
        if (member != nullptr) {
            index = source_index(criterion, *member);
        }
        if (index >= static_cast<uint32_t>(criterion.values_size())) {
            return this->criterion(i, k, offset);
        }
        Location location = origin.group == 0 ? source_.value_location(at, origin.index, index)
                                              : source_.exclusion_value_location(
                                                    at, origin.group - 1, origin.index, index);
        location.blob_offset = offset;
        return location;
    }

  private:
    // Sets are stored sorted; find the source value a member came from.
    static uint32_t source_index(const v1::Criterion& criterion, const Member& member) {
        for (int v = 0; v < criterion.values_size(); ++v) {
            const v1::Value& value = criterion.values(v);
            bool same = false;
            switch (member.kind) {
                case Kind::int64:
                    same = value.has_int_() && static_cast<uint64_t>(value.int_()) == member.scalar;
                    break;
                case Kind::uint64:
                    same = value.has_uint() && value.uint() == member.scalar;
                    break;
                case Kind::ip: {
                    const auto ip = parse_ip(value.ip(), true);
                    same = ip && std::memcmp(ip->address.data(), member.ip, 16) == 0 &&
                           ip->prefix_len == member.ip[16];
                    break;
                }
                case Kind::bytes:
                    same = value.bytes() == member.bytes;
                    break;
                case Kind::enumeration:
                    same = value.enum_() == member.bytes;
                    break;
                default:
                    same = value.string() == member.bytes;
            }
            if (same) {
                return static_cast<uint32_t>(v);
            }
        }
        return UINT32_MAX;
    }

    CriterionOrigin origin_of(uint32_t i, uint32_t k) const {
        return compiled_.source_criterion[view_.instance(i).first_criterion() + k];
    }

    const ContentSource& source_;
    const CompiledBlob& compiled_;
    const format::BlobView& view_;
};

// What checking one regex pattern found; cached per distinct pattern.
struct RegexVerdict {
    Code code = Code::regex_malformed;
    bool ok = true;
    std::string message;
};

// A manifest may hold unknown input types (RW0605 reports them); only known
// ones are compared with field types.
bool is_value_kind(Kind kind) {
    const auto k = static_cast<uint8_t>(kind);
    return k >= 1 && k < format::kKindCount;
}

std::string kinds_list(const std::vector<Op>& operators) {
    std::string out;
    for (const Op op : operators) {
        out += out.empty() ? "" : ", ";
        out += format::op_name(op);
    }
    return out.empty() ? std::string("none") : out;
}

// "eq", "negated contains": the operator as the criterion applies it.
std::string describe_operator(const format::CriterionView& c) {
    if (c.op() == Op::eq && c.negated()) {
        return "ne";
    }
    return fmt::format("{}{}", c.negated() ? "negated " : "", format::op_name(c.op()));
}

class Validator {
  public:
    Validator(const format::BlobView& view, const ValidationTarget::Impl& target,
              const ValidationLimits& limits, const Locator& at, std::vector<Diagnostic>& out)
        : view_(view), target_(target), limits_(limits), at_(at), out_(out) {}

    void run();

  private:
    Diagnostic& report(Code code, std::string message, Location location, std::string help) {
        out_.push_back(
            make_diagnostic(code, std::move(message), std::move(location), std::move(help)));
        return out_.back();
    }
    Diagnostic& report_instance(Code code, std::string message, uint32_t i,
                                const format::InstanceView& instance, std::string help) {
        Diagnostic& d = report(code, std::move(message), at_.instance(i, instance.record_offset()),
                               std::move(help));
        d.instance_id = instance.id();
        return d;
    }
    Diagnostic& report_criterion(Code code, std::string message, uint32_t i,
                                 const format::InstanceView& instance, uint32_t k, std::string help,
                                 std::optional<Location> location = {}) {
        const format::CriterionView c = instance.criterion(k);
        Diagnostic& d =
            report(code, std::move(message),
                   location ? std::move(*location) : at_.criterion(i, k, c.record_offset()),
                   std::move(help));
        d.instance_id = instance.id();
        d.field = std::string(as_view(c.name()));
        d.field_index = c.field_index();
        return d;
    }

    void check_header();
    void check_instance(uint32_t i, uint64_t fingerprint);
    void check_fields(uint32_t i, const format::InstanceView& instance, const Type& type);
    void check_criterion(uint32_t i, const format::InstanceView& instance, const FieldSpec& field,
                         uint32_t k);
    void check_scalar(uint32_t i, const format::InstanceView& instance, const FieldSpec& field,
                      uint32_t k, uint64_t value, uint32_t index, const Member* member,
                      uint32_t offset);
    void check_text(uint32_t i, const format::InstanceView& instance, const FieldSpec& field,
                    uint32_t k, std::string_view text, uint32_t index, const Member* member,
                    uint32_t offset);
    void check_builds(uint32_t i, const format::InstanceView& instance, const Type& type);
    bool builds_agree(const Type& type);
    uint64_t fingerprint(const format::InstanceView& instance) const;
    void check_duplicate(uint32_t i, const format::InstanceView& instance, uint64_t fingerprint);
    const RegexVerdict& regex_verdict(std::string_view pattern, bool case_insensitive);
    std::string builds_supplying(uint64_t key, size_t inputs) const;

    const format::BlobView& view_;
    const ValidationTarget::Impl& target_;
    const ValidationLimits& limits_;
    const Locator& at_;
    std::vector<Diagnostic>& out_;
    // The builds inside the sensor range.
    const Build* first_build_ = nullptr;
    const Build* end_build_ = nullptr;
    std::unordered_map<std::string, RegexVerdict> regexes_;
    // Instance fingerprints (check_duplicate), each with the first instance
    // that had it: open addressing with linear probing, never more than
    // three quarters full (sized in run()), so that an instance costs no
    // allocation.
    struct Fingerprint {
        uint64_t value = 0;
        uint32_t instance = kNoInstance;
    };
    static constexpr uint32_t kNoInstance = UINT32_MAX;
    std::vector<Fingerprint> fingerprints_;
    // The first instance with `value`; kNoInstance, and `i` recorded as
    // that first, when there was none.
    uint32_t first_with(uint64_t value, uint32_t i);
    // check_fields()'s, per instance: which fields a group-0 criterion
    // constrains (kept to spare an allocation per instance).
    std::vector<bool> constrained_;
    // builds_agree()'s verdict per template type version (by Type::index):
    // 0 not yet known, 1 every build in range agrees, 2 one does not.
    std::vector<uint8_t> builds_agree_;
};

void Validator::check_header() {
    if (view_.channel() == 0) {
        report(Code::channel_zero, "the channel is 0", at_.header("channel", 20),
               "set channel to the content channel this file belongs to (1 or more)");
    }
    if (view_.content_version() == 0) {
        report(Code::content_version_zero, "content_version is 0",
               at_.header("content_version", 24),
               "content versions start at 1 and only grow within a channel");
    }
    const uint64_t min = view_.sensor_min();
    const uint64_t max = view_.sensor_max();
    const auto& builds = target_.builds;
    if (min > max) {
        report(Code::sensor_range_inverted,
               fmt::format("the sensor range runs backwards: min {} is above max {}",
                           to_string(format::SensorVersion::unpack(min)),
                           to_string(format::SensorVersion::unpack(max))),
               at_.header("sensor_range", 32), "swap min and max");
        first_build_ = end_build_ = builds.data();
        return;
    }
    const auto lower = std::lower_bound(builds.begin(), builds.end(), min,
                                        [](const Build& b, uint64_t v) { return b.version < v; });
    const auto upper = std::upper_bound(builds.begin(), builds.end(), max,
                                        [](uint64_t v, const Build& b) { return v < b.version; });
    first_build_ = builds.data() + (lower - builds.begin());
    end_build_ = builds.data() + (upper - builds.begin());
    if (first_build_ == end_build_) {
        std::string known;
        for (const Build& b : builds) {
            known += known.empty() ? "" : ", ";
            known += b.version_text;
        }
        report(Code::sensor_range_targets_no_build,
               fmt::format("the sensor range {} .. {} holds no known sensor build, so the runtime "
                           "this content would meet is unknown",
                           to_string(format::SensorVersion::unpack(min)),
                           to_string(format::SensorVersion::unpack(max))),
               at_.header("sensor_range", 32),
               known.empty() ? std::string("pass the manifests of the targeted builds with "
                                           "--manifests")
                             : fmt::format("known builds: {}; widen the range to one of them or "
                                           "pass the targeted builds' manifests",
                                           known));
    }
}

std::string Validator::builds_supplying(uint64_t key, size_t inputs) const {
    std::string out;
    for (const Build& b : target_.builds) {
        const auto it = b.supplied.find(key);
        if (it != b.supplied.end() && it->second->input_types.size() >= inputs) {
            out += out.empty() ? "" : ", ";
            out += b.version_text;
        }
    }
    return out;
}

// Whether every build in the sensor range lists the type, supplies an input
// for each of its fields and agrees with every field's type: then no
// criterion of any instance of it can have a finding in check_builds, and
// its instances skip it. Worked out once per type.
bool Validator::builds_agree(const Type& type) {
    uint8_t& known = builds_agree_[type.index];
    if (known != 0) {
        return known == 1;
    }
    const TemplateType& tt = *type.type;
    const uint64_t key = type_key(tt.id, tt.version);
    const auto agrees = [&](const Build& build) {
        const auto found = build.supplied.find(key);
        if (found == build.supplied.end()) {
            return false;
        }
        const std::vector<Kind>& inputs = found->second->input_types;
        if (inputs.size() < tt.fields.size()) {
            return false;
        }
        for (size_t f = 0; f < tt.fields.size(); ++f) {
            if (is_value_kind(inputs[f]) && inputs[f] != tt.fields[f].type) {
                return false;
            }
        }
        return true;
    };
    known = std::all_of(first_build_, end_build_, agrees) ? 1 : 2;
    return known == 1;
}

void Validator::check_builds(uint32_t i, const format::InstanceView& instance, const Type& type) {
    if (builds_agree(type)) {
        return;
    }
    const TemplateType& tt = *type.type;
    const uint64_t key = type_key(tt.id, tt.version);
    const uint32_t fields = static_cast<uint32_t>(tt.fields.size());
    for (const Build* build = first_build_; build != end_build_; ++build) {
        const auto found = build->supplied.find(key);
        if (found == build->supplied.end()) {
            const std::string able = builds_supplying(key, fields);
            report_instance(Code::template_type_unsupported,
                            fmt::format("sensor build {} cannot evaluate {} v{}: its manifest does "
                                        "not list that template type version",
                                        build->version_text, tt.name, tt.version),
                            i, instance,
                            able.empty() ? "narrow sensor_range to builds that support it"
                                         : fmt::format("narrow sensor_range to builds that "
                                                       "support it ({})",
                                                       able))
                .sensor_version = build->version_text;
            continue;
        }
        const std::vector<Kind>& inputs = found->second->input_types;
        const auto supplied = static_cast<uint32_t>(inputs.size());
        if (fields > supplied) {
            const std::string able = builds_supplying(key, fields);
            report_instance(Code::field_count_exceeds_inputs,
                            fmt::format("{} v{} declares {} fields, but sensor build {} supplies "
                                        "{} inputs for it",
                                        tt.name, tt.version, fields, build->version_text, supplied),
                            i, instance,
                            able.empty()
                                ? fmt::format("no known build supplies all {} inputs: the "
                                              "template type and the sensor disagree",
                                              fields)
                                : fmt::format("narrow sensor_range to builds that supply all {} "
                                              "inputs ({})",
                                              fields, able))
                .sensor_version = build->version_text;
        }
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView c = instance.criterion(k);
            // Every input the criterion reads: its field's, and a field
            // reference's too. Wherever the criterion sits (an exclusion is
            // evaluated as the instance's own criteria are).
            const uint32_t reads[2] = {c.field_index(), c.ref_field_index()};
            const uint32_t read_count = c.is_field_ref() ? 2 : 1;
            for (uint32_t r = 0; r < read_count; ++r) {
                const uint32_t f = reads[r];
                if (f >= fields) {
                    continue;  // check_fields reported the index.
                }
                if (f >= supplied) {
                    const char* where = c.group() == 0 ? "" : " in an exclusion";
                    const std::string what =
                        r == 0 ? fmt::format("puts a {} criterion{} on field '{}' (index {})",
                                             describe_operator(c), where, tt.fields[f].name, f)
                               : fmt::format("compares field '{}'{} with field '{}' (index {})",
                                             tt.fields[c.field_index()].name, where,
                                             tt.fields[f].name, f);
                    // The Channel 291 rule: evaluating this criterion reads
                    // input f, and the build's input array has `supplied`
                    // entries.
                    const std::string able = builds_supplying(key, f + 1);
                    report_criterion(
                        Code::criterion_on_unsupplied_input,
                        fmt::format("instance {} {}, but sensor build {} supplies only {} inputs "
                                    "for {} v{}: its interpreter would read past the end of its "
                                    "input array",
                                    instance.id(), what, build->version_text, supplied, tt.name,
                                    tt.version),
                        i, instance, k,
                        able.empty() ? fmt::format("remove the criterion on field {}: no known "
                                                   "build supplies that input",
                                                   f)
                                     : fmt::format("remove the criterion on field {}, or narrow "
                                                   "sensor_range to builds that supply it ({})",
                                                   f, able))
                        .sensor_version = build->version_text;
                } else if (is_value_kind(inputs[f]) && inputs[f] != tt.fields[f].type) {
                    report_criterion(Code::input_type_mismatch,
                                     fmt::format("sensor build {} supplies input {} of {} v{} as "
                                                 "{}, but field '{}' is {}",
                                                 build->version_text, f, tt.name, tt.version,
                                                 format::kind_name(inputs[f]), tt.fields[f].name,
                                                 format::kind_name(tt.fields[f].type)),
                                     i, instance, k,
                                     "fix the build's manifest or the template type, or narrow "
                                     "sensor_range to builds that agree")
                        .sensor_version = build->version_text;
                }
            }
        }
    }
}

const RegexVerdict& Validator::regex_verdict(std::string_view pattern, bool case_insensitive) {
    std::string key;
    key.reserve(pattern.size() + 1);
    key.push_back(case_insensitive ? 'i' : 's');
    key.append(pattern);
    const auto found = regexes_.find(key);
    if (found != regexes_.end()) {
        return found->second;
    }
    RegexVerdict verdict;
    if (pattern.size() > limits_.max_regex_length_incl) {
        verdict = {Code::regex_too_long, false,
                   fmt::format("the regex is {} bytes long; the limit is {}", pattern.size(),
                               limits_.max_regex_length_incl)};
    } else {
        // RE2 is the syntax reference here only: what ships is the program
        // compile_regex made, which RW0720-RW0723 bound when it is compiled
        // and the verifier when it is loaded. RE2's own program (a UTF-8 byte
        // automaton, four times the size for [^\\]{1,256}) does not ship,
        // so its size is no limit (RW0705 is retired). ErrorPatternTooLarge
        // comes only after RE2 parsed the pattern, so the syntax holds then.
        RE2::Options options;
        options.set_log_errors(false);
        options.set_case_sensitive(!case_insensitive);
        // Room for no instruction at all (RE2 keeps 2/3 of max_mem for the
        // forward program, and a budget under sizeof(Prog) holds none; 0
        // would mean no limit): RE2 parses the whole pattern, then gives up
        // compiling with ErrorPatternTooLarge. The syntax check without a
        // program no one runs halves validate on the imported Sigma set.
        options.set_max_mem(64);
        const RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
        if (!re.ok() && re.error_code() != RE2::ErrorPatternTooLarge) {
            verdict = {Code::regex_malformed, false,
                       fmt::format("the regex does not parse as RE2: {}", re.error())};
        }
    }
    return regexes_.emplace(std::move(key), std::move(verdict)).first->second;
}

void Validator::check_scalar(uint32_t i, const format::InstanceView& instance,
                             const FieldSpec& field, uint32_t k, uint64_t value, uint32_t index,
                             const Member* member, uint32_t offset) {
    std::string bound;
    if (field.type == Kind::int64) {
        const auto v = static_cast<int64_t>(value);
        if ((field.int_min_incl && v < *field.int_min_incl) ||
            (field.int_max_incl && v > *field.int_max_incl)) {
            bound = fmt::format("{} is outside [{}, {}]", v,
                                field.int_min_incl ? std::to_string(*field.int_min_incl) : "-inf",
                                field.int_max_incl ? std::to_string(*field.int_max_incl) : "inf");
        }
    } else if ((field.uint_min_incl && value < *field.uint_min_incl) ||
               (field.uint_max_incl && value > *field.uint_max_incl)) {
        bound = fmt::format("{} is outside [{}, {}]", value, field.uint_min_incl.value_or(0),
                            field.uint_max_incl ? std::to_string(*field.uint_max_incl) : "inf");
    }
    if (!bound.empty()) {
        report_criterion(Code::value_out_of_bounds,
                         fmt::format("{} on field '{}'", bound, field.name), i, instance, k,
                         "use a value within the field's bounds",
                         at_.value(i, k, index, member, offset));
    }
}

void Validator::check_text(uint32_t i, const format::InstanceView& instance, const FieldSpec& field,
                           uint32_t k, std::string_view text, uint32_t index, const Member* member,
                           uint32_t offset) {
    const format::CriterionView c = instance.criterion(k);
    const auto located = [&] { return at_.value(i, k, index, member, offset); };
    const uint32_t max = field.max_length_incl.value_or(limits_.default_max_length_incl);
    if (text.size() > max) {
        report_criterion(Code::value_too_long,
                         fmt::format("the value is {} bytes long; field '{}' allows {}",
                                     text.size(), field.name, max),
                         i, instance, k, "shorten it", located());
    }
    if (field.type == Kind::enumeration) {
        if (std::find(field.enum_members.begin(), field.enum_members.end(), text) ==
            field.enum_members.end()) {
            std::string members;
            for (const std::string& m : field.enum_members) {
                members += members.empty() ? "" : ", ";
                members += m;
            }
            report_criterion(Code::enum_member_unknown,
                             fmt::format("'{}' is not a member of field '{}'", text, field.name), i,
                             instance, k, fmt::format("use one of {}", members), located());
        }
        return;
    }
    if (field.type != Kind::string) {
        return;
    }
    const size_t bad = util::utf8_error_offset(text);
    if (bad != text.size()) {
        report_criterion(Code::string_not_utf8,
                         fmt::format("the string is not valid UTF-8 (byte {} is 0x{:02x})", bad,
                                     static_cast<unsigned char>(text[bad])),
                         i, instance, k,
                         "write the text as UTF-8, or make the field TYPE_BYTES if it holds "
                         "binary data",
                         located());
        return;
    }
    if (c.op() == Op::glob) {
        if (const auto error = validate::check_glob(text)) {
            report_criterion(Code::glob_malformed,
                             fmt::format("the glob does not parse: {} (at byte {})", error->message,
                                         error->offset),
                             i, instance, k, "escape a literal '[' or '\\' with '\\'", located());
        } else if (const auto escape = validate::needless_escape(text)) {
            const char escaped = text[*escape + 1];
            report_criterion(Code::glob_needless_escape,
                             fmt::format("the glob escapes '{}' at byte {}: '\\{}' matches '{}' "
                                         "alone, not a backslash and '{}'",
                                         escaped, *escape, escaped, escaped, escaped),
                             i, instance, k,
                             "a literal backslash is written twice in a glob, and each of those "
                             "twice again in protobuf text: \"C:\\\\\\\\Users\\\\\\\\*\"",
                             located());
        }
    } else if (c.op() == Op::regex) {
        const RegexVerdict& verdict = regex_verdict(text, c.case_insensitive());
        if (!verdict.ok) {
            report_criterion(verdict.code, verdict.message, i, instance, k,
                             verdict.code == Code::regex_malformed
                                 ? "RE2 syntax: no backreferences or lookaround"
                                 : "simplify the pattern, or split it across instances",
                             located());
        }
    }
}

void Validator::check_criterion(uint32_t i, const format::InstanceView& instance,
                                const FieldSpec& field, uint32_t k) {
    const format::CriterionView c = instance.criterion(k);
    // ne is eq negated (docs/semantics.md, "Spellings"): a field that allows
    // ne allows exactly that, and a field that allows eq alone does not.
    const Op op = c.op() == Op::eq && c.negated() ? Op::ne : c.op();
    if (std::find(field.operators.begin(), field.operators.end(), op) == field.operators.end()) {
        report_criterion(
            Code::operator_not_allowed,
            fmt::format("field '{}' does not allow {}", field.name, format::op_name(op)), i,
            instance, k, fmt::format("it allows {}", kinds_list(field.operators)));
    }
    const Kind kind = c.kind();
    if (kind != field.type) {
        report_criterion(
            Code::value_type_mismatch,
            fmt::format("field '{}' is {}, but the criterion's value is {}", field.name,
                        format::kind_name(field.type), format::kind_name(kind)),
            i, instance, k, fmt::format("write the value as {}", format::kind_name(field.type)));
        return;
    }
    if (c.case_insensitive() && !field.case_insensitive_allowed) {
        report_criterion(Code::case_insensitive_not_allowed,
                         fmt::format("field '{}' does not allow case_insensitive", field.name), i,
                         instance, k, "remove case_insensitive, or match the exact case");
    }
    if (c.is_field_ref() || c.op() == Op::exists || c.op() == Op::empty) {
        return;  // No value of its own to check.
    }
    const uint32_t value_offset = c.record_offset() + 32;
    // A set: in's members, or the several values of a string match.
    const bool set = c.op() == Op::in || (format::op_is_string_match(c.op()) && c.op() != Op::eq &&
                                          c.value_count() >= 2);
    if (set && c.value_count() > limits_.max_content_set_size_incl) {
        report_criterion(Code::set_too_large,
                         fmt::format("the set has {} members; the limit is {}", c.value_count(),
                                     limits_.max_content_set_size_incl),
                         i, instance, k, "split it across instances");
    }
    const auto data_offset = static_cast<uint32_t>(c.data().data - view_.data());
    switch (kind) {
        case Kind::int64:
        case Kind::uint64:
            if (set) {
                for (uint32_t m = 0; m < c.value_count(); ++m) {
                    const Member member{kind, c.scalar_member(m), {}, nullptr};
                    check_scalar(i, instance, field, k, member.scalar, m, &member,
                                 data_offset + m * 8);
                }
            } else if (c.op() == Op::range) {
                check_scalar(i, instance, field, k, c.value0(), 0, nullptr, value_offset);
                check_scalar(i, instance, field, k, c.value1(), 1, nullptr, value_offset + 8);
                const bool inverted = kind == Kind::int64 ? static_cast<int64_t>(c.value0()) >
                                                                static_cast<int64_t>(c.value1())
                                                          : c.value0() > c.value1();
                if (inverted) {
                    report_criterion(Code::range_inverted,
                                     fmt::format("the range on '{}' runs backwards: low is above "
                                                 "high",
                                                 field.name),
                                     i, instance, k, "give the low end first");
                }
            } else {
                check_scalar(i, instance, field, k, c.value0(), 0, nullptr, value_offset);
            }
            break;
        case Kind::string:
        case Kind::bytes:
        case Kind::enumeration:
            if (set) {
                format::ByteSetCursor cursor = c.byte_members();
                format::Bytes bytes;
                uint32_t m = 0;
                while (cursor.next(&bytes)) {
                    const Member member{kind, 0, as_view(bytes), nullptr};
                    check_text(i, instance, field, k, member.bytes, m, &member,
                               static_cast<uint32_t>(bytes.data - view_.data()) - 4);
                    ++m;
                }
            } else {
                check_text(i, instance, field, k, as_view(c.data()), 0, nullptr, data_offset);
            }
            break;
        default:
            break;  // bool and ip: the reader checked all there is
    }
}

// Each criterion's field index and name against the template type, and a
// field reference's target; then the criterion itself. The blob says which
// field by index, and names it too: both must agree with the registry, or
// the validator and the loader would read different fields.
void Validator::check_fields(uint32_t i, const format::InstanceView& instance, const Type& type) {
    const TemplateType& tt = *type.type;
    const auto fields = static_cast<uint32_t>(tt.fields.size());
    if (instance.field_count() != fields) {
        report_instance(
            Code::field_count_disagrees,
            fmt::format("instance {} was compiled for {} fields, but {} v{} declares "
                        "{}",
                        instance.id(), instance.field_count(), tt.name, tt.version, fields),
            i, instance, "compile the content again against this registry");
    }
    // Which fields a group-0 criterion constrains matters only for those
    // that allow no wildcard; most types have none.
    const bool tracked = !type.required.empty();
    std::vector<bool>& constrained = constrained_;
    if (tracked) {
        constrained.assign(fields, false);
    }
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        const format::CriterionView c = instance.criterion(k);
        const uint32_t f = c.field_index();
        const std::string_view name = as_view(c.name());
        if (f < fields && name == tt.fields[f].name) {
            if (c.is_field_ref()) {
                const uint32_t r = c.ref_field_index();
                const std::string_view target = as_view(c.data());
                if (r >= fields || target != tt.fields[r].name) {
                    report_criterion(Code::field_index_mismatch,
                                     fmt::format("the field reference names '{}' but points at "
                                                 "field {} of {} v{}, which is {}",
                                                 target, r, tt.name, tt.version,
                                                 r < fields ? "'" + tt.fields[r].name + "'"
                                                            : std::string("past its last field")),
                                     i, instance, k,
                                     "compile the content again against this registry");
                    continue;
                }
                if (tt.fields[r].type != tt.fields[f].type) {
                    report_criterion(
                        Code::field_ref_type_mismatch,
                        fmt::format("field '{}' is {} but the field it is compared "
                                    "with, '{}', is {}",
                                    tt.fields[f].name, format::kind_name(tt.fields[f].type),
                                    tt.fields[r].name, format::kind_name(tt.fields[r].type)),
                        i, instance, k, "compare fields of one type, string or bytes");
                }
            }
            if (tracked && c.group() == 0) {
                constrained[f] = true;
            }
            check_criterion(i, instance, tt.fields[f], k);
            continue;
        }
        const auto other = type.fields.find(name);
        if (other != type.fields.end()) {
            report_criterion(Code::field_index_mismatch,
                             fmt::format("the criterion on '{}' points at field {} of {} v{}, "
                                         "but '{}' is field {}",
                                         name, f, tt.name, tt.version, name, other->second),
                             i, instance, k, "compile the content again against this registry");
        } else {
            report_criterion(Code::criterion_field_unknown,
                             fmt::format("{} v{} has no field '{}'", tt.name, tt.version, name), i,
                             instance, k, "check the field name against the registry");
        }
    }
    for (const uint32_t f : type.required) {
        if (!constrained[f]) {
            Diagnostic& d = report_instance(
                Code::wildcard_not_allowed,
                fmt::format("instance {} leaves field '{}' of {} v{} a wildcard, which it does "
                            "not allow",
                            instance.id(), tt.fields[f].name, tt.name, tt.version),
                i, instance,
                fmt::format("give '{}' a criterion of the instance's own ({})", tt.fields[f].name,
                            kinds_list(tt.fields[f].operators)));
            d.field = tt.fields[f].name;
            d.field_index = f;
        }
    }
}

// splitmix64's finalizer: every input bit moves every output bit.
uint64_t mixed(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// One word into h: one multiply.
uint64_t fold_word(uint64_t h, uint64_t word) {
    h ^= word;
    return ((h << 23) | (h >> 41)) * 0x9e3779b97f4a7c15ull;
}
// `bytes` folded into h eight at a time, its length with its last word (so
// that "ab" + "c" and "a" + "bc" differ); mixed() once over the whole. The
// last word is the one that ends where the bytes end (overlapping the word
// before); under 8 bytes, two overlapping halves or, under 4, the first,
// middle and last byte: every byte counts, with no call to memcpy. A
// fingerprint, not a defence: a collision only means two instances are
// compared byte for byte.
uint64_t fold_bytes(uint64_t h, const uint8_t* bytes, size_t size) {
    uint64_t last = 0;
    if (size >= 8) {
        for (size_t i = 0; size - i > 8; i += 8) {
            h = fold_word(h, core::load_u64(bytes + i));
        }
        last = core::load_u64(bytes + size - 8);
    } else if (size >= 4) {
        last = core::load_u32(bytes) | uint64_t{core::load_u32(bytes + size - 4)} << 32;
    } else if (size > 0) {
        last = bytes[0] | uint64_t{bytes[size / 2]} << 8 | uint64_t{bytes[size - 1]} << 16;
    }
    return fold_word(h, last ^ (uint64_t{size} << 56));
}

uint32_t Validator::first_with(uint64_t value, uint32_t i) {
    const size_t mask = fingerprints_.size() - 1;
    // The fingerprint is mixed already: its low bits are as good as any.
    for (size_t slot = value & mask;; slot = (slot + 1) & mask) {
        Fingerprint& entry = fingerprints_[slot];
        if (entry.instance == kNoInstance) {
            entry = {value, i};
            return kNoInstance;
        }
        if (entry.value == value) {
            return entry.instance;
        }
    }
}

// What two instances that check_duplicate finds the same have in common:
// the template type, the rule and the criteria.
uint64_t Validator::fingerprint(const format::InstanceView& instance) const {
    // Two chains, the records' and the data's, so that neither waits for the
    // other's multiplies.
    uint64_t records =
        mixed(type_key(instance.template_type_id(), instance.template_type_version()) ^
              instance.rule_id());
    uint64_t data = 0;
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        const format::CriterionView c = instance.criterion(k);
        const uint8_t* record = view_.data() + c.record_offset();
        // Everything but the data's pool offset and length, which differ
        // between copies, and then the data. Bytes 8-15 are the name's
        // index in the name table, which holds each name once: two criteria
        // on one field have the same index.
        records = fold_word(records, core::load_u64(record));
        records = fold_word(records, core::load_u64(record + 8));
        records = fold_bytes(records, record + 24, 24);
        data = fold_bytes(data, c.data().data, c.data().size);
    }
    return mixed(records ^ mixed(data));
}

// Two instances with the same template type, rule and criteria, under
// different ids, are almost always a copy-paste slip.
void Validator::check_duplicate(uint32_t i, const format::InstanceView& instance,
                                uint64_t fingerprint) {
    const uint32_t earlier = first_with(fingerprint, i);
    if (earlier == kNoInstance) {
        return;
    }
    const format::InstanceView first = view_.instance(earlier);
    bool same = first.template_type_id() == instance.template_type_id() &&
                first.template_type_version() == instance.template_type_version() &&
                first.rule_id() == instance.rule_id() &&
                first.exclusion_count() == instance.exclusion_count() &&
                first.criterion_count() == instance.criterion_count();
    for (uint32_t k = 0; same && k < instance.criterion_count(); ++k) {
        const format::CriterionView a = first.criterion(k);
        const format::CriterionView b = instance.criterion(k);
        same = std::memcmp(view_.data() + a.record_offset(), view_.data() + b.record_offset(),
                           16) == 0 &&
               std::memcmp(view_.data() + a.record_offset() + 24,
                           view_.data() + b.record_offset() + 24, 24) == 0 &&
               as_view(a.data()) == as_view(b.data());
    }
    if (same) {
        report_instance(Code::duplicate_instance,
                        fmt::format("instance {} repeats instance {}: same template type, same "
                                    "criteria",
                                    instance.id(), first.id()),
                        i, instance, "remove one, or change what it matches");
    }
}

void Validator::check_instance(uint32_t i, uint64_t fingerprint) {
    const format::InstanceView instance = view_.instance(i);
    if (instance.id() == 0) {
        report_instance(Code::instance_id_zero, "the instance id is 0", i, instance,
                        "instance ids start at 1");
    }
    const Type* type =
        target_.find_type(instance.template_type_id(), instance.template_type_version());
    if (type == nullptr) {
        std::string versions;
        for (const TemplateType& t : target_.registry.template_types) {
            if (t.id == instance.template_type_id()) {
                versions += versions.empty() ? "" : ", ";
                versions += fmt::format("v{}", t.version);
            }
        }
        report_instance(Code::template_type_unknown,
                        fmt::format("instance {} names template type {} v{}, which the registry "
                                    "does not define",
                                    instance.id(), instance.template_type_id(),
                                    instance.template_type_version()),
                        i, instance,
                        versions.empty() ? "check the id against the registry"
                                         : fmt::format("the registry has {} of template type {}",
                                                       versions, instance.template_type_id()));
        check_duplicate(i, instance, fingerprint);
        return;
    }
    check_fields(i, instance, *type);
    check_builds(i, instance, *type);
    check_duplicate(i, instance, fingerprint);
}

void Validator::run() {
    check_header();
    // A power of two at least 4/3 of the instances: at most three quarters
    // full (16 bytes a slot, fewer than an unordered_map's node and bucket
    // per instance).
    size_t slots = 16;
    while (3 * slots < size_t{4} * view_.instance_count()) {
        slots *= 2;
    }
    fingerprints_.assign(slots, Fingerprint{});
    builds_agree_.assign(target_.registry.template_types.size(), 0);
    // Each instance's fingerprint is worked out, and its slot fetched, one
    // instance ahead of its duplicate check: with more instances than the
    // caches hold, the slot would otherwise be a wait for memory each.
    const uint32_t count = view_.instance_count();
    const size_t mask = fingerprints_.size() - 1;
    uint64_t next = count > 0 ? fingerprint(view_.instance(0)) : 0;
    for (uint32_t i = 0; i < count; ++i) {
        const uint64_t current = next;
        if (i + 1 < count) {
            next = fingerprint(view_.instance(i + 1));
            __builtin_prefetch(&fingerprints_[next & mask]);
        }
        check_instance(i, current);
    }
}

// ValidateOptions::take_digest: the blob's BLAKE2b-512 on a second core
// while it is validated, in 1 MiB steps so that a blob with errors stops it
// at the next one. The bytes must outlive it: it is declared after them,
// and joined (wait() or cancel()) before they can go.
class BackgroundDigest {
  public:
    BackgroundDigest(const std::vector<uint8_t>& bytes, bool wanted) {
        if (wanted && bytes.size() >= util::kHashOnSideThreadFromBytes) {
            // No thread: no digest, and the signer takes it itself.
            static_cast<void>(thread_.start([this, &bytes] { run(bytes); }));
        }
    }
    BackgroundDigest(const BackgroundDigest&) = delete;
    BackgroundDigest& operator=(const BackgroundDigest&) = delete;
    ~BackgroundDigest() { cancel(); }

    // The digest; nullopt when none was taken.
    std::optional<ValidatorAccess::Digest> wait() {
        thread_.join();
        return done_ ? std::optional(digest_) : std::nullopt;
    }
    void cancel() {
        stop_.store(true, std::memory_order_relaxed);
        thread_.join();
    }

  private:
    void run(const std::vector<uint8_t>& bytes) {
        constexpr size_t kStep = 1 << 20;
        crypto_generichash_state state;
        // sodium_init picks the fastest hash for this CPU; idempotent.
        if (sodium_init() < 0 || crypto_generichash_init(&state, nullptr, 0, digest_.size()) != 0) {
            return;
        }
        for (size_t at = 0; at < bytes.size(); at += kStep) {
            if (stop_.load(std::memory_order_relaxed)) {
                return;
            }
            crypto_generichash_update(&state, bytes.data() + at,
                                      std::min(kStep, bytes.size() - at));
        }
        done_ = crypto_generichash_final(&state, digest_.data(), digest_.size()) == 0;
    }

    std::atomic<bool> stop_{false};
    ValidatorAccess::Digest digest_{};
    bool done_ = false;
    util::SideThread thread_;
};

// The result of a validation. The digest is waited for (or stopped, when
// there are errors) before `bytes` can be freed.
Result<ValidatedBlob> finish(std::unique_ptr<std::vector<uint8_t>> bytes, format::BlobView view,
                             const format::Limits& limits, std::vector<Diagnostic> diagnostics,
                             BackgroundDigest& digest) {
    if (has_errors(diagnostics)) {
        digest.cancel();
        return Result<ValidatedBlob>::failure(std::move(diagnostics));
    }
    const std::optional<ValidatorAccess::Digest> taken = digest.wait();
    return Result<ValidatedBlob>::success(
        ValidatorAccess::make(std::move(bytes), view, limits, taken), std::move(diagnostics));
}

}  // namespace

Result<ValidatedBlob> validate_blob(std::vector<uint8_t> bytes, std::string file,
                                    const ValidationTarget& target,
                                    const ValidateOptions& options) {
    auto owned = std::make_unique<std::vector<uint8_t>>(std::move(bytes));
    BackgroundDigest digest(*owned, options.take_digest);
    format::BlobView view;
    const format::ReadResult read =
        format::read_blob(owned->data(), owned->size(), options.limits.blob, &view);
    if (!read.ok()) {
        return Result<ValidatedBlob>::failure(blob_diagnostic(read, std::move(file)));
    }
    std::vector<Diagnostic> diagnostics;
    const BlobLocator locator(std::move(file));
    Validator(view, target.impl(), options.limits, locator, diagnostics).run();
    return finish(std::move(owned), view, options.limits.blob, std::move(diagnostics), digest);
}

Result<ValidatedBlob> validate_content(const ContentSource& content, const ValidationTarget& target,
                                       const ValidateOptions& options) {
    CompileOptions compile_options;
    compile_options.limits = options.limits.blob;
    // An instance that compile refuses (a value too long, say) is left out
    // of the blob and reported; the others are still validated, so one
    // call reports every finding (issue 11, deliverable 5). Content with a
    // compile finding fails all the same: finish() sees the error.
    PartialCompile compiled = compile_each(content, target.registry(), compile_options);
    if (!compiled.blob) {
        return Result<ValidatedBlob>::failure(std::move(compiled.diagnostics));
    }
    std::vector<Diagnostic> diagnostics = std::move(compiled.diagnostics);
    auto owned = std::make_unique<std::vector<uint8_t>>(std::move(compiled.blob->bytes));
    BackgroundDigest digest(*owned, options.take_digest);
    format::BlobView view;
    const format::ReadResult read =
        format::read_blob(owned->data(), owned->size(), options.limits.blob, &view);
    if (!read.ok()) {
        core::invariant_broken();  // compile() wrote what the reader refuses: a broken invariant.
    }
    const SourceLocator locator(content, *compiled.blob, view);
    Validator(view, target.impl(), options.limits, locator, diagnostics).run();
    // The blob holds instances in id order; people read the source in its
    // own order. (JSON and binary sources have no lines: blob order stays.)
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.location.line, a.location.column) <
                                std::tie(b.location.line, b.location.column);
                     });
    return finish(std::move(owned), view, options.limits.blob, std::move(diagnostics), digest);
}

}  // namespace ringward
