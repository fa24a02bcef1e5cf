// ringward test: run content through the interpreter an agent links, on
// cases that say which rules must and must not fire.
#include <fmt/format.h>

#include <memory>

#include "common.hpp"
#include "ringward/content_test.hpp"
#include "ringward/file.hpp"

namespace ringward::cli {
namespace {

struct TestArgs {
    ContentTestRequest request;
    std::string output_format = "text";
    std::string output;
    std::string input_format;
};

int run_test(TestArgs& args) {
    args.request.input = input_options_for(args.input_format);
    args.request.options.coverage =
        args.request.options.coverage || args.request.options.require_coverage;
    SourceTexts sources;
    Report report;
    const std::optional<ContentTestSummary> summary = test_content(args.request, report, sources);
    if (args.output_format == "text") {
        print_diagnostics(report.diagnostics, sources);
    } else {
        const std::string rendered =
            args.output_format == "json" ? render_json(report) : render_sarif(report);
        if (args.output.empty()) {
            fmt::print("{}", rendered);
        } else if (auto error = write_file_atomic(args.output, rendered)) {
            print_diagnostics(std::span(&*error, 1), sources);
            return kExitUsage;
        }
    }
    if (summary) {
        fmt::print(stderr, "ringward: {}\n",
                   test_summary_line(*summary, args.request.options.coverage));
    }
    fmt::print(stderr, "ringward: {}\n", summary_line(report));
    const int code = exit_code_for(report.diagnostics);
    if (code == kExitUsage) {
        return kExitUsage;
    }
    return summary && report.passed() ? kExitOk : kExitRejected;
}

}  // namespace

Runner add_test(CLI::App& app) {
    auto args = std::make_shared<TestArgs>();
    CLI::App* command = app.add_subcommand(
        "test",
        "Run content through the loader and interpreter an agent links. Validates the content\n"
        "first (as validate does), then for every case (protobuf text or JSON: an event by\n"
        "template type and field names, the rules that must and must not fire) evaluates the\n"
        "event on every targeted sensor build with ringward_match. For each criterion of a\n"
        "matching instance it also runs near-miss events that change only that criterion's\n"
        "field, and reports a criterion none of them stops its rule firing for.\n"
        "Exit 0 passed, 1 a case or the content failed, 2 usage or I/O error.");
    add_version_flag(*command);
    add_target_options(*command, args->request.target, true);
    command->add_option("content", args->request.content, "Content: a source, blob or envelope")
        ->required();
    command->add_option("cases", args->request.cases, "Cases files (.txtpb or .json)")->required();
    command->add_flag("--coverage", args->request.options.coverage,
                      "Also list rules with no positive case and criteria never shown to matter");
    command->add_flag("--require-coverage", args->request.options.require_coverage,
                      "Coverage and near-miss findings fail the run (implies --coverage)");
    command->add_option("--format", args->output_format, "Report: text, json or sarif")
        ->check(CLI::IsMember({"text", "json", "sarif"}));
    command->add_option("-o,--output", args->output,
                        "Write the json or sarif report to this file (atomically) instead of "
                        "stdout");
    add_input_format_option(*command, args->input_format);
    return [args] { return run_test(*args); };
}

}  // namespace ringward::cli
