// import sigma: one rule per construct, converted to exactly the instances
// docs/sigma.md says, on rules written here in Sigma's format.
#include <catch2/catch.hpp>

#include "sigma/sigma_support.hpp"

using namespace ringward;
using ringward::test::converted;
using ringward::test::describe;
using ringward::test::import_one;
using ringward::test::process_rule;

TEST_CASE("a map is an AND, a list of maps an OR, a list of values one any-of criterion") {
    CHECK(converted("    selection:\n"
                    "        Image|endswith: '\\cmd.exe'\n"
                    "        CommandLine|contains:\n"
                    "            - ' /c '\n"
                    "            - ' /k '\n"
                    "    condition: selection\n") ==
          "image_path suffix/i \"\\cmd.exe\" & command_line contains/i \" /c \"|\" /k \"\n");
    CHECK(converted("    selection:\n"
                    "        - Image|endswith: '\\a.exe'\n"
                    "        - OriginalFileName: 'a.exe'\n"
                    "    condition: selection\n") ==
          "image_path suffix/i \"\\a.exe\"\n"
          "original_file_name eq/i \"a.exe\"\n");
}

TEST_CASE("and, or, not and parentheses become instances and exclusions") {
    const std::string sel =
        "    a:\n        Image: 'a'\n"
        "    b:\n        Image: 'b'\n"
        "    c:\n        CommandLine: 'c'\n"
        "    d:\n        User: 'd'\n";
    CHECK(converted(sel + "    condition: (a or b) and c\n") ==
          "image_path eq/i \"a\" & command_line eq/i \"c\"\n"
          "image_path eq/i \"b\" & command_line eq/i \"c\"\n");
    // A negated AND is one exclusion.
    CHECK(converted(sel + "    condition: a and not (c and d)\n") ==
          "image_path eq/i \"a\" & not(command_line eq/i \"c\" & user_name eq/i \"d\")\n");
    // A negated OR of n terms is n exclusions.
    CHECK(converted(sel + "    condition: a and not (c or d)\n") ==
          "image_path eq/i \"a\" & not(command_line eq/i \"c\") & not(user_name eq/i \"d\")\n");
    // Negating a term that has exclusions: not (c and not d) = not c or d.
    CHECK(converted(sel + "    condition: a and not (c and not d)\n") ==
          "image_path eq/i \"a\" & !command_line eq/i \"c\"\n"
          "image_path eq/i \"a\" & user_name eq/i \"d\"\n");
    CHECK(converted(sel + "    condition: not not a\n") == "image_path eq/i \"a\"\n");
    // not alone: an instance with no criteria, and the exclusion.
    CHECK(converted(sel + "    condition: not a\n") == "not(image_path eq/i \"a\")\n");
    // and binds tighter than or.
    CHECK(converted(sel + "    condition: a or b and c\n") ==
          "image_path eq/i \"a\"\n"
          "image_path eq/i \"b\" & command_line eq/i \"c\"\n");
}

TEST_CASE("1 of and all of take name patterns and them, without _ identifiers") {
    const std::string sel =
        "    selection_a:\n        Image: 'a'\n"
        "    selection_b:\n        CommandLine: 'b'\n"
        "    filter_x:\n        User: 'x'\n"
        "    _helper:\n        Product: 'p'\n";
    CHECK(converted(sel + "    condition: all of selection_* and not 1 of filter_*\n") ==
          "image_path eq/i \"a\" & command_line eq/i \"b\" & not(user_name eq/i \"x\")\n");
    CHECK(converted(sel + "    condition: 1 of selection_*\n") ==
          "image_path eq/i \"a\"\ncommand_line eq/i \"b\"\n");
    CHECK(converted(sel + "    condition: 1 of them\n") ==
          "image_path eq/i \"a\"\ncommand_line eq/i \"b\"\nuser_name eq/i \"x\"\n");
    CHECK(converted(sel + "    condition: all of them\n") ==
          "image_path eq/i \"a\" & command_line eq/i \"b\" & user_name eq/i \"x\"\n");
    // A list of conditions is their OR.
    CHECK(converted(sel + "    condition:\n        - selection_a\n        - filter_x\n") ==
          "image_path eq/i \"a\"\nuser_name eq/i \"x\"\n");
}

