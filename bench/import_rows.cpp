#include "import_rows.hpp"

#include <fmt/format.h>
#include <google/protobuf/text_format.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <vector>

#include "generator.hpp"
#include "markdown.hpp"
#include "ringward/compile.hpp"
#include "ringward/file.hpp"
#include "ringward/regex.hpp"
#include "ringward/schema.hpp"
#include "ringward/sigma.hpp"
#include "ringward/validate.hpp"
#include "timing.hpp"

namespace ringward::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

[[noreturn]] void give_up(const std::string& why) {
    fmt::print(stderr, "bench: import rows: {}\n", why);
    std::exit(1);
}

struct ImportedSet {
    std::string text;
    v1::ContentFile content;
    size_t rules = 0;
    size_t imported = 0;
};

ImportedSet import_set(const sigma::Mapping& mapping, const std::vector<sigma::RuleSource>& rules) {
    const sigma::ImportResult result = sigma::import_rules(mapping, rules);
    ImportedSet set;
    set.text = result.content_text;
    set.rules = result.rules.size();
    set.imported = result.imported_count();
    if (!google::protobuf::TextFormat::ParseFromString(set.text, &set.content)) {
        give_up("the imported content does not parse");
    }
    return set;
}

std::vector<sigma::RuleSource> read_rules(const std::vector<std::string>& paths) {
    std::vector<Diagnostic> errors;
    std::vector<sigma::RuleSource> sources;
    for (const std::string& file : sigma::collect_rule_files(paths, errors)) {
        auto text = read_file(file, 1 << 24);
        if (!text.ok()) {
            give_up(fmt::format("{} cannot be read", file));
        }
        sources.push_back({file, std::move(*text.value)});
    }
    if (!errors.empty() || sources.empty()) {
        give_up("the Sigma folders cannot be listed");
    }
    return sources;
}

ContentSource source_of(const std::string& text) {
    LoadOptions options;
    options.format = InputFormat::text;
    auto source = parse_content(text, "imported.txtpb", options);
    if (!source.ok()) {
        give_up("the imported content does not load");
    }
    return std::move(*source.value);
}

std::vector<uint8_t> compile_or_exit(const ContentSource& source, const Registry& registry) {
    auto compiled = compile(source, registry);
    if (!compiled.ok()) {
        give_up("the imported content does not compile");
    }
    return std::move(compiled.value->bytes);
}

// Calls `visit` on each criterion of the instance: its own, then those of
// each exclusion.
template <class Visit>
void each_criterion(const v1::TemplateInstance& instance, const Visit& visit) {
    for (const v1::Criterion& c : instance.criteria()) {
        visit(c);
    }
    for (const v1::Exclusion& exclusion : instance.exclusions()) {
        for (const v1::Criterion& c : exclusion.criteria()) {
            visit(c);
        }
    }
}

// Format 1 (docs/format.md before format 2, `git log -p docs/format.md`)
// stored a 24-byte record per instance (format 2: 32) and, for every field
// of its template type, one 48-byte criterion record with the field's name
// in the pool, 8-aligned: a wildcard cost as much as a criterion. So the
// same content in the dense layout is the format 2 blob, 8 bytes less per
// instance, with a name in the pool for every criterion rather than the
// name table, plus a record and a name for each field that no criterion of
// the instance (or of its exclusions) names. Everything else (records of
// real criteria, values, regex programs) is counted at its format 2 size.
uint64_t dense_size(const v1::ContentFile& content, const Registry& registry,
                    const std::vector<uint8_t>& blob) {
    format::BlobView view;
    if (!format::read_blob(blob.data(), blob.size(), format::Limits{}, &view).ok()) {
        give_up("the imported blob does not read");
    }
    const auto padded = [](uint64_t size) { return (size + 7) / 8 * 8; };
    uint64_t bytes = blob.size() - padded(uint64_t{view.name_count()} * format::kNameEntrySize);
    for (uint32_t i = 0; i < view.name_count(); ++i) {
        bytes -= padded(view.name(i).size);
    }
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const format::InstanceView instance = view.instance(i);
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            bytes += padded(instance.criterion(k).name().size);
        }
    }
    for (const v1::TemplateInstance& instance : content.instances()) {
        const TemplateType* type =
            registry.find(instance.template_type().id(), instance.template_type().version());
        if (type == nullptr) {
            give_up("an imported instance names a template type the registry lacks");
        }
        std::set<std::string_view> named;
        each_criterion(instance, [&](const v1::Criterion& c) { named.insert(c.field()); });
        bytes -= 8;
        for (const FieldSpec& field : type->fields) {
            if (named.count(field.name) == 0) {
                bytes += 48 + padded(field.name.size());
            }
        }
    }
    return bytes;
}

