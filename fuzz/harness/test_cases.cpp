// A content test cases file in any format (the first byte picks it), through
// the cases parser: what it accepts is a file ringward test can run as read.
#include <set>

#include "harness/targets.hpp"
#include "ringward/content_test.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size == 0) {
        return 0;
    }
    LoadOptions options;
    options.format = fuzz::format_from_byte(data[0]);
    auto file = parse_test_file(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                                "fuzz", options);
    fuzz::check_result(file);
    if (!file.ok()) {
        return 0;
    }
    fuzz::require(!file.value->cases.empty(), "a cases file without cases was accepted");
    std::set<std::string> names;
    for (const TestCase& one : file.value->cases) {
        fuzz::require(!one.name.empty(), "a case without a name was accepted");
        fuzz::require(names.insert(one.name).second, "a case name used twice was accepted");
        fuzz::require(!one.fires.empty() || !one.does_not_fire.empty(),
                      "a case that expects nothing was accepted");
    }
    return 0;
}
