// The step bound (docs/interpreter.md): on content and inputs built to be
// expensive, the steps ringward_match counts never exceed the plan's
// max_steps; and the 291 case at run time, never read and counted.
#include <catch2/catch.hpp>

#include <random>

#include "match/match_fixture.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

// The event with every string and bytes input at `length` bytes of 'a'.
Event long_event(size_t length) {
    Event e = event();
    for (uint16_t f : {kString, kBytes, kEnum, kString2, kBytes2}) {
        e.inputs[f].bytes = repeat("a", length);
    }
    return e;
}

}  // namespace

TEST_CASE("the bound holds on content built to be expensive") {
    constexpr uint32_t kMaxInput = 2048;
    Content content;
    BlobWriter& w = content.writer;
    // Glob with many stars that fails only at the end: exponential for a
    // backtracking matcher, (n + 1) x m here.
    content.instance(1, 1);
    w.add_bytes(place(kString), Op::glob, Kind::string, repeat("*a", 40) + "b", false);
    // A needle that almost matches at every position.
    content.instance(2, 2);
    w.add_bytes(place(kString), Op::contains, Kind::string, repeat("a", 1000) + "b", true);
    // Any-of globs and contains, several criteria per field, negated.
    content.instance(3, 2, 1);
    {
        std::vector<std::string> values;
        for (int i = 0; i < 20; ++i) {
            values.push_back(repeat("*a", static_cast<size_t>(i) + 1) + "[!a]");
        }
        std::vector<std::string_view> views(values.begin(), values.end());
        REQUIRE_FALSE(w.add_any_of(place(kString, 0, true), Op::glob, Kind::string, views, false)
                          .has_value());
        REQUIRE_FALSE(
            w.add_any_of(place(kString2, 1), Op::contains, Kind::string, views, true).has_value());
    }
    w.add_field_ref(place(kBytes), Op::contains, Kind::bytes, field_name(kBytes2), kBytes2, false);
    // Large sets: the byte set is scanned, the IP set searched per prefix.
    content.instance(4, 3);
    {
        std::vector<std::string> members;
        for (int i = 0; i < 3000; ++i) {
            members.push_back(repeat("a", static_cast<size_t>(i % 50)) + std::to_string(i));
        }
        std::vector<std::string_view> views(members.begin(), members.end());
        REQUIRE_FALSE(w.add_byte_set(place(kEnum), Kind::enumeration, views, false).has_value());
        std::vector<IpValue> networks;
        for (int i = 0; i < 4000; ++i) {
            networks.push_back(
                net(v4(static_cast<uint8_t>(20 + i / 256), static_cast<uint8_t>(i), 0, 0), 112));
        }
        REQUIRE_FALSE(w.add_ip_set(place(kIp), networks).has_value());
        std::vector<uint64_t> numbers;
        for (uint64_t i = 0; i < 5000; ++i) {
            numbers.push_back(i * 3);
        }
        REQUIRE_FALSE(w.add_scalar_set(place(kUint), Kind::uint64, numbers).has_value());
    }
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded, kMaxInput);
    REQUIRE(plan.max_steps > 0);
    REQUIRE(plan.max_steps < (uint64_t{1} << 40));

    std::mt19937 random(12);
    uint64_t most = 0;
    for (size_t length : {size_t{0}, size_t{1}, size_t{999}, size_t{1001}, size_t{kMaxInput}}) {
        for (int variant = 0; variant < 4; ++variant) {
            Event e = long_event(length);
            if (variant == 1 && length > 0) {
                e.inputs[kString].bytes.back() = 'b';
            }
            if (variant == 2) {
                e.inputs[kBytes2].bytes.resize(length / 2);
            }
            if (variant == 3) {
                for (char& ch : e.inputs[kString].bytes) {
                    ch = "aA\xc3\xa9"[random() % 4];
                }
            }
            e.inputs[kIp].address = v4(30, 200, 1, 1);
            INFO("length " << length << " variant " << variant);
            const Verdict v = match(*loaded, e, kMaxInput);
            REQUIRE(v.status == RINGWARD_MATCH_OK);
            CHECK(v.steps <= plan.max_steps);
            most = std::max(most, v.steps);
        }
    }
    // The bound is an upper bound, and not a vacuous one: the worst event
    // spends a sizeable share of it.
    CHECK(most * 20 >= plan.max_steps);
}

