#include "ringward/match_setup.hpp"

#include <algorithm>

#include "ringward/core/contract.hpp"

namespace ringward {

void prepare_match(const ringward_loaded& loaded, MatchSetup& setup) {
    if (ringward_match_prepare(&loaded, nullptr, &setup.plan) != 0) {
        core::invariant_broken();  // Loaded content always has a plan.
    }
    setup.scratch.assign(setup.plan.scratch_bytes / 8 + 1, 0);
    setup.index.clear();
    if (setup.plan.index_bytes == 0) {
        return;
    }
    if (build_index(loaded, setup.plan, setup.index) != RINGWARD_MATCH_OK) {
        // Memory of plan.index_bytes for this plan's content, then of the
        // index's own size apart from it.
        core::invariant_broken();
    }
}

ringward_match_status build_index(const ringward_loaded& loaded, ringward_match_plan& plan,
                                  std::vector<uint64_t>& index) {
    index.clear();
    // Built in the plan's upper bound, then kept in what it really takes.
    std::vector<uint64_t> build(plan.index_bytes / 8 + 1, 0);
    ringward_match_status status =
        ringward_match_index_build(&loaded, &plan, build.data(), build.size() * 8);
    if (status != RINGWARD_MATCH_OK) {
        return status;
    }
    index.assign(ringward_match_index_size(&plan) / 8, 0);
    status = ringward_match_index_move(&plan, index.data(), index.size() * 8);
    if (status != RINGWARD_MATCH_OK) {
        plan.index_ = nullptr;  // it pointed into the build's memory, freed below
        index.clear();
    }
    // Wiped, so that nothing that kept a pointer into it reads an index.
    std::fill(build.begin(), build.end(), ~uint64_t{0});
    return status;
}

}  // namespace ringward
