// The regex program verifier: one crafted program per rule, with the exact
// error and byte offset (docs/regex.md, "Verifier rules"), and a test that
// every error the verifier has is among them.
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "ringward/core/endian.hpp"
#include "ringward/regex.hpp"

using namespace ringward;
using core::RegexOp;
using core::RegexVerifyError;

namespace {

struct Inst {
    RegexOp op;
    uint8_t kind;
    uint16_t a;
    uint32_t x;
};

std::vector<uint8_t> build(const std::vector<Inst>& code,
                           const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
    std::vector<uint8_t> out(16 + 8 * code.size() + 8 * ranges.size());
    core::store_u32(out.data(), core::regex_magic);
    core::store_u16(out.data() + 4, core::regex_version);
    core::store_u32(out.data() + 8, static_cast<uint32_t>(code.size()));
    core::store_u32(out.data() + 12, static_cast<uint32_t>(ranges.size()));
    size_t at = 16;
    for (const Inst& in : code) {
        out[at] = static_cast<uint8_t>(in.op);
        out[at + 1] = in.kind;
        core::store_u16(out.data() + at + 2, in.a);
        core::store_u32(out.data() + at + 4, in.x);
        at += 8;
    }
    for (const auto& [first, last] : ranges) {
        core::store_u32(out.data() + at, first);
        core::store_u32(out.data() + at + 4, last);
        at += 8;
    }
    return out;
}

// a | [b-cx-z]\b : instructions at 16 + 8i, ranges at 64.
std::vector<Inst> base_code() {
    return {
        {RegexOp::split, 0, 3, 1},      // 0 @16
        {RegexOp::chr, 0, 0, 'a'},      // 1 @24
        {RegexOp::jmp, 0, 0, 5},        // 2 @32
        {RegexOp::cls, 0, 2, 0},        // 3 @40
        {RegexOp::assertion, 5, 0, 0},  // 4 @48
        {RegexOp::match, 0, 0, 0},      // 5 @56
    };
}
std::vector<std::pair<uint32_t, uint32_t>> base_ranges() {
    return {{'b', 'c'}, {'x', 'z'}};
}

struct Crafted {
    const char* what;
    std::vector<uint8_t> program;
    RegexVerifyError error;
    size_t offset;
};

std::vector<Crafted> crafted() {
    std::vector<Crafted> out;
    const auto base = build(base_code(), base_ranges());
    const auto with = [&](const char* what, auto change, RegexVerifyError error, size_t offset) {
        std::vector<Inst> code = base_code();
        auto ranges = base_ranges();
        change(code, ranges);
        out.push_back({what, build(code, ranges), error, offset});
    };
    const auto none = [](auto&, auto&) {};
    auto bytes = base;
    bytes.resize(10);
    out.push_back({"shorter than the header", bytes, RegexVerifyError::truncated, 10});
    bytes = base;
    bytes[0] = 'X';
    out.push_back({"magic", bytes, RegexVerifyError::bad_magic, 0});
    bytes = base;
    bytes[4] = 2;
    out.push_back({"version 2", bytes, RegexVerifyError::bad_version, 4});
    bytes = base;
    bytes[6] = 1;
    out.push_back({"header reserved", bytes, RegexVerifyError::reserved_nonzero, 6});
    out.push_back({"no instructions", build({}, {}), RegexVerifyError::no_instructions, 8});
    bytes = base;
    core::store_u32(bytes.data() + 8, core::max_regex_instructions_incl + 1);
    out.push_back({"4097 instructions", bytes, RegexVerifyError::too_many_instructions, 8});
    bytes = base;
    core::store_u32(bytes.data() + 12, core::max_regex_ranges_incl + 1);
    out.push_back({"4097 ranges", bytes, RegexVerifyError::too_many_ranges, 12});
    bytes = base;
    bytes.push_back(0);
    out.push_back({"a trailing byte", bytes, RegexVerifyError::size_mismatch, 80});
    bytes = base;
    bytes.pop_back();
    out.push_back({"a byte short", bytes, RegexVerifyError::size_mismatch, 79});
    with(
        "match with an operand", [](auto& c, auto&) { c[5].x = 1; },
        RegexVerifyError::reserved_nonzero, 60);
    with(
        "chr with a kind", [](auto& c, auto&) { c[1].kind = 1; },
        RegexVerifyError::reserved_nonzero, 25);
    with(
        "opcode 9", [](auto& c, auto&) { c[1].op = static_cast<RegexOp>(9); },
        RegexVerifyError::bad_opcode, 24);
    with(
        "chr U+110000", [](auto& c, auto&) { c[1].x = 0x110000; }, RegexVerifyError::bad_code_point,
        28);
    with(
        "chr a surrogate", [](auto& c, auto&) { c[1].x = 0xDC00; },
        RegexVerifyError::bad_code_point, 28);
    with(
        "range above U+10FFFF", [](auto&, auto& r) { r[1].second = 0x110000; },
        RegexVerifyError::bad_code_point, 76);
    with(
        "jmp past the end", [](auto& c, auto&) { c[2].x = 6; }, RegexVerifyError::jump_out_of_range,
        36);
    with(
        "split's second target past the end", [](auto& c, auto&) { c[0].a = 6; },
        RegexVerifyError::jump_out_of_range, 18);
    out.push_back({"a last chr", build({{RegexOp::chr, 0, 0, 'a'}}, {}),
                   RegexVerifyError::falls_off_end, 16});
    with(
        "class from range 1", [](auto& c, auto&) { c[3].x = 1; },
        RegexVerifyError::class_ranges_out_of_order, 44);
    with(
        "class of 3 ranges of 2", [](auto& c, auto&) { c[3].a = 3; },
        RegexVerifyError::class_ranges_out_of_order, 42);
    with(
        "range c-b",
        [](auto&, auto& r) {
            r[0] = {'c', 'b'};
        },
        RegexVerifyError::range_inverted, 64);
    with(
        "touching ranges",
        [](auto&, auto& r) {
            r[1] = {'d', 'e'};
        },
        RegexVerifyError::ranges_unsorted, 72);
    with(
        "ranges out of order",
        [](auto&, auto& r) {
            r[1] = {'a', 'a'};
        },
        RegexVerifyError::ranges_unsorted, 72);
    with(
        "a range no class owns", [](auto& c, auto&) { c[3].a = 1; }, RegexVerifyError::range_unused,
        72);
    with(
        "assert kind 7", [](auto& c, auto&) { c[4].kind = 7; }, RegexVerifyError::bad_assert, 49);
    with(
        "assert kind 0", [](auto& c, auto&) { c[4].kind = 0; }, RegexVerifyError::bad_assert, 49);
    with(
        "split over the class", [](auto& c, auto&) { c[0].a = 1; },
        RegexVerifyError::unreachable_instruction, 40);
    with(
        "match replaced by a jump",
        [](auto& c, auto&) {
            c[5] = {RegexOp::jmp, 0, 0, 0};
        },
        RegexVerifyError::no_match_reachable, 16);
    with("the base program", none, RegexVerifyError::ok, 0);
    return out;
}

}  // namespace

