// Diagnostics: every failure and finding, with a stable code and a location.
//
// No exception crosses the library API (STYLE.md): a function that can fail
// returns a Result, which carries the value, or the diagnostics that explain
// why there is none, or both (a value with warnings).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/format.hpp"

namespace ringward {

enum class Severity : uint8_t { note, warning, error };

// "note", "warning", "error".
const char* severity_name(Severity severity) noexcept;

// The codes of codes.def; docs/diagnostics.md lists each with an example.
enum class Code : uint16_t {
#define RINGWARD_CODE(number, id, name, severity, summary) id = number,
#include "ringward/codes.def"
#undef RINGWARD_CODE
};

struct CodeInfo {
    Code code;
    // Stable kebab-case name: "criterion-on-unsupplied-input".
    const char* name;
    // The severity findings with this code have.
    Severity severity;
    // One line saying what the code is about.
    const char* summary;
};

// Every code, in ascending order.
std::span<const CodeInfo> all_codes() noexcept;
// The entry for `code`; a value outside the enumeration is a contract
// violation.
const CodeInfo& code_info(Code code) noexcept;
// "RW0301".
std::string code_id(Code code);
// The code with this id ("RW0301") or name ("criterion-on-unsupplied-input").
std::optional<Code> find_code(std::string_view id_or_name) noexcept;

// Where a finding is. Each part is optional: text sources have a line and
// column, JSON and binary sources a field path, blobs a byte offset.
struct Location {
    // The file as named on the command line; empty when there is none.
    std::string file;
    // 1-based; 0 when unknown.
    uint32_t line = 0;
    // 1-based, in bytes; 0 when unknown.
    uint32_t column = 0;
    // Field path within the document: "instances[3].criteria[2].values[0]".
    std::string path;
    // Byte offset from the start of a blob (or of a binary protobuf source).
    std::optional<uint32_t> blob_offset;
};

struct Diagnostic {
    Code code = Code::input_unreadable;
    Severity severity = Severity::error;
    // What is wrong, in one sentence, without a trailing full stop.
    std::string message;
    // What would make it right; may be empty.
    std::string help;
    Location location;
    // Set when the finding concerns one template instance.
    std::optional<uint32_t> instance_id;
    // Set when it concerns one field: its name and index.
    std::string field;
    std::optional<uint32_t> field_index;
    // Set when it concerns one sensor build: "7.11.0".
    std::string sensor_version;
};

// A diagnostic with the code's own severity.
Diagnostic make_diagnostic(Code code, std::string message, Location location = {},
                           std::string help = {});

// RW01nn for reader error nn. `error` must not be ok.
Code code_for(format::ReadError error) noexcept;
// The diagnostic for a blob that read_blob refused: its code, message and
// byte offset, in `file`.
Diagnostic blob_diagnostic(const format::ReadResult& result, std::string file);

bool has_errors(std::span<const Diagnostic> diagnostics) noexcept;
size_t count_severity(std::span<const Diagnostic> diagnostics, Severity severity) noexcept;

// A value, or the diagnostics that say why there is none; a value may come
// with warnings. ok() is whether there is a value.
template <class T>
struct [[nodiscard]] Result {
    std::optional<T> value;
    std::vector<Diagnostic> diagnostics;

    bool ok() const noexcept { return value.has_value(); }

    static Result success(T v, std::vector<Diagnostic> warnings = {}) {
        return Result{std::move(v), std::move(warnings)};
    }
    static Result failure(std::vector<Diagnostic> errors) {
        return Result{std::nullopt, std::move(errors)};
    }
    static Result failure(Diagnostic error) {
        std::vector<Diagnostic> errors;
        errors.push_back(std::move(error));
        return failure(std::move(errors));
    }
};

// The text of the files that diagnostics point into, so that a report can
// show the offending line. Holds copies.
class SourceTexts {
  public:
    void add(std::string file, std::string text);
    // Line `line` (1-based) of `file` without its line ending; nullopt when
    // the file or line is unknown.
    std::optional<std::string_view> line(std::string_view file, uint32_t line) const;

  private:
    std::map<std::string, std::string, std::less<>> texts_;
};

struct TextStyle {
    // ANSI colour on the severity and the caret.
    bool color = false;
};

// Renders one diagnostic compiler-style:
//
//   content.txtpb:12:5: error[RW0301]: criterion on field 'x' ...
//      12 |     criteria { field: "x" op: OP_EQ values { string: "y" } }
//         |     ^
//      = help: ...
//
// Without a line and column the location falls back to the field path and
// then the blob offset ("blob.rwc@0x48:"). Ends with a newline.
std::string render_text(const Diagnostic& diagnostic, const SourceTexts* sources,
                        TextStyle style = {});

}  // namespace ringward
