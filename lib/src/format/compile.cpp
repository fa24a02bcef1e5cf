// compile(): content as parsed (protobuf) to the canonical blob (format 2),
// without an intermediate copy. One pass over the instances in id order:
// each criterion, of the instance and of its exclusions, is checked for what
// the format can express, its field named by the registry is turned into an
// index, and the instance's criteria are written sorted by (group, field);
// an instance with a finding is rolled back out of the blob and the next one
// compiled, so every finding is reported and the instances that compiled can
// still be validated (compile_each). Findings are returned in source order.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <tuple>
#include <unordered_map>

#include "format/stable_sort_small.hpp"
#include "ringward/compile.hpp"
#include "schema/content_source.hpp"

namespace ringward {
namespace {

using format::Kind;
using format::Op;

// Orders findings by where they are in the source.
struct Finding {
    size_t instance = 0;
    size_t group = 0;
    size_t criterion = 0;
    size_t value = 0;
    Diagnostic diagnostic;
};

std::optional<Kind> value_kind(const v1::Value& value) {
    switch (value.kind_case()) {
        case v1::Value::kInt:
            return Kind::int64;
        case v1::Value::kUint:
            return Kind::uint64;
        case v1::Value::kBool:
            return Kind::boolean;
        case v1::Value::kString:
            return Kind::string;
        case v1::Value::kBytes:
            return Kind::bytes;
        case v1::Value::kEnum:
            return Kind::enumeration;
        case v1::Value::kIp:
            return Kind::ip;
        case v1::Value::kField:  // a field reference: no value of its own
        case v1::Value::KIND_NOT_SET:
            break;
    }
    return std::nullopt;
}

uint64_t scalar_of(const v1::Value& value) {
    switch (value.kind_case()) {
        case v1::Value::kInt:
            return static_cast<uint64_t>(value.int_());
        case v1::Value::kUint:
            return value.uint();
        case v1::Value::kBool:
            return value.bool_() ? 1 : 0;
        default:
            return 0;
    }
}

const std::string& text_of(const v1::Value& value) {
    switch (value.kind_case()) {
        case v1::Value::kBytes:
            return value.bytes();
        case v1::Value::kEnum:
            return value.enum_();
        case v1::Value::kIp:
            return value.ip();
        default:
            return value.string();
    }
}

// "int or uint", "string or bytes", ...: the kinds an operator takes.
std::string kinds_taken_by(Op op) {
    std::string out;
    for (uint8_t k = 1; k < format::kKindCount; ++k) {
        if (format::op_takes_kind(op, static_cast<Kind>(k))) {
            out += out.empty() ? "" : ", ";
            out += format::kind_name(static_cast<Kind>(k));
        }
    }
    return out;
}

// Which value counts the operator takes, for findings.
std::string value_count_rule(Op op) {
    switch (op) {
        case Op::range:
            return "exactly two values, low then high";
        case Op::in:
            return "one or more distinct values";
        case Op::prefix:
        case Op::suffix:
        case Op::contains:
        case Op::glob:
        case Op::regex:
            return "one or more distinct values (any of them)";
        case Op::exists:
        case Op::empty:
            return "no value";
        default:
            return "exactly one value";
    }
}

// Operators that hold a set: in (exact membership), and the string matches
// that take several values, any of which may hold.
bool op_takes_set(Op op) {
    return op == Op::in || op == Op::prefix || op == Op::suffix || op == Op::contains ||
           op == Op::glob || op == Op::regex;
}

bool op_takes_field_ref(Op op) {
    return op == Op::eq || op == Op::prefix || op == Op::suffix || op == Op::contains;
}

// The template types of the registry by (id, version), and their fields by
// name: what turns the source's names into the blob's indices.
class TypeIndex {
  public:
    struct Type {
        const TemplateType* type = nullptr;
        std::unordered_map<std::string_view, uint16_t> fields;
    };

    explicit TypeIndex(const Registry& registry) {
        for (const TemplateType& tt : registry.template_types) {
            const auto [it, fresh] = types_.try_emplace(key(tt.id, tt.version));
            if (!fresh) {
                continue;  // The first one counts, as Registry::find has it.
            }
            it->second.type = &tt;
            for (size_t f = 0; f < tt.fields.size() && f <= UINT16_MAX; ++f) {
                it->second.fields.try_emplace(tt.fields[f].name, static_cast<uint16_t>(f));
            }
        }
    }
    const Type* find(uint32_t id, uint32_t version) const {
        const auto it = types_.find(key(id, version));
        return it == types_.end() ? nullptr : &it->second;
    }

