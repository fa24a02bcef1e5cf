// The interpreter's index (docs/interpreter.md, "The index"): its memory is
// the caller's and refused when short or misaligned; it evaluates only
// candidates, and never changes a verdict, a hit's order or a count, on
// crafted and on generated content (every test through match() of
// match_fixture.hpp also compares the two ways).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <set>

#include "match/match_fixture.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

// Instances 1..count, each requiring "needle<i>" in the command (folded),
// then a negated contains (always a candidate) and an int eq.
std::unique_ptr<LoadedContent> needles(uint32_t count) {
    Content content;
    for (uint32_t i = 1; i <= count; ++i) {
        content.instance(i, i);
        content.writer.add_bytes(place(kString), Op::contains, Kind::string,
                                 "needle" + std::to_string(i), true);
    }
    content.instance(count + 1, count + 1);
    content.writer.add_bytes(place(kString, 0, true), Op::contains, Kind::string, "zzz", false);
    content.instance(count + 2, count + 2);
    content.writer.add_scalar(place(kInt), Op::eq, Kind::int64, static_cast<uint64_t>(int64_t{-5}));
    return content.load();
}

Verdict run_indexed(const LoadedContent& c, const ringward_match_plan& plan, const Event& e) {
    const auto indexed = fuzz::index_plan(c, plan);
    REQUIRE(indexed->status == RINGWARD_MATCH_OK);
    return fuzz::run_match(c, indexed->plan, e);
}

}  // namespace

TEST_CASE("the index's memory is the caller's: sized by the plan, refused when short") {
    const auto loaded = needles(3);
    const auto other = needles(4);
    ringward_match_plan plan = plan_for(*loaded);
    REQUIRE(plan.index_bytes > 0);
    CHECK(plan.index_bytes % 8 == 0);
    CHECK(plan.index_ == nullptr);
    std::vector<uint64_t> memory(plan.index_bytes / 8 + 1);
    CHECK(ringward_match_index_build(&loaded->loaded, &plan, memory.data(), plan.index_bytes - 1) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);
    CHECK(ringward_match_index_build(&loaded->loaded, &plan, nullptr, plan.index_bytes) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);
    auto* misaligned = reinterpret_cast<uint8_t*>(memory.data()) + 4;
    CHECK(ringward_match_index_build(&loaded->loaded, &plan, misaligned, plan.index_bytes) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);
    CHECK(plan.index_ == nullptr);
    ringward_match_plan other_plan = plan_for(*other);
    CHECK(ringward_match_index_build(&loaded->loaded, &other_plan, memory.data(),
                                     plan.index_bytes) == RINGWARD_MATCH_E_PLAN_MISMATCH);
    CHECK(other_plan.index_ == nullptr);
    REQUIRE(ringward_match_index_build(&loaded->loaded, &plan, memory.data(), plan.index_bytes) ==
            RINGWARD_MATCH_OK);
    CHECK(plan.index_ == memory.data());
    CHECK(std::string(ringward_match_status_name(RINGWARD_MATCH_E_INDEX_MEMORY)) == "index-memory");

    // An index is its content's: a plan for other content pointing at it is
    // refused by ringward_match.
    other_plan.index_ = memory.data();
    const Verdict v = fuzz::run_match(*other, other_plan, event());
    CHECK(v.status == RINGWARD_MATCH_E_PLAN_MISMATCH);
    CHECK(v.instances.empty());
}

