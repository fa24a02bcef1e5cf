// ringward test and ringward sign --tests, as a pipeline runs them: exit
// codes, compiler-style failures, JSON and SARIF reports.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "support/run.hpp"

using namespace ringward::test;

namespace {

const std::string kContent = source_path("examples/content/detections.txtpb");
const std::string kCases = source_path("examples/content/tests/detections.txtpb");

std::vector<std::string> test_args(std::vector<std::string> extra) {
    std::vector<std::string> args = {"test",        kContent,
                                     "--registry",  source_path("examples/registry.txtpb"),
                                     "--manifests", source_path("examples/manifests")};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// The example cases with one expectation turned around.
std::string failing_cases(const TempDir& dir) {
    std::string text = read_text(kCases);
    const std::string from = "  fires { instance: 1007 }";
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), "  fires { instance: 1009 }");
    const std::string path = dir.file("failing.txtpb");
    write_text(path, text);
    return path;
}

}  // namespace

TEST_CASE("ringward test passes the example cases and prints the summary") {
    const auto result = run_cli(test_args({kCases}));
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("cases on 2 builds") != std::string::npos);
}

TEST_CASE("ringward test fails a wrong case with its file:line:col, exit 1") {
    TempDir dir;
    const std::string cases = failing_cases(dir);
    const auto result = run_cli(test_args({cases}));
    CHECK(result.exit_code == 1);
    INFO(result.err);
    CHECK(result.err.find(cases + ":") != std::string::npos);
    CHECK(result.err.find("error[RW1000]: case 'vssadmin deletes shadow copies': instance 1009 "
                          "must fire on the event, and on sensor build 7.12.18300 it does not") !=
          std::string::npos);
    CHECK(result.err.find("fired: instances 1007") != std::string::npos);
}

TEST_CASE("ringward test writes JSON and SARIF with the report writers") {
    TempDir dir;
    const std::string cases = failing_cases(dir);
    const auto json = run_cli(test_args({cases, "--format", "json"}));
    CHECK(json.exit_code == 1);
    CHECK(json.out.find("\"code\": \"RW1000\"") != std::string::npos);
    CHECK(json.out.find("\"result\": \"rejected\"") != std::string::npos);
    const std::string sarif_path = dir.file("out.sarif");
    const auto sarif = run_cli(test_args({cases, "--format", "sarif", "-o", sarif_path}));
    CHECK(sarif.exit_code == 1);
    CHECK(read_text(sarif_path).find("\"ruleId\": \"RW1000\"") != std::string::npos);
}

TEST_CASE("ringward test --coverage lists untested rules; --require-coverage fails on them") {
    const auto coverage = run_cli(test_args({kCases, "--coverage"}));
    CHECK(coverage.exit_code == 0);
    CHECK(coverage.err.find("warning[RW1010]") != std::string::npos);
    CHECK(coverage.err.find("rules with a positive case") != std::string::npos);
    const auto required = run_cli(test_args({kCases, "--require-coverage"}));
    CHECK(required.exit_code == 1);
    CHECK(required.err.find("error[RW1010]") != std::string::npos);
}

TEST_CASE("ringward test: a missing cases file is exit 2") {
    const auto result = run_cli(test_args({"/nonexistent/cases.txtpb"}));
    CHECK(result.exit_code == 2);
}

TEST_CASE("ringward sign --tests refuses content whose tests fail, before asking for a key") {
    TempDir dir;
    const auto keygen = run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"});
    REQUIRE(keygen.exit_code == 0);
    const std::vector<std::string> sign = {"sign",
                                           "--key",
                                           dir.file("k.key"),
                                           "--registry",
                                           source_path("examples/registry.txtpb"),
                                           "--manifests",
                                           source_path("examples/manifests"),
                                           "--sequence",
                                           "1"};
    auto failing = sign;
    failing.insert(failing.end(),
                   {"--tests", failing_cases(dir), kContent, "-o", dir.file("bad.rws")});
    const auto refused = run_cli(failing);
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("not signed: its tests fail") != std::string::npos);
    CHECK_FALSE(std::ifstream(dir.file("bad.rws")).good());
    auto passing = sign;
    passing.insert(passing.end(), {"--tests", kCases, kContent, "-o", dir.file("good.rws")});
    const auto signed_ok = run_cli(passing);
    INFO(signed_ok.err);
    CHECK(signed_ok.exit_code == 0);
    CHECK(std::ifstream(dir.file("good.rws")).good());
}
