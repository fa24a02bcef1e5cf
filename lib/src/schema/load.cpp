// Loading registries, manifests and content from protobuf text, JSON or
// binary, with the position of everything later diagnostics point at.
//
// Positions of text sources come from protobuf's ParseInfoTree. The tree is
// costly (a map per nested message), so it lives only during the parse: the
// positions diagnostics need are copied into compact vectors and the tree is
// dropped. JSON and binary sources get field paths, which need no storage.
#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ringward/core/contract.hpp"
#include "ringward/file.hpp"
#include "ringward/v1/sensor_manifest.pb.h"
#include "ringward/v1/template_type.pb.h"
#include "schema/content_source.hpp"
#include "schema/one_meaning.hpp"
#include "schema/parse.hpp"

namespace ringward {
namespace {

namespace pb = google::protobuf;
using Position = ContentSource::Impl::Position;

Location at_file(const std::string& file) {
    Location location;
    location.file = file;
    return location;
}

Location at(const std::string& file, Position position, std::string path) {
    Location location;
    location.file = file;
    location.line = position.line;
    location.column = position.column;
    location.path = std::move(path);
    return location;
}

// protobuf reports an unknown field at the token after its name; point at
// the name itself ("colour" in `colour: 3`), which is what needs fixing.
uint32_t unknown_field_column(std::string_view text, uint32_t line, uint32_t column,
                              const std::string& message) {
    const std::string marker = "no field named \"";
    const size_t start = message.find(marker);
    if (start == std::string::npos || line == 0 || column == 0) {
        return column;
    }
    const size_t end = message.find('"', start + marker.size());
    const std::string name = message.substr(start + marker.size(), end - start - marker.size());
    size_t offset = 0;
    for (uint32_t current = 1; current < line; ++current) {
        offset = text.find('\n', offset);
        if (offset == std::string_view::npos) {
            return column;
        }
        ++offset;
    }
    const std::string_view before = text.substr(offset, column - 1);
    const size_t found = before.rfind(name);
    return found == std::string_view::npos ? column : static_cast<uint32_t>(found) + 1;
}

// Collects every error the text parser reports, as RW0004 diagnostics.
class TextErrors : public pb::io::ErrorCollector {
  public:
    TextErrors(const std::string& file, std::string_view text) : file_(file), text_(text) {}

    void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
        add(Severity::error, line, column, message);
    }
    void AddWarning(int line, pb::io::ColumnNumber column, const std::string& message) override {
        add(Severity::warning, line, column, message);
    }

    std::vector<Diagnostic> take() { return std::move(diagnostics_); }
    bool empty() const { return diagnostics_.empty(); }

  private:
    void add(Severity severity, int line, pb::io::ColumnNumber column, const std::string& message) {
        Location location = at_file(file_);
        // protobuf counts from 0, and reports -1 when it has no position.
        location.line = line >= 0 ? static_cast<uint32_t>(line) + 1 : 0;
        location.column = line >= 0 && column >= 0 ? static_cast<uint32_t>(column) + 1 : 0;
        location.column = unknown_field_column(text_, location.line, location.column, message);
        Diagnostic d = make_diagnostic(Code::syntax_error, message, std::move(location));
        d.severity = severity;
        diagnostics_.push_back(std::move(d));
    }

    const std::string& file_;
    std::string_view text_;
    std::vector<Diagnostic> diagnostics_;
};

// protobuf's JSON errors read "INVALID_ARGUMENT:Unexpected token.\n{\"a\": x\n      ^"
// or name no place at all; keep the message, without the status prefix.
std::string json_message(const pb::util::Status& status) {
    std::string message(status.message());
    const size_t newline = message.find('\n');
    if (newline != std::string::npos) {
        message.resize(newline);
    }
    return message.empty() ? std::string("JSON does not fit the schema") : message;
}

}  // namespace