TEST_CASE("the built index keeps only its own size, and moves into memory of that size") {
    // 200 instances requiring literals that share their prefix, and the same
    // literals again: the automaton has a state per distinct trie node, far
    // fewer than the plan's bound of one per literal byte.
    Content content;
    for (uint32_t i = 1; i <= 200; ++i) {
        content.instance(i, i);
        content.writer.add_bytes(place(kString), Op::contains, Kind::string,
                                 "\\windows\\system32\\tool" + std::to_string(i % 100), true);
    }
    const auto loaded = content.load();
    ringward_match_plan plan = plan_for(*loaded);
    CHECK(ringward_match_index_size(&plan) == 0);
    std::vector<uint64_t> spare(4);
    CHECK(ringward_match_index_move(&plan, spare.data(), spare.size() * 8) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);  // no index yet
    std::vector<uint64_t> build(plan.index_bytes / 8 + 1);
    REQUIRE(ringward_match_index_build(&loaded->loaded, &plan, build.data(), plan.index_bytes) ==
            RINGWARD_MATCH_OK);
    const size_t kept = ringward_match_index_size(&plan);
    CHECK(kept % 8 == 0);
    CHECK(kept > 0);
    // 100 distinct literals of 23 or 24 bytes share their first 22: about
    // 120 states, against the bound's one per literal byte (some 4,800).
    CHECK(kept * 4 < plan.index_bytes);

    // Refused: no memory, misaligned, one word short, overlapping the index.
    std::vector<uint64_t> target(kept / 8);
    CHECK(ringward_match_index_move(&plan, nullptr, kept) == RINGWARD_MATCH_E_INDEX_MEMORY);
    CHECK(ringward_match_index_move(&plan, reinterpret_cast<uint8_t*>(target.data()) + 4, kept) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);
    CHECK(ringward_match_index_move(&plan, target.data(), kept - 8) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);
    CHECK(ringward_match_index_move(&plan, build.data() + 1, kept) ==
          RINGWARD_MATCH_E_INDEX_MEMORY);
    CHECK(plan.index_ == build.data());
    // Onto itself: nothing to do.
    CHECK(ringward_match_index_move(&plan, build.data(), kept) == RINGWARD_MATCH_OK);
    CHECK(plan.index_ == build.data());

    Event e = event();
    e.inputs[kString].bytes = "C:\\Windows\\System32\\TOOL42.exe";
    const Verdict in_build = fuzz::run_match(*loaded, plan, e);
    REQUIRE(ringward_match_index_move(&plan, target.data(), kept) == RINGWARD_MATCH_OK);
    CHECK(plan.index_ == target.data());
    CHECK(ringward_match_index_size(&plan) == kept);
    // The build's memory is no longer read: wiped, the moved index still
    // gives the same verdict, which is every instance in turn's.
    std::fill(build.begin(), build.end(), ~uint64_t{0});
    const Verdict moved = fuzz::run_match(*loaded, plan, e);
    // "...\\tool4" is in "...\\TOOL42.exe" too.
    CHECK(moved.instances == std::vector<uint32_t>{4, 42, 104, 142});
    CHECK(fuzz::same_verdict(moved, in_build));
    CHECK(fuzz::same_verdict(moved, match(*loaded, e)));
    CHECK(moved.steps < match(*loaded, e).steps);
}

TEST_CASE("the index evaluates candidates only, and counts as every instance in turn") {
    constexpr uint32_t kNeedles = 300;
    const auto loaded = needles(kNeedles);
    const ringward_match_plan plan = plan_for(*loaded);

    // A miss on every needle: the negated contains and the int eq hold.
    Event miss = event();
    const Verdict slow_miss = match(*loaded, miss);
    const Verdict fast_miss = run_indexed(*loaded, plan, miss);
    CHECK(fast_miss.instances == std::vector<uint32_t>{kNeedles + 1, kNeedles + 2});
    CHECK(fast_miss.evaluated == kNeedles + 2);
    CHECK(fuzz::same_verdict(fast_miss, slow_miss));
    // 300 contains over the command line against one scan of it.
    CHECK(fast_miss.steps * 20 < slow_miss.steps);

    // "NEEDLE17" holds needle1 and needle17 (folded): those two are
    // candidates and hit, in ascending order, among the others ("zz" is
    // not "zzz": the negated contains holds).
    Event hit = event();
    hit.inputs[kString].bytes = "cmd /c NEEDLE17 zz";
    const Verdict slow_hit = match(*loaded, hit);
    const Verdict fast_hit = run_indexed(*loaded, plan, hit);
    CHECK(fast_hit.instances == std::vector<uint32_t>{1, 17, kNeedles + 1, kNeedles + 2});
    CHECK(fast_hit.rules == std::set<uint32_t>{1, 17, kNeedles + 1, kNeedles + 2});
    CHECK(fast_hit.evaluated == kNeedles + 2);
    CHECK(fuzz::same_verdict(fast_hit, slow_hit));
    CHECK(fast_hit.steps <= plan.max_steps);

    // Absent, the command admits no needle; the negated contains holds.
    Event absent = event();
    absent.inputs[kString].present = false;
    const Verdict fast_absent = run_indexed(*loaded, plan, absent);
    CHECK(fast_absent.instances == std::vector<uint32_t>{kNeedles + 1, kNeedles + 2});
    CHECK(fuzz::same_verdict(fast_absent, match(*loaded, absent)));
}