TEST_CASE("wildcards become prefix, suffix, contains or eq where exact, glob otherwise") {
    const auto one = [](const std::string& value) {
        return converted("    selection:\n        CommandLine: '" + value +
                         "'\n    condition: selection\n");
    };
    CHECK(one("abc") == "command_line eq/i \"abc\"\n");
    CHECK(one("abc*") == "command_line prefix/i \"abc\"\n");
    CHECK(one("*abc") == "command_line suffix/i \"abc\"\n");
    CHECK(one("*abc*") == "command_line contains/i \"abc\"\n");
    CHECK(one("**abc***") == "command_line contains/i \"abc\"\n");
    CHECK(one("a*c") == "command_line glob/i \"a*c\"\n");
    CHECK(one("a?c") == "command_line glob/i \"a?c\"\n");
    CHECK(one("*") == "command_line exists\n");
    CHECK(one("") == "command_line eq/i \"\"\n");
    // Escapes: \* and \? are literal, \\ is one backslash, \x stays \x.
    CHECK(one("a\\*c") == "command_line eq/i \"a*c\"\n");
    CHECK(one("a\\?c*") == "command_line prefix/i \"a?c\"\n");
    CHECK(one("C:\\\\Windows\\System32") == "command_line eq/i \"C:\\Windows\\System32\"\n");
    // In a glob the literal specials are escaped.
    CHECK(one("*[x]\\*?*") == "command_line glob/i \"*\\[x]\\*?*\"\n");
    // Values whose operators differ are one glob any-of.
    CHECK(converted("    selection:\n        Image:\n            - '*\\a.exe'\n"
                    "            - 'C:\\b*'\n    condition: selection\n") ==
          "image_path glob/i \"*\\\\a.exe\"|\"C:\\\\b*\"\n");
    // Several exact values are a set.
    CHECK(converted("    selection:\n        Image:\n            - 'a'\n            - 'B'\n"
                    "            - 'b'\n    condition: selection\n") ==
          "image_path in/i \"a\"|\"B\"\n");
}

TEST_CASE("contains, startswith, endswith and all") {
    CHECK(converted("    selection:\n        CommandLine|startswith: 'a'\n"
                    "    condition: selection\n") == "command_line prefix/i \"a\"\n");
    CHECK(converted("    selection:\n        CommandLine|endswith: 'a'\n"
                    "    condition: selection\n") == "command_line suffix/i \"a\"\n");
    CHECK(converted("    selection:\n        CommandLine|contains: 'a*b'\n"
                    "    condition: selection\n") == "command_line glob/i \"*a*b*\"\n");
    CHECK(converted("    selection:\n        CommandLine|contains|all:\n"
                    "            - 'a'\n            - 'b'\n    condition: selection\n") ==
          "command_line contains/i \"a\" & command_line contains/i \"b\"\n");
}

TEST_CASE("cased makes a match case-sensitive; regex is case-sensitive unless i") {
    CHECK(converted("    selection:\n        CommandLine|contains|cased: 'A'\n"
                    "    condition: selection\n") == "command_line contains \"A\"\n");
    CHECK(converted("    selection:\n        CommandLine|re: '^a.*b$'\n"
                    "    condition: selection\n") == "command_line regex \"^a.*b$\"\n");
    CHECK(converted("    selection:\n        CommandLine|re|i: 'ab'\n"
                    "    condition: selection\n") == "command_line regex/i \"ab\"\n");
    CHECK(converted("    selection:\n        CommandLine|re|m|s: 'a.b'\n"
                    "    condition: selection\n") == "command_line regex \"(?ms)a.b\"\n");
    CHECK(converted("    selection:\n        CommandLine|re:\n            - 'a'\n"
                    "            - 'b'\n    condition: selection\n") ==
          "command_line regex \"a\"|\"b\"\n");
}

TEST_CASE("windash writes each leading dash as -, /, en dash, em dash and horizontal bar") {
    CHECK(converted("    selection:\n        CommandLine|windash|contains: ' -f'\n"
                    "    condition: selection\n") ==
          "command_line contains/i \" -f\"|\" /f\"|\" \u2013f\"|\" \u2014f\"|\" \u2015f\"\n");
    // A dash inside a word is left alone.
    CHECK(converted("    selection:\n        CommandLine|windash: 'a-b'\n"
                    "    condition: selection\n") == "command_line eq/i \"a-b\"\n");
}

TEST_CASE("base64, base64offset and the UTF-16 encodings") {
    CHECK(converted("    selection:\n        CommandLine|base64: 'ab'\n"
                    "    condition: selection\n") == "command_line eq/i \"YWI=\"\n");
    // The well-known three of http:// (Sigma's own rules use them).
    CHECK(converted("    selection:\n        CommandLine|base64offset|contains: 'http://'\n"
                    "    condition: selection\n") ==
          "command_line contains/i \"aHR0cDovL\"|\"h0dHA6Ly\"|\"odHRwOi8v\"\n");
    CHECK(converted("    selection:\n        CommandLine|wide|base64: 'ping'\n"
                    "    condition: selection\n") == "command_line eq/i \"cABpAG4AZwA=\"\n");
    CHECK(converted("    selection:\n        CommandLine|utf16le|base64: 'ping'\n"
                    "    condition: selection\n") == "command_line eq/i \"cABpAG4AZwA=\"\n");
    CHECK(converted("    selection:\n        CommandLine|utf16be|base64: 'ping'\n"
                    "    condition: selection\n") == "command_line eq/i \"AHAAaQBuAGc=\"\n");
    CHECK(converted("    selection:\n        CommandLine|utf16|base64: 'ping'\n"
                    "    condition: selection\n") == "command_line eq/i \"//5wAGkAbgBnAA==\"\n");
    CHECK(converted("    selection:\n        CommandLine|wide|base64offset|contains: 'ping'\n"
                    "    condition: selection\n") ==
          "command_line contains/i \"cABpAG4AZw\"|\"AAaQBuAGcA\"|\"wAGkAbgBnA\"\n");
}