std::string human(double seconds) {
    return seconds < 1 ? fmt::format("{:.2f} ms", seconds * 1e3) : fmt::format("{:.2f} s", seconds);
}

struct TimedRow {
    std::string name;
    Timing time;
    double target = 0;  // at most this many floors; 0: no target
    // A part of what any compile must do (below), shown as a ratio.
    bool least = false;
};

// What any compile of the set must do, done alone: every byte of every name
// and value of the source read once, through the message as compile() walks
// it (instances, their criteria and exclusions, their values).
uint64_t walk_source(const v1::ContentFile& content) {
    uint64_t sum = 0;
    const auto read = [&sum](const std::string& text) {
        sum += read_every_byte(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    };
    const auto criterion = [&](const v1::Criterion& c) {
        read(c.field());
        sum += static_cast<uint64_t>(c.op()) + (c.negate() ? 1 : 0);
        for (const v1::Value& value : c.values()) {
            sum += static_cast<uint64_t>(value.kind_case());
            read(value.kind_case() == v1::Value::kIp ? value.ip() : value.string());
        }
    };
    for (const v1::TemplateInstance& instance : content.instances()) {
        sum += instance.id() + instance.template_type().id();
        each_criterion(instance, criterion);
    }
    return sum;
}

// The regex criteria of the source as compile() compiles them: the union of
// each one's patterns (in source order here), with its case flag.
struct RegexJob {
    std::string pattern;
    RegexOptions options;
};
std::vector<RegexJob> regex_jobs(const v1::ContentFile& content) {
    std::vector<RegexJob> jobs;
    const auto criterion = [&](const v1::Criterion& c) {
        if (c.op() != v1::OP_REGEX) {
            return;
        }
        std::vector<std::string_view> patterns;
        for (const v1::Value& value : c.values()) {
            patterns.push_back(value.string());
        }
        RegexJob job{regex_union(patterns), {}};
        job.options.case_insensitive = c.case_insensitive();
        jobs.push_back(std::move(job));
    };
    for (const v1::TemplateInstance& instance : content.instances()) {
        each_criterion(instance, criterion);
    }
    return jobs;
}

}  // namespace

