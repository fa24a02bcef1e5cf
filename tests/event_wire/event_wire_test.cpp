// The event wire encoding (docs/event-wire.md): the encoder's bytes as the
// spec lays them out, decode(encode(e)) == e, and one crafted event per
// refusal with its exact status and byte offset, with a check that every
// decoder status of event_status.def has a case.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ringward/event_wire.hpp"

using namespace ringward;

namespace {

ringward_input present(uint32_t type, uint64_t number) {
    ringward_input in{};
    in.type = type;
    in.present = 1;
    in.number = number;
    return in;
}

ringward_input text(uint32_t type, const std::string& s) {
    ringward_input in{};
    in.type = type;
    in.present = 1;
    in.data = reinterpret_cast<const uint8_t*>(s.data());
    in.size = s.size();
    return in;
}

ringward_input absent(uint32_t type) {
    ringward_input in{};
    in.type = type;
    return in;
}

// The strings the sample's inputs point to.
const std::string kImage = "C:\\Windows\\System32\\cmd.exe";
const std::string kEnum = "ELEVATED";

// One input of every type and an absent one: the layout the refusals below
// are crafted from.
//   offset  0  header (24 bytes)
//          24  uint    8 + 8
//          40  int     8 + 8
//          56  bool    8 + 8
//          72  string  8 + 27
//         107  bytes   8 + 0
//         115  enum    8 + 8
//         131  ip      8 + 16
//         155  absent string: 8
//         163  end
std::vector<ringward_input> sample_inputs() {
    ringward_input ip{};
    ip.type = RINGWARD_TYPE_IP;
    ip.present = 1;
    const uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
    std::memcpy(ip.address, v4, sizeof(v4));
    return {present(RINGWARD_TYPE_UINT, 4242),
            present(RINGWARD_TYPE_INT, static_cast<uint64_t>(-7)),
            present(RINGWARD_TYPE_BOOL, 1),
            text(RINGWARD_TYPE_STRING, kImage),
            text(RINGWARD_TYPE_BYTES, ""),
            text(RINGWARD_TYPE_ENUM, kEnum),
            ip,
            absent(RINGWARD_TYPE_STRING)};
}

std::vector<uint8_t> sample_bytes() {
    const std::vector<ringward_input> inputs = sample_inputs();
    const ringward_event event{1, 3, inputs.data(), inputs.size()};
    auto bytes = encode_event(event);
    REQUIRE(bytes.has_value());
    return *bytes;
}

struct Decoded {
    ringward_event_status status;
    size_t offset;
    ringward_event event;
    std::vector<ringward_input> inputs;
};

Decoded decode(const std::vector<uint8_t>& bytes, size_t capacity = 16) {
    Decoded d{RINGWARD_EVENT_OK, 0, {}, std::vector<ringward_input>(capacity)};
    d.status = ringward_event_decode(bytes.data(), bytes.size(), d.inputs.data(), capacity,
                                     &d.event, &d.offset);
    return d;
}

void put_u32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b[off + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
    }
}

}  // namespace

TEST_CASE("the encoder lays an event out as docs/event-wire.md says") {
    const std::vector<uint8_t> b = sample_bytes();
    REQUIRE(b.size() == 163);
    CHECK(std::memcmp(b.data(), "RWEV\x01\x00\x00\x00", 8) == 0);
    CHECK(b[8] == 1);   // template type id, little-endian
    CHECK(b[12] == 3);  // its version
    CHECK(b[16] == 8);  // input count
    CHECK(b[24] == RINGWARD_TYPE_UINT);
    CHECK(b[25] == 1);
    CHECK(b[28] == 8);
    CHECK(b[32] == (4242 & 0xff));
    CHECK(b[33] == (4242 >> 8));
    CHECK(b[76] == kImage.size());
    CHECK(std::memcmp(b.data() + 80, kImage.data(), kImage.size()) == 0);
    CHECK(b[155] == RINGWARD_TYPE_STRING);
    CHECK(b[156] == 0);
    CHECK(b[159] == 0);
}

