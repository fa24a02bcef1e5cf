// A template type with one field of every kind, content for it written with
// BlobWriter, loaded through the real loader, and events on it.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/match_reference.hpp"
#include "ringward/compile.hpp"
#include "ringward/match.h"

namespace ringward::test {

using format::Kind;
using format::Op;
using fuzz::Event;
using fuzz::Input;
using fuzz::LoadedContent;
using fuzz::SensorTemplate;
using fuzz::Verdict;

// Template type 10 version 1, as the sensor supplies it.
enum Field : uint16_t {
    kInt = 0,
    kUint = 1,
    kBool = 2,
    kString = 3,
    kBytes = 4,
    kEnum = 5,
    kIp = 6,
    kString2 = 7,
    kBytes2 = 8,
    kFieldCount = 9,
};
// `unit` `times` times over: long inputs and patterns for the bound.
inline std::string repeat(std::string_view unit, size_t times) {
    std::string out;
    for (size_t i = 0; i < times; ++i) {
        out += unit;
    }
    return out;
}

inline constexpr uint32_t kTemplate = 10;
inline constexpr uint32_t kVersion = 1;

inline std::vector<uint8_t> field_types() {
    return {RINGWARD_TYPE_INT,    RINGWARD_TYPE_UINT,   RINGWARD_TYPE_BOOL,
            RINGWARD_TYPE_STRING, RINGWARD_TYPE_BYTES,  RINGWARD_TYPE_ENUM,
            RINGWARD_TYPE_IP,     RINGWARD_TYPE_STRING, RINGWARD_TYPE_BYTES};
}

inline std::vector<SensorTemplate> sensor() {
    return {SensorTemplate{kTemplate, kVersion, field_types()}};
}

inline const char* field_name(uint16_t field) {
    static const char* const names[] = {"pid",  "uid",    "elevated", "command", "blob",
                                        "mode", "remote", "parent",   "blob2"};
    return field < kFieldCount ? names[field] : "extra";
}

inline CriterionPlace place(uint16_t field, uint16_t group = 0, bool negate = false) {
    return CriterionPlace{field_name(field), field, group, negate};
}

inline std::array<uint8_t, 16> v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    std::array<uint8_t, 16> out{};
    out[10] = 0xff;
    out[11] = 0xff;
    out[12] = a;
    out[13] = b;
    out[14] = c;
    out[15] = d;
    return out;
}
inline IpValue net(std::array<uint8_t, 16> address, uint8_t prefix_len) {
    IpValue ip;
    ip.address = address;
    ip.prefix_len = prefix_len;
    return ip;
}
inline std::array<uint8_t, 16> doc6(uint8_t last) {
    std::array<uint8_t, 16> out{0x20, 0x01, 0x0d, 0xb8};
    out[15] = last;
    return out;
}

// Inputs with ordinary values, every one present.
inline Event event() {
    Event e{kTemplate, kVersion, {}};
    const auto types = field_types();
    for (uint16_t f = 0; f < kFieldCount; ++f) {
        Input in;
        in.type = types[f];
        e.inputs.push_back(in);
    }
    e.inputs[kInt].number = static_cast<uint64_t>(int64_t{-5});
    e.inputs[kUint].number = 1000;
    e.inputs[kBool].number = 1;
    e.inputs[kString].bytes = "C:\\Windows\\System32\\cmd.exe";
    e.inputs[kBytes].bytes = std::string("\x00\xff\x10", 3);
    e.inputs[kEnum].bytes = "READ";
    e.inputs[kIp].address = v4(10, 1, 2, 3);
    e.inputs[kString2].bytes = "C:\\Windows";
    e.inputs[kBytes2].bytes = std::string("\x00\xff", 2);
    return e;
}

// Builds content: instances added by the callback, in id order.
struct Content {
    BlobWriter writer{BlobHeaderFields{293, 1, 0, ~uint64_t{0}}};

    // An instance of template 10 with all its fields declared.
    Content& instance(uint32_t id, uint32_t rule = 0, uint16_t exclusions = 0,
                      uint16_t field_count = kFieldCount, uint32_t template_id = kTemplate) {
        writer.add_instance(BlobInstance{id, template_id, kVersion, rule, field_count, exclusions});
        return *this;
    }
    std::unique_ptr<LoadedContent> load(std::vector<SensorTemplate> table = sensor()) {
        auto loaded = fuzz::load_blob(writer.finish(), std::move(table));
        REQUIRE(loaded->status == RINGWARD_OK);
        return loaded;
    }
};

inline ringward_match_plan plan_for(const LoadedContent& c, uint32_t max_input = 0,
                                    uint32_t max_rules = 0) {
    ringward_match_limits limits{max_input, max_rules};
    ringward_match_plan plan{};
    REQUIRE(ringward_match_prepare(&c.loaded, &limits, &plan) == 0);
    return plan;
}

// Runs the event through ringward_match, every instance in turn and with
// the index, and through the reference; requires that all three agree and
// that the steps stay within the plan's bound both ways, and returns
// ringward_match's verdict (without the index).
inline Verdict match(const LoadedContent& c, const Event& e, uint32_t max_input = 0) {
    const ringward_match_plan plan = plan_for(c, max_input);
    const Verdict ours = fuzz::run_match(c, plan, e);
    const Verdict theirs = fuzz::reference_match(c, e, plan.limits.max_input_bytes_incl);
    CHECK(fuzz::agrees(ours, theirs, plan.limits.max_rule_hits_incl));
    CHECK(ours.steps <= plan.max_steps);
    const auto indexed = fuzz::index_plan(c, plan);
    REQUIRE(indexed->status == RINGWARD_MATCH_OK);
    const Verdict fast = fuzz::run_match(c, indexed->plan, e);
    CHECK(fuzz::same_verdict(fast, ours));
    CHECK(fast.steps <= plan.max_steps);
    return ours;
}

}  // namespace ringward::test
