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
    bool quiet = false;
};

int run_compile(const CompileArgs& args) {
    SourceTexts sources;
    auto content = load_content(args.source, load_options(args.input_format));
    if (!content.ok()) {
        print_diagnostics(content.diagnostics, sources);
        return exit_code_for(content.diagnostics);
    }
    sources.add(content.value->file(), std::string(content.value->text()));
    auto compiled = compile(*content.value);
    print_diagnostics(compiled.diagnostics, sources);
    if (!compiled.ok()) {
        fmt::print(stderr, "ringward: {} not compiled: {} error(s)\n", args.source,
                   count_severity(compiled.diagnostics, Severity::error));
        return exit_code_for(compiled.diagnostics);
    }
    const std::vector<uint8_t>& bytes = compiled.value->bytes;
    format::BlobView view;
    const format::ReadResult check =
        format::read_blob(bytes.data(), bytes.size(), format::Limits{}, &view);
    if (!check.ok()) {
        // The writer produced a blob the reader refuses: a broken invariant.
        fmt::print(stderr, "ringward: internal error: the compiled blob fails {} at offset {}\n",
                   format::read_error_name(check.error), check.offset);
        std::abort();
    }
    if (auto error = write_file_atomic(args.output, bytes)) {
        print_diagnostics(std::span(&*error, 1), sources);
        return kExitUsage;
    }
    if (!args.quiet) {
        fmt::print(stderr, "ringward: wrote {} ({} bytes: {} instances, {} criteria)\n",
                   args.output, bytes.size(), view.instance_count(), view.criterion_count());
    }
    return kExitOk;
}

}  // namespace

Runner add_compile(CLI::App& app) {
    auto args = std::make_shared<CompileArgs>();
    CLI::App* command = app.add_subcommand(
        "compile",
        "Compile a content file (.txtpb, .json, .binpb) into its canonical blob (.rwc). The\n"
        "same source always gives the same bytes. Refuses what the blob format cannot express.");
    add_version_flag(*command);
    command->add_option("source", args->source, "Content file to compile")->required();
    command->add_option("-o,--output", args->output, "Blob to write (atomically)")->required();
    add_input_format_option(*command, args->input_format);
    command->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
    return [args] { return run_compile(*args); };
}

}  // namespace ringward::cli
