// What the interpreter's tests and its fuzz harness share: content loaded
// through the real loader from a blob (with hooks that accept the envelope's
// signature and hash, which are not what is tested here), events owned by
// the test, and a reference evaluation of docs/semantics.md written plainly,
// in hosted C++, without the interpreter's cost model, bitsets or scratch,
// and with RE2 for regular expressions: ringward_match must agree with it on
// every event. (Not on the three things docs/regex.md says ringward and RE2
// differ on: Unicode case folding of U+212A and U+017F, E0-F4 lead bytes of
// ill-formed sequences, and RE2's dropped alternative in patterns that
// switch folding inside an alternation; callers keep those out of regex
// criteria and inputs, and reference_comparable() says which are.)
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/regex_reference.hpp"
#include "ringward/core/envelope_layout.hpp"
#include "ringward/format.hpp"
#include "ringward/loader.h"
#include "ringward/match.h"
#include "ringward/match_setup.hpp"
#include "validate/glob.hpp"

namespace ringward::fuzz {

// One template type of the sensor's table.
struct SensorTemplate {
    uint32_t id = 0;
    uint32_t version = 0;
    std::vector<uint8_t> types;
};

// A blob accepted by ringward_load against a sensor table.
struct LoadedContent {
    std::vector<uint8_t> envelope;
    std::vector<SensorTemplate> sensor;
    std::vector<ringward_template_support> table;
    ringward_trusted_key key{};
    ringward_loaded loaded{};
    ringward_status status = RINGWARD_OK;
};

namespace detail {

inline int accept_signature(const uint8_t*, const uint8_t*, size_t, const uint8_t*, void*) {
    return 0;
}
inline int zero_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t*, size_t, void*) {
    std::memset(out, 0, RINGWARD_HASH_BYTES);
    return 0;
}
inline void put(std::vector<uint8_t>& b, size_t at, uint64_t value, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i) {
        b[at + i] = static_cast<uint8_t>(value >> (8 * i));
    }
}
inline uint64_t get(const std::vector<uint8_t>& b, size_t at, size_t bytes) {
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) {
        value |= uint64_t{b[at + i]} << (8 * i);
    }
    return value;
}

}  // namespace detail

// Wraps `blob` in a version 1 envelope and loads it. The result is heap
// allocated because `loaded` points into its own members.
inline std::unique_ptr<LoadedContent> load_blob(const std::vector<uint8_t>& blob,
                                                std::vector<SensorTemplate> sensor) {
    using namespace ringward::envelope;
    auto c = std::make_unique<LoadedContent>();
    c->sensor = std::move(sensor);
    for (const SensorTemplate& t : c->sensor) {
        c->table.push_back(
            {t.id, t.version, static_cast<uint32_t>(t.types.size()), t.types.data()});
    }
    std::vector<uint8_t>& e = c->envelope;
    e.assign(kHeaderSizeV1, 0);
    std::memcpy(e.data(), kMagic, sizeof(kMagic));
    detail::put(e, kAtVersion, kVersion1, 2);
    detail::put(e, kAtHeaderSize, kHeaderSizeV1, 2);
    detail::put(e, kAtAlgorithm, RINGWARD_ALGORITHM_ED25519, 2);
    const bool has_header = blob.size() >= format::kHeaderSize;
    detail::put(e, kAtChannel, has_header ? detail::get(blob, 20, 4) : 0, 4);
    detail::put(e, kAtSequence, 1, 8);
    detail::put(e, kAtNotBefore, 1, 8);
    detail::put(e, kAtExpires, 3, 8);
    detail::put(e, kAtSensorMin, has_header ? detail::get(blob, 32, 8) : 0, 8);
    detail::put(e, kAtSensorMax, has_header ? detail::get(blob, 40, 8) : 0, 8);
    detail::put(e, kAtBlobSize, blob.size(), 8);
    e.insert(e.end(), blob.begin(), blob.end());
    e.insert(e.end(), RINGWARD_SIGNATURE_BYTES, 0);
    ringward_loader_config config{};
    config.keys = &c->key;
    config.key_count = 1;
    config.now = 2;
    config.templates = c->table.data();
    config.template_count = c->table.size();
    config.verify = detail::accept_signature;
    config.hash = detail::zero_hash;
    config.flags = RINGWARD_CONFIG_ANY_SENSOR;
    c->status = ringward_load(&config, e.data(), e.size(), &c->loaded);
    return c;
}