TEST_CASE("an input longer than the plan's limit refuses the event") {
    Content content;
    content.instance(1);
    content.writer.add_bytes(place(kString), Op::contains, Kind::string, "a", false);
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded, 16);
    Event e = event();
    e.inputs[kBytes2].bytes = repeat("x", 17);
    const Verdict v = fuzz::run_match(*loaded, plan, e);
    CHECK(v.status == RINGWARD_MATCH_E_INPUT_TOO_LONG);
    CHECK(v.instances.empty());
    CHECK(v.steps <= plan.max_steps);
    e.inputs[kBytes2].present = false;  // absent: its size is not looked at
    e.inputs[kString].bytes = repeat("a", 16);
    CHECK(fuzz::run_match(*loaded, plan, e).instances.size() == 1);
}

TEST_CASE("the 291 case at run time: an input the event does not carry is never read") {
    // The sensor's table declares 9 inputs and the content uses the 9th;
    // this event carries only 8 (a sensor build that hands fewer inputs
    // than its own table says). The instance on the 9th is refused and
    // counted; the one on the 1st is evaluated.
    Content content;
    content.instance(1, 1);
    content.writer.add_scalar(place(kInt), Op::eq, Kind::int64, static_cast<uint64_t>(-5));
    content.instance(2, 2);
    content.writer.add_bytes(place(kBytes2), Op::eq, Kind::bytes, "x", false);
    content.instance(3, 3);  // a field reference to the 9th input
    content.writer.add_field_ref(place(kBytes), Op::prefix, Kind::bytes, field_name(kBytes2),
                                 kBytes2, false);
    content.instance(4, 4);  // negated: "absent" would hold, but it is not absent
    content.writer.add_valueless(place(kBytes2, 0, true), Op::exists, Kind::bytes);
    const auto loaded = content.load();
    REQUIRE(loaded->loaded.evaluable_count == 4);

    Event e = event();
    e.inputs.pop_back();
    // Guard pages would catch a read of the 9th input; an owned copy of 8
    // inputs with nothing after them is what AddressSanitizer checks here.
    const Verdict v = match(*loaded, e);
    CHECK(v.status == RINGWARD_MATCH_OK);
    CHECK(v.instances == std::vector<uint32_t>{1});
    CHECK(v.evaluated == 1);
    CHECK(v.refused == 3);

    // An input of another type than the table's is not read either.
    Event retyped = event();
    retyped.inputs[kBytes2].type = RINGWARD_TYPE_STRING;
    const Verdict r = match(*loaded, retyped);
    CHECK(r.refused == 3);
    CHECK(r.instances == std::vector<uint32_t>{1});
}

TEST_CASE("the 291 case at load: an instance the loader skips is counted, not evaluated") {
    // The template type declares 10 fields; the sensor supplies 9.
    Content content;
    content.instance(1, 1, 0, kFieldCount + 1);
    content.writer.add_scalar(place(kInt), Op::eq, Kind::int64, static_cast<uint64_t>(-5));
    content.instance(2, 2);
    content.writer.add_scalar(place(kInt), Op::eq, Kind::int64, static_cast<uint64_t>(-5));
    const auto loaded = content.load();
    CHECK(loaded->loaded.skipped_count == 1);
    const Verdict v = match(*loaded, event());
    CHECK(v.instances == std::vector<uint32_t>{2});
    CHECK(v.skipped == 1);
    CHECK(v.evaluated == 1);
}