TEST_CASE("the index on globs and regexes: their literals make them candidates") {
    Content content;
    content.instance(1, 1);
    {
        const std::string_view globs[] = {"*\\\\rundll32.exe*", "*\\\\REGSVR32.exe"};
        REQUIRE_FALSE(content.writer.add_any_of(place(kString), Op::glob, Kind::string, globs, true)
                          .has_value());
    }
    content.instance(2, 2);
    {
        const std::string_view patterns[] = {R"(-enc(odedcommand)?\s+[a-z0-9+/=]{20,})"};
        REQUIRE_FALSE(content.writer.add_regex(place(kString), patterns, true).has_value());
    }
    content.instance(3, 3);
    {
        // Two alternatives: a literal each, one of which every match holds.
        const std::string_view patterns[] = {R"(certutil|bitsadmin)"};
        REQUIRE_FALSE(content.writer.add_regex(place(kString2), patterns, false).has_value());
    }
    content.instance(4, 4);
    {
        // An alternative that reaches a match with no character: no literal,
        // always a candidate.
        const std::string_view patterns[] = {R"(^(?:ab)*$)"};
        REQUIRE_FALSE(content.writer.add_regex(place(kString2), patterns, false).has_value());
    }
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded);
    const std::string encoded = "powershell -EncodedCommand   SQBFAFgAIAAoAE4AZQB3AC0ATwBi";
    // The command and the parent, the hits, and whether no literal occurs.
    struct Case {
        const char* command;
        const char* parent;
        std::vector<uint32_t> expected;
        bool no_literal;
    };
    const Case cases[] = {
        {"C:\\Windows\\System32\\rundll32.exe shell32.dll", "explorer.exe", {1}, false},
        {"C:\\Windows\\System32\\regsvr32.EXE", "explorer.exe", {1}, false},
        {"C:\\Windows\\System32\\regsvr32.exe /s x", "explorer.exe", {}, false},
        {encoded.c_str(), "explorer.exe", {2}, false},
        {"powershell -enc short", "explorer.exe", {}, false},
        {"C:\\Windows\\notepad.exe C:\\Users\\me\\readme.txt", "explorer.exe", {}, true},
        {"cmd", "BITSADMIN /transfer", {}, false},
        {"cmd", "bitsadmin /transfer", {3}, false},
        {"cmd", "abab", {4}, false},
        {"", "", {4}, false},
    };
    for (const auto& [command, parent, expected, no_literal] : cases) {
        INFO(command << " / " << parent);
        Event e = event();
        e.inputs[kString].bytes = command;
        e.inputs[kString2].bytes = parent;
        const Verdict slow = match(*loaded, e);
        const Verdict fast = run_indexed(*loaded, plan, e);
        CHECK(fast.instances == expected);
        CHECK(fuzz::same_verdict(fast, slow));
        CHECK(fast.evaluated == 4);
        // Where no literal occurs only instance 4 is evaluated: the scan and
        // one short regex cost less than the glob and the regexes.
        if (no_literal) {
            CHECK(fast.steps * 2 < slow.steps);
        }
    }
}

