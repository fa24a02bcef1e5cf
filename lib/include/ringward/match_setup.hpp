// The interpreter's plan for loaded content, with the memory it needs: how
// content tests (`ringward test`) and `ringward match` set up ringward_match,
// the way an agent does (match.h), index included.
#pragma once

#include <cstdint>
#include <vector>

#include "ringward/match.h"

namespace ringward {

struct MatchSetup {
    ringward_match_plan plan{};
    std::vector<uint64_t> scratch;  // plan.scratch_bytes, reserved once
    std::vector<uint64_t> index;    // the index as built; empty when the content has none
};

// ringward_match_prepare with the default limits, the scratch reserved and
// the index built (when plan.index_bytes > 0) and kept in `setup.index`,
// ringward_match_index_size bytes. The plan
// points into setup.index: move the setup, never copy it. Contract: `loaded`
// is content ringward_load accepted.
void prepare_match(const ringward_loaded& loaded, MatchSetup& setup);

}  // namespace ringward