TEST_CASE("ringward_match refuses a plan for other content and a short scratch") {
    Content a;
    a.instance(1);
    a.writer.add_bytes(place(kString), Op::glob, Kind::string, "*cmd*", false);
    const auto first = a.load();
    Content b;
    b.instance(1);
    const auto second = b.load();
    const ringward_match_plan plan = plan_for(*first);
    REQUIRE(plan.scratch_bytes > 0);
    CHECK(fuzz::run_match(*second, plan, event()).status == RINGWARD_MATCH_E_PLAN_MISMATCH);

    std::vector<ringward_input> inputs(1);
    const ringward_event e{kTemplate, kVersion, inputs.data(), 0};
    ringward_match_result r{};
    std::vector<uint64_t> scratch(plan.scratch_bytes / 8 + 1);
    CHECK(ringward_match(&first->loaded, &plan, &e, scratch.data(), plan.scratch_bytes - 8, &r) ==
          RINGWARD_MATCH_E_SCRATCH);
    CHECK(ringward_match(&first->loaded, &plan, &e, reinterpret_cast<uint8_t*>(scratch.data()) + 4,
                         plan.scratch_bytes, &r) == RINGWARD_MATCH_E_SCRATCH);
    CHECK(ringward_match(&first->loaded, &plan, &e, scratch.data(), plan.scratch_bytes, &r) ==
          RINGWARD_MATCH_OK);
    CHECK(std::string(ringward_match_status_name(RINGWARD_MATCH_E_SCRATCH)) == "scratch-too-small");
}

TEST_CASE("a plan needs content and limits in range") {
    ringward_loaded empty{};
    ringward_match_plan plan{};
    CHECK(ringward_match_prepare(&empty, nullptr, &plan) == -1);
    Content content;
    content.instance(1);
    const auto loaded = content.load();
    ringward_match_limits limits{RINGWARD_MAX_INPUT_BYTES_INCL + 1, 0};
    CHECK(ringward_match_prepare(&loaded->loaded, &limits, &plan) == -1);
    CHECK(plan.max_steps == 0);
    CHECK(ringward_match_prepare(&loaded->loaded, nullptr, &plan) == 0);
    CHECK(plan.limits.max_input_bytes_incl == RINGWARD_DEFAULT_MAX_VALUE_LENGTH_INCL);
    CHECK(plan.limits.max_rule_hits_incl == RINGWARD_DEFAULT_MAX_RULE_HITS);
}

TEST_CASE("a large IP set is searched once per prefix length, nested networks too") {
    // 3,000 members: more than the scan's break-even, so the per-prefix
    // binary search runs. /16s under 20.0.0.0/8, a /24 inside one of them,
    // host addresses, and 2001:db8::/32.
    std::vector<IpValue> networks;
    for (int i = 0; i < 2990; ++i) {
        networks.push_back(
            net(v4(static_cast<uint8_t>(40 + i / 256), static_cast<uint8_t>(i % 256), 0, 0), 112));
    }
    networks.push_back(net(v4(20, 0, 0, 0), 104));
    networks.push_back(net(v4(41, 7, 9, 0), 120));
    networks.push_back(net(v4(192, 0, 2, 7), 128));
    networks.push_back(net(doc6(0), 32));
    Content content;
    content.instance(1);
    REQUIRE_FALSE(content.writer.add_ip_set(place(kIp), networks).has_value());
    const auto loaded = content.load();
    const struct {
        std::array<uint8_t, 16> address;
        bool in;
    } cases[] = {
        {v4(20, 200, 1, 1), true},          {v4(21, 0, 0, 1), false},  {v4(41, 7, 9, 200), true},
        {v4(41, 7, 10, 1), true},           {v4(51, 173, 0, 1), true}, {v4(51, 174, 0, 1), false},
        {v4(192, 0, 2, 7), true},           {v4(192, 0, 2, 8), false}, {doc6(77), true},
        {std::array<uint8_t, 16>{}, false},
    };
    for (const auto& c : cases) {
        Event e = event();
        e.inputs[kIp].address = c.address;
        INFO(static_cast<int>(c.address[12]) << "." << static_cast<int>(c.address[13]));
        CHECK(match(*loaded, e).instances.size() == (c.in ? 1u : 0u));
    }
}

