// JSON's lexical pieces (RFC 8259): string literals decoded to UTF-8, and
// the words true, false, null and numbers. The one JSON scanner
// (util/json_scan.hpp), which the duplicate-key check of source files and
// the events reader both run, reads its tokens with these, so that the two
// can never disagree about what a key or a value says.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ringward::util {

struct JsonStringError {
    size_t offset;        // where in the text: the escape, the character, or the opening quote
    const char* message;  // a sentence fragment, e.g. "this is not a JSON escape"
};

// The literal whose opening quote is text[*i]. On success *i is past its
// closing quote and the decoded bytes are appended to *out (when out is not
// null); surrogate pairs become one code point, lone surrogates are refused.
std::optional<JsonStringError> decode_json_string(std::string_view text, size_t* i,
                                                  std::string* out);

// A byte that may be part of a bare word (true, false, null, a number, or a
// misspelling of one, which is then refused whole).
bool json_word_char(char c) noexcept;

// The end of the bare word that starts at text[start].
size_t json_word_end(std::string_view text, size_t start) noexcept;

// Whether `word` is a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view word) noexcept;

}  // namespace ringward::util