// An input as a test writes it.
struct Input {
    uint8_t type = 0;
    bool present = true;
    uint64_t number = 0;
    std::string bytes;
    std::array<uint8_t, 16> address{};
};

struct Event {
    uint32_t id = 0;
    uint32_t version = 0;
    std::vector<Input> inputs;
};

// What an evaluation found.
struct Verdict {
    ringward_match_status status = RINGWARD_MATCH_OK;
    std::vector<uint32_t> instances;
    std::set<uint32_t> rules;
    uint32_t evaluated = 0;
    uint32_t skipped = 0;
    uint32_t refused = 0;
    uint64_t steps = 0;
    // ringward_match's only: its rule array was full.
    bool rules_truncated = false;
};

// Whether ringward_match's verdict (ours) is the reference's (theirs). With
// its rule array full, ours holds `rule_capacity` of the rules.
inline bool agrees(const Verdict& ours, const Verdict& theirs, size_t rule_capacity) {
    const bool rules = ours.rules_truncated
                           ? ours.rules.size() == rule_capacity &&
                                 theirs.rules.size() > rule_capacity &&
                                 std::includes(theirs.rules.begin(), theirs.rules.end(),
                                               ours.rules.begin(), ours.rules.end())
                           : ours.rules == theirs.rules;
    return rules && ours.status == theirs.status && ours.instances == theirs.instances &&
           ours.evaluated == theirs.evaluated && ours.skipped == theirs.skipped &&
           ours.refused == theirs.refused;
}

// ringward_match on an event, with output arrays large enough for every
// instance and rule (plus `rule_capacity` to test truncation).
inline Verdict run_match(const LoadedContent& c, const ringward_match_plan& plan, const Event& e,
                         size_t instance_capacity = SIZE_MAX, size_t rule_capacity = SIZE_MAX) {
    std::vector<ringward_input> inputs(e.inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        const Input& in = e.inputs[i];
        inputs[i].type = in.type;
        inputs[i].present = in.present ? 1 : 0;
        inputs[i].number = in.number;
        inputs[i].data = reinterpret_cast<const uint8_t*>(in.bytes.data());
        inputs[i].size = in.bytes.size();
        std::memcpy(inputs[i].address, in.address.data(), 16);
    }
    const ringward_event event{e.id, e.version, inputs.empty() ? nullptr : inputs.data(),
                               inputs.size()};
    const uint32_t count = c.loaded.instance_count;
    std::vector<uint32_t> instances(std::min<size_t>(instance_capacity, count) + 1);
    std::vector<uint32_t> rules(std::min<size_t>(rule_capacity, count) + 1);
    ringward_match_result r{};
    r.instances = instances.data();
    r.instance_capacity = std::min<size_t>(instance_capacity, count);
    r.rules = rules.data();
    r.rule_capacity = std::min<size_t>(rule_capacity, count);
    std::vector<uint64_t> scratch(plan.scratch_bytes / 8 + 1);
    Verdict v;
    v.status = ringward_match(&c.loaded, &plan, &event, scratch.data(), plan.scratch_bytes, &r);
    v.instances.assign(instances.begin(), instances.begin() + static_cast<long>(r.instance_count));
    v.rules.insert(rules.begin(), rules.begin() + static_cast<long>(r.rule_count));
    v.evaluated = r.evaluated;
    v.skipped = r.skipped;
    v.refused = r.refused;
    v.steps = r.steps;
    v.rules_truncated = r.rules_truncated != 0;
    return v;
}

// A copy of `plan` with the interpreter's index built (docs/interpreter.md,
// "The index"), and the index's memory, which lives as long as this does.
struct IndexedPlan {
    std::vector<uint64_t> memory;
    ringward_match_plan plan{};
    ringward_match_status status = RINGWARD_MATCH_OK;
};
inline std::unique_ptr<IndexedPlan> index_plan(const LoadedContent& c,
                                               const ringward_match_plan& plan) {
    auto indexed = std::make_unique<IndexedPlan>();
    indexed->plan = plan;
    // Built in the plan's bound, then moved into memory of exactly the
    // index's own size (which the sanitizers then guard), the build's memory
    // wiped and freed, as an agent keeps it.
    indexed->status = ringward::build_index(c.loaded, indexed->plan, indexed->memory);
    const size_t kept = indexed->memory.size() * 8;
    if (indexed->status == RINGWARD_MATCH_OK &&
        (kept == 0 || kept != ringward_match_index_size(&indexed->plan) ||
         kept > plan.index_bytes)) {
        // Not within the plan's bound: a failure every caller requires against.
        indexed->status = RINGWARD_MATCH_E_INDEX_MEMORY;
    }
    return indexed;
}

