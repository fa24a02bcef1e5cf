// Regex programs: the bounded automaton a regular expression compiles to
// (docs/regex.md), its verifier and its matcher. Kernel-safe (DESIGN.md
// invariant 2 and 7): no allocation, no recursion, no floating point, no
// global state; the matcher's memory is the caller's, of a size the verifier
// computes, and its work is at most (input bytes + 1) x instruction count
// thread steps.
//
// A program is bytes, little-endian (docs/regex.md, "Program layout"):
//
//   header, 16 bytes: magic "RWRX", u16 version (1), u16 reserved (0),
//                     u32 instruction count, u32 range count
//   instructions, 8 bytes each: u8 opcode, u8 kind, u16 a, u32 x
//   ranges, 8 bytes each: u32 first, u32 last (code points, inclusive)
//
// WARNING: match() runs only a program that verify() accepted; the type
// VerifiedRegex is what says so. Never build one by hand from unchecked bytes
// (the one other maker is format::CriterionView::regex(), over a program item
// that read_blob verified with verify_regex when it accepted the blob).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ringward::core {

inline constexpr uint32_t regex_magic = 0x58525752u;  // "RWRX"
inline constexpr uint16_t regex_version = 1;
inline constexpr size_t regex_header_size = 16;
inline constexpr size_t regex_instruction_size = 8;
inline constexpr size_t regex_range_size = 8;

// The format's own limits, inclusive. The verifier refuses anything larger
// whatever the compiler's settings: the instruction count bounds the
// matcher's work per input byte and its scratch (32 bytes per instruction,
// 128 KiB at the limit), and fits the verifier's reachability bitset (512
// bytes of stack); the range count bounds a class test (a binary search).
inline constexpr uint32_t max_regex_instructions_incl = 4096;
inline constexpr uint32_t max_regex_ranges_incl = 4096;
inline constexpr uint32_t max_code_point_incl = 0x10FFFF;

// The matcher's thread lists: threads waiting at input positions p .. p+4 (a
// UTF-8 sequence is at most 4 bytes, so a thread that consumes one lands at
// most 4 positions ahead); position q uses list q % 5.
inline constexpr uint32_t regex_thread_lists = 5;

// The matcher's scratch for a program of `instructions` instructions, in
// bytes: per list a u32 mark and a u16 thread slot per instruction and a u32
// count, and a u16 stack slot per instruction: 32n + 20 bytes, 131,092 at
// the limit. What VerifiedRegex::scratch_size holds.
constexpr size_t regex_scratch_size(uint32_t instructions) noexcept {
    return size_t{instructions} * regex_thread_lists * 4 +
           size_t{instructions} * regex_thread_lists * 2 + regex_thread_lists * 4 +
           size_t{instructions} * 2;
}

enum class RegexOp : uint8_t {
    match = 0,      // accept
    chr = 1,        // x: one code point
    cls = 2,        // a ranges from range index x; a == 0 matches nothing
    jmp = 3,        // x: target
    split = 4,      // x and a: the two targets (order does not change acceptance)
    assertion = 5,  // kind: a RegexAssert; consumes nothing
};

enum class RegexAssert : uint8_t {
    begin_text = 1,     // \A, ^ without (?m)
    end_text = 2,       // \z, $ without (?m)
    begin_line = 3,     // ^ with (?m): at the start or after \n
    end_line = 4,       // $ with (?m): at the end or before \n
    word_boundary = 5,  // \b: ASCII word characters [0-9A-Za-z_]
    not_word_boundary = 6,
};

#define RINGWARD_REGEX_VERIFY_ERRORS(X)                                                            \
    X(ok, "ok")                                                                                    \
    X(truncated, "the program is shorter than its header")                                         \
    X(bad_magic, "the program does not start with the magic \"RWRX\"")                             \
    X(bad_version, "the program's version is not 1")                                               \
    X(reserved_nonzero, "a reserved or unused field is not zero")                                  \
    X(no_instructions, "the program has no instructions")                                          \
    X(too_many_instructions, "the program has more instructions than max_regex_instructions_incl") \
    X(too_many_ranges, "the program has more ranges than max_regex_ranges_incl")                   \
    X(size_mismatch, "the program's size is not what its counts say")                              \
    X(bad_opcode, "an instruction's opcode is unknown")                                            \
    X(bad_code_point, "a code point is above U+10FFFF or a surrogate")                             \
    X(jump_out_of_range, "a jump or split target is not an instruction")                           \
    X(falls_off_end,                                                                               \
      "the last instruction is not match, jmp or split: execution would run past it")              \
    X(class_ranges_out_of_order, "a class's ranges are not the next ones in the table")            \
    X(range_inverted, "a range's first code point is after its last")                              \
    X(ranges_unsorted, "a class's ranges overlap, touch or are out of order")                      \
    X(range_unused, "a range belongs to no class")                                                 \
    X(bad_assert, "an assert's kind is unknown")                                                   \
    X(unreachable_instruction, "an instruction cannot be reached from the first")                  \
    X(no_match_reachable, "no match instruction can be reached")

enum class RegexVerifyError : uint8_t {
#define RINGWARD_X(id, text) id,
    RINGWARD_REGEX_VERIFY_ERRORS(RINGWARD_X)
#undef RINGWARD_X
};

// "ok", "the program is shorter than its header", ...
const char* regex_verify_error_text(RegexVerifyError error) noexcept;

// A program verify() accepted, pointing into the caller's bytes (which must
// outlive it and stay unchanged).
struct VerifiedRegex {
    const uint8_t* program = nullptr;
    uint32_t instruction_count = 0;
    uint32_t range_count = 0;
    // What match() needs as scratch, in bytes (4-byte aligned).
    size_t scratch_size = 0;
};

struct RegexVerifyResult {
    RegexVerifyError error = RegexVerifyError::ok;
    // Byte offset in the program of the field that is wrong.
    size_t offset = 0;
    // Set only when error is ok.
    VerifiedRegex program;
};

// Checks every byte of `program` (docs/regex.md, "Verifier rules"). Work is
// O(size) plus at most instruction count passes over the reachability
// bitset. On failure `program` in the result is empty.
[[nodiscard]] RegexVerifyResult verify_regex(const uint8_t* program, size_t size) noexcept;

struct RegexMatch {
    bool matched = false;
    // Thread steps taken: each is one (input position, instruction) pair,
    // so steps <= (input size + 1) x instruction count.
    uint64_t steps = 0;
};

// Whether the program matches anywhere in `input` (unanchored search, as
// RE2::PartialMatch), stepping over UTF-8: a byte that does not begin a
// well-formed sequence is one unit that no instruction matches.
//
// Contract (a violation stops the program): `scratch` is 4-byte aligned and
// holds program.scratch_size bytes; input is non-null when size > 0 and
// size < 2^32 - 1.
[[nodiscard]] RegexMatch match_regex(const VerifiedRegex& program, const uint8_t* input,
                                     size_t size, void* scratch, size_t scratch_size) noexcept;

}  // namespace ringward::core
