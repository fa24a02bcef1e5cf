// What `reps` runs of one thing took: the median, and the fastest and the
// slowest beside it, so that a figure comes with how much it moved. Shared
// by every row of the bench.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

namespace ringward::bench {

struct Timing {
    double median = 0;
    double min = 0;
    double max = 0;
};

// The median (of the middle two for an even count), lowest and highest of
// `runs`, which holds one run at least.
inline Timing timing_of(std::vector<double> runs) {
    std::sort(runs.begin(), runs.end());
    const size_t n = runs.size();
    Timing t;
    t.min = runs.front();
    t.max = runs.back();
    t.median = n % 2 == 1 ? runs[n / 2] : (runs[n / 2 - 1] + runs[n / 2]) / 2;
    return t;
}

// Seconds per run of `run`, over `reps` runs.
inline Timing time_runs(int reps, const std::function<void()>& run) {
    std::vector<double> runs;
    for (int i = 0; i < reps; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        runs.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return timing_of(std::move(runs));
}

// Every byte of `data` read once, eight at a time where it can, and summed:
// the least any pass over the bytes costs, for the rows that measure what
// a check or a compile cannot go below.
inline uint64_t read_every_byte(const uint8_t* data, size_t size) {
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t word = 0;
        std::memcpy(&word, data + i, 8);
        sum += word;
    }
    for (; i < size; ++i) {
        sum += data[i];
    }
    return sum;
}

}  // namespace ringward::bench
