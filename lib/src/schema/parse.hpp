// The schema loader's parsing, shared with the other protobuf inputs (the
// keyring) so that every input file gets the same limits and diagnostics.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <string>
#include <string_view>
#include <vector>

#include "ringward/schema.hpp"
#include "schema/content_source.hpp"

namespace ringward {

// Parses `bytes` into `message` in the given format, within the options'
// size and nesting limits, refusing whatever could be read two ways
// (schema/one_meaning.hpp); RW0002, RW0004-RW0006 and RW0008-RW0011
// diagnostics on failure.
// `tree`, for text only, records positions.
std::vector<Diagnostic> parse_message(std::string_view bytes, const std::string& file,
                                      InputFormat format, const LoadOptions& options,
                                      google::protobuf::Message* message,
                                      google::protobuf::TextFormat::ParseInfoTree* tree);

// Position of field `name` of `message` (index for repeated fields) in a
// text source; {0, 0} when unknown or `tree` is null.
ContentSource::Impl::Position field_position(
    const google::protobuf::TextFormat::ParseInfoTree* tree,
    const google::protobuf::Message& message, const char* name, int index = -1);

// Where entry `index` of repeated field `name` is: the file, its text
// position (none when `tree` is null) and the path "name[index]".
Location entry_location(const std::string& file,
                        const google::protobuf::TextFormat::ParseInfoTree* tree,
                        const google::protobuf::Message& message, const char* name, int index);

}  // namespace ringward
