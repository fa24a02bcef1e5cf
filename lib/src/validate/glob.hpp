// Glob syntax, as OP_GLOB documents it: '*' any run, '?' one character,
// '[...]' a class ('!' or '^' first negates, ']' first is literal, 'a-z'
// ranges), '\' escapes the next character.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ringward::validate {

struct GlobError {
    // Byte offset in the pattern where the problem starts.
    size_t offset;
    const char* message;
};

// nullopt when the pattern is well formed. Linear in the pattern.
std::optional<GlobError> check_glob(std::string_view pattern) noexcept;

// The offset of the first '\' that escapes a character with no special
// meaning in a glob ('\U' matches 'U'). Almost always a Windows path
// written with single backslashes, which then never matches: "C:\Users\*"
// means "C:Users*" with a literal star. nullopt when there is none.
std::optional<size_t> needless_escape(std::string_view pattern) noexcept;

}  // namespace ringward::validate
