// The import rows of the benchmark (docs/performance.md, "Imported Sigma
// rules"): blob size per instance of an imported process_creation set
// against format 1's dense layout, and compile and validate of the whole
// imported set against the BLAKE2b floor of its blob.
#pragma once

#include <string>

namespace ringward::bench {

struct ImportRowsOptions {
    // The repository (examples/ are read from it).
    std::string source_dir;
    // A Sigma checkout (its rules/windows/<category>/ folders); when empty
    // or absent a generated Sigma-shaped set is used, and the rows say so.
    std::string sigma_dir;
    // When set, the part between the import markers of this Markdown file
    // is rewritten with the rows.
    std::string markdown_path;
    // The figures' own command, for the document.
    std::string command_line;
    bool quick = false;
};

// Measures, prints the rows and writes them to the Markdown file. Returns
// whether every target was met; exits the program with 1 when the set does
// not import, compile or validate (there would be nothing to measure).
bool run_import_rows(const ImportRowsOptions& options);

}  // namespace ringward::bench
