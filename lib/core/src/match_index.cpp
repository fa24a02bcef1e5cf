// The interpreter's index (core/match_index.hpp, docs/interpreter.md "The
// index"): which literal each instance requires, the Aho-Corasick automata
// over them, built into the caller's memory, and the scan of an event.
// Kernel-safe: no allocation, no recursion, no floating point, no global
// state; every loop is bounded by a count read from the verified blob or by
// the automaton's own size.
#include "ringward/core/match_index.hpp"

#include "ringward/core/contract.hpp"
#include "ringward/core/regex_program.hpp"

namespace ringward::match::index {
namespace {

using format::Bytes;
using format::CriterionView;
using format::InstanceView;
using format::Kind;
using format::Op;

constexpr uint64_t kSaturated = ~uint64_t{0};
constexpr uint64_t add(uint64_t a, uint64_t b) noexcept {
    return a > kSaturated - b ? kSaturated : a + b;
}
constexpr uint64_t mul(uint64_t a, uint64_t b) noexcept {
    return a != 0 && b > kSaturated / a ? kSaturated : a * b;
}
constexpr uint64_t align8(uint64_t v) noexcept {
    return v > kSaturated - 7 ? kSaturated : (v + 7) & ~uint64_t{7};
}
constexpr uint64_t words_for(uint64_t bits) noexcept {
    return (bits + 63) / 64;
}

bool byte_kind(Kind kind) noexcept {
    return kind == Kind::string || kind == Kind::bytes || kind == Kind::enumeration;
}

// ---------------------------------------------------------------------------
// Literals.

// A plain operand (eq, in's member, prefix, suffix, contains): its first
// bytes, folded. Any substring of the operand occurs in a value it admits.
uint32_t plain_literal(Bytes operand, uint8_t* out) noexcept {
    const uint32_t n = operand.size < kMaxLiteralBytes ? operand.size : kMaxLiteralBytes;
    for (uint32_t i = 0; i < n; ++i) {
        out[i] = format::fold_ascii(operand.data[i]);
    }
    return n;
}

// A glob's longest run of literal tokens (bytes and `\x` escapes between
// `*`, `?` and classes): the value holds it contiguously wherever the glob
// matches. 0 for a glob without one, and for one whose syntax is ill-formed
// (it matches nothing; treating it as requiring nothing is simply safe).
uint32_t glob_literal(Bytes pattern, uint8_t* out) noexcept {
    const uint8_t* p = pattern.data;
    const uint32_t m = pattern.size;
    uint32_t best_start = 0;
    uint32_t best_length = 0;
    uint32_t run_start = 0;
    uint32_t run_length = 0;
    uint32_t i = 0;
    while (i < m) {
        const uint8_t token = p[i];
        if (token == '*' || token == '?' || token == '[') {
            if (token == '[') {
                // As match.cpp's class_end: '!' or '^' first, a leading ']'.
                uint32_t j = i + 1;
                if (j < m && (p[j] == '!' || p[j] == '^')) {
                    ++j;
                }
                if (j < m && p[j] == ']') {
                    ++j;
                }
                while (j < m && p[j] != ']') {
                    if (p[j] == '\\') {
                        if (m - j == 1) {
                            return 0;
                        }
                        j += 2;
                    } else {
                        ++j;
                    }
                }
                if (j >= m) {
                    return 0;
                }
                i = j + 1;
            } else {
                ++i;
            }
            run_length = 0;
            run_start = i;
            continue;
        }
        if (token == '\\') {
            if (m - i == 1) {
                return 0;
            }
            i += 2;
        } else {
            ++i;
        }
        ++run_length;
        if (run_length > best_length) {
            best_length = run_length;
            best_start = run_start;
        }
    }
    // Decode the best run again, up to kMaxLiteralBytes bytes.
    uint32_t n = 0;
    for (uint32_t j = best_start; n < best_length && n < kMaxLiteralBytes;) {
        const uint8_t token = p[j] == '\\' ? p[j + 1] : p[j];
        j += p[j] == '\\' ? 2 : 1;
        out[n++] = format::fold_ascii(token);
    }
    return n;
}

struct Instruction {
    uint8_t op;
    uint16_t a;
    uint32_t x;
};
Instruction instruction(const core::VerifiedRegex& r, uint32_t pc) noexcept {
    const uint8_t* at = r.program + core::regex_header_size + size_t{pc} * 8;
    return Instruction{at[0], core::load_u16(at + 2), core::load_u32(at + 4)};
}
uint32_t range_first(const core::VerifiedRegex& r, uint32_t j) noexcept {
    return core::load_u32(r.program + core::regex_header_size + size_t{r.instruction_count} * 8 +
                          size_t{j} * 8);
}
uint32_t range_last(const core::VerifiedRegex& r, uint32_t j) noexcept {
    return core::load_u32(r.program + core::regex_header_size + size_t{r.instruction_count} * 8 +
                          size_t{j} * 8 + 4);
}

// The code point an instruction consumes when it consumes exactly one up to
// ASCII case (a chr, a one-member class, or a folded letter's class
// [Xx]), folded; or 0x110000 when it is not such an instruction.
constexpr uint32_t kNotLiteral = 0x110000;
uint32_t literal_char(const core::VerifiedRegex& r, uint32_t pc) noexcept {
    const Instruction in = instruction(r, pc);
    if (in.op == static_cast<uint8_t>(core::RegexOp::chr)) {
        return in.x < 0x80 ? format::fold_ascii(static_cast<uint8_t>(in.x)) : in.x;
    }
    if (in.op != static_cast<uint8_t>(core::RegexOp::cls)) {
        return kNotLiteral;
    }
    if (in.a == 1 && range_first(r, in.x) == range_last(r, in.x)) {
        const uint32_t c = range_first(r, in.x);
        return c < 0x80 ? format::fold_ascii(static_cast<uint8_t>(c)) : c;
    }
    if (in.a == 2) {
        const uint32_t upper = range_first(r, in.x);
        const uint32_t lower = range_first(r, in.x + 1);
        if (upper == range_last(r, in.x) && lower == range_last(r, in.x + 1) && upper >= 'A' &&
            upper <= 'Z' && lower == upper + 32) {
            return lower;
        }
    }
    return kNotLiteral;
}

// Whether every path from instruction `from` to a match passes `pc`: no
// match is reachable from `from` with `pc` removed. Iterative, over a
// worklist of at most kMaxRegexInstructionsAnalysed entries.
bool every_match_passes(const core::VerifiedRegex& r, uint32_t from, uint32_t pc) noexcept {
    if (pc == from) {
        return true;
    }
    uint64_t visited[kMaxRegexInstructionsAnalysed / 64] = {};
    uint8_t stack[kMaxRegexInstructionsAnalysed];
    uint32_t depth = 0;
    const auto push = [&](uint32_t i) {
        if (i == pc || (visited[i / 64] >> (i % 64) & 1) != 0) {
            return;
        }
        visited[i / 64] |= uint64_t{1} << (i % 64);
        stack[depth++] = static_cast<uint8_t>(i);
    };
    push(from);
    while (depth > 0) {
        const uint32_t i = stack[--depth];
        const Instruction in = instruction(r, i);
        switch (static_cast<core::RegexOp>(in.op)) {
            case core::RegexOp::match:
                return false;
            case core::RegexOp::jmp:
                push(in.x);
                break;
            case core::RegexOp::split:
                push(in.x);
                push(in.a);
                break;
            default:  // chr, cls, assertion: the next instruction
                push(i + 1);
                break;
        }
    }
    return true;
}

// The alternatives a program starts with: the instructions reached from the
// first through splits, jumps and assertions (which consume nothing). Every
// match passes one of them. Returns their count, or 0 when one is a match
// (an empty alternative) or there are more than kMaxRegexEntries.
uint32_t regex_entries(const core::VerifiedRegex& r, uint16_t* entries) noexcept {
    uint64_t visited[kMaxRegexInstructionsAnalysed / 64] = {};
    uint8_t stack[kMaxRegexInstructionsAnalysed];
    uint32_t depth = 0;
    uint32_t count = 0;
    const auto push = [&](uint32_t i) {
        if ((visited[i / 64] >> (i % 64) & 1) == 0) {
            visited[i / 64] |= uint64_t{1} << (i % 64);
            stack[depth++] = static_cast<uint8_t>(i);
        }
    };
    push(0);
    while (depth > 0) {
        const uint32_t i = stack[--depth];
        const Instruction in = instruction(r, i);
        switch (static_cast<core::RegexOp>(in.op)) {
            case core::RegexOp::match:
                return 0;
            case core::RegexOp::jmp:
                push(in.x);
                break;
            case core::RegexOp::split:
                push(in.x);
                push(in.a);
                break;
            case core::RegexOp::assertion:
                push(i + 1);
                break;
            default:
                if (count == kMaxRegexEntries) {
                    return 0;
                }
                entries[count++] = static_cast<uint16_t>(i);
                break;
        }
    }
    return count;
}

uint32_t put_utf8(uint32_t c, uint8_t* out) noexcept {
    if (c < 0x80) {
        out[0] = static_cast<uint8_t>(c);
        return 1;
    }
    if (c < 0x800) {
        out[0] = static_cast<uint8_t>(0xC0 | c >> 6);
        out[1] = static_cast<uint8_t>(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = static_cast<uint8_t>(0xE0 | c >> 12);
        out[1] = static_cast<uint8_t>(0x80 | (c >> 6 & 0x3F));
        out[2] = static_cast<uint8_t>(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = static_cast<uint8_t>(0xF0 | c >> 18);
    out[1] = static_cast<uint8_t>(0x80 | (c >> 12 & 0x3F));
    out[2] = static_cast<uint8_t>(0x80 | (c >> 6 & 0x3F));
    out[3] = static_cast<uint8_t>(0x80 | (c & 0x3F));
    return 4;
}

// A regex alternative's required literal (as RE2's prefilter finds one, in
// its simplest form): the longest run of consecutive one-character
// instructions whose first every path from the alternative's entry to a
// match passes. A chr or class falls through to the next instruction, so a
// thread that runs the first runs the whole run over consecutive input
// characters, which the value then holds as bytes. 0: none.
uint32_t regex_literal(const core::VerifiedRegex& r, uint32_t entry, uint8_t* out) noexcept {
    const uint32_t n = r.instruction_count;
    uint32_t best_start = 0;
    uint32_t best_bytes = 0;
    bool previous_required = false;
    for (uint32_t pc = 0; pc < n; ++pc) {
        if (literal_char(r, pc) == kNotLiteral) {
            previous_required = false;
            continue;
        }
        // A run that starts earlier at a required instruction holds this one's.
        if (previous_required) {
            continue;
        }
        if (!every_match_passes(r, entry, pc)) {
            continue;
        }
        previous_required = true;
        uint32_t bytes = 0;
        uint8_t scratch[4];
        for (uint32_t j = pc; j < n; ++j) {
            const uint32_t ch = literal_char(r, j);
            if (ch == kNotLiteral) {
                break;
            }
            const uint32_t length = put_utf8(ch, scratch);
            if (bytes + length > kMaxLiteralBytes) {
                break;
            }
            bytes += length;
        }
        if (bytes > best_bytes) {
            best_bytes = bytes;
            best_start = pc;
        }
    }
    uint32_t written = 0;
    for (uint32_t j = best_start; best_bytes > 0 && written < best_bytes; ++j) {
        written += put_utf8(literal_char(r, j), out + written);
    }
    return written;
}

bool eligible(const CriterionView& c) noexcept {
    if (c.group() != 0 || c.negated() || c.is_field_ref() || !byte_kind(c.kind())) {
        return false;
    }
    switch (c.op()) {
        case Op::eq:
        case Op::in:
        case Op::prefix:
        case Op::suffix:
        case Op::contains:
        case Op::glob:
        case Op::regex:
            return true;
        default:
            return false;
    }
}

}  // namespace

LiteralCursor::LiteralCursor(const CriterionView& c) noexcept
    : c_(c),
      single_(c.op() == Op::eq || c.op() == Op::regex ||
              (c.op() != Op::in && c.value_count() == 1)),
      done_(false),
      entries_{} {
    if (c.op() == Op::regex) {
        const core::VerifiedRegex r = c.regex();
        entry_count_ =
            r.instruction_count <= kMaxRegexInstructionsAnalysed ? regex_entries(r, entries_) : 0;
    } else if (!single_) {
        members_ = c.byte_members();
    }
}

uint32_t LiteralCursor::next(uint8_t* out) noexcept {
    if (done_) {
        return 0;
    }
    uint32_t n = 0;
    if (c_.op() == Op::regex) {
        if (entry_next_ == entry_count_) {
            done_ = true;
            // A program that starts with no alternative is one the analysis
            // gave up on (or that matches the empty string).
            return entry_count_ == 0 ? kMaxLiteralBytes + 1 : 0;
        }
        n = regex_literal(c_.regex(), entries_[entry_next_++], out);
    } else {
        Bytes value;
        if (single_) {
            done_ = true;
            value = c_.data();
        } else if (!members_.next(&value)) {
            done_ = true;
            return 0;
        }
        n = c_.op() == Op::glob ? glob_literal(value, out) : plain_literal(value, out);
    }
    if (n == 0) {
        // A value without a literal: the criterion gives the index nothing.
        done_ = true;
        return kMaxLiteralBytes + 1;
    }
    return n;
}

Choice choose(const InstanceView& instance) noexcept {
    Choice best;
    uint32_t shortest_of[kMaxRequired] = {};
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        const CriterionView c = instance.criterion(k);
        if (c.group() != 0) {
            break;  // criteria are in group order: exclusions follow
        }
        if (!eligible(c)) {
            continue;
        }
        LiteralCursor literals(c);
        uint8_t buffer[kMaxLiteralBytes];
        Required r;
        r.criterion = k;
        r.field = c.field_index();
        uint32_t shortest = kMaxLiteralBytes;
        bool usable = true;
        for (uint32_t n = literals.next(buffer); n != 0; n = literals.next(buffer)) {
            if (n > kMaxLiteralBytes) {
                usable = false;
                break;
            }
            ++r.literal_count;
            r.literal_bytes += n;
            shortest = n < shortest ? n : shortest;
        }
        if (!usable || r.literal_count == 0) {
            continue;
        }
        // Kept in order of the longest shortest literal (the fewest events
        // admitted), then the fewest literals; the first kMaxRequired stay.
        uint32_t at = best.count;
        while (at > 0 && (shortest > shortest_of[at - 1] ||
                          (shortest == shortest_of[at - 1] &&
                           r.literal_count < best.required[at - 1].literal_count))) {
            --at;
        }
        if (at >= kMaxRequired) {
            continue;
        }
        const uint32_t last = best.count < kMaxRequired ? best.count : kMaxRequired - 1;
        for (uint32_t j = last; j > at; --j) {
            best.required[j] = best.required[j - 1];
            shortest_of[j] = shortest_of[j - 1];
        }
        best.required[at] = r;
        shortest_of[at] = shortest;
        if (best.count < kMaxRequired) {
            ++best.count;
        }
    }
    return best;
}

uint64_t child_probes(uint64_t literals) noexcept {
    uint64_t n = literals < 256 ? literals : 256;
    uint64_t probes = 0;
    while (n != 0) {
        ++probes;
        n >>= 1;
    }
    return probes;
}

namespace {

format::BlobView view_of(const ringward_loaded& loaded) noexcept {
    format::BlobView view;
    __builtin_memcpy(&view, loaded.view_, sizeof(view));
    return view;
}

bool of_type(const InstanceView& instance, const ringward_template_support& entry) noexcept {
    return instance.template_type_id() == entry.id &&
           instance.template_type_version() == entry.version;
}

bool evaluable(const ringward_loaded& loaded, uint32_t i) noexcept {
    ringward_instance verdict;
    ringward_instance_at(&loaded, i, &verdict);
    return verdict.status == RINGWARD_EVALUABLE;
}

// The build's working memory for one automaton of up to `nodes` nodes: a
// trie of sibling lists (first child, next sibling, label, literals ending
// at the node), the breadth-first queue and the renumbering.
constexpr uint64_t kBuildBytesPerNode = 6 * 4;
// And per instance its choice: per slot the field + 1 (0: none), the
// criterion and the literal bytes.
struct SlotChoice {
    uint32_t field_plus_one;
    uint32_t criterion;
    uint64_t literal_bytes;
};
constexpr uint64_t kChoiceBytes = kMaxRequired * sizeof(SlotChoice);

}  // namespace

uint64_t header_bytes(uint64_t templates) noexcept {
    return add(align8(sizeof(Header)), mul(templates, sizeof(TemplateIndex)));
}

Requirements requirements(const ringward_loaded& loaded, const format::BlobView& view,
                          const ringward_template_support& entry) noexcept {
    Requirements r;
    // Distinct fields below 512 counted exactly; a field above counts an
    // automaton per instance (an upper bound, for exotic tables).
    constexpr uint32_t kCountedFields = 512;
    uint64_t fields[kCountedFields / 64] = {};
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const InstanceView instance = view.instance(i);
        if (!of_type(instance, entry) || !evaluable(loaded, i)) {
            continue;
        }
        ++r.instances;
        const Choice choice = choose(instance);
        for (uint32_t k = 0; k < choice.count; ++k) {
            const Required& req = choice.required[k];
            r.literals = add(r.literals, req.literal_count);
            r.literal_bytes = add(r.literal_bytes, req.literal_bytes);
            if (req.field >= kCountedFields) {
                ++r.automata;
            } else if ((fields[req.field / 64] >> (req.field % 64) & 1) == 0) {
                fields[req.field / 64] |= uint64_t{1} << (req.field % 64);
                ++r.automata;
            }
        }
    }
    const uint64_t words = words_for(r.instances);
    const uint64_t states = add(r.automata, r.literal_bytes);  // a root each, a node per byte
    uint64_t bytes = align8(mul(r.instances, 4));              // the instance list
    bytes = add(bytes, mul(words, 8 * kMaxRequired));          // the preset bitsets
    // Per automaton its record, the root's table, a sentinel state and
    // term entry, and up to 7 bytes of alignment before each of its four
    // arrays after the states.
    bytes = add(bytes, mul(r.automata, sizeof(Automaton) + 256 * 4 + sizeof(State) + 4 + 4 * 8));
    bytes = add(bytes, mul(states, sizeof(State) + 1));  // states and labels
    bytes = add(bytes, mul(r.literals, 4 + 4));          // terms (at most one each), pairs
    r.final_bytes = bytes;
    r.build_bytes =
        add(mul(r.instances, kChoiceBytes), mul(add(1, r.literal_bytes), kBuildBytesPerNode));
    r.scratch_words = add(mul(words, kMaxRequired), words_for(r.literals));
    return r;
}

namespace {

// A bump allocator over the index's memory, every request checked against
// the region the plan sized (a failure is this file's bug, not bad input).
struct Arena {
    uint8_t* base;
    uint64_t used;
    uint64_t end;

