// ringward validate (and compile with a registry) as CI pipelines use it.
#include <google/protobuf/struct.pb.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "ringward/diagnostic.hpp"
#include "support/json.hpp"
#include "support/run.hpp"
#include "support/text.hpp"

using google::protobuf::Struct;
using google::protobuf::Value;
using ringward::test::diagnostic_head;
using ringward::test::diagnostic_head_at_offset;
using ringward::test::parse_json;
using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

std::vector<std::string> validate_args(std::vector<std::string> extra) {
    std::vector<std::string> args = {"validate", "--registry",
                                     source_path("examples/registry.txtpb"), "--manifests",
                                     source_path("examples/manifests")};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

const std::string kGood = source_path("examples/content/detections.txtpb");
const std::string kChannel291 = source_path("examples/channel-291/content-new.txtpb");

const Value& field(const Struct& s, const std::string& name) {
    INFO("missing member " << name);
    REQUIRE(s.fields().count(name) == 1);
    return s.fields().at(name);
}

}  // namespace

TEST_CASE("validate passes good content with exit 0 and a summary") {
    const auto result = run_cli(validate_args({kGood, source_path("examples/content/small.json")}));
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.err, Catch::Contains("0 errors, 0 warnings in 6 files: passed"));
}

TEST_CASE("validate rejects the Channel 291 content with exit 1, located and explained") {
    const auto result = run_cli(validate_args({kChannel291}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains(diagnostic_head(kChannel291, 114, 3, "error[RW0301]") +
                                           ": instance 4 puts a regex criterion on field "
                                           "'security_descriptor_sddl' (index 20)"));
    CHECK_THAT(result.err, Catch::Contains("supplies only 20 inputs"));
    CHECK_THAT(result.err,
               Catch::Contains(" 114 |   criteria { field: \"security_descriptor_sddl\""));
    CHECK_THAT(result.err, Catch::Contains("     |   ^"));
    // Every named_pipe_ipc instance, at its start, for build 7.11.18110.
    for (const uint32_t line : {12u, 38u, 64u, 90u, 116u}) {
        CHECK_THAT(result.err,
                   Catch::Contains(diagnostic_head(kChannel291, line, 1, "error[RW0302]") +
                                   ": named_pipe_ipc v1 declares 21 fields, but sensor build "
                                   "7.11.18110 supplies 20 inputs for it"));
    }
    CHECK_THAT(result.err, Catch::Contains(diagnostic_head(kChannel291, 140, 3, "error[RW0301]") +
                                           ": instance 5 puts a contains criterion"));
    CHECK_THAT(result.err, Catch::Contains("7 errors, 0 warnings in 5 files: rejected"));
    CHECK(result.err.find('\x1b') == std::string::npos);  // not a terminal: no colour
    CHECK(result.out.empty());
}

TEST_CASE("validate reports every file given, and every finding in each") {
    const auto result = run_cli(validate_args(
        {kGood, kChannel291, source_path("examples/channel-291/content-earlier.txtpb")}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains("10 errors, 0 warnings in 7 files: rejected"));
    const std::string earlier = source_path("examples/channel-291/content-earlier.txtpb");
    CHECK_THAT(result.err, Catch::Contains(diagnostic_head(earlier, 12, 1, "error[RW0302]")));
    CHECK_THAT(result.err, Catch::Contains(diagnostic_head(kChannel291, 114, 3, "error[RW0301]")));
}

TEST_CASE("validate reads blobs as well as sources") {
    TempDir dir;
    REQUIRE(run_cli({"compile", "--registry", source_path("examples/registry.txtpb"), "-q", kGood,
                     "-o", dir.file("good.rwc")})
                .exit_code == 0);
    REQUIRE(run_cli({"compile", "--registry", source_path("examples/registry.txtpb"), "-q",
                     kChannel291, "-o", dir.file("291.rwc")})
                .exit_code == 0);
    const auto good = run_cli(validate_args({dir.file("good.rwc")}));
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.err, Catch::Contains("0 errors, 0 warnings in 5 files: passed"));
    const auto bad = run_cli(validate_args({dir.file("291.rwc")}));
    CHECK(bad.exit_code == 1);
    // The criterion record of instance 4's field 20 (the JSON report maps
    // the source finding to the same offset).
    CHECK_THAT(bad.err, Catch::Contains(diagnostic_head_at_offset(dir.file("291.rwc"), 0x210,
                                                                  "error[RW0301]")));
    CHECK_THAT(bad.err, Catch::Contains("7 errors, 0 warnings in 5 files: rejected"));
}

TEST_CASE("validate --werror turns warnings into a failure") {
    TempDir dir;
    std::string content = read_text(source_path("examples/content/small.txtpb"));
    // Repeat the first instance under a new id: a duplicate, which warns.
    const size_t first = content.find("instances {");
    const size_t end = content.find("\n}\n", first) + 3;
    std::string copy = content.substr(first, end - first);
    copy.replace(copy.find("id: 1\n"), 6, "id: 99\n");
    write_text(dir.file("dup.txtpb"), content + copy);
    const auto warned = run_cli(validate_args({dir.file("dup.txtpb")}));
    INFO(warned.err);
    CHECK(warned.exit_code == 0);
    const auto [line, column] = ringward::test::line_column_at(content + copy, content.size());
    CHECK_THAT(warned.err, Catch::Contains(diagnostic_head(dir.file("dup.txtpb"), line, column,
                                                           "warning[RW0421]")));
    CHECK_THAT(warned.err, Catch::Contains("0 errors, 1 warning in 5 files: passed"));
    const auto strict = run_cli(validate_args({"--werror", dir.file("dup.txtpb")}));
    CHECK(strict.exit_code == 1);
    CHECK_THAT(strict.err, Catch::Contains("0 errors, 1 warning in 5 files: rejected"));
}

TEST_CASE("usage and I/O problems exit 2") {
    const auto exits_2_saying = [](const std::vector<std::string>& args, const std::string& says) {
        const auto result = run_cli(args);
        INFO(result.err);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains(says));
    };
    exits_2_saying({"validate", kGood}, "--registry is required");
    exits_2_saying(validate_args({}), "content is required");
    exits_2_saying(validate_args({"/no/such/file.txtpb"}),
                   diagnostic_head("/no/such/file.txtpb", "error[RW0001]"));
    exits_2_saying(validate_args({"--format", "xml", kGood}), "--format: xml not in");
    exits_2_saying({"validate", "--registry", "/no/registry.txtpb", "--manifests",
                    source_path("examples/manifests"), kGood},
                   "--registry: File does not exist: /no/registry.txtpb");
}

