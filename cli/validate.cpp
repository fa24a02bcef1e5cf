// ringward validate: whether content may ship.
#include <fmt/format.h>

#include <memory>

#include "common.hpp"
#include "ringward/file.hpp"

namespace ringward::cli {
namespace {

struct ValidateArgs {
    TargetPaths target;
    std::vector<std::string> contents;
    std::string output_format = "text";
    std::string output;
    std::string input_format;
    bool werror = false;
};

int run_validate(const ValidateArgs& args) {
    SourceTexts sources;
    Report report =
        validate_files(args.target, args.contents, input_options_for(args.input_format), sources);
    report.warnings_are_errors = args.werror;

    if (args.output_format == "text") {
        print_report(report, sources);
    } else {
        const std::string rendered =
            args.output_format == "json" ? render_json(report) : render_sarif(report);
        if (args.output.empty()) {
            fmt::print("{}", rendered);
        } else if (auto error = write_file_atomic(args.output, rendered)) {
            print_diagnostics(std::span(&*error, 1), sources);
            return kExitUsage;
        }
        if (!args.output.empty() || !report.passed()) {
            fmt::print(stderr, "ringward: {}\n", summary_line(report));
        }
    }
    const int code = exit_code_for(report.diagnostics);
    if (code == kExitUsage) {
        return kExitUsage;
    }
    return report.passed() ? kExitOk : kExitRejected;
}

}  // namespace

Runner add_validate(CLI::App& app) {
    auto args = std::make_shared<ValidateArgs>();
    CLI::App* command = app.add_subcommand(
        "validate",
        "Decide whether content may ship. Checks the registry, the manifests, and each content\n"
        "file (source or blob) against the registry and every sensor build its range targets:\n"
        "template-type agreement, field-count matching, the inputs each build supplies (the\n"
        "Channel 291 rule), operators, types, bounds, regex and glob syntax, and limits. Every\n"
        "finding is reported. Exit 0 passed, 1 findings, 2 usage or I/O error.");
    add_version_flag(*command);
    add_target_options(*command, args->target, true);
    command
        ->add_option("content", args->contents,
                     "Content files: sources, blobs or envelopes (their blob)")
        ->required();
    command->add_option("--format", args->output_format, "Report: text, json or sarif")
        ->check(CLI::IsMember({"text", "json", "sarif"}));
    command->add_option("-o,--output", args->output,
                        "Write the json or sarif report to this file (atomically) instead of "
                        "stdout");
    command->add_flag("--werror", args->werror, "Treat warnings as errors");
    add_input_format_option(*command, args->input_format);
    return [args] { return run_validate(*args); };
}

}  // namespace ringward::cli