    uint64_t take(uint64_t bytes) noexcept {
        const uint64_t at = align8(used);
        if (at > end || bytes > end - at) {
            core::invariant_broken();
        }
        used = at + bytes;
        return at;
    }
    template <typename T>
    T* ptr(uint64_t offset) noexcept {
        return static_cast<T*>(static_cast<void*>(base + offset));
    }
};

// The build's trie: sibling lists, labels and the literals ending at each
// node, in the working memory.
struct Trie {
    uint32_t* first;
    uint32_t* next;
    uint32_t* label;
    uint32_t* ends;
    uint32_t count;
    uint32_t capacity;

    // The node `literal` ends at, added if `add_nodes` (else it must exist).
    uint32_t walk(const uint8_t* literal, uint32_t length, bool add_nodes) noexcept {
        uint32_t node = 0;
        for (uint32_t i = 0; i < length; ++i) {
            const uint8_t b = literal[i];
            uint32_t previous = 0;
            uint32_t child = first[node];
            // Siblings are sorted by label: at most 256 of them.
            while (child != 0 && label[child] < b) {
                previous = child;
                child = next[child];
            }
            if (child != 0 && label[child] == b) {
                node = child;
                continue;
            }
            if (!add_nodes || count >= capacity) {
                core::invariant_broken();
            }
            const uint32_t fresh = count++;
            first[fresh] = 0;
            next[fresh] = child;
            label[fresh] = b;
            ends[fresh] = 0;
            if (previous == 0) {
                first[node] = fresh;
            } else {
                next[previous] = fresh;
            }
            node = fresh;
        }
        return node;
    }
};

// The child of `state` labelled `b`, or 0; counting the binary search's probes.
uint32_t child_of(const State* states, const uint8_t* labels, uint32_t state, uint8_t b,
                  uint64_t& steps) noexcept {
    uint32_t lo = states[state].first_child;
    uint32_t hi = states[state + 1].first_child;
    while (lo < hi) {
        ++steps;
        const uint32_t mid = lo + (hi - lo) / 2;
        if (labels[mid] == b) {
            return mid;
        }
        if (labels[mid] < b) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return 0;
}

// One automaton over the literals of the criteria required on `field`,
// choices[p * kMaxRequired + slot] being position p's choice in that slot.
void build_automaton(Arena& arena, uint64_t work, uint64_t work_bytes, const format::BlobView& view,
                     const uint32_t* list, const SlotChoice* choices, uint32_t count,
                     uint32_t field, Automaton& a) noexcept {
    // The trie, in the working memory after the choices.
    uint64_t nodes = 1;
    for (uint32_t q = 0; q < count * kMaxRequired; ++q) {
        if (choices[q].field_plus_one == field + 1) {
            nodes += choices[q].literal_bytes;
        }
    }
    if (mul(nodes, kBuildBytesPerNode) > work_bytes) {
        core::invariant_broken();
    }
    auto* words = arena.ptr<uint32_t>(work);
    Trie trie{words,
              words + nodes,
              words + 2 * nodes,
              words + 3 * nodes,
              1,
              static_cast<uint32_t>(nodes)};
    uint32_t* queue = words + 4 * nodes;
    uint32_t* renumbered = words + 5 * nodes;
    trie.first[0] = 0;
    trie.next[0] = 0;
    trie.label[0] = 0;
    trie.ends[0] = 0;
    uint8_t literal[kMaxLiteralBytes];
    uint32_t literal_count = 0;
    for (uint32_t q = 0; q < count * kMaxRequired; ++q) {
        if (choices[q].field_plus_one != field + 1) {
            continue;
        }
        LiteralCursor cursor(view.instance(list[q / kMaxRequired]).criterion(choices[q].criterion));
        for (uint32_t n = cursor.next(literal); n != 0; n = cursor.next(literal)) {
            if (n > kMaxLiteralBytes) {
                core::invariant_broken();  // choose() found every value usable
            }
            ++trie.ends[trie.walk(literal, n, true)];
            ++literal_count;
        }
    }
    // Breadth-first renumbering: a node's children become consecutive.
    // What the automaton keeps is sized by the trie as built: its nodes
    // (literals sharing a prefix share them) and the nodes literals end at.
    const uint32_t state_count = trie.count;
    uint32_t term_count = 0;
    for (uint32_t node = 0; node < state_count; ++node) {
        term_count += trie.ends[node] != 0 ? 1 : 0;
    }
    const uint64_t states_at = arena.take((uint64_t{state_count} + 1) * sizeof(State));
    const uint64_t labels_at = arena.take(state_count);
    const uint64_t root_at = arena.take(256 * 4);
    const uint64_t terms_at = arena.take((uint64_t{term_count} + 1) * 4);
    const uint64_t pairs_at = arena.take(uint64_t{literal_count} * 4);
    auto* states = arena.ptr<State>(states_at);
    auto* labels = arena.ptr<uint8_t>(labels_at);
    auto* root = arena.ptr<uint32_t>(root_at);
    auto* term_first = arena.ptr<uint32_t>(terms_at);
    auto* pairs = arena.ptr<uint32_t>(pairs_at);
    queue[0] = 0;
    uint32_t tail = 1;
    uint32_t terms = 0;
    uint32_t pair_total = 0;
    for (uint32_t head = 0; head < state_count; ++head) {
        if (head >= tail) {
            core::invariant_broken();  // every node is some node's child
        }
        const uint32_t old = queue[head];
        renumbered[old] = head;
        State& s = states[head];
        s.first_child = tail;
        for (uint32_t child = trie.first[old]; child != 0; child = trie.next[child]) {
            if (tail >= state_count) {
                core::invariant_broken();
            }
            queue[tail++] = child;
        }
        labels[head] = static_cast<uint8_t>(trie.label[old]);
        s.fail = 0;
        s.dict = 0;
        s.term = 0;
        if (trie.ends[old] > 0) {
            if (terms >= term_count) {
                core::invariant_broken();
            }
            term_first[terms] = pair_total;
            s.term = ++terms;
            pair_total += trie.ends[old];
        }
    }
    // The sentinels: the last state's children end, and so do the last
    // term's pairs.
    states[state_count] = State{state_count, 0, 0, 0};
    term_first[terms] = pair_total;
    // The pairs: every literal's instance list position under its state.
    for (uint32_t q = 0; q < count * kMaxRequired; ++q) {
        if (choices[q].field_plus_one != field + 1) {
            continue;
        }
        LiteralCursor cursor(view.instance(list[q / kMaxRequired]).criterion(choices[q].criterion));
        for (uint32_t n = cursor.next(literal); n != 0; n = cursor.next(literal)) {
            const uint32_t old = trie.walk(literal, n, false);
            const State& s = states[renumbered[old]];
            pairs[term_first[s.term - 1] + --trie.ends[old]] = q;  // position x kMaxRequired + slot
        }
    }
    // The root's table, then fail and dictionary links in breadth-first
    // order (a fail target is shallower, so its links are already set).
    for (uint32_t b = 0; b < 256; ++b) {
        uint64_t ignored = 0;
        root[b] = child_of(states, labels, 0, format::fold_ascii(static_cast<uint8_t>(b)), ignored);
    }
    for (uint32_t i = 0; i < state_count; ++i) {
        const State& parent = states[i];
        for (uint32_t c = parent.first_child; c < states[i + 1].first_child; ++c) {
            uint32_t target = 0;
            if (i != 0) {
                // At most the literal's length iterations: each one is shallower.
                for (uint32_t f = parent.fail;; f = states[f].fail) {
                    uint64_t ignored = 0;
                    const uint32_t g = child_of(states, labels, f, labels[c], ignored);
                    if (g != 0) {
                        target = g;
                        break;
                    }
                    if (f == 0) {
                        break;
                    }
                }
            }
            states[c].fail = target;
            states[c].dict = states[target].term != 0 ? target : states[target].dict;
        }
    }
    a.field = field;
    a.state_count = state_count;
    a.term_count = terms;
    a.pad = 0;
    a.states = states_at;
    a.labels = labels_at;
    a.root = root_at;
    a.terms = terms_at;
    a.pairs = pairs_at;
}

}  // namespace

ringward_match_status build(const ringward_loaded& loaded, void* memory, size_t size) noexcept {
    if (memory == nullptr || reinterpret_cast<uintptr_t>(memory) % 8 != 0) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    const format::BlobView view = view_of(loaded);
    const uint64_t templates_bytes = uint64_t{loaded.template_count_} * sizeof(TemplateIndex);
    const uint64_t head = header_bytes(loaded.template_count_);
    if (head > size) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    auto* base = static_cast<uint8_t*>(memory);
    auto* h = static_cast<Header*>(memory);
    auto* records = static_cast<TemplateIndex*>(static_cast<void*>(base + align8(sizeof(Header))));
    // Each template's requirements, once, in its record: where its part
    // goes, and the working memory after all the parts.
    uint64_t final_end = head;
    uint64_t build_bytes = 0;
    for (size_t t = 0; t < loaded.template_count_; ++t) {
        const Requirements r = requirements(loaded, view, loaded.templates_[t]);
        TemplateIndex& ti = records[t];
        ti.instance_count = r.instances;
        ti.automaton_count = static_cast<uint32_t>(r.automata);  // the bound, until built
        ti.instances = align8(r.final_bytes);                    // the part's size, until built
        final_end = add(final_end, align8(r.final_bytes));
        build_bytes = r.build_bytes > build_bytes ? r.build_bytes : build_bytes;
    }
    const uint64_t needed = add(final_end, align8(build_bytes));
    if (needed == kSaturated || size < needed) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    Arena arena{base, 0, final_end};
    const uint64_t header_at = arena.take(sizeof(Header));
    const uint64_t templates_at = arena.take(templates_bytes);
    h->magic = 0;  // set last: a half-built index is not one
    h->template_count = static_cast<uint32_t>(loaded.template_count_);
    h->blob = loaded.blob;
    h->blob_size = loaded.blob_size;
    h->templates = templates_at;
    h->bytes = 0;
    (void)header_at;
    const uint64_t work = align8(final_end);
    const uint64_t work_bytes = needed - work;
    for (size_t t = 0; t < loaded.template_count_; ++t) {
        const ringward_template_support& entry = loaded.templates_[t];
        TemplateIndex& ti = records[t];
        const uint32_t instances = ti.instance_count;
        const uint32_t automata = ti.automaton_count;
        const uint64_t part = ti.instances;
        const uint64_t before = align8(arena.used);
        ti.skipped = 0;
        ti.words = static_cast<uint32_t>(words_for(instances));
        ti.automaton_count = 0;
        ti.instances = arena.take(uint64_t{instances} * 4);
        ti.preset = arena.take(uint64_t{ti.words} * 8 * kMaxRequired);
        ti.automata = arena.take(uint64_t{automata} * sizeof(Automaton));
        ti.seen_words = 0;
        ti.pad = 0;
        auto* list = arena.ptr<uint32_t>(ti.instances);
        auto* preset = arena.ptr<uint64_t>(ti.preset);
        __builtin_memset(preset, 0, size_t{ti.words} * 8 * kMaxRequired);
        // The instance list and each instance's choice (in the working memory).
        if (mul(instances, kChoiceBytes) > work_bytes) {
            core::invariant_broken();
        }
        auto* choices = arena.ptr<SlotChoice>(work);
        uint32_t count = 0;
        for (uint32_t i = 0; i < view.instance_count(); ++i) {
            const InstanceView instance = view.instance(i);
            if (!of_type(instance, entry)) {
                continue;
            }
            if (!evaluable(loaded, i)) {
                ++ti.skipped;
                continue;
            }
            if (count >= instances) {
                core::invariant_broken();
            }
            list[count] = i;
            const Choice c = choose(instance);
            for (uint32_t k = 0; k < kMaxRequired; ++k) {
                SlotChoice& slot = choices[count * kMaxRequired + k];
                if (k < c.count) {
                    slot.field_plus_one = uint32_t{c.required[k].field} + 1;
                    slot.criterion = c.required[k].criterion;
                    slot.literal_bytes = c.required[k].literal_bytes;
                } else {
                    slot = SlotChoice{0, 0, 0};
                    preset[size_t{k} * ti.words + count / 64] |= uint64_t{1} << (count % 64);
                }
            }
            ++count;
        }
        // One automaton per distinct field, ascending: the smallest field
        // above the last one, at most `automata` times.
        const uint64_t choice_bytes = align8(uint64_t{count} * kChoiceBytes);
        uint32_t last = 0;  // field + 1 of the last automaton built
        for (;;) {
            uint32_t next = 0;
            for (uint32_t q = 0; q < count * kMaxRequired; ++q) {
                const uint32_t f = choices[q].field_plus_one;
                if (f > last && (next == 0 || f < next)) {
                    next = f;
                }
            }
            if (next == 0) {
                break;
            }
            if (ti.automaton_count >= automata) {
                core::invariant_broken();
            }
            Automaton& a = arena.ptr<Automaton>(ti.automata)[ti.automaton_count++];
            build_automaton(arena, work + choice_bytes, work_bytes - choice_bytes, view, list,
                            choices, count, next - 1, a);
            const uint32_t seen = static_cast<uint32_t>(words_for(a.term_count));
            ti.seen_words = seen > ti.seen_words ? seen : ti.seen_words;
            last = next;
        }
        // Each part within what requirements() bounded it by; the next
        // part follows it at once, so the index is its real size.
        if (arena.used - before > part) {
            core::invariant_broken();
        }
    }
    h->bytes = align8(arena.used);
    h->magic = kMagic;
    return RINGWARD_MATCH_OK;
}

ringward_match_status move(const Header& from, void* to, size_t size) noexcept {
    const auto source = reinterpret_cast<uintptr_t>(&from);
    const auto target = reinterpret_cast<uintptr_t>(to);
    if (to == nullptr || target % 8 != 0 || size < from.bytes) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    if (target == source) {
        return RINGWARD_MATCH_OK;
    }
    // Overlapping memory is refused rather than copied over itself.
    if (target < source + from.bytes && source < target + from.bytes) {
        return RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    __builtin_memcpy(to, &from, static_cast<size_t>(from.bytes));
    return RINGWARD_MATCH_OK;
}

const Header* header_of(const void* memory, const ringward_loaded& loaded) noexcept {
    const auto* h = static_cast<const Header*>(memory);
    if (h->magic != kMagic || h->blob != loaded.blob || h->blob_size != loaded.blob_size ||
        h->template_count != loaded.template_count_) {
        return nullptr;
    }
    return h;
}

void scan(const Header& h, const TemplateIndex& t, const ringward_event& event, uint64_t* slots,
          uint64_t* seen, uint64_t& counted) noexcept {
    // Counted here and added once: the bitsets are u64s too, so the
    // compiler would otherwise store the count after every write to them.
    uint64_t steps = 0;
    const auto* automata = at<Automaton>(h, t.automata);
    for (uint32_t k = 0; k < t.automaton_count; ++k) {
        const Automaton& a = automata[k];
        ++steps;
        const ringward_input& in = event.inputs[a.field];  // run() checked the field is carried
        if (in.present == 0) {
            continue;  // the chosen criterion is false: none of these can match
        }
        const auto* states = at<State>(h, a.states);
        const auto* labels = at<uint8_t>(h, a.labels);
        const auto* root = at<uint32_t>(h, a.root);
        const auto* term_first = at<uint32_t>(h, a.terms);
        const auto* pairs = at<uint32_t>(h, a.pairs);
        const auto seen_words = static_cast<uint32_t>(words_for(a.term_count));
        __builtin_memset(seen, 0, size_t{seen_words} * 8);
        steps += seen_words;
        uint32_t state = 0;
        for (size_t i = 0; i < in.size; ++i) {
            ++steps;
            const uint8_t b = format::fold_ascii(in.data[i]);
            // Each iteration goes deeper (once per byte) or shallower, so at
            // most 2 x size of them over the input.
            while (state != 0) {
                ++steps;
                const uint32_t child = child_of(states, labels, state, b, steps);
                if (child != 0) {
                    state = child;
                    break;
                }
                state = states[state].fail;
            }
            if (state == 0) {
                state = root[b];
            }
            // The literals ending here: stop at the first already seen, whose
            // own chain was walked when it was first seen.
            for (uint32_t o = states[state].term != 0 ? state : states[state].dict; o != 0;
                 o = states[o].dict) {
                ++steps;
                const State& s = states[o];
                const uint32_t term = s.term - 1;
                if ((seen[term / 64] >> (term % 64) & 1) != 0) {
                    break;
                }
                seen[term / 64] |= uint64_t{1} << (term % 64);
                const uint32_t first = term_first[term];
                const uint32_t end = term_first[term + 1];
                steps += end - first;
                for (uint32_t j = first; j < end; ++j) {
                    const uint32_t q = pairs[j];
                    const uint32_t p = q / kMaxRequired;
                    slots[size_t{q % kMaxRequired} * t.words + p / 64] |= uint64_t{1} << (p % 64);
                }
            }
        }
    }
    counted += steps;
}

}  // namespace ringward::match::index
