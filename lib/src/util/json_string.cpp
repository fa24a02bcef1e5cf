#include "util/json_string.hpp"

#include <cstdint>

namespace ringward::util {
namespace {

void append_utf8(std::string* out, uint32_t code_point) {
    if (code_point < 0x80) {
        out->push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out->push_back(static_cast<char>(0xc0 | code_point >> 6));
        out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
    } else if (code_point < 0x10000) {
        out->push_back(static_cast<char>(0xe0 | code_point >> 12));
        out->push_back(static_cast<char>(0x80 | (code_point >> 6 & 0x3f)));
        out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
    } else {
        out->push_back(static_cast<char>(0xf0 | code_point >> 18));
        out->push_back(static_cast<char>(0x80 | (code_point >> 12 & 0x3f)));
        out->push_back(static_cast<char>(0x80 | (code_point >> 6 & 0x3f)));
        out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
    }
}

// Four hex digits at text[from]; false when there are fewer or one is not.
bool hex4(std::string_view text, size_t from, uint32_t* value) {
    if (text.size() < from || text.size() - from < 4) {
        return false;
    }
    *value = 0;
    for (size_t k = from; k < from + 4; ++k) {
        const char c = text[k];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0) {
            return false;
        }
        *value = *value << 4 | static_cast<uint32_t>(digit);
    }
    return true;
}

// The byte a two-character escape stands for, or 0 for none.
char simple_escape(char e) {
    switch (e) {
        case '"':
            return '"';
        case '\\':
            return '\\';
        case '/':
            return '/';
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        default:
            return 0;
    }
}

}  // namespace

std::optional<JsonStringError> decode_json_string(std::string_view text, size_t* i,
                                                  std::string* out) {
    const size_t start = *i;
    size_t at = start + 1;
    while (at < text.size()) {
        const auto c = static_cast<unsigned char>(text[at]);
        if (c == '"') {
            *i = at + 1;
            return std::nullopt;
        }
        if (c < 0x20) {
            return JsonStringError{
                at, "a control character inside a string must be written as an escape"};
        }
        if (c != '\\') {
            if (out != nullptr) {
                out->push_back(static_cast<char>(c));
            }
            ++at;
            continue;
        }
        if (at + 1 >= text.size()) {
            break;
        }
        if (const char simple = simple_escape(text[at + 1]); simple != 0) {
            if (out != nullptr) {
                out->push_back(simple);
            }
            at += 2;
            continue;
        }
        uint32_t unit = 0;
        if (text[at + 1] != 'u' || !hex4(text, at + 2, &unit)) {
            return JsonStringError{at, "this is not a JSON escape"};
        }
        uint32_t code_point = unit;
        size_t next = at + 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) {
            return JsonStringError{at,
                                   "a lone surrogate escape (a low surrogate without a high one)"};
        }
        if (unit >= 0xd800 && unit <= 0xdbff) {
            uint32_t low = 0;
            if (text.size() - next < 6 || text[next] != '\\' || text[next + 1] != 'u' ||
                !hex4(text, next + 2, &low) || low < 0xdc00 || low > 0xdfff) {
                return JsonStringError{
                    at, "a lone surrogate escape (a high surrogate without a low one)"};
            }
            code_point = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
            next += 6;
        }
        if (out != nullptr) {
            append_utf8(out, code_point);
        }
        at = next;
    }
    return JsonStringError{start, "the string is not closed"};
}

bool json_word_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '+' || c == '-' || c == '.' || c == '$';
}

size_t json_word_end(std::string_view text, size_t start) noexcept {
    size_t end = start;
    while (end < text.size() && json_word_char(text[end])) {
        ++end;
    }
    return end;
}

bool is_json_number(std::string_view word) noexcept {
    size_t k = 0;
    const auto digits = [&] {
        const size_t from = k;
        while (k < word.size() && word[k] >= '0' && word[k] <= '9') {
            ++k;
        }
        return k - from;
    };
    if (k < word.size() && word[k] == '-') {
        ++k;
    }
    const bool leading_zero = k < word.size() && word[k] == '0';
    const size_t integer = digits();
    bool ok = integer > 0 && !(leading_zero && integer > 1);
    if (ok && k < word.size() && word[k] == '.') {
        ++k;
        ok = digits() > 0;
    }
    if (ok && k < word.size() && (word[k] == 'e' || word[k] == 'E')) {
        ++k;
        if (k < word.size() && (word[k] == '+' || word[k] == '-')) {
            ++k;
        }
        ok = digits() > 0;
    }
    return ok && k == word.size();
}

}  // namespace ringward::util