  private:
    static uint64_t key(uint32_t id, uint32_t version) { return uint64_t{id} << 32 | version; }
    std::unordered_map<uint64_t, Type> types_;
};

// The criteria of one group of an instance: group 0 its own, e + 1 those of
// exclusion e.
const google::protobuf::RepeatedPtrField<v1::Criterion>& group_criteria(
    const v1::TemplateInstance& instance, size_t group) {
    return group == 0 ? instance.criteria()
                      : instance.exclusions(static_cast<int>(group - 1)).criteria();
}

// A criterion that passed every check, waiting for its instance's criteria
// to be sorted into the blob's order.
struct Pending {
    uint16_t group = 0;
    uint16_t field_index = 0;
    uint32_t index = 0;
    Op op = Op::eq;
    Kind kind = Kind::none;
    bool negate = false;
    // Field references: the referenced field's index.
    std::optional<uint16_t> ref_index;
};

class Compiler {
  public:
    Compiler(const ContentSource& source, const Registry& registry, const CompileOptions& options)
        : source_(source),
          message_(source.impl().message),
          types_(registry),
          limits_(options.limits) {}

    PartialCompile run();

  private:
    // Criterion k of group g of instance i, as the source has it.
    const v1::Criterion& criterion_at(size_t i, size_t g, size_t k) const {
        return group_criteria(message_.instances(static_cast<int>(i)), g)[static_cast<int>(k)];
    }
    Location criterion_location(size_t i, size_t g, size_t k) const {
        return g == 0 ? source_.criterion_location(i, k)
                      : source_.exclusion_criterion_location(i, g - 1, k);
    }
    Location value_location(size_t i, size_t g, size_t k, size_t v) const {
        return g == 0 ? source_.value_location(i, k, v)
                      : source_.exclusion_value_location(i, g - 1, k, v);
    }

    void report(Code code, std::string message, Location location, std::string help = {}) {
        Diagnostic d =
            make_diagnostic(code, std::move(message), std::move(location), std::move(help));
        findings_.push_back(Finding{0, 0, 0, 0, std::move(d)});
    }
    void report_instance(Code code, std::string message, size_t i, std::string help = {},
                         std::optional<Location> location = {}) {
        Diagnostic d = make_diagnostic(
            code, std::move(message),
            location ? std::move(*location) : source_.instance_location(i), std::move(help));
        d.instance_id = message_.instances(static_cast<int>(i)).id();
        findings_.push_back(Finding{i + 1, 0, 0, 0, std::move(d)});
    }
    void report_criterion(Code code, std::string message, size_t i, size_t g, size_t k,
                          std::optional<size_t> value = std::nullopt, std::string help = {}) {
        const auto& instance = message_.instances(static_cast<int>(i));
        Diagnostic d = make_diagnostic(
            code, std::move(message),
            value ? value_location(i, g, k, *value) : criterion_location(i, g, k), std::move(help));
        d.instance_id = instance.id();
        d.field = criterion_at(i, g, k).field();
        if (type_ != nullptr) {
            const auto found = type_->fields.find(d.field);
            if (found != type_->fields.end()) {
                d.field_index = found->second;
            }
        }
        findings_.push_back(Finding{i + 1, g, k + 1, value ? *value + 1 : 0, std::move(d)});
    }

    bool header(BlobHeaderFields* fields);
    std::vector<uint32_t> order_by_id();
    void check_rules();
    void instance(size_t i);
    void criterion(size_t i, size_t g, size_t k);
    void wildcard(size_t i, size_t g, size_t k, const v1::Criterion& c);
    std::optional<Kind> kind_of_values(size_t i, size_t g, size_t k, const v1::Criterion& c);
    std::optional<uint16_t> field_ref(size_t i, size_t g, size_t k, const v1::Criterion& c, Op op,
                                      const std::optional<uint16_t>& field_index);
    bool check_value_count(size_t i, size_t g, size_t k, const v1::Criterion& c, Op op);
    void check_values(size_t i, size_t g, size_t k, const v1::Criterion& c, Op op, Kind kind);
    void write_criterion(size_t i, const Pending& p);
    BlobWriter::Duplicate write_set(const Pending& p, const CriterionPlace& head,
                                    const v1::Criterion& c);
    // Whether the instance being compiled is still being written: there is
    // a blob to write, and the instance has no finding so far. Its findings
    // are still all looked for when it is not.
    bool writing() const { return writer_ && findings_.size() == instance_findings_before_; }

