// A small streaming JSON writer for ringward's reports (inspect, validate
// --format json and sarif, store status) and for tools that print in the same
// style. Strings that are not valid UTF-8 are written with each bad byte as
// U+FFFD, so the output is always valid JSON; callers that must keep bytes
// exact write them as hex instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringward::util {

class JsonWriter {
  public:
    // indent 0 writes one line; otherwise that many spaces per level.
    explicit JsonWriter(int indent = 2) : indent_(indent) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The key of the next member; only inside an object.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(int64_t number);
    JsonWriter& value(uint64_t number);
    JsonWriter& value(uint32_t number) { return value(uint64_t{number}); }
    JsonWriter& value(int number) { return value(int64_t{number}); }
    JsonWriter& value(bool flag);
    JsonWriter& null();

    // key(name).value(v)
    template <class T>
    JsonWriter& member(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    // The document; complete once every object and array is closed.
    const std::string& str() const noexcept { return out_; }

  private:
    void before_value();
    JsonWriter& close(char bracket);
    void newline();

    std::string out_;
    int indent_;
    // Per open container: whether it has a member yet.
    std::vector<bool> has_member_;
    bool after_key_ = false;
};

enum class EscapeStyle {
    // A JSON string: control bytes as \u00XX, and each byte that is not
    // UTF-8 as U+FFFD, so the document stays valid JSON.
    json,
    // A C string for people: control bytes as \xXX, other bytes as they are.
    c,
};
// Appends `text` between double quotes, with '"', '\\', newline, carriage
// return and tab as their short escapes and the rest as `style` says.
void append_quoted(std::string& out, std::string_view text, EscapeStyle style);
// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;
// Byte offset of the first byte that breaks UTF-8, or text.size().
size_t utf8_error_offset(std::string_view text) noexcept;

// Lower-case hex of the bytes.
std::string to_hex(std::string_view bytes);

}  // namespace ringward::util
