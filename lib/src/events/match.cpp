// Running events through the loader and interpreter an agent links
// (events.hpp, `ringward match`): the validated blob is signed with a
// throwaway key and loaded by ringward_load under the chosen sensor build's
// table, exactly as `ringward test` does, and every mapped event goes
// through ringward_match.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ringward/core/contract.hpp"
#include "ringward/events.hpp"
#include "ringward/file.hpp"
#include "ringward/match_setup.hpp"
#include "ringward/sign.hpp"
#include "schema/content_source.hpp"

namespace ringward::events {
namespace {

// The content loaded as one build's agent loads it. `loaded` points into
// `table` and `envelope`: held in place, never moved.
struct LoadedBuild {
    const SensorManifest* manifest = nullptr;
    std::vector<ringward_template_support> table;
    std::vector<uint8_t> envelope;
    ringward_trusted_key trusted{};
    ringward_loaded loaded{};
    MatchSetup match;
};

// The manifest `sensor_version` names among those the content targets, or
// the newest of them when it is empty; null with RW1057 in the report.
const SensorManifest* pick_build(const ValidationTarget& target, const format::BlobView& view,
                                 const std::string& content, const std::string& sensor_version,
                                 Report& report) {
    const SensorManifest* chosen = nullptr;
    std::string targeted;
    for (const SensorManifest& manifest : target.manifests()) {
        if (!manifest.version || manifest.version->packed() < view.sensor_min() ||
            manifest.version->packed() > view.sensor_max()) {
            continue;
        }
        targeted += fmt::format("{}{}", targeted.empty() ? "" : ", ", manifest.sensor_version_text);
        if (!sensor_version.empty()) {
            if (manifest.sensor_version_text == sensor_version) {
                chosen = &manifest;
            }
        } else if (chosen == nullptr || manifest.version->packed() > chosen->version->packed()) {
            chosen = &manifest;
        }
    }
    if (chosen == nullptr) {
        Location at;
        at.file = content;
        report.diagnostics.push_back(make_diagnostic(
            Code::match_build_untargeted,
            targeted.empty()
                ? fmt::format("{} targets none of the sensor builds given", content)
                : fmt::format("--sensor-version {} is none of the builds {} targets: {}",
                              sensor_version, content, targeted),
            at,
            targeted.empty() ? "give the manifest of a build in the content's sensor_range"
                             : "name one of those builds, or leave --sensor-version out for the "
                               "newest"));
    }
    return chosen;
}

bool load_build(const ValidatedBlob& blob, const std::string& content, LoadedBuild& build,
                Report& report) {
    auto local = sign_for_local_load(blob, now_seconds());
    if (!local.ok()) {
        report.diagnostics.insert(report.diagnostics.end(), local.diagnostics.begin(),
                                  local.diagnostics.end());
        return false;
    }
    build.envelope = std::move(local.value->bytes);
    build.trusted = local.value->trusted;
    build.table = to_loader_table(*build.manifest);
    ringward_loader_config config{};
    config.keys = &build.trusted;
    config.key_count = 1;
    config.sensor_version = build.manifest->version->packed();
    config.now = local.value->now;
    config.templates = build.table.data();
    config.template_count = build.table.size();
    config.blob_limits = &blob.limits();
    const ringward_status status =
        ringward_load(&config, build.envelope.data(), build.envelope.size(), &build.loaded);
    if (status != RINGWARD_OK) {
        report.diagnostics.push_back(
            loader_diagnostic(status, build.loaded, content, envelope_header_size(build.envelope)));
        return false;
    }
    prepare_match(build.loaded, build.match);
    return true;
}

}  // namespace

std::optional<MatchSummary> match_files(
    const MatchRequest& request, Report& report, SourceTexts& sources,
    const std::function<void(const Hit&)>& on_hit,
    const std::function<void(const ringward_event&)>& on_event) {
    const std::optional<ValidationTarget> target = load_target(request.target, report, sources);
    report.files.push_back(request.content);
    report.files.push_back(request.mapping);
    report.files.insert(report.files.end(), request.events.begin(), request.events.end());
    if (!target) {
        return std::nullopt;
    }
    std::optional<ValidatedBlob> blob =
        validate_input(request.content, request.input, *target, report, sources);
    if (!blob || has_errors(report.diagnostics)) {
        return std::nullopt;  // events run on content that may ship, and on nothing else
    }
    auto mapping = sigma::load_mapping(request.mapping);
    report.diagnostics.insert(report.diagnostics.end(), mapping.diagnostics.begin(),
                              mapping.diagnostics.end());
    if (!mapping.ok()) {
        return std::nullopt;
    }
    auto events_mapping = make_event_mapping(*mapping.value, target->registry());
    report.diagnostics.insert(report.diagnostics.end(), events_mapping.diagnostics.begin(),
                              events_mapping.diagnostics.end());
    if (!events_mapping.ok()) {
        return std::nullopt;
    }
    const format::BlobView& view = blob->view();
    LoadedBuild build;
    build.manifest = pick_build(*target, view, request.content, request.sensor_version, report);
    if (build.manifest == nullptr || !load_build(*blob, request.content, build, report)) {
        return std::nullopt;
    }

    // Rule names come from the source, read again as the validator read it.
    std::map<uint32_t, std::string> rule_names;
    if (const auto source = reread_source(request.content, request.input)) {
        const auto& rules = source->impl().message.rules();
        for (int r = 0; r < rules.size(); ++r) {
            rule_names.emplace(rules.Get(r).id(), rules.Get(r).name());
        }
    }
    std::map<uint32_t, uint32_t> rule_of;
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        rule_of.emplace(view.instance(i).id(), view.instance(i).rule_id());
    }