// Whether two runs of ringward_match (with and without the index) gave the
// same verdict: status, hits in order, rules, truncation and every count but
// the steps.
inline bool same_verdict(const Verdict& a, const Verdict& b) {
    return a.status == b.status && a.instances == b.instances && a.rules == b.rules &&
           a.rules_truncated == b.rules_truncated && a.evaluated == b.evaluated &&
           a.skipped == b.skipped && a.refused == b.refused;
}

// ---------------------------------------------------------------------------
// The reference: docs/semantics.md read literally.

namespace reference {

inline std::string fold(std::string_view s) {
    std::string out(s);
    for (char& ch : out) {
        if (ch >= 'A' && ch <= 'Z') {
            ch = static_cast<char>(ch - 'A' + 'a');
        }
    }
    return out;
}

inline std::string text(format::Bytes b) {
    return std::string(reinterpret_cast<const char*>(b.data), b.size);
}

// One character of s at i: its code point when a well-formed UTF-8 sequence
// starts there, else 0x110000 + the byte, one byte long.
inline std::pair<uint32_t, size_t> character(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
    const size_t left = s.size() - i;
    const uint8_t b0 = b(0);
    const auto in = [&](size_t k, unsigned lo, unsigned hi) {
        return left > k && b(k) >= lo && b(k) <= hi;
    };
    if (b0 < 0x80) {
        return {b0, 1};
    }
    if (b0 >= 0xC2 && b0 <= 0xDF && in(1, 0x80, 0xBF)) {
        return {(b0 & 0x1Fu) * 64 + (b(1) & 0x3Fu), 2};
    }
    if (b0 >= 0xE0 && b0 <= 0xEF && in(1, b0 == 0xE0 ? 0xA0 : 0x80, b0 == 0xED ? 0x9F : 0xBF) &&
        in(2, 0x80, 0xBF)) {
        return {(b0 & 0x0Fu) * 4096 + (b(1) & 0x3Fu) * 64 + (b(2) & 0x3Fu), 3};
    }
    if (b0 >= 0xF0 && b0 <= 0xF4 && in(1, b0 == 0xF0 ? 0x90 : 0x80, b0 == 0xF4 ? 0x8F : 0xBF) &&
        in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF)) {
        return {
            (b0 & 0x07u) * 262144 + (b(1) & 0x3Fu) * 4096 + (b(2) & 0x3Fu) * 64 + (b(3) & 0x3Fu),
            4};
    }
    return {0x110000u + b0, 1};
}

