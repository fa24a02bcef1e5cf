// Content tests (docs/testing.md): cases files read one way, cases run
// through ringward_load and ringward_match on every targeted build, near
// misses and coverage, each finding with its code and place.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "content_test/content_test_fixture.hpp"
#include "ringward/content_test.hpp"
#include "ringward/validate.hpp"
#include "support/run.hpp"

using namespace ringward;
using namespace ringward::test::content_tests;

namespace {

struct Fixture {
    std::optional<ValidationTarget> target;
    std::optional<ContentSource> source;
    std::optional<ValidatedBlob> blob;

    explicit Fixture(const std::string& content = kContent) {
        LoadOptions text;
        text.format = InputFormat::text;
        auto registry = parse_registry(kRegistry, "registry.txtpb", text);
        auto old_build = parse_manifest(kManifestOld, "old.txtpb", text);
        auto new_build = parse_manifest(kManifestNew, "new.txtpb", text);
        REQUIRE(registry.ok());
        REQUIRE(old_build.ok());
        REQUIRE(new_build.ok());
        std::vector<SensorManifest> manifests;
        manifests.push_back(std::move(*old_build.value));
        manifests.push_back(std::move(*new_build.value));
        auto created = ValidationTarget::create(std::move(*registry.value), std::move(manifests));
        REQUIRE(created.ok());
        target = std::move(*created.value);
        auto parsed = parse_content(content, "content.txtpb", text);
        REQUIRE(parsed.ok());
        source = std::move(*parsed.value);
        auto validated = validate_content(*source, *target);
        INFO((validated.diagnostics.empty() ? std::string() : validated.diagnostics[0].message));
        REQUIRE(validated.ok());
        blob = std::move(*validated.value);
    }

    std::vector<Diagnostic> run(const std::string& cases, ContentTestSummary* summary = nullptr,
                                const ContentTestOptions& options = {},
                                InputFormat format = InputFormat::text) {
        LoadOptions load;
        load.format = format;
        auto file = parse_test_file(
            cases, format == InputFormat::text ? "cases.txtpb" : "cases.json", load);
        INFO((file.diagnostics.empty() ? std::string() : file.diagnostics[0].message));
        REQUIRE(file.ok());
        std::vector<TestFile> files;
        files.push_back(std::move(*file.value));
        std::vector<Diagnostic> diagnostics;
        const ContentTestSummary result = run_content_tests(*blob, &*source, "content.txtpb",
                                                            *target, files, options, diagnostics);
        if (summary != nullptr) {
            *summary = result;
        }
        return diagnostics;
    }
};

std::vector<Diagnostic> with_code(const std::vector<Diagnostic>& all, Code code) {
    std::vector<Diagnostic> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const Diagnostic& d) { return d.code == code; });
    return out;
}

std::vector<Diagnostic> parse_errors(const std::string& cases,
                                     InputFormat format = InputFormat::text) {
    LoadOptions load;
    load.format = format;
    auto file = parse_test_file(cases, "cases.txtpb", load);
    CHECK_FALSE(file.ok());
    return file.diagnostics;
}

}  // namespace

TEST_CASE("a passing case runs on every targeted build and shows its criteria to matter") {
    Fixture f;
    ContentTestSummary summary;
    const auto diagnostics = f.run(kShellCase, &summary);
    CHECK(diagnostics.empty());
    CHECK(summary.cases == 1);
    CHECK(summary.cases_passed == 1);
    CHECK(summary.runs == 2);
    CHECK(summary.builds == std::vector<std::string>{"1.0.0", "2.0.0"});
    // Both criteria of instance 1 were shown to matter; nothing else matched.
    CHECK(summary.criteria_shown == 2);
    CHECK(summary.criteria == 6);
    CHECK(summary.rules == 3);
    CHECK(summary.rules_covered == 1);
    CHECK(summary.near_misses > 0);
}

TEST_CASE("an expectation that fails is RW1000 at its line, naming the build") {
    Fixture f;
    const auto diagnostics = f.run(R"(cases {
  name: "low pid"
  event {
    template_type { id: 1 version: 1 }
    fields { field: "path" string: "C:\\Windows\\cmd.exe" }
    fields { field: "pid" uint: 7 }
  }
  fires { rule: 1 }
}
)");
    const auto failed = with_code(diagnostics, Code::test_expectation_failed);
    REQUIRE(failed.size() == 2);
    CHECK(failed[0].location.file == "cases.txtpb");
    CHECK(failed[0].location.line == 8);
    CHECK(failed[0].location.column == 3);
    CHECK(failed[0].sensor_version == "1.0.0");
    CHECK(failed[1].sensor_version == "2.0.0");
    CHECK(failed[0].message.find("rule 1 'shell' must fire") != std::string::npos);
    CHECK(failed[0].help == "nothing fired");
}

