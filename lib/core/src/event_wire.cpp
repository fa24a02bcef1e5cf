// The event decoder (event_wire.h, docs/event-wire.md). Written like the
// reader: every bound goes through fits(), as a subtraction that cannot
// overflow, and every refusal through refuse(), which zeroes the outputs so a
// caller that ignores the status still sees no half-decoded event.
#include "ringward/event_wire.h"

#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"

namespace {

using ringward::core::load_u16;
using ringward::core::load_u32;
using ringward::core::load_u64;

struct StatusText {
    const char* name;
    const char* message;
};
constexpr StatusText kStatus[] = {
    {"event-ok", ""},
#define RINGWARD_EVENT_STATUS(number, ID, id, name, message) {name, message},
#include "ringward/event_status.def"
#undef RINGWARD_EVENT_STATUS
};
constexpr uint32_t kStatusCount = sizeof(kStatus) / sizeof(kStatus[0]);
// The numbers in event_status.def must run 1, 2, 3, ... for the table.
#define RINGWARD_EVENT_STATUS(number, ID, id, name, message) \
    static_assert(RINGWARD_EVENT_E_##ID == number && number < kStatusCount);
#include "ringward/event_status.def"
#undef RINGWARD_EVENT_STATUS

constexpr uint8_t kMagic[4] = {'R', 'W', 'E', 'V'};

// Whether `len` bytes start at `off` inside `size`; `off <= size` holds for
// every caller (each offset is one that fit before), so the subtraction
// cannot wrap.
bool fits(size_t off, size_t len, size_t size) {
    return off <= size && len <= size - off;
}

struct Decoder {
    const uint8_t* data;
    size_t size;
    ringward_input* inputs;
    size_t input_capacity;
    ringward_event* event;
    size_t* error_offset;

    ringward_event_status refuse(ringward_event_status status, size_t offset) const {
        *event = ringward_event{};
        for (size_t i = 0; i < input_capacity; ++i) {
            inputs[i] = ringward_input{};
        }
        *error_offset = offset;
        return status;
    }
};

bool known_type(uint8_t type) {
    return type >= RINGWARD_TYPE_INT && type <= RINGWARD_TYPE_IP;
}

// The value length a present input of `type` must have; 0 for the
// variable-length types, whose length is their own.
uint32_t fixed_length(uint8_t type) {
    switch (type) {
        case RINGWARD_TYPE_INT:
        case RINGWARD_TYPE_UINT:
        case RINGWARD_TYPE_BOOL:
            return 8;
        case RINGWARD_TYPE_IP:
            return 16;
        default:
            return 0;
    }
}

}  // namespace

extern "C" {

const char* ringward_event_status_name(ringward_event_status status) {
    const auto n = static_cast<uint32_t>(status);
    return n < kStatusCount ? kStatus[n].name : "?";
}

const char* ringward_event_status_message(ringward_event_status status) {
    const auto n = static_cast<uint32_t>(status);
    return n < kStatusCount ? kStatus[n].message : "";
}

ringward_event_status ringward_event_decode(const uint8_t* data, size_t size,
                                            ringward_input* inputs, size_t input_capacity,
                                            ringward_event* event, size_t* error_offset) {
    if (event == nullptr || error_offset == nullptr || (data == nullptr && size > 0) ||
        (inputs == nullptr && input_capacity > 0)) {
        ringward::core::contract_violation();
    }
    const Decoder d{data, size, inputs, input_capacity, event, error_offset};
    if (!fits(0, RINGWARD_EVENT_WIRE_HEADER_BYTES, size)) {
        return d.refuse(RINGWARD_EVENT_E_TRUNCATED, 0);
    }
    if (__builtin_memcmp(data, kMagic, sizeof(kMagic)) != 0) {
        return d.refuse(RINGWARD_EVENT_E_BAD_MAGIC, 0);
    }
    if (load_u16(data + 4) != RINGWARD_EVENT_WIRE_VERSION) {
        return d.refuse(RINGWARD_EVENT_E_UNSUPPORTED_VERSION, 4);
    }
    if (load_u16(data + 6) != 0) {
        return d.refuse(RINGWARD_EVENT_E_RESERVED_NONZERO, 6);
    }
    if (load_u32(data + 20) != 0) {
        return d.refuse(RINGWARD_EVENT_E_RESERVED_NONZERO, 20);
    }
    const uint32_t count = load_u32(data + 16);
    // Before any input is read: the array is the caller's, and nothing may
    // be written past its end.
    if (count > input_capacity) {
        return d.refuse(RINGWARD_EVENT_E_TOO_MANY_INPUTS, 16);
    }
    size_t off = RINGWARD_EVENT_WIRE_HEADER_BYTES;
    for (uint32_t i = 0; i < count; ++i) {
        if (!fits(off, RINGWARD_EVENT_WIRE_INPUT_HEADER_BYTES, size)) {
            return d.refuse(RINGWARD_EVENT_E_TRUNCATED, off);
        }
        const uint8_t type = data[off];
        const uint8_t present = data[off + 1];
        const uint32_t length = load_u32(data + off + 4);
        if (!known_type(type)) {
            return d.refuse(RINGWARD_EVENT_E_UNKNOWN_TYPE, off);
        }
        if (present > 1) {
            return d.refuse(RINGWARD_EVENT_E_BAD_PRESENCE, off + 1);
        }
        if (load_u16(data + off + 2) != 0) {
            return d.refuse(RINGWARD_EVENT_E_RESERVED_NONZERO, off + 2);
        }
        const uint32_t fixed = fixed_length(type);
        if ((present == 0 && length != 0) || (present == 1 && fixed != 0 && length != fixed)) {
            return d.refuse(RINGWARD_EVENT_E_BAD_LENGTH, off + 4);
        }
        const size_t value = off + RINGWARD_EVENT_WIRE_INPUT_HEADER_BYTES;
        if (!fits(value, length, size)) {
            return d.refuse(RINGWARD_EVENT_E_TRUNCATED, value);
        }
        ringward_input& in = inputs[i];
        in = ringward_input{};
        in.type = type;
        in.present = present;
        if (present == 1) {
            switch (type) {
                case RINGWARD_TYPE_INT:
                case RINGWARD_TYPE_UINT:
                    in.number = load_u64(data + value);
                    break;
                case RINGWARD_TYPE_BOOL:
                    in.number = load_u64(data + value);
                    if (in.number > 1) {
                        return d.refuse(RINGWARD_EVENT_E_BAD_BOOL, value);
                    }
                    break;
                case RINGWARD_TYPE_IP:
                    __builtin_memcpy(in.address, data + value, sizeof(in.address));
                    break;
                default:  // string, bytes, enum: the bytes stay where they are
                    in.data = data + value;
                    in.size = length;
                    break;
            }
        }
        off = value + length;
    }
    if (off != size) {
        return d.refuse(RINGWARD_EVENT_E_TRAILING_BYTES, off);
    }
    event->template_type_id = load_u32(data + 8);
    event->template_type_version = load_u32(data + 12);
    event->inputs = inputs;
    event->input_count = count;
    *error_offset = 0;
    return RINGWARD_EVENT_OK;
}

}  // extern "C"