TEST_CASE("the 291 case at run time with the index: every instance in turn, the same refusals") {
    const auto loaded = needles(5);
    const ringward_match_plan plan = plan_for(*loaded);
    // Fewer inputs than the table declares: the index cannot vouch for the
    // event, so ringward_match evaluates every instance in turn and the
    // instances on inputs it does not carry are refused, not missed.
    Event short_event = event();
    short_event.inputs.resize(kString);
    const Verdict slow = match(*loaded, short_event);
    const Verdict fast = run_indexed(*loaded, plan, short_event);
    CHECK(fast.refused == 6);
    CHECK(fast.evaluated == 1);
    CHECK(fast.instances == std::vector<uint32_t>{7});
    CHECK(fuzz::same_verdict(fast, slow));
    // An input of another type than the table's: the same.
    Event wrong = event();
    wrong.inputs[kString].type = RINGWARD_TYPE_BYTES;
    const Verdict slow_wrong = match(*loaded, wrong);
    const Verdict fast_wrong = run_indexed(*loaded, plan, wrong);
    CHECK(fast_wrong.refused == 6);
    CHECK(fuzz::same_verdict(fast_wrong, slow_wrong));
}

TEST_CASE("the index never changes a verdict: generated content and events") {
    // Small alphabets, so literals overlap, nest and share suffixes (the
    // automaton's fail and dictionary links), with case variants, glob and
    // regex syntax, a two-byte character and an ill-formed byte.
    static const char* const pieces[] = {"a", "A", "b",        "ab",   "ba",  "\\",
                                         "*", "?", "\xc3\xa9", "\xff", "[a]", "."};
    static const char* const atoms[] = {"a",  "b",    "ab", "(a|b)", "a*",
                                        "b+", "[ab]", ".",  "\\.",   "(?i:ab)"};
    std::mt19937 random(20261202);
    const auto below = [&](uint32_t n) { return static_cast<uint32_t>(random() % n); };
    const auto text = [&](uint32_t max_pieces) {
        std::string out;
        for (uint32_t i = 0, n = below(max_pieces + 1); i < n; ++i) {
            out += pieces[below(sizeof(pieces) / sizeof(pieces[0]))];
        }
        return out;
    };
    const uint16_t fields[] = {kString, kString2, kBytes, kEnum};
    const Op string_ops[] = {Op::contains, Op::prefix, Op::suffix, Op::eq,
                             Op::in,       Op::glob,   Op::regex};
    for (int round = 0; round < 12; ++round) {
        Content content;
        const uint32_t instances = 10 + below(40);
        for (uint32_t id = 1; id <= instances; ++id) {
            const auto exclusions = static_cast<uint16_t>(below(3) == 0 ? 1 : 0);
            content.instance(id, 1 + below(6), exclusions);
            for (uint16_t group = 0; group <= exclusions; ++group) {
                const uint32_t criteria = (group == 0 ? below(3) : 1) + (group == 0 ? 1 : 0);
                for (uint32_t k = 0; k < criteria; ++k) {
                    const uint16_t field = fields[below(4)];
                    const Kind kind = field == kEnum    ? Kind::enumeration
                                      : field == kBytes ? Kind::bytes
                                                        : Kind::string;
                    const CriterionPlace at = place(field, group, below(5) == 0);
                    Op op = string_ops[below(7)];
                    if (kind != Kind::string && (op == Op::glob || op == Op::regex)) {
                        op = Op::contains;
                    }
                    if (kind == Kind::enumeration && op != Op::eq && op != Op::in) {
                        op = Op::eq;
                    }
                    const bool ci = kind == Kind::string && below(2) == 0;
                    if (op == Op::regex) {
                        std::vector<std::string> patterns;
                        for (uint32_t p = 0, n = 1 + below(2); p < n; ++p) {
                            std::string pattern;
                            for (uint32_t a = 0, m = 1 + below(4); a < m; ++a) {
                                pattern += atoms[below(sizeof(atoms) / sizeof(atoms[0]))];
                            }
                            if (std::find(patterns.begin(), patterns.end(), pattern) ==
                                patterns.end()) {
                                patterns.push_back(pattern);
                            }
                        }
                        std::vector<std::string_view> views(patterns.begin(), patterns.end());
                        if (!content.writer.add_regex(at, views, ci).has_value()) {
                            continue;
                        }
                        op = Op::contains;  // refused: a contains instead
                    }
                    // Distinct values, folded, one to three of them.
                    std::vector<std::string> values;
                    std::set<std::string> folded;
                    for (uint32_t v = 0, n = op == Op::eq ? 1 : 1 + below(3); v < n; ++v) {
                        const std::string value = text(4);
                        if (folded.insert(fuzz::reference::fold(value)).second) {
                            values.push_back(value);
                        }
                    }
                    std::vector<std::string_view> views(values.begin(), values.end());
                    if (op == Op::eq || values.size() == 1) {
                        if (op == Op::in) {
                            REQUIRE_FALSE(
                                content.writer.add_byte_set(at, kind, views, ci).has_value());
                        } else {
                            content.writer.add_bytes(at, op, kind, values[0], ci);
                        }
                    } else if (op == Op::in) {
                        REQUIRE_FALSE(content.writer.add_byte_set(at, kind, views, ci).has_value());
                    } else {
                        REQUIRE_FALSE(
                            content.writer.add_any_of(at, op, kind, views, ci).has_value());
                    }
                }
            }
        }
        const auto loaded = content.load();
        for (int e = 0; e < 60; ++e) {
            Event ev = event();
            for (const uint16_t field : fields) {
                ev.inputs[field].bytes = text(below(8) == 0 ? 40 : 10);
                ev.inputs[field].present = below(8) != 0;
            }
            INFO("round " << round << " event " << e);
            // match() compares ringward_match with and without the index and
            // the reference, and both step counts with the bound.
            (void)match(*loaded, ev);
        }
    }
}

