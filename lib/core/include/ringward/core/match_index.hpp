// The interpreter's index (docs/interpreter.md, "The index"): per template
// type of the sensor table, the evaluable instances of that type, and per
// string field one Aho-Corasick automaton over the literals the instances
// require, so that ringward_match evaluates only the instances whose literal
// occurs in the event (and those that require none).
//
// Kernel-safe like the rest of the core: built once per content into memory
// the caller provides (its size computed from the blob by
// ringward_match_prepare, without building), with bounded loops and no
// recursion; read-only afterwards, so threads may share it.
//
// WARNING: the index is a prefilter, never a verdict. A candidate is
// evaluated by the same code as without the index, and an instance is left
// out only when a literal it requires does not occur in the input its
// criterion reads: the literal is taken from a positive criterion of the
// instance's own group (not negated, not a field reference), so its failing
// to occur makes the instance miss.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ringward/format.hpp"
#include "ringward/match.h"

namespace ringward::match::index {

// A literal is at most this many bytes: a prefix of a required literal is
// required too, and 32 bytes tell a command line's literals apart while
// keeping the automata (one state per literal byte) small.
inline constexpr uint32_t kMaxLiteralBytes = 32;
// A regex contributes a literal only when its program has at most this many
// instructions: finding the instructions every match passes costs a
// reachability pass per candidate instruction at build.
inline constexpr uint32_t kMaxRegexInstructionsAnalysed = 256;

// How many criteria of an instance the index requires literals of: an
// instance is a candidate only when a literal of each occurs, so a common
// literal of one (`\windows\`) is made up for by a rare one of another.
inline constexpr uint32_t kMaxRequired = 4;
// A regex's program may branch into at most this many alternatives before
// each yields its literal (a union of patterns is one alternative each).
inline constexpr uint32_t kMaxRegexEntries = 16;

// One criterion an instance requires: criterion `criterion` of the
// instance, on input `field`, whose every value yields at least one literal
// of 1 to kMaxLiteralBytes bytes, one of which then occurs in the input.
struct Required {
    uint32_t criterion = 0;
    uint16_t field = 0;
    uint32_t literal_count = 0;
    uint64_t literal_bytes = 0;
};
// Up to kMaxRequired of them, the longest shortest literal first; none: the
// instance is always a candidate.
struct Choice {
    uint32_t count = 0;
    Required required[kMaxRequired];
    uint64_t literal_count() const noexcept {
        uint64_t n = 0;
        for (uint32_t i = 0; i < count; ++i) {
            n += required[i].literal_count;
        }
        return n;
    }
    uint64_t literal_bytes() const noexcept {
        uint64_t n = 0;
        for (uint32_t i = 0; i < count; ++i) {
            n += required[i].literal_bytes;
        }
        return n;
    }
};
Choice choose(const format::InstanceView& instance) noexcept;

// Walks the literals of a required criterion, ASCII-folded, into a buffer
// of kMaxLiteralBytes bytes: one per value, and for a regex one per
// alternative its program starts with.
class LiteralCursor {
  public:
    explicit LiteralCursor(const format::CriterionView& c) noexcept;
    // The next literal's length (1..kMaxLiteralBytes) into out; 0 at the
    // end; kMaxLiteralBytes + 1 for a value without one (the criterion then
    // gives the index nothing).
    uint32_t next(uint8_t* out) noexcept;

