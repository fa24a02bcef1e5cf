// ringward match: run content over events as a sensor delivers them, through
// the loader and interpreter an agent links, and print every hit.
#include <fmt/format.h>

#include <memory>

#include "common.hpp"
#include "ringward/core/contract.hpp"
#include "ringward/event_wire.hpp"
#include "ringward/events.hpp"
#include "ringward/file.hpp"
#include "ringward/json_writer.hpp"

namespace ringward::cli {
namespace {

struct MatchArgs {
    events::MatchRequest request;
    std::string output_format = "text";
    std::string input_format;
    std::string wire_out;
};

std::string hit_text(const events::Hit& hit) {
    std::string unit =
        hit.rule_id == 0 ? fmt::format("instance {}", hit.instance_id)
                         : fmt::format("rule {}{} instance {}", hit.rule_id,
                                       hit.rule_name.empty() ? std::string()
                                                             : fmt::format(" '{}'", hit.rule_name),
                                       hit.instance_id);
    return fmt::format("{}:{}:{}: event {}: {} (template type {} v{})\n", hit.file,
                       hit.location.line, hit.location.column, hit.event_index, unit,
                       hit.template_type_id, hit.template_type_version);
}

std::string hit_json(const events::Hit& hit) {
    util::JsonWriter json(0);
    json.begin_object();
    json.member("file", hit.file);
    json.member("event", uint64_t{hit.event_index});
    json.member("line", hit.location.line);
    json.member("column", hit.location.column);
    json.member("template_type_id", hit.template_type_id);
    json.member("template_type_version", hit.template_type_version);
    json.member("rule", hit.rule_id);
    json.member("rule_name", hit.rule_name);
    json.member("instance", hit.instance_id);
    json.end_object();
    return json.str() + "\n";
}

int run_match(MatchArgs& args) {
    args.request.input = input_options_for(args.input_format);
    SourceTexts sources;
    Report report;
    const bool json = args.output_format == "json";
    // The wire stream for the example agent (docs/events.md): each event
    // as its length (4 bytes, little-endian) and its wire encoding.
    std::vector<uint8_t> wire;
    bool wire_ok = true;
    const auto on_event = [&](const ringward_event& event) {
        const auto encoded = encode_event(event);
        if (!encoded) {
            wire_ok = false;
            return;
        }
        const auto size = static_cast<uint32_t>(encoded->size());
        for (int b = 0; b < 4; ++b) {
            wire.push_back(static_cast<uint8_t>(size >> (8 * b)));
        }
        wire.insert(wire.end(), encoded->begin(), encoded->end());
    };
    const std::optional<events::MatchSummary> summary = events::match_files(
        args.request, report, sources,
        [&](const events::Hit& hit) {
            const std::string line = json ? hit_json(hit) : hit_text(hit);
            std::fwrite(line.data(), 1, line.size(), stdout);
        },
        args.wire_out.empty() ? std::function<void(const ringward_event&)>{}
                              : std::function<void(const ringward_event&)>{on_event});
    std::fflush(stdout);
    print_diagnostics(report.diagnostics, sources);
    if (!summary) {
        fmt::print(stderr, "ringward: {}\n", summary_line(report));
        const int code = exit_code_for(report.diagnostics);
        return code == kExitOk ? kExitRejected : code;
    }
    if (!args.wire_out.empty()) {
        if (!wire_ok) {
            core::invariant_broken();  // mapped events always have an encoding
        }
        if (auto error = write_file_atomic(args.wire_out, std::span<const uint8_t>(wire))) {
            print_diagnostics(std::span(&*error, 1), sources);
            return kExitUsage;
        }
    }
    fmt::print(stderr, "ringward: {}\n", events::match_summary_line(*summary));
    return exit_code_for(report.diagnostics);
}

}  // namespace

Runner add_match(CLI::App& app) {
    auto args = std::make_shared<MatchArgs>();
    CLI::App* command = app.add_subcommand(
        "match",
        "Run content over events as a sensor delivers them. Validates the content first (as\n"
        "validate does), reads Sysmon-style JSON events (an evtx export's {\"Event\": "
        "{\"System\":\n"
        "..., \"EventData\": ...}}, or flat objects; one, several back to back, or an array),\n"
        "maps each to template types through the Sigma mapping's event selectors and fields,\n"
        "and evaluates it with ringward_match as the chosen sensor build's agent would. Prints\n"
        "each matching instance: FILE:LINE:COL: event N: rule R 'name' instance I.\n"
        "Exit 0 ran every event, 1 the content or an event was rejected, 2 usage or I/O error.");
    add_version_flag(*command);
    add_target_options(*command, args->request.target, true);
    command->add_option("content", args->request.content, "Content: a source, blob or envelope")
        ->required();
    command->add_option("events", args->request.events, "Events files (JSON)")->required();
    command
        ->add_option("--mapping", args->request.mapping,
                     "Sigma mapping whose event selectors and fields map events (mapping.proto)")
        ->required();
    command->add_option("--sensor-version", args->request.sensor_version,
                        "The sensor build to evaluate as, among the manifests the content "
                        "targets (default: the newest)");
    command->add_option("--format", args->output_format, "Hits: text, or json (one per line)")
        ->check(CLI::IsMember({"text", "json"}));
    command->add_option("--wire-out", args->wire_out,
                        "Also write every evaluated event in the event wire encoding, each "
                        "after its 4-byte little-endian length (what the example agent reads)");
    add_input_format_option(*command, args->input_format);
    return [args] { return run_match(*args); };
}

}  // namespace ringward::cli