    const ContentSource& source_;
    const v1::ContentFile& message_;
    const TypeIndex types_;
    const format::Limits& limits_;
    std::vector<Finding> findings_;
    std::optional<BlobWriter> writer_;
    // The number of findings when the current instance began.
    size_t instance_findings_before_ = 0;
    // The template type of the instance being compiled; null when the
    // registry does not define it.
    const TypeIndex::Type* type_ = nullptr;
    // The criteria of the instance being compiled that passed their checks.
    std::vector<Pending> pending_;
    // Source indices of the instances written, in blob order, and where
    // each of their criteria came from.
    std::vector<uint32_t> written_;
    std::vector<CriterionOrigin> written_criteria_;
    // Source indices of instances whose id an earlier one already has.
    std::vector<bool> id_repeated_;
    // The rule ids the file declares.
    std::unordered_map<uint32_t, size_t> rules_;
    // Scratch for sets, reused across criteria.
    std::vector<uint64_t> scalars_;
    std::vector<std::string_view> strings_;
    std::vector<IpValue> ips_;
};

bool Compiler::header(BlobHeaderFields* fields) {
    fields->channel = message_.channel();
    fields->content_version = message_.content_version();
    if (!message_.has_sensor_range()) {
        report(Code::sensor_range_missing, "the content file gives no sensor_range",
               source_.file_location(),
               "add sensor_range { min: \"7.11.0\" max: \"7.11.99999\" } with the builds this "
               "content is for");
        return false;
    }
    bool ok = true;
    const auto& range = message_.sensor_range();
    for (const auto& [end, text, packed] : {std::tuple{"min", &range.min(), &fields->sensor_min},
                                            std::tuple{"max", &range.max(), &fields->sensor_max}}) {
        const auto version = parse_sensor_version(*text);
        if (!version) {
            report(Code::sensor_version_malformed,
                   fmt::format("sensor_range.{} \"{}\" is not a sensor version", end, *text),
                   source_.sensor_range_location(),
                   "write major.minor.build in decimal, e.g. \"7.11.18110\"");
            ok = false;
        } else {
            *packed = version->packed();
        }
    }
    return ok;
}

std::vector<uint32_t> Compiler::order_by_id() {
    const auto& instances = message_.instances();
    std::vector<uint32_t> order(static_cast<size_t>(instances.size()));
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return instances[static_cast<int>(a)].id() < instances[static_cast<int>(b)].id();
    });
    id_repeated_.assign(order.size(), false);
    for (size_t i = 1; i < order.size(); ++i) {
        const auto& first = instances[static_cast<int>(order[i - 1])];
        const auto& second = instances[static_cast<int>(order[i])];
        if (first.id() == second.id()) {
            id_repeated_[order[i]] = true;
            const Location earlier = source_.instance_location(order[i - 1]);
            report_instance(
                Code::instance_id_duplicate,
                fmt::format("instance id {} is used again (first at {})", second.id(),
                            earlier.line > 0 ? fmt::format("line {}", earlier.line) : earlier.path),
                order[i], "give every instance of the file its own id");
        }
    }
    return order;
}

// Every instance names a declared rule, every declared rule has an instance,
// and each rule id is declared once, 1 or more (content.proto, ContentFile
// rules). Only the source holds the declarations: the blob keeps each
// instance's rule id.
void Compiler::check_rules() {
    for (size_t r = 0; r < static_cast<size_t>(message_.rules_size()); ++r) {
        const v1::Rule& rule = message_.rules(static_cast<int>(r));
        if (rule.id() == 0) {
            report(Code::rule_id_zero, "the rule's id is 0", source_.rule_location(r),
                   "rule ids start at 1");
            continue;
        }
        const auto [it, fresh] = rules_.try_emplace(rule.id(), r);
        if (!fresh) {
            const Location earlier = source_.rule_location(it->second);
            report(
                Code::rule_id_duplicate,
                fmt::format("rule id {} is declared again (first at {})", rule.id(),
                            earlier.line > 0 ? fmt::format("line {}", earlier.line) : earlier.path),
                source_.rule_location(r), "give every rule of the file its own id");
        }
    }
    std::unordered_map<uint32_t, bool> used;
    for (const auto& instance : message_.instances()) {
        used[instance.rule()] = true;
    }
    for (size_t r = 0; r < static_cast<size_t>(message_.rules_size()); ++r) {
        const v1::Rule& rule = message_.rules(static_cast<int>(r));
        if (rule.id() != 0 && rules_.at(rule.id()) == r && !used.contains(rule.id())) {
            report(
                Code::rule_unused,
                fmt::format("rule {}{} has no instance", rule.id(),
                            rule.name().empty() ? "" : fmt::format(" ({})", rule.name())),
                source_.rule_location(r),
                "give an instance `rule: " + std::to_string(rule.id()) + "`, or remove the rule");
        }
    }
}

