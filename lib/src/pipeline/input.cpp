// The pipeline's inputs: telling sources, blobs and envelopes apart, loading
// the target, validating and compiling (pipeline.hpp).
#include <google/protobuf/stubs/logging.h>

#include <fmt/format.h>

#include <cstring>

#include "ringward/compile.hpp"
#include "ringward/core/contract.hpp"
#include "ringward/core/envelope_layout.hpp"
#include "ringward/file.hpp"
#include "ringward/pipeline.hpp"

namespace ringward {

void quiet_protobuf_logging() {
    google::protobuf::SetLogHandler(nullptr);
}

const char* input_kind_name(InputKind kind) noexcept {
    switch (kind) {
        case InputKind::source:
            return "source";
        case InputKind::blob:
            return "blob";
        case InputKind::envelope:
            return "envelope";
    }
    return "?";
}

std::optional<InputOptions> input_options(std::string_view input_format) {
    InputOptions options;
    if (input_format.empty()) {
        return options;
    }
    if (input_format == "blob") {
        options.kind = InputKind::blob;
        return options;
    }
    const std::optional<InputFormat> format = input_format_from_name(input_format);
    if (!format) {
        return std::nullopt;
    }
    options.kind = InputKind::source;
    options.source_format = format;
    options.load.format = format;
    return options;
}

namespace {

bool starts_with(std::span<const uint8_t> bytes, const uint8_t (&magic)[8]) {
    return bytes.size() >= sizeof(magic) && std::memcmp(bytes.data(), magic, sizeof(magic)) == 0;
}

bool ends_with(std::string_view path, std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
}

Diagnostic unknown_kind(const std::string& path) {
    Location at;
    at.file = path;
    return make_diagnostic(
        Code::input_format_unknown,
        fmt::format("{} is neither a blob nor an envelope (no magic number), and its name does not "
                    "tell a source format",
                    path),
        at, "name it .rwc, .rws, .txtpb, .json or .binpb, or pass --input-format");
}

void add_all(Report& report, std::vector<Diagnostic>& diagnostics) {
    report.diagnostics.insert(report.diagnostics.end(),
                              std::make_move_iterator(diagnostics.begin()),
                              std::make_move_iterator(diagnostics.end()));
    diagnostics.clear();
}

// Whether a source that content parsing refused is another kind of input:
// a registry or a manifest passed where content belongs (the common slip of
// `--manifests a.txtpb b.txtpb content.txtpb`).
std::optional<Diagnostic> misplaced_kind(std::string_view text, const std::string& path,
                                         const LoadOptions& options) {
    const char* kind = nullptr;
    const char* flag = nullptr;
    if (parse_manifest(text, path, options).ok()) {
        kind = "a sensor manifest";
        flag = "--manifests (once per file, comma-separated, or a folder)";
    } else if (parse_registry(text, path, options).ok()) {
        kind = "a template type registry";
        flag = "--registry";
    } else {
        return std::nullopt;
    }
    Location at;
    at.file = path;
    return make_diagnostic(
        Code::input_kind_mismatch, fmt::format("{} is {}, not a content file", path, kind), at,
        fmt::format("give it with {}; --manifests takes one value per use", flag));
}

}  // namespace

std::optional<InputKind> input_kind_of(std::string_view path, std::span<const uint8_t> bytes,
                                       const InputOptions& options) {
    if (options.kind) {
        return options.kind;
    }
    if (starts_with(bytes, format::kMagic)) {
        return InputKind::blob;
    }
    if (starts_with(bytes, envelope::kMagic)) {
        return InputKind::envelope;
    }
    if (ends_with(path, ".rwc")) {
        return InputKind::blob;
    }
    if (ends_with(path, ".rws")) {
        return InputKind::envelope;
    }
    if (input_format_from_path(path)) {
        return InputKind::source;
    }
    return std::nullopt;
}

// The blob an envelope carries, once the envelope's shape (size, magic,
// version, header, blob length) passes the loader's own first step; the
// refusal in the report otherwise. Nothing is verified: that is verify's.
std::optional<std::span<const uint8_t>> envelope_blob(std::span<const uint8_t> bytes,
                                                      const std::string& path, Report& report) {
    ringward_loader_config config{};
    config.max_envelope_bytes = bytes.size() > 0 ? bytes.size() : 1;
    ringward_loaded loaded{};
    const ringward_status status = ringward_load(&config, bytes.data(), bytes.size(), &loaded);
    if (status >= RINGWARD_E_TOO_LARGE && status <= RINGWARD_E_SIZE_MISMATCH) {
        report.diagnostics.push_back(
            loader_diagnostic(status, loaded, path, envelope_header_size(bytes)));
        return std::nullopt;
    }
    // With no key trusted, every envelope of a good shape stops at step 2.
    if (status != RINGWARD_E_UNKNOWN_ALGORITHM && status != RINGWARD_E_UNKNOWN_KEY) {
        core::invariant_broken();
    }
    const size_t header = envelope_header_size(bytes);
    return bytes.subspan(header, bytes.size() - header - envelope::kSignatureSize);
}

std::optional<ValidationTarget> load_target(const TargetPaths& paths, Report& report,
                                            SourceTexts& sources) {
    report.files.push_back(paths.registry);
    auto registry = load_registry(paths.registry);
    add_all(report, registry.diagnostics);
    auto manifests = load_manifests(paths.manifests);
    add_all(report, manifests.diagnostics);
    if (manifests.ok()) {
        for (const SensorManifest& m : *manifests.value) {
            report.files.push_back(m.file);
            sources.add(m.file, m.text);
        }
    } else {
        report.files.insert(report.files.end(), paths.manifests.begin(), paths.manifests.end());
    }
    if (!registry.ok() || !manifests.ok()) {
        return std::nullopt;
    }
    sources.add(registry.value->file, registry.value->text);
    auto target = ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
    add_all(report, target.diagnostics);
    if (!target.ok()) {
        return std::nullopt;
    }
    return std::move(*target.value);
}

namespace {

// Reads `path` and parses it as content when it is a source.
struct ReadInput {
    std::vector<uint8_t> bytes;
    InputKind kind = InputKind::source;
    std::optional<ContentSource> content;
};

std::optional<ReadInput> read_input(const std::string& path, const InputOptions& options,
                                    Report& report, SourceTexts& sources) {
    auto bytes = read_file_bytes(path, options.load.max_input_size_incl);
    if (!bytes.ok()) {
        add_all(report, bytes.diagnostics);
        return std::nullopt;
    }
    ReadInput input;
    input.bytes = std::move(*bytes.value);
    const std::optional<InputKind> kind = input_kind_of(path, input.bytes, options);
    if (!kind) {
        report.diagnostics.push_back(unknown_kind(path));
        return std::nullopt;
    }
    input.kind = *kind;
    if (input.kind != InputKind::source) {
        return input;
    }
    LoadOptions load = options.load;
    if (!load.format) {
        load.format = options.source_format ? options.source_format : input_format_from_path(path);
    }
    if (!load.format) {
        report.diagnostics.push_back(unknown_kind(path));
        return std::nullopt;
    }
    const std::string_view text(reinterpret_cast<const char*>(input.bytes.data()),
                                input.bytes.size());
    auto content = parse_content(text, path, load);
    if (!content.ok()) {
        if (auto misplaced = misplaced_kind(text, path, load)) {
            report.diagnostics.push_back(std::move(*misplaced));
        } else {
            add_all(report, content.diagnostics);
        }
        return std::nullopt;
    }
    add_all(report, content.diagnostics);
    sources.add(path, std::string(content.value->text()));
    input.content.emplace(std::move(*content.value));
    return input;
}

// Diagnostics about an envelope's blob point into the envelope file.
void shift_offsets(std::vector<Diagnostic>& diagnostics, uint32_t by) {
    for (Diagnostic& d : diagnostics) {
        if (d.location.blob_offset) {
            *d.location.blob_offset += by;
        }
    }
}

}  // namespace

std::optional<ContentSource> reread_source(const std::string& path, const InputOptions& options) {
    auto bytes = read_file_bytes(path, options.load.max_input_size_incl);
    if (!bytes.ok() || input_kind_of(path, *bytes.value, options) != InputKind::source) {
        return std::nullopt;
    }
    LoadOptions load = options.load;
    if (options.source_format) {
        load.format = options.source_format;
    }
    auto loaded = load_content(path, load);
    if (!loaded.ok()) {
        return std::nullopt;
    }
    return std::move(*loaded.value);
}

std::optional<ValidatedBlob> validate_input(const std::string& path, const InputOptions& options,
                                            const ValidationTarget& target, Report& report,
                                            SourceTexts& sources, const ValidateOptions& validate) {
    report.files.push_back(path);
    std::optional<ReadInput> input = read_input(path, options, report, sources);
    if (!input) {
        return std::nullopt;
    }
    Result<ValidatedBlob> validated;
    switch (input->kind) {
        case InputKind::source:
            validated = validate_content(*input->content, target, validate);
            break;
        case InputKind::blob:
            // Moved, not copied: validating a blob holds it in memory once.
            validated = validate_blob(std::move(input->bytes), path, target, validate);
            break;
        case InputKind::envelope: {
            const auto blob = envelope_blob(input->bytes, path, report);
            if (!blob) {
                return std::nullopt;
            }
            validated = validate_blob(std::vector<uint8_t>(blob->begin(), blob->end()), path,
                                      target, validate);
            shift_offsets(validated.diagnostics,
                          static_cast<uint32_t>(envelope_header_size(input->bytes)));
            break;
        }
    }
    add_all(report, validated.diagnostics);
    if (!validated.ok()) {
        return std::nullopt;
    }
    return std::move(*validated.value);
}

Report validate_files(const TargetPaths& paths, std::span<const std::string> files,
                      const InputOptions& options, SourceTexts& sources) {
    Report report;
    const std::optional<ValidationTarget> target = load_target(paths, report, sources);
    if (!target) {
        report.files.insert(report.files.end(), files.begin(), files.end());
        return report;
    }
    for (const std::string& file : files) {
        static_cast<void>(validate_input(file, options, *target, report, sources));
    }
    return report;
}

std::optional<std::vector<uint8_t>> compile_input(const std::string& path,
                                                  const InputOptions& options,
                                                  const TargetPaths& target_paths, Report& report,
                                                  SourceTexts& sources) {
    if (target_paths.registry.empty()) {
        report.files.push_back(path);
        Location at;
        at.file = path;
        report.diagnostics.push_back(make_diagnostic(
            Code::registry_missing, "a content source is compiled without a registry", at,
            "pass --registry: the blob stores each criterion's field by its index in the "
            "template type"));
        return std::nullopt;
    }
    // The registry alone (no manifests) is a target that checks the
    // registry; with manifests the content is validated as well.
    const auto target = load_target(target_paths, report, sources);
    if (!target) {
        return std::nullopt;
    }
    if (!target_paths.manifests.empty()) {
        std::optional<ValidatedBlob> validated =
            validate_input(path, options, *target, report, sources);
        if (!validated || !report.passed()) {
            return std::nullopt;
        }
        return validated->bytes();
    }
    report.files.push_back(path);
    InputOptions source_options = options;
    source_options.kind = InputKind::source;
    std::optional<ReadInput> input = read_input(path, source_options, report, sources);
    if (!input) {
        return std::nullopt;
    }
    auto compiled = compile(*input->content, target->registry());
    add_all(report, compiled.diagnostics);
    if (!compiled.ok()) {
        return std::nullopt;
    }
    format::BlobView view;
    if (!format::read_blob(compiled.value->bytes.data(), compiled.value->bytes.size(),
                           format::Limits{}, &view)
             .ok()) {
        core::invariant_broken();  // The writer produced a blob the reader refuses.
    }
    return std::move(compiled.value->bytes);
}

}  // namespace ringward
