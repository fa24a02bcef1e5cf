#include "common.hpp"

#include <termios.h>
#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

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
            d.code == Code::input_format_unknown || d.code == Code::command_line_invalid ||
            d.code == Code::passphrase_unavailable) {
            return kExitUsage;
        }
    }
    return any_error ? kExitRejected : kExitOk;
}

CLI::Option* add_input_format_option(CLI::App& command, std::string& value) {
    return command
        .add_option("--input-format", value,
                    "What the input is: text, json or binary (a source), or blob (default: from "
                    "its magic number or name: .rwc .rws, .txtpb .textproto .pbtxt, .json, .binpb "
                    ".pb)")
        ->check(CLI::IsMember({"text", "json", "binary", "blob"}));
}

InputOptions input_options_for(const std::string& input_format) {
    // CLI11 admits only the values input_options() knows.
    return *input_options(input_format);
}

void add_version_flag(CLI::App& command) {
    command.set_version_flag("--version", "ringward " RINGWARD_VERSION);
}

void add_target_options(CLI::App& command, TargetPaths& paths, bool required) {
    CLI::Option* registry =
        command.add_option("--registry", paths.registry, "Template type registry")
            ->check(CLI::ExistingFile);
    CLI::Option* manifests =
        command
            .add_option("--manifests", paths.manifests,
                        "Sensor manifests: a file or a folder of them, one per use; repeat the "
                        "option or separate with commas for more (every build the content "
                        "targets must be here)")
            ->expected(1)
            ->allow_extra_args(false)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->delimiter(',')
            ->check(CLI::ExistingPath);
    registry->required();
    if (required) {
        manifests->required();
    }
}

void print_report(const Report& report, const SourceTexts& sources) {
    print_diagnostics(report.diagnostics, sources);
    fmt::print(stderr, "ringward: {}\n", summary_line(report));
}

void add_passphrase_options(CLI::App& command, PassphraseArgs& args) {
    auto* file = command.add_option("--passphrase-file", args.file,
                                    "Read the passphrase from the first line of this file");
    auto* env = command.add_option("--passphrase-env", args.env,
                                   "Read the passphrase from this environment variable");
    file->excludes(env);
}

namespace {

// Reads a line from the terminal with echo off; nullopt without a terminal.
std::optional<std::string> prompt_line(const char* prompt) {
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (tty == nullptr) {
        return std::nullopt;
    }
    const int fd = fileno(tty);
    termios saved{};
    const bool terminal = tcgetattr(fd, &saved) == 0;
    if (terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::fputs(prompt, tty);
    std::fflush(tty);
    std::string line;
    for (int c = std::fgetc(tty); c != EOF && c != '\n'; c = std::fgetc(tty)) {
        line.push_back(static_cast<char>(c));
    }
    if (terminal) {
        tcsetattr(fd, TCSAFLUSH, &saved);
    }
    std::fputs("\n", tty);
    std::fclose(tty);
    return line;
}

}  // namespace

std::optional<Passphrase> get_passphrase(const PassphraseArgs& args, const char* prompt,
                                         bool confirm, std::string* error) {
    if (!args.file.empty()) {
        std::ifstream in(args.file);
        std::string line;
        if (!in || !std::getline(in, line)) {
            *error = "cannot read the passphrase file " + args.file;
            return std::nullopt;
        }
        return Passphrase(std::move(line));
    }
    if (!args.env.empty()) {
        const char* value = std::getenv(args.env.c_str());
        if (value == nullptr) {
            *error = "the environment variable " + args.env + " is not set";
            return std::nullopt;
        }
        return Passphrase(value);
    }
    auto first = prompt_line(prompt);
    if (!first) {
        *error = "no terminal to ask for the passphrase: use --passphrase-file or --passphrase-env";
        return std::nullopt;
    }
    Passphrase passphrase(std::move(*first));
    if (confirm) {
        auto again = prompt_line("Again: ");
        const bool same = again && *again == passphrase.text();
        if (again) {
            Passphrase wipe(std::move(*again));
        }
        if (!same) {
            *error = "the two passphrases differ";
            return std::nullopt;
        }
    }
    return passphrase;
}

int fail_with(const Diagnostic& diagnostic) {
    print_diagnostics(std::span(&diagnostic, 1), SourceTexts{});
    return exit_code_for(std::span(&diagnostic, 1));
}

int usage_error(std::string message) {
    Location at;
    at.file = "<command line>";
    return fail_with(make_diagnostic(Code::command_line_invalid, std::move(message), at,
                                     "ringward COMMAND --help lists its options and their forms"));
}

Diagnostic passphrase_unavailable(std::string message) {
    Location at;
    at.file = "<passphrase>";
    return make_diagnostic(Code::passphrase_unavailable, std::move(message), at,
                           "give --passphrase-file or --passphrase-env, or run at a terminal");
}

int passphrase_error(std::string message) {
    return fail_with(passphrase_unavailable(std::move(message)));
}

}  // namespace ringward::cli
