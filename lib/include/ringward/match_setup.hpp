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

// The index of `loaded` for `plan` (prepared for it, plan.index_bytes > 0):
// built in memory of plan.index_bytes, then moved into `index`, resized to
// ringward_match_index_size bytes, which the plan then points into; the
// build's memory is wiped and freed. Returns what the build or the move
// returned (on a refusal the plan has no index).
ringward_match_status build_index(const ringward_loaded& loaded, ringward_match_plan& plan,
                                  std::vector<uint64_t>& index);

}  // namespace ringward
