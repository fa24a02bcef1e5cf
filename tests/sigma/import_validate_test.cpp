// import sigma, then validate: what the importer writes goes through the
// validator against the example registry and the Sysmon sensor build, and
// the limits that hold are the ones on what ships.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ringward/schema.hpp"
#include "ringward/validate.hpp"
#include "sigma/sigma_support.hpp"

using namespace ringward;
using ringward::test::describe;
using ringward::test::import_one;
using ringward::test::process_rule;

namespace {

const ValidationTarget& sysmon_target() {
    static const ValidationTarget target = [] {
        auto registry = load_registry(test::source_path("examples/registry.txtpb"));
        REQUIRE(registry.ok());
        auto manifests = load_manifests({test::source_path("examples/manifests-sysmon")});
        REQUIRE(manifests.ok());
        auto created =
            ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
        REQUIRE(created.ok());
        return std::move(*created.value);
    }();
    return target;
}

// Every code the validator reports on the imported content, in order.
std::vector<std::string> validate_imported(const std::string& content_text) {
    LoadOptions options;
    options.format = InputFormat::text;
    auto source = parse_content(content_text, "imported.txtpb", options);
    REQUIRE(source.ok());
    const Result<ValidatedBlob> result = validate_content(*source.value, sysmon_target());
    std::vector<std::string> codes;
    for (const Diagnostic& d : result.diagnostics) {
        codes.push_back(code_id(d.code));
    }
    return codes;
}

}  // namespace

TEST_CASE("a counted repetition over a class validates: its program is the interpreter's") {
    // Sigma's way to say "a file right under a user folder": one class,
    // counted. RE2 compiles [^\\] to a UTF-8 byte automaton, so its program
    // for this is 2,300-odd instructions; ringward's Pike VM program, the one
    // that ships and that RW0720 bounds at 4,096, is 520-odd.
    const auto imported =
        import_one(process_rule("    selection:\n"
                                "        Image|endswith: '\\tool.exe'\n"
                                "        CommandLine|re: '\\\\Temp\\\\[^\\\\]{1,256}\\.dll$'\n"
                                "    condition: selection\n"));
    REQUIRE(imported.status.imported);
    REQUIRE(imported.content.instances_size() == 1);
    CHECK(describe(imported.content.instances(0).criteria(1)) ==
          "command_line regex \"\\\\Temp\\\\[^\\\\]{1,256}\\.dll$\"");
    std::string text;
    REQUIRE(google::protobuf::TextFormat::PrintToString(imported.content, &text));
    CHECK(validate_imported(text) == std::vector<std::string>{});
}

TEST_CASE("a regex whose program is over the interpreter's limit is refused by validate") {
    // Imported exactly (the importer decides meaning), then refused where the
    // limit is: three classes counted to 1,000 are about 6,000 instructions
    // (and 3,000 class ranges, within RW0723's 4,096).
    const auto imported = import_one(
        process_rule("    selection:\n"
                     "        CommandLine|re: '[0-9]{1,1000}x[0-9]{1,1000}y[0-9]{1,1000}'\n"
                     "    condition: selection\n"));
    REQUIRE(imported.status.imported);
    std::string text;
    REQUIRE(google::protobuf::TextFormat::PrintToString(imported.content, &text));
    CHECK(validate_imported(text) == std::vector<std::string>{"RW0720"});
}
