// ValidationTarget::create: the registry on its own (RW05xx, RW070x) and the
// manifests against it (RW06xx), then the indexes content validation uses.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "validate/target.hpp"

namespace ringward {
namespace {

using format::Kind;
using format::Op;

bool is_identifier(std::string_view name, size_t max_length) {
    if (name.empty() || name.size() > max_length) {
        return false;
    }
    const auto alpha = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (!alpha(name[0])) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

bool known_type(Kind kind) {
    const auto k = static_cast<uint8_t>(kind);
    return k >= 1 && k < format::kKindCount;
}

// "operator 42"; a number the schema loader could not fit in a byte
// (format::kUnknownEnumByte) is said as such.
std::string enum_number(const char* what, uint8_t number) {
    return number == format::kUnknownEnumByte
               ? fmt::format("{} number above {} or below 0", what, number - 1)
               : fmt::format("{} {}", what, number);
}

std::string type_name(Kind kind) {
    return known_type(kind) ? format::kind_name(kind)
                            : enum_number("type", static_cast<uint8_t>(kind));
}

std::string where(const Location& location) {
    if (location.line > 0) {
        return fmt::format("{}:{}", location.file, location.line);
    }
    return location.path.empty() ? location.file : location.path;
}

class TargetChecker {
  public:
    TargetChecker(const Registry& registry, const std::vector<SensorManifest>& manifests,
                  const ValidateOptions& options)
        : registry_(registry), manifests_(manifests), limits_(options.limits) {}

    std::vector<Diagnostic> take() {
        std::vector<Diagnostic> out;
        out.swap(diagnostics_);
        return out;
    }

    void check_registry();
    void check_manifests();

  private:
    Diagnostic& report(Code code, std::string message, const Location& location,
                       std::string help = {}) {
        diagnostics_.push_back(
            make_diagnostic(code, std::move(message), location, std::move(help)));
        return diagnostics_.back();
    }
    // One field of a template type, as its findings name it.
    struct FieldAt {
        const FieldSpec& field;
        uint32_t index;
        std::string subject;  // "field 'x' of t v1"
    };
    Diagnostic& report_field(Code code, const FieldAt& at, std::string message, std::string help) {
        Diagnostic& d = report(code, std::move(message), at.field.location, std::move(help));
        d.field = at.field.name;
        d.field_index = at.index;
        return d;
    }
    void check_field(const TemplateType& type, const FieldSpec& field, uint32_t index);
    void check_field_bounds(const FieldAt& at);
    void check_enum_members(const FieldAt& at);
    void check_field_operators(const FieldAt& at);

    const Registry& registry_;
    const std::vector<SensorManifest>& manifests_;
    const ValidationLimits& limits_;
    std::vector<Diagnostic> diagnostics_;
};

void TargetChecker::check_field(const TemplateType& type, const FieldSpec& field, uint32_t index) {
    const FieldAt at{
        field, index,
        fmt::format("field '{}' of {} v{}", field.name,
                    type.name.empty() ? std::to_string(type.id) : type.name, type.version)};
    if (!is_identifier(field.name, limits_.blob.max_name_length_incl)) {
        report_field(
            Code::field_name_invalid, at,
            fmt::format(
                "field {} of template type {} v{} is named \"{}\", which is not an identifier",
                index, type.id, type.version, field.name),
            fmt::format("use letters, digits and underscores, not starting with a digit, at most "
                        "{} characters",
                        limits_.blob.max_name_length_incl));
    }
    if (!known_type(field.type)) {
        report_field(Code::field_type_unknown, at,
                     fmt::format("{} has {}", at.subject,
                                 field.type == Kind::none ? "no type" : type_name(field.type)),
                     "set type to one of TYPE_INT, TYPE_UINT, TYPE_BOOL, TYPE_STRING, TYPE_BYTES, "
                     "TYPE_ENUM, TYPE_IP");
        return;
    }
    check_field_bounds(at);
    if (field.type == Kind::enumeration) {
        check_enum_members(at);
    }
    check_field_operators(at);
    if (field.operators.empty() && !field.wildcard_allowed) {
        report_field(Code::field_unmatchable, at,
                     fmt::format("{} allows no operator and no wildcard", at.subject),
                     "list the operators content may use, or set wildcard_allowed");
    }
}

// Bounds, lengths, members and flags: each only on the type it applies to,
// and consistent.
void TargetChecker::check_field_bounds(const FieldAt& at) {
    const FieldSpec& field = at.field;
    const Kind kind = field.type;
    const auto wrong = [&](const char* what, const char* belongs) {
        report_field(Code::bound_wrong_type, at,
                     fmt::format("{} is {} but sets {}", at.subject, type_name(kind), what),
                     fmt::format("remove it; it applies to {} fields", belongs));
    };
    if (field.has_int_bounds && kind != Kind::int64) {
        wrong("int_bounds", "TYPE_INT");
    }
    if (field.has_uint_bounds && kind != Kind::uint64) {
        wrong("uint_bounds", "TYPE_UINT");
    }
    if (field.max_length_incl && kind != Kind::string && kind != Kind::bytes) {
        wrong("max_length_incl", "TYPE_STRING and TYPE_BYTES");
    }
    if (!field.enum_members.empty() && kind != Kind::enumeration) {
        wrong("enum_members", "TYPE_ENUM");
    }
    if (field.case_insensitive_allowed && kind != Kind::string) {
        wrong("case_insensitive_allowed", "TYPE_STRING");
    }
    const auto inverted = [&](const auto& min, const auto& max) {
        if (min && max && *min > *max) {
            report_field(
                Code::bounds_inconsistent, at,
                fmt::format("{} has min_incl {} above max_incl {}", at.subject, *min, *max),
                "swap them, or fix the one that is wrong");
        }
    };
    inverted(field.int_min_incl, field.int_max_incl);
    inverted(field.uint_min_incl, field.uint_max_incl);
    if (field.max_length_incl && *field.max_length_incl > limits_.blob.max_value_length_incl) {
        report_field(
            Code::max_length_above_limit, at,
            fmt::format("{} allows values of {} bytes; the blob format's limit is {}", at.subject,
                        *field.max_length_incl, limits_.blob.max_value_length_incl),
            fmt::format("lower max_length_incl to at most {}", limits_.blob.max_value_length_incl));
    }
}

void TargetChecker::check_enum_members(const FieldAt& at) {
    if (at.field.enum_members.empty()) {
        report_field(Code::enum_empty, at, fmt::format("{} is an enum without members", at.subject),
                     "add enum_members { name: \"...\" } for each value the sensor reports");
    }
    std::unordered_set<std::string_view> seen;
    for (const std::string& member : at.field.enum_members) {
        if (!is_identifier(member, limits_.blob.max_value_length_incl)) {
            report_field(Code::enum_member_invalid, at,
                         fmt::format("{} has a member named \"{}\", which is not an identifier",
                                     at.subject, member),
                         "use letters, digits and underscores, not starting with a digit");
        } else if (!seen.insert(member).second) {
            report_field(Code::enum_member_duplicate, at,
                         fmt::format("{} lists member {} twice", at.subject, member),
                         "list each member once");
        }
    }
}

void TargetChecker::check_field_operators(const FieldAt& at) {
    std::unordered_set<uint8_t> operators;
    for (const Op op : at.field.operators) {
        const auto code = static_cast<uint8_t>(op);
        if (op == Op::wildcard || code >= format::kOpCount) {
            report_field(Code::field_operator_unknown, at,
                         fmt::format("{} allows {}, which is not one ringward knows", at.subject,
                                     enum_number("operator", code)),
                         "use OP_EQ ... OP_EMPTY; wildcards are allowed with wildcard_allowed");
            continue;
        }
        // ne is eq negated (the blob has no ne of its own): it applies to
        // what eq applies to.
        if (!format::op_takes_kind(op == Op::ne ? Op::eq : op, at.field.type)) {
            report_field(Code::operator_illegal_for_type, at,
                         fmt::format("{} allows {}, which cannot apply to a {} value", at.subject,
                                     format::op_name(op), type_name(at.field.type)),
                         "remove it from operators");
        }
        if (!operators.insert(code).second) {
            report_field(Code::operator_repeated, at,
                         fmt::format("{} lists {} twice", at.subject, format::op_name(op)),
                         "list each operator once");
        }
    }
}

void TargetChecker::check_registry() {
    const auto& types = registry_.template_types;
    if (types.size() > limits_.max_template_types_incl) {
        Location at;
        at.file = registry_.file;
        report(Code::too_many_template_types,
               fmt::format("the registry holds {} template types; the limit is {}", types.size(),
                           limits_.max_template_types_incl),
               at);
    }
    std::unordered_map<uint64_t, const TemplateType*> seen;
    for (const TemplateType& type : types) {
        if (type.id == 0 || type.version == 0) {
            report(Code::template_type_id_zero,
                   fmt::format("template type {} v{} ({}) has a zero {}", type.id, type.version,
                               type.name, type.id == 0 ? "id" : "version"),
                   type.location, "ids and versions start at 1");
        }
        const auto [it, inserted] = seen.emplace(type_key(type.id, type.version), &type);
        if (!inserted) {
            report(Code::template_type_duplicate,
                   fmt::format("template type {} v{} is defined again (first at {})", type.id,
                               type.version, where(it->second->location)),
                   type.location,
                   "a published template type is immutable: give a changed one a new version");
        }
        if (type.fields.size() > limits_.max_fields_per_template_type_incl) {
            report(Code::too_many_fields,
                   fmt::format("template type {} v{} has {} fields; the limit is {}", type.id,
                               type.version, type.fields.size(),
                               limits_.max_fields_per_template_type_incl),
                   type.location);
        }
        std::unordered_map<std::string_view, uint32_t> names;
        for (uint32_t i = 0; i < type.fields.size(); ++i) {
            const FieldSpec& field = type.fields[i];
            check_field(type, field, i);
            const auto [first, fresh] = names.emplace(field.name, i);
            if (!fresh) {
                Diagnostic& d = report(
                    Code::field_name_duplicate,
                    fmt::format("template type {} v{} has two fields named '{}' (fields {} and {})",
                                type.id, type.version, field.name, first->second, i),
                    field.location, "rename one; criteria name fields, so names must be unique");
                d.field = field.name;
                d.field_index = i;
            }
        }
    }
}

void TargetChecker::check_manifests() {
    std::unordered_map<uint64_t, const SensorManifest*> versions;
    for (const SensorManifest& manifest : manifests_) {
        if (!manifest.version) {
            Diagnostic& d = report(Code::manifest_sensor_version_invalid,
                                   fmt::format("sensor_version \"{}\" is not major.minor.build",
                                               manifest.sensor_version_text),
                                   manifest.location, "write it in decimal, e.g. \"7.11.18110\"");
            d.sensor_version = manifest.sensor_version_text;
        } else {
            const auto [it, fresh] = versions.emplace(manifest.version->packed(), &manifest);
            if (!fresh) {
                Diagnostic& d =
                    report(Code::manifest_sensor_version_duplicate,
                           fmt::format("sensor build {} is described again (first in {})",
                                       manifest.sensor_version_text, it->second->file),
                           manifest.location, "keep one manifest per build");
                d.sensor_version = manifest.sensor_version_text;
            }
        }
        std::unordered_set<uint64_t> listed;
        for (const SuppliedTemplateType& supplied : manifest.template_types) {
            const auto named = [&](Diagnostic& d) -> Diagnostic& {
                d.sensor_version = manifest.sensor_version_text;
                return d;
            };
            if (!listed.insert(type_key(supplied.id, supplied.version)).second) {
                named(
                    report(Code::manifest_template_type_duplicate,
                           fmt::format("build {} lists template type {} v{} twice",
                                       manifest.sensor_version_text, supplied.id, supplied.version),
                           supplied.location, "list each template type version once"));
            }
            const TemplateType* type = registry_.find(supplied.id, supplied.version);
            if (type == nullptr) {
                named(report(
                    Code::manifest_template_type_unknown,
                    fmt::format(
                        "build {} lists template type {} v{}, which the registry does not define",
                        manifest.sensor_version_text, supplied.id, supplied.version),
                    supplied.location,
                    "check the id and version against the registry, or add the template type "
                    "there"));
            }
            for (uint32_t k = 0; k < supplied.input_types.size(); ++k) {
                const Kind input = supplied.input_types[k];
                if (!known_type(input)) {
                    named(report(
                        Code::manifest_input_type_unknown,
                        fmt::format("build {} gives input {} of template type {} v{} as {}",
                                    manifest.sensor_version_text, k, supplied.id, supplied.version,
                                    input == Kind::none ? "TYPE_UNSPECIFIED" : type_name(input)),
                        supplied.location, "set every input type"));
                } else if (type != nullptr && k < type->fields.size() &&
                           known_type(type->fields[k].type) && input != type->fields[k].type) {
                    Diagnostic& d = named(report(
                        Code::manifest_input_type_disagrees,
                        fmt::format(
                            "build {} supplies input {} of {} v{} as {}, but field '{}' is {}",
                            manifest.sensor_version_text, k, type->name, type->version,
                            type_name(input), type->fields[k].name,
                            type_name(type->fields[k].type)),
                        supplied.location,
                        "regenerate the manifest from the sensor's table; if it is right, the "
                        "template type is wrong for this build"));
                    d.field = type->fields[k].name;
                    d.field_index = k;
                }
            }
            if (type != nullptr && supplied.input_types.size() > type->fields.size()) {
                named(report(
                    Code::manifest_inputs_exceed_fields,
                    fmt::format("build {} supplies {} inputs for {} v{}, which has {} fields",
                                manifest.sensor_version_text, supplied.input_types.size(),
                                type->name, type->version, type->fields.size()),
                    supplied.location,
                    "the manifest and the registry disagree about this template type version"));
            }
        }
    }
}

}  // namespace

ValidationTarget::ValidationTarget(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
ValidationTarget::ValidationTarget(ValidationTarget&&) noexcept = default;
ValidationTarget& ValidationTarget::operator=(ValidationTarget&&) noexcept = default;
ValidationTarget::~ValidationTarget() = default;

const Registry& ValidationTarget::registry() const noexcept {
    return impl_->registry;
}
std::span<const SensorManifest> ValidationTarget::manifests() const noexcept {
    return impl_->manifests;
}

Result<ValidationTarget> ValidationTarget::create(Registry registry,
                                                  std::vector<SensorManifest> manifests,
                                                  const ValidateOptions& options) {
    TargetChecker checker(registry, manifests, options);
    checker.check_registry();
    std::vector<Diagnostic> diagnostics = checker.take();
    const bool registry_ok = !has_errors(diagnostics);
    checker.check_manifests();
    for (Diagnostic& d : checker.take()) {
        diagnostics.push_back(std::move(d));
    }
    if (!registry_ok) {
        return Result<ValidationTarget>::failure(std::move(diagnostics));
    }

    auto impl = std::make_unique<Impl>();
    impl->registry = std::move(registry);
    impl->manifests = std::move(manifests);
    // The registry has no duplicate (id, version): each key is new. The
    // pointers and views below point into impl, which never changes again.
    for (const TemplateType& type : impl->registry.template_types) {
        Impl::Type& entry = impl->types[type_key(type.id, type.version)];
        entry.type = &type;
        entry.index = static_cast<uint32_t>(&type - impl->registry.template_types.data());
        for (uint32_t i = 0; i < type.fields.size(); ++i) {
            entry.fields.emplace(type.fields[i].name, i);
            if (!type.fields[i].wildcard_allowed) {
                entry.required.push_back(i);
            }
        }
    }
    for (const SensorManifest& manifest : impl->manifests) {
        if (!manifest.version) {
            continue;  // RW0601: it cannot be placed in any range
        }
        Impl::Build build;
        build.version = manifest.version->packed();
        build.version_text = to_string(*manifest.version);
        build.manifest = &manifest;
        for (const SuppliedTemplateType& supplied : manifest.template_types) {
            build.supplied.emplace(type_key(supplied.id, supplied.version), &supplied);
        }
        impl->builds.push_back(std::move(build));
    }
    std::stable_sort(
        impl->builds.begin(), impl->builds.end(),
        [](const Impl::Build& a, const Impl::Build& b) { return a.version < b.version; });
    return Result<ValidationTarget>::success(ValidationTarget(std::move(impl)),
                                             std::move(diagnostics));
}

}  // namespace ringward
