// kill -9 against a real directory: a child loops stage, select, begin
// attempt and (for two sequences in three) mark good; it is killed at a
// random moment, and the store it leaves must open, hold a state no older
// than the last one seen, and load its last known good.
//
// The moment is random within the child's work, not within wall time: the
// child says when it has finished its first round of transitions, and only
// then does the parent wait its random delay and kill. On a loaded machine a
// child killed a fixed time after fork may not have opened the store yet, so
// a wall-clock kill proved nothing there and failed the progress checks.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <random>

#include "store/fixture.hpp"
#include "store/store_internal.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

constexpr uint64_t kSequences = 1500;
constexpr int kIterations = 60;

[[noreturn]] void child_loop(const std::string& directory, const AgentConfig& agent,
                             const std::vector<const std::vector<uint8_t>*>& envelopes,
                             int started_fd) {
    for (;;) {
        ringward_store* store = nullptr;
        if (ringward_store_open(directory.c_str(), kChannel, nullptr, &store) !=
            RINGWARD_STORE_OK) {
            continue;
        }
        ringward_store_info info{};
        ringward_store_get_info(store, &info);
        const uint64_t next = info.last_sequence + 1;
        if (next > kSequences) {
            ringward_store_close(store);
            _exit(0);
        }
        ringward_status refusal = RINGWARD_OK;
        const std::vector<uint8_t>& e = *envelopes[next];
        if (ringward_store_stage(store, &agent.config, e.data(), e.size(), &refusal) !=
            RINGWARD_STORE_OK) {
            _exit(3);
        }
        for (int boot = 0; boot < 2; ++boot) {
            ringward_store_selection selection{};
            if (ringward_store_select(store, &agent.config, &selection) != RINGWARD_STORE_OK) {
                _exit(4);
            }
            if (selection.choice == RINGWARD_STORE_CHOICE_TRIAL &&
                ringward_store_begin_attempt(store, selection.sequence) != RINGWARD_STORE_OK) {
                _exit(5);
            }
            if (selection.choice == RINGWARD_STORE_CHOICE_TRIAL && next % 3 != 0 &&
                ringward_store_mark_good(store, selection.sequence) != RINGWARD_STORE_OK) {
                _exit(6);
            }
        }
        ringward_store_close(store);
        if (started_fd >= 0) {
            const char done = 1;
            if (write(started_fd, &done, 1) != 1) {
                _exit(7);
            }
            close(started_fd);
            started_fd = -1;
        }
    }
}

}  // namespace

TEST_CASE("a store killed with SIGKILL at random moments opens on a whole state every time") {
    TempDir dir;
    const std::string directory = dir.file("store");
    AgentConfig agent;
    std::vector<const std::vector<uint8_t>*> envelopes(kSequences + 1, nullptr);
    for (uint64_t s = 1; s <= kSequences; ++s) {
        envelopes[s] = &envelope(s);
    }
    std::mt19937 random(20240719);
    std::uniform_int_distribution<int> delay_us(0, 20000);
    uint64_t last_sequence = 0;
    uint64_t generation = 0;
    bool had_lkg = false;
    int killed = 0;
    for (int i = 0; i < kIterations; ++i) {
        int started[2] = {-1, -1};
        REQUIRE(pipe(started) == 0);
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            close(started[0]);
            child_loop(directory, agent, envelopes, started[1]);
        }
        close(started[1]);
        // One byte after the child's first round; none (end of file) when it
        // exits first, having finished every sequence or failed.
        char done = 0;
        const ssize_t got = read(started[0], &done, 1);
        close(started[0]);
        CHECK(got >= 0);
        usleep(static_cast<useconds_t>(delay_us(random)));
        killed += kill(child, SIGKILL) == 0 ? 1 : 0;
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        INFO("iteration " << i);
        // Killed, or finished every sequence; never failed on its own.
        REQUIRE((WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));

        ringward_store* store = nullptr;
        REQUIRE(ringward_store_open(directory.c_str(), kChannel, nullptr, &store) ==
                RINGWARD_STORE_OK);
        ringward_store_info info{};
        ringward_store_get_info(store, &info);
        CHECK_FALSE(info.recovered);
        CHECK(info.last_sequence >= last_sequence);
        CHECK(info.generation >= generation);
        CHECK((!had_lkg || info.has_lkg));
        if (info.has_lkg) {
            ringward_status loader_status = RINGWARD_OK;
            CHECK(store::check_lkg(store, agent.config, &loader_status) == RINGWARD_STORE_OK);
        }
        last_sequence = info.last_sequence;
        generation = info.generation;
        had_lkg = had_lkg || info.has_lkg;
        ringward_store_close(store);
    }
    std::printf("kill -9: %d children killed, store at generation %llu, sequence %llu\n", killed,
                static_cast<unsigned long long>(generation),
                static_cast<unsigned long long>(last_sequence));
    CHECK(had_lkg);
    CHECK(generation > 20);
}
