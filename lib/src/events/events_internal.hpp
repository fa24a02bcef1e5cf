// The event mapping as the reader uses it (events.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringward/events.hpp"

namespace ringward::events {
namespace detail {

// mapping.proto's EventSelector.
struct Selector {
    std::string channel;
    std::vector<uint32_t> event_ids;
    std::string field;
    std::vector<std::string> values;
};

// A Sigma field (the event's field of that name) and its template field.
struct MappedInput {
    std::string event_field;
    uint16_t index = 0;
    format::Kind kind = format::Kind::none;
};

struct LogsourceEvents {
    // "windows/process_creation".
    std::string name;
    std::vector<Selector> selectors;
    uint32_t template_type_id = 0;
    uint32_t template_type_version = 0;
    // The registry's type of every field of the template type, in order.
    std::vector<format::Kind> field_kinds;
    std::vector<MappedInput> inputs;
};

}  // namespace detail

struct EventMapping::Impl {
    // In mapping order; logsources without selectors are left out.
    std::vector<detail::LogsourceEvents> logsources;
};

}  // namespace ringward::events
