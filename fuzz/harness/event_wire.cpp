// The event wire decoder (event_wire.h) on arbitrary bytes, and the encoder
// against it.
//   1. The bytes are decoded as they are, from an exact-size copy (ASan sees
//      any read past it) into an input array of the declared capacity (and
//      any write past it). A refusal points inside the bytes and leaves no
//      event; an acceptance points only into the bytes and the array, and
//      re-encodes to exactly the same bytes: the encoding is canonical.
//   2. The bytes are read as a recipe for an event (template, then per
//      input: type, presence, a length byte, the value), which is encoded
//      and decoded again: decode(encode(e)) is e.
#include <algorithm>
#include <cstring>
#include <memory>

#include "harness/targets.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/event_wire.hpp"

namespace {

using namespace ringward;

void decode_as_is(const uint8_t* data, size_t size) {
    if (size < 1) {
        return;
    }
    const size_t capacity = data[0] % 17;  // small, so that TOO_MANY_INPUTS is reached
    const std::vector<uint8_t> bytes(data + 1, data + size);
    const auto inputs = std::make_unique<ringward_input[]>(capacity);
    ringward_event event{};
    size_t offset = 12345;
    const ringward_event_status status =
        ringward_event_decode(bytes.data(), bytes.size(), inputs.get(), capacity, &event, &offset);
    fuzz::require(std::strcmp(ringward_event_status_name(status), "?") != 0, "an unnamed status");
    if (status != RINGWARD_EVENT_OK) {
        fuzz::require(status <= RINGWARD_EVENT_E_TRAILING_BYTES,
                      "a decoder status of the evaluator");
        fuzz::require(offset <= bytes.size(), "a refusal offset outside the event");
        fuzz::require(event.inputs == nullptr && event.input_count == 0, "a refusal left an event");
        return;
    }
    fuzz::require(event.input_count <= capacity, "more inputs than the array holds");
    for (size_t i = 0; i < event.input_count; ++i) {
        const ringward_input& in = event.inputs[i];
        if (in.data != nullptr) {
            fuzz::require(in.data >= bytes.data() && in.size <= bytes.size() &&
                              static_cast<size_t>(in.data - bytes.data()) <= bytes.size() - in.size,
                          "an input pointing outside the event");
        }
    }
    const auto again = encode_event(event);
    fuzz::require(again.has_value() && *again == bytes,
                  "an accepted event that re-encodes otherwise");
}

void round_trip(const uint8_t* data, size_t size) {
    if (size < 8) {
        return;
    }
    ringward_event event{};
    event.template_type_id = core::load_u32(data);
    event.template_type_version = core::load_u32(data + 4);
    std::vector<ringward_input> inputs;
    size_t off = 8;
    while (size - off >= 3) {
        ringward_input in{};
        in.type = data[off] % 8u;  // 0 has no encoding
        in.present = data[off + 1] & 1u;
        const size_t want = data[off + 2];
        off += 3;
        const size_t len = std::min(want, size - off);
        const uint8_t* value = data + off;
        off += len;
        uint8_t word[16] = {};
        std::memcpy(word, value, std::min<size_t>(len, sizeof(word)));
        in.number = core::load_u64(word);
        std::memcpy(in.address, word, sizeof(in.address));
        in.data = len > 0 ? value : nullptr;
        in.size = len;
        inputs.push_back(in);
    }
    event.inputs = inputs.data();
    event.input_count = inputs.size();
    const auto bytes = encode_event(event);
    bool encodable = true;
    for (const ringward_input& in : inputs) {
        encodable = encodable && in.type != 0;
    }
    fuzz::require(bytes.has_value() == encodable, "the encoder refused an encodable event");
    if (!bytes) {
        return;
    }
    std::vector<ringward_input> decoded(inputs.size());
    ringward_event back{};
    size_t offset = 0;
    const ringward_event_status status = ringward_event_decode(
        bytes->data(), bytes->size(), decoded.data(), decoded.size(), &back, &offset);
    fuzz::require(status == RINGWARD_EVENT_OK, "the decoder refused the encoder's event");
    fuzz::require(same_event(event, back), "decode(encode(e)) is not e");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    decode_as_is(data, size);
    round_trip(data, size);
    return 0;
}