TEST_CASE("null is an absent field; exists tests presence") {
    CHECK(converted("    selection:\n        ParentCommandLine: null\n"
                    "    condition: selection\n") == "!parent_command_line exists\n");
    CHECK(converted("    selection:\n        ParentCommandLine:\n            - null\n"
                    "            - ''\n    condition: selection\n") ==
          "!parent_command_line exists\nparent_command_line eq/i \"\"\n");
    CHECK(converted("    selection:\n        ParentCommandLine|exists: true\n"
                    "    condition: selection\n") == "parent_command_line exists\n");
    CHECK(converted("    selection:\n        ParentCommandLine|exists: false\n"
                    "    condition: selection\n") == "!parent_command_line exists\n");
}

TEST_CASE("fieldref compares with another field of the same event") {
    CHECK(converted("    selection:\n        ParentImage|fieldref: Image\n"
                    "    condition: selection\n") == "parent_image_path eq/i @image_path\n");
    CHECK(converted("    selection:\n        CommandLine|fieldref|endswith: Image\n"
                    "    condition: selection\n") == "command_line suffix/i @image_path\n");
}

TEST_CASE("numbers, comparisons, booleans and networks on typed fields") {
    CHECK(converted("    selection:\n        ProcessId|gt: 4\n        ParentProcessId|lte: 10\n"
                    "        TerminalSessionId|gte: '1'\n    condition: selection\n") ==
          "pid gt 4 & parent_pid le 10 & session_id ge 1\n");
    CHECK(converted("    selection:\n        ProcessId|lt: 100\n    condition: selection\n") ==
          "pid lt 100\n");
    CHECK(converted("    selection:\n        ProcessId:\n            - 4\n            - '8'\n"
                    "    condition: selection\n") == "pid in 4|8\n");
    const auto network = [](const std::string& detection) {
        ringward::test::Imported imported = import_one(
            "title: n\nlogsource:\n    product: windows\n    category: network_connection\n"
            "detection:\n" +
            detection);
        REQUIRE(imported.status.imported);
        return describe(imported.content);
    };
    CHECK(network("    selection:\n        Initiated: 'true'\n        DestinationPort: 443\n"
                  "        DestinationIp|cidr:\n            - '10.0.0.0/8'\n"
                  "            - '192.168.0.0/16'\n    condition: selection\n") ==
          "initiated eq true & destination_port eq 443 & destination_ip in "
          "10.0.0.0/8|192.168.0.0/16\n");
    CHECK(network("    selection:\n        DestinationIp|cidr: '10.0.0.0/8'\n"
                  "        SourceIp: '192.168.*'\n        SourceIsIpv6: false\n"
                  "    condition: selection\n") ==
          "destination_ip cidr_contains 10.0.0.0/8 & source_ip cidr_contains 192.168.0.0/16 & "
          "source_is_ipv6 eq false\n");
    CHECK(network("    selection:\n        DestinationIp:\n            - '10.1.2.3'\n"
                  "            - '127.*'\n    condition: selection\n") ==
          "destination_ip in 10.1.2.3|127.0.0.0/8\n");
}

