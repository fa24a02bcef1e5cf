// The interpreter on content as it ships: examples/content/sysmon-v2.txtpb
// (rules, any-of, negation, field references, exclusions) compiled and
// validated against the example registry and build 7.14.18600, loaded with
// that build's own table, and events named by field.
#include <catch2/catch.hpp>

#include <map>

#include "harness/match_reference.hpp"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"
#include "support/run.hpp"

using namespace ringward;
using ringward::test::source_path;

namespace {

struct Sysmon {
    Registry registry;
    std::unique_ptr<fuzz::LoadedContent> content;
    ringward_match_plan plan{};

    Sysmon() {
        auto loaded_registry = load_registry(source_path("examples/registry.txtpb"));
        auto manifests = load_manifests({source_path("examples/manifests-sysmon")});
        REQUIRE(loaded_registry.ok());
        REQUIRE(manifests.ok());
        REQUIRE(manifests.value->size() == 1);
        const SensorManifest manifest = (*manifests.value)[0];
        registry = *loaded_registry.value;
        auto target = ValidationTarget::create(std::move(*loaded_registry.value),
                                               std::move(*manifests.value));
        REQUIRE(target.ok());
        auto source = load_content(source_path("examples/content/sysmon-v2.txtpb"));
        REQUIRE(source.ok());
        auto validated = validate_content(*source.value, *target.value);
        REQUIRE(validated.ok());
        std::vector<fuzz::SensorTemplate> table;
        for (const ringward_template_support& t : to_loader_table(manifest)) {
            table.push_back({t.id, t.version, {t.input_types, t.input_types + t.input_count}});
        }
        content = fuzz::load_blob(validated.value->bytes(), std::move(table));
        REQUIRE(content->status == RINGWARD_OK);
        REQUIRE(ringward_match_prepare(&content->loaded, nullptr, &plan) == 0);
    }

    // A process_start v3 event with the named inputs present and every other
    // one absent.
    fuzz::Event process(const std::map<std::string, std::string>& text,
                        const std::map<std::string, uint64_t>& numbers = {}) const {
        const TemplateType* type = registry.find(1, 3);
        REQUIRE(type != nullptr);
        fuzz::Event e{1, 3, {}};
        for (const FieldSpec& field : type->fields) {
            fuzz::Input in;
            in.type = static_cast<uint8_t>(field.type);
            in.present = text.count(field.name) + numbers.count(field.name) > 0;
            if (auto t = text.find(field.name); t != text.end()) {
                in.bytes = t->second;
            }
            if (auto n = numbers.find(field.name); n != numbers.end()) {
                in.number = n->second;
            }
            e.inputs.push_back(in);
        }
        return e;
    }

    fuzz::Verdict match(const fuzz::Event& e) const {
        const fuzz::Verdict ours = fuzz::run_match(*content, plan, e);
        const fuzz::Verdict theirs =
            fuzz::reference_match(*content, e, plan.limits.max_input_bytes_incl);
        CHECK(fuzz::agrees(ours, theirs, plan.limits.max_rule_hits_incl));
        CHECK(ours.steps <= plan.max_steps);
        // The index changes no verdict.
        const auto indexed = fuzz::index_plan(*content, plan);
        REQUIRE(indexed->status == RINGWARD_MATCH_OK);
        const fuzz::Verdict fast = fuzz::run_match(*content, indexed->plan, e);
        CHECK(fuzz::same_verdict(fast, ours));
        CHECK(fast.steps <= plan.max_steps);
        return ours;
    }
};

const std::string kPowerShell = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe";
const std::string kAgent = "C:\\Program Files\\Agent\\agent.exe";

}  // namespace

TEST_CASE("sysmon-v2: an encoded PowerShell command fires rule 1, unless the agent ran it") {
    const Sysmon s;
    auto e = s.process({{"image_path", kPowerShell},
                        {"command_line", "powershell.exe -NoP -Enc ZQBjAGgAbwA="},
                        {"parent_image_path", "C:\\Windows\\explorer.exe"},
                        {"user_name", "alice"}},
                       {{"pid", 4242}, {"session_id", 1}});
    fuzz::Verdict v = s.match(e);
    CHECK(v.instances == std::vector<uint32_t>{10});
    CHECK(v.rules == std::set<uint32_t>{1});
    // All four instances evaluated, the regex one (11) among them.
    CHECK(v.evaluated == 4);

    // The exclusion needs both its criteria: the agent as parent, as SYSTEM.
    e.inputs[2].bytes = kAgent;
    CHECK(s.match(e).instances == std::vector<uint32_t>{10});
    e.inputs[3].bytes = "nt authority\\system";
    CHECK(s.match(e).instances.empty());

    // The negated contains: a script from the admin folder is not reported.
    e.inputs[3].bytes = "alice";
    e.inputs[1].bytes = "powershell -enc x -File C:\\Admin\\Scripts\\a.ps1";
    CHECK(s.match(e).instances.empty());
}

