// compile(): content as parsed (protobuf) to the canonical blob, without an
// intermediate copy. One pass over the instances in id order: each criterion
// is checked for what the format can express and written; an instance with a
// finding is rolled back out of the blob and the next one compiled, so every
// finding is reported and the instances that compiled can still be validated
// (compile_each). Findings are returned in source order.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <tuple>

#include "ringward/compile.hpp"
#include "schema/content_source.hpp"

namespace ringward {
namespace {

using format::Kind;
using format::Op;

// Orders findings by where they are in the source.
struct Finding {
    size_t instance = 0;
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

std::string value_count_rule(Op op) {
    switch (op) {
        case Op::range:
            return "exactly two values, low then high";
        case Op::in:
            return "one or more distinct values";
        default:
            return "exactly one value";
    }
}

class Compiler {
  public:
    Compiler(const ContentSource& source, const CompileOptions& options)
        : source_(source), message_(source.impl().message), limits_(options.limits) {}

    PartialCompile run();

  private:
    void report(Code code, std::string message, size_t instance, size_t criterion, size_t value,
                Location location, std::string help = {}) {
        Diagnostic d =
            make_diagnostic(code, std::move(message), std::move(location), std::move(help));
        findings_.push_back(Finding{instance, criterion, value, std::move(d)});
    }
    void report_instance(Code code, std::string message, size_t i, std::string help = {}) {
        Diagnostic d = make_diagnostic(code, std::move(message), source_.instance_location(i),
                                       std::move(help));
        d.instance_id = message_.instances(static_cast<int>(i)).id();
        findings_.push_back(Finding{i + 1, 0, 0, std::move(d)});
    }
    void report_criterion(Code code, std::string message, size_t i, size_t k,
                          std::optional<size_t> value = std::nullopt, std::string help = {}) {
        const auto& instance = message_.instances(static_cast<int>(i));
        Diagnostic d = make_diagnostic(
            code, std::move(message),
            value ? source_.value_location(i, k, *value) : source_.criterion_location(i, k),
            std::move(help));
        d.instance_id = instance.id();
        d.field = instance.criteria(static_cast<int>(k)).field();
        d.field_index = static_cast<uint32_t>(k);
        findings_.push_back(Finding{i + 1, k + 1, value ? *value + 1 : 0, std::move(d)});
    }

    bool header(BlobHeaderFields* fields);
    std::vector<uint32_t> order_by_id();
    void instance(size_t i);
    void criterion(size_t i, size_t k);
    void wildcard(size_t i, size_t k, const v1::Criterion& c);
    std::optional<Kind> kind_of_values(size_t i, size_t k, const v1::Criterion& c);
    bool check_value_count(size_t i, size_t k, const v1::Criterion& c, Op op);
    void check_values(size_t i, size_t k, const v1::Criterion& c, Op op, Kind kind);
    void write_criterion(size_t i, size_t k, const v1::Criterion& c, Op op, Kind kind);
    // Whether the instance being compiled is still being written: there is
    // a blob to write, and the instance has no finding so far. Its findings
    // are still all looked for when it is not.
    bool writing() const { return writer_ && findings_.size() == instance_findings_before_; }
    void write_set(size_t i, size_t k, const v1::Criterion& c, Kind kind);