void Compiler::instance(size_t i) {
    const auto& instance = message_.instances(static_cast<int>(i));
    // A repeated id was reported by order_by_id: the instance is checked but
    // not written, so the blob keeps the first instance with that id.
    const bool write = writer_ && !id_repeated_[i];
    instance_findings_before_ = findings_.size();
    type_ = nullptr;
    if (!instance.has_template_type()) {
        report_instance(Code::template_type_missing,
                        fmt::format("instance {} names no template type", instance.id()), i,
                        "add template_type { id: ... version: ... }");
    } else {
        type_ = types_.find(instance.template_type().id(), instance.template_type().version());
        if (type_ == nullptr) {
            report_instance(Code::template_type_unknown,
                            fmt::format("instance {} names template type {} v{}, which the "
                                        "registry does not define",
                                        instance.id(), instance.template_type().id(),
                                        instance.template_type().version()),
                            i, "check the id and version against the registry");
        } else if (type_->type->fields.empty() || type_->type->fields.size() > UINT16_MAX) {
            report_instance(Code::format_limit,
                            fmt::format("template type {} v{} has {} fields; the blob holds 1 to "
                                        "{}",
                                        type_->type->name, type_->type->version,
                                        type_->type->fields.size(), UINT16_MAX),
                            i);
        }
    }
    size_t criteria = 0;
    for (size_t g = 0; g <= static_cast<size_t>(instance.exclusions_size()); ++g) {
        for (const auto& c : group_criteria(instance, g)) {
            criteria += c.wildcard() ? 0 : 1;
        }
    }
    if (criteria > limits_.max_criteria_per_instance_incl) {
        report_instance(Code::format_limit,
                        fmt::format("instance {} has {} criteria; the limit is {}", instance.id(),
                                    criteria, limits_.max_criteria_per_instance_incl),
                        i);
    }
    if (static_cast<size_t>(instance.exclusions_size()) > UINT16_MAX) {
        report_instance(Code::format_limit,
                        fmt::format("instance {} has {} exclusions; the limit is {}", instance.id(),
                                    instance.exclusions_size(), UINT16_MAX),
                        i);
    }
    if (message_.rules_size() > 0 || instance.rule() != 0) {
        if (!rules_.contains(instance.rule())) {
            report_instance(
                Code::rule_undeclared,
                instance.rule() == 0
                    ? fmt::format("instance {} names no rule, and the file declares rules",
                                  instance.id())
                    : fmt::format("instance {} names rule {}, which the file does not declare",
                                  instance.id(), instance.rule()),
                i,
                instance.rule() == 0
                    ? "set rule: to the id of the rule the instance belongs to"
                    : fmt::format("add rules {{ id: {} name: \"...\" }}", instance.rule()));
        }
    }
    for (size_t e = 0; e < static_cast<size_t>(instance.exclusions_size()); ++e) {
        const auto& exclusion = instance.exclusions(static_cast<int>(e));
        const bool holds_one = std::any_of(exclusion.criteria().begin(), exclusion.criteria().end(),
                                           [](const v1::Criterion& c) { return !c.wildcard(); });
        if (!holds_one) {
            report_instance(Code::exclusion_empty,
                            fmt::format("exclusion {} of instance {} has no criterion that is not "
                                        "a wildcard, so it would exclude every event",
                                        e, instance.id()),
                            i, "give the exclusion a criterion, or remove it",
                            source_.exclusion_location(i, e));
        }
    }
    if (!write) {
        // Checked, not written: the findings of the instance with the
        // repeated id are still reported.
        instance_findings_before_ = SIZE_MAX;
    }
    pending_.clear();
    for (size_t g = 0; g <= static_cast<size_t>(instance.exclusions_size()); ++g) {
        for (size_t k = 0; k < static_cast<size_t>(group_criteria(instance, g).size()); ++k) {
            criterion(i, g, k);
        }
    }
    if (!writing()) {
        return;
    }
    // The blob's order: by group, then field index; criteria of one field
    // keep their source order (they are ANDed, so it means nothing, and
    // keeping it gives one encoding).
    stable_sort_small(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
        return std::tie(a.group, a.field_index) < std::tie(b.group, b.field_index);
    });
    const BlobWriter::Mark mark = writer_->mark();
    writer_->add_instance(BlobInstance{instance.id(), instance.template_type().id(),
                                       instance.template_type().version(), instance.rule(),
                                       static_cast<uint16_t>(type_->type->fields.size()),
                                       static_cast<uint16_t>(instance.exclusions_size())});
    for (const Pending& p : pending_) {
        write_criterion(i, p);
    }
    if (writing()) {
        written_.push_back(static_cast<uint32_t>(i));
        for (const Pending& p : pending_) {
            written_criteria_.push_back(CriterionOrigin{p.group, p.index});
        }
    } else {
        writer_->rollback(mark);
    }
}

