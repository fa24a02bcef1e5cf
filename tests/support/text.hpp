// Where things are in text, as diagnostics say it: for tests that compute the
// location an error must have from the input, and the head of the line the
// CLI prints for it.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

namespace ringward::test {

// 1-based line and column of byte `offset` of `text`.
inline std::pair<uint32_t, uint32_t> line_column_at(const std::string& text, size_t offset) {
    uint32_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return {line, static_cast<uint32_t>(offset - line_start + 1)};
}

// Line and column where the first (or last) occurrence of `marker` starts;
// the marker must occur.
inline std::pair<uint32_t, uint32_t> position_of(const std::string& text,
                                                 const std::string& marker) {
    const size_t offset = text.find(marker);
    REQUIRE(offset != std::string::npos);
    return line_column_at(text, offset);
}
inline std::pair<uint32_t, uint32_t> last_position_of(const std::string& text,
                                                      const std::string& marker) {
    const size_t offset = text.rfind(marker);
    REQUIRE(offset != std::string::npos);
    return line_column_at(text, offset);
}

// The start of a diagnostic line as the CLI prints it (render_text):
// "file:12:3: error[RW0301]" for a source location,
// "file@0x1058: error[RW0301]" for a blob offset, and "file: error[RW0815]"
// for a file as a whole. `tag` is "error[RW0301]" or "warning[RW0421]".
inline std::string diagnostic_head(const std::string& file, uint32_t line, uint32_t column,
                                   const std::string& tag) {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + tag;
}
inline std::string diagnostic_head_at_offset(const std::string& file, uint32_t offset,
                                             const std::string& tag) {
    char hex[16];  // "0x" and eight digits
    std::snprintf(hex, sizeof(hex), "0x%x", offset);
    return file + "@" + hex + ": " + tag;
}
inline std::string diagnostic_head(const std::string& file, const std::string& tag) {
    return file + ": " + tag;
}

}  // namespace ringward::test
