// What `reps` runs of one thing took: the median, and the fastest and the
// slowest beside it, so that a figure comes with how much it moved. Shared
// by every row of the bench.
#pragma once

#include <algorithm>
#include <chrono>
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

}  // namespace ringward::bench
