// The store over any FileSystem: what the C ABI uses with the POSIX one, and
// what the crash tests use with a recording double.
#pragma once

#include "ringward/store.h"
#include "store/file_system.hpp"
#include "store/state.hpp"

namespace ringward::store {

ringward_store_status open_store(FileSystem& fs, const char* directory, uint32_t channel,
                                 const ringward_store_options* options, ringward_store** out);

// The state the handle holds (for tests that compare old and new states).
const State& current_state(const ringward_store* store);

// Checks the LKG of the current state (size, BLAKE2b, then
// ringward_load with `config`) without changing anything.
ringward_store_status check_lkg(ringward_store* store, const ringward_loader_config& config,
                                ringward_status* loader_status);

}  // namespace ringward::store
