#include "ringward/json_writer.hpp"
#include "ringward/core/contract.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace ringward::util {

namespace {

// True when no byte of s[0, n) is over 0x7f: the words of the text ORed,
// the last of them the word that ends where the text ends, with no branch
// per word.
bool all_ascii(const unsigned char* s, size_t n) noexcept {
    uint64_t bits = 0;
    if (n >= 8) {
        uint64_t word;
        for (size_t i = 0; n - i > 8; i += 8) {
            std::memcpy(&word, s + i, 8);
            bits |= word;
        }
        std::memcpy(&word, s + n - 8, 8);
        bits |= word;
    } else if (n >= 4) {
        uint32_t first;
        uint32_t last;
        std::memcpy(&first, s, 4);
        std::memcpy(&last, s + n - 4, 4);
        bits = first | last;
    } else {
        for (size_t i = 0; i < n; ++i) {
            bits |= s[i];
        }
    }
    return (bits & 0x8080808080808080ull) == 0;
}

}  // namespace

size_t utf8_error_offset(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    // Most of what is checked is ASCII.
    if (all_ascii(s, n)) {
        return n;
    }
    size_t i = 0;
    while (i < n) {
        // ASCII eight bytes at a time: most of what is checked is.
        if (n - i >= 8) {
            uint64_t word;
            std::memcpy(&word, s + i, 8);
            if ((word & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        uint32_t min = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            length = 2;
            min = 0x80;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3;
            min = 0x800;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4;
            min = 0x10000;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (n - i < length) {
            return i;
        }
        for (size_t k = 1; k < length; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return i;
            }
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += length;
    }
    return n;
}

bool is_valid_utf8(std::string_view text) noexcept {
    return utf8_error_offset(text) == text.size();
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

namespace {

void append_escaped(std::string& out, std::string_view text, EscapeStyle style) {
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (b < 0x20 || b == 0x7f) {
                    out += style == EscapeStyle::json ? fmt::format("\\u{:04x}", b)
                                                      : fmt::format("\\x{:02x}", b);
                } else {
                    out.push_back(c);
                }
        }
    }
}

}  // namespace

void append_quoted(std::string& out, std::string_view text, EscapeStyle style) {
    out.push_back('"');
    if (style == EscapeStyle::c) {
        append_escaped(out, text, style);
    } else {
        while (!text.empty()) {
            const size_t bad = utf8_error_offset(text);
            append_escaped(out, text.substr(0, bad), style);
            if (bad == text.size()) {
                break;
            }
            out += "\\ufffd";
            text.remove_prefix(bad + 1);
        }
    }
    out.push_back('"');
}

void append_json_string(std::string& out, std::string_view text) {
    append_quoted(out, text, EscapeStyle::json);
}

void JsonWriter::newline() {
    if (indent_ > 0) {
        out_.push_back('\n');
        out_.append(has_member_.size() * static_cast<size_t>(indent_), ' ');
    }
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!has_member_.empty()) {
        if (has_member_.back()) {
            out_.push_back(',');
        }
        has_member_.back() = true;
        newline();
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_.push_back('{');
    has_member_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
    if (has_member_.empty() || after_key_) {
        core::contract_violation();  // Unbalanced, or a key without a value: a caller bug.
    }
    const bool had = has_member_.back();
    has_member_.pop_back();
    if (had) {
        newline();
    }
    out_.push_back(bracket);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    return close('}');
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_.push_back('[');
    has_member_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    return close(']');
}

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    append_json_string(out_, name);
    out_ += indent_ > 0 ? ": " : ":";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    append_json_string(out_, text);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
    before_value();
    out_ += std::to_string(number);
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t number) {
    before_value();
    out_ += std::to_string(number);
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    before_value();
    out_ += flag ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

}  // namespace ringward::util