TEST_CASE("decode(encode(e)) is e, and the strings point into the caller's buffer") {
    const std::vector<ringward_input> inputs = sample_inputs();
    const ringward_event event{1, 3, inputs.data(), inputs.size()};
    const std::vector<uint8_t> bytes = sample_bytes();
    const Decoded d = decode(bytes);
    REQUIRE(d.status == RINGWARD_EVENT_OK);
    CHECK(d.offset == 0);
    CHECK(same_event(event, d.event));
    CHECK(d.event.inputs == d.inputs.data());
    CHECK(d.event.inputs[3].data == bytes.data() + 80);
    CHECK(d.event.inputs[7].present == 0);
    CHECK(d.event.inputs[7].data == nullptr);
    // An event with no inputs at all is one header.
    const ringward_event empty{9, 1, nullptr, 0};
    const auto header = encode_event(empty);
    REQUIRE(header.has_value());
    CHECK(header->size() == RINGWARD_EVENT_WIRE_HEADER_BYTES);
    const Decoded e = decode(*header, 0);
    CHECK(e.status == RINGWARD_EVENT_OK);
    CHECK(same_event(empty, e.event));
}

TEST_CASE("same_event tells events apart by every value the wire carries") {
    const std::vector<ringward_input> inputs = sample_inputs();
    const ringward_event event{1, 3, inputs.data(), inputs.size()};
    for (size_t i = 0; i < inputs.size(); ++i) {
        std::vector<ringward_input> other = inputs;
        const std::string changed = "C:\\Windows\\System32\\cmd.exf";
        if (other[i].type == RINGWARD_TYPE_IP) {
            other[i].address[15] ^= 1;
        } else if (other[i].data != nullptr && other[i].size > 0) {
            other[i].data = reinterpret_cast<const uint8_t*>(changed.data());
        } else {
            other[i].present ^= 1;
        }
        INFO("input " << i);
        CHECK_FALSE(same_event(event, {1, 3, other.data(), other.size()}));
    }
    CHECK_FALSE(same_event(event, {1, 4, inputs.data(), inputs.size()}));
    CHECK_FALSE(same_event(event, {1, 3, inputs.data(), inputs.size() - 1}));
}

TEST_CASE("the encoder refuses what has no encoding, and encodes a bool as 0 or 1") {
    ringward_input bad = absent(0);
    CHECK_FALSE(encode_event({1, 1, &bad, 1}).has_value());
    bad.type = 8;
    CHECK_FALSE(encode_event({1, 1, &bad, 1}).has_value());
    ringward_input null_data = text(RINGWARD_TYPE_STRING, "x");
    null_data.data = nullptr;
    CHECK_FALSE(encode_event({1, 1, &null_data, 1}).has_value());
    const ringward_input seven = present(RINGWARD_TYPE_BOOL, 7);
    const auto bytes = encode_event({1, 1, &seven, 1});
    REQUIRE(bytes.has_value());
    CHECK((*bytes)[32] == 1);
    CHECK(decode(*bytes).status == RINGWARD_EVENT_OK);
}