TEST_CASE("validate --format json has the documented shape") {
    const auto result = run_cli(validate_args({"--format", "json", kGood, kChannel291}));
    CHECK(result.exit_code == 1);
    const Struct report = parse_json(result.out);
    CHECK(field(report, "version").number_value() == 1);
    CHECK(field(field(report, "tool").struct_value(), "name").string_value() == "ringward");
    CHECK(field(report, "result").string_value() == "rejected");
    const Struct& summary = field(report, "summary").struct_value();
    CHECK(field(summary, "files").number_value() == 6);
    CHECK(field(summary, "errors").number_value() == 7);
    CHECK(field(summary, "warnings").number_value() == 0);
    const auto& files = field(report, "files").list_value().values();
    REQUIRE(files.size() == 6);
    CHECK(field(files[4].struct_value(), "file").string_value() == kGood);
    CHECK(field(files[4].struct_value(), "errors").number_value() == 0);
    CHECK(field(files[5].struct_value(), "errors").number_value() == 7);
    const auto& diagnostics = field(report, "diagnostics").list_value().values();
    REQUIRE(diagnostics.size() == 7);
    bool found = false;
    for (const Value& v : diagnostics) {
        const Struct& d = v.struct_value();
        if (field(d, "code").string_value() != "RW0301") {
            continue;
        }
        found = true;
        CHECK(field(d, "name").string_value() == "criterion-on-unsupplied-input");
        CHECK(field(d, "severity").string_value() == "error");
        CHECK_FALSE(field(d, "message").string_value().empty());
        CHECK_FALSE(field(d, "help").string_value().empty());
        CHECK(field(d, "instance_id").number_value() == 4);
        CHECK(field(d, "field").string_value() == "security_descriptor_sddl");
        CHECK(field(d, "field_index").number_value() == 20);
        CHECK(field(d, "sensor_version").string_value() == "7.11.18110");
        const Struct& at = field(d, "location").struct_value();
        CHECK(field(at, "file").string_value() == kChannel291);
        CHECK(field(at, "line").number_value() == 114);
        CHECK(field(at, "column").number_value() == 3);
        CHECK(field(at, "path").string_value() == "instances[3].criteria[20]");
        CHECK(field(at, "blob_offset").number_value() == 0x210);
        break;
    }
    CHECK(found);

    SECTION("-o writes the same report to a file, atomically") {
        TempDir dir;
        const auto to_file =
            run_cli(validate_args({"--format", "json", "-o", dir.file("r.json"), kGood}));
        CHECK(to_file.exit_code == 0);
        CHECK(to_file.out.empty());
        CHECK(field(parse_json(read_text(dir.file("r.json"))), "result").string_value() ==
              "passed");
    }
}

