// Sigma values: strings with wildcards, the string modifiers, and how one
// string becomes an operator and operand (docs/sigma.md, "Values").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringward::sigma {

// One part of a Sigma string: literal bytes, `*` (any run) or `?` (one
// character).
struct Piece {
    enum class Kind : uint8_t { text, star, one };
    Kind kind = Kind::text;
    std::string text;
};
using Pattern = std::vector<Piece>;

// Sigma's escaping, as pySigma reads it: `\*`, `\?` and `\\` are the literal
// character; a backslash before anything else is a literal backslash.
Pattern parse_sigma_string(std::string_view text);
Pattern literal_pattern(std::string_view text);
bool has_wildcard(const Pattern& pattern) noexcept;
// The literal text of a pattern without wildcards.
std::string pattern_text(const Pattern& pattern);
// `*` before and/or after.
Pattern with_stars(Pattern pattern, bool before, bool after);

// What one wildcard string matches, in ringward's terms.
enum class MatchOp : uint8_t { eq, prefix, suffix, contains, glob, exists };
struct Match {
    MatchOp op = MatchOp::eq;
    std::string operand;
};
// The plainest operator that means exactly the pattern: eq, prefix, suffix
// or contains when its wildcards are only a leading and/or trailing `*`,
// exists for `*` alone (any present value), glob otherwise.
Match classify(const Pattern& pattern);
// The glob that means the pattern (`*?[\` escaped).
std::string to_glob(const Pattern& pattern);

// UTF-16 encodings of the text (wide/utf16le, utf16be, utf16 with a
// little-endian byte order mark); nullopt when the text is not UTF-8.
enum class Utf16 : uint8_t { le, be, le_bom };
std::optional<std::string> encode_utf16(std::string_view text, Utf16 form);
std::string base64(std::string_view bytes);
// Sigma's base64offset: the three encodings of the text at each byte offset
// modulo 3, trimmed of the characters that depend on what surrounds it.
std::vector<std::string> base64_offsets(std::string_view bytes);

// windash: each `-` or `/` that starts a word (a non-word character or the
// start of a text part before it, a word character after it) becomes each of
// `-`, `/`, en dash, em dash and horizontal bar, in every combination.
// nullopt when a candidate's neighbour is outside ASCII (Unicode word
// boundaries would decide it, and ringward does not guess them) or when the
// variants would pass `max_variants_incl` (`*too_many` is then set).
std::optional<std::vector<Pattern>> windash_variants(const Pattern& pattern,
                                                     size_t max_variants_incl, bool* too_many);

// Whether ASCII folding means the same as case-insensitive matching for this
// text: every code point outside ASCII is one that has no case.
bool fold_is_exact(std::string_view text) noexcept;

// ASCII lower case.
std::string fold(std::string_view text);

}  // namespace ringward::sigma
