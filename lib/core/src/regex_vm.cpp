// The regex verifier and the Pike VM (docs/regex.md). Kernel-safe: see
// regex_program.hpp.
#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/core/regex_program.hpp"

namespace ringward::core {

const char* regex_verify_error_text(RegexVerifyError error) noexcept {
    switch (error) {
#define RINGWARD_X(id, text)   \
    case RegexVerifyError::id: \
        return text;
        RINGWARD_REGEX_VERIFY_ERRORS(RINGWARD_X)
#undef RINGWARD_X
    }
    return "unknown regex verifier error";
}

namespace {

// The lists of the matcher (regex_program.hpp, regex_thread_lists).
constexpr uint32_t regex_lists = regex_thread_lists;

// Every refusal goes through here (one place to break on).
RegexVerifyResult fail(RegexVerifyError error, size_t offset) noexcept {
    RegexVerifyResult result;
    result.error = error;
    result.offset = offset;
    return result;
}

struct Instruction {
    uint8_t op;
    uint8_t kind;
    uint16_t a;
    uint32_t x;
};

Instruction load_instruction(const uint8_t* program, uint32_t pc) noexcept {
    const uint8_t* p = program + regex_header_size + size_t{pc} * regex_instruction_size;
    return Instruction{p[0], p[1], load_u16(p + 2), load_u32(p + 4)};
}

bool is_scalar(uint32_t c) noexcept {
    return c <= max_code_point_incl && !(c >= 0xD800 && c <= 0xDFFF);
}

}  // namespace

RegexVerifyResult verify_regex(const uint8_t* program, size_t size) noexcept {
    if (program == nullptr && size > 0) {
        contract_violation();
    }
    if (size < regex_header_size) {
        return fail(RegexVerifyError::truncated, size);
    }
    if (load_u32(program) != regex_magic) {
        return fail(RegexVerifyError::bad_magic, 0);
    }
    if (load_u16(program + 4) != regex_version) {
        return fail(RegexVerifyError::bad_version, 4);
    }
    if (load_u16(program + 6) != 0) {
        return fail(RegexVerifyError::reserved_nonzero, 6);
    }
    const uint32_t n = load_u32(program + 8);
    const uint32_t r = load_u32(program + 12);
    if (n == 0) {
        return fail(RegexVerifyError::no_instructions, 8);
    }
    if (n > max_regex_instructions_incl) {
        return fail(RegexVerifyError::too_many_instructions, 8);
    }
    if (r > max_regex_ranges_incl) {
        return fail(RegexVerifyError::too_many_ranges, 12);
    }
    // No overflow: both counts are at most 4096.
    const size_t ranges_at = regex_header_size + size_t{n} * regex_instruction_size;
    const size_t expected = ranges_at + size_t{r} * regex_range_size;
    if (size != expected) {
        return fail(RegexVerifyError::size_mismatch, size < expected ? size : expected);
    }

    // Reachability from instruction 0. Unreachable instructions are refused:
    // the compiler never emits one, so one is a sign of a program that was
    // not made by it, and bytes no check would ever exercise at run time are
    // bytes a reviewer cannot reason about. A bitset instead of a worklist
    // keeps the memory fixed (512 bytes). The pass that checks each
    // instruction also marks the successors of each reached one; only an
    // edge back to an instruction the pass has left behind, reaching it
    // first, needs the sweeps after it.
    uint64_t reached[max_regex_instructions_incl / 64];
    const uint32_t words = (n + 63) / 64;
    for (uint32_t w = 0; w < words; ++w) {
        reached[w] = 0;
    }
    reached[0] = 1;
    const auto is_reached = [&](uint32_t pc) { return (reached[pc / 64] >> (pc % 64) & 1) != 0; };
    // Marks s reached; true when it was not and the pass at pc has left it.
    const auto reach = [&](uint32_t s, uint32_t pc) {
        const uint64_t bit = uint64_t{1} << (s % 64);
        const bool behind = (reached[s / 64] & bit) == 0 && s <= pc;
        reached[s / 64] |= bit;
        return behind;
    };
    // Marks what instruction pc (checked) leads to; true when that reached
    // one the pass has left behind.
    const auto follow = [&](const Instruction& in, uint32_t pc) {
        switch (static_cast<RegexOp>(in.op)) {
            case RegexOp::match:
                return false;
            case RegexOp::jmp:
                return reach(in.x, pc);
            case RegexOp::split: {
                const bool x_behind = reach(in.x, pc);
                const bool a_behind = reach(in.a, pc);
                return x_behind || a_behind;
            }
            default:
                return reach(pc + 1, pc);
        }
    };
    bool sweep = false;
    bool has_match = false;
    uint32_t next_range = 0;
    for (uint32_t pc = 0; pc < n; ++pc) {
        const size_t at = regex_header_size + size_t{pc} * regex_instruction_size;
        const Instruction in = load_instruction(program, pc);
        bool falls_through = false;
        const bool live = is_reached(pc);
        switch (static_cast<RegexOp>(in.op)) {
            case RegexOp::match:
                if (in.kind != 0 || in.a != 0 || in.x != 0) {
                    return fail(RegexVerifyError::reserved_nonzero, at + (in.kind != 0 ? 1
                                                                          : in.a != 0  ? 2
                                                                                       : 4));
                }
                has_match = true;
                break;
            case RegexOp::chr:
                if (in.kind != 0 || in.a != 0) {
                    return fail(RegexVerifyError::reserved_nonzero, at + (in.kind != 0 ? 1 : 2));
                }
                if (!is_scalar(in.x)) {
                    return fail(RegexVerifyError::bad_code_point, at + 4);
                }
                falls_through = true;
                break;
            case RegexOp::cls: {
                if (in.kind != 0) {
                    return fail(RegexVerifyError::reserved_nonzero, at + 1);
                }
                // Classes own consecutive slices of the range table, in order,
                // so every range belongs to exactly one class.
                if (in.x != next_range) {
                    return fail(RegexVerifyError::class_ranges_out_of_order, at + 4);
                }
                if (in.a > r - next_range) {
                    return fail(RegexVerifyError::class_ranges_out_of_order, at + 2);
                }
                uint32_t previous_last = 0;
                for (uint32_t j = next_range; j < next_range + in.a; ++j) {
                    const size_t range_at = ranges_at + size_t{j} * regex_range_size;
                    const uint32_t first = load_u32(program + range_at);
                    const uint32_t last = load_u32(program + range_at + 4);
                    if (first > max_code_point_incl) {
                        return fail(RegexVerifyError::bad_code_point, range_at);
                    }
                    if (last > max_code_point_incl) {
                        return fail(RegexVerifyError::bad_code_point, range_at + 4);
                    }
                    if (first > last) {
                        return fail(RegexVerifyError::range_inverted, range_at);
                    }
                    // Sorted with a gap: touching ranges would be one range, so
                    // a class has exactly one encoding.
                    if (j > next_range && first <= previous_last + 1) {
                        return fail(RegexVerifyError::ranges_unsorted, range_at);
                    }
                    previous_last = last;
                }
                next_range += in.a;
                falls_through = true;
                break;
            }
            case RegexOp::jmp:
                if (in.kind != 0 || in.a != 0) {
                    return fail(RegexVerifyError::reserved_nonzero, at + (in.kind != 0 ? 1 : 2));
                }
                if (in.x >= n) {
                    return fail(RegexVerifyError::jump_out_of_range, at + 4);
                }
                break;
            case RegexOp::split:
                if (in.kind != 0) {
                    return fail(RegexVerifyError::reserved_nonzero, at + 1);
                }
                if (in.x >= n) {
                    return fail(RegexVerifyError::jump_out_of_range, at + 4);
                }
                if (in.a >= n) {
                    return fail(RegexVerifyError::jump_out_of_range, at + 2);
                }
                break;
            case RegexOp::assertion:
                if (in.kind < static_cast<uint8_t>(RegexAssert::begin_text) ||
                    in.kind > static_cast<uint8_t>(RegexAssert::not_word_boundary)) {
                    return fail(RegexVerifyError::bad_assert, at + 1);
                }
                if (in.a != 0 || in.x != 0) {
                    return fail(RegexVerifyError::reserved_nonzero, at + (in.a != 0 ? 2 : 4));
                }
                falls_through = true;
                break;
            default:
                return fail(RegexVerifyError::bad_opcode, at);
        }
        if (falls_through && pc + 1 == n) {
            return fail(RegexVerifyError::falls_off_end, at);
        }
        if (live) {
            sweep |= follow(in, pc);
        }
    }
    if (next_range != r) {
        return fail(RegexVerifyError::range_unused,
                    ranges_at + size_t{next_range} * regex_range_size);
    }

    // Every sweep but the last reaches a new instruction behind a backward
    // edge, so there are at most n + 1 of them.
    while (sweep) {
        sweep = false;
        for (uint32_t pc = 0; pc < n; ++pc) {
            if (is_reached(pc)) {
                sweep |= follow(load_instruction(program, pc), pc);
            }
        }
    }
    // All reached: every word full, the last up to instruction n - 1.
    for (uint32_t w = 0; w < words; ++w) {
        const uint64_t full =
            w + 1 < words || n % 64 == 0 ? ~uint64_t{0} : (uint64_t{1} << (n % 64)) - 1;
        if (reached[w] != full) {
            const uint32_t pc = w * 64 + static_cast<uint32_t>(__builtin_ctzll(~reached[w]));
            return fail(RegexVerifyError::unreachable_instruction,
                        regex_header_size + size_t{pc} * regex_instruction_size);
        }
    }
    // Every instruction is reached, so any match is.
    if (!has_match) {
        return fail(RegexVerifyError::no_match_reachable, regex_header_size);
    }

    RegexVerifyResult result;
    result.program.program = program;
    result.program.instruction_count = n;
    result.program.range_count = r;
    result.program.scratch_size = regex_scratch_size(n);
    return result;
}

namespace {

// The code point at `at` and the bytes it takes; a byte that does not begin
// a well-formed sequence (Unicode Table 3-7) is one unit, code point -1.
struct Decoded {
    int32_t code_point;
    uint32_t length;
};

Decoded decode(const uint8_t* s, size_t size, size_t at) noexcept {
    const uint8_t b0 = s[at];
    if (b0 < 0x80) {
        return {b0, 1};
    }
    const size_t left = size - at;
    const auto cont = [&](size_t i, uint8_t lo, uint8_t hi) {
        return i < left && s[at + i] >= lo && s[at + i] <= hi;
    };
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (cont(1, 0x80, 0xBF)) {
            return {static_cast<int32_t>((b0 & 0x1Fu) << 6 | (s[at + 1] & 0x3Fu)), 2};
        }
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;
        if (cont(1, lo, hi) && cont(2, 0x80, 0xBF)) {
            return {static_cast<int32_t>((b0 & 0x0Fu) << 12 | (s[at + 1] & 0x3Fu) << 6 |
                                         (s[at + 2] & 0x3Fu)),
                    3};
        }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;
        const uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (cont(1, lo, hi) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF)) {
            return {static_cast<int32_t>((b0 & 0x07u) << 18 | (s[at + 1] & 0x3Fu) << 12 |
                                         (s[at + 2] & 0x3Fu) << 6 | (s[at + 3] & 0x3Fu)),
                    4};
        }
    }
    return {-1, 1};
}

