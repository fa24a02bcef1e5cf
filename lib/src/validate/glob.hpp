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

}  // namespace ringward::validate
