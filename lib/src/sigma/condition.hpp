// Sigma conditions: and, or, not, parentheses, `1 of` / `all of` a name
// pattern or `them`, over search identifiers. Nesting is bounded
// (kMaxConditionDepthIncl), so that a hostile condition cannot exhaust the
// stack here or in what walks the expression after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringward::sigma {

// A boolean expression over leaves (criteria, or identifiers while parsing).
struct Expr {
    enum class Kind : uint8_t { leaf, all, any, negation };
    Kind kind = Kind::leaf;
    uint32_t leaf = 0;
    std::vector<Expr> children;
};

// Parentheses and `not`s nest at most this deep; real rules nest 3 or 4.
inline constexpr size_t kMaxConditionDepthIncl = 64;

struct ConditionError {
    // Byte offset within the condition.
    size_t offset = 0;
    std::string message;
    // The condition pipes into an aggregation (`| count() > 5`).
    bool aggregation = false;
};

// Parses `condition` over `identifiers` (the detection's search identifier
// names, in order); leaves are indexes into `identifiers`. `1 of them` and
// `all of them` take every identifier not starting with `_`.
std::optional<Expr> parse_condition(std::string_view condition,
                                    const std::vector<std::string>& identifiers,
                                    ConditionError& error);

}  // namespace ringward::sigma
