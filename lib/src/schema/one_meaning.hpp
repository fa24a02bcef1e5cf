// One meaning or none: the checks that make every source file read one way
// only (the CouchDB CVE-2017-12635 class, where two parsers read one
// document two ways). protobuf's parsers are lenient where ringward is not:
// the last value of a field given twice wins, two JSON objects under one key
// merge, and binary fields it does not know, or knows in another wire type,
// are set aside and dropped. parse_message runs these checks beside them.
//
// Each check walks its input once with an explicit stack bounded by the
// nesting limit: no recursion, work linear in the input.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward {

// 1-based line and column of a byte offset (columns count bytes).
struct TextPosition {
    uint32_t line = 1;
    uint32_t column = 1;
};
TextPosition position_of(std::string_view text, size_t offset);

// JSON as RFC 8259 defines it, nested at most `max_depth_incl` objects and
// arrays deep (RW0005 otherwise), with every key at most once per object
// (RW0008). Keys of objects that are messages of type `root` (and the
// message types below it) map to fields by JSON name or proto name, as
// protobuf's JSON parser maps them, so the two names of one field, and the
// members of one oneof, are one key. Empty when the text passes.
std::vector<Diagnostic> check_json(std::string_view text, const std::string& file,
                                   const google::protobuf::Descriptor& root, int max_depth_incl);

struct TextCheck {
    // RW0009 for the first field given twice, if any.
    std::vector<Diagnostic> diagnostics;
    // False when the check met a form it cannot follow, and stopped there.
    // protobuf's text parser refuses every such text, unless the check has a
    // bug: the caller refuses a text that parses although it was not followed.
    bool followed = true;
};

// Protobuf text of message type `root`: a field that is not repeated given
// twice, or two members of one oneof, at any depth, is RW0009 at the second.
TextCheck check_text(std::string_view text, const std::string& file,
                     const google::protobuf::Descriptor& root, int max_depth_incl);

// Binary protobuf of message type `root` that protobuf's parser accepted: a
// field number `root` (or a message below it) does not have, or a known field
// in another wire type, is RW0010; a field that is not repeated given twice,
// or two members of one oneof, RW0011. Packed and unpacked encodings of a
// repeated scalar field are both accepted. A scan that cannot follow the
// bytes (which protobuf accepted) is RW0006.
std::vector<Diagnostic> check_binary(std::string_view bytes, const std::string& file,
                                     const google::protobuf::Descriptor& root, int max_depth_incl);

}  // namespace ringward
