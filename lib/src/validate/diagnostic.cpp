#include "ringward/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace ringward {
namespace {

constexpr CodeInfo kCodes[] = {
#define RINGWARD_CODE(number, id, name, severity, summary) \
    {Code::id, name, Severity::severity, summary},
#include "ringward/codes.def"
#include "ringward/core/contract.hpp"
#undef RINGWARD_CODE
};

constexpr bool codes_ascending() {
    for (size_t i = 1; i < std::size(kCodes); ++i) {
        if (static_cast<uint16_t>(kCodes[i - 1].code) >= static_cast<uint16_t>(kCodes[i].code)) {
            return false;
        }
    }
    return true;
}
static_assert(codes_ascending(), "codes.def must list codes once each, in ascending order");

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";

const char* severity_color(Severity severity) {
    switch (severity) {
        case Severity::error:
            return "\x1b[1;31m";
        case Severity::warning:
            return "\x1b[1;35m";
        case Severity::note:
            break;
    }
    return "\x1b[1;36m";
}

std::string location_prefix(const Location& location) {
    std::string out = location.file.empty() ? std::string("<input>") : location.file;
    if (location.line > 0) {
        out += fmt::format(":{}", location.line);
        if (location.column > 0) {
            out += fmt::format(":{}", location.column);
        }
    } else if (location.blob_offset) {
        out += fmt::format("@0x{:x}", *location.blob_offset);
    } else if (!location.path.empty()) {
        out += fmt::format(":{}", location.path);
    }
    return out;
}

}  // namespace

const char* severity_name(Severity severity) noexcept {
    switch (severity) {
        case Severity::note:
            return "note";
        case Severity::warning:
            return "warning";
        case Severity::error:
            break;
    }
    return "error";
}

std::span<const CodeInfo> all_codes() noexcept {
    return kCodes;
}

const CodeInfo& code_info(Code code) noexcept {
    const auto* it = std::lower_bound(
        std::begin(kCodes), std::end(kCodes), code, [](const CodeInfo& info, Code wanted) {
            return static_cast<uint16_t>(info.code) < static_cast<uint16_t>(wanted);
        });
    if (it == std::end(kCodes) || it->code != code) {
        core::contract_violation();  // Not a Code: a caller bug.
    }
    return *it;
}

std::string code_id(Code code) {
    return fmt::format("RW{:04}", static_cast<uint16_t>(code));
}

std::optional<Code> find_code(std::string_view id_or_name) noexcept {
    for (const CodeInfo& info : kCodes) {
        if (id_or_name == info.name) {
            return info.code;
        }
        char id[8];
        const auto number = static_cast<unsigned>(info.code);
        id[0] = 'R';
        id[1] = 'W';
        id[2] = static_cast<char>('0' + number / 1000 % 10);
        id[3] = static_cast<char>('0' + number / 100 % 10);
        id[4] = static_cast<char>('0' + number / 10 % 10);
        id[5] = static_cast<char>('0' + number % 10);
        if (id_or_name == std::string_view(id, 6)) {
            return info.code;
        }
    }
    return std::nullopt;
}

Diagnostic make_diagnostic(Code code, std::string message, Location location, std::string help) {
    Diagnostic d;
    d.code = code;
    d.severity = code_info(code).severity;
    d.message = std::move(message);
    d.help = std::move(help);
    d.location = std::move(location);
    return d;
}

Code code_for(format::ReadError error) noexcept {
    if (error == format::ReadError::ok) {
        core::contract_violation();  // Contract: only failures have a code.
    }
    return static_cast<Code>(100 + static_cast<uint16_t>(error));
}

Diagnostic blob_diagnostic(const format::ReadResult& result, std::string file) {
    Location location;
    location.file = std::move(file);
    location.blob_offset = result.offset;
    return make_diagnostic(code_for(result.error), format::read_error_message(result.error),
                           std::move(location));
}

bool has_errors(std::span<const Diagnostic> diagnostics) noexcept {
    return count_severity(diagnostics, Severity::error) > 0;
}

size_t count_severity(std::span<const Diagnostic> diagnostics, Severity severity) noexcept {
    return static_cast<size_t>(
        std::count_if(diagnostics.begin(), diagnostics.end(),
                      [severity](const Diagnostic& d) { return d.severity == severity; }));
}

void SourceTexts::add(std::string file, std::string text) {
    texts_.insert_or_assign(std::move(file), std::move(text));
}

std::optional<std::string_view> SourceTexts::line(std::string_view file, uint32_t line) const {
    const auto it = texts_.find(file);
    if (it == texts_.end() || line == 0) {
        return std::nullopt;
    }
    std::string_view text = it->second;
    for (uint32_t current = 1; current < line; ++current) {
        const size_t newline = text.find('\n');
        if (newline == std::string_view::npos) {
            return std::nullopt;
        }
        text.remove_prefix(newline + 1);
    }
    const size_t end = text.find('\n');
    std::string_view result = text.substr(0, end);
    if (!result.empty() && result.back() == '\r') {
        result.remove_suffix(1);
    }
    return result;
}

std::string render_text(const Diagnostic& d, const SourceTexts* sources, TextStyle style) {
    const char* bold = style.color ? kBold : "";
    const char* reset = style.color ? kReset : "";
    const char* severity = style.color ? severity_color(d.severity) : "";
    std::string out = fmt::format("{}{}:{} {}{}[{}]{}: {}{}{}\n", bold, location_prefix(d.location),
                                  reset, severity, severity_name(d.severity), code_id(d.code),
                                  reset, bold, d.message, reset);
    const Location& at = d.location;
    const std::optional<std::string_view> line =
        sources != nullptr ? sources->line(at.file, at.line) : std::nullopt;
    if (line) {
        const std::string number = std::to_string(at.line);
        const std::string gutter(number.size(), ' ');
        // Keep tabs so that the caret lines up under the text as a terminal
        // shows it.
        std::string pad;
        const size_t column = at.column > 0 ? at.column - 1 : 0;
        for (size_t i = 0; i < column && i < line->size(); ++i) {
            pad += (*line)[i] == '\t' ? '\t' : ' ';
        }
        out += fmt::format(" {} | {}\n", number, *line);
        out += fmt::format(" {} | {}{}^{}\n", gutter, pad, severity, reset);
    }
    if (!at.path.empty() && at.line > 0) {
        out += fmt::format("  = at: {}\n", at.path);
    }
    if (at.blob_offset && (at.line > 0 || !at.path.empty())) {
        out += fmt::format("  = blob offset: 0x{:x}\n", *at.blob_offset);
    }
    if (!d.help.empty()) {
        out += fmt::format("  = help: {}\n", d.help);
    }
    return out;
}

}  // namespace ringward
