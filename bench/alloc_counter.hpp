// Counts heap allocations made while counting is on, to prove the loader
// makes none. The bench program replaces malloc and its family (glibc 2.34
// removed the malloc hooks) and forwards to glibc's own allocator.
#pragma once

#include <cstdint>

namespace ringward::bench {

void start_counting_allocations() noexcept;
// The allocations since start_counting_allocations(); stops counting.
uint64_t stop_counting_allocations() noexcept;

}  // namespace ringward::bench
