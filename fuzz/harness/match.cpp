// The interpreter against the plain reference (harness/match_reference.hpp):
// the input bytes choose a sensor table, content written with BlobWriter
// (every operator, regex among them, negation, any-of, field references,
// exclusions, rules, field counts above what the sensor supplies) and events
// (inputs present or absent, of the table's type or not, fewer or more than
// the table says).
// ringward_match must agree with the reference on every event, and count no
// more steps than its plan's bound; with its index built it must give the
// same verdict, hits and counts, within the same bound. Values come from small alphabets so that
// matches are common.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/match_reference.hpp"
#include "harness/targets.hpp"
#include "ringward/compile.hpp"

namespace {

using namespace ringward;
using format::Kind;
using format::Op;

// Reads choices from the fuzz input; past its end every choice is 0.
class Choices {
  public:
    Choices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    // A number below n (n > 0).
    uint32_t below(uint32_t n) { return byte() % n; }
    bool flag() { return (byte() & 1) != 0; }
    bool done() const { return pos_ >= size_; }

    std::string text(size_t max_size) {
        // Letters in both cases, glob syntax, a two-byte character and an
        // ill-formed byte.
        static const char* const pieces[] = {"a", "A", "b",  "*", "?",        "[",    "]",
                                             "!", "-", "\\", ".", "\xc3\xa9", "\xff", "B"};
        std::string out;
        const size_t n = below(static_cast<uint32_t>(max_size + 1));
        for (size_t i = 0; i < n; ++i) {
            out += pieces[below(sizeof(pieces) / sizeof(pieces[0]))];
        }
        return out;
    }
    // A regex over the same alphabet: atoms of RE2 syntax, each maybe
    // repeated, sometimes alternated or anchored, so that most patterns
    // compile (a few do not, and the writer's caller refuses those).
    std::string pattern(size_t max_atoms) {
        static const char* const atoms[] = {"a",    "A",      "b",           ".",        "[ab]",
                                            "[^a]", "\\.",    "\\\\",        "\xc3\xa9", "(?:a|b)",
                                            "(a|)", "(?i:b)", "[[:alpha:]]", "\\w"};
        static const char* const repeats[] = {"", "", "", "*", "+", "?", "{2}", "{1,3}", "*?"};
        static const char* const anchors[] = {"^", "$", "\\b", "\\B", "\\A", "\\z", "(?m)^"};
        std::string out;
        const size_t n = 1 + below(static_cast<uint32_t>(max_atoms));
        for (size_t i = 0; i < n; ++i) {
            const uint32_t pick = below(16);
            if (pick == 0) {
                out += anchors[below(sizeof(anchors) / sizeof(anchors[0]))];
            } else if (pick == 1 && !out.empty()) {
                out += "|";
            } else {
                out += atoms[below(sizeof(atoms) / sizeof(atoms[0]))];
                out += repeats[below(sizeof(repeats) / sizeof(repeats[0]))];
            }
        }
        if (below(8) == 0) {
            out = "(?i)" + out;
        }
        return out;
    }
    uint64_t number(Kind kind) {
        static const int64_t values[] = {0, 1, 2, -1, -2, INT64_MIN, INT64_MAX, 1000};
        const int64_t v = values[below(8)];
        return kind == Kind::boolean ? static_cast<uint64_t>(v & 1) : static_cast<uint64_t>(v);
    }
    IpValue network() {
        IpValue ip;
        if (flag()) {
            ip.address[10] = 0xff;
            ip.address[11] = 0xff;
            ip.address[12] = static_cast<uint8_t>(10 + below(2));
            ip.address[13] = static_cast<uint8_t>(below(3));
        } else {
            ip.address[0] = 0x20;
            ip.address[1] = 0x01;
            ip.address[15] = static_cast<uint8_t>(below(3));
        }
        static const uint8_t prefixes[] = {0, 8, 96, 104, 112, 120, 127, 128};
        ip.prefix_len = prefixes[below(8)];
        // Host bits past the prefix are zero, as the format requires.
        for (unsigned bit = ip.prefix_len; bit < 128; ++bit) {
            ip.address[bit / 8] = static_cast<uint8_t>(ip.address[bit / 8] & ~(0x80u >> (bit % 8)));
        }
        return ip;
    }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

constexpr uint8_t kTypes[] = {RINGWARD_TYPE_INT,    RINGWARD_TYPE_UINT,  RINGWARD_TYPE_BOOL,
                              RINGWARD_TYPE_STRING, RINGWARD_TYPE_BYTES, RINGWARD_TYPE_ENUM,
                              RINGWARD_TYPE_IP};

const char* const kNames[] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"};

std::vector<std::string_view> views(const std::vector<std::string>& values) {
    return std::vector<std::string_view>(values.begin(), values.end());
}

// Adds one criterion on `field` of `kind` at `at`; an operator the kind does
// not take is replaced by exists, and so is a set the writer refuses for a
// duplicate (an exclusion must not be left empty).
void add_criterion(BlobWriter& w, Choices& in, const CriterionPlace& at, Kind kind,
                   uint16_t field_count) {
    const bool byte_kind = kind == Kind::string || kind == Kind::bytes;
    const bool ci = kind == Kind::string && in.flag();
    const uint32_t choice = in.below(12);
    BlobWriter::Duplicate duplicate;
    if (choice == 0) {
        w.add_valueless(at, Op::exists, kind);
        return;
    }
    if (choice == 1 && byte_kind) {
        w.add_valueless(at, Op::empty, kind);
        return;
    }
    if (kind == Kind::int64 || kind == Kind::uint64 || kind == Kind::boolean) {
        if (kind == Kind::boolean || choice < 6) {
            static const Op ops[] = {Op::eq, Op::lt, Op::le, Op::gt, Op::ge};
            w.add_scalar(at, kind == Kind::boolean ? Op::eq : ops[choice % 5], kind,
                         in.number(kind));
        } else if (choice < 9) {
            w.add_range(at, kind, in.number(kind), in.number(kind));
        } else {
            std::vector<uint64_t> members;
            for (uint32_t i = 0, n = 1 + in.below(4); i < n; ++i) {
                members.push_back(in.number(kind));
            }
            duplicate = w.add_scalar_set(at, kind, members);
        }
    } else if (kind == Kind::ip) {
        if (choice < 5) {
            IpValue ip = in.network();
            ip.prefix_len = 128;
            w.add_ip(at, Op::eq, ip);
        } else if (choice < 8) {
            w.add_ip(at, Op::cidr_contains, in.network());
        } else {
            std::vector<IpValue> members;
            for (uint32_t i = 0, n = 1 + in.below(4); i < n; ++i) {
                members.push_back(in.network());
            }
            duplicate = w.add_ip_set(at, members);
        }
    } else if (kind == Kind::enumeration) {
        if (choice < 6) {
            w.add_bytes(at, Op::eq, kind, in.text(3), false);
        } else {
            std::vector<std::string> members;
            for (uint32_t i = 0, n = 1 + in.below(3); i < n; ++i) {
                members.push_back(in.text(3));
            }
            duplicate = w.add_byte_set(at, kind, views(members), false);
        }
    } else {
        // string and bytes; regex (string only) as likely as the rest together
        const uint32_t op_choice = in.below(kind == Kind::string ? 14 : 6);
        if (op_choice >= 7) {
            std::vector<std::string> patterns;
            for (uint32_t i = 0, n = 1 + in.below(3); i < n; ++i) {
                patterns.push_back(in.pattern(5));
            }
            // Each pattern must compile on its own, as validate requires:
            // the union of two that do not ("a)|(?:b" twice) may. And the
            // reference must be able to read it: RE2 misreads a pattern that
            // switches folding inside an alternation (regex_reference.hpp).
            RegexOptions options;
            options.case_insensitive = ci;
            bool each = true;
            for (const std::string& p : patterns) {
                each = each && compile_regex(p, options).ok() &&
                       !fuzz::folding_switched_in_alternation(p);
            }
            const std::vector<std::string_view> list = views(patterns);
            if (!each || w.add_regex(at, list, ci).has_value()) {
                w.add_valueless(at, Op::exists, kind);  // refused, or a repeat
            }
            return;
        }
        if (op_choice == 6) {
            std::vector<std::string> patterns;
            for (uint32_t i = 0, n = 1 + in.below(3); i < n; ++i) {
                patterns.push_back(in.text(6));
            }
            duplicate = w.add_any_of(at, Op::glob, kind, views(patterns), ci);
        } else if (op_choice == 5) {
            std::vector<std::string> members;
            for (uint32_t i = 0, n = 1 + in.below(3); i < n; ++i) {
                members.push_back(in.text(4));
            }
            duplicate = w.add_byte_set(at, kind, views(members), ci);
        } else {
            static const Op ops[] = {Op::eq, Op::prefix, Op::suffix, Op::contains, Op::eq};
            const Op op = ops[op_choice];
            const uint16_t ref = static_cast<uint16_t>(in.below(field_count));
            if (op_choice == 4 || (in.flag() && ref != at.field_index)) {
                static const Op ref_ops[] = {Op::eq, Op::prefix, Op::suffix, Op::contains};
                if (ref != at.field_index) {
                    w.add_field_ref(at, ref_ops[in.below(4)], kind, kNames[ref], ref, ci);
                    return;
                }
            }
            if (op == Op::eq) {
                w.add_bytes(at, op, kind, in.text(4), ci);
            } else {
                std::vector<std::string> values;
                for (uint32_t i = 0, n = 1 + in.below(3); i < n; ++i) {
                    values.push_back(in.text(4));
                }
                duplicate = w.add_any_of(at, op, kind, views(values), ci);
            }
        }
    }
    if (duplicate.has_value()) {
        w.add_valueless(at, Op::exists, kind);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Choices in(data, size);
    // The sensor: template 1 with 1..8 inputs, template 2 with 1..4.
    std::vector<fuzz::SensorTemplate> sensor;
    for (uint32_t id = 1; id <= 2; ++id) {
        fuzz::SensorTemplate t{id, 1, {}};
        for (uint32_t i = 0, n = 1 + in.below(id == 1 ? 8 : 4); i < n; ++i) {
            t.types.push_back(kTypes[in.below(7)]);
        }
        sensor.push_back(t);
    }
    // The content: up to 8 instances of templates 1, 2 and 3 (unknown).
    BlobWriter w(BlobHeaderFields{1, 1, 0, ~uint64_t{0}});
    const uint32_t instance_count = in.below(9);
    for (uint32_t i = 0; i < instance_count; ++i) {
        const uint32_t template_id = 1 + in.below(3);
        const fuzz::SensorTemplate* t = template_id <= 2 ? &sensor[template_id - 1] : nullptr;
        const auto supplied = static_cast<uint16_t>(t != nullptr ? t->types.size() : 4);
        // Usually what the sensor supplies; sometimes one more (the 291 case).
        const auto field_count =
            static_cast<uint16_t>(std::min<uint32_t>(supplied + (in.below(6) == 0 ? 1 : 0), 8));
        const auto exclusions = static_cast<uint16_t>(in.below(3));
        w.add_instance(
            BlobInstance{i * 2 + 1, template_id, 1, in.below(4), field_count, exclusions});
        for (uint16_t group = 0; group <= exclusions; ++group) {
            const uint32_t criteria = (group == 0 ? 0 : 1) + in.below(3);
            for (uint32_t k = 0; k < criteria; ++k) {
                const auto field = static_cast<uint16_t>(in.below(field_count));
                // The kind the sensor's table says, or (rarely) another.
                Kind kind = static_cast<Kind>(kTypes[in.below(7)]);
                if (t != nullptr && field < t->types.size() && in.below(8) != 0) {
                    kind = static_cast<Kind>(t->types[field]);
                }
                add_criterion(w, in, CriterionPlace{kNames[field], field, group, in.flag()}, kind,
                              field_count);
            }
        }
    }
    const auto content = fuzz::load_blob(w.finish(), sensor);
    fuzz::require(content->status == RINGWARD_OK, "the loader refuses what BlobWriter wrote");
    ringward_match_limits limits{static_cast<uint32_t>(8 + in.below(32)), 1 + in.below(8)};
    ringward_match_plan plan{};
    fuzz::require(ringward_match_prepare(&content->loaded, &limits, &plan) == 0,
                  "no plan for loaded content");
    // The same plan with the index built: it must change no verdict.
    const auto indexed = fuzz::index_plan(*content, plan);
    fuzz::require(indexed->status == RINGWARD_MATCH_OK, "the index does not build");
    // Events until the input runs out.
    for (int events = 0; events < 16 && !in.done(); ++events) {
        fuzz::Event e{1 + in.below(3), 1, {}};
        const fuzz::SensorTemplate* t = e.id <= 2 ? &sensor[e.id - 1] : nullptr;
        const uint32_t supplied = t != nullptr ? static_cast<uint32_t>(t->types.size()) : 2;
        // Usually what the table says; sometimes fewer or more.
        const uint32_t count = in.below(5) == 0 ? in.below(supplied + 2) : supplied;
        for (uint32_t i = 0; i < count; ++i) {
            fuzz::Input input;
            input.type = t != nullptr && i < supplied && in.below(10) != 0 ? t->types[i]
                                                                           : kTypes[in.below(7)];
            input.present = in.below(4) != 0;
            input.number = in.number(static_cast<Kind>(input.type));
            input.bytes = in.text(in.below(10) == 0 ? 48 : 8);
            const IpValue ip = in.network();
            input.address = ip.address;
            e.inputs.push_back(input);
        }
        const fuzz::Verdict ours = fuzz::run_match(*content, plan, e);
        const fuzz::Verdict theirs =
            fuzz::reference_match(*content, e, plan.limits.max_input_bytes_incl);
        fuzz::require(ours.steps <= plan.max_steps,
                      "ringward_match took more steps than its bound");
        fuzz::require(fuzz::agrees(ours, theirs, plan.limits.max_rule_hits_incl),
                      "ringward_match and the reference disagree");
        const fuzz::Verdict fast = fuzz::run_match(*content, indexed->plan, e);
        fuzz::require(fast.steps <= plan.max_steps,
                      "ringward_match with the index took more steps than its bound");
        fuzz::require(fuzz::same_verdict(fast, ours),
                      "ringward_match with and without the index disagree");
    }
    return 0;
}