TEST_CASE("the index's scan within the bound on literals built to be expensive") {
    // Nested literals ("a" .. 32 x "a": every position ends 32 of them, each
    // on the dictionary chain of the next), near misses ("a...ab": the fail
    // chain falls back at every b), and every byte a child of the root (256
    // children: the bisection at its deepest), over 2,048-byte inputs.
    constexpr uint32_t kMaxInput = 2048;
    Content content;
    uint32_t id = 1;
    for (uint32_t n = 1; n <= 32; ++n) {
        content.instance(id, id);
        content.writer.add_bytes(place(kString), Op::contains, Kind::string,
                                 std::string(n, 'a') + "b", false);
        ++id;
        content.instance(id, id);
        content.writer.add_bytes(place(kString), Op::contains, Kind::string, std::string(n, 'a'),
                                 true);
        ++id;
    }
    content.instance(id, id);
    {
        std::vector<std::string> all;
        for (int b = 1; b < 256; ++b) {
            all.push_back(std::string(1, static_cast<char>(b)) + "\x01");
        }
        std::vector<std::string_view> views(all.begin(), all.end());
        REQUIRE_FALSE(
            content.writer.add_any_of(place(kBytes), Op::contains, Kind::bytes, views, false)
                .has_value());
    }
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded, kMaxInput);
    const auto indexed = fuzz::index_plan(*loaded, plan);
    REQUIRE(indexed->status == RINGWARD_MATCH_OK);
    uint64_t most = 0;
    for (const char* unit : {"a", "A", "ab", "aab", "ba"}) {
        Event e = event();
        e.inputs[kString].bytes = repeat(unit, kMaxInput / std::strlen(unit));
        e.inputs[kBytes].bytes.clear();
        for (uint32_t i = 0; i < kMaxInput; ++i) {
            e.inputs[kBytes].bytes += static_cast<char>(i % 255 + 1);
        }
        INFO("unit " << unit);
        const Verdict slow = match(*loaded, e, kMaxInput);
        const Verdict fast = fuzz::run_match(*loaded, indexed->plan, e);
        CHECK(fuzz::same_verdict(fast, slow));
        CHECK(fast.steps <= plan.max_steps);
        most = std::max(most, fast.steps);
    }
    // The scans of 4 KiB cost thousands of steps, far inside the bound.
    CHECK(most > 4000);
}