inline uint32_t fold_char(uint32_t c, bool ci) {
    return ci && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

// A class p[open] == '[' .. its ']': the index after it, and whether c is in.
inline std::pair<size_t, bool> glob_class(std::string_view p, size_t open, uint32_t c, bool ci) {
    size_t i = open + 1;
    bool negated = false;
    if (p[i] == '!' || p[i] == '^') {
        negated = true;
        ++i;
    }
    bool found = false;
    bool first = true;
    while (first || p[i] != ']') {
        const bool literal_bracket = first && p[i] == ']';
        first = false;
        if (p[i] == '\\') {
            ++i;
        }
        auto [low, low_size] = character(p, i);
        i += low_size;
        uint32_t high = low;
        if (!literal_bracket && p[i] == '-' && p[i + 1] != ']') {
            ++i;
            if (p[i] == '\\') {
                ++i;
            }
            auto [h, h_size] = character(p, i);
            i += h_size;
            high = h;
        }
        if (fold_char(low, ci) <= c && c <= fold_char(high, ci)) {
            found = true;
        }
    }
    return {i + 1, found != negated};
}

// Whole-value glob by memoised search over (pattern index, value index).
inline bool glob(std::string_view value, std::string_view pattern, bool ci) {
    if (validate::check_glob(pattern).has_value()) {
        return false;  // a pattern validate refuses matches nothing
    }
    std::vector<int8_t> memo((pattern.size() + 1) * (value.size() + 1), -1);
    std::function<bool(size_t, size_t)> at = [&](size_t i, size_t j) -> bool {
        int8_t& m = memo[i * (value.size() + 1) + j];
        if (m >= 0) {
            return m != 0;
        }
        bool r = false;
        const auto eq = [&](char a, char b) {
            return fold_char(static_cast<uint8_t>(a), ci) == fold_char(static_cast<uint8_t>(b), ci);
        };
        if (i == pattern.size()) {
            r = j == value.size();
        } else if (pattern[i] == '*') {
            r = at(i + 1, j) || (j < value.size() && at(i, j + 1));
        } else if (j == value.size()) {
            r = false;
        } else if (pattern[i] == '?') {
            r = at(i + 1, j + character(value, j).second);
        } else if (pattern[i] == '[') {
            auto [ch, size] = character(value, j);
            auto [next, in] = glob_class(pattern, i, fold_char(ch, ci), ci);
            r = in && at(next, j + size);
        } else if (pattern[i] == '\\') {
            r = eq(value[j], pattern[i + 1]) && at(i + 2, j + 1);
        } else {
            r = eq(value[j], pattern[i]) && at(i + 1, j + 1);
        }
        m = r ? 1 : 0;
        return r;
    };
    return at(0, 0);
}

inline bool string_op(format::Op op, std::string value, std::string operand, bool ci) {
    using format::Op;
    if (op == Op::glob) {
        return glob(value, operand, ci);
    }
    if (ci) {
        value = fold(value);
        operand = fold(operand);
    }
    switch (op) {
        case Op::eq:
            return value == operand;
        case Op::prefix:
            return value.starts_with(operand);
        case Op::suffix:
            return value.ends_with(operand);
        case Op::contains:
            return value.find(operand) != std::string::npos;
        default:
            return false;
    }
}

// The address's first `prefix` bits are the network's.
inline bool in_network(const uint8_t* address, const uint8_t* network, unsigned prefix) {
    for (unsigned bit = 0; bit < prefix; ++bit) {
        const unsigned shift = 7 - bit % 8;
        if (((address[bit / 8] >> shift) & 1) != ((network[bit / 8] >> shift) & 1)) {
            return false;
        }
    }
    return true;
}

inline std::vector<std::string> operands(const format::CriterionView& c) {
    std::vector<std::string> out;
    if (c.value_count() <= 1 && c.op() != format::Op::in) {
        out.push_back(text(c.data()));
        return out;
    }
    format::ByteSetCursor cursor = c.byte_members();
    format::Bytes m;
    while (cursor.next(&m)) {
        out.push_back(text(m));
    }
    return out;
}

// regex: any of the patterns matches somewhere in the value, as
// RE2::PartialMatch with the criterion's case folding says; each pattern on
// its own, not the union the blob's program is compiled from.
inline bool regex_any(const format::CriterionView& c, const std::string& value, bool ci) {
    for (const std::string& pattern : operands(c)) {
        const std::unique_ptr<RE2> re = reference_regex(pattern, ci);
        if (re != nullptr && reference_matches(*re, value)) {
            return true;
        }
    }
    return false;
}

inline bool base(const format::CriterionView& c, const Input& in, const Event& e) {
    using format::Kind;
    using format::Op;
    if (!in.present) {
        return false;
    }
    const bool ci = c.case_insensitive();
    if (c.is_field_ref()) {
        const Input& other = e.inputs[c.ref_field_index()];
        return other.present && string_op(c.op(), in.bytes, other.bytes, ci);
    }
    const Kind kind = c.kind();
    const Op op = c.op();
    const bool is_signed = kind == Kind::int64;
    const auto less = [&](uint64_t a, uint64_t b) {
        return is_signed ? static_cast<int64_t>(a) < static_cast<int64_t>(b) : a < b;
    };
    switch (op) {
        case Op::exists:
            return true;
        case Op::empty:
            return in.bytes.empty();
        case Op::eq:
            if (kind == Kind::int64 || kind == Kind::uint64) {
                return in.number == c.value0();
            }
            if (kind == Kind::boolean) {
                return (in.number != 0) == (c.value0() != 0);
            }
            if (kind == Kind::ip) {
                return std::memcmp(in.address.data(), c.ip_address(), 16) == 0;
            }
            return string_op(op, in.bytes, text(c.data()), ci);
        case Op::lt:
            return less(in.number, c.value0());
        case Op::le:
            return !less(c.value0(), in.number);
        case Op::gt:
            return less(c.value0(), in.number);
        case Op::ge:
            return !less(in.number, c.value0());
        case Op::range:
            return !less(in.number, c.value0()) && !less(c.value1(), in.number);
        case Op::in:
            if (kind == Kind::int64 || kind == Kind::uint64) {
                for (uint32_t i = 0; i < c.value_count(); ++i) {
                    if (c.scalar_member(i) == in.number) {
                        return true;
                    }
                }
                return false;
            }
            if (kind == Kind::ip) {
                for (uint32_t i = 0; i < c.value_count(); ++i) {
                    const uint8_t* m = c.ip_member(i);
                    if (in_network(in.address.data(), m, m[16])) {
                        return true;
                    }
                }
                return false;
            }
            for (const std::string& m : operands(c)) {
                if (string_op(Op::eq, in.bytes, m, ci)) {
                    return true;
                }
            }
            return false;
        case Op::cidr_contains:
            return in_network(in.address.data(), c.ip_address(), c.prefix_len());
        case Op::regex:
            return regex_any(c, in.bytes, ci);
        case Op::prefix:
        case Op::suffix:
        case Op::contains:
        case Op::glob:
            for (const std::string& m : operands(c)) {
                if (string_op(op, in.bytes, m, ci)) {
                    return true;
                }
            }
            return false;
        default:
            return false;
    }
}

inline const SensorTemplate* find(const std::vector<SensorTemplate>& sensor, uint32_t id,
                                  uint32_t version) {
    for (const SensorTemplate& t : sensor) {
        if (t.id == id && t.version == version) {
            return &t;
        }
    }
    return nullptr;
}

// Whether input i can be read for a value of `kind`.
inline bool readable(const SensorTemplate& t, const Event& e, uint32_t i, format::Kind kind) {
    const auto type = static_cast<uint8_t>(kind);
    return i < e.inputs.size() && i < t.types.size() && t.types[i] == type &&
           e.inputs[i].type == type;
}

}  // namespace reference

