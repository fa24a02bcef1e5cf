// The one JSON scanner (util::scan_json) that the source files' duplicate-key
// check and the events reader both use: what the visitor sees and in which
// order, and every refusal with its kind, byte offset and message.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "util/json_scan.hpp"

using ringward::util::JsonScanError;
using ringward::util::JsonScanOptions;
using ringward::util::JsonVisitor;
using ringward::util::scan_json;
using Kind = JsonScanError::Kind;

namespace {

// Writes each call as one short line: "{0" begin_object at 0, "[0"
// begin_array, "}9" or "]9" end_container (the bracket written is the one
// at the offset), "k1=a" key, "s5=x" string value, "w7=1" word.
class Recorder final : public JsonVisitor {
  public:
    explicit Recorder(std::string_view text) : text_(text) {}

    bool begin_object(size_t offset) override { return note(tag('{', offset)); }
    bool begin_array(size_t offset) override { return note(tag('[', offset)); }
    bool end_container(size_t offset) override { return note(tag(text_.at(offset), offset)); }
    bool key(size_t offset, std::string_view decoded) override {
        return note(tag('k', offset) + "=" + std::string(decoded));
    }
    bool string_value(size_t offset, std::string_view decoded) override {
        return note(tag('s', offset) + "=" + std::string(decoded));
    }
    bool word(size_t offset, std::string_view text) override {
        return note(tag('w', offset) + "=" + std::string(text));
    }

    std::vector<std::string> calls;
    // The call (its line) to answer false to, stopping the scan.
    std::string stop_at;

  private:
    static std::string tag(char what, size_t offset) { return what + std::to_string(offset); }
    bool note(std::string call) {
        calls.push_back(call);
        return call != stop_at;
    }

    std::string_view text_;
};

struct Scan {
    std::vector<std::string> calls;
    std::optional<JsonScanError> error;
};

JsonScanOptions one_document(int max_depth_incl = 32) {
    JsonScanOptions options;
    options.several_values = false;
    options.max_depth_incl = max_depth_incl;
    return options;
}

JsonScanOptions several_values(int max_depth_incl = 32) {
    JsonScanOptions options = one_document(max_depth_incl);
    options.several_values = true;
    return options;
}

Scan scan(std::string_view text, const JsonScanOptions& options, std::string stop_at = {}) {
    Recorder recorder(text);
    recorder.stop_at = std::move(stop_at);
    Scan out;
    out.error = scan_json(text, recorder, options);
    out.calls = std::move(recorder.calls);
    return out;
}

void require_error(const Scan& s, Kind kind, size_t offset, const std::string& message) {
    REQUIRE(s.error.has_value());
    CHECK(s.error->kind == kind);
    CHECK(s.error->offset == offset);
    CHECK(s.error->message == message);
}

using Calls = std::vector<std::string>;

}  // namespace

TEST_CASE("json scan: the visitor sees a small document in text order, with offsets") {
    const char* text = "{\"a\": [1, \"x\\n\", {}], \"b\": null}";
    const Scan s = scan(text, one_document());
    REQUIRE_FALSE(s.error.has_value());
    CHECK(s.calls == Calls{"{0", "k1=a", "[6", "w7=1", "s10=x\n", "{17", "}18", "]19", "k22=b",
                           "w27=null", "}31"});
}

TEST_CASE("json scan: nested containers open and close in order") {
    const char* text = "[[{\"a\": [{\"b\": [true, -1.5e3]}]}], {}, []]";
    const Scan s = scan(text, one_document());
    REQUIRE_FALSE(s.error.has_value());
    CHECK(s.calls == Calls{"[0",  "[1",       "{2",         "k3=a", "[8",  "{9",  "k10=b",
                           "[15", "w16=true", "w22=-1.5e3", "]28",  "}29", "]30", "}31",
                           "]32", "{35",      "}36",        "[39",  "]40", "]41"});
}

TEST_CASE("json scan: several values back to back, allowed or refused") {
    const char* text = "{\"a\": 1}\n[2] 3\"s\"";
    SECTION("allowed: each is read, and an empty text is no value at all") {
        const Scan s = scan(text, several_values());
        REQUIRE_FALSE(s.error.has_value());
        CHECK(s.calls == Calls{"{0", "k1=a", "w6=1", "}7", "[9", "w10=2", "]11", "w13=3", "s14=s"});
        const Scan empty = scan(" \n\t\r", several_values());
        CHECK_FALSE(empty.error.has_value());
        CHECK(empty.calls.empty());
    }
    SECTION("refused: the first is read, then the next is an error where it starts") {
        const Scan s = scan(text, one_document());
        require_error(s, Kind::malformed, 9, "there is more after the end of the JSON document");
        CHECK(s.calls == Calls{"{0", "k1=a", "w6=1", "}7"});
        require_error(scan("1 2", one_document()), Kind::malformed, 2,
                      "there is more after the end of the JSON document");
        require_error(scan(" \n", one_document()), Kind::malformed, 2,
                      "the JSON ends before it is complete");
    }
}

TEST_CASE("json scan: a trailing comma is refused at the comma") {
    require_error(scan("[1, 2, ]", one_document()), Kind::malformed, 5,
                  "a trailing comma is not JSON");
    require_error(scan("{\"a\": 1,\n}", one_document()), Kind::malformed, 7,
                  "a trailing comma is not JSON");
    // The last comma, not the first.
    require_error(scan("{\"a\": [1,2,],}", one_document()), Kind::malformed, 10,
                  "a trailing comma is not JSON");
    // Right after the bracket, a close is no trailing comma but an empty container.
    CHECK_FALSE(scan("[{}, []]", several_values()).error.has_value());
    // A comma where no value came before it is no value.
    require_error(scan("[,1]", one_document()), Kind::malformed, 1, "unexpected character ','");
}