void Compiler::criterion(size_t i, size_t g, size_t k) {
    const v1::Criterion& c = criterion_at(i, g, k);
    const size_t errors_before = findings_.size();
    std::optional<uint16_t> field_index;
    if (c.field().empty()) {
        report_criterion(Code::field_name_missing, "criterion names no field", i, g, k,
                         std::nullopt,
                         "add field: \"<name>\" with the template type field it constrains");
    } else if (c.field().size() > limits_.max_name_length_incl) {
        report_criterion(Code::format_limit,
                         fmt::format("field name is {} bytes long; the limit is {}",
                                     c.field().size(), limits_.max_name_length_incl),
                         i, g, k);
    } else if (c.field().find('\0') != std::string::npos) {
        report_criterion(Code::text_nul, "the field name holds a NUL byte", i, g, k, std::nullopt,
                         "field names are identifiers");
    } else if (type_ != nullptr) {
        const auto found = type_->fields.find(c.field());
        if (found == type_->fields.end()) {
            report_criterion(Code::criterion_field_unknown,
                             fmt::format("{} v{} has no field '{}'", type_->type->name,
                                         type_->type->version, c.field()),
                             i, g, k, std::nullopt, "check the field name against the registry");
        } else {
            field_index = found->second;
        }
    }
    if (c.wildcard()) {
        wildcard(i, g, k, c);
        return;  // A wildcard is no record.
    }
    if (c.op() == v1::OP_UNSPECIFIED) {
        report_criterion(Code::operator_missing,
                         fmt::format("criterion on '{}' has no operator", c.field()), i, g, k,
                         std::nullopt,
                         "set op (e.g. op: OP_EQ) or, to match anything, leave the field out");
        return;
    }
    if (!v1::Operator_IsValid(c.op())) {
        report_criterion(Code::operator_unknown,
                         fmt::format("criterion on '{}' has operator {}, which is not one "
                                     "ringward knows",
                                     c.field(), static_cast<int>(c.op())),
                         i, g, k);
        return;
    }
    // The spellings of docs/semantics.md that the blob stores one way: ne is
    // eq negated (so ne negated is eq), and eq of several values is in.
    Op op = static_cast<Op>(c.op());
    bool negate = c.negate();
    if (op == Op::ne) {
        op = Op::eq;
        negate = !negate;
    }
    if (op == Op::eq && c.values_size() > 1) {
        op = Op::in;
    }
    const bool is_ref = std::any_of(c.values().begin(), c.values().end(),
                                    [](const v1::Value& v) { return v.has_field(); });
    std::optional<Kind> kind;
    std::optional<uint16_t> ref_index;
    bool count_ok = true;
    if (is_ref) {
        ref_index = field_ref(i, g, k, c, op, field_index);
        if (field_index) {
            kind = type_->type->fields[*field_index].type;
        }
    } else {
        kind = kind_of_values(i, g, k, c);
        count_ok = check_value_count(i, g, k, c, op);
        if (!kind && c.values_size() == 0 && field_index) {
            // exists and empty take no value: the record has the field's kind.
            kind = type_->type->fields[*field_index].type;
        }
        if (kind && !format::op_takes_kind(op, *kind)) {
            report_criterion(
                Code::operator_kind_mismatch,
                fmt::format("operator {} cannot take a {} {}", format::op_name(op),
                            format::kind_name(*kind), c.values_size() > 0 ? "value" : "field"),
                i, g, k, c.values_size() > 0 ? std::optional<size_t>(0) : std::nullopt,
                fmt::format("{} takes {}", format::op_name(op), kinds_taken_by(op)));
        }
    }
    if (c.case_insensitive() &&
        !(kind == Kind::string && format::op_is_string_match(op) && count_ok)) {
        report_criterion(
            Code::case_insensitive_misuse,
            fmt::format("case_insensitive is set on a {} {} criterion",
                        kind ? format::kind_name(*kind) : "valueless", format::op_name(op)),
            i, g, k, std::nullopt,
            "case_insensitive applies to string values with eq, ne, in, prefix, "
            "suffix, contains, glob and regex");
    }
    if (kind && !is_ref) {
        check_values(i, g, k, c, op, *kind);
    }
    if (findings_.size() > errors_before || !writing() || !kind || !field_index) {
        return;
    }
    pending_.push_back(Pending{static_cast<uint16_t>(g), *field_index, static_cast<uint32_t>(k), op,
                               *kind, negate, ref_index});
}

