// ringward compile: content source to the canonical blob.
#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#include "common.hpp"
#include "ringward/compile.hpp"
#include "ringward/file.hpp"

namespace ringward::cli {
namespace {

struct CompileArgs {
    std::string source;
    std::string output;
    std::string input_format;
    TargetPaths target;
    bool quiet = false;
};

int run_compile(const CompileArgs& args) {
    // Compiled against the registry, which names the fields; validated
    // against the manifests first when they are given: then content that
    // does not pass is not written.
    Report report;
    SourceTexts sources;
    const bool checked = !args.target.manifests.empty();
    const auto bytes = compile_input(args.source, input_options_for(args.input_format), args.target,
                                     report, sources);
    if (!bytes) {
        if (checked) {
            print_report(report, sources);
            fmt::print(stderr, "ringward: {} not compiled: it does not validate\n", args.source);
        } else {
            print_diagnostics(report.diagnostics, sources);
            fmt::print(stderr, "ringward: {} not compiled: {} error(s)\n", args.source,
                       count_severity(report.diagnostics, Severity::error));
        }
        return exit_code_for(report.diagnostics) == kExitUsage ? kExitUsage : kExitRejected;
    }
    print_diagnostics(report.diagnostics, sources);
    if (auto error = write_file_atomic(args.output, *bytes)) {
        print_diagnostics(std::span(&*error, 1), SourceTexts{});
        return kExitUsage;
    }
    format::BlobView view;
    if (!args.quiet &&
        format::read_blob(bytes->data(), bytes->size(), format::Limits{}, &view).ok()) {
        fmt::print(stderr, "ringward: wrote {} ({} bytes: {} instances, {} criteria{})\n",
                   args.output, bytes->size(), view.instance_count(), view.criterion_count(),
                   checked ? "; validated" : "");
    }
    return kExitOk;
}

}  // namespace

Runner add_compile(CLI::App& app) {
    auto args = std::make_shared<CompileArgs>();
    CLI::App* command = app.add_subcommand(
        "compile",
        "Compile a content file (.txtpb, .json, .binpb) into its canonical blob (.rwc, format\n"
        "2) against --registry, which gives each field its index. The same source and registry\n"
        "always give the same bytes. Refuses what the blob format cannot express; given\n"
        "--manifests too, also refuses content that does not validate.");
    add_version_flag(*command);
    command->add_option("source", args->source, "Content file to compile")->required();
    command->add_option("-o,--output", args->output, "Blob to write (atomically)")->required();
    add_input_format_option(*command, args->input_format);
    add_target_options(*command, args->target, false);
    command->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
    return [args] { return run_compile(*args); };
}

}  // namespace ringward::cli
