// The one JSON scanner (RFC 8259): the state machine that decides what JSON
// is, for the duplicate-key check of source files (schema/one_meaning.cpp)
// and the events reader (events/json.cpp) alike, so that the two can never
// disagree about it. What a caller builds (nothing, or a tree of nodes) and
// which keys it refuses are its visitor's. An explicit stack bounded by the
// nesting limit: no recursion, work linear in the input. The lexical pieces
// are json_string.hpp's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringward::util {

struct JsonScanOptions {
    // Zero or more top-level values back to back (JSON lines, concatenated
    // values) when set; otherwise exactly one, and text after it is an error.
    bool several_values = false;
    // How deep objects and arrays may nest, the outermost counting 1: it
    // bounds the scanner's stack and every caller's. There is no default on
    // purpose: each caller has its own limit (0 refuses every container; a
    // negative value is no limit).
    int max_depth_incl = 0;
};

// What the scanner saw, in the order of the text. Offsets are byte offsets:
// of a container's opening or closing bracket, of a string's or key's
// opening quote, of a word's first byte. Decoded text and words are only
// valid during the call. A callback returns false to stop the scan, having
// recorded an error of its own (a duplicate key, say): scan_json then
// returns Kind::stopped.
class JsonVisitor {
  public:
    virtual ~JsonVisitor() = default;

    virtual bool begin_object(size_t offset) = 0;
    virtual bool begin_array(size_t offset) = 0;
    // Closes the innermost object or array.
    virtual bool end_container(size_t offset) = 0;
    // An object member's key, decoded to UTF-8; its value follows.
    virtual bool key(size_t offset, std::string_view decoded) = 0;
    // A string value, decoded to UTF-8.
    virtual bool string_value(size_t offset, std::string_view decoded) = 0;
    // true, false, null or a JSON number, as written.
    virtual bool word(size_t offset, std::string_view text) = 0;
};

struct JsonScanError {
    enum class Kind : uint8_t {
        malformed,  // not RFC 8259 JSON: message says what and offset where
        too_deep,   // an object or array past max_depth_incl, at its bracket
        stopped,    // a visitor callback returned false; message is empty
    };
    Kind kind;
    size_t offset;
    std::string message;  // a sentence without a location, e.g. "a trailing comma is not JSON"
};

// Scans `text` once, calling `visitor` for each piece. Returns the first
// error, with the offset it is at, or nullopt when the text is JSON as
// `options` have it; after an error the visitor has seen a prefix of the
// document and is called no more.
[[nodiscard]] std::optional<JsonScanError> scan_json(std::string_view text, JsonVisitor& visitor,
                                                     const JsonScanOptions& options);

}  // namespace ringward::util