TEST_CASE("sysmon-v2: a renamed PowerShell fires rule 1 by its regex on the command line") {
    const Sysmon s;
    auto e = s.process({{"image_path", "C:\\Users\\bob\\notepad.exe"},
                        {"original_file_name", "PowerShell.EXE"},
                        {"command_line", "notepad.exe -NoP -Enc ZQBjAGgAbwA="}});
    fuzz::Verdict v = s.match(e);
    CHECK(v.instances == std::vector<uint32_t>{11});
    CHECK(v.rules == std::set<uint32_t>{1});
    // \s-e(nc?|ncodedcommand)?\s, case-insensitive: -e, -en, -enc and
    // -encodedcommand, each followed by white space.
    for (const char* flag : {" -e ", "\t-EN\t", " -EncodedCommand "}) {
        e.inputs[1].bytes = std::string("notepad.exe") + flag + "AAAA";
        INFO(flag);
        CHECK(s.match(e).instances == std::vector<uint32_t>{11});
    }
    for (const char* flag : {" -encoded ", " -enc", "-enc "}) {
        e.inputs[1].bytes = std::string("notepad.exe") + flag;
        INFO(flag);
        CHECK(s.match(e).instances.empty());
    }
    // The command line absent: the regex's base result is false.
    e.inputs[1].present = false;
    CHECK(s.match(e).instances.empty());
}

TEST_CASE("sysmon-v2: Office starting a shell fires rule 2, with its two exclusions") {
    const Sysmon s;
    auto e = s.process({{"image_path", "C:\\Windows\\System32\\cmd.exe"},
                        {"command_line", "cmd.exe /c whoami"},
                        {"parent_image_path", "C:\\Program Files\\Microsoft Office\\WINWORD.EXE"}},
                       {{"pid", 1234}, {"session_id", 1}});
    CHECK(s.match(e).rules == std::set<uint32_t>{2});
    e.inputs[1].bytes = "C:\\Tools\\SignTool.exe verify /pa macro.docm";
    CHECK(s.match(e).rules.empty());  // the glob exclusion
    e.inputs[1].bytes = "cmd.exe /c whoami";
    e.inputs[6].number = 0;           // session_id
    CHECK(s.match(e).rules.empty());  // session 0
    e.inputs[6].present = false;
    CHECK(s.match(e).rules == std::set<uint32_t>{2});  // absent: session_id == 0 fails
    e.inputs[4].number = 4;                            // pid: "pid != 4" is negated eq
    CHECK(s.match(e).rules.empty());
    e.inputs[4].present = false;  // absent: the negated eq holds
    CHECK(s.match(e).rules == std::set<uint32_t>{2});
}

TEST_CASE("sysmon-v2: a process running its parent's image fires rule 3 (field references)") {
    const Sysmon s;
    auto e = s.process({{"image_path", "C:\\Users\\bob\\AppData\\svchost.exe"},
                        {"parent_image_path", "c:\\users\\BOB\\appdata\\SVCHOST.EXE"},
                        {"command_line", "svchost.exe -k x"},
                        {"parent_command_line", "svchost.exe"}});
    CHECK(s.match(e).rules == std::set<uint32_t>{3});
    // The same command line as the parent's: "command_line != parent's" fails.
    e.inputs[1].bytes = "svchost.exe";
    CHECK(s.match(e).rules.empty());
    // The parent's command line absent: the reference's base result is
    // false, so the negated eq holds.
    e.inputs[13].present = false;
    CHECK(s.match(e).rules == std::set<uint32_t>{3});
    // From the Windows folder: the negated prefix fails.
    e.inputs[0].bytes = "C:\\Windows\\svchost.exe";
    e.inputs[2].bytes = "C:\\Windows\\svchost.exe";
    CHECK(s.match(e).rules.empty());
}

TEST_CASE("sysmon-v2: the plan's figures") {
    const Sysmon s;
    CHECK(s.plan.regex_criteria == 1);
    CHECK(s.plan.max_steps > 0);
    // Every instance of the content is of process_start v3, which the build
    // supplies in full.
    CHECK(s.content->loaded.skipped_count == 0);
}