TEST_CASE("validate --format sarif is SARIF 2.1.0 with every code as a rule") {
    const auto result = run_cli(validate_args({"--format", "sarif", kChannel291}));
    CHECK(result.exit_code == 1);
    const Struct sarif = parse_json(result.out);
    CHECK(field(sarif, "version").string_value() == "2.1.0");
    CHECK_THAT(field(sarif, "$schema").string_value(), Catch::Contains("sarif-2.1.0"));
    const auto& runs = field(sarif, "runs").list_value().values();
    REQUIRE(runs.size() == 1);
    const Struct& run = runs[0].struct_value();
    const Struct& driver = field(field(run, "tool").struct_value(), "driver").struct_value();
    CHECK(field(driver, "name").string_value() == "ringward");
    const auto& rules = field(driver, "rules").list_value().values();
    CHECK(static_cast<size_t>(rules.size()) == ringward::all_codes().size());
    std::map<std::string, size_t> rule_index;
    for (size_t i = 0; i < static_cast<size_t>(rules.size()); ++i) {
        const Struct& rule = rules[static_cast<int>(i)].struct_value();
        rule_index[field(rule, "id").string_value()] = i;
        CHECK_FALSE(
            field(field(rule, "shortDescription").struct_value(), "text").string_value().empty());
        const std::string level =
            field(field(rule, "defaultConfiguration").struct_value(), "level").string_value();
        CHECK((level == "error" || level == "warning" || level == "note"));
    }
    REQUIRE(rule_index.count("RW0301") == 1);
    const auto& results = field(run, "results").list_value().values();
    REQUIRE(results.size() == 7);
    size_t rw0301 = 0;
    for (const Value& v : results) {
        const Struct& r = v.struct_value();
        const std::string rule = field(r, "ruleId").string_value();
        CHECK(field(r, "ruleIndex").number_value() == static_cast<double>(rule_index[rule]));
        CHECK(field(r, "level").string_value() == "error");
        CHECK_FALSE(field(field(r, "message").struct_value(), "text").string_value().empty());
        const auto& locations = field(r, "locations").list_value().values();
        REQUIRE(locations.size() == 1);
        const Struct& physical =
            field(locations[0].struct_value(), "physicalLocation").struct_value();
        CHECK(field(field(physical, "artifactLocation").struct_value(), "uri").string_value() ==
              "file://" + kChannel291);
        const Struct& region = field(physical, "region").struct_value();
        const auto& properties = field(r, "properties").struct_value();
        if (rule == "RW0302") {
            // At the start of each named_pipe_ipc instance.
            const double line = field(region, "startLine").number_value();
            CHECK((line == 12 || line == 38 || line == 64 || line == 90 || line == 116));
            CHECK(field(region, "startColumn").number_value() == 1);
        } else {
            CHECK(rule == "RW0301");
            const double line = field(region, "startLine").number_value();
            CHECK((line == 114 || line == 140));
            CHECK(field(region, "startColumn").number_value() == 3);
        }
        CHECK(field(properties, "sensorVersion").string_value() == "7.11.18110");
        if (rule == "RW0301") {
            ++rw0301;
            CHECK(field(field(r, "properties").struct_value(), "fieldIndex").number_value() == 20);
        }
    }
    CHECK(rw0301 == 2);
}

TEST_CASE("compile --registry --manifests refuses what does not validate, and writes nothing") {
    TempDir dir;
    const auto refused =
        run_cli({"compile", "--registry", source_path("examples/registry.txtpb"), "--manifests",
                 source_path("examples/manifests"), kChannel291, "-o", dir.file("291.rwc")});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains(diagnostic_head(kChannel291, 114, 3, "error[RW0301]")));
    CHECK_THAT(refused.err, Catch::Contains(diagnostic_head(kChannel291, 12, 1, "error[RW0302]")));
    CHECK_THAT(refused.err, Catch::Contains("not compiled: it does not validate"));
    CHECK_FALSE(std::filesystem::exists(dir.file("291.rwc")));

    const auto accepted =
        run_cli({"compile", "--registry", source_path("examples/registry.txtpb"), "--manifests",
                 source_path("examples/manifests"), kGood, "-o", dir.file("good.rwc")});
    CHECK(accepted.exit_code == 0);
    CHECK_THAT(accepted.err, Catch::Contains("validated"));
    // The same bytes as compiling without validation.
    REQUIRE(run_cli({"compile", "--registry", source_path("examples/registry.txtpb"), "-q", kGood,
                     "-o", dir.file("plain.rwc")})
                .exit_code == 0);
    CHECK(read_text(dir.file("good.rwc")) == read_text(dir.file("plain.rwc")));
    // Without a registry there are no field indices: a usage error.
    const auto none = run_cli({"compile", kGood, "-o", dir.file("x.rwc")});
    CHECK(none.exit_code == 2);
    CHECK_THAT(none.err, Catch::Contains("--registry is required"));
    CHECK_FALSE(std::filesystem::exists(dir.file("x.rwc")));
}
