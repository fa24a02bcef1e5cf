#include "util/side_thread.hpp"

#include <utility>

namespace ringward::util {

void* SideThread::run(void* argument) {
    auto* state = static_cast<SideThread::State*>(argument);
    state->first_cpu = sched_getcpu();
    if (state->placed) {
        // Failing leaves the thread where it started, which is only less
        // flexible.
        (void)pthread_setaffinity_np(pthread_self(), sizeof(state->allowed), &state->allowed);
    }
    state->work();
    return nullptr;
}

SideThread::~SideThread() {
    join();
}

bool SideThread::start(std::function<void()> work) {
    join();  // a thread still running reads state_
    state_ = std::make_unique<State>();
    state_->work = std::move(work);
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) {
        return false;
    }
    // Another CPU than this one, among those this thread may use. Not when
    // the set is past cpu_set_t's 1,024 CPUs (EINVAL), or this is the only
    // one: then the scheduler places the thread as it would anyway.
    const int here = sched_getcpu();
    if (here >= 0 && here < CPU_SETSIZE &&
        sched_getaffinity(0, sizeof(state_->allowed), &state_->allowed) == 0) {
        cpu_set_t elsewhere = state_->allowed;
        CPU_CLR(here, &elsewhere);
        state_->avoided = here;
        state_->placed =
            CPU_COUNT(&elsewhere) > 0 &&
            pthread_attr_setaffinity_np(&attributes, sizeof(elsewhere), &elsewhere) == 0;
    }
    started_ = pthread_create(&thread_, &attributes, run, state_.get()) == 0;
    pthread_attr_destroy(&attributes);
    return started_;
}

void SideThread::join() {
    if (started_) {
        pthread_join(thread_, nullptr);
        started_ = false;
    }
}

}  // namespace ringward::util
