// Content tests (docs/testing.md): events written by field name and the
// rules that must and must not fire on them, run after compile and validate
// through the loader and the interpreter an agent links (ringward_load,
// ringward_match), on every targeted sensor build. What `ringward test` and
// `ringward sign --tests` do, as functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"
#include "ringward/pipeline.hpp"
#include "ringward/report.hpp"
#include "ringward/schema.hpp"
#include "ringward/validate.hpp"

namespace ringward {

// One present input as a case wrote it: the field by name and a value whose
// kind is the one the case chose (checked against the field when run).
struct TestInput {
    std::string field;
    format::Kind kind = format::Kind::none;
    // int (two's-complement bits), uint and bool.
    uint64_t number = 0;
    // string, bytes, the enum member's name, the IP address as written.
    std::string text;
    Location location;
};

// A field the case hands as absent.
struct TestAbsent {
    std::string field;
    Location location;
};

// A rule or instance a case names.
struct TestExpectation {
    enum class Target : uint8_t { rule, rule_name, instance };
    Target target = Target::rule;
    uint32_t id = 0;
    std::string name;
    Location location;
};

struct TestCase {
    std::string name;
    Location location;
    // By name (template_type_version 0: the only version of that name), or
    // by id and version.
    bool by_name = false;
    std::string template_type_name;
    uint32_t template_type_id = 0;
    uint32_t template_type_version = 0;
    std::vector<TestInput> inputs;
    std::vector<TestAbsent> absent;
    std::vector<TestExpectation> fires;
    std::vector<TestExpectation> does_not_fire;
};

// A cases file (schemas/ringward/v1/test_case.proto).
struct TestFile {
    std::string file;
    // The source text, for showing lines.
    std::string text;
    std::vector<TestCase> cases;
};

// Reads a cases file, protobuf text or JSON, through the schema loaders'
// parser: the same limits and the same refusals (RW0002, RW0004-RW0011: a
// key or field given twice, two members of one oneof, ...). Then RW1013 for
// a file without cases and RW1007 for a case without a name or an event, a
// name used twice, a case that expects nothing, or a rule both expected to
// fire and not to. Names are checked against the registry and the content
// only when the cases run.
[[nodiscard]] Result<TestFile> load_test_file(const std::string& path,
                                              const LoadOptions& options = {});
// The same over bytes in memory; `file` names them. `options.format` must
// be text or json.
[[nodiscard]] Result<TestFile> parse_test_file(std::string_view bytes, std::string file,
                                               const LoadOptions& options);

struct ContentTestOptions {
    // Report rules without a positive case (RW1010) and criteria never shown
    // to matter (RW1012).
    bool coverage = false;
    // Coverage and near-miss findings (RW1010-RW1012) are errors.
    bool require_coverage = false;
    // Near-miss events tried per criterion of a matching instance: each is
    // one more ringward_match call, so this bounds the run at
    // cases x builds x criteria x this.
    uint32_t max_near_misses_per_criterion_incl = 48;
};

struct ContentTestSummary {
    // Cases in all files, and how many passed on every build they ran on.
    size_t cases = 0;
    size_t cases_passed = 0;
    // Case x build runs through the interpreter, near-miss events excluded.
    size_t runs = 0;
    // The sensor builds the content targets that the cases ran on.
    std::vector<std::string> builds;
    // Coverage: rules (an instance in no rule counts as a rule of its own),
    // those with a passing positive case; group-0 criteria of evaluable
    // instances, those a near-miss showed to matter.
    size_t rules = 0;
    size_t rules_covered = 0;
    size_t criteria = 0;
    size_t criteria_shown = 0;
    // Near-miss events run.
    size_t near_misses = 0;
};

// Runs the cases against a validated blob. `source` is the content's source
// when there is one (rule names and source locations come from it; null for
// a blob, whose findings then name `content_file` and a byte offset). Every finding goes to
// `diagnostics`: RW1000 for an expectation that does not hold (at the case, naming the build),
// RW1001-RW1009 for a case that cannot run as written, RW1011 for a criterion whose near-miss
// events leave its rule's verdict unchanged (at the criterion, naming the
// case), RW1010 and RW1012 with options.coverage.
ContentTestSummary run_content_tests(const ValidatedBlob& blob, const ContentSource* source,
                                     const std::string& content_file,
                                     const ValidationTarget& target,
                                     std::span<const TestFile> files,
                                     const ContentTestOptions& options,
                                     std::vector<Diagnostic>& diagnostics);

// What `ringward test` does: loads the target, validates the content (a
// source is compiled first) exactly as `validate` does, loads every cases
// file, and runs them. nullopt when nothing could run (the target, the
// content or a cases file did not load or validate); the report says why.
// Otherwise the summary, with every finding in the report: the tests pass
// when report.passed().
struct ContentTestRequest {
    TargetPaths target;
    std::string content;
    InputOptions input;
    std::vector<std::string> cases;
    ContentTestOptions options;
};
[[nodiscard]] std::optional<ContentTestSummary> test_content(const ContentTestRequest& request,
                                                             Report& report, SourceTexts& sources);

// "12 cases on 2 builds: 12 passed" and, with coverage, "; rules 10/84 with
// a positive case, criteria 25/170 shown to matter".
std::string test_summary_line(const ContentTestSummary& summary, bool coverage);

}  // namespace ringward
