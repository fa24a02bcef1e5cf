// docs/diagnostics.md lists every code exactly as codes.def defines it.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "ringward/diagnostic.hpp"
#include "support/run.hpp"

using namespace ringward;

TEST_CASE("docs/diagnostics.md documents every code, and only real ones") {
    const std::string doc = test::read_text(test::source_path("docs/diagnostics.md"));
    REQUIRE_FALSE(doc.empty());
    // Headings read "#### RW0301 criterion-on-unsupplied-input". (No
    // <regex>: GCC 12 warns inside it under the sanitizers.)
    std::map<std::string, std::string> documented;
    std::istringstream lines(doc);
    std::string line;
    const std::string prefix = "#### RW";
    while (std::getline(lines, line)) {
        if (line.rfind(prefix, 0) != 0 || line.size() < prefix.size() + 6 ||
            line[prefix.size() + 4] != ' ') {
            continue;
        }
        const std::string id = line.substr(5, 6);
        const std::string name = line.substr(prefix.size() + 5);
        CHECK(documented.emplace(id, name).second);  // each once
    }
    for (const CodeInfo& info : all_codes()) {
        INFO(code_id(info.code));
        const auto it = documented.find(code_id(info.code));
        REQUIRE(it != documented.end());
        CHECK(it->second == info.name);
        // The entry states the code's severity.
        const std::string entry = doc.substr(doc.find("#### " + code_id(info.code)));
        CHECK(entry.find(std::string("*") + severity_name(info.severity) + "*") < 200);
        documented.erase(it);
    }
    for (const auto& [id, name] : documented) {
        UNSCOPED_INFO("documented but not defined: " << id << " " << name);
    }
    CHECK(documented.empty());
}

TEST_CASE("find_code knows every code by id and by name") {
    for (const CodeInfo& info : all_codes()) {
        CHECK(find_code(code_id(info.code)) == info.code);
        CHECK(find_code(info.name) == info.code);
    }
    CHECK_FALSE(find_code("RW9999").has_value());
    CHECK_FALSE(find_code("no-such-code").has_value());
}