// Parses `bytes` into `message` in the given format. Diagnostics on failure.
std::vector<Diagnostic> parse_message(std::string_view bytes, const std::string& file,
                                      InputFormat format, const LoadOptions& options,
                                      pb::Message* message, pb::TextFormat::ParseInfoTree* tree) {
    std::vector<Diagnostic> diagnostics;
    if (bytes.size() > options.max_input_size_incl) {
        diagnostics.push_back(
            make_diagnostic(Code::input_too_large,
                            fmt::format("{} is {} bytes; the limit is {}", file, bytes.size(),
                                        options.max_input_size_incl),
                            at_file(file)));
        return diagnostics;
    }
    switch (format) {
        case InputFormat::text: {
            pb::TextFormat::Parser parser;
            TextErrors errors(file, bytes);
            parser.RecordErrorsTo(&errors);
            parser.SetRecursionLimit(options.max_nesting_depth_incl);
            parser.WriteLocationsTo(tree);
            if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
                diagnostics.push_back(make_diagnostic(
                    Code::input_too_large, "text input larger than 2 GiB", at_file(file)));
                return diagnostics;
            }
            // First the fields given twice (RW0009), which protobuf's parser
            // takes when the first value is the default, and refuses in
            // other words otherwise.
            TextCheck once =
                check_text(bytes, file, *message->GetDescriptor(), options.max_nesting_depth_incl);
            if (!once.diagnostics.empty()) {
                return std::move(once.diagnostics);
            }
            pb::io::ArrayInputStream input(bytes.data(), static_cast<int>(bytes.size()));
            const bool ok = parser.Parse(&input, message);
            diagnostics = errors.take();
            if (!ok && !has_errors(diagnostics)) {
                diagnostics.push_back(
                    make_diagnostic(Code::syntax_error, "the text does not parse", at_file(file)));
            }
            if (ok && !once.followed) {
                // Fail closed: what the check could not follow, it has not
                // checked. (The one_meaning fuzz harness holds this to never.)
                diagnostics.push_back(make_diagnostic(
                    Code::syntax_error,
                    "ringward cannot check this text for fields given twice: it uses a form of "
                    "protobuf text the check does not follow",
                    at_file(file), "write it as protobuf's text printer does"));
            }
            return diagnostics;
        }
        case InputFormat::json: {
            // RFC 8259 syntax, the nesting limit (before protobuf's recursive
            // parser sees a depth bomb) and duplicate keys (RW0008), which
            // protobuf's parser takes, keeping the last.
            diagnostics =
                check_json(bytes, file, *message->GetDescriptor(), options.max_nesting_depth_incl);
            if (!diagnostics.empty()) {
                return diagnostics;
            }
            pb::util::JsonParseOptions json_options;
            json_options.ignore_unknown_fields = false;
            const auto status = pb::util::JsonStringToMessage(
                pb::StringPiece(bytes.data(), bytes.size()), message, json_options);
            if (!status.ok()) {
                diagnostics.push_back(
                    make_diagnostic(Code::json_error, json_message(status), at_file(file)));
            }
            return diagnostics;
        }
        case InputFormat::binary: {
            if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
                diagnostics.push_back(make_diagnostic(
                    Code::input_too_large, "binary input larger than 2 GiB", at_file(file)));
                return diagnostics;
            }
            pb::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           static_cast<int>(bytes.size()));
            input.SetRecursionLimit(options.max_nesting_depth_incl);
            input.SetTotalBytesLimit(static_cast<int>(bytes.size()));
            if (!message->ParseFromCodedStream(&input) || !input.ConsumedEntireMessage() ||
                input.BytesUntilLimit() > 0) {
                diagnostics.push_back(make_diagnostic(
                    Code::binary_malformed,
                    fmt::format("{} is not a well-formed binary {}", file,
                                message->GetDescriptor()->name()),
                    at_file(file),
                    "check that the file is the binary form of this message type, complete "
                    "and uncorrupted"));
                return diagnostics;
            }
            // What protobuf reads leniently: unknown fields and known ones in
            // another wire type (set aside, then dropped), a field given
            // twice (the last wins, messages merge). RW0010, RW0011.
            return check_binary(bytes, file, *message->GetDescriptor(),
                                options.max_nesting_depth_incl);
        }
    }
    return diagnostics;
}