void Compiler::wildcard(size_t i, size_t g, size_t k, const v1::Criterion& c) {
    if (c.op() != v1::OP_UNSPECIFIED || c.values_size() > 0 || c.case_insensitive() || c.negate()) {
        report_criterion(Code::wildcard_with_operator,
                         fmt::format("criterion on '{}' is a wildcard and also sets {}", c.field(),
                                     c.op() != v1::OP_UNSPECIFIED ? "an operator"
                                     : c.values_size() > 0        ? "values"
                                     : c.case_insensitive()       ? "case_insensitive"
                                                                  : "negate"),
                         i, g, k, std::nullopt,
                         "keep either wildcard: true alone, or an operator with its values");
    }
}

// A field reference (Value.field): alone, with eq, prefix, suffix or
// contains, naming another field of the template type, on a string or bytes
// field. The referenced field's index; nullopt when it is not one.
std::optional<uint16_t> Compiler::field_ref(size_t i, size_t g, size_t k, const v1::Criterion& c,
                                            Op op, const std::optional<uint16_t>& field_index) {
    size_t at = 0;
    while (!c.values(static_cast<int>(at)).has_field()) {
        ++at;
    }
    const std::string& target = c.values(static_cast<int>(at)).field();
    if (c.values_size() != 1) {
        report_criterion(
            Code::field_ref_not_alone,
            fmt::format("the field reference to '{}' is one of {} values", target, c.values_size()),
            i, g, k, at,
            "a criterion compares with one other field; write one criterion per "
            "field reference");
        return std::nullopt;
    }
    bool ok = true;
    if (!op_takes_field_ref(op)) {
        report_criterion(
            Code::field_ref_operator,
            fmt::format("operator {} cannot compare with another field", format::op_name(op)), i, g,
            k, at, "field references take eq, ne, prefix, suffix and contains");
        ok = false;
    }
    if (field_index) {
        const Kind kind = type_->type->fields[*field_index].type;
        if (kind != Kind::string && kind != Kind::bytes) {
            report_criterion(Code::field_ref_kind,
                             fmt::format("field '{}' is {}; field references compare string or "
                                         "bytes fields",
                                         c.field(), format::kind_name(kind)),
                             i, g, k, at, "compare with a value instead");
            ok = false;
        }
    }
    if (type_ == nullptr) {
        return std::nullopt;
    }
    const auto found = type_->fields.find(target);
    if (found == type_->fields.end()) {
        report_criterion(Code::criterion_field_unknown,
                         fmt::format("the field reference names '{}', which {} v{} does not have",
                                     target, type_->type->name, type_->type->version),
                         i, g, k, at, "check the field name against the registry");
        return std::nullopt;
    }
    if (field_index && found->second == *field_index) {
        report_criterion(Code::field_ref_self,
                         fmt::format("field '{}' is compared with itself", c.field()), i, g, k, at,
                         "a field reference names another field of the event");
        return std::nullopt;
    }
    return ok ? std::optional(found->second) : std::nullopt;
}

// The kind of the values: each sets one, all the same. Nullopt when none
// does.
std::optional<Kind> Compiler::kind_of_values(size_t i, size_t g, size_t k, const v1::Criterion& c) {
    std::optional<Kind> kind;
    for (size_t v = 0; v < static_cast<size_t>(c.values_size()); ++v) {
        const auto this_kind = value_kind(c.values(static_cast<int>(v)));
        if (!this_kind) {
            report_criterion(Code::value_kind_missing, "value sets no kind", i, g, k, v,
                             "write the value as one of int, uint, bool, string, bytes, enum, ip, "
                             "or field");
        } else if (!kind) {
            kind = this_kind;
        } else if (*kind != *this_kind) {
            report_criterion(Code::value_kinds_mixed,
                             fmt::format("value is {} but the criterion's first value is {}",
                                         format::kind_name(*this_kind), format::kind_name(*kind)),
                             i, g, k, v, "give every value of one criterion the same kind");
        }
    }
    return kind;
}

// As many values as the operator takes, and a set within the format's
// limit. Whether the count suits the operator.
bool Compiler::check_value_count(size_t i, size_t g, size_t k, const v1::Criterion& c, Op op) {
    const auto count = static_cast<size_t>(c.values_size());
    const bool count_ok = op == Op::range                       ? count == 2
                          : op_takes_set(op)                    ? count >= 1
                          : op == Op::exists || op == Op::empty ? count == 0
                                                                : count == 1;
    if (!count_ok) {
        report_criterion(Code::value_count,
                         fmt::format("operator {} on '{}' has {} value{}", format::op_name(op),
                                     c.field(), count, count == 1 ? "" : "s"),
                         i, g, k, std::nullopt,
                         fmt::format("{} takes {}", format::op_name(op), value_count_rule(op)));
    } else if (op_takes_set(op) && count > limits_.max_blob_set_size_incl) {
        report_criterion(Code::format_limit,
                         fmt::format("the set on '{}' has {} members; the limit is {}", c.field(),
                                     count, limits_.max_blob_set_size_incl),
                         i, g, k);
    }
    return count_ok;
}