TEST_CASE("regex verifier: each crafted program gets its error at its offset") {
    for (const Crafted& c : crafted()) {
        INFO(c.what);
        const auto result = core::verify_regex(c.program.data(), c.program.size());
        CHECK(core::regex_verify_error_text(result.error) ==
              std::string(core::regex_verify_error_text(c.error)));
        CHECK(result.offset == c.offset);
        if (result.error == RegexVerifyError::ok) {
            CHECK(result.program.instruction_count == 6);
            CHECK(result.program.scratch_size == 6 * 32 + 20);
        } else {
            CHECK(result.program.program == nullptr);
        }
    }
}

TEST_CASE("regex verifier: every error has a crafted program") {
    std::set<RegexVerifyError> covered;
    for (const Crafted& c : crafted()) {
        covered.insert(c.error);
    }
    const RegexVerifyError all[] = {
#define RINGWARD_X(id, text) RegexVerifyError::id,
        RINGWARD_REGEX_VERIFY_ERRORS(RINGWARD_X)
#undef RINGWARD_X
    };
    for (RegexVerifyError e : all) {
        INFO(core::regex_verify_error_text(e));
        CHECK(covered.count(e) == 1);
    }
}

TEST_CASE("regex verifier: a mutated compiled program is refused or runs within the bound") {
    const RegexCompileResult compiled = compile_regex("(?i)(ab|c[^d-f]+)*\\b(x{2,3}|$)");
    REQUIRE(compiled.ok());
    const std::string input = "abCCxx ab cq\n\xC3\xA9xxx";
    size_t refused = 0;
    for (size_t i = 0; i < compiled.program.size(); ++i) {
        for (uint8_t flip : {uint8_t{1}, uint8_t{0x80}, uint8_t{0xFF}}) {
            std::vector<uint8_t> program = compiled.program;
            program[i] ^= flip;
            const auto verified = core::verify_regex(program.data(), program.size());
            if (verified.error != RegexVerifyError::ok) {
                ++refused;
                CHECK(verified.offset <= program.size());
                continue;
            }
            const auto result = run_regex(program, input);
            REQUIRE(result.has_value());
            CHECK(result->steps <= (input.size() + 1) * verified.program.instruction_count);
        }
    }
    CHECK(refused > compiled.program.size());  // most mutations break a rule
}