namespace {

// The format named by the options, else by the file name; diagnostic if
// neither says.
std::optional<InputFormat> format_for(const std::string& file, const LoadOptions& options,
                                      std::vector<Diagnostic>* diagnostics) {
    if (options.format) {
        return options.format;
    }
    if (auto format = input_format_from_path(file)) {
        return format;
    }
    diagnostics->push_back(make_diagnostic(
        Code::input_format_unknown, fmt::format("cannot tell the format of {} from its name", file),
        at_file(file),
        "name it .txtpb (.textproto, .pbtxt), .json or .binpb (.pb), or pass --input-format"));
    return std::nullopt;
}

}  // namespace

// Position of field `name` of `message` (index for repeated fields) in a
// text source; {0, 0} when unknown.
Position field_position(const pb::TextFormat::ParseInfoTree* tree, const pb::Message& message,
                        const char* name, int index) {
    if (tree == nullptr) {
        return {};
    }
    const pb::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
    const pb::TextFormat::ParseLocation location = tree->GetLocation(field, index);
    if (location.line < 0) {
        return {};
    }
    return Position{static_cast<uint32_t>(location.line) + 1,
                    static_cast<uint32_t>(location.column) + 1};
}

Location entry_location(const std::string& file, const pb::TextFormat::ParseInfoTree* tree,
                        const pb::Message& message, const char* name, int index) {
    return at(file, field_position(tree, message, name, index), fmt::format("{}[{}]", name, index));
}

