// What every subcommand shares: exit codes, printing diagnostics, the
// options each input-reading command takes.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>

#include "ringward/diagnostic.hpp"
#include "ringward/pipeline.hpp"
#include "ringward/report.hpp"
#include "ringward/schema.hpp"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"

namespace ringward::cli {

// minisign's convention, which scripts rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitUsage = 2;
// verify: valid, but the signed schedule (and the customer's delay) admits
// this ring later: not a refusal, try again at the time printed.
inline constexpr int kExitDeferred = 3;

// A subcommand's body, run after parsing; returns the exit code.
using Runner = std::function<int()>;

// Adds each subcommand to `app`; the returned runner runs it.
Runner add_compile(CLI::App& app);
Runner add_inspect(CLI::App& app);
Runner add_validate(CLI::App& app);
Runner add_keygen(CLI::App& app);
Runner add_sign(CLI::App& app);
Runner add_verify(CLI::App& app);
Runner add_store(CLI::App& app);
Runner add_test(CLI::App& app);
Runner add_import(CLI::App& app);
Runner add_match(CLI::App& app);

// Colour on stderr: only on a terminal, and never when NO_COLOR is set to
// anything non-empty (no-color.org).
bool stderr_color();

// Prints each diagnostic compiler-style to stderr.
void print_diagnostics(std::span<const Diagnostic> diagnostics, const SourceTexts& sources);

// 2 when any error is about the environment (unreadable input, unwritable
// output, unknown format), else 1 when any error remains, else 0.
int exit_code_for(std::span<const Diagnostic> diagnostics);

// --input-format text|json|binary|blob, validated by CLI11.
CLI::Option* add_input_format_option(CLI::App& command, std::string& value);
// The InputOptions for a flag value CLI11 has checked.
InputOptions input_options_for(const std::string& input_format);

// Adds --version to a subcommand, so that every subcommand answers it.
void add_version_flag(CLI::App& command);

// --registry and --manifests: what content is compiled and validated
// against. `required` makes both mandatory (validate, sign); otherwise the
// registry alone is (compile: it names the fields) and the manifests are
// optional.
void add_target_options(CLI::App& command, TargetPaths& paths, bool required);

// Prints a report for people on stderr: every finding, then the summary.
void print_report(const Report& report, const SourceTexts& sources);

// --passphrase-file and --passphrase-env, for scripts and CI.
struct PassphraseArgs {
    std::string file;
    std::string env;
};
void add_passphrase_options(CLI::App& command, PassphraseArgs& args);
// The passphrase from the file or variable named, else from a prompt on the
// terminal without echo (`confirm` asks twice); nullopt when there is
// neither a flag nor a terminal, or the two entries differ. `error` says why.
std::optional<Passphrase> get_passphrase(const PassphraseArgs& args, const char* prompt,
                                         bool confirm, std::string* error);

// Prints one diagnostic (a refusal) and returns its exit code.
int fail_with(const Diagnostic& diagnostic);
// RW0013 command-line-invalid with the message; returns kExitUsage.
int usage_error(std::string message);
// RW0858 passphrase-unavailable with the message: the diagnostic, or printed
// (returns kExitUsage).
Diagnostic passphrase_unavailable(std::string message);
int passphrase_error(std::string message);

}  // namespace ringward::cli