    const ContentSource& source_;
    const v1::ContentFile& message_;
    const format::Limits& limits_;
    std::vector<Finding> findings_;
    std::optional<BlobWriter> writer_;
    // The number of findings when the current instance began.
    size_t instance_findings_before_ = 0;
    // Source indices of the instances written, in blob order.
    std::vector<uint32_t> written_;
    // Source indices of instances whose id an earlier one already has.
    std::vector<bool> id_repeated_;
    // Scratch for sets, reused across criteria.
    std::vector<uint64_t> scalars_;
    std::vector<std::string_view> strings_;
    std::vector<IpValue> ips_;
};

bool Compiler::header(BlobHeaderFields* fields) {
    fields->channel = message_.channel();
    fields->content_version = message_.content_version();
    if (!message_.has_sensor_range()) {
        report(Code::sensor_range_missing, "the content file gives no sensor_range", 0, 0, 0,
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
                   fmt::format("sensor_range.{} \"{}\" is not a sensor version", end, *text), 0, 0,
                   0, source_.sensor_range_location(),
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

void Compiler::instance(size_t i) {
    const auto& instance = message_.instances(static_cast<int>(i));
    // A repeated id was reported by order_by_id: the instance is checked but
    // not written, so the blob keeps the first instance with that id.
    const bool write = writer_ && !id_repeated_[i];
    instance_findings_before_ = findings_.size();
    if (!instance.has_template_type()) {
        report_instance(Code::template_type_missing,
                        fmt::format("instance {} names no template type", instance.id()), i,
                        "add template_type { id: ... version: ... }");
    }
    if (static_cast<uint32_t>(instance.criteria_size()) > limits_.max_criteria_per_instance_incl) {
        report_instance(
            Code::format_limit,
            fmt::format("instance {} has {} criteria; the limit is {}", instance.id(),
                        instance.criteria_size(), limits_.max_criteria_per_instance_incl),
            i);
    }
    if (instance.exclusions_size() > 0) {
        report_instance(Code::format_limit,
                        fmt::format("instance {} has {} exclusion{}, which blob format 1 cannot "
                                    "hold; without them it would match what they exclude",
                                    instance.id(), instance.exclusions_size(),
                                    instance.exclusions_size() == 1 ? "" : "s"),
                        i, "exclusions come with blob format 2");
    }
    if (instance.rule() != 0) {
        report_instance(Code::format_limit,
                        fmt::format("instance {} names rule {}; blob format 1 stores no rule ids",
                                    instance.id(), instance.rule()),
                        i, "rules come with blob format 2");
    }
    if (findings_.size() > instance_findings_before_) {
        return;
    }
    if (!write) {
        // Checked, not written: the findings of the instance with the
        // repeated id are still reported.
        instance_findings_before_ = SIZE_MAX;
    }
    const std::optional<BlobWriter::Mark> mark =
        writing() ? std::optional(writer_->mark()) : std::nullopt;
    if (writing()) {
        writer_->add_instance(instance.id(), instance.template_type().id(),
                              instance.template_type().version());
    }
    for (size_t k = 0; k < static_cast<size_t>(instance.criteria_size()); ++k) {
        criterion(i, k);
    }
    if (writing()) {
        written_.push_back(static_cast<uint32_t>(i));
    } else if (mark && writer_) {
        writer_->rollback(*mark);
    }
}

void Compiler::criterion(size_t i, size_t k) {
    const auto& c = message_.instances(static_cast<int>(i)).criteria(static_cast<int>(k));
    const size_t errors_before = findings_.size();
    if (c.field().empty()) {
        report_criterion(Code::field_name_missing, "criterion names no field", i, k, std::nullopt,
                         "add field: \"<name>\" with the template type field it constrains");
    } else if (c.field().size() > limits_.max_name_length_incl) {
        report_criterion(Code::format_limit,
                         fmt::format("field name is {} bytes long; the limit is {}",
                                     c.field().size(), limits_.max_name_length_incl),
                         i, k);
    } else if (c.field().find('\0') != std::string::npos) {
        report_criterion(Code::text_nul, "the field name holds a NUL byte", i, k, std::nullopt,
                         "field names are identifiers");
    }
    if (c.wildcard()) {
        wildcard(i, k, c);
        if (writing()) {
            writer_->add_wildcard(c.field());
        }
        return;
    }
    if (c.op() == v1::OP_UNSPECIFIED) {
        report_criterion(
            Code::operator_missing, fmt::format("criterion on '{}' has no operator", c.field()), i,
            k, std::nullopt, "set op (e.g. op: OP_EQ) or, to match anything, wildcard: true");
        return;
    }
    if (!v1::Operator_IsValid(c.op())) {
        report_criterion(Code::operator_unknown,
                         fmt::format("criterion on '{}' has operator {}, which is not one "
                                     "ringward knows",
                                     c.field(), static_cast<int>(c.op())),
                         i, k);
        return;
    }
    if (c.op() == v1::OP_EXISTS || c.op() == v1::OP_EMPTY) {
        report_criterion(Code::format_limit,
                         fmt::format("blob format 1 has no {} operator",
                                     c.op() == v1::OP_EXISTS ? "exists" : "empty"),
                         i, k, std::nullopt,
                         "the content model's exists and empty come with blob format 2");
        return;
    }
    // The spellings of docs/semantics.md that format 1 holds exactly: eq
    // negated is ne, and eq with several values is in. Negation of anything
    // else it cannot hold, and compiling the criterion without it would
    // match what the author excluded.
    Op op = static_cast<Op>(c.op());
    if (c.negate()) {
        if (op == Op::eq && c.values_size() <= 1) {
            op = Op::ne;
        } else {
            report_criterion(
                Code::format_limit,
                fmt::format("blob format 1 cannot hold a negated {}{}", format::op_name(op),
                            op == Op::eq ? " of several values" : ""),
                i, k, std::nullopt,
                "format 1 negates only a single-value eq (as ne); negation of every "
                "operator comes with blob format 2");
            return;
        }
    }
    if (op == Op::eq && c.values_size() > 1) {
        op = Op::in;
    }
    const std::optional<Kind> kind = kind_of_values(i, k, c);
    const bool count_ok = check_value_count(i, k, c, op);
    if (kind && !format::op_takes_kind(op, *kind)) {
        report_criterion(Code::operator_kind_mismatch,
                         fmt::format("operator {} cannot take a {} value", format::op_name(op),
                                     format::kind_name(*kind)),
                         i, k, 0,
                         fmt::format("{} takes {}", format::op_name(op), kinds_taken_by(op)));
    }
    if (c.case_insensitive() &&
        !(kind == Kind::string && format::op_is_string_match(op) && count_ok)) {
        report_criterion(
            Code::case_insensitive_misuse,
            fmt::format("case_insensitive is set on a {} {} criterion",
                        kind ? format::kind_name(*kind) : "valueless", format::op_name(op)),
            i, k, std::nullopt,
            "case_insensitive applies to string values with eq, ne, in, prefix, "
            "suffix, contains, glob and regex");
    }
    if (kind) {
        check_values(i, k, c, op, *kind);
    }
    if (findings_.size() > errors_before || !writing() || !kind) {
        return;
    }
    write_criterion(i, k, c, op, *kind);
}

void Compiler::wildcard(size_t i, size_t k, const v1::Criterion& c) {
    if (c.op() != v1::OP_UNSPECIFIED || c.values_size() > 0 || c.case_insensitive() || c.negate()) {
        report_criterion(Code::wildcard_with_operator,
                         fmt::format("criterion on '{}' is a wildcard and also sets {}", c.field(),
                                     c.op() != v1::OP_UNSPECIFIED ? "an operator"
                                     : c.values_size() > 0        ? "values"
                                     : c.case_insensitive()       ? "case_insensitive"
                                                                  : "negate"),
                         i, k, std::nullopt,
                         "keep either wildcard: true alone, or an operator with its values");
    }
}

// The kind of the values: each sets one, all the same. Nullopt when none
// does.
std::optional<Kind> Compiler::kind_of_values(size_t i, size_t k, const v1::Criterion& c) {
    std::optional<Kind> kind;
    for (size_t v = 0; v < static_cast<size_t>(c.values_size()); ++v) {
        const auto this_kind = value_kind(c.values(static_cast<int>(v)));
        if (c.values(static_cast<int>(v)).kind_case() == v1::Value::kField) {
            report_criterion(Code::format_limit,
                             fmt::format("blob format 1 cannot hold a field reference (to '{}')",
                                         c.values(static_cast<int>(v)).field()),
                             i, k, v, "field references come with blob format 2");
        } else if (!this_kind) {
            report_criterion(Code::value_kind_missing, "value sets no kind", i, k, v,
                             "write the value as one of int, uint, bool, string, bytes, enum, ip");
        } else if (!kind) {
            kind = this_kind;
        } else if (*kind != *this_kind) {
            report_criterion(Code::value_kinds_mixed,
                             fmt::format("value is {} but the criterion's first value is {}",
                                         format::kind_name(*this_kind), format::kind_name(*kind)),
                             i, k, v, "give every value of one criterion the same kind");
        }
    }
    return kind;
}

// As many values as the operator takes, and a set within the format's
// limit. Whether the count suits the operator.
bool Compiler::check_value_count(size_t i, size_t k, const v1::Criterion& c, Op op) {
    const auto count = static_cast<size_t>(c.values_size());
    const bool count_ok = op == Op::range ? count == 2 : op == Op::in ? count >= 1 : count == 1;
    if (!count_ok) {
        report_criterion(Code::value_count,
                         fmt::format("operator {} on '{}' has {} value{}", format::op_name(op),
                                     c.field(), count, count == 1 ? "" : "s"),
                         i, k, std::nullopt,
                         fmt::format("{} takes {}", format::op_name(op), value_count_rule(op)));
    } else if (op == Op::in && count > limits_.max_blob_set_size_incl) {
        report_criterion(Code::format_limit,
                         fmt::format("the set on '{}' has {} members; the limit is {}", c.field(),
                                     count, limits_.max_blob_set_size_incl),
                         i, k);
    }
    return count_ok;
}

// Each value on its own: IP text that parses, byte strings within the
// format's length limit.
void Compiler::check_values(size_t i, size_t k, const v1::Criterion& c, Op op, Kind kind) {
    const auto count = static_cast<size_t>(c.values_size());
    if (kind == Kind::ip) {
        // eq and ne compare single addresses; networks belong to
        // cidr_contains and in.
        const bool networks = op == Op::cidr_contains || op == Op::in;
        for (size_t v = 0; v < count; ++v) {
            const auto& text = c.values(static_cast<int>(v)).ip();
            if (!parse_ip(text, networks)) {
                report_criterion(
                    Code::ip_malformed,
                    fmt::format("\"{}\" is not {}", text,
                                networks ? "an IP address or CIDR network" : "a single IP address"),
                    i, k, v,
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
                                 i, k, v);
            } else if (kind != Kind::bytes && text.find('\0') != std::string::npos) {
                // docs/format.md, "Text": one meaning for C and C++ matchers alike.
                report_criterion(Code::text_nul,
                                 fmt::format("the {} value holds a NUL byte at {}",
                                             format::kind_name(kind), text.find('\0')),
                                 i, k, v, "use a bytes field to match NUL bytes");
            }
        }
    }
}

// Writes a criterion that passed every check.
void Compiler::write_criterion(size_t i, size_t k, const v1::Criterion& c, Op op, Kind kind) {
    const auto& first = c.values(0);
    if (op == Op::in) {
        write_set(i, k, c, kind);
    } else if (op == Op::range) {
        writer_->add_range(c.field(), kind, scalar_of(first), scalar_of(c.values(1)));
    } else if (kind == Kind::ip) {
        writer_->add_ip(c.field(), op, *parse_ip(first.ip(), op == Op::cidr_contains));
    } else if (format::op_kind_uses_pool(op, kind)) {
        writer_->add_bytes(c.field(), op, kind, text_of(first), c.case_insensitive());
    } else {
        writer_->add_scalar(c.field(), op, kind, scalar_of(first));
    }
}

void Compiler::write_set(size_t i, size_t k, const v1::Criterion& c, Kind kind) {
    BlobWriter::Duplicate duplicate;
    if (kind == Kind::int64 || kind == Kind::uint64) {
        scalars_.clear();
        for (const auto& value : c.values()) {
            scalars_.push_back(scalar_of(value));
        }
        duplicate = writer_->add_scalar_set(c.field(), kind, scalars_);
    } else if (kind == Kind::ip) {
        ips_.clear();
        for (const auto& value : c.values()) {
            ips_.push_back(*parse_ip(value.ip(), true));
        }
        duplicate = writer_->add_ip_set(c.field(), ips_);
    } else {
        strings_.clear();
        for (const auto& value : c.values()) {
            strings_.push_back(text_of(value));
        }
        duplicate = writer_->add_byte_set(c.field(), kind, strings_, c.case_insensitive());
    }
    if (duplicate) {
        const Location earlier = source_.value_location(i, k, duplicate->first);
        report_criterion(
            Code::set_duplicate,
            fmt::format("the set on '{}' holds this value already (as value {}{})", c.field(),
                        duplicate->first,
                        earlier.line > 0 ? fmt::format(", line {}", earlier.line) : ""),
            i, k, duplicate->second, "list each value of an in-set once");
    }
}

PartialCompile Compiler::run() {
    BlobHeaderFields fields;
    const bool header_ok = header(&fields);
    const auto instance_count = static_cast<size_t>(message_.instances_size());
    if (instance_count > limits_.max_instances_incl) {
        report(Code::format_limit,
               fmt::format("the file has {} instances; the limit is {}", instance_count,
                           limits_.max_instances_incl),
               0, 0, 0, source_.file_location());
    }
    size_t criterion_total = 0;
    for (const auto& instance : message_.instances()) {
        criterion_total += static_cast<size_t>(instance.criteria_size());
    }
    if (criterion_total > limits_.max_criteria_incl) {
        report(Code::format_limit,
               fmt::format("the file has {} criteria; the limit is {}", criterion_total,
                           limits_.max_criteria_incl),
               0, 0, 0, source_.file_location());
    }
    // Findings so far are about the file as a whole: with one there is no
    // blob. A repeated id (order_by_id) only leaves out that instance.
    const bool file_ok = header_ok && findings_.empty();
    const std::vector<uint32_t> order = order_by_id();
    if (file_ok) {
        writer_.emplace(fields);
        writer_->reserve(instance_count, criterion_total, criterion_total * 24);
    }
    if (message_.rules_size() > 0) {
        report(Code::format_limit,
               fmt::format("the file lists {} rule{}; blob format 1 stores no rules",
                           message_.rules_size(), message_.rules_size() == 1 ? "" : "s"),
               0, 0, 0, source_.file_location(), "rules come with blob format 2");
    }
    for (const uint32_t i : order) {
        instance(i);
    }

    std::optional<CompiledBlob> compiled;
    if (writer_) {
        compiled.emplace();
        compiled->bytes = writer_->finish();
        compiled->source_instance = std::move(written_);
        if (compiled->bytes.size() > limits_.max_blob_size_incl) {
            report(Code::format_limit,
                   fmt::format("the blob would be {} bytes; the limit is {}",
                               compiled->bytes.size(), limits_.max_blob_size_incl),
                   0, 0, 0, source_.file_location());
            compiled.reset();
        }
    }

    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.instance, a.criterion, a.value) <
               std::tie(b.instance, b.criterion, b.value);
    });
    std::vector<Diagnostic> diagnostics;
    diagnostics.reserve(findings_.size());
    for (Finding& f : findings_) {
        diagnostics.push_back(std::move(f.diagnostic));
    }
    return PartialCompile{std::move(compiled), std::move(diagnostics)};
}

}  // namespace

PartialCompile compile_each(const ContentSource& content, const CompileOptions& options) {
    return Compiler(content, options).run();
}

Result<CompiledBlob> compile(const ContentSource& content, const CompileOptions& options) {
    PartialCompile partial = compile_each(content, options);
    if (!partial.blob || has_errors(partial.diagnostics)) {
        return Result<CompiledBlob>::failure(std::move(partial.diagnostics));
    }
    return Result<CompiledBlob>::success(std::move(*partial.blob), std::move(partial.diagnostics));
}

}  // namespace ringward