namespace {

const pb::TextFormat::ParseInfoTree* nested(const pb::TextFormat::ParseInfoTree* tree,
                                            const pb::Message& message, const char* name,
                                            int index = -1) {
    if (tree == nullptr) {
        return nullptr;
    }
    return tree->GetTreeForNested(message.GetDescriptor()->FindFieldByName(name), index);
}

// Protobuf enums are open: a file may hold any int32 where an operator or a
// type is expected. Ours are a byte; a number a byte cannot hold becomes 255,
// which no operator or type has, so validation reports it as unknown rather
// than as whatever it would wrap to (258 is not TYPE_UINT).
template <typename Enum>
Enum enum_byte(int number) {
    return static_cast<Enum>(
        number >= 0 && number < format::kUnknownEnumByte ? number : format::kUnknownEnumByte);
}

std::vector<format::Op> ops_of(const pb::RepeatedField<int>& operators) {
    std::vector<format::Op> out;
    out.reserve(static_cast<size_t>(operators.size()));
    for (const int op : operators) {
        out.push_back(enum_byte<format::Op>(op));
    }
    return out;
}

Registry to_registry(const v1::TemplateTypeRegistry& message,
                     const pb::TextFormat::ParseInfoTree* tree, const std::string& file) {
    Registry registry;
    registry.file = file;
    registry.template_types.reserve(static_cast<size_t>(message.template_types_size()));
    for (int t = 0; t < message.template_types_size(); ++t) {
        const v1::TemplateType& tt = message.template_types(t);
        const auto* tt_tree = nested(tree, message, "template_types", t);
        TemplateType out;
        out.id = tt.id();
        out.version = tt.version();
        out.name = tt.name();
        out.description = tt.description();
        const std::string tt_path = fmt::format("template_types[{}]", t);
        out.location = at(file, field_position(tree, message, "template_types", t), tt_path);
        for (int f = 0; f < tt.fields_size(); ++f) {
            const v1::Field& field = tt.fields(f);
            FieldSpec spec;
            spec.name = field.name();
            spec.description = field.description();
            spec.type = enum_byte<format::Kind>(field.type());
            spec.operators = ops_of(field.operators());
            spec.wildcard_allowed = field.wildcard_allowed();
            spec.case_insensitive_allowed = field.case_insensitive_allowed();
            spec.has_int_bounds = field.has_int_bounds();
            if (field.int_bounds().has_min_incl()) {
                spec.int_min_incl = field.int_bounds().min_incl();
            }
            if (field.int_bounds().has_max_incl()) {
                spec.int_max_incl = field.int_bounds().max_incl();
            }
            spec.has_uint_bounds = field.has_uint_bounds();
            if (field.uint_bounds().has_min_incl()) {
                spec.uint_min_incl = field.uint_bounds().min_incl();
            }
            if (field.uint_bounds().has_max_incl()) {
                spec.uint_max_incl = field.uint_bounds().max_incl();
            }
            if (field.has_max_length_incl()) {
                spec.max_length_incl = field.max_length_incl();
            }
            for (const v1::EnumMember& member : field.enum_members()) {
                spec.enum_members.push_back(member.name());
            }
            spec.location = at(file, field_position(tt_tree, tt, "fields", f),
                               fmt::format("{}.fields[{}]", tt_path, f));
            out.fields.push_back(std::move(spec));
        }
        registry.template_types.push_back(std::move(out));
    }
    return registry;
}

SensorManifest to_manifest(const v1::SensorManifest& message,
                           const pb::TextFormat::ParseInfoTree* tree, const std::string& file) {
    SensorManifest manifest;
    manifest.file = file;
    manifest.sensor_version_text = message.sensor_version();
    if (auto version = parse_sensor_version(message.sensor_version())) {
        manifest.version = *version;
    }
    manifest.description = message.description();
    manifest.location = at(file, field_position(tree, message, "sensor_version"), "sensor_version");
    for (int t = 0; t < message.template_types_size(); ++t) {
        const v1::SuppliedTemplateType& supplied = message.template_types(t);
        SuppliedTemplateType out;
        out.id = supplied.id();
        out.version = supplied.version();
        for (const int type : supplied.input_types()) {
            out.input_types.push_back(enum_byte<format::Kind>(type));
        }
        out.location = at(file, field_position(tree, message, "template_types", t),
                          fmt::format("template_types[{}]", t));
        manifest.template_types.push_back(std::move(out));
    }
    return manifest;
}

// Copies the positions of a content file's parts out of the parse tree.
void record_content_positions(const v1::ContentFile& message,
                              const pb::TextFormat::ParseInfoTree& tree,
                              ContentSource::Impl::Positions& out) {
    out.channel = field_position(&tree, message, "channel");
    out.content_version = field_position(&tree, message, "content_version");
    out.sensor_range = field_position(&tree, message, "sensor_range");
    const auto instance_count = static_cast<size_t>(message.instances_size());
    out.instances.resize(instance_count);
    out.criteria_begin.assign(instance_count + 1, 0);
    out.values_begin.assign(1, 0);
    out.exclusions_begin.assign(1, 0);
    for (int i = 0; i < message.instances_size(); ++i) {
        const v1::TemplateInstance& instance = message.instances(i);
        out.instances[static_cast<size_t>(i)] = field_position(&tree, message, "instances", i);
        const auto* instance_tree = nested(&tree, message, "instances", i);
        for (int k = 0; k < instance.criteria_size(); ++k) {
            const v1::Criterion& criterion = instance.criteria(k);
            out.criteria.push_back(field_position(instance_tree, instance, "criteria", k));
            const auto* criterion_tree = nested(instance_tree, instance, "criteria", k);
            for (int v = 0; v < criterion.values_size(); ++v) {
                out.values.push_back(field_position(criterion_tree, criterion, "values", v));
            }
            out.values_begin.push_back(static_cast<uint32_t>(out.values.size()));
        }
        for (int e = 0; e < instance.exclusions_size(); ++e) {
            const v1::Exclusion& exclusion = instance.exclusions(e);
            out.exclusions.push_back(field_position(instance_tree, instance, "exclusions", e));
            const auto* exclusion_tree = nested(instance_tree, instance, "exclusions", e);
            for (int k = 0; k < exclusion.criteria_size(); ++k) {
                const v1::Criterion& criterion = exclusion.criteria(k);
                out.criteria.push_back(field_position(exclusion_tree, exclusion, "criteria", k));
                const auto* criterion_tree = nested(exclusion_tree, exclusion, "criteria", k);
                for (int v = 0; v < criterion.values_size(); ++v) {
                    out.values.push_back(field_position(criterion_tree, criterion, "values", v));
                }
                out.values_begin.push_back(static_cast<uint32_t>(out.values.size()));
            }
        }
        out.criteria_begin[static_cast<size_t>(i) + 1] = static_cast<uint32_t>(out.criteria.size());
        out.exclusions_begin.push_back(static_cast<uint32_t>(out.exclusions.size()));
    }
    for (int r = 0; r < message.rules_size(); ++r) {
        out.rules.push_back(field_position(&tree, message, "rules", r));
    }
}

template <class T>
Result<T> load_file(const std::string& path, const LoadOptions& options,
                    Result<T> (*parse)(std::string_view, std::string, const LoadOptions&)) {
    std::vector<Diagnostic> diagnostics;
    const auto format = format_for(path, options, &diagnostics);
    if (!format) {
        return Result<T>::failure(std::move(diagnostics));
    }
    auto bytes = read_file(path, options.max_input_size_incl);
    if (!bytes.ok()) {
        return Result<T>::failure(std::move(bytes.diagnostics));
    }
    LoadOptions resolved = options;
    resolved.format = format;
    return parse(*bytes.value, path, resolved);
}

// A text or JSON source keeps its text for showing lines in diagnostics.
std::string kept_text(std::string_view bytes, InputFormat format) {
    return format == InputFormat::binary ? std::string() : std::string(bytes);
}

}  // namespace

