// Events as a sensor delivers them, read from Sysmon-style JSON (what evtx
// exporters write: {"Event": {"System": ..., "EventData": ...}}, the same
// without "Event", or flat objects), and mapped through a Sigma mapping
// (mapping.proto, the importer's own file) to template types and typed
// inputs; then run through the loader and interpreter an agent links. What
// `ringward match` does, as functions (docs/events.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"
#include "ringward/match.h"
#include "ringward/pipeline.hpp"
#include "ringward/report.hpp"
#include "ringward/schema.hpp"
#include "ringward/sigma.hpp"

namespace ringward::events {

struct EventLimits {
    // JSON arrays and objects: an evtx export nests five deep.
    int max_nesting_depth_incl = 64;
    // Events in one file; one more is refused (RW1052) rather than read
    // without bound.
    size_t max_events_per_file_incl = size_t{1} << 20;
    // A file larger than this is refused before it is read (RW0002).
    uint64_t max_file_size_incl = uint64_t{1} << 30;
};

// A mapping checked against a registry: per logsource with event
// selectors, its template type and, per mapped field, the template field's
// index and type. Cheap to copy.
class EventMapping {
  public:
    struct Impl;
    explicit EventMapping(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    const Impl& impl() const noexcept { return *impl_; }

  private:
    std::shared_ptr<const Impl> impl_;
};

// RW1054 for a selector without an event id or with a field but no values
// (or values but no field), a template type or field the registry lacks, or
// a field the mapping types otherwise than the registry; each at the
// logsource's entry in the mapping.
[[nodiscard]] Result<EventMapping> make_event_mapping(const sigma::Mapping& mapping,
                                                      const Registry& registry);

// One input value, typed as its template field.
struct InputValue {
    format::Kind kind = format::Kind::none;
    bool present = false;
    // int (two's-complement bits), uint, bool (0 or 1).
    uint64_t number = 0;
    // string.
    std::string bytes;
    // ip, 16 bytes (IPv4 as ::ffff:a.b.c.d).
    std::array<uint8_t, 16> address{};
};

// An event for one template type: one value per field the registry
// declares, in field order; absent unless the event gave the field.
struct TemplateEvent {
    uint32_t template_type_id = 0;
    uint32_t template_type_version = 0;
    // "windows/process_creation": the logsource it was mapped as.
    std::string logsource;
    std::vector<InputValue> inputs;
};

// One JSON event.
struct Event {
    // 0-based position in its file.
    size_t index = 0;
    // Its opening brace.
    Location location;
    std::string channel;
    std::optional<uint64_t> event_id;
    // Once per logsource whose selector it meets (Sysmon's event 13 is
    // registry_set and registry_event); empty when it meets none.
    std::vector<TemplateEvent> mapped;
};

struct EventFile {
    std::string file;
    std::vector<Event> events;
};

// Reads the events of `text`: one JSON value, or several one after another
// (JSON lines, or pretty-printed objects back to back); an array's
// elements are events. The diagnostics: RW1050 for text that is not JSON
// (the file then has no events), RW1051 for a key given twice, RW1055 for a
// file without events; RW1052 and RW1053 for one event, which is then left
// out while the others are read. Every one at the file, line and column.
[[nodiscard]] Result<EventFile> parse_events(std::string_view text, const std::string& file,
                                             const EventMapping& mapping,
                                             const EventLimits& limits = {});
// The same from a file (RW0001, RW0002 when it cannot be read).
[[nodiscard]] Result<EventFile> load_events(const std::string& path, const EventMapping& mapping,
                                            const EventLimits& limits = {});

// The ringward_input array a sensor build hands for `event`: one input per
// input the build supplies for the template type, typed as its table says,
// absent unless the event has a value of that type. The inputs point into
// `event`, which must outlive them.
std::vector<ringward_input> inputs_for(const TemplateEvent& event,
                                       const ringward_template_support& support);

// One instance that matched one event.
struct Hit {
    std::string file;
    size_t event_index = 0;
    Location location;
    uint32_t template_type_id = 0;
    uint32_t template_type_version = 0;
    // 0 for an instance in no rule.
    uint32_t rule_id = 0;
    // From the content's source, when it is one and the rule has a name.
    std::string rule_name;
    uint32_t instance_id = 0;
};

struct MatchSummary {
    // The sensor build the events ran on.
    std::string build;
    size_t files = 0;
    size_t events = 0;
    // Events mapped to at least one template type, and the (event,
    // template type) pairs that went through ringward_match.
    size_t events_mapped = 0;
    size_t evaluations = 0;
    // (event, template type) pairs the build has no template type for: a
    // sensor of that build never hands such an event.
    size_t evaluations_unsupplied = 0;
    // Evaluations the interpreter refused (RW1056).
    size_t evaluations_refused = 0;
    // Events on which at least one instance matched, and the hits.
    size_t events_matched = 0;
    size_t hits = 0;
    // Summed over the evaluations (ringward_match_result): instances the
    // loader skipped or the accessor refused.
    uint64_t instances_skipped = 0;
    uint64_t instances_refused = 0;
};

// What `ringward match` does: loads the target, validates the content as
// `validate` does (a source compiled first; an envelope's blob), loads the
// mapping against the registry, then loads the content as the chosen
// sensor build's agent would (signed with a throwaway key, ringward_load
// with the build's table) and runs every event of every file through
// ringward_match, calling `on_hit` for each matching instance in event
// order. `sensor_version` picks the build among the manifests the content
// targets; empty: the newest of them. nullopt when nothing could run (the
// report says why); otherwise the summary, with the findings about events
// in the report.
struct MatchRequest {
    TargetPaths target;
    std::string content;
    InputOptions input;
    std::string mapping;
    std::vector<std::string> events;
    std::string sensor_version;
    EventLimits limits;
};
[[nodiscard]] std::optional<MatchSummary> match_files(
    const MatchRequest& request, Report& report, SourceTexts& sources,
    const std::function<void(const Hit&)>& on_hit,
    const std::function<void(const ringward_event&)>& on_event = {});

// "97 events in 90 files on sensor build 7.14.18600: 95 mapped, 98
// evaluations, 40 events matched (41 hits)".
std::string match_summary_line(const MatchSummary& summary);

}  // namespace ringward::events
