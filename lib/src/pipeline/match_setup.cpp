#include "ringward/match_setup.hpp"

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
    // Built in the plan's upper bound, then kept in what it really takes.
    std::vector<uint64_t> build(setup.plan.index_bytes / 8 + 1, 0);
    if (ringward_match_index_build(&loaded, &setup.plan, build.data(), build.size() * 8) !=
        RINGWARD_MATCH_OK) {
        core::invariant_broken();  // Memory of plan.index_bytes for this plan's content.
    }
    setup.index.assign(ringward_match_index_size(&setup.plan) / 8, 0);
    if (ringward_match_index_move(&setup.plan, setup.index.data(), setup.index.size() * 8) !=
        RINGWARD_MATCH_OK) {
        core::invariant_broken();  // Memory of the index's own size, apart from the build's.
    }
}

}  // namespace ringward