const char* input_format_name(InputFormat format) noexcept {
    switch (format) {
        case InputFormat::text:
            return "text";
        case InputFormat::json:
            return "json";
        case InputFormat::binary:
            break;
    }
    return "binary";
}

std::optional<InputFormat> input_format_from_path(std::string_view path) noexcept {
    const auto ends_with = [&](std::string_view suffix) {
        return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
    };
    if (ends_with(".txtpb") || ends_with(".textproto") || ends_with(".pbtxt")) {
        return InputFormat::text;
    }
    if (ends_with(".json")) {
        return InputFormat::json;
    }
    if (ends_with(".binpb") || ends_with(".pb")) {
        return InputFormat::binary;
    }
    return std::nullopt;
}

std::optional<InputFormat> input_format_from_name(std::string_view name) noexcept {
    if (name == "text") {
        return InputFormat::text;
    }
    if (name == "json") {
        return InputFormat::json;
    }
    if (name == "binary") {
        return InputFormat::binary;
    }
    return std::nullopt;
}

std::optional<format::SensorVersion> parse_sensor_version(std::string_view text) noexcept {
    uint64_t parts[3] = {};
    const uint64_t max[3] = {UINT16_MAX, UINT16_MAX, UINT32_MAX};
    size_t part = 0;
    size_t digits = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        const bool end = i == text.size();
        const char c = end ? '.' : text[i];
        if (c == '.') {
            if (digits == 0 || part >= 3 || (end && part != 2) || (!end && part == 2)) {
                return std::nullopt;
            }
            ++part;
            digits = 0;
            continue;
        }
        if (c < '0' || c > '9' || (digits == 1 && parts[part] == 0) || digits == 10) {
            return std::nullopt;  // not a digit, a leading zero, or too long
        }
        parts[part] = parts[part] * 10 + static_cast<uint64_t>(c - '0');
        ++digits;
        if (parts[part] > max[part]) {
            return std::nullopt;
        }
    }
    return format::SensorVersion{static_cast<uint16_t>(parts[0]), static_cast<uint16_t>(parts[1]),
                                 static_cast<uint32_t>(parts[2])};
}

std::string to_string(format::SensorVersion version) {
    return fmt::format("{}.{}.{}", version.major, version.minor, version.build);
}

const TemplateType* Registry::find(uint32_t id, uint32_t version) const noexcept {
    for (const TemplateType& tt : template_types) {
        if (tt.id == id && tt.version == version) {
            return &tt;
        }
    }
    return nullptr;
}