bool run_import_rows(const ImportRowsOptions& options) {
    const fs::path root(options.source_dir);
    auto mapping = sigma::load_mapping((root / "examples/sigma/mapping.txtpb").string());
    auto registry = load_registry((root / "examples/registry.txtpb").string());
    auto manifests = load_manifests({(root / "examples/manifests-sysmon").string()});
    if (!mapping.ok() || !registry.ok() || !manifests.ok()) {
        give_up("the example mapping, registry or Sysmon manifests do not load");
    }
    auto target = ValidationTarget::create(*registry.value, *manifests.value);
    if (!target.ok()) {
        give_up("the example registry and Sysmon manifests do not make a target");
    }

    // The rules: the Sigma checkout's Windows categories, else generated.
    fs::path windows = fs::path(options.sigma_dir) / "rules" / "windows";
    std::string used;
    std::vector<sigma::RuleSource> process_rules;
    std::vector<sigma::RuleSource> all_rules;
    if (!options.sigma_dir.empty() && fs::is_directory(windows / "process_creation")) {
        std::vector<std::string> categories;
        for (const auto& entry : fs::directory_iterator(windows)) {
            if (entry.is_directory()) {
                categories.push_back(entry.path().string() + "/");
            }
        }
        std::sort(categories.begin(), categories.end());
        process_rules = read_rules({(windows / "process_creation").string() + "/"});
        all_rules = read_rules(categories);
        used = fmt::format("the Sigma rules under {} ({} categories)",
                           fs::path(options.sigma_dir).filename().string() + "/rules/windows",
                           categories.size());
    } else {
        uint32_t n = 0;
        for (std::string& yaml : generate_sigma_rules(2024, 1200)) {
            process_rules.push_back({fmt::format("generated-{}.yml", n++), std::move(yaml)});
        }
        all_rules = process_rules;
        used =
            "1,200 generated Sigma-shaped process_creation rules (bench/generator, seed 2024; "
            "no Sigma checkout given)";
    }

    const ImportedSet process = import_set(*mapping.value, process_rules);
    const ImportedSet all = import_set(*mapping.value, all_rules);
    const Registry& types = *registry.value;
    const std::vector<uint8_t> process_blob = compile_or_exit(source_of(process.text), types);
    const auto instances = static_cast<uint64_t>(process.content.instances_size());
    const uint64_t dense = dense_size(process.content, types, process_blob);
    const double per_instance =
        static_cast<double>(process_blob.size()) / static_cast<double>(instances);
    const double dense_per_instance = static_cast<double>(dense) / static_cast<double>(instances);
    const double size_ratio = per_instance / dense_per_instance;

    const ContentSource all_source = source_of(all.text);
    const std::vector<uint8_t> blob = compile_or_exit(all_source, types);
    {
        auto checked = validate_blob(blob, "imported.rwc", *target.value);
        if (!checked.ok() || !checked.diagnostics.empty()) {
            give_up(fmt::format("the imported set has {} validation findings",
                                checked.diagnostics.size()));
        }
    }

    const int reps = options.quick ? 1 : 21;
    std::vector<TimedRow> rows;
    uint8_t hash[crypto_generichash_BYTES_MAX];
    rows.push_back({"blake2b-512 (floor)", time_runs(reps, [&] {
                        crypto_generichash(hash, sizeof(hash), blob.data(), blob.size(), nullptr,
                                           0);
                    })});
    volatile uint64_t sink = 0;
    rows.push_back(
        {"compile: imported set",
         time_runs(reps, [&] { sink = sink + compile(all_source, types).value->bytes.size(); }),
         1.0});
    // What any compile must do besides its checks and sorts: read the
    // source, compile its regex programs, write the blob into new memory.
    rows.push_back({"compile's least: one walk of the source",
                    time_runs(reps, [&] { sink = sink + walk_source(all.content); }), 0, true});
    const std::vector<RegexJob> jobs = regex_jobs(all.content);
    rows.push_back({fmt::format("compile's least: its {} regex programs", jobs.size()),
                    time_runs(reps,
                              [&] {
                                  for (const RegexJob& job : jobs) {
                                      sink = sink +
                                             compile_regex(job.pattern, job.options).program.size();
                                  }
                              }),
                    0, true});
    rows.push_back({"compile's least: one write of the blob",
                    time_runs(reps,
                              [&] {
                                  const std::vector<uint8_t> written(blob.begin(), blob.end());
                                  sink = sink + written[written.size() / 2];
                              }),
                    0, true});
    std::vector<std::vector<uint8_t>> copies(static_cast<size_t>(reps), blob);
    size_t next = 0;
    rows.push_back({"validate: imported set, Sysmon build",
                    time_runs(reps,
                              [&] {
                                  auto v = validate_blob(std::move(copies[next++]), "imported.rwc",
                                                         *target.value);
                                  sink = sink + v.diagnostics.size();
                              }),
                    2.0});

    bool met = size_ratio <= 0.25;
    const double floor = rows[0].time.median;
    fmt::print("\nimported Sigma rules: {}\n", used);
    fmt::print(
        "  process_creation: {} of {} rules imported, {} instances; blob {} bytes, {:.1f} "
        "per instance; format 1 dense {} bytes, {:.1f} per instance; ratio "
        "{:.3f} (target <= 0.25: {})\n",
        process.imported, process.rules, instances, process_blob.size(), per_instance, dense,
        dense_per_instance, size_ratio, size_ratio <= 0.25 ? "met" : "MISSED");
    fmt::print("  whole set: {} of {} rules imported, {} instances, blob {} bytes\n", all.imported,
               all.rules, all.content.instances_size(), blob.size());
    std::string md_rows;
    for (const TimedRow& row : rows) {
        const double ratio = row.time.median / floor;
        const bool row_met = row.target == 0 || ratio < row.target;
        const bool ratio_shown = row.target != 0 || row.least;
        met = met && row_met;
        const std::string spread = fmt::format("{:.3f}x ({:.2f}-{:.2f})", ratio,
                                               row.time.min / floor, row.time.max / floor);
        const std::string verdict = row.target == 0 ? ""
                                                    : fmt::format("< {}x the floor: {}", row.target,
                                                                  row_met ? "met" : "MISSED");
        fmt::print("  {:<42} {:>10} {:>22}  {}\n", row.name, human(row.time.median),
                   ratio_shown ? spread : "", verdict);
        md_rows += fmt::format("| {} | {} ({} - {}) | {} | {} |\n", row.name,
                               human(row.time.median), human(row.time.min), human(row.time.max),
                               ratio_shown ? spread : "", verdict);
    }
    // The least a compile can cost: the three parts above, added.
    double least = 0;
    double compile_ratio = 0;
    for (const TimedRow& row : rows) {
        least += row.least ? row.time.median / floor : 0;
        compile_ratio =
            row.name == "compile: imported set" ? row.time.median / floor : compile_ratio;
    }
    const std::string least_line = fmt::format(
        "the least a compile can cost (the three parts added): {:.3f}x the floor; compile is "
        "{:.3f}x above it",
        least, compile_ratio - least);
    fmt::print("  {}\n", least_line);

    if (!options.markdown_path.empty()) {
        constexpr std::string_view kBegin =
            "<!-- bench-import:begin (written by scripts/bench --markdown) -->";
        constexpr std::string_view kEnd = "<!-- bench-import:end -->";
        std::string md = fmt::format("Command: `{}`. Rules: {}.\n\n", options.command_line, used);
        md += "| measurement | value | | target |\n| --- | ---: | ---: | --- |\n";
        md += fmt::format(
            "| process_creation: blob bytes per instance | {:.1f} ({} bytes, {} instances of {} "
            "rules imported of {}) | | |\n",
            per_instance, process_blob.size(), instances, process.imported, process.rules);
        md += fmt::format(
            "| process_creation: format 1 dense bytes per instance | {:.1f} ({} "
            "bytes) | | |\n",
            dense_per_instance, dense);
        md += fmt::format("| process_creation: format 2 over format 1 | {:.3f} | | <= 0.25: {} |\n",
                          size_ratio, size_ratio <= 0.25 ? "met" : "MISSED");
        md += fmt::format(
            "| whole set: blob bytes, instances | {} bytes, {} instances of {} rules "
            "| | |\n",
            blob.size(), all.content.instances_size(), all.imported);
        md += md_rows;
        md += "\n" + least_line + ".\n\n";
        if (!write_marked_section(options.markdown_path, kBegin, kEnd, md)) {
            give_up("the markdown section is not written");
        }
    }
    return met;
}

}  // namespace ringward::bench
