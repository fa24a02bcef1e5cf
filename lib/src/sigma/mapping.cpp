// Loading a Sigma mapping: the schema loader's parser (same limits, same
// refusal of text that reads two ways), then the mapping's own rules.
#include <fmt/format.h>

#include <set>
#include <tuple>

#include "ringward/file.hpp"
#include "schema/parse.hpp"
#include "sigma/mapping.hpp"

namespace ringward::sigma {
namespace {

namespace pb = google::protobuf;

Diagnostic mapping_error(std::string message, Location location, std::string help) {
    return make_diagnostic(Code::sigma_mapping_invalid, std::move(message), std::move(location),
                           std::move(help));
}

Result<Mapping> build(const v1::SigmaMapping& message, const std::string& file,
                      const pb::TextFormat::ParseInfoTree* tree) {
    std::vector<Diagnostic> errors;
    auto impl = std::make_shared<Mapping::Impl>();
    impl->sensor_range = message.sensor_range();
    if (!message.has_sensor_range()) {
        Location at;
        at.file = file;
        errors.push_back(mapping_error("the mapping gives no sensor_range", at,
                                       "give the builds its template types are for, "
                                       "sensor_range { min: \"7.14.0\" max: \"7.14.99999\" }"));
    }
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (int i = 0; i < message.logsources_size(); ++i) {
        const v1::LogsourceMapping& entry = message.logsources(i);
        const Location at = entry_location(file, tree, message, "logsources", i);
        if (!seen.emplace(entry.product(), entry.category(), entry.service()).second) {
            errors.push_back(mapping_error(
                fmt::format("logsource product '{}' category '{}' service '{}' is mapped twice",
                            entry.product(), entry.category(), entry.service()),
                at, "map each logsource once"));
            continue;
        }
        if (entry.template_type().id() == 0 || entry.template_type().version() == 0) {
            errors.push_back(mapping_error("a logsource names no template type (id and version)",
                                           at, "give template_type { id: N version: V }"));
            continue;
        }
        MappedLogsource mapped;
        mapped.product = entry.product();
        mapped.category = entry.category();
        mapped.service = entry.service();
        mapped.template_id = entry.template_type().id();
        mapped.template_version = entry.template_type().version();
        mapped.events.assign(entry.events().begin(), entry.events().end());
        mapped.location = at;
        const pb::TextFormat::ParseInfoTree* nested =
            tree == nullptr
                ? nullptr
                : tree->GetTreeForNested(message.GetDescriptor()->FindFieldByName("logsources"), i);
        for (int f = 0; f < entry.fields_size(); ++f) {
            const v1::FieldMapping& field = entry.fields(f);
            Location field_at = entry_location(file, nested, entry, "fields", f);
            field_at.path = fmt::format("logsources[{}].{}", i, field_at.path);
            const v1::FieldType type =
                field.type() == v1::TYPE_UNSPECIFIED ? v1::TYPE_STRING : field.type();
            if (field.sigma().empty() || field.field().empty()) {
                errors.push_back(
                    mapping_error("a field mapping leaves out its Sigma name or its "
                                  "template field",
                                  field_at, "give both sigma and field"));
            } else if (type != v1::TYPE_STRING && type != v1::TYPE_INT && type != v1::TYPE_UINT &&
                       type != v1::TYPE_BOOL && type != v1::TYPE_IP) {
                errors.push_back(mapping_error(
                    fmt::format("Sigma field '{}' is given type {}, which no Sigma value is",
                                field.sigma(), v1::FieldType_Name(field.type())),
                    field_at, "map it to a string, int, uint, bool or IP field"));
            } else if (!mapped.fields.emplace(field.sigma(), MappedField{field.field(), type})
                            .second) {
                errors.push_back(
                    mapping_error(fmt::format("Sigma field '{}' is mapped twice for one logsource",
                                              field.sigma()),
                                  field_at, "map each Sigma field once per logsource"));
            }
        }
        impl->logsources.push_back(std::move(mapped));
    }
    if (!errors.empty()) {
        return Result<Mapping>::failure(std::move(errors));
    }
    return Result<Mapping>::success(Mapping(std::move(impl)));
}

}  // namespace

const MappedLogsource* Mapping::Impl::find(std::string_view product, std::string_view category,
                                           std::string_view service) const noexcept {
    for (const MappedLogsource& entry : logsources) {
        if (entry.product == product && entry.category == category && entry.service == service) {
            return &entry;
        }
    }
    return nullptr;
}

Result<Mapping> parse_mapping_text(std::string_view text, const std::string& file) {
    v1::SigmaMapping message;
    pb::TextFormat::ParseInfoTree tree;
    std::vector<Diagnostic> errors =
        parse_message(text, file, InputFormat::text, LoadOptions{}, &message, &tree);
    if (has_errors(errors)) {
        return Result<Mapping>::failure(std::move(errors));
    }
    return build(message, file, &tree);
}

Result<Mapping> load_mapping(const std::string& path) {
    const LoadOptions options;
    auto bytes = read_file(path, options.max_input_size_incl);
    if (!bytes.ok()) {
        return Result<Mapping>::failure(std::move(bytes.diagnostics));
    }
    const InputFormat format = input_format_from_path(path).value_or(InputFormat::text);
    v1::SigmaMapping message;
    pb::TextFormat::ParseInfoTree tree;
    std::vector<Diagnostic> errors = parse_message(*bytes.value, path, format, options, &message,
                                                   format == InputFormat::text ? &tree : nullptr);
    if (has_errors(errors)) {
        return Result<Mapping>::failure(std::move(errors));
    }
    return build(message, path, format == InputFormat::text ? &tree : nullptr);
}

}  // namespace ringward::sigma