// Each value on its own: IP text that parses, byte strings within the
// format's length limit.
void Compiler::check_values(size_t i, size_t g, size_t k, const v1::Criterion& c, Op op,
                            Kind kind) {
    const auto count = static_cast<size_t>(c.values_size());
    if (kind == Kind::ip) {
        // eq compares single addresses; networks belong to cidr_contains
        // and in.
        const bool networks = op == Op::cidr_contains || op == Op::in;
        for (size_t v = 0; v < count; ++v) {
            const auto& text = c.values(static_cast<int>(v)).ip();
            if (!parse_ip(text, networks)) {
                report_criterion(
                    Code::ip_malformed,
                    fmt::format("\"{}\" is not {}", text,
                                networks ? "an IP address or CIDR network" : "a single IP address"),
                    i, g, k, v,
                    networks ? "write e.g. \"192.0.2.7\", \"10.0.0.0/8\" or "
                               "\"2001:db8::/32\", with host bits zero"
                             : "write e.g. \"192.0.2.7\" or \"2001:db8::1\"; "
                               "use cidr_contains for a network");
            }
        }
    } else if (kind == Kind::string || kind == Kind::bytes || kind == Kind::enumeration) {
        for (size_t v = 0; v < count; ++v) {
            const std::string& text = text_of(c.values(static_cast<int>(v)));
            if (text.size() > limits_.max_value_length_incl) {
                report_criterion(Code::format_limit,
                                 fmt::format("value is {} bytes long; the limit is {}", text.size(),
                                             limits_.max_value_length_incl),
                                 i, g, k, v);
            } else if (kind != Kind::bytes && text.find('\0') != std::string::npos) {
                // docs/format.md, "Text": one meaning for C and C++ matchers alike.
                report_criterion(Code::text_nul,
                                 fmt::format("the {} value holds a NUL byte at {}",
                                             format::kind_name(kind), text.find('\0')),
                                 i, g, k, v, "use a bytes field to match NUL bytes");
            }
        }
    }
}

// Writes a criterion that passed every check.
void Compiler::write_criterion(size_t i, const Pending& p) {
    const v1::Criterion& c = criterion_at(i, p.group, p.index);
    const CriterionPlace head{c.field(), p.field_index, p.group, p.negate};
    BlobWriter::Duplicate duplicate;
    if (p.ref_index) {
        const std::string& target = type_->type->fields[*p.ref_index].name;
        writer_->add_field_ref(head, p.op, p.kind, target, *p.ref_index, c.case_insensitive());
    } else if (p.op == Op::exists || p.op == Op::empty) {
        writer_->add_valueless(head, p.op, p.kind);
    } else if (p.op == Op::regex) {
        // The blob carries the program of the patterns' union; a pattern
        // (or union) compile_regex refuses is refused here, with its code.
        strings_.clear();
        for (const auto& value : c.values()) {
            strings_.push_back(text_of(value));
        }
        const auto refused = writer_->add_regex(head, strings_, c.case_insensitive());
        if (refused) {
            duplicate = refused->duplicate;
            if (refused->error) {
                report_criterion(refused->error->code, refused->error->message, i, p.group, p.index,
                                 c.values_size() == 1 ? std::optional<size_t>(0) : std::nullopt);
            }
        }
    } else if (p.op == Op::in || (op_takes_set(p.op) && c.values_size() > 1)) {
        duplicate = write_set(p, head, c);
    } else if (p.op == Op::range) {
        writer_->add_range(head, p.kind, scalar_of(c.values(0)), scalar_of(c.values(1)));
    } else if (p.kind == Kind::ip) {
        writer_->add_ip(head, p.op, *parse_ip(c.values(0).ip(), p.op == Op::cidr_contains));
    } else if (format::op_kind_uses_pool(p.op, p.kind)) {
        writer_->add_bytes(head, p.op, p.kind, text_of(c.values(0)), c.case_insensitive());
    } else {
        writer_->add_scalar(head, p.op, p.kind, scalar_of(c.values(0)));
    }
    if (duplicate) {
        const Location earlier = value_location(i, p.group, p.index, duplicate->first);
        report_criterion(
            Code::set_duplicate,
            fmt::format("the set on '{}' holds this value already (as value {}{})", c.field(),
                        duplicate->first,
                        earlier.line > 0 ? fmt::format(", line {}", earlier.line) : ""),
            i, p.group, p.index, duplicate->second,
            p.op == Op::in ? "list each value of an in-set once"
                           : "list each value once: any of them matching is enough");
    }
}

