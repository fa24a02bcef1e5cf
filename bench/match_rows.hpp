// The interpreter's rows (docs/performance.md, "The interpreter"): events
// per second per core for ringward_match over generated Sysmon-like content
// and events, and its heap allocations; then over the SigmaHQ
// process_creation set at 1x, 4x and 10x, with and without the index and
// beside Hyperscan.
#pragma once

#include <filesystem>
#include <string>

namespace ringward::bench {

// Runs the rows, prints them, and when `markdown_path` is not empty
// rewrites the part of that file between its interpreter markers with
// them. `root` is the source tree (for examples/). Returns whether every
// target was met (zero allocations in ringward_match); false as well when
// something it needs does not load.
// `sigma_dir` is a Sigma checkout for the SigmaHQ rows (its
// rules/windows/process_creation and regression_data); without one those
// rows say so and are not run.
bool run_match_rows(const std::filesystem::path& root, bool quick, const std::string& markdown_path,
                    const std::filesystem::path& sigma_dir);

}  // namespace ringward::bench
