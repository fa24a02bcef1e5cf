// A JSON reader for events files: RFC 8259 values, one or several back to
// back, into a tree of nodes with the byte offset of each. Read by the
// scanner the schema loaders' JSON check reads with (util/json_scan.hpp), so
// it is as strict: a key twice in one object, a trailing comma, a lone
// surrogate escape, text that is not UTF-8 are refused. An explicit stack
// bounded by the nesting limit: no recursion, work linear in the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward::events::detail {

inline constexpr uint32_t kNoNode = UINT32_MAX;

struct JsonNode {
    enum class Type : uint8_t { null, boolean, number, string, array, object };
    Type type = Type::null;
    // The value's first byte, and for an object member its key's opening quote.
    size_t offset = 0;
    size_t key_offset = 0;
    // string: decoded (UTF-8); number: the literal as written; boolean:
    // "true" or "false".
    std::string text;
    // For an object member: its key, decoded.
    std::string key;
    // Children (object members, array elements) in order, as a list.
    uint32_t first_child = kNoNode;
    uint32_t next_sibling = kNoNode;
    uint32_t child_count = 0;
};

struct JsonDocument {
    std::vector<JsonNode> nodes;
    // The top-level values in order.
    std::vector<uint32_t> roots;

    const JsonNode& at(uint32_t index) const { return nodes[index]; }
    // The member of object `object` with this key, or kNoNode.
    uint32_t member(uint32_t object, std::string_view key) const;
};

// Parses `text`; RW1050 events-json-malformed or RW1051 events-key-duplicate
// at the first fault (the document is then empty).
[[nodiscard]] Result<JsonDocument> parse_json_values(std::string_view text, const std::string& file,
                                                     int max_depth_incl);

}  // namespace ringward::events::detail
