// import sigma refuses what it cannot convert exactly: one rule per refusal
// code, with the exact code, line and column; every RW09xx code has a case.
#include <catch2/catch.hpp>

#include <set>

#include "sigma/refusal_cases.hpp"

using namespace ringward;
using ringward::test::import_one;
using ringward::test::process_rule;
using ringward::test::Refusal;
using ringward::test::refusals;

TEST_CASE("each refusal has its code, line and column, and the rule is left out") {
    for (const Refusal& refusal : refusals()) {
        INFO(refusal.what);
        const ringward::test::Imported imported = import_one(refusal.yaml, refusal.options);
        CHECK_FALSE(imported.status.imported);
        CHECK(imported.content.rules_size() == 0);
        CHECK(imported.content.instances_size() == 0);
        REQUIRE_FALSE(imported.status.findings.empty());
        const Diagnostic& first = imported.status.findings[0];
        INFO(first.message);
        CHECK(code_id(first.code) == code_id(refusal.code));
        CHECK(first.location.file == "rule.yml");
        CHECK(first.location.line == refusal.line);
        CHECK(first.location.column == refusal.column);
        CHECK(first.severity == Severity::error);
    }
}

TEST_CASE("every sigma code has a refusal case") {
    std::set<Code> covered;
    for (const Refusal& refusal : refusals()) {
        covered.insert(refusal.code);
    }
    // RW0912 is the mapping file's own: mapping_test.cpp has its cases.
    covered.insert(Code::sigma_mapping_invalid);
    for (const CodeInfo& info : all_codes()) {
        const auto number = static_cast<uint16_t>(info.code);
        if (number >= 900 && number <= 999) {
            INFO(code_id(info.code));
            CHECK(covered.count(info.code) == 1);
        }
    }
}

TEST_CASE("every finding of a rule is reported, not only the first") {
    const ringward::test::Imported imported =
        import_one(process_rule("    a:\n        Nope: 'x'\n    b:\n        Image|bogus: 'y'\n"
                                "    condition: a or b\n"));
    REQUIRE(imported.status.findings.size() == 2);
    CHECK(imported.status.findings[0].code == Code::sigma_field_unmapped);
    CHECK(imported.status.findings[0].location.line == 8);
    CHECK(imported.status.findings[1].code == Code::sigma_modifier_unsupported);
    CHECK(imported.status.findings[1].location.line == 10);
}