const SuppliedTemplateType* SensorManifest::find(uint32_t id,
                                                 uint32_t template_version) const noexcept {
    for (const SuppliedTemplateType& supplied : template_types) {
        if (supplied.id == id && supplied.version == template_version) {
            return &supplied;
        }
    }
    return nullptr;
}

Result<Registry> parse_registry(std::string_view bytes, std::string file,
                                const LoadOptions& options) {
    if (!options.format) {
        core::contract_violation();  // Contract: parse_* needs the format.
    }
    v1::TemplateTypeRegistry message;
    pb::TextFormat::ParseInfoTree tree;
    const bool text = *options.format == InputFormat::text;
    auto diagnostics =
        parse_message(bytes, file, *options.format, options, &message, text ? &tree : nullptr);
    if (has_errors(diagnostics)) {
        return Result<Registry>::failure(std::move(diagnostics));
    }
    Registry registry = to_registry(message, text ? &tree : nullptr, file);
    registry.text = kept_text(bytes, *options.format);
    return Result<Registry>::success(std::move(registry), std::move(diagnostics));
}

Result<SensorManifest> parse_manifest(std::string_view bytes, std::string file,
                                      const LoadOptions& options) {
    if (!options.format) {
        core::contract_violation();  // Contract: parse_* needs the format.
    }
    v1::SensorManifest message;
    pb::TextFormat::ParseInfoTree tree;
    const bool text = *options.format == InputFormat::text;
    auto diagnostics =
        parse_message(bytes, file, *options.format, options, &message, text ? &tree : nullptr);
    if (has_errors(diagnostics)) {
        return Result<SensorManifest>::failure(std::move(diagnostics));
    }
    SensorManifest manifest = to_manifest(message, text ? &tree : nullptr, file);
    manifest.text = kept_text(bytes, *options.format);
    return Result<SensorManifest>::success(std::move(manifest), std::move(diagnostics));
}

Result<ContentSource> parse_content(std::string_view bytes, std::string file,
                                    const LoadOptions& options) {
    if (!options.format) {
        core::contract_violation();  // Contract: parse_* needs the format.
    }
    auto impl = std::make_unique<ContentSource::Impl>();
    impl->file = std::move(file);
    impl->format = *options.format;
    impl->max_nesting_depth_incl = options.max_nesting_depth_incl;
    std::vector<Diagnostic> diagnostics =
        parse_message(bytes, impl->file, impl->format, options, &impl->message, nullptr);
    if (has_errors(diagnostics)) {
        return Result<ContentSource>::failure(std::move(diagnostics));
    }
    impl->text = kept_text(bytes, impl->format);
    return Result<ContentSource>::success(ContentSource(std::move(impl)), std::move(diagnostics));
}

Result<Registry> load_registry(const std::string& path, const LoadOptions& options) {
    return load_file<Registry>(path, options, &parse_registry);
}

Result<SensorManifest> load_manifest(const std::string& path, const LoadOptions& options) {
    return load_file<SensorManifest>(path, options, &parse_manifest);
}

Result<ContentSource> load_content(const std::string& path, const LoadOptions& options) {
    return load_file<ContentSource>(path, options, &parse_content);
}

Result<std::vector<SensorManifest>> load_manifests(const std::vector<std::string>& paths,
                                                   const LoadOptions& options) {
    std::vector<SensorManifest> manifests;
    std::vector<Diagnostic> diagnostics;
    bool all_loaded = true;
    const auto load_one = [&](const std::string& path) {
        auto manifest = load_manifest(path, options);
        diagnostics.insert(diagnostics.end(), manifest.diagnostics.begin(),
                           manifest.diagnostics.end());
        if (manifest.ok()) {
            manifests.push_back(std::move(*manifest.value));
        } else {
            all_loaded = false;
        }
    };
    for (const std::string& path : paths) {
        std::error_code error;
        if (!std::filesystem::is_directory(path, error)) {
            load_one(path);
            continue;
        }
        std::vector<std::string> files;
        for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
            const std::string name = entry.path().string();
            if (entry.is_regular_file(error) && input_format_from_path(name)) {
                files.push_back(name);
            }
        }
        if (error) {
            diagnostics.push_back(make_diagnostic(
                Code::input_unreadable, fmt::format("cannot list {}: {}", path, error.message()),
                at_file(path)));
            all_loaded = false;
            continue;
        }
        std::sort(files.begin(), files.end());
        for (const std::string& file : files) {
            load_one(file);
        }
    }
    if (!all_loaded) {
        return Result<std::vector<SensorManifest>>::failure(std::move(diagnostics));
    }
    return Result<std::vector<SensorManifest>>::success(std::move(manifests),
                                                        std::move(diagnostics));
}