TEST_CASE("does_not_fire fails when the rule fires, and the help says what fired") {
    Fixture f;
    const auto diagnostics = f.run(R"(cases {
  name: "temp"
  event { template_type_name: "proc" fields { field: "path" string: "C:\\temp\\x.exe" } }
  does_not_fire { instance: 2 }
}
)");
    const auto failed = with_code(diagnostics, Code::test_expectation_failed);
    REQUIRE(failed.size() == 2);
    CHECK(failed[0].help == "fired: rules 2 (instances 2, 3)");
    CHECK(failed[0].location.line == 4);
}

TEST_CASE("near miss: an instance its rule's other instance covers is reported, at the criterion") {
    Fixture f;
    const auto diagnostics = f.run(R"(cases {
  name: "temp x"
  event { template_type_name: "proc" fields { field: "path" string: "C:\\temp\\x.exe" } }
  fires { rule: 2 }
}
)");
    const auto unchanged = with_code(diagnostics, Code::near_miss_unchanged);
    // Both instances of rule 2 match: the rule fires without either, so the
    // case shows neither instance's criterion to matter.
    REQUIRE(unchanged.size() == 2);
    CHECK(unchanged[0].instance_id == 2u);
    CHECK(unchanged[1].instance_id == 3u);
    CHECK(unchanged[1].field == "path");
    CHECK(unchanged[1].severity == Severity::warning);
    CHECK(unchanged[1].location.file == "content.txtpb");
    CHECK(unchanged[1].location.line == 24);
    CHECK(unchanged[1].message.find("fires through instance 2 as well") != std::string::npos);
    CHECK(unchanged[1].help.find("cases.txtpb:1:1") != std::string::npos);
    // An event only instance 2 matches shows its criterion to matter.
    ContentTestSummary summary;
    const auto only = f.run(R"(cases {
  name: "temp a"
  event { template_type_name: "proc" fields { field: "path" string: "C:\\temp\\a.exe" } }
  fires { rule: 2 }
}
)",
                            &summary);
    CHECK(with_code(only, Code::near_miss_unchanged).empty());
    CHECK(summary.criteria_shown == 1);
}

TEST_CASE("near miss: a criterion that holds on every value is reported; absence does not count") {
    Fixture f;
    const auto diagnostics = f.run(R"(cases {
  name: "a.exe"
  event {
    template_type_name: "proc"
    fields { field: "path" string: "a.exe" }
    fields { field: "user" string: "alice" }
  }
  fires { rule_name: "any_user" }
}
)");
    const auto unchanged = with_code(diagnostics, Code::near_miss_unchanged);
    REQUIRE(unchanged.size() == 1);
    CHECK(unchanged[0].instance_id == 4u);
    CHECK(unchanged[0].field == "user");
    CHECK(unchanged[0].location.line == 33);
    // --require-coverage makes it an error.
    ContentTestOptions strict;
    strict.require_coverage = true;
    const auto strict_diagnostics = f.run(R"(cases {
  name: "a.exe"
  event {
    template_type_name: "proc"
    fields { field: "path" string: "a.exe" }
    fields { field: "user" string: "alice" }
  }
  fires { rule_name: "any_user" }
}
)",
                                          nullptr, strict);
    CHECK(with_code(strict_diagnostics, Code::near_miss_unchanged).at(0).severity ==
          Severity::error);
}

TEST_CASE("coverage lists untested rules and criteria never shown to matter") {
    Fixture f;
    ContentTestOptions options;
    options.coverage = true;
    ContentTestSummary summary;
    const auto diagnostics = f.run(kShellCase, &summary, options);
    const auto untested = with_code(diagnostics, Code::coverage_rule_untested);
    REQUIRE(untested.size() == 2);
    CHECK(untested[0].message.find("rule 2 'broad'") == 0);
    CHECK(untested[0].location.line == 14);  // its first instance
    CHECK(untested[1].message.find("rule 3 'any_user'") == 0);
    const auto unshown = with_code(diagnostics, Code::coverage_criterion_unshown);
    // Instances 2, 3 and 4, matched by no case: one finding each.
    REQUIRE(unshown.size() == 3);
    CHECK(unshown[0].instance_id == 2u);
    CHECK(unshown[0].severity == Severity::warning);
}

TEST_CASE("a template type no targeted build supplies is RW1006") {
    Fixture f;
    const auto diagnostics = f.run(R"(cases {
  name: "net"
  event { template_type_name: "net" fields { field: "ip" ip: "10.1.2.3" } }
  does_not_fire { rule: 1 }
}
)");
    // Build 2.0.0 supplies net: the case runs there.
    CHECK(diagnostics.empty());
    const auto missing = f.run(R"(cases {
  name: "nothing"
  event { template_type { id: 9 version: 1 } }
  does_not_fire { rule: 1 }
}
)");
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].code == Code::test_template_unknown);
}

