// The one string escaper, in its two styles: JSON for reports, C for the
// descriptions inspect and the diagnostics print.
#include <catch2/catch.hpp>

#include <string>

#include "ringward/compile.hpp"
#include "ringward/json_writer.hpp"

using ringward::util::append_json_string;

namespace {

// A string with every class of byte the escaper treats apart.
const std::string kAwkward =
    std::string("q\"b\\n\nt\tr\rc\x01") + '\0' + "d\x7f" + "\xc3\xa9" + "\xff" + "z";

std::string json(const std::string& text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

}  // namespace

TEST_CASE("JSON strings: short escapes, \\u00XX for control bytes, U+FFFD for a bad byte") {
    CHECK(json(kAwkward) == "\"q\\\"b\\\\n\\nt\\tr\\rc\\u0001\\u0000d\\u007f\xc3\xa9\\ufffdz\"");
    CHECK(json("") == "\"\"");
}

TEST_CASE("C-style strings in descriptions: short escapes, \\xXX for control bytes") {
    ringward::BlobWriter writer({});
    writer.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
    // A string value holds no NUL (docs/format.md): the reader refuses one.
    std::string text = kAwkward;
    text.erase(text.find('\0'), 1);
    writer.add_bytes({.field = "f"}, ringward::format::Op::eq, ringward::format::Kind::string, text,
                     false);
    const std::vector<uint8_t> bytes = writer.finish();
    ringward::format::BlobView view;
    REQUIRE(ringward::format::read_blob(bytes.data(), bytes.size(), {}, &view).ok());
    // Bytes that are not UTF-8 are shown as they are: the description is
    // for people, and changing a byte would hide what the blob holds.
    CHECK(ringward::describe_criterion(view.instance(0).criterion(0)) ==
          "eq \"q\\\"b\\\\n\\nt\\tr\\rc\\x01d\\x7f\xc3\xa9\xff"
          "z\"");
}
