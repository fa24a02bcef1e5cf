// Reports of a validation run for people (text) and machines (JSON, SARIF
// 2.1.0 for code scanning). docs/diagnostics.md documents the JSON shape.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward {

// What one run looked at and found.
struct Report {
    // Every input named on the command line, in order: registry, manifests,
    // content files. Files with no findings are listed too.
    std::vector<std::string> files;
    std::vector<Diagnostic> diagnostics;
    // Warnings count as failures (--werror).
    bool warnings_are_errors = false;

    // Whether the run passes: no errors, and no warnings when they count.
    bool passed() const noexcept;
};

// "2 errors, 1 warning in 5 files: rejected" / "... : passed".
std::string summary_line(const Report& report);

// The JSON report (docs/diagnostics.md, "JSON report"); ends with a newline.
std::string render_json(const Report& report);

// SARIF 2.1.0, with one rule per diagnostic code (all of them, so rule
// indices are stable) and one result per finding; ends with a newline.
std::string render_sarif(const Report& report);

}  // namespace ringward