// Reachability is decided in the pass that checks each instruction and, only
// when an edge back to an instruction the pass has left behind reaches it
// first, by further sweeps; then word by word over the reached bitset.
TEST_CASE("regex verifier: reachability over backward edges and across words of the bitset") {
    const auto verify = [](const std::vector<Inst>& code) {
        const std::vector<uint8_t> program = build(code, {});
        return core::verify_regex(program.data(), program.size());
    };
    const auto chain = [](uint32_t n) {
        std::vector<Inst> code(n, Inst{RegexOp::chr, 0, 0, 'a'});
        code.back() = {RegexOp::match, 0, 0, 0};
        return code;
    };
    SECTION("reached only through a jump back to one not yet reached") {
        const std::vector<Inst> code = {
            {RegexOp::jmp, 0, 0, 3},    // 0
            {RegexOp::chr, 0, 0, 'a'},  // 1: reached from 3, after the pass left it
            {RegexOp::jmp, 0, 0, 4},    // 2
            {RegexOp::jmp, 0, 0, 1},    // 3
            {RegexOp::match, 0, 0, 0},  // 4: reached only through 1 and 2
        };
        CHECK(verify(code).error == RegexVerifyError::ok);
    }
    SECTION("the match reached only after a later sweep") {
        const std::vector<Inst> code = {
            {RegexOp::split, 0, 3, 2},  // 0
            {RegexOp::match, 0, 0, 0},  // 1
            {RegexOp::jmp, 0, 0, 1},    // 2
            {RegexOp::chr, 0, 0, 'b'},  // 3
            {RegexOp::jmp, 0, 0, 2},    // 4
        };
        CHECK(verify(code).error == RegexVerifyError::ok);
    }
    SECTION("chains that fill one, two and part of three words") {
        for (uint32_t n : {1u, 63u, 64u, 65u, 128u, 129u, 4096u}) {
            INFO(n);
            CHECK(verify(chain(n)).error == RegexVerifyError::ok);
        }
    }
    SECTION("the first unreachable instruction, in any word") {
        for (uint32_t skipped : {1u, 62u, 63u, 64u, 100u, 127u, 128u}) {
            INFO(skipped);
            std::vector<Inst> code = chain(131);
            code[skipped - 1] = {RegexOp::jmp, 0, 0, skipped + 2};
            const auto result = verify(code);
            CHECK(result.error == RegexVerifyError::unreachable_instruction);
            CHECK(result.offset == 16 + 8 * size_t{skipped});
        }
    }
    SECTION("an unreachable instruction is reported before a missing match") {
        const std::vector<Inst> code = {
            {RegexOp::jmp, 0, 0, 0},
            {RegexOp::jmp, 0, 0, 1},
        };
        const auto result = verify(code);
        CHECK(result.error == RegexVerifyError::unreachable_instruction);
        CHECK(result.offset == 24);
    }
    SECTION("a match that cannot be reached is unreachable, not missing") {
        const std::vector<Inst> code = {
            {RegexOp::jmp, 0, 0, 0},
            {RegexOp::match, 0, 0, 0},
        };
        const auto result = verify(code);
        CHECK(result.error == RegexVerifyError::unreachable_instruction);
        CHECK(result.offset == 24);
    }
}
