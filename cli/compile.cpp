// ringward compile: content source to the canonical blob.
#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#include "common.hpp"
#include "ringward/compile.hpp"
#include "ringward/core/contract.hpp"
#include "ringward/file.hpp"

namespace ringward::cli {
namespace {

struct CompileArgs {
    std::string source;
    std::string output;
    std::string input_format;
    TargetArgs target;
    bool quiet = false;
};

// The blob, validated against a registry and manifests first when they are
// given: then content that does not pass is not written.
std::optional<std::vector<uint8_t>> compile_checked(const CompileArgs& args, int* exit_code) {
    SourceTexts sources;
    if (!args.target.registry.empty()) {
        Report report;
        std::optional<ValidatedBlob> validated;
        if (const auto target = load_target(args.target, report, sources)) {
            validated = validate_input(args.source, args.input_format, *target, report, sources);
        }
        if (!report.passed() || !validated) {
            print_report(report, sources);
            fmt::print(stderr, "ringward: {} not compiled: it does not validate\n", args.source);
            *exit_code =
                exit_code_for(report.diagnostics) == kExitUsage ? kExitUsage : kExitRejected;
            return std::nullopt;
        }
        print_diagnostics(report.diagnostics, sources);
        return validated->bytes();
    }
    auto content = load_content(args.source, load_options(args.input_format));
    if (!content.ok()) {
        print_diagnostics(content.diagnostics, sources);
        *exit_code = exit_code_for(content.diagnostics);
        return std::nullopt;
    }
    sources.add(content.value->file(), std::string(content.value->text()));
    auto compiled = compile(*content.value);
    print_diagnostics(compiled.diagnostics, sources);
    if (!compiled.ok()) {
        fmt::print(stderr, "ringward: {} not compiled: {} error(s)\n", args.source,
                   count_severity(compiled.diagnostics, Severity::error));
        *exit_code = exit_code_for(compiled.diagnostics);
        return std::nullopt;
    }
    return std::move(compiled.value->bytes);
}

int run_compile(const CompileArgs& args) {
    int exit_code = kExitOk;
    const auto bytes = compile_checked(args, &exit_code);
    if (!bytes) {
        return exit_code;
    }
    format::BlobView view;
    const format::ReadResult check =
        format::read_blob(bytes->data(), bytes->size(), format::Limits{}, &view);
    if (!check.ok()) {
        // The writer produced a blob the reader refuses: a broken invariant.
        fmt::print(stderr, "ringward: internal error: the compiled blob fails {} at offset {}\n",
                   format::read_error_name(check.error), check.offset);
        core::invariant_broken();
    }
    if (auto error = write_file_atomic(args.output, *bytes)) {
        print_diagnostics(std::span(&*error, 1), SourceTexts{});
        return kExitUsage;
    }
    if (!args.quiet) {
        fmt::print(stderr, "ringward: wrote {} ({} bytes: {} instances, {} criteria{})\n",
                   args.output, bytes->size(), view.instance_count(), view.criterion_count(),
                   args.target.registry.empty() ? "" : "; validated");
    }
    return kExitOk;
}

}  // namespace

Runner add_compile(CLI::App& app) {
    auto args = std::make_shared<CompileArgs>();
    CLI::App* command = app.add_subcommand(
        "compile",
        "Compile a content file (.txtpb, .json, .binpb) into its canonical blob (.rwc). The\n"
        "same source always gives the same bytes. Refuses what the blob format cannot express;\n"
        "given --registry and --manifests, also refuses content that does not validate.");
    add_version_flag(*command);
    command->add_option("source", args->source, "Content file to compile")->required();
    command->add_option("-o,--output", args->output, "Blob to write (atomically)")->required();
    add_input_format_option(*command, args->input_format);
    add_target_options(*command, args->target, false);
    command->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
    return [args] { return run_compile(*args); };
}

}  // namespace ringward::cli
