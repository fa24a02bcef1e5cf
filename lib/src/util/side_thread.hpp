// A thread for work that runs beside its caller's: the hash of verify and
// sign, on a second core while the first does the rest.
//
// Where a new thread first runs is the scheduler's choice, and Linux often
// queues it on its creator's CPU, to be moved by load balancing later: on
// the 2-core machines the bench runs on, the hash of a 16 MiB blob then
// waited behind the reader for 3.4 ms, most of the time the reader takes,
// and the two ran one after the other (docs/performance.md). A SideThread
// starts on one of the process's other allowed CPUs when there is one,
// and then allows itself every CPU its creator may use again, so that the
// scheduler can still move it where it likes: the placement is a start,
// not a pin.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace ringward::util {

// Below this many bytes a hash is too short to pay for a thread (tens of
// microseconds to start): verify, sign and the validator's digest hash it
// on the caller's thread, or not at all.
inline constexpr size_t kHashOnSideThreadFromBytes = 256 * 1024;

class SideThread {
  public:
    SideThread() = default;
    SideThread(const SideThread&) = delete;
    SideThread& operator=(const SideThread&) = delete;
    // Joins the thread if it is still running.
    ~SideThread();

    // Runs `work` on a new thread. false when no thread could be started
    // (nothing runs then: the caller does the work itself). Call once.
    [[nodiscard]] bool start(std::function<void()> work);
    // Waits for the work to end; nothing when none was started or it was
    // joined already.
    void join();
    bool joinable() const noexcept { return started_; }
    // The CPU the work started on (-1 before it has, or when unknown), and
    // the one start() was called on, which the thread was kept off at first
    // (-1 when it was not: one CPU allowed, or too many to name).
    int first_cpu() const noexcept { return state_ ? state_->first_cpu.load() : -1; }
    int avoided_cpu() const noexcept { return state_ && state_->placed ? state_->avoided : -1; }

  private:
    struct State {
        std::function<void()> work;
        // The CPUs the creator may run on, which the thread takes back once
        // it runs; only when `placed` (it was started elsewhere).
        cpu_set_t allowed{};
        bool placed = false;
        int avoided = -1;
        std::atomic<int> first_cpu{-1};
    };
    static void* run(void* state);
    std::unique_ptr<State> state_;
    pthread_t thread_{};
    bool started_ = false;
};

}  // namespace ringward::util