TEST_CASE("every refusal has its status and the offset of the byte at fault") {
    struct Case {
        const char* what;
        ringward_event_status status;
        size_t offset;
        std::vector<uint8_t> bytes;
        size_t capacity;
    };
    const std::vector<uint8_t> good = sample_bytes();
    auto with = [&](size_t off, uint8_t value) {
        std::vector<uint8_t> b = good;
        b[off] = value;
        return b;
    };
    auto cut = [&](size_t n) {
        return std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(n));
    };
    std::vector<uint8_t> long_string = good;
    put_u32(long_string, 76, 1000);
    std::vector<uint8_t> trailing = good;
    trailing.push_back(0);
    std::vector<uint8_t> uint_short = good;
    put_u32(uint_short, 28, 4);
    std::vector<uint8_t> absent_with_value = good;
    put_u32(absent_with_value, 159, 1);
    absent_with_value.push_back('x');
    std::vector<uint8_t> fewer_inputs = good;
    put_u32(fewer_inputs, 16, 7);  // the last input's 8 bytes are then trailing

    const std::vector<Case> cases = {
        {"empty", RINGWARD_EVENT_E_TRUNCATED, 0, {}, 16},
        {"header cut", RINGWARD_EVENT_E_TRUNCATED, 0, cut(23), 16},
        {"input header cut", RINGWARD_EVENT_E_TRUNCATED, 24, cut(31), 16},
        {"value cut", RINGWARD_EVENT_E_TRUNCATED, 32, cut(39), 16},
        {"last input header cut", RINGWARD_EVENT_E_TRUNCATED, 155, cut(160), 16},
        {"string longer than what is left", RINGWARD_EVENT_E_TRUNCATED, 80, long_string, 16},
        {"magic", RINGWARD_EVENT_E_BAD_MAGIC, 0, with(3, 'W'), 16},
        {"version 2", RINGWARD_EVENT_E_UNSUPPORTED_VERSION, 4, with(4, 2), 16},
        {"version high byte", RINGWARD_EVENT_E_UNSUPPORTED_VERSION, 4, with(5, 1), 16},
        {"header reserved", RINGWARD_EVENT_E_RESERVED_NONZERO, 6, with(7, 1), 16},
        {"header reserved word", RINGWARD_EVENT_E_RESERVED_NONZERO, 20, with(23, 0x80), 16},
        {"input reserved", RINGWARD_EVENT_E_RESERVED_NONZERO, 58, with(59, 1), 16},
        {"more inputs than the array", RINGWARD_EVENT_E_TOO_MANY_INPUTS, 16, good, 7},
        {"no array at all", RINGWARD_EVENT_E_TOO_MANY_INPUTS, 16, good, 0},
        {"type 0", RINGWARD_EVENT_E_UNKNOWN_TYPE, 40, with(40, 0), 16},
        {"type 8", RINGWARD_EVENT_E_UNKNOWN_TYPE, 131, with(131, 8), 16},
        {"presence 2", RINGWARD_EVENT_E_BAD_PRESENCE, 73, with(73, 2), 16},
        {"uint of 4 bytes", RINGWARD_EVENT_E_BAD_LENGTH, 28, uint_short, 16},
        {"ip of 17 bytes", RINGWARD_EVENT_E_BAD_LENGTH, 135, with(135, 17), 16},
        {"absent with a value", RINGWARD_EVENT_E_BAD_LENGTH, 159, absent_with_value, 16},
        {"bool 2", RINGWARD_EVENT_E_BAD_BOOL, 64, with(64, 2), 16},
        {"bool high bit", RINGWARD_EVENT_E_BAD_BOOL, 64, with(71, 0x80), 16},
        {"a byte after the last input", RINGWARD_EVENT_E_TRAILING_BYTES, 163, trailing, 16},
        {"input count one short", RINGWARD_EVENT_E_TRAILING_BYTES, 155, fewer_inputs, 16},
    };
    std::set<ringward_event_status> seen;
    for (const Case& c : cases) {
        INFO(c.what);
        const Decoded d = decode(c.bytes, c.capacity);
        CHECK(d.status == c.status);
        CHECK(d.offset == c.offset);
        CHECK(std::string(ringward_event_status_name(d.status)) !=
              ringward_event_status_name(RINGWARD_EVENT_OK));
        // A refusal leaves neither an event nor a half-filled array.
        CHECK(d.event.inputs == nullptr);
        CHECK(d.event.input_count == 0);
        CHECK(d.event.template_type_id == 0);
        for (const ringward_input& in : d.inputs) {
            CHECK(in.type == 0);
            CHECK(in.data == nullptr);
        }
        seen.insert(d.status);
    }
    // Every refusal the decoder has, derived from the table, has a case.
#define RINGWARD_EVENT_STATUS(number, ID, id, name, message)        \
    if (RINGWARD_EVENT_E_##ID <= RINGWARD_EVENT_E_TRAILING_BYTES) { \
        INFO(name);                                                 \
        CHECK(seen.count(RINGWARD_EVENT_E_##ID) == 1);              \
    }
#include "ringward/event_status.def"
#undef RINGWARD_EVENT_STATUS
}

TEST_CASE("status names and messages come from event_status.def") {
    CHECK(std::string(ringward_event_status_name(RINGWARD_EVENT_OK)) == "event-ok");
    CHECK(std::string(ringward_event_status_name(RINGWARD_EVENT_E_TRUNCATED)) == "event-truncated");
    CHECK(std::string(ringward_event_status_name(RINGWARD_EVENT_E_MATCH_REFUSED)) ==
          "event-match-refused");
    CHECK(std::string(ringward_event_status_message(RINGWARD_EVENT_OK)).empty());
    CHECK_FALSE(std::string(ringward_event_status_message(RINGWARD_EVENT_E_BAD_BOOL)).empty());
}