BlobWriter::Duplicate Compiler::write_set(const Pending& p, const CriterionPlace& head,
                                          const v1::Criterion& c) {
    if (p.kind == Kind::int64 || p.kind == Kind::uint64) {
        scalars_.clear();
        for (const auto& value : c.values()) {
            scalars_.push_back(scalar_of(value));
        }
        return writer_->add_scalar_set(head, p.kind, scalars_);
    }
    if (p.kind == Kind::ip) {
        ips_.clear();
        for (const auto& value : c.values()) {
            ips_.push_back(*parse_ip(value.ip(), true));
        }
        return writer_->add_ip_set(head, ips_);
    }
    strings_.clear();
    for (const auto& value : c.values()) {
        strings_.push_back(text_of(value));
    }
    return p.op == Op::in ? writer_->add_byte_set(head, p.kind, strings_, c.case_insensitive())
                          : writer_->add_any_of(head, p.op, p.kind, strings_, c.case_insensitive());
}

PartialCompile Compiler::run() {
    BlobHeaderFields fields;
    const bool header_ok = header(&fields);
    const auto instance_count = static_cast<size_t>(message_.instances_size());
    if (instance_count > limits_.max_instances_incl) {
        report(Code::format_limit,
               fmt::format("the file has {} instances; the limit is {}", instance_count,
                           limits_.max_instances_incl),
               source_.file_location());
    }
    size_t criterion_total = 0;
    for (const auto& instance : message_.instances()) {
        for (size_t g = 0; g <= static_cast<size_t>(instance.exclusions_size()); ++g) {
            for (const auto& c : group_criteria(instance, g)) {
                criterion_total += c.wildcard() ? 0 : 1;
            }
        }
    }
    if (criterion_total > limits_.max_criteria_incl) {
        report(Code::format_limit,
               fmt::format("the file has {} criteria; the limit is {}", criterion_total,
                           limits_.max_criteria_incl),
               source_.file_location());
    }
    // Findings so far are about the file as a whole: with one there is no
    // blob. A repeated id (order_by_id) only leaves out that instance, and a
    // finding about the rules leaves the instances to check.
    const bool file_ok = header_ok && findings_.empty();
    const std::vector<uint32_t> order = order_by_id();
    check_rules();
    if (file_ok) {
        writer_.emplace(fields);
        // Room for the pool at 128 bytes a criterion, above what the
        // imported SigmaHQ set takes (85): room not written is never
        // touched, and summing the values' sizes instead would read every
        // value once more, which costs more than growing the buffer.
        writer_->reserve(instance_count, criterion_total, criterion_total * 128);
    }
    for (const uint32_t i : order) {
        instance(i);
    }

    std::optional<CompiledBlob> compiled;
    if (writer_) {
        compiled.emplace();
        compiled->bytes = writer_->finish();
        compiled->source_instance = std::move(written_);
        compiled->source_criterion = std::move(written_criteria_);
        if (compiled->bytes.size() > limits_.max_blob_size_incl) {
            report(Code::format_limit,
                   fmt::format("the blob would be {} bytes; the limit is {}",
                               compiled->bytes.size(), limits_.max_blob_size_incl),
                   source_.file_location());
            compiled.reset();
        }
    }

    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.instance, a.group, a.criterion, a.value) <
               std::tie(b.instance, b.group, b.criterion, b.value);
    });
    std::vector<Diagnostic> diagnostics;
    diagnostics.reserve(findings_.size());
    for (Finding& f : findings_) {
        diagnostics.push_back(std::move(f.diagnostic));
    }
    return PartialCompile{std::move(compiled), std::move(diagnostics)};
}

}  // namespace

PartialCompile compile_each(const ContentSource& content, const Registry& registry,
                            const CompileOptions& options) {
    return Compiler(content, registry, options).run();
}

Result<CompiledBlob> compile(const ContentSource& content, const Registry& registry,
                             const CompileOptions& options) {
    PartialCompile partial = compile_each(content, registry, options);
    if (!partial.blob || has_errors(partial.diagnostics)) {
        return Result<CompiledBlob>::failure(std::move(partial.diagnostics));
    }
    return Result<CompiledBlob>::success(std::move(*partial.blob), std::move(partial.diagnostics));
}

}  // namespace ringward
