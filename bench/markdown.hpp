// The bench's figures in docs/: each run rewrites only the part of the
// document between its two markers, so that the document shows the bench's
// own output, never figures typed in.
#pragma once

#include <string>
#include <string_view>

namespace ringward::bench {

// Replaces what lies between `begin` and `end` in the file at `path` with
// "\n\n" + body (written atomically; body ends with the line breaks that go
// before `end`). False, with a message on stderr, when the file cannot be
// read or written or lacks the markers in that order.
bool write_marked_section(const std::string& path, std::string_view begin, std::string_view end,
                          const std::string& body);

}  // namespace ringward::bench