TEST_CASE("rules and instances are numbered in input order, named by title or file stem") {
    const std::string rule_a = process_rule("    s:\n        Image: 'a'\n    condition: s\n");
    const std::string rule_b =
        "logsource:\n    product: windows\n    category: process_creation\n"
        "detection:\n    s:\n        - Image: 'b'\n        - User: 'c'\n    condition: s\n";
    const std::string refused = process_rule("    s:\n        Nope: 'a'\n    condition: s\n");
    const sigma::RuleSource sources[] = {
        {"a.yml", rule_a}, {"x.yml", refused}, {"dir/proc_b.yml", rule_b}};
    const sigma::ImportResult first =
        sigma::import_rules(ringward::test::example_mapping(), sources);
    const sigma::ImportResult second =
        sigma::import_rules(ringward::test::example_mapping(), sources);
    CHECK(first.content_text == second.content_text);
    REQUIRE(first.rules.size() == 3);
    CHECK(first.imported_count() == 2);
    CHECK(first.rules[0].rule_id == 1);
    CHECK_FALSE(first.rules[1].imported);
    CHECK(first.rules[2].rule_id == 2);
    CHECK(first.rules[2].instances == 2);
    v1::ContentFile content;
    REQUIRE(google::protobuf::TextFormat::ParseFromString(first.content_text, &content));
    REQUIRE(content.rules_size() == 2);
    CHECK(content.rules(0).name() == "Test rule");
    CHECK(content.rules(0).origin() == "sigma 00000000-0000-4000-8000-000000000001 a.yml");
    CHECK(content.rules(1).name() == "proc_b");
    CHECK(content.rules(1).origin() == "sigma dir/proc_b.yml");
    REQUIRE(content.instances_size() == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(content.instances(i).id() == static_cast<uint32_t>(i + 1));
        CHECK(content.instances(i).template_type().id() == 1);
        CHECK(content.instances(i).template_type().version() == 3);
    }
    CHECK(content.instances(0).rule() == 1);
    CHECK(content.instances(2).rule() == 2);
    CHECK(content.channel() == 1);
    CHECK(content.sensor_range().min() == "7.14.0");
}

TEST_CASE("the example rules all import exactly") {
    std::vector<sigma::RuleSource> sources;
    std::vector<Diagnostic> errors;
    const std::string folder = ringward::test::source_path("examples/sigma/rules");
    for (const std::string& file : sigma::collect_rule_files(std::span(&folder, 1), errors)) {
        sources.push_back({file, ringward::test::read_text(file)});
    }
    CHECK(errors.empty());
    REQUIRE(sources.size() == 7);
    const sigma::ImportResult result =
        sigma::import_rules(ringward::test::example_mapping(), sources);
    for (const sigma::RuleStatus& status : result.rules) {
        INFO(status.file);
        for (const Diagnostic& d : status.findings) {
            UNSCOPED_INFO(code_id(d.code) << " " << d.message);
        }
        CHECK(status.imported);
    }
    // The PowerShell rule: (2 image tests) x (the flag, or the cradle without
    // the agent): four instances, the last two with the agent's exclusion.
    const sigma::RuleStatus& powershell = result.rules[4];
    CHECK(powershell.file.find("proc_creation_encoded_powershell.yml") != std::string::npos);
    CHECK(powershell.instances == 4);
    v1::ContentFile content;
    REQUIRE(google::protobuf::TextFormat::ParseFromString(result.content_text, &content));
    std::vector<const v1::TemplateInstance*> instances;
    for (const v1::TemplateInstance& instance : content.instances()) {
        if (instance.rule() == powershell.rule_id) {
            instances.push_back(&instance);
        }
    }
    REQUIRE(instances.size() == 4);
    CHECK(instances[0]->exclusions_size() == 0);
    CHECK(instances[1]->criteria(1).values_size() == 15);  // 3 flags x 5 dashes
    REQUIRE(instances[3]->exclusions_size() == 1);
    CHECK(ringward::test::describe(instances[3]->exclusions(0).criteria(1)) ==
          "!parent_command_line exists");
    CHECK(
        ringward::test::describe(instances[3]->criteria(1)) ==
        "command_line contains/i \"RABvAHcAbgBsAG8AYQBkAFMAdAByAGkAbgBnACgA\"|"
        "\"QAbwB3AG4AbABvAGEAZABTAHQAcgBpAG4AZwAoA\"|\"EAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKA\"");
}

TEST_CASE("case-insensitive values may hold caseless characters outside ASCII") {
    // Dashes, emoji with a variation selector and a skin tone, CJK: no case,
    // so ASCII folding is exact.
    CHECK(converted("    selection:\n        CommandLine|contains:\n"
                    "            - '\u2014x'\n            - '\u2618\ufe0f'\n"
                    "            - '\U0001F937\U0001F3FC'\n            - '\u4e2d'\n"
                    "    condition: selection\n") ==
          "command_line contains/i \"\u2014x\"|\"\u2618\ufe0f\"|\"\U0001F937\U0001F3FC\"|"
          "\"\u4e2d\"\n");
    // Letters with case are refused (RW0910, refusal_test.cpp), Greek too.
    const auto greek = import_one(
        process_rule("    selection:\n        CommandLine: '\u03a3'\n    condition: selection\n"));
    REQUIRE(greek.status.findings.size() == 1);
    CHECK(greek.status.findings[0].code == Code::sigma_case_fold_inexact);
    // With |cased they import as written.
    CHECK(converted("    selection:\n        CommandLine|cased: '\u03a3'\n"
                    "    condition: selection\n") == "command_line eq \"\u03a3\"\n");
}