// The reference's verdict on one event; max_input is the plan's limit.
inline Verdict reference_match(const LoadedContent& c, const Event& e, uint32_t max_input) {
    Verdict v;
    const SensorTemplate* t = reference::find(c.sensor, e.id, e.version);
    if (t == nullptr) {
        v.status = RINGWARD_MATCH_E_UNKNOWN_TEMPLATE;
        return v;
    }
    for (size_t i = 0; i < std::min(e.inputs.size(), t->types.size()); ++i) {
        const Input& in = e.inputs[i];
        const bool byte_type = in.type == RINGWARD_TYPE_STRING || in.type == RINGWARD_TYPE_BYTES ||
                               in.type == RINGWARD_TYPE_ENUM;
        if (in.present && byte_type && in.bytes.size() > max_input) {
            v.status = RINGWARD_MATCH_E_INPUT_TOO_LONG;
            return v;
        }
    }
    format::BlobView view;
    std::memcpy(&view, c.loaded.view_, sizeof(view));
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const format::InstanceView instance = view.instance(i);
        if (instance.template_type_id() != e.id || instance.template_type_version() != e.version) {
            continue;
        }
        ringward_instance judged;
        ringward_instance_at(&c.loaded, i, &judged);
        if (judged.status != RINGWARD_EVALUABLE) {
            ++v.skipped;
            continue;
        }
        bool readable = true;
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView cr = instance.criterion(k);
            readable =
                readable && reference::readable(*t, e, cr.field_index(), cr.kind()) &&
                (!cr.is_field_ref() || reference::readable(*t, e, cr.ref_field_index(), cr.kind()));
        }
        if (!readable) {
            ++v.refused;
            continue;
        }
        ++v.evaluated;
        // group -> whether every criterion of it holds
        std::vector<bool> all(instance.exclusion_count() + 1u, true);
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView cr = instance.criterion(k);
            const bool holds = reference::base(cr, e.inputs[cr.field_index()], e) != cr.negated();
            all[cr.group()] = all[cr.group()] && holds;
        }
        bool matched = all[0];
        for (size_t g = 1; g < all.size(); ++g) {
            matched = matched && !all[g];
        }
        if (matched) {
            v.instances.push_back(instance.id());
            if (instance.rule_id() != 0) {
                v.rules.insert(instance.rule_id());
            }
        }
    }
    return v;
}

}  // namespace ringward::fuzz
