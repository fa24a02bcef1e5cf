// The ringward command as scripts see it: exit codes, what it prints, what it
// writes and what it leaves alone.
#include <google/protobuf/struct.pb.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "support/json.hpp"
#include "support/run.hpp"
#include "support/text.hpp"

using ringward::test::diagnostic_head;
using ringward::test::parse_json;
using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const std::string kRegistry = source_path("examples/registry.txtpb");

const char* const kGoodContent =
    "channel: 7\n"
    "content_version: 3\n"
    "sensor_range { min: \"7.11.0\" max: \"7.13.0\" }\n"
    "instances {\n"
    "  id: 2\n"
    "  template_type { id: 3 version: 1 }\n"
    "  criteria { field: \"remote_ip\" op: OP_CIDR_CONTAINS values { ip: \"10.0.0.0/8\" } }\n"
    "  criteria { field: \"remote_port\" op: OP_IN values { uint: 443 } values { uint: 22 } }\n"
    "}\n"
    "instances {\n"
    "  id: 1\n"
    "  template_type { id: 1 version: 1 }\n"
    "  criteria { field: \"image_path\" op: OP_SUFFIX case_insensitive: true\n"
    "             values { string: \"\\\\powershell.exe\" } }\n"
    "}\n";

const char* const kBadContent =
    "channel: 7\n"
    "content_version: 3\n"
    "sensor_range { min: \"7.11.0\" max: \"7.13.0\" }\n"
    "instances {\n"
    "  id: 1\n"
    "  template_type { id: 3 version: 1 }\n"
    "  criteria { field: \"remote_ip\" op: OP_EQ values { ip: \"10.0.0.300\" } }\n"
    "}\n";

}  // namespace

TEST_CASE("help and version answer for the tool and every subcommand") {
    for (const std::vector<std::string>& prefix :
         {std::vector<std::string>{}, {"compile"}, {"inspect"}}) {
        INFO("subcommand: " << (prefix.empty() ? "(none)" : prefix[0]));
        auto args = prefix;
        args.push_back("--help");
        const auto help = run_cli(args);
        CHECK(help.exit_code == 0);
        CHECK_THAT(help.out, Catch::Contains("Usage"));
        args.back() = "--version";
        const auto version = run_cli(args);
        CHECK(version.exit_code == 0);
        CHECK_THAT(version.out, Catch::StartsWith("ringward 0."));
    }
}

TEST_CASE("usage errors exit 2 and say what is wrong") {
    struct Usage {
        std::vector<std::string> args;
        const char* says;
    };
    const Usage cases[] = {
        {{}, "A subcommand is required"},
        {{"frobnicate"}, "A subcommand is required"},
        {{"compile"}, "source is required"},
        {{"compile", "x.txtpb"}, "--output is required"},
        {{"compile", "--registry", kRegistry, "--no-such-flag", "x.txtpb", "-o", "y"},
         "--no-such-flag"},
        {{"compile", "x.txtpb", "-o", "y"}, "--registry is required"},
        {{"inspect", "--format", "xml", "x.rwc"}, "--format: xml not in"},
    };
    for (const Usage& c : cases) {
        const auto result = run_cli(c.args);
        INFO(result.err);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains(c.says));
        CHECK_THAT(result.err, Catch::Contains("<command line>: error[RW0013]: "));
        CHECK_THAT(result.err, Catch::Contains("ringward COMMAND --help"));
        CHECK(result.out.empty());
    }
}

