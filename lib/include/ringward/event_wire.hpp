// The hosted side of the event wire encoding (docs/event-wire.md): what a
// sensor's user space, a test or a tool uses to hand an event to an
// evaluator that decodes it with ringward_event_decode (event_wire.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ringward/event_wire.h"

namespace ringward {

// The wire encoding of `event`. Returns std::nullopt when the event has none:
// an input type outside 1-7, more than UINT32_MAX inputs, a string, bytes or
// enum value longer than UINT32_MAX bytes, or one with size > 0 and data
// NULL. A present bool is encoded as 1 for any non-zero number, as
// ringward_match reads it. Contract: event.inputs is not NULL when
// event.input_count > 0.
[[nodiscard]] std::optional<std::vector<uint8_t>> encode_event(const ringward_event& event);

// Whether a and b carry the same event as the wire sees it: the same template
// type and version, the same number of inputs, and each input of the same
// type and presence with the same value (a bool compared as 0 or 1; nothing
// of an absent input but its type).
[[nodiscard]] bool same_event(const ringward_event& a, const ringward_event& b);

}  // namespace ringward
