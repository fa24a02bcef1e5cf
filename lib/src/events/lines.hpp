// Line and column of byte offsets in one text, in O(log lines) each: an
// events file can hold a million events, each with a location.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward::events::detail {

class LineIndex {
  public:
    explicit LineIndex(std::string_view text) {
        starts_.push_back(0);
        for (size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\n') {
                starts_.push_back(i + 1);
            }
        }
    }

    // 1-based line and column (in bytes) of `offset` in `file`.
    Location location(const std::string& file, size_t offset) const {
        const auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
        const size_t line = static_cast<size_t>(after - starts_.begin());
        Location at;
        at.file = file;
        at.line = static_cast<uint32_t>(line);
        at.column = static_cast<uint32_t>(offset - starts_[line - 1] + 1);
        return at;
    }

  private:
    std::vector<size_t> starts_;
};

}  // namespace ringward::events::detail