TEST_CASE("compile writes the blob and inspect reads it back") {
    TempDir dir;
    write_text(dir.file("c.txtpb"), kGoodContent);
    const auto compiled =
        run_cli({"compile", "--registry", kRegistry, dir.file("c.txtpb"), "-o", dir.file("c.rwc")});
    INFO(compiled.err);
    REQUIRE(compiled.exit_code == 0);
    CHECK_THAT(compiled.err, Catch::Contains("2 instances, 3 criteria"));
    const std::string blob = read_text(dir.file("c.rwc"));
    REQUIRE(blob.size() > 80);
    CHECK(blob.substr(0, 4) == "\x89RWC");

    const auto shown = run_cli({"inspect", dir.file("c.rwc")});
    INFO(shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("channel          7"));
    CHECK_THAT(shown.out, Catch::Contains("sensor range     7.11.0 .. 7.13.0"));
    CHECK_THAT(shown.out, Catch::Contains("instance 1  template type 1 v1"));
    CHECK_THAT(shown.out, Catch::Contains("suffix (case-insensitive) \"\\\\powershell.exe\""));
    CHECK_THAT(shown.out, Catch::Contains("in {22, 443}"));
    CHECK_THAT(shown.out, Catch::Contains("cidr_contains 10.0.0.0/8"));

    SECTION("compiling twice gives the same bytes") {
        REQUIRE(run_cli({"compile", "--registry", kRegistry, "-q", dir.file("c.txtpb"), "-o",
                         dir.file("d.rwc")})
                    .exit_code == 0);
        CHECK(read_text(dir.file("d.rwc")) == blob);
    }
    SECTION("inspect of the source shows the same content with source lines") {
        const auto source = run_cli({"inspect", "--registry", kRegistry, dir.file("c.txtpb")});
        REQUIRE(source.exit_code == 0);
        CHECK_THAT(source.out,
                   Catch::Contains("instance 1  template type 1 v1  rule none  (11 "
                                   "fields, 1 criteria, 0 exclusions, @0x50, line 10)"));
    }
    SECTION("inspect --format json parses back") {
        const auto json = run_cli({"inspect", "--format", "json", dir.file("c.rwc")});
        REQUIRE(json.exit_code == 0);
        const auto document = parse_json(json.out);
        const auto& fields = document.fields();
        CHECK(fields.at("kind").string_value() == "blob");
        CHECK(fields.at("channel").number_value() == 7);
        CHECK(fields.at("content_version").string_value() == "3");
        CHECK(fields.at("instance_count").number_value() == 2);
        const auto& instances = fields.at("instances").list_value().values();
        REQUIRE(instances.size() == 2);
        const auto& first = instances[0].struct_value().fields();
        CHECK(first.at("id").number_value() == 1);
        const auto& criteria = first.at("criteria").list_value().values();
        REQUIRE(criteria.size() == 1);
        const auto& criterion = criteria[0].struct_value().fields();
        CHECK(criterion.at("field").string_value() == "image_path");
        CHECK(criterion.at("op").string_value() == "suffix");
        CHECK(criterion.at("kind").string_value() == "string");
        CHECK(criterion.at("case_insensitive").bool_value());
    }
}

TEST_CASE("compile refuses bad content with exit 1, a located diagnostic, and no output") {
    TempDir dir;
    write_text(dir.file("bad.txtpb"), kBadContent);
    const auto result = run_cli(
        {"compile", "--registry", kRegistry, dir.file("bad.txtpb"), "-o", dir.file("bad.rwc")});
    CHECK(result.exit_code == 1);
    // Line 7, at the value: `values { ip: "10.0.0.300" }`.
    CHECK_THAT(result.err,
               Catch::StartsWith(diagnostic_head(dir.file("bad.txtpb"), 7, 43, "error[RW0209]") +
                                 ": \"10.0.0.300\" is not a single IP address\n"));
    CHECK_THAT(result.err, Catch::Contains("\n   |" + std::string(43, ' ') + "^\n"));
    CHECK_FALSE(std::filesystem::exists(dir.file("bad.rwc")));

    SECTION("an existing output is left as it was") {
        write_text(dir.file("bad.rwc"), "previous");
        CHECK(run_cli({"compile", "--registry", kRegistry, dir.file("bad.txtpb"), "-o",
                       dir.file("bad.rwc")})
                  .exit_code == 1);
        CHECK(read_text(dir.file("bad.rwc")) == "previous");
    }
    SECTION("no colour when the output is not a terminal") {
        CHECK(result.err.find('\x1b') == std::string::npos);
    }
}

TEST_CASE("I/O problems exit 2 with the file and the code") {
    TempDir dir;
    const auto missing = run_cli(
        {"compile", "--registry", kRegistry, dir.file("missing.txtpb"), "-o", dir.file("x.rwc")});
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err,
               Catch::StartsWith(diagnostic_head(dir.file("missing.txtpb"), "error[RW0001]")));
    write_text(dir.file("c.txtpb"), kGoodContent);
    const auto unwritable = run_cli({"compile", "--registry", kRegistry, dir.file("c.txtpb"), "-o",
                                     dir.file("no/such/folder/x.rwc")});
    CHECK(unwritable.exit_code == 2);
    CHECK_THAT(unwritable.err, Catch::StartsWith(diagnostic_head(dir.file("no/such/folder/x.rwc"),
                                                                 "error[RW0007]")));
    write_text(dir.file("c.unknown"), kGoodContent);
    const auto unknown = run_cli(
        {"compile", "--registry", kRegistry, dir.file("c.unknown"), "-o", dir.file("x.rwc")});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err,
               Catch::StartsWith(diagnostic_head(dir.file("c.unknown"), "error[RW0003]")));
    CHECK(run_cli({"compile", "--registry", kRegistry, "--input-format", "text",
                   dir.file("c.unknown"), "-o", dir.file("x.rwc")})
              .exit_code == 0);
    const auto leftovers = std::distance(std::filesystem::directory_iterator(dir.path()),
                                         std::filesystem::directory_iterator());
    CHECK(leftovers == 3);  // c.txtpb, c.unknown, x.rwc: no temporary files left behind
}