    MatchSummary summary;
    summary.build = build.manifest->sensor_version_text;
    std::vector<uint32_t> instances(std::max<size_t>(1, view.instance_count()));
    std::vector<uint32_t> rules(std::max<size_t>(1, view.instance_count()));
    for (const std::string& path : request.events) {
        ++summary.files;
        auto text = read_file(path, request.limits.max_file_size_incl);
        if (!text.ok()) {
            report.diagnostics.insert(report.diagnostics.end(), text.diagnostics.begin(),
                                      text.diagnostics.end());
            continue;
        }
        sources.add(path, *text.value);
        auto file = parse_events(*text.value, path, *events_mapping.value, request.limits);
        report.diagnostics.insert(report.diagnostics.end(), file.diagnostics.begin(),
                                  file.diagnostics.end());
        if (!file.ok()) {
            continue;
        }
        for (const Event& event : file.value->events) {
            ++summary.events;
            if (!event.mapped.empty()) {
                ++summary.events_mapped;
            }
            bool matched = false;
            for (const TemplateEvent& mapped : event.mapped) {
                const auto support =
                    std::find_if(build.table.begin(), build.table.end(),
                                 [&](const ringward_template_support& s) {
                                     return s.id == mapped.template_type_id &&
                                            s.version == mapped.template_type_version;
                                 });
                if (support == build.table.end()) {
                    ++summary.evaluations_unsupplied;
                    continue;  // this build hands no such event
                }
                const std::vector<ringward_input> inputs = inputs_for(mapped, *support);
                const ringward_event wire{mapped.template_type_id, mapped.template_type_version,
                                          inputs.data(), inputs.size()};
                if (on_event) {
                    on_event(wire);
                }
                ringward_match_result result{};
                result.instances = instances.data();
                result.instance_capacity = instances.size();
                result.rules = rules.data();
                result.rule_capacity = rules.size();
                ++summary.evaluations;
                const ringward_match_status status = ringward_match(
                    &build.loaded, &build.match.plan, &wire, build.match.scratch.data(),
                    build.match.scratch.size() * sizeof(uint64_t), &result);
                if (status != RINGWARD_MATCH_OK) {
                    ++summary.evaluations_refused;
                    report.diagnostics.push_back(make_diagnostic(
                        Code::match_event_refused,
                        fmt::format(
                            "event {} ({}): the interpreter refused it as {}: {}", event.index,
                            mapped.logsource, ringward_match_status_name(status),
                            status == RINGWARD_MATCH_E_INPUT_TOO_LONG
                                ? fmt::format("input {} is longer than {} bytes", result.input,
                                              build.match.plan.limits.max_input_bytes_incl)
                                : std::string("see docs/interpreter.md")),
                        event.location, "shorten the input: the step bound depends on it"));
                    continue;
                }
                summary.instances_skipped += result.skipped;
                summary.instances_refused += result.refused;
                for (size_t k = 0; k < result.instance_count; ++k) {
                    Hit hit;
                    hit.file = path;
                    hit.event_index = event.index;
                    hit.location = event.location;
                    hit.template_type_id = mapped.template_type_id;
                    hit.template_type_version = mapped.template_type_version;
                    hit.instance_id = result.instances[k];
                    hit.rule_id = rule_of.at(hit.instance_id);
                    if (const auto it = rule_names.find(hit.rule_id); it != rule_names.end()) {
                        hit.rule_name = it->second;
                    }
                    ++summary.hits;
                    matched = true;
                    on_hit(hit);
                }
            }
            if (matched) {
                ++summary.events_matched;
            }
        }
    }
    return summary;
}

std::string match_summary_line(const MatchSummary& summary) {
    std::string line = fmt::format(
        "{} event{} in {} file{} on sensor build {}: {} mapped, {} evaluation{}, {} event{} "
        "matched ({} hit{})",
        summary.events, summary.events == 1 ? "" : "s", summary.files,
        summary.files == 1 ? "" : "s", summary.build, summary.events_mapped, summary.evaluations,
        summary.evaluations == 1 ? "" : "s", summary.events_matched,
        summary.events_matched == 1 ? "" : "s", summary.hits, summary.hits == 1 ? "" : "s");
    if (summary.evaluations_unsupplied != 0) {
        line += fmt::format("; {} not supplied by the build", summary.evaluations_unsupplied);
    }
    if (summary.evaluations_refused != 0) {
        line += fmt::format("; {} refused", summary.evaluations_refused);
    }
    if (summary.instances_refused != 0) {
        line += fmt::format("; instances refused at run time {}", summary.instances_refused);
    }
    return line;
}

}  // namespace ringward::events
