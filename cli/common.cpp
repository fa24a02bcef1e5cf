#include "common.hpp"

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>

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

uint64_t now_seconds() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::optional<uint64_t> parse_time(std::string_view text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos &&
        text.size() <= 19) {
        return std::stoull(std::string(text));
    }
    std::tm tm{};
    const std::string s(text);
    char trailing = 0;
    if (s.size() != 20 ||
        std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &trailing) != 6) {
        return std::nullopt;
    }
    const int year = tm.tm_year;
    const int month = tm.tm_mon;
    const int day = tm.tm_mday;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const time_t t = timegm(&tm);
    // timegm normalises 2024-02-30 into March: refuse what it had to change.
    std::tm back{};
    if (t < 0 || gmtime_r(&t, &back) == nullptr || back.tm_year + 1900 != year ||
        back.tm_mon + 1 != month || back.tm_mday != day) {
        return std::nullopt;
    }
    return static_cast<uint64_t>(t);
}

std::string format_time(uint64_t seconds) {
    const auto t = static_cast<time_t>(seconds);
    std::tm tm{};
    char out[32] = "?";
    if (gmtime_r(&t, &tm) != nullptr) {
        std::strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return out;
}

std::optional<uint64_t> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    uint64_t unit = 1;
    switch (text.back()) {
        case 's':
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            unit = 0;
    }
    if (unit != 0) {
        text.remove_suffix(1);
    } else {
        unit = 1;
    }
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    return std::stoull(std::string(text)) * unit;
}

}  // namespace ringward::cli