TEST_CASE("json scan: single-quoted strings are refused, as values and as keys") {
    require_error(scan("['a']", one_document()), Kind::malformed, 1,
                  "single-quoted strings are not JSON");
    require_error(scan("{\"a\": 1, 'b': 2}", one_document()), Kind::malformed, 9,
                  "single-quoted strings are not JSON");
    require_error(scan("'a'", several_values()), Kind::malformed, 0,
                  "single-quoted strings are not JSON");
}

TEST_CASE("json scan: a key must be a double-quoted string") {
    require_error(scan("{a: 1}", one_document()), Kind::malformed, 1,
                  "an object key must be a double-quoted string");
    require_error(scan("{\"a\": 1, 2: 3}", one_document()), Kind::malformed, 9,
                  "an object key must be a double-quoted string");
    require_error(scan("{]", one_document()), Kind::malformed, 1,
                  "unexpected character ']'; a key (a double-quoted string) belongs here");
}

TEST_CASE("json scan: a missing colon, or separator, is refused where it belongs") {
    const Scan s = scan("{\"a\" 1}", one_document());
    require_error(s, Kind::malformed, 5, "a ':' belongs after an object key");
    CHECK(s.calls == Calls{"{0", "k1=a"});
    require_error(scan("[1 2]", one_document()), Kind::malformed, 3,
                  "unexpected character '2'; a ',' or ']' belongs here");
    require_error(scan("{\"a\": 1 \"b\": 2}", one_document()), Kind::malformed, 8,
                  "unexpected character '\"'; a ',' or '}' belongs here");
    require_error(scan("[1\x01]", one_document()), Kind::malformed, 2,
                  "unexpected byte 0x01; a ',' or ']' belongs here");
}

TEST_CASE("json scan: words and strings are RFC 8259's") {
    require_error(scan("[0x10]", one_document()), Kind::malformed, 1,
                  "0x10 is not a JSON number, string, true, false or null");
    require_error(scan("[True]", one_document()), Kind::malformed, 1,
                  "True is not a JSON number, string, true, false or null");
    require_error(scan("{\"a\":\f1}", one_document()), Kind::malformed, 5, "unexpected byte 0x0c");
    require_error(scan("[\"a\tb\"]", one_document()), Kind::malformed, 3,
                  "a control character inside a string must be written as an escape");
    require_error(scan("{\"a\\ud800\": 1}", one_document()), Kind::malformed, 3,
                  "a lone surrogate escape (a high surrogate without a low one)");
    const Scan s = scan("[\"\\u00e9\\ud83d\\ude00\"]", one_document());
    REQUIRE_FALSE(s.error.has_value());
    CHECK(s.calls == Calls{"[0", "s1=\xc3\xa9\xf0\x9f\x98\x80", "]21"});
}

TEST_CASE("json scan: the depth limit is inclusive") {
    SECTION("exactly at the limit") {
        CHECK_FALSE(scan("[[[]]]", one_document(3)).error.has_value());
        CHECK_FALSE(scan("{\"a\": [{}]}", one_document(3)).error.has_value());
        // Each of several values starts again from the top.
        CHECK_FALSE(scan("[[[]]] [[[]]]", several_values(3)).error.has_value());
    }
    SECTION("one past the limit, at the bracket that is one too many") {
        const Scan s = scan("[[[[]]]]", one_document(3));
        require_error(s, Kind::too_deep, 3, "JSON nests deeper than 3 levels");
        CHECK(s.calls == Calls{"[0", "[1", "[2"});
        require_error(scan("{\"a\": [{\"b\": {}}]}", one_document(3)), Kind::too_deep, 13,
                      "JSON nests deeper than 3 levels");
    }
    SECTION("0 refuses every container, not a scalar") {
        require_error(scan("{}", one_document(0)), Kind::too_deep, 0,
                      "JSON nests deeper than 0 levels");
        CHECK_FALSE(scan("\"a\"", one_document(0)).error.has_value());
    }
}

TEST_CASE("json scan: text that ends before the document is complete") {
    // Wherever it ends, the error is at the end of the text.
    for (const char* text :
         {"{", "[", "{\"a\"", "{\"a\":", "{\"a\": 1", "{\"a\": 1,", "[1,", "[[1], {\"b\": []}"}) {
        INFO(text);
        const size_t end = std::string_view(text).size();
        require_error(scan(text, one_document()), Kind::malformed, end,
                      "the JSON ends before it is complete");
        require_error(scan(text, several_values()), Kind::malformed, end,
                      "the JSON ends before it is complete");
    }
    // A string that is not closed is refused at its opening quote.
    require_error(scan("[\"abc", one_document()), Kind::malformed, 1, "the string is not closed");
}

TEST_CASE("json scan: a visitor that returns false stops the scan where it is") {
    const char* text = "{\"a\": 1, \"a\": 2, \"b\": 3}";
    const Scan s = scan(text, one_document(), "k9=a");
    REQUIRE(s.error.has_value());
    CHECK(s.error->kind == Kind::stopped);
    CHECK(s.error->offset == 9);
    CHECK(s.error->message.empty());
    CHECK(s.calls == Calls{"{0", "k1=a", "w6=1", "k9=a"});
    // Stopped before the scanner would have refused the text.
    const Scan early = scan("[1, 2,]", several_values(), "w1=1");
    REQUIRE(early.error.has_value());
    CHECK(early.error->kind == Kind::stopped);
    CHECK(early.calls == Calls{"[0", "w1=1"});
}