TEST_CASE("inspect refuses a corrupt blob with its reader code and offset") {
    TempDir dir;
    write_text(dir.file("c.txtpb"), kGoodContent);
    REQUIRE(run_cli({"compile", "--registry", kRegistry, "-q", dir.file("c.txtpb"), "-o",
                     dir.file("c.rwc")})
                .exit_code == 0);
    std::string blob = read_text(dir.file("c.rwc"));
    blob += '\0';  // one trailing byte
    write_text(dir.file("long.rwc"), blob);
    const auto result = run_cli({"inspect", dir.file("long.rwc")});
    CHECK(result.exit_code == 1);
    // blob_size (offset 16) no longer matches the input size.
    CHECK_THAT(result.err, Catch::StartsWith(ringward::test::diagnostic_head_at_offset(
                               dir.file("long.rwc"), 0x10, "error[RW0107]")));
}

TEST_CASE("the v2 example validates, compiles, and inspect shows what v2 adds") {
    TempDir dir;
    const std::string example = source_path("examples/content/sysmon-v2.txtpb");
    const auto compiled =
        run_cli({"compile", "--registry", kRegistry, "--manifests",
                 source_path("examples/manifests-sysmon"), example, "-o", dir.file("v2.rwc")});
    INFO(compiled.err);
    REQUIRE(compiled.exit_code == 0);
    CHECK_THAT(compiled.err, Catch::Contains("4 instances") && Catch::Contains("validated"));
    const auto shown = run_cli({"inspect", "--registry", kRegistry, example});
    INFO(shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("format version   2"));
    CHECK_THAT(shown.out, Catch::Contains("instance 10  template type 1 v3  rule 1  (23 fields, "
                                          "5 criteria, 1 exclusions, @0x50, line 19)"));
    CHECK_THAT(shown.out, Catch::Contains("not contains (case-insensitive) \"\\\\admin\\\\scripts"
                                          "\\\\\""));
    CHECK_THAT(shown.out, Catch::Contains("  exclusion 1 (does not match when all of these "
                                          "hold):\n"));
    CHECK_THAT(shown.out, Catch::Contains("eq (case-insensitive) field parent_image_path"));
    CHECK_THAT(shown.out, Catch::Contains("ne field parent_command_line"));
    CHECK_THAT(shown.out, Catch::Contains("suffix (case-insensitive) any of {\"\\\\excel.exe\", "
                                          "\"\\\\powerpnt.exe\", \"\\\\winword.exe\"}"));
    CHECK_THAT(shown.out, Catch::Contains("ne 4"));
    const auto json = run_cli({"inspect", "--format", "json", dir.file("v2.rwc")});
    REQUIRE(json.exit_code == 0);
    const auto document = parse_json(json.out);
    const auto& instances = document.fields().at("instances").list_value().values();
    REQUIRE(instances.size() == 4);
    const auto& first = instances[0].struct_value().fields();
    CHECK(first.at("rule_id").number_value() == 1);
    CHECK(first.at("field_count").number_value() == 23);
    CHECK(first.at("exclusion_count").number_value() == 1);
    const auto& criteria = first.at("criteria").list_value().values();
    REQUIRE(criteria.size() == 5);
    // Group 0 in field order (image_path 0, command_line 1), then the exclusion.
    CHECK(criteria[0].struct_value().fields().at("field").string_value() == "image_path");
    CHECK(criteria[0].struct_value().fields().at("value_count").number_value() == 2);
    CHECK(criteria[2].struct_value().fields().at("negated").bool_value());
    CHECK(criteria[3].struct_value().fields().at("group").number_value() == 1);
    const auto& last = instances[3].struct_value().fields();
    const auto& ref = last.at("criteria").list_value().values()[0].struct_value().fields();
    CHECK(ref.at("field_ref").struct_value().fields().at("field").string_value() ==
          "parent_image_path");
    CHECK(ref.at("field_ref").struct_value().fields().at("field_index").number_value() == 2);
}

TEST_CASE("compile refuses what v2 cannot hold at its line and column") {
    TempDir dir;
    write_text(
        dir.file("v2.txtpb"),
        "channel: 7\n"
        "content_version: 3\n"
        "sensor_range { min: \"7.11.0\" max: \"7.13.0\" }\n"
        "rules { id: 4 }\n"
        "instances {\n"
        "  id: 1\n"
        "  rule: 4\n"
        "  template_type { id: 1 version: 1 }\n"
        "  exclusions {\n"
        "    criteria { field: \"image_path\" op: OP_GLOB values { field: \"user_name\" } }\n"
        "  }\n"
        "}\n"
        "instances { id: 2 rule: 5 template_type { id: 1 version: 1 } }\n");
    const auto result = run_cli(
        {"compile", "--registry", kRegistry, dir.file("v2.txtpb"), "-o", dir.file("v2.rwc")});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err,
               Catch::StartsWith(diagnostic_head(dir.file("v2.txtpb"), 10, 48, "error[RW0221]")));
    CHECK_THAT(result.err,
               Catch::Contains(diagnostic_head(dir.file("v2.txtpb"), 13, 1, "error[RW0227]")));
    CHECK_FALSE(std::filesystem::exists(dir.file("v2.rwc")));
}
