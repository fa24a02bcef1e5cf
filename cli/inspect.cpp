// ringward inspect: a readable dump of a blob, or of the blob a source file
// compiles to (with the source line of each instance).
#include <fmt/format.h>

#include <cstring>
#include <memory>

#include "common.hpp"

namespace ringward::cli {
namespace {

struct InspectArgs {
    std::string file;
    std::string output_format = "text";
    std::string input_format;
    std::string registry;
};

int run_inspect(const InspectArgs& args) {
    Report report;
    SourceTexts sources;
    const auto shown =
        inspect_file(args.file, input_options_for(args.input_format),
                     args.output_format == "json" ? InspectFormat::json : InspectFormat::text,
                     args.registry, report, sources);
    print_diagnostics(report.diagnostics, sources);
    if (!shown) {
        return exit_code_for(report.diagnostics);
    }
    std::fwrite(shown->data(), 1, shown->size(), stdout);
    return kExitOk;
}

}  // namespace

Runner add_inspect(CLI::App& app) {
    auto args = std::make_shared<InspectArgs>();
    CLI::App* command = app.add_subcommand(
        "inspect",
        "Show what a blob (.rwc) or an envelope (.rws) says, or what a content source compiles\n"
        "to (given --registry), instance by instance: each criterion with its field index,\n"
        "negation, field reference or any-of values, exclusions under their instance, and each\n"
        "instance's rule. Blobs and envelopes are recognised by their magic numbers,\n"
        "sources by their names. An envelope's header is shown as written (verify checks it),\n"
        "with a version 2 envelope's ring schedule as the wall-clock time each ring is admitted.");
    add_version_flag(*command);
    command->add_option("file", args->file, "Blob or content source to show")->required();
    command->add_option("--format", args->output_format, "Output: text or json (default text)")
        ->check(CLI::IsMember({"text", "json"}));
    add_input_format_option(*command, args->input_format);
    command
        ->add_option("--registry", args->registry,
                     "Template type registry a content source is compiled against (needed for a "
                     "source, not for a blob or an envelope)")
        ->check(CLI::ExistingFile);
    return [args] { return run_inspect(*args); };
}

}  // namespace ringward::cli