TEST_CASE("a case that names what the registry or the content lacks is refused with its code") {
    Fixture f;
    struct Row {
        const char* event;
        const char* expect;
        Code code;
    };
    const Row rows[] = {
        {R"(template_type_name: "nope")", "fires { rule: 1 }", Code::test_template_unknown},
        {R"(template_type_name: "proc" fields { field: "nope" uint: 1 })", "fires { rule: 1 }",
         Code::test_field_unknown},
        {R"(template_type_name: "proc" fields { field: "pid" int: 1 })", "fires { rule: 1 }",
         Code::test_value_invalid},
        {R"(template_type_name: "proc" fields { field: "level" enum: "ROOT" })",
         "fires { rule: 1 }", Code::test_value_invalid},
        {R"(template_type_name: "net" fields { field: "ip" ip: "10.0.0.0/8" })",
         "fires { rule: 1 }", Code::test_value_invalid},
        {R"(template_type_name: "proc" fields { field: "pid" uint: 1 } absent: "pid")",
         "fires { rule: 1 }", Code::test_field_duplicate},
        {R"(template_type_name: "proc")", "fires { rule: 9 }", Code::test_target_unknown},
        {R"(template_type_name: "proc")", R"(fires { rule_name: "nope" })",
         Code::test_target_unknown},
        {R"(template_type_name: "proc")", "fires { instance: 99 }", Code::test_target_unknown},
    };
    for (const Row& row : rows) {
        INFO(row.event << " / " << row.expect);
        const std::string cases = std::string("cases {\n  name: \"c\"\n  event { ") + row.event +
                                  " }\n  " + row.expect + "\n}\n";
        const auto diagnostics = f.run(cases);
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == row.code);
        CHECK(diagnostics[0].location.file == "cases.txtpb");
        CHECK(diagnostics[0].location.line >= 1);
    }
}

TEST_CASE("a cases file that could be read two ways, or says nothing, is refused") {
    CHECK(parse_errors("cases { name: \"a\" name: \"b\" }").at(0).code ==
          Code::text_field_repeated);
    CHECK(
        parse_errors(R"({"cases": [{"name": "a", "name": "b"}]})", InputFormat::json).at(0).code ==
        Code::json_key_duplicate);
    CHECK(parse_errors("").at(0).code == Code::test_file_empty);
    const auto malformed = parse_errors(R"(cases { name: "a" event { template_type_name: "proc" } }
cases { name: "a" event { template_type_name: "proc" } fires { rule: 1 } does_not_fire { rule: 1 } }
cases { event { template_type_name: "proc" } fires { rule: 1 } }
cases { name: "b" fires { rule: 1 } }
)");
    REQUIRE(malformed.size() == 5);
    for (const Diagnostic& d : malformed) {
        CHECK(d.code == Code::test_case_malformed);
    }
    CHECK(malformed[0].location.line == 1);  // expects nothing
    CHECK(malformed[1].location.line == 2);  // rule 1 both ways, at the does_not_fire
    CHECK(malformed[1].location.column == 74);
    CHECK(malformed[2].location.line == 2);  // "a" again
    CHECK(malformed[3].location.line == 3);  // no name
    CHECK(malformed[4].location.line == 4);  // no template type
}

TEST_CASE("JSON cases run alike and point at their path") {
    Fixture f;
    const auto diagnostics =
        f.run(R"({"cases": [{"name": "low", "event": {"templateTypeName": "proc",
      "fields": [{"field": "path", "string": "cmd.exe"}]}, "fires": [{"rule": 1}]}]})",
              nullptr, {}, InputFormat::json);
    const auto failed = with_code(diagnostics, Code::test_expectation_failed);
    REQUIRE(failed.size() == 2);
    CHECK(failed[0].location.path == "cases[0].fires[0]");
}

TEST_CASE("the example content passes its cases") {
    struct Example {
        const char* content;
        const char* manifests;
        const char* cases;
    };
    for (const Example& e :
         {Example{"examples/content/detections.txtpb", "examples/manifests",
                  "examples/content/tests/detections.txtpb"},
          Example{"examples/content/sysmon-v2.txtpb", "examples/manifests-sysmon",
                  "examples/content/tests/sysmon-v2.txtpb"}}) {
        INFO(e.content);
        ContentTestRequest request;
        request.target.registry = test::source_path("examples/registry.txtpb");
        request.target.manifests = {test::source_path(e.manifests)};
        request.content = test::source_path(e.content);
        request.cases = {test::source_path(e.cases)};
        Report report;
        SourceTexts sources;
        const auto summary = test_content(request, report, sources);
        for (const Diagnostic& d : report.diagnostics) {
            UNSCOPED_INFO(render_text(d, &sources));
        }
        REQUIRE(summary);
        CHECK(report.passed());
        CHECK(summary->cases_passed == summary->cases);
        CHECK(summary->cases >= 6);
    }
}
