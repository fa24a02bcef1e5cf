#include "common.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ringward/file.hpp"

namespace ringward::cli {

bool stderr_color() {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && no_color[0] != '\0') {
        return false;
    }
    return ::isatty(STDERR_FILENO) == 1;
}

void print_diagnostics(std::span<const Diagnostic> diagnostics, const SourceTexts& sources) {
    const TextStyle style{stderr_color()};
    for (const Diagnostic& d : diagnostics) {
        const std::string text = render_text(d, &sources, style);
        std::fwrite(text.data(), 1, text.size(), stderr);
    }
}

int exit_code_for(std::span<const Diagnostic> diagnostics) {
    bool any_error = false;
    for (const Diagnostic& d : diagnostics) {
        if (d.severity != Severity::error) {
            continue;
        }
        any_error = true;
        if (d.code == Code::input_unreadable || d.code == Code::output_unwritable ||
            d.code == Code::input_format_unknown) {
            return kExitUsage;
        }
    }
    return any_error ? kExitRejected : kExitOk;
}

CLI::Option* add_input_format_option(CLI::App& command, std::string& value) {
    return command
        .add_option("--input-format", value,
                    "Source format: text, json or binary (default: from the file name: .txtpb "
                    ".textproto .pbtxt, .json, .binpb .pb)")
        ->check(CLI::IsMember({"text", "json", "binary"}));
}

LoadOptions load_options(const std::string& input_format) {
    LoadOptions options;
    if (!input_format.empty()) {
        options.format = input_format_from_name(input_format);
    }
    return options;
}

void add_version_flag(CLI::App& command) {
    command.set_version_flag("--version", "ringward " RINGWARD_VERSION);
}

void add_target_options(CLI::App& command, TargetArgs& args, bool required) {
    CLI::Option* registry =
        command.add_option("--registry", args.registry, "Template type registry")
            ->check(CLI::ExistingFile);
    CLI::Option* manifests =
        command
            .add_option("--manifests", args.manifests,
                        "Sensor manifests: a file or a folder of them; repeat the option or "
                        "separate with commas for more (every build the content targets must "
                        "be here)")
            ->expected(1)
            ->allow_extra_args(false)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->delimiter(',')
            ->check(CLI::ExistingPath);
    if (required) {
        registry->required();
        manifests->required();
    } else {
        registry->needs(manifests);
        manifests->needs(registry);
    }
}

std::optional<ValidationTarget> load_target(const TargetArgs& args, Report& report,
                                            SourceTexts& sources) {
    report.files.push_back(args.registry);
    auto registry = load_registry(args.registry);
    report.diagnostics.insert(report.diagnostics.end(), registry.diagnostics.begin(),
                              registry.diagnostics.end());
    auto manifests = load_manifests(args.manifests);
    report.diagnostics.insert(report.diagnostics.end(), manifests.diagnostics.begin(),
                              manifests.diagnostics.end());
    if (manifests.ok()) {
        for (const SensorManifest& m : *manifests.value) {
            report.files.push_back(m.file);
            sources.add(m.file, m.text);
        }
    } else {
        report.files.insert(report.files.end(), args.manifests.begin(), args.manifests.end());
    }
    if (!registry.ok() || !manifests.ok()) {
        return std::nullopt;
    }
    sources.add(registry.value->file, registry.value->text);
    auto target = ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
    report.diagnostics.insert(report.diagnostics.end(), target.diagnostics.begin(),
                              target.diagnostics.end());
    if (!target.ok()) {
        return std::nullopt;
    }
    return std::move(*target.value);
}

std::optional<ValidatedBlob> validate_input(const std::string& path,
                                            const std::string& input_format,
                                            const ValidationTarget& target, Report& report,
                                            SourceTexts& sources) {
    report.files.push_back(path);
    const LoadOptions options = load_options(input_format);
    auto bytes = read_file_bytes(path, options.max_input_size_incl);
    if (!bytes.ok()) {
        report.diagnostics.insert(report.diagnostics.end(), bytes.diagnostics.begin(),
                                  bytes.diagnostics.end());
        return std::nullopt;
    }
    std::vector<uint8_t>& data = *bytes.value;
    const bool is_blob = input_format.empty() && data.size() >= sizeof(format::kMagic) &&
                         std::memcmp(data.data(), format::kMagic, sizeof(format::kMagic)) == 0;
    Result<ValidatedBlob> validated;
    if (is_blob) {
        // Moved, not copied: validating a blob holds it in memory once.
        validated = validate_blob(std::move(data), path, target);
    } else {
        LoadOptions source_options = options;
        if (!source_options.format) {
            source_options.format = input_format_from_path(path);
        }
        if (!source_options.format) {
            Location at;
            at.file = path;
            report.diagnostics.push_back(make_diagnostic(
                Code::input_format_unknown,
                fmt::format("{} is neither a blob nor a source file ringward can tell by its name",
                            path),
                at, "name it .txtpb, .json or .binpb, or pass --input-format"));
            return std::nullopt;
        }
        auto content =
            parse_content(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()),
                          path, source_options);
        if (!content.ok()) {
            report.diagnostics.insert(report.diagnostics.end(), content.diagnostics.begin(),
                                      content.diagnostics.end());
            return std::nullopt;
        }
        sources.add(path, std::string(content.value->text()));
        validated = validate_content(*content.value, target);
    }
    report.diagnostics.insert(report.diagnostics.end(), validated.diagnostics.begin(),
                              validated.diagnostics.end());
    if (!validated.ok()) {
        return std::nullopt;
    }
    return std::move(*validated.value);
}

void print_report(const Report& report, const SourceTexts& sources) {
    print_diagnostics(report.diagnostics, sources);
    fmt::print(stderr, "ringward: {}\n", summary_line(report));
}

}  // namespace ringward::cli
