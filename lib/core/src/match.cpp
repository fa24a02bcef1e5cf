// The content interpreter (match.h): docs/semantics.md's meaning, within the
// step bound of docs/interpreter.md. Kernel-safe like the reader: no
// allocation, no recursion, no floating point, no global state, nothing from
// libc but memcpy, memcmp and memset. Every input is read through input_at(),
// and every loop that touches an input or content byte counts a step, with
// the same cost model that prepare() sums into the bound: the two are kept
// side by side below, operator by operator, so that they cannot drift apart
// unnoticed (tests/match/bound_test.cpp holds one to the other).
#include "ringward/match.h"

#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/core/match_index.hpp"
#include "ringward/core/regex_program.hpp"
#include "ringward/core/swar.hpp"
#include "ringward/format.hpp"

namespace ringward::match {
namespace {

using format::Bytes;
using format::ByteSetCursor;
using format::CriterionView;
using format::InstanceView;
using format::Kind;
using format::Op;

static_assert(sizeof(format::BlobView) <= sizeof(ringward_loaded::view_),
              "ringward_loaded::view_ must hold a BlobView");

// ---------------------------------------------------------------------------
// Arithmetic of the bound: saturating, so that hostile sizes give UINT64_MAX
// (an honest "unbounded in practice"), never a wrapped small figure.

constexpr uint64_t kSaturated = ~uint64_t{0};

constexpr uint64_t add(uint64_t a, uint64_t b) noexcept {
    return a > kSaturated - b ? kSaturated : a + b;
}
constexpr uint64_t mul(uint64_t a, uint64_t b) noexcept {
    return a != 0 && b > kSaturated / a ? kSaturated : a * b;
}
constexpr uint64_t max_of(uint64_t a, uint64_t b) noexcept {
    return a > b ? a : b;
}

// Iterations of a binary search over n members (the `lo < hi` loop below):
// floor(log2(n)) + 1, and 0 for an empty range.
constexpr uint64_t search_probes(uint64_t n) noexcept {
    uint64_t probes = 0;
    while (n != 0) {
        ++probes;
        n >>= 1;
    }
    return probes;
}

// ---------------------------------------------------------------------------
// The cost model: what each operator may cost on an input of n bytes, in
// steps. Every function here is an upper bound on the steps counted by the
// matcher code that follows it.

// A criterion's base step (reading its record and its input), for every op.
constexpr uint64_t kCriterionStep = 1;

// eq/prefix/suffix of an operand of k bytes: one step for the lengths, one
// per byte compared.
constexpr uint64_t compare_cost(uint64_t k) noexcept {
    return add(1, k);
}

// contains, Knuth-Morris-Pratt: building the operand's border table takes at
// most 2k iterations and the search at most 2n (each iteration advances a
// position or shortens a border), so no input makes it quadratic.
constexpr uint64_t contains_cost(uint64_t k, uint64_t n) noexcept {
    return k == 0 || k > n ? 1 : add(1, add(mul(2, k), mul(2, n)));
}
// Its border table: one u64 per operand byte.
constexpr uint64_t contains_scratch_bytes(uint64_t k) noexcept {
    return mul(8, k);
}

// Glob: an NFA over pattern positions run over the input (see glob() below).
// Five state lists (a character is 1 to 4 bytes, so a step lands at most 4
// positions ahead, as in the regex VM), each a bitset of m + 1 bits.
constexpr uint32_t kGlobLists = 5;
constexpr uint64_t glob_words(uint64_t m) noexcept {
    return (m + 1 + 63) / 64;
}
// The syntax check (m), clearing the lists (5W), then per input position:
// scanning and clearing its list (2W), one step per live state (m + 1) and
// a class's scans (at most 2 per pattern byte in classes, so 2m).
constexpr uint64_t glob_cost(uint64_t m, uint64_t n) noexcept {
    const uint64_t w = glob_words(m);
    const uint64_t per_position = add(add(mul(2, w), m + 1), mul(2, m));
    return add(add(1, add(m, mul(kGlobLists, w))), mul(n + 1, per_position));
}
constexpr uint64_t glob_scratch_bytes(uint64_t m) noexcept {
    return kGlobLists * glob_words(m) * 8;
}

// Regex: the criterion's program (the union of its patterns, compiled with
// its case-insensitive flag; docs/format.md, "Regex programs") run by the
// core's Pike VM over the input. One step for the operand, then the VM's
// thread steps: each one (input position, instruction) pair, so at most
// (n + 1) x the program's instructions, whatever the pattern and the input
// (docs/regex.md). A thread step includes decoding a character and, for a
// class, a binary search of its ranges (at most 13 probes: 4,096 ranges).
constexpr uint64_t regex_cost(uint64_t instructions, uint64_t n) noexcept {
    return add(1, mul(n + 1, instructions));
}
// Its memory: the VM's thread lists, 32 bytes per instruction (and 20).
constexpr uint64_t regex_scratch_bytes(uint32_t instructions) noexcept {
    return core::regex_scratch_size(instructions);
}

// A membership test against an IP set of n networks. A containing network
// need not be the nearest member below the address (networks nest), so the
// search runs once per prefix length, 0..128, for the address masked to it;
// a small set is cheaper to scan.
constexpr uint64_t kPrefixLengths = 129;
constexpr bool ip_set_scanned(uint64_t n) noexcept {
    return n <= kPrefixLengths * search_probes(n);
}
constexpr uint64_t ip_set_cost(uint64_t n) noexcept {
    return ip_set_scanned(n) ? add(1, n) : add(1, kPrefixLengths * search_probes(n));
}

// An operand's cost under a string operator (prefix, suffix, contains,
// glob; eq as a field reference).
constexpr uint64_t operand_cost(Op op, uint64_t k, uint64_t n) noexcept {
    switch (op) {
        case Op::contains:
            return contains_cost(k, n);
        case Op::glob:
            return glob_cost(k, n);
        default:
            return compare_cost(k);
    }
}

// The index's scans of one event (index::scan): per automaton one step, the
// seen bitset cleared (at most its literals), one step per input byte, at
// most 2n fail-chain visits each with a binary search of a state's children,
// one step per position for the first literal seen again, and each literal
// and its instance list once: A x (2 + n x (4 + 2P)) + 3L in all.
uint64_t index_scan_cost(const index::Requirements& r, uint64_t n) noexcept {
    const uint64_t probes = index::child_probes(r.literals);
    const uint64_t per_automaton = add(2, mul(n, add(4, mul(2, probes))));
    return add(mul(r.automata, per_automaton), mul(3, r.literals));
}

// Outputting a matching instance: its id (1), and for a rule, a binary
// search of the rules written so far and the shift that keeps them sorted.
constexpr uint64_t hit_cost(uint32_t rule_id, uint64_t max_rules) noexcept {
    return rule_id == 0 ? 1 : add(2, add(search_probes(max_rules), max_rules));
}

// ---------------------------------------------------------------------------
// The event being matched, and the work counted so far.

struct State {
    const ringward_event* event = nullptr;
    const ringward_template_support* support = nullptr;
    uint64_t* scratch = nullptr;
    size_t scratch_words = 0;
    uint64_t steps = 0;
};

// The one input accessor (DESIGN.md invariant 7): input `index` of the
// event, or null when the event does not carry it, the sensor table does not
// declare it, or either says it has another type than `kind`. Nothing reads
// an input but through here.
const ringward_input* input_at(const State& s, uint32_t index, Kind kind) noexcept {
    if (index >= s.event->input_count || index >= s.support->input_count) {
        return nullptr;
    }
    const auto type = static_cast<uint8_t>(kind);
    const ringward_input* in = &s.event->inputs[index];
    if (s.support->input_types[index] != type || in->type != type) {
        return nullptr;
    }
    return in;
}

// A present string, bytes or enum input's bytes. Sizes were checked against
// max_input_bytes_incl (at most 2^30) before any instance ran.
Bytes bytes_of(const ringward_input& in) noexcept {
    return Bytes{in.data, static_cast<uint32_t>(in.size)};
}

bool is_byte_type(uint32_t type) noexcept {
    return type == RINGWARD_TYPE_STRING || type == RINGWARD_TYPE_BYTES ||
           type == RINGWARD_TYPE_ENUM;
}

uint8_t folded(uint8_t byte, bool fold) noexcept {
    return fold ? format::fold_ascii(byte) : byte;
}

// a[0, n) == b[0, n), one step per byte compared.
bool same(const uint8_t* a, const uint8_t* b, uint32_t n, bool fold, uint64_t& steps) noexcept {
    for (uint32_t i = 0; i < n; ++i) {
        ++steps;
        if (folded(a[i], fold) != folded(b[i], fold)) {
            return false;
        }
    }
    return true;
}

// The set order of docs/format.md ("Sets"), counting one step per byte
// compared and one for the lengths: at most min(a, b) + 1.
int order(Bytes a, Bytes b, bool fold, uint64_t& steps) noexcept {
    const uint32_t common = a.size < b.size ? a.size : b.size;
    for (uint32_t i = 0; i < common; ++i) {
        ++steps;
        const uint8_t x = folded(a.data[i], fold);
        const uint8_t y = folded(b.data[i], fold);
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    ++steps;
    return a.size < b.size ? -1 : (a.size > b.size ? 1 : 0);
}

// The first i in [from, n) where value[i] folds to `first` (an operand's
// folded first byte), or n; one step per byte passed over, as a byte loop
// counts them. Eight bytes a word: with `fold` and a letter, bit 5 set in
// every byte makes both cases the lower one (and only they become it); the
// zero-byte test then flags the first equal byte exactly (its borrow can
// flag only bytes after a true one).
uint32_t skip_to(const uint8_t* value, uint32_t from, uint32_t n, uint8_t first, bool fold,
                 uint64_t& steps) noexcept {
    const uint64_t case_bits = fold && first >= 'a' && first <= 'z' ? core::kEveryByte * 0x20 : 0;
    const uint64_t pattern = core::kEveryByte * first;
    uint32_t i = from;
    for (; n - i >= 8; i += 8) {
        const uint64_t x = (core::load_u64(value + i) | case_bits) ^ pattern;
        const uint64_t zero = core::zero_bytes(x);
        if (zero != 0) {
            i += static_cast<uint32_t>(__builtin_ctzll(zero)) / 8;
            steps += i - from;
            return i;
        }
    }
    for (; i < n && folded(value[i], fold) != first; ++i) {
    }
    steps += i - from;
    return i;
}

constexpr uint32_t kNotFound = ~uint32_t{0};

// Where the leftmost occurrence of the operand (k >= 1 bytes) in
// value[from, to) ends, or kNotFound. Knuth-Morris-Pratt over the caller's
// scratch (the plan sized it for the longest operand): border[i] is the
// length of the longest proper border of operand[0, i]. Where no byte of
// the operand is matched, skip_to() passes over the bytes that cannot start
// it. At most 2k + 2 (to - from) steps.
uint32_t find(Bytes value, uint32_t from, uint32_t to, Bytes operand, bool fold,
              State& s) noexcept {
    const uint32_t k = operand.size;
    if (k > to - from) {
        return kNotFound;
    }
    if (k > s.scratch_words) {
        core::invariant_broken();
    }
    uint64_t* border = s.scratch;
    const auto at = [&](const uint8_t* bytes, uint64_t i) { return folded(bytes[i], fold); };
    // Counted here and added once: the border table's stores would
    // otherwise make the compiler store the count on every iteration.
    uint64_t steps = 0;
    border[0] = 0;
    uint64_t length = 0;
    for (uint32_t i = 1; i < k;) {
        ++steps;
        if (at(operand.data, i) == at(operand.data, length)) {
            border[i++] = ++length;
        } else if (length > 0) {
            length = border[length - 1];
        } else {
            border[i++] = 0;
        }
    }
    const uint8_t first = at(operand.data, 0);
    uint64_t matched = 0;
    uint32_t found = kNotFound;
    for (uint32_t i = from; i < to;) {
        if (matched == 0) {
            i = skip_to(value.data, i, to, first, fold, steps);
            if (to - i < k) {
                break;  // too few bytes left to hold the operand
            }
        }
        ++steps;
        if (at(value.data, i) == at(operand.data, matched)) {
            ++i;
            if (++matched == k) {
                found = i;
                break;
            }
        } else if (matched > 0) {
            matched = border[matched - 1];
        } else {
            ++i;
        }
    }
    s.steps += steps;
    return found;
}

bool contains(Bytes value, Bytes operand, bool fold, State& s) noexcept {
    return operand.size == 0 || find(value, 0, value.size, operand, fold, s) != kNotFound;
}

// ---------------------------------------------------------------------------
// Glob (docs/semantics.md, "Glob").

// One character at s[at] (at < n): a well-formed UTF-8 sequence (Unicode
// Table 3-7) is its code point; any other byte is one character of its own,
// valued 0x110000 + the byte, which no code point in a class range equals.
struct Character {
    uint32_t value;
    uint32_t length;
};
constexpr uint32_t kIllFormedBase = 0x110000;

Character decode(const uint8_t* s, uint32_t n, uint32_t at) noexcept {
    const uint8_t b0 = s[at];
    const auto cont = [&](uint32_t i, uint8_t lo, uint8_t hi) {
        return n - at > i && s[at + i] >= lo && s[at + i] <= hi;
    };
    if (b0 < 0x80) {
        return {b0, 1};
    }
    if (b0 >= 0xC2 && b0 <= 0xDF && cont(1, 0x80, 0xBF)) {
        return {(b0 & 0x1Fu) << 6 | (s[at + 1] & 0x3Fu), 2};
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;
        if (cont(1, lo, hi) && cont(2, 0x80, 0xBF)) {
            return {(b0 & 0x0Fu) << 12 | (s[at + 1] & 0x3Fu) << 6 | (s[at + 2] & 0x3Fu), 3};
        }
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;
        const uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (cont(1, lo, hi) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF)) {
            return {(b0 & 0x07u) << 18 | (s[at + 1] & 0x3Fu) << 12 | (s[at + 2] & 0x3Fu) << 6 |
                        (s[at + 3] & 0x3Fu),
                    4};
        }
    }
    return {kIllFormedBase + b0, 1};
}

uint32_t folded_value(uint32_t value, bool fold) noexcept {
    return fold && value < 0x80 ? format::fold_ascii(static_cast<uint8_t>(value)) : value;
}

// The index of the ']' that closes the class opened at p[j] == '[', or m
// when nothing closes it. '!' or '^' first negates, a ']' first (after it)
// is a member, '\' escapes the next byte: as validate's check_glob reads it.
uint32_t class_end(const uint8_t* p, uint32_t m, uint32_t j) noexcept {
    uint32_t i = j + 1;
    if (i < m && (p[i] == '!' || p[i] == '^')) {
        ++i;
    }
    if (i < m && p[i] == ']') {
        ++i;
    }
    while (i < m && p[i] != ']') {
        if (p[i] == '\\') {
            if (m - i == 1) {
                return m;
            }
            i += 2;
        } else {
            ++i;
        }
    }
    return i;
}

// Whether the pattern is one validate accepts the syntax of: every class
// closed, no trailing '\'. A pattern that is not matches nothing (content
// that validate refused cannot reach an agent through `sign`; this keeps the
// meaning defined anyway). One step per pattern byte.
bool glob_well_formed(const uint8_t* p, uint32_t m, bool* stars_only, uint64_t& steps) noexcept {
    uint32_t j = 0;
    *stars_only = true;
    while (j < m) {
        uint32_t next = j + 1;
        if (p[j] == '?' || p[j] == '\\' || p[j] == '[') {
            *stars_only = false;
        }
        if (p[j] == '\\') {
            if (m - j == 1) {
                steps += 1;
                return false;
            }
            next = j + 2;
        } else if (p[j] == '[') {
            const uint32_t end = class_end(p, m, j);
            if (end == m) {
                steps += m - j;
                return false;
            }
            next = end + 1;
        }
        steps += next - j;
        j = next;
    }
    return true;
}

// Whether character c is in the class p[j] == '[' .. p[end] == ']'. Members
// and range bounds are characters as decode() reads them; with `fold` both
// sides are folded (so [A-Z] is [a-z]). A range whose low is above its high
// holds nothing. One step per pattern byte read.
bool class_has(const uint8_t* p, uint32_t j, uint32_t end, uint32_t c, bool fold,
               uint64_t& steps) noexcept {
    uint32_t i = j + 1;
    bool negated = false;
    if (p[i] == '!' || p[i] == '^') {
        negated = true;
        ++i;
    }
    bool found = false;
    bool first = true;
    while (i < end) {
        const uint32_t start = i;
        if (p[i] == '\\') {
            ++i;  // class_end guarantees the escaped byte lies before `end`
        }
        const Character low = decode(p, end, i);
        i += low.length;
        uint32_t high = low.value;
        // A leading ']' is a member of its own, as check_glob reads it.
        const bool leading_bracket = first && p[start] == ']';
        if (!leading_bracket && end - i > 1 && p[i] == '-') {
            ++i;
            if (p[i] == '\\') {
                ++i;
            }
            const Character h = decode(p, end, i);
            i += h.length;
            high = h.value;
        }
        first = false;
        steps += i - start;
        const uint32_t lo = folded_value(low.value, fold);
        const uint32_t hi = folded_value(high, fold);
        if (lo <= c && c <= hi) {
            found = true;
        }
    }
    return found != negated;
}

void set_bit(uint64_t* list, uint32_t bit) noexcept {
    list[bit / 64] |= uint64_t{1} << (bit % 64);
}

// The end of the run of literal bytes at p[j]: the next '*' before `to`, or
// `to`; one step per byte passed.
uint32_t run_end(const uint8_t* p, uint32_t j, uint32_t to, uint64_t& steps) noexcept {
    uint32_t i = j;
    while (i < to && p[i] != '*') {
        ++i;
    }
    steps += i - j + 1;
    return i;
}

// A glob of literal bytes and stars only, as most are: what the NFA below
// computes (its '*' passes over single bytes, so a run of literal bytes may
// match anywhere), found directly. The run before the first star is a
// prefix, the run after the last a suffix, and each run between them is
// taken at its leftmost place after the one before, which never leaves less
// room for the runs after it. Beyond the syntax check, at most 5m + 2n + 2
// steps (2m + 2 for an empty value), within glob_cost() less its syntax
// check: two passes over the pattern, the prefix and suffix compared, each
// run's border table (2k) and its search (find()) over a part of the value
// the next search does not revisit.
bool star_glob(Bytes value, Bytes pattern, bool fold, State& s) noexcept {
    const uint8_t* p = pattern.data;
    const uint32_t m = pattern.size;
    const uint32_t n = value.size;
    const uint32_t head = run_end(p, 0, m, s.steps);
    if (head == m) {
        return n == m && same(value.data, p, m, fold, s.steps);
    }
    if (head > n || !same(value.data, p, head, fold, s.steps)) {
        return false;
    }
    // p[head] is a star, so the search back from the end stops after it.
    uint32_t last = m;
    while (p[last - 1] != '*') {
        --last;
    }
    s.steps += m - last + 1;
    const uint32_t tail = m - last;
    if (n - head < tail || !same(value.data + (n - tail), p + last, tail, fold, s.steps)) {
        return false;
    }
    const uint32_t end = n - tail;
    uint32_t at = head;
    for (uint32_t j = head + 1; j < last;) {
        const uint32_t stop = run_end(p, j, last, s.steps);
        if (stop > j) {
            at = find(value, at, end, Bytes{p + j, stop - j}, fold, s);
            if (at == kNotFound) {
                return false;
            }
        }
        j = stop + 1;
    }
    return true;
}

// The whole value matches the pattern: an NFA whose states are pattern
// positions, advanced over the value's bytes with one bitset of live states
// per position (modulo 5), so the work is O((n + 1) x m) whatever the
// pattern: no backtracking, nothing exponential. A pattern of literal bytes
// and stars only goes to star_glob() instead, with the same result.
bool glob(Bytes value, Bytes pattern, bool fold, State& s) noexcept {
    const uint8_t* p = pattern.data;
    const uint32_t m = pattern.size;
    bool stars_only = false;
    if (!glob_well_formed(p, m, &stars_only, s.steps)) {
        return false;
    }
    if (stars_only) {
        return star_glob(value, pattern, fold, s);
    }
    const auto words = static_cast<uint32_t>(glob_words(m));
    if (size_t{words} * kGlobLists > s.scratch_words) {
        core::invariant_broken();  // the plan sized the scratch for every glob
    }
    uint64_t* lists = s.scratch;
    // Counted here and added on return: the lists are u64s too, so the
    // compiler would otherwise store the count after every write to them.
    uint64_t steps = 0;
    __builtin_memset(lists, 0, size_t{words} * kGlobLists * 8);
    steps += uint64_t{words} * kGlobLists;
    set_bit(lists, 0);
    const uint32_t n = value.size;
    for (uint32_t pos = 0;; ++pos) {
        uint64_t* current = lists + size_t{pos % kGlobLists} * words;
        const auto list_at = [&](uint32_t ahead) {
            return lists + size_t{(pos + ahead) % kGlobLists} * words;
        };
        bool accepted = false;
        for (uint32_t w = 0; w < words; ++w) {
            ++steps;
            uint64_t done = 0;
            for (;;) {
                // Re-read the word: a '*' adds the state after it to the
                // same list, possibly in this word.
                const uint64_t pending = current[w] & ~done;
                if (pending == 0) {
                    break;
                }
                const uint64_t bit = pending & (~pending + 1);
                done |= bit;
                const uint32_t j = w * 64 + static_cast<uint32_t>(__builtin_ctzll(bit));
                ++steps;
                if (j == m) {
                    accepted = accepted || pos == n;
                    continue;
                }
                const uint8_t token = p[j];
                if (token == '*') {
                    set_bit(current, j + 1);
                    if (pos < n) {
                        set_bit(list_at(1), j);
                    }
                    continue;
                }
                if (pos == n) {
                    continue;  // every other token consumes
                }
                if (token == '?') {
                    set_bit(list_at(decode(value.data, n, pos).length), j + 1);
                } else if (token == '[') {
                    const uint32_t end = class_end(p, m, j);
                    steps += end - j;
                    const Character c = decode(value.data, n, pos);
                    if (class_has(p, j, end, folded_value(c.value, fold), fold, steps)) {
                        set_bit(list_at(c.length), end + 1);
                    }
                } else if (token == '\\') {
                    if (folded(value.data[pos], fold) == folded(p[j + 1], fold)) {
                        set_bit(list_at(1), j + 2);
                    }
                } else if (folded(value.data[pos], fold) == folded(token, fold)) {
                    set_bit(list_at(1), j + 1);
                }
            }
        }
        if (pos == n) {
            s.steps += steps;
            return accepted;
        }
        __builtin_memset(current, 0, size_t{words} * 8);
        steps += words;
    }
}

// ---------------------------------------------------------------------------
// IP addresses: 16 bytes, network order, IPv4 as v4-mapped.

// The first `prefix` bits of a and b agree.
bool prefix_equal(const uint8_t* a, const uint8_t* b, uint32_t prefix) noexcept {
    const uint32_t whole = prefix / 8;
    if (whole > 0 && __builtin_memcmp(a, b, whole) != 0) {
        return false;
    }
    const uint32_t rest = prefix % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<uint8_t>(0xFF00u >> rest);
    return (a[whole] & mask) == (b[whole] & mask);
}

// The address in any member network of the set: a scan, or one binary
// search per prefix length for the address masked to it (members are sorted
// by address, then prefix, and their host bits are zero).
bool in_ip_set(const CriterionView& c, const uint8_t* address, uint64_t& steps) noexcept {
    const uint32_t n = c.value_count();
    if (ip_set_scanned(n)) {
        for (uint32_t i = 0; i < n; ++i) {
            ++steps;
            const uint8_t* member = c.ip_member(i);
            if (prefix_equal(address, member, member[16])) {
                return true;
            }
        }
        return false;
    }
    for (uint32_t prefix = 0; prefix < kPrefixLengths; ++prefix) {
        uint8_t key[17];
        for (uint32_t b = 0; b < 16; ++b) {
            const uint32_t bits = prefix > b * 8 ? prefix - b * 8 : 0;
            const auto mask = static_cast<uint8_t>(bits >= 8 ? 0xFF : 0xFF00u >> bits);
            key[b] = static_cast<uint8_t>(address[b] & mask);
        }
        key[16] = static_cast<uint8_t>(prefix);
        uint32_t lo = 0;
        uint32_t hi = n;
        while (lo < hi) {
            ++steps;
            const uint32_t mid = lo + (hi - lo) / 2;
            const int cmp = __builtin_memcmp(c.ip_member(mid), key, sizeof(key));
            if (cmp == 0) {
                return true;
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
    }
    return false;
}

// ---------------------------------------------------------------------------
// Criteria.

// Binary search of an int or uint set.
bool in_scalar_set(const CriterionView& c, uint64_t value, bool is_signed,
                   uint64_t& steps) noexcept {
    uint32_t lo = 0;
    uint32_t hi = c.value_count();
    while (lo < hi) {
        ++steps;
        const uint32_t mid = lo + (hi - lo) / 2;
        const uint64_t member = c.scalar_member(mid);
        if (member == value) {
            return true;
        }
        const bool below =
            is_signed ? static_cast<int64_t>(member) < static_cast<int64_t>(value) : member < value;
        if (below) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

// A byte-string set in its stored order: a scan that stops at the first
// member past the value. (The members have no index, so a binary search
// would need one; docs/interpreter.md.)
bool in_byte_set(const CriterionView& c, Bytes value, bool fold, uint64_t& steps) noexcept {
    ByteSetCursor members = c.byte_members();
    Bytes member;
    while (members.next(&member)) {
        const int cmp = order(member, value, fold, steps);
        if (cmp == 0) {
            return true;
        }
        if (cmp > 0) {
            return false;
        }
    }
    return false;
}

// A string operator (eq, prefix, suffix, contains, glob) with one operand.
bool string_op(Op op, Bytes value, Bytes operand, bool fold, State& s) noexcept {
    ++s.steps;
    switch (op) {
        case Op::eq:
            return value.size == operand.size &&
                   same(value.data, operand.data, operand.size, fold, s.steps);
        case Op::prefix:
            return operand.size <= value.size &&
                   same(value.data, operand.data, operand.size, fold, s.steps);
        case Op::suffix:
            return operand.size <= value.size && same(value.data + (value.size - operand.size),
                                                      operand.data, operand.size, fold, s.steps);
        case Op::contains:
            return contains(value, operand, fold, s);
        case Op::glob:
            return glob(value, operand, fold, s);
        default:
            core::invariant_broken();  // the reader admits no other string operator
    }
}

// Regex (docs/semantics.md, "Regular expressions"): the program the reader
// verified, run over the value in the caller's scratch. Any-of and case
// folding are in the program; negation and absence are holds()'s.
bool regex(const CriterionView& c, Bytes value, State& s) noexcept {
    ++s.steps;
    const core::VerifiedRegex program = c.regex();
    if (program.scratch_size > s.scratch_words * 8) {
        core::invariant_broken();  // the plan sized the scratch for every program
    }
    const core::RegexMatch m =
        core::match_regex(program, value.data, value.size, s.scratch, s.scratch_words * 8);
    s.steps += m.steps;
    return m.matched;
}

// Any of the operands: one stored plainly, or two or more as a set.
bool any_operand(const CriterionView& c, Bytes value, bool fold, State& s) noexcept {
    if (c.value_count() == 1) {
        return string_op(c.op(), value, c.data(), fold, s);
    }
    ByteSetCursor members = c.byte_members();
    Bytes member;
    while (members.next(&member)) {
        if (string_op(c.op(), value, member, fold, s)) {
            return true;
        }
    }
    return false;
}

bool compare_scalar(Op op, uint64_t value, const CriterionView& c, bool is_signed) noexcept {
    const uint64_t a = c.value0();
    const uint64_t b = c.value1();
    if (is_signed) {
        const auto v = static_cast<int64_t>(value);
        const auto x = static_cast<int64_t>(a);
        const auto y = static_cast<int64_t>(b);
        switch (op) {
            case Op::eq:
                return v == x;
            case Op::lt:
                return v < x;
            case Op::le:
                return v <= x;
            case Op::gt:
                return v > x;
            case Op::ge:
                return v >= x;
            case Op::range:
                return x <= v && v <= y;
            default:
                core::invariant_broken();
        }
    }
    switch (op) {
        case Op::eq:
            return value == a;
        case Op::lt:
            return value < a;
        case Op::le:
            return value <= a;
        case Op::gt:
            return value > a;
        case Op::ge:
            return value >= a;
        case Op::range:
            return a <= value && value <= b;
        default:
            core::invariant_broken();
    }
}

// The operator's base result on a present input (docs/semantics.md,
// "Criteria"), the field reference aside.
bool base_result(const CriterionView& c, const ringward_input& in, State& s) noexcept {
    const Op op = c.op();
    const Kind kind = c.kind();
    if (op == Op::exists) {
        return true;
    }
    const bool fold = c.case_insensitive();
    switch (kind) {
        case Kind::int64:
        case Kind::uint64:
            if (op == Op::in) {
                return in_scalar_set(c, in.number, kind == Kind::int64, s.steps);
            }
            return compare_scalar(op, in.number, c, kind == Kind::int64);
        case Kind::boolean:
            return (in.number != 0) == c.bool_value();  // eq is the one bool operator
        case Kind::ip:
            if (op == Op::in) {
                return in_ip_set(c, in.address, s.steps);
            }
            // eq (prefix 128) and cidr_contains alike.
            return prefix_equal(in.address, c.ip_address(), c.prefix_len());
        case Kind::string:
        case Kind::bytes:
        case Kind::enumeration: {
            const Bytes value = bytes_of(in);
            if (op == Op::empty) {
                return value.size == 0;
            }
            if (op == Op::in) {
                return in_byte_set(c, value, fold, s.steps);
            }
            if (op == Op::eq) {
                return string_op(op, value, c.data(), fold, s);
            }
            if (op == Op::regex) {
                return regex(c, value, s);
            }
            return any_operand(c, value, fold, s);
        }
        default:
            core::invariant_broken();  // the reader admits no other kind
    }
}

// Whether the criterion holds. Its inputs were found accessible by the
// instance's first pass; reaching here without them is a bug.
bool holds(const CriterionView& c, State& s) noexcept {
    s.steps += kCriterionStep;
    const ringward_input* in = input_at(s, c.field_index(), c.kind());
    if (in == nullptr) {
        core::invariant_broken();
    }
    bool base = false;
    if (in->present != 0) {
        if (c.is_field_ref()) {
            const ringward_input* other = input_at(s, c.ref_field_index(), c.kind());
            if (other == nullptr) {
                core::invariant_broken();
            }
            base = other->present != 0 &&
                   string_op(c.op(), bytes_of(*in), bytes_of(*other), c.case_insensitive(), s);
        } else {
            base = base_result(c, *in, s);
        }
    }
    // Negation is the complement, on absent inputs too.
    return base != c.negated();
}

// What a criterion may cost (the matcher code above), for the plan.
uint64_t criterion_cost(const CriterionView& c, uint64_t n) noexcept {
    uint64_t cost = kCriterionStep;
    const Op op = c.op();
    if (c.is_field_ref()) {
        // The operand is another input: up to n bytes.
        return add(cost, op == Op::contains ? contains_cost(n, n) : compare_cost(n));
    }
    const Kind kind = c.kind();
    const bool byte_kind = kind == Kind::string || kind == Kind::bytes || kind == Kind::enumeration;
    if (op == Op::in) {
        if (kind == Kind::int64 || kind == Kind::uint64) {
            return add(cost, search_probes(c.value_count()));
        }
        if (kind == Kind::ip) {
            return add(cost, ip_set_cost(c.value_count()));
        }
        // Each member: at most its length + 1; the data holds every length.
        return add(cost, add(c.data().size, c.value_count()));
    }
    if (!byte_kind || op == Op::exists || op == Op::empty) {
        return cost;
    }
    if (op == Op::regex) {
        return add(cost, regex_cost(c.regex().instruction_count, n));
    }
    if (op == Op::eq || c.value_count() == 1) {
        return add(cost, operand_cost(op, c.data().size, n));
    }
    ByteSetCursor members = c.byte_members();
    Bytes member;
    while (members.next(&member)) {
        cost = add(cost, operand_cost(op, member.size, n));
    }
    return cost;
}

// The scratch a criterion needs, in bytes: glob's state lists, contains'
// border table, the regex VM's thread lists.
uint64_t operand_scratch(Op op, uint64_t k) noexcept {
    // A glob of stars and literal bytes searches its runs as contains does.
    return op == Op::glob       ? max_of(glob_scratch_bytes(k), contains_scratch_bytes(k))
           : op == Op::contains ? contains_scratch_bytes(k)
                                : 0;
}
uint64_t criterion_scratch(const CriterionView& c, uint64_t n) noexcept {
    const Op op = c.op();
    if (op == Op::regex) {
        return regex_scratch_bytes(c.regex().instruction_count);
    }
    if (op != Op::glob && op != Op::contains) {
        return 0;
    }
    if (c.is_field_ref()) {
        return operand_scratch(op, n);
    }
    if (c.value_count() == 1) {
        return operand_scratch(op, c.data().size);
    }
    uint64_t largest = 0;
    ByteSetCursor members = c.byte_members();
    Bytes member;
    while (members.next(&member)) {
        largest = max_of(largest, operand_scratch(op, member.size));
    }
    return largest;
}

// ---------------------------------------------------------------------------
// Instances.

enum class Outcome : uint8_t { miss, hit, refused };

// Every criterion's inputs accessible, before any is evaluated: an instance
// is refused whole or evaluated whole, whatever short-circuiting would skip.
// One step per criterion.
Outcome accessible(const InstanceView& instance, State& s) noexcept {
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        ++s.steps;
        const CriterionView c = instance.criterion(k);
        if (input_at(s, c.field_index(), c.kind()) == nullptr) {
            return Outcome::refused;
        }
        if (c.is_field_ref() && input_at(s, c.ref_field_index(), c.kind()) == nullptr) {
            return Outcome::refused;
        }
    }
    return Outcome::hit;
}

// docs/semantics.md, "Rules, instances, exclusions": every own criterion
// (group 0) holds and no exclusion (each a conjunction, groups 1..) does.
// Each criterion is evaluated or skipped at most once.
Outcome evaluate(const InstanceView& instance, State& s) noexcept {
    const Outcome access = accessible(instance, s);
    if (access != Outcome::hit) {
        return access;
    }
    const uint32_t count = instance.criterion_count();
    uint32_t k = 0;
    for (; k < count; ++k) {
        const CriterionView c = instance.criterion(k);
        if (c.group() != 0) {
            break;
        }
        if (!holds(c, s)) {
            return Outcome::miss;
        }
    }
    while (k < count) {
        const uint16_t group = instance.criterion(k).group();
        bool all = true;
        for (; k < count; ++k) {
            const CriterionView c = instance.criterion(k);
            if (c.group() != group) {
                break;
            }
            if (all) {
                all = holds(c, s);
            } else {
                s.steps += kCriterionStep;  // skipped: the conjunction failed
            }
        }
        if (all) {
            return Outcome::miss;  // excluded
        }
    }
    return Outcome::hit;
}

// What evaluating an instance may cost, for the plan: the loader's verdict
// (find_template over the table, one look at each criterion), the
// accessibility pass, every criterion, and the output.
uint64_t instance_cost(const InstanceView& instance, uint64_t templates, uint64_t n,
                       uint64_t max_rules, uint64_t* scratch) noexcept {
    const uint32_t count = instance.criterion_count();
    uint64_t cost = add(add(templates, count), 1);  // the loader's judge
    cost = add(cost, count);                        // accessible()
    for (uint32_t k = 0; k < count; ++k) {
        const CriterionView c = instance.criterion(k);
        cost = add(cost, criterion_cost(c, n));
        *scratch = max_of(*scratch, criterion_scratch(c, n));
    }
    return add(cost, hit_cost(instance.rule_id(), max_rules));
}

struct Output {
    ringward_match_result* result;
    size_t rule_capacity;
};

// Records a matching instance: its id (ids arrive ascending), and its rule
// once, kept sorted.
void report(const InstanceView& instance, Output& out, uint64_t& steps) noexcept {
    ringward_match_result& r = *out.result;
    ++steps;
    ++r.instances_matched;
    if (r.instance_count < r.instance_capacity) {
        r.instances[r.instance_count++] = instance.id();
    } else {
        r.instances_truncated = 1;
    }
    const uint32_t rule = instance.rule_id();
    if (rule == 0) {
        return;
    }
    ++steps;
    size_t lo = 0;
    size_t hi = r.rule_count;
    while (lo < hi) {
        ++steps;
        const size_t mid = lo + (hi - lo) / 2;
        if (r.rules[mid] == rule) {
            return;
        }
        if (r.rules[mid] < rule) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (r.rule_count >= out.rule_capacity) {
        r.rules_truncated = 1;
        return;
    }
    for (size_t j = r.rule_count; j > lo; --j) {
        ++steps;
        r.rules[j] = r.rules[j - 1];
    }
    r.rules[lo] = rule;
    ++r.rule_count;
}

format::BlobView view_of(const ringward_loaded& loaded) noexcept {
    format::BlobView view;
    __builtin_memcpy(&view, loaded.view_, sizeof(view));
    return view;
}

uint32_t limit_or(uint32_t value, uint32_t fallback) noexcept {
    return value != 0 ? value : fallback;
}

void clear_output(ringward_match_result* r) noexcept {
    r->instance_count = 0;
    r->instances_matched = 0;
    r->instances_truncated = 0;
    r->rule_count = 0;
    r->rules_truncated = 0;
    r->evaluated = 0;
    r->skipped = 0;
    r->refused = 0;
    r->steps = 0;
    r->input = 0;
}

// Evaluates instance i of the blob (of the event's type, evaluable) and
// records it in the result.
void evaluate_and_report(const InstanceView& instance, State& s, Output& out) noexcept {
    ringward_match_result& r = *out.result;
    switch (evaluate(instance, s)) {
        case Outcome::refused:
            ++r.refused;
            break;
        case Outcome::hit:
            ++r.evaluated;
            report(instance, out, s.steps);
            break;
        case Outcome::miss:
            ++r.evaluated;
            break;
    }
}

// Every instance of the event's type in turn (no index, or an event whose
// inputs the index cannot vouch for).
void run_every_instance(const ringward_loaded& loaded, const ringward_event& event, State& s,
                        Output& out) noexcept {
    ringward_match_result& result = *out.result;
    const format::BlobView view = view_of(loaded);
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        ++s.steps;
        const InstanceView instance = view.instance(i);
        if (instance.template_type_id() != event.template_type_id ||
            instance.template_type_version() != event.template_type_version) {
            continue;
        }
        // The loader's own verdict: one rule, not a copy of it here.
        ringward_instance verdict;
        ringward_instance_at(&loaded, i, &verdict);
        s.steps = add(s.steps, add(add(loaded.template_count_, instance.criterion_count()), 1));
        if (verdict.status != RINGWARD_EVALUABLE) {
            ++result.skipped;
            continue;
        }
        evaluate_and_report(instance, s, out);
    }
}

// The candidates of the index (docs/interpreter.md, "The index"): the
// event's inputs scanned by the type's automata, marking per slot the
// instances whose required criterion there has a literal in the input; a
// candidate has every slot marked (a slot it does not use is preset). Only
// candidates are evaluated, in ascending order, by the same code as above;
// the rest would miss, and are counted as evaluated, as run_every_instance
// would count them.
void run_candidates(const ringward_loaded& loaded, const index::Header& h,
                    const index::TemplateIndex& t, const ringward_event& event, State& s,
                    uint64_t* slots, uint64_t* seen, Output& out) noexcept {
    ringward_match_result& result = *out.result;
    const auto* preset = index::at<uint64_t>(h, t.preset);
    const size_t words = size_t{t.words} * index::kMaxRequired;
    __builtin_memcpy(slots, preset, words * 8);
    s.steps += words;
    index::scan(h, t, event, slots, seen, s.steps);
    const format::BlobView view = view_of(loaded);
    const auto* list = index::at<uint32_t>(h, t.instances);
    uint32_t refused = 0;
    s.steps += t.words;
    for (uint32_t w = 0; w < t.words; ++w) {
        uint64_t candidates = ~uint64_t{0};
        for (uint32_t k = 0; k < index::kMaxRequired; ++k) {
            candidates &= slots[size_t{k} * t.words + w];
        }
        for (uint64_t bits = candidates; bits != 0; bits &= bits - 1) {
            const uint32_t p = w * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
            if (p >= t.instance_count) {
                core::invariant_broken();  // scan marks list positions only
            }
            ++s.steps;
            const uint32_t before = result.refused;
            evaluate_and_report(view.instance(list[p]), s, out);
            refused += result.refused - before;
        }
    }
    if (refused != 0) {
        // run() takes this path only when every input the table declares is
        // carried with the table's type, so no evaluable instance is refused.
        core::invariant_broken();
    }
    result.evaluated = t.instance_count;
    result.skipped = t.skipped;
}

ringward_match_status run(const ringward_loaded& loaded, const ringward_match_plan& plan,
                          const ringward_event& event, void* scratch, size_t scratch_size,
                          ringward_match_result* result) noexcept {
    if (loaded.blob == nullptr || plan.blob_ != loaded.blob ||
        plan.blob_size_ != loaded.blob_size) {
        return RINGWARD_MATCH_E_PLAN_MISMATCH;
    }
    const index::Header* h = nullptr;
    if (plan.index_ != nullptr) {
        h = index::header_of(plan.index_, loaded);
        if (h == nullptr) {
            return RINGWARD_MATCH_E_PLAN_MISMATCH;
        }
    }
    if (scratch_size < plan.scratch_bytes ||
        (plan.scratch_bytes > 0 &&
         (scratch == nullptr || reinterpret_cast<uintptr_t>(scratch) % 8 != 0))) {
        return RINGWARD_MATCH_E_SCRATCH;
    }
    State s;
    s.event = &event;
    s.scratch = static_cast<uint64_t*>(scratch);
    s.scratch_words = plan.scratch_bytes / 8;
    s.steps = 1;
    size_t slot = 0;
    for (size_t t = 0; t < loaded.template_count_ && s.support == nullptr; ++t) {
        ++s.steps;
        const ringward_template_support& entry = loaded.templates_[t];
        if (entry.id == event.template_type_id && entry.version == event.template_type_version) {
            s.support = &entry;
            slot = t;
        }
    }
    ringward_match_status status = RINGWARD_MATCH_OK;
    if (s.support == nullptr) {
        status = RINGWARD_MATCH_E_UNKNOWN_TEMPLATE;
    }
    // Inputs past the table's count are never read, so never checked.
    const size_t checked = s.support == nullptr                         ? 0
                           : event.input_count < s.support->input_count ? event.input_count
                                                                        : s.support->input_count;
    // Whether the event carries every input the table declares, each of the
    // table's type: then no evaluable instance can be refused, which the
    // index relies on.
    bool complete = s.support != nullptr && checked == s.support->input_count;
    for (size_t i = 0; i < checked && status == RINGWARD_MATCH_OK; ++i) {
        ++s.steps;
        const ringward_input& in = event.inputs[i];
        if (in.type != s.support->input_types[i]) {
            complete = false;
        }
        if (in.present == 0 || !is_byte_type(in.type)) {
            continue;
        }
        if (in.size > plan.limits.max_input_bytes_incl) {
            status = RINGWARD_MATCH_E_INPUT_TOO_LONG;
            result->input = static_cast<uint32_t>(i);
        } else if (in.size > 0 && in.data == nullptr) {
            status = RINGWARD_MATCH_E_INPUT_NULL;
            result->input = static_cast<uint32_t>(i);
        }
    }
    if (status != RINGWARD_MATCH_OK) {
        result->steps = s.steps;
        return status;
    }
    Output out{result, result->rule_capacity < plan.limits.max_rule_hits_incl
                           ? result->rule_capacity
                           : plan.limits.max_rule_hits_incl};
    if (h != nullptr && complete) {
        // The index's bitsets first in the scratch, the operators' after them
        // (the plan sized it for both at their largest).
        const index::TemplateIndex& t = index::template_at(*h, slot);
        const size_t slot_words = size_t{t.words} * index::kMaxRequired;
        const size_t index_words = slot_words + t.seen_words;
        if (index_words > s.scratch_words) {
            core::invariant_broken();
        }
        uint64_t* slots = s.scratch;
        uint64_t* seen = s.scratch + slot_words;
        s.scratch += index_words;
        s.scratch_words -= index_words;
        run_candidates(loaded, *h, t, event, s, slots, seen, out);
    } else {
        run_every_instance(loaded, event, s, out);
    }
    result->steps = s.steps;
    return RINGWARD_MATCH_OK;
}

int prepare(const ringward_loaded& loaded, const ringward_match_limits& limits,
            ringward_match_plan* plan) noexcept {
    if (loaded.blob == nullptr) {
        return -1;
    }
    const uint32_t n =
        limit_or(limits.max_input_bytes_incl, RINGWARD_DEFAULT_MAX_VALUE_LENGTH_INCL);
    const uint32_t max_rules = limit_or(limits.max_rule_hits_incl, RINGWARD_DEFAULT_MAX_RULE_HITS);
    if (n > RINGWARD_MAX_INPUT_BYTES_INCL || max_rules > RINGWARD_MAX_RULE_HITS_INCL) {
        return -1;
    }
    const format::BlobView view = view_of(loaded);
    const uint64_t templates = loaded.template_count_;
    // An event of a template type the table lacks: the lookup only.
    uint64_t worst = add(1, templates);
    uint64_t scratch = 0;
    uint64_t index_scratch_words = 0;
    // The index's memory: the header, every template type's part, and the
    // largest build working memory after them (index::build lays it out so).
    uint64_t index_bytes = index::header_bytes(loaded.template_count_);
    uint64_t index_build = 0;
    uint32_t regexes = 0;
    for (size_t t = 0; t < loaded.template_count_; ++t) {
        const ringward_template_support& entry = loaded.templates_[t];
        // The lookup and the input checks...
        const uint64_t common = add(add(1, templates), entry.input_count);
        // ... then without the index a look at every instance and all the
        // work on the instances of this template type...
        uint64_t every = add(common, view.instance_count());
        uint64_t instances = 0;
        for (uint32_t i = 0; i < view.instance_count(); ++i) {
            const InstanceView instance = view.instance(i);
            if (instance.template_type_id() != entry.id ||
                instance.template_type_version() != entry.version) {
                continue;
            }
            instances = add(instances, instance_cost(instance, templates, n, max_rules, &scratch));
            for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
                if (instance.criterion(k).op() == Op::regex) {
                    ++regexes;
                }
            }
        }
        every = add(every, instances);
        // ... or with it: the scans (index_scan_cost), the slot bitsets
        // preset and their words walked, a look at each evaluable instance
        // and its work.
        const index::Requirements r = index::requirements(loaded, view, entry);
        const uint64_t words = (uint64_t{r.instances} + 63) / 64;
        uint64_t indexed = add(common, index_scan_cost(r, n));
        indexed =
            add(indexed, add(mul(index::kMaxRequired + 1, words), add(r.instances, instances)));
        worst = max_of(worst, max_of(every, indexed));
        index_scratch_words = max_of(index_scratch_words, r.scratch_words);
        index_bytes = add(index_bytes, format::align_up(r.final_bytes, 8));
        index_build = max_of(index_build, r.build_bytes);
    }
    index_bytes = add(index_bytes, format::align_up(index_build, 8));
    // Within the limits scratch is at most 8 x 2^30 bytes; a figure past
    // that (a saturated one) would not round up to a size honestly.
    if (scratch > (uint64_t{1} << 40) || index_scratch_words > (uint64_t{1} << 37)) {
        return -1;
    }
    plan->limits.max_input_bytes_incl = n;
    plan->limits.max_rule_hits_incl = max_rules;
    plan->max_steps = worst;
    plan->scratch_bytes =
        static_cast<size_t>(format::align_up(scratch, 8) + index_scratch_words * 8);
    // 0: too large to be honest (saturated); no index can be built.
    plan->index_bytes = index_bytes == kSaturated ? 0 : static_cast<size_t>(index_bytes);
    plan->regex_criteria = regexes;
    plan->blob_ = loaded.blob;
    plan->blob_size_ = loaded.blob_size;
    return 0;
}

}  // namespace
}  // namespace ringward::match

extern "C" {

const char* ringward_match_status_name(ringward_match_status status) {
    switch (status) {
        case RINGWARD_MATCH_OK:
            return "ok";
        case RINGWARD_MATCH_E_UNKNOWN_TEMPLATE:
            return "unknown-template";
        case RINGWARD_MATCH_E_INPUT_TOO_LONG:
            return "input-too-long";
        case RINGWARD_MATCH_E_SCRATCH:
            return "scratch-too-small";
        case RINGWARD_MATCH_E_PLAN_MISMATCH:
            return "plan-mismatch";
        case RINGWARD_MATCH_E_INPUT_NULL:
            return "input-null";
        case RINGWARD_MATCH_E_INDEX_MEMORY:
            return "index-memory";
    }
    return "?";
}

int ringward_match_prepare(const ringward_loaded* loaded, const ringward_match_limits* limits,
                           ringward_match_plan* plan) {
    if (loaded == nullptr || plan == nullptr) {
        ringward::core::contract_violation();
    }
    __builtin_memset(plan, 0, sizeof(*plan));
    ringward_match_limits defaults;
    __builtin_memset(&defaults, 0, sizeof(defaults));
    const int rc = ringward::match::prepare(*loaded, limits != nullptr ? *limits : defaults, plan);
    if (rc != 0) {
        __builtin_memset(plan, 0, sizeof(*plan));
    }
    return rc;
}

ringward_match_status ringward_match_index_build(const ringward_loaded* loaded,
                                                 ringward_match_plan* plan, void* memory,
                                                 size_t size) {
    if (loaded == nullptr || plan == nullptr) {
        ringward::core::contract_violation();
    }
    if (loaded->blob == nullptr || plan->blob_ != loaded->blob ||
        plan->blob_size_ != loaded->blob_size) {
        return RINGWARD_MATCH_E_PLAN_MISMATCH;
    }
    if (plan->index_bytes == 0 || size < plan->index_bytes) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    const ringward_match_status status = ringward::match::index::build(*loaded, memory, size);
    if (status == RINGWARD_MATCH_OK) {
        plan->index_ = memory;
    }
    return status;
}

size_t ringward_match_index_size(const ringward_match_plan* plan) {
    if (plan == nullptr) {
        ringward::core::contract_violation();
    }
    if (plan->index_ == nullptr) {
        return 0;
    }
    return static_cast<size_t>(
        static_cast<const ringward::match::index::Header*>(plan->index_)->bytes);
}

ringward_match_status ringward_match_index_move(ringward_match_plan* plan, void* memory,
                                                size_t size) {
    if (plan == nullptr) {
        ringward::core::contract_violation();
    }
    if (plan->index_ == nullptr) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    const auto& from = *static_cast<const ringward::match::index::Header*>(plan->index_);
    const ringward_match_status status = ringward::match::index::move(from, memory, size);
    if (status == RINGWARD_MATCH_OK) {
        plan->index_ = memory;
    }
    return status;
}

ringward_match_status ringward_match(const ringward_loaded* loaded, const ringward_match_plan* plan,
                                     const ringward_event* event, void* scratch,
                                     size_t scratch_size, ringward_match_result* result) {
    if (loaded == nullptr || plan == nullptr || event == nullptr || result == nullptr ||
        (event->inputs == nullptr && event->input_count > 0) ||
        (result->instances == nullptr && result->instance_capacity > 0) ||
        (result->rules == nullptr && result->rule_capacity > 0)) {
        ringward::core::contract_violation();
    }
    ringward::match::clear_output(result);
    const ringward_match_status status =
        ringward::match::run(*loaded, *plan, *event, scratch, scratch_size, result);
    if (status != RINGWARD_MATCH_OK) {
        const uint64_t steps = result->steps;
        const uint32_t input = result->input;
        ringward::match::clear_output(result);
        result->steps = steps;
        result->input = input;
    }
    return status;
}

}  // extern "C"
