#include "common.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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

}  // namespace ringward::cli
