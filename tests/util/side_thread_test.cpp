// SideThread: the work runs and is joined; the thread starts on a CPU other
// than its creator's when the process may use another, and may then use
// every CPU its creator may.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>

#include <atomic>

#include "util/side_thread.hpp"

using ringward::util::SideThread;

namespace {

cpu_set_t allowed_here() {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(sched_getaffinity(0, sizeof(set), &set) == 0);
    return set;
}

}  // namespace

TEST_CASE("a side thread runs its work, starts off its creator's CPU, then may use all of them") {
    const cpu_set_t creator = allowed_here();
    // Catch's assertions are for this thread: the work only records.
    std::atomic<bool> ran{false};
    int read = -1;
    cpu_set_t during;
    CPU_ZERO(&during);
    SideThread thread;
    REQUIRE(thread.start([&] {
        read = pthread_getaffinity_np(pthread_self(), sizeof(during), &during);
        ran = true;
    }));
    CHECK(thread.joinable());
    thread.join();
    CHECK_FALSE(thread.joinable());
    CHECK(ran);
    REQUIRE(read == 0);
    CHECK(thread.first_cpu() >= 0);
    // Once running it takes back the creator's CPUs: a start, not a pin.
    CHECK(CPU_EQUAL(&during, &creator));
    if (CPU_COUNT(&creator) >= 2) {
        REQUIRE(thread.avoided_cpu() >= 0);
        CHECK(thread.first_cpu() != thread.avoided_cpu());
    } else {
        CHECK(thread.avoided_cpu() == -1);
    }
}

TEST_CASE("a side thread of a creator that may use one CPU starts there") {
    const cpu_set_t creator = allowed_here();
    const int here = sched_getcpu();
    REQUIRE(here >= 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(here, &one);
    REQUIRE(sched_setaffinity(0, sizeof(one), &one) == 0);  // this thread alone
    std::atomic<int> runs{0};
    {
        SideThread thread;
        REQUIRE(thread.start([&] { ++runs; }));
        thread.join();
        CHECK(thread.avoided_cpu() == -1);
        CHECK(thread.first_cpu() == here);
        // Started again: the first run is joined before the second.
        REQUIRE(thread.start([&] { ++runs; }));
    }  // the destructor joins
    CHECK(runs == 2);
    REQUIRE(sched_setaffinity(0, sizeof(creator), &creator) == 0);
}