  private:
    format::CriterionView c_;
    format::ByteSetCursor members_;
    bool single_;
    bool done_;
    // A regex's alternatives: the program's first instructions past its
    // splits and jumps.
    uint16_t entries_[kMaxRegexEntries];
    uint32_t entry_count_ = 0;
    uint32_t entry_next_ = 0;
};

// One automaton state, 16 bytes. States are numbered in breadth-first order
// from the root (0), so a state's children are consecutive states, sorted by
// label, and end where the next state's begin: an automaton of n states has
// n + 1 entries, the last only a first_child (n) that ends the children of
// state n - 1.
struct State {
    uint32_t first_child;
    uint32_t fail;
    // The nearest state on the fail chain (itself excluded) that ends a
    // literal, or 0.
    uint32_t dict;
    // For a state that ends a literal: its number among those plus one
    // (terms are numbered in state order); 0 otherwise.
    uint32_t term;
};

struct Automaton {
    uint32_t field;
    uint32_t state_count;
    uint32_t term_count;
    uint32_t pad;
    uint64_t states;  // State[state_count + 1]; byte offsets from the index's start
    uint64_t labels;  // u8 per state: the byte on the edge into it
    uint64_t root;    // u32[256]: the root's child for each (folded) byte, or 0
    // u32[term_count + 1]: term t's pairs are pairs[terms[t]] up to
    // pairs[terms[t + 1]] (exclusive).
    uint64_t terms;
    uint64_t pairs;  // u32: instance list position x kMaxRequired + slot
};

struct TemplateIndex {
    // Evaluable instances of the type (the loader's verdict), ascending.
    uint32_t instance_count;
    uint32_t skipped;
    uint32_t words;  // ceil(instance_count / 64)
    uint32_t automaton_count;
    uint64_t instances;  // u32 blob instance indices
    // u64[kMaxRequired][words]: per slot, the instances that do not require
    // a criterion there (every slot for those that require none): what an
    // event's slot bitsets start from.
    uint64_t preset;
    uint64_t automata;    // Automaton[automaton_count], fields ascending
    uint32_t seen_words;  // the most ceil(term_count / 64) of its automata
    uint32_t pad;
};

inline constexpr uint32_t kMagic = 0x58444952u;  // "RIDX"

struct Header {
    uint32_t magic;
    uint32_t template_count;
    const uint8_t* blob;
    size_t blob_size;
    uint64_t templates;  // TemplateIndex[template_count], the table's order
    // The bytes the built index occupies from its start, 8-aligned: every
    // offset in it is below. The rest of the memory build was given (the
    // upper bound the plan computed, and the build's working memory) is
    // free once it returns; move() copies these bytes elsewhere.
    uint64_t bytes;
};

// What prepare needs to know of one template type's index without building
// it: sizes for the memory and the scratch, counts for the step bound.
struct Requirements {
    uint32_t instances = 0;  // evaluable instances of the type
    uint32_t automata = 0;   // at most this many automata
    uint64_t literals = 0;   // literals over every automaton
    uint64_t literal_bytes = 0;
    uint64_t final_bytes = 0;  // at most what the built index keeps of the type
    uint64_t build_bytes = 0;  // working memory during its build
    uint64_t scratch_words = 0;
};
Requirements requirements(const ringward_loaded& loaded, const format::BlobView& view,
                          const ringward_template_support& entry) noexcept;

// The header and the template records' bytes.
uint64_t header_bytes(uint64_t templates) noexcept;

// Builds the index for `loaded` into memory (8-byte aligned, at least the
// header, every template's final bytes and the largest build bytes after
// them, each 8-aligned: plan.index_bytes). RINGWARD_MATCH_E_INDEX_MEMORY
// when it is not.
ringward_match_status build(const ringward_loaded& loaded, void* memory, size_t size) noexcept;

// Copies the index at `from` (built for `loaded`) into `to`, which holds at
// least its `bytes` and is 8-byte aligned: the index is position-independent
// (offsets from its start), so the copy is the same index.
// RINGWARD_MATCH_E_INDEX_MEMORY when `to` is not such memory or overlaps
// the index (unless it is the index itself: nothing to do).
ringward_match_status move(const Header& from, void* to, size_t size) noexcept;

// The index for `loaded` at `memory`, or null when it is not one.
const Header* header_of(const void* memory, const ringward_loaded& loaded) noexcept;

// Every offset in the index is 8-byte aligned from its 8-byte aligned start.
template <typename T>
inline const T* at(const Header& h, uint64_t offset) noexcept {
    return static_cast<const T*>(static_cast<const void*>(
        static_cast<const uint8_t*>(static_cast<const void*>(&h)) + offset));
}
inline const TemplateIndex& template_at(const Header& h, size_t t) noexcept {
    return at<TemplateIndex>(h, h.templates)[t];
}

// Probes of the binary search over the children of a state of an automaton
// over `literals` literals: a state has at most min(literals, 256) children.
uint64_t child_probes(uint64_t literals) noexcept;

// Marks in `slots` (kMaxRequired x t.words words, preset from t.preset) each
// (instance, slot) whose criterion's literal occurs in the event's input.
// `seen` holds t.seen_words words. Counts steps (index_scan_cost in
// match.cpp bounds them).
void scan(const Header& h, const TemplateIndex& t, const ringward_event& event, uint64_t* slots,
          uint64_t* seen, uint64_t& steps) noexcept;

}  // namespace ringward::match::index
