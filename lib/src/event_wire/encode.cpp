// The event encoder: the exact inverse of ringward_event_decode, so that
// decode(encode(e)) is e (fuzz/harness/event_wire.cpp checks it).
#include <cstring>
#include <limits>

#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/event_wire.hpp"

namespace ringward {
namespace {

using core::store_u16;
using core::store_u32;

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
    uint8_t b[2];
    store_u16(b, v);
    out.insert(out.end(), b, b + 2);
}
void put_u32(std::vector<uint8_t>& out, uint32_t v) {
    uint8_t b[4];
    store_u32(b, v);
    out.insert(out.end(), b, b + 4);
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
    put_u32(out, static_cast<uint32_t>(v));
    put_u32(out, static_cast<uint32_t>(v >> 32));
}

bool is_variable(uint32_t type) {
    return type == RINGWARD_TYPE_STRING || type == RINGWARD_TYPE_BYTES ||
           type == RINGWARD_TYPE_ENUM;
}

}  // namespace

std::optional<std::vector<uint8_t>> encode_event(const ringward_event& event) {
    if (event.inputs == nullptr && event.input_count > 0) {
        core::contract_violation();
    }
    if (event.input_count > std::numeric_limits<uint32_t>::max()) {
        return std::nullopt;
    }
    std::vector<uint8_t> out;
    out.reserve(RINGWARD_EVENT_WIRE_HEADER_BYTES +
                event.input_count * (RINGWARD_EVENT_WIRE_INPUT_HEADER_BYTES + 16));
    out.insert(out.end(), {'R', 'W', 'E', 'V'});
    put_u16(out, RINGWARD_EVENT_WIRE_VERSION);
    put_u16(out, 0);
    put_u32(out, event.template_type_id);
    put_u32(out, event.template_type_version);
    put_u32(out, static_cast<uint32_t>(event.input_count));
    put_u32(out, 0);
    for (size_t i = 0; i < event.input_count; ++i) {
        const ringward_input& in = event.inputs[i];
        if (in.type < RINGWARD_TYPE_INT || in.type > RINGWARD_TYPE_IP) {
            return std::nullopt;
        }
        const bool present = in.present != 0;
        out.push_back(static_cast<uint8_t>(in.type));
        out.push_back(present ? 1 : 0);
        put_u16(out, 0);
        if (!present) {
            put_u32(out, 0);
            continue;
        }
        switch (in.type) {
            case RINGWARD_TYPE_INT:
            case RINGWARD_TYPE_UINT:
                put_u32(out, 8);
                put_u64(out, in.number);
                break;
            case RINGWARD_TYPE_BOOL:
                put_u32(out, 8);
                put_u64(out, in.number != 0 ? 1 : 0);
                break;
            case RINGWARD_TYPE_IP:
                put_u32(out, 16);
                out.insert(out.end(), in.address, in.address + sizeof(in.address));
                break;
            default:
                if (in.size > std::numeric_limits<uint32_t>::max() ||
                    (in.data == nullptr && in.size > 0)) {
                    return std::nullopt;
                }
                put_u32(out, static_cast<uint32_t>(in.size));
                if (in.size > 0) {
                    out.insert(out.end(), in.data, in.data + in.size);
                }
                break;
        }
    }
    return out;
}

bool same_event(const ringward_event& a, const ringward_event& b) {
    if (a.template_type_id != b.template_type_id ||
        a.template_type_version != b.template_type_version || a.input_count != b.input_count) {
        return false;
    }
    for (size_t i = 0; i < a.input_count; ++i) {
        const ringward_input& x = a.inputs[i];
        const ringward_input& y = b.inputs[i];
        if (x.type != y.type || (x.present != 0) != (y.present != 0)) {
            return false;
        }
        if (x.present == 0) {
            continue;
        }
        switch (x.type) {
            case RINGWARD_TYPE_BOOL:
                if ((x.number != 0) != (y.number != 0)) {
                    return false;
                }
                break;
            case RINGWARD_TYPE_IP:
                if (std::memcmp(x.address, y.address, sizeof(x.address)) != 0) {
                    return false;
                }
                break;
            default:
                if (is_variable(x.type)) {
                    if (x.size != y.size ||
                        (x.size > 0 && std::memcmp(x.data, y.data, x.size) != 0)) {
                        return false;
                    }
                } else if (x.number != y.number) {
                    return false;
                }
                break;
        }
    }
    return true;
}

}  // namespace ringward