TEST_CASE("class-heavy globs within the bound") {
    Content content;
    content.instance(1);
    content.writer.add_bytes(place(kString), Op::glob, Kind::string,
                             repeat("*[a-zA-Z0-9\xc3\xa9]", 30) + "[!a]", true);
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded, 512);
    for (const char* unit : {"a", "A", "\xc3\xa9", "ab"}) {
        Event e = event();
        e.inputs[kString].bytes = repeat(unit, 512 / std::strlen(unit));
        const Verdict v = match(*loaded, e, 512);
        CHECK(v.steps <= plan.max_steps);
    }
}

TEST_CASE("regex within the bound on patterns and inputs built to be expensive") {
    // A backtracking matcher is exponential on the first three; the Pike VM
    // takes at most (n + 1) x instructions thread steps on each, and the
    // counted repetition keeps a thousand threads alive at every position.
    constexpr uint32_t kMaxInput = 2048;
    const std::vector<std::string> patterns = {R"((a*)*b)", R"((a|aa)*c)", R"((x+x+)+y)",
                                               R"([ab]{1000}c)"};
    Content content;
    for (uint32_t i = 0; i < patterns.size(); ++i) {
        content.instance(i + 1, 1);
        const std::string_view one[] = {patterns[i]};
        REQUIRE_FALSE(content.writer.add_regex(place(kString), one, i % 2 == 1).has_value());
    }
    // All four as one any-of, negated, on the other string field.
    content.instance(10, 2);
    {
        std::vector<std::string_view> views(patterns.begin(), patterns.end());
        REQUIRE_FALSE(content.writer.add_regex(place(kString2, 0, true), views, false).has_value());
    }
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded, kMaxInput);
    // The scratch holds the largest program's thread lists: the any-of's.
    const RegexCompileResult largest =
        compile_regex(regex_union(std::vector<std::string_view>(patterns.begin(), patterns.end())));
    REQUIRE(largest.ok());
    const uint32_t instructions = core::load_u32(largest.program.data() + 8);
    CHECK(instructions > 1000);
    // And the index's bitsets: one word per required slot (4) for the 5
    // instances, and one of literals seen (7 at most: one per alternative
    // each positive regex starts with).
    CHECK(plan.scratch_bytes ==
          format::align_up(core::regex_scratch_size(instructions), 8) + 8 * (4 + 1));

    uint64_t most = 0;
    for (const char* unit : {"a", "x", "ab", "\xc3\xa9"}) {
        for (const size_t length : {size_t{0}, size_t{1}, size_t{1000}, size_t{kMaxInput}}) {
            Event e = event();
            e.inputs[kString].bytes = repeat(unit, length / std::strlen(unit));
            e.inputs[kString2].bytes = e.inputs[kString].bytes;
            INFO("unit " << unit << " length " << length);
            const Verdict v = match(*loaded, e, kMaxInput);
            REQUIRE(v.status == RINGWARD_MATCH_OK);
            CHECK(v.evaluated == 5);
            CHECK(v.steps <= plan.max_steps);
            most = std::max(most, v.steps);
        }
    }
    // A 2,048-byte "abab..." keeps [ab]{1000}c's thousand threads alive at
    // almost every position: the worst event spends a sizeable share of
    // the bound, so the bound is not vacuous.
    CHECK(most * 2 >= plan.max_steps);
    // Matches: (a*)*b finds a b, (a|aa)*c the c (the star may be empty),
    // [ab]{1000}c the last 1,001 bytes; (x+x+)+y finds no y; on "x" none of
    // the four holds, so the negated any-of does.
    Event e = event();
    e.inputs[kString].bytes = repeat("ab", 600) + "c";
    e.inputs[kString2].bytes = "x";
    const Verdict v = match(*loaded, e, kMaxInput);
    CHECK(v.instances == std::vector<uint32_t>{1, 2, 4, 10});
    CHECK(v.rules == std::set<uint32_t>{1, 2});
}
