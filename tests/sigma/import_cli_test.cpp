// ringward import sigma as scripts see it: exit codes, the per-rule JSON
// status, compiler-style findings, and an output written whole or not at all.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/text_format.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "ringward/v1/content.pb.h"
#include "support/json.hpp"
#include "support/run.hpp"

using ringward::test::parse_json;
using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const char* const kGoodRule =
    "title: Good\n"
    "logsource:\n"
    "    product: windows\n"
    "    category: process_creation\n"
    "detection:\n"
    "    selection:\n"
    "        Image|endswith: '\\x.exe'\n"
    "    condition: selection\n";

const char* const kUnmappedRule =
    "title: Unmapped\n"
    "logsource:\n"
    "    product: windows\n"
    "    category: process_creation\n"
    "detection:\n"
    "    selection:\n"
    "        Provider_Name: 'x'\n"
    "    condition: selection\n";

std::string mapping() {
    return source_path("examples/sigma/mapping.txtpb");
}

}  // namespace

TEST_CASE("import sigma imports a folder of rules and exits 0") {
    const TempDir dir;
    const std::string out = dir.file("out.txtpb");
    const auto result =
        run_cli({"import", "sigma", "--mapping", mapping(), source_path("examples/sigma/rules"),
                 "-o", out, "--channel", "9", "--content-version", "4"});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("imported 7 of 7 rule(s)") != std::string::npos);
    ringward::v1::ContentFile content;
    REQUIRE(google::protobuf::TextFormat::ParseFromString(read_text(out), &content));
    CHECK(content.rules_size() == 7);
    CHECK(content.channel() == 9);
    CHECK(content.content_version() == 4);
}

TEST_CASE("import sigma writes the imported rules, reports the refused ones, and exits 1") {
    const TempDir dir;
    write_text(dir.file("a_good.yml"), kGoodRule);
    write_text(dir.file("b_unmapped.yml"), kUnmappedRule);
    const std::string out = dir.file("out.txtpb");
    const auto text = run_cli({"import", "sigma", "--mapping", mapping(), dir.file("a_good.yml"),
                               dir.file("b_unmapped.yml"), "-o", out});
    CHECK(text.exit_code == 1);
    // Compiler-style, with the rule's line and its caret.
    CHECK(text.err.find(dir.file("b_unmapped.yml") + ":7:9: error[RW0903]") != std::string::npos);
    CHECK(text.err.find("        Provider_Name: 'x'") != std::string::npos);
    ringward::v1::ContentFile content;
    REQUIRE(google::protobuf::TextFormat::ParseFromString(read_text(out), &content));
    CHECK(content.rules_size() == 1);
    CHECK(content.rules(0).name() == "Good");

    const auto json = run_cli({"import", "sigma", "--mapping", mapping(), "--format", "json",
                               dir.file("a_good.yml"), dir.file("b_unmapped.yml"), "-o", out});
    CHECK(json.exit_code == 1);
    const auto document = parse_json(json.out);
    const auto& rules = document.fields().at("rules").list_value().values();
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].struct_value().fields().at("status").string_value() == "imported");
    CHECK(rules[0].struct_value().fields().at("instances").number_value() == 1);
    const auto& refused = rules[1].struct_value().fields();
    CHECK(refused.at("status").string_value() == "refused");
    const auto& finding = refused.at("findings").list_value().values(0).struct_value().fields();
    CHECK(finding.at("code").string_value() == "RW0903");
    CHECK(finding.at("name").string_value() == "sigma-field-unmapped");
    CHECK(finding.at("line").number_value() == 7);
    CHECK(finding.at("column").number_value() == 9);
    const auto& summary = document.fields().at("summary").struct_value().fields();
    CHECK(summary.at("imported").number_value() == 1);
    CHECK(summary.at("refused").number_value() == 1);
    CHECK(summary.at("refused_by_code").struct_value().fields().at("RW0903").number_value() == 1);
}

TEST_CASE("import sigma: usage and I/O errors exit 2 and leave the output alone") {
    const TempDir dir;
    write_text(dir.file("r.yml"), kGoodRule);
    const std::string out = dir.file("out.txtpb");
    write_text(out, "previous\n");
    const auto no_mapping = run_cli(
        {"import", "sigma", "--mapping", dir.file("missing.txtpb"), dir.file("r.yml"), "-o", out});
    CHECK(no_mapping.exit_code == 2);
    CHECK(no_mapping.err.find("RW0001") != std::string::npos);
    const auto unreadable =
        run_cli({"import", "sigma", "--mapping", mapping(), dir.file("nope.yml"), "-o", out});
    CHECK(unreadable.exit_code == 2);
    CHECK(unreadable.err.find("RW0001") != std::string::npos);
    const auto unwritable = run_cli({"import", "sigma", "--mapping", mapping(), dir.file("r.yml"),
                                     "-o", dir.file("no/such/dir/out.txtpb")});
    CHECK(unwritable.exit_code == 2);
    CHECK(unwritable.err.find("RW0007") != std::string::npos);
    CHECK(run_cli({"import", "sigma", dir.file("r.yml"), "-o", out}).exit_code == 2);
    CHECK(read_text(out) == "previous\n");
}

TEST_CASE("import and import sigma answer --help and --version") {
    const auto help = run_cli({"import", "sigma", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--mapping") != std::string::npos);
    CHECK(help.out.find("nothing is approximated") != std::string::npos);
    CHECK(run_cli({"import", "--help"}).out.find("sigma") != std::string::npos);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"import", "--version"}, {"import", "sigma", "--version"}}) {
        const auto version = run_cli(args);
        CHECK(version.exit_code == 0);
        CHECK(version.out.rfind("ringward 0.", 0) == 0);
    }
    // import alone is a usage error: it needs its format.
    CHECK(run_cli({"import"}).exit_code == 2);
}