bool is_word_byte(uint8_t c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

class Vm {
  public:
    Vm(const VerifiedRegex& program, const uint8_t* input, size_t size, void* scratch) noexcept
        : program_(program), n_(program.instruction_count), input_(input), size_(size) {
        auto* base = static_cast<uint8_t*>(scratch);
        __builtin_memset(base, 0, program.scratch_size);
        mark_ = reinterpret_cast<uint32_t*>(base);
        count_ = mark_ + size_t{n_} * regex_lists;
        dense_ = reinterpret_cast<uint16_t*>(count_ + regex_lists);
        stack_ = dense_ + size_t{n_} * regex_lists;
    }

    RegexMatch run() noexcept {
        for (size_t p = 0;; ++p) {
            if (skip_ && idle()) {
                // No thread is live, so only a thread started here could
                // match: pass over the bytes none of the start's
                // instructions can consume (one step each, where starting
                // the threads would cost one at least).
                const size_t from = p;
                while (p < size_ && !may_start(input_[p])) {
                    ++p;
                }
                steps_ += p - from;
            }
            const uint32_t list = static_cast<uint32_t>(p % regex_lists);
            // Unanchored: a thread starts at every byte position, as RE2's
            // unanchored search does.
            if (add(list, p, 0)) {
                return {true, steps_};
            }
            if (p == 0) {
                learn_start(list);
            }
            if (p == size_) {
                break;
            }
            const Decoded d = decode(input_, size_, p);
            uint16_t* threads = dense_ + size_t{list} * n_;
            for (uint32_t i = 0; i < count_[list]; ++i) {
                const uint32_t pc = threads[i];
                if (d.code_point >= 0 && consumes(pc, static_cast<uint32_t>(d.code_point))) {
                    const size_t q = p + d.length;
                    if (q <= size_ && add(static_cast<uint32_t>(q % regex_lists), q, pc + 1)) {
                        return {true, steps_};
                    }
                }
            }
            count_[list] = 0;
        }
        return {false, steps_};
    }

  private:
    Instruction at(uint32_t pc) const noexcept { return load_instruction(program_.program, pc); }

    const uint8_t* ranges_of(const Instruction& in) const noexcept {
        return program_.program + regex_header_size + size_t{n_} * regex_instruction_size +
               size_t{in.x} * regex_range_size;
    }

    // The threads a position starts (pc 0's closure) are the same at every
    // position when the closure holds no assertion (and no match: add()
    // returned then): the consuming instructions position 0's add() left in
    // its list. The bytes that can begin a code point one of them consumes
    // are noted (a superset: any lead byte for a code point past ASCII), and
    // the run may then pass over the others while no thread is live. A
    // class of more than kSkipRanges ranges, or an assertion, turns this
    // off, so that learning costs no more than the thread steps of
    // position 0 already counted.
    static constexpr uint32_t kSkipRanges = 16;
    void learn_start(uint32_t list) noexcept {
        skip_ = !saw_assertion_;
        const uint16_t* threads = dense_ + size_t{list} * n_;
        for (uint32_t i = 0; i < count_[list] && skip_; ++i) {
            const Instruction in = at(threads[i]);
            if (in.op == static_cast<uint8_t>(RegexOp::chr)) {
                note_start(in.x, in.x);
                continue;
            }
            skip_ = in.a <= kSkipRanges;
            const uint8_t* ranges = ranges_of(in);
            for (uint32_t j = 0; j < in.a && skip_; ++j) {
                note_start(load_u32(ranges + size_t{j} * regex_range_size),
                           load_u32(ranges + size_t{j} * regex_range_size + 4));
            }
        }
    }
    void note_start(uint32_t first, uint32_t last) noexcept {
        for (uint32_t c = first; c <= last && c < 0x80; ++c) {
            first_bytes_[c / 64] |= uint64_t{1} << (c % 64);
        }
        if (last >= 0x80) {
            // Every lead byte of a well-formed sequence (decode() gives an
            // ill-formed byte no code point, so no thread consumes it).
            for (uint32_t b = 0xC2; b <= 0xF4; ++b) {
                first_bytes_[b / 64] |= uint64_t{1} << (b % 64);
            }
        }
    }
    bool may_start(uint8_t b) const noexcept { return (first_bytes_[b / 64] >> (b % 64) & 1) != 0; }
    bool idle() const noexcept {
        uint32_t live = 0;
        for (uint32_t l = 0; l < regex_lists; ++l) {
            live |= count_[l];
        }
        return live == 0;
    }

    bool consumes(uint32_t pc, uint32_t c) const noexcept {
        const Instruction in = at(pc);
        if (in.op == static_cast<uint8_t>(RegexOp::chr)) {
            return c == in.x;
        }
        // A class: binary search for the first range whose last is >= c.
        const uint8_t* ranges = ranges_of(in);
        uint32_t lo = 0;
        uint32_t hi = in.a;
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            if (load_u32(ranges + size_t{mid} * regex_range_size + 4) < c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < in.a && load_u32(ranges + size_t{lo} * regex_range_size) <= c;
    }

    bool holds(uint8_t kind, size_t q) const noexcept {
        const bool word_before = q > 0 && is_word_byte(input_[q - 1]);
        const bool word_after = q < size_ && is_word_byte(input_[q]);
        switch (static_cast<RegexAssert>(kind)) {
            case RegexAssert::begin_text:
                return q == 0;
            case RegexAssert::end_text:
                return q == size_;
            case RegexAssert::begin_line:
                return q == 0 || input_[q - 1] == '\n';
            case RegexAssert::end_line:
                return q == size_ || input_[q] == '\n';
            case RegexAssert::word_boundary:
                return word_before != word_after;
            case RegexAssert::not_word_boundary:
                return word_before == word_after;
        }
        invariant_broken();  // the verifier accepts no other kind
    }

    // Marks pc in the list for position q; false when it already was.
    bool visit(uint32_t list, size_t q, uint32_t pc, uint32_t& depth) noexcept {
        uint32_t& mark = mark_[size_t{list} * n_ + pc];
        const auto stamp = static_cast<uint32_t>(q + 1);
        if (mark == stamp) {
            return false;
        }
        mark = stamp;
        ++steps_;
        stack_[depth++] = static_cast<uint16_t>(pc);
        return true;
    }

    // Adds the thread at pc, and all it reaches without consuming input, to
    // the list for position q. True when a match instruction is reached.
    bool add(uint32_t list, size_t q, uint32_t start) noexcept {
        uint32_t depth = 0;
        visit(list, q, start, depth);
        while (depth > 0) {
            const uint32_t pc = stack_[--depth];
            const Instruction in = at(pc);
            switch (static_cast<RegexOp>(in.op)) {
                case RegexOp::match:
                    return true;
                case RegexOp::jmp:
                    visit(list, q, in.x, depth);
                    break;
                case RegexOp::split:
                    visit(list, q, in.x, depth);
                    visit(list, q, in.a, depth);
                    break;
                case RegexOp::assertion:
                    saw_assertion_ = true;
                    if (holds(in.kind, q)) {
                        visit(list, q, pc + 1, depth);
                    }
                    break;
                case RegexOp::chr:
                case RegexOp::cls:
                    dense_[size_t{list} * n_ + count_[list]++] = static_cast<uint16_t>(pc);
                    break;
            }
        }
        return false;
    }

    const VerifiedRegex& program_;
    uint32_t n_;
    const uint8_t* input_;
    size_t size_;
    uint32_t* mark_ = nullptr;
    uint32_t* count_ = nullptr;
    uint16_t* dense_ = nullptr;
    uint16_t* stack_ = nullptr;
    uint64_t steps_ = 0;
    // learn_start()'s: whether the run may pass over bytes, and which bytes
    // may start a match.
    bool skip_ = false;
    bool saw_assertion_ = false;
    uint64_t first_bytes_[4] = {};
};

}  // namespace

RegexMatch match_regex(const VerifiedRegex& program, const uint8_t* input, size_t size,
                       void* scratch, size_t scratch_size) noexcept {
    if (program.program == nullptr || program.instruction_count == 0 ||
        program.instruction_count > max_regex_instructions_incl ||
        program.scratch_size != regex_scratch_size(program.instruction_count)) {
        contract_violation();  // not a VerifiedRegex that verify_regex made
    }
    if (scratch == nullptr || reinterpret_cast<uintptr_t>(scratch) % 4 != 0 ||
        scratch_size < program.scratch_size) {
        contract_violation();
    }
    // Positions are stamped as u32 (position + 1).
    if ((input == nullptr && size > 0) || size >= 0xFFFFFFFFu) {
        contract_violation();
    }
    Vm vm(program, input, size, scratch);
    return vm.run();
}

}  // namespace ringward::core