ContentSource::ContentSource(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
ContentSource::ContentSource(ContentSource&&) noexcept = default;
ContentSource& ContentSource::operator=(ContentSource&&) noexcept = default;
ContentSource::~ContentSource() = default;

const std::string& ContentSource::file() const noexcept {
    return impl_->file;
}
InputFormat ContentSource::format() const noexcept {
    return impl_->format;
}
std::string_view ContentSource::text() const noexcept {
    return impl_->text;
}
uint32_t ContentSource::channel() const noexcept {
    return impl_->message.channel();
}
uint64_t ContentSource::content_version() const noexcept {
    return impl_->message.content_version();
}
size_t ContentSource::instance_count() const noexcept {
    return static_cast<size_t>(impl_->message.instances_size());
}
uint32_t ContentSource::instance_id(size_t instance) const noexcept {
    if (instance >= instance_count()) {
        core::contract_violation();  // Contract: index in range.
    }
    return impl_->message.instances(static_cast<int>(instance)).id();
}

Location ContentSource::file_location() const {
    return at_file(impl_->file);
}

const ContentSource::Impl::Positions& ContentSource::Impl::positions() const {
    std::call_once(positions_once_, [this] {
        if (format != InputFormat::text) {
            return;
        }
        // The same text, parsed the same way, parses again; this time the
        // parser records where everything is.
        pb::TextFormat::Parser parser;
        parser.SetRecursionLimit(max_nesting_depth_incl);
        pb::TextFormat::ParseInfoTree tree;
        parser.WriteLocationsTo(&tree);
        v1::ContentFile again;
        if (parser.ParseFromString(text, &again)) {
            record_content_positions(again, tree, positions_);
        }
    });
    return positions_;
}

Location ContentSource::sensor_range_location() const {
    return at(impl_->file, impl_->positions().sensor_range, "sensor_range");
}

Location ContentSource::header_location(std::string_view field) const {
    const auto& positions = impl_->positions();
    const Position position = field == "channel"           ? positions.channel
                              : field == "content_version" ? positions.content_version
                              : field == "sensor_range"    ? positions.sensor_range
                                                           : Position{};
    return at(impl_->file, position, std::string(field));
}

namespace {

// The positions exist only for text sources; elsewhere {0, 0}.
Position position_in(const std::vector<Position>& positions, size_t index) {
    return index < positions.size() ? positions[index] : Position{};
}

}  // namespace

Location ContentSource::instance_location(size_t instance) const {
    if (instance >= instance_count()) {
        core::contract_violation();  // Contract: index in range.
    }
    return at(impl_->file, position_in(impl_->positions().instances, instance),
              fmt::format("instances[{}]", instance));
}

Location ContentSource::criterion_location(size_t instance, size_t criterion) const {
    if (instance >= instance_count() ||
        criterion >= static_cast<size_t>(
                         impl_->message.instances(static_cast<int>(instance)).criteria_size())) {
        core::contract_violation();  // Contract: indices in range.
    }
    const auto& positions = impl_->positions();
    const size_t global = positions.criteria_begin.empty()
                              ? SIZE_MAX
                              : positions.criteria_begin[instance] + criterion;
    return at(impl_->file, position_in(positions.criteria, global),
              fmt::format("instances[{}].criteria[{}]", instance, criterion));
}

Location ContentSource::value_location(size_t instance, size_t criterion, size_t value) const {
    Location location = criterion_location(instance, criterion);
    const auto& c =
        impl_->message.instances(static_cast<int>(instance)).criteria(static_cast<int>(criterion));
    if (value >= static_cast<size_t>(c.values_size())) {
        core::contract_violation();  // Contract: index in range.
    }
    const auto& positions = impl_->positions();
    if (!positions.criteria_begin.empty()) {
        const size_t global = positions.criteria_begin[instance] + criterion;
        const Position p = position_in(positions.values, positions.values_begin[global] + value);
        location.line = p.line;
        location.column = p.column;
    }
    location.path += fmt::format(".values[{}]", value);
    return location;
}

Location ContentSource::exclusion_location(size_t instance, size_t exclusion) const {
    if (instance >= instance_count() ||
        exclusion >= static_cast<size_t>(
                         impl_->message.instances(static_cast<int>(instance)).exclusions_size())) {
        core::contract_violation();  // Contract: indices in range.
    }
    const auto& positions = impl_->positions();
    const size_t global = positions.exclusions_begin.empty()
                              ? SIZE_MAX
                              : positions.exclusions_begin[instance] + exclusion;
    return at(impl_->file, position_in(positions.exclusions, global),
              fmt::format("instances[{}].exclusions[{}]", instance, exclusion));
}

namespace {

// Where criterion `criterion` of exclusion `exclusion` sits among the
// instance's criterion positions: after its own, then those of each earlier
// exclusion.
size_t exclusion_criterion_slot(const v1::TemplateInstance& instance, size_t exclusion,
                                size_t criterion) {
    size_t slot = static_cast<size_t>(instance.criteria_size());
    for (size_t e = 0; e < exclusion; ++e) {
        slot += static_cast<size_t>(instance.exclusions(static_cast<int>(e)).criteria_size());
    }
    return slot + criterion;
}

}  // namespace

Location ContentSource::exclusion_criterion_location(size_t instance, size_t exclusion,
                                                     size_t criterion) const {
    Location location = exclusion_location(instance, exclusion);
    const auto& owner = impl_->message.instances(static_cast<int>(instance));
    if (criterion >=
        static_cast<size_t>(owner.exclusions(static_cast<int>(exclusion)).criteria_size())) {
        core::contract_violation();  // Contract: index in range.
    }
    const auto& positions = impl_->positions();
    if (!positions.criteria_begin.empty()) {
        const Position p = position_in(positions.criteria,
                                       positions.criteria_begin[instance] +
                                           exclusion_criterion_slot(owner, exclusion, criterion));
        location.line = p.line;
        location.column = p.column;
    }
    location.path += fmt::format(".criteria[{}]", criterion);
    return location;
}

Location ContentSource::exclusion_value_location(size_t instance, size_t exclusion,
                                                 size_t criterion, size_t value) const {
    Location location = exclusion_criterion_location(instance, exclusion, criterion);
    const auto& owner = impl_->message.instances(static_cast<int>(instance));
    const auto& c =
        owner.exclusions(static_cast<int>(exclusion)).criteria(static_cast<int>(criterion));
    if (value >= static_cast<size_t>(c.values_size())) {
        core::contract_violation();  // Contract: index in range.
    }
    const auto& positions = impl_->positions();
    if (!positions.criteria_begin.empty()) {
        const size_t global = positions.criteria_begin[instance] +
                              exclusion_criterion_slot(owner, exclusion, criterion);
        const Position p = position_in(positions.values, positions.values_begin[global] + value);
        location.line = p.line;
        location.column = p.column;
    }
    location.path += fmt::format(".values[{}]", value);
    return location;
}

Location ContentSource::rule_location(size_t rule) const {
    if (rule >= static_cast<size_t>(impl_->message.rules_size())) {
        core::contract_violation();  // Contract: index in range.
    }
    return at(impl_->file, position_in(impl_->positions().rules, rule),
              fmt::format("rules[{}]", rule));
}

}  // namespace ringward
