// Crash safety, the way ALICE and CrashMonkey test file systems' users: each
// store transition runs once on the recording file system to learn its calls
// and the new state; then, for every prefix of those calls, it runs again and
// crashes there, and every tree of files that crash may leave (under both
// persistence models) is opened as a store. It must hold exactly the old
// state or the new one, the new one whenever the call had returned OK, and a
// last known good that loads.
#include <catch2/catch.hpp>

#include <cstdio>
#include <functional>

#include "store/fixture.hpp"
#include "store/mem_file_system.hpp"
#include "store/store_internal.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

const std::string kRoot = "/mem/store";

struct Opened {
    MemFileSystem fs;
    ringward_store* store = nullptr;
    explicit Opened(const FileTree& tree) : fs(kRoot, tree) {
        ringward_store_options options{};
        options.max_tries = 2;
        const ringward_store_status status =
            store::open_store(fs, kRoot.c_str(), kChannel, &options, &store);
        INFO(ringward_store_status_name(status));
        REQUIRE(status == RINGWARD_STORE_OK);
    }
    Opened(const Opened&) = delete;
    Opened& operator=(const Opened&) = delete;
    ~Opened() { ringward_store_close(store); }
};

using Transition = std::function<ringward_store_status(ringward_store*)>;

struct Figures {
    size_t calls = 0;
    size_t crash_points = 0;
    size_t trees_issued = 0;
    size_t trees_page_cache = 0;
};

// Explores `transition` from `before`; returns the tree it leaves.
FileTree explore(const char* name, const FileTree& before, const Transition& transition,
                 ringward_store_status expected, Figures& total) {
    AgentConfig agent;
    store::State old_state;
    store::State new_state;
    FileTree after;
    size_t calls = 0;
    {
        Opened run(before);
        old_state = store::current_state(run.store);
        const size_t opening = run.fs.log().size();
        REQUIRE(transition(run.store) == expected);
        new_state = store::current_state(run.store);
        calls = run.fs.log().size() - opening;
        after = run.fs.visible();
    }
    Figures figures;
    figures.calls = calls;
    for (size_t prefix = 0; prefix <= calls; ++prefix) {
        ++figures.crash_points;
        Opened run(before);
        run.fs.crash_after(static_cast<long>(prefix));
        const ringward_store_status status = transition(run.store);
        for (const Persistence model : {Persistence::issued, Persistence::page_cache}) {
            for (const FileTree& tree : run.fs.crash_states(model)) {
                (model == Persistence::issued ? figures.trees_issued : figures.trees_page_cache)++;
                INFO(name << ": crash after " << prefix << " of " << calls << " calls, model "
                          << (model == Persistence::issued ? "issued" : "page cache")
                          << ", call returned " << ringward_store_status_name(status));
                Opened reopened(tree);
                const store::State& state = store::current_state(reopened.store);
                ringward_store_info info{};
                ringward_store_get_info(reopened.store, &info);
                CHECK_FALSE(info.recovered);
                if (status == RINGWARD_STORE_OK) {
                    REQUIRE(state == new_state);
                } else {
                    REQUIRE((state == old_state || state == new_state));
                }
                if (old_state.has_lkg || state.has_lkg) {
                    ringward_status loader_status = RINGWARD_OK;
                    REQUIRE(store::check_lkg(reopened.store, agent.config, &loader_status) ==
                            RINGWARD_STORE_OK);
                    // The LKG never goes backwards: the old one or the new one.
                    CHECK((state.lkg == old_state.lkg || state.lkg == new_state.lkg));
                }
                if (state.has_trial) {
                    ringward_store_selection selection{};
                    REQUIRE(ringward_store_select(reopened.store, &agent.config, &selection) ==
                            RINGWARD_STORE_OK);
                }
                // Rollback protection never goes backwards.
                CHECK(state.last_sequence >= old_state.last_sequence);
            }
        }
        if (prefix < calls) {
            // A crash before the last call: the call cannot have succeeded,
            // unless only garbage collection was left (it is best effort).
            CHECK((status != RINGWARD_STORE_OK || run.fs.log().back().rfind("fsync", 0) == 0 ||
                   run.fs.log().back().rfind("unlink", 0) == 0));
        }
    }
    std::printf(
        "crash exploration: %-34s %2zu calls, %2zu crash points, %3zu trees (issued), %4zu trees "
        "(page cache)\n",
        name, figures.calls, figures.crash_points, figures.trees_issued, figures.trees_page_cache);
    total.calls += figures.calls;
    total.crash_points += figures.crash_points;
    total.trees_issued += figures.trees_issued;
    total.trees_page_cache += figures.trees_page_cache;
    return after;
}

Transition stage(uint64_t sequence) {
    return [sequence](ringward_store* s) {
        AgentConfig agent;
        ringward_status refusal = RINGWARD_OK;
        const std::vector<uint8_t>& e = envelope(sequence);
        return ringward_store_stage(s, &agent.config, e.data(), e.size(), &refusal);
    };
}
Transition begin(uint64_t sequence) {
    return [sequence](ringward_store* s) { return ringward_store_begin_attempt(s, sequence); };
}
Transition mark_good(uint64_t sequence) {
    return [sequence](ringward_store* s) { return ringward_store_mark_good(s, sequence); };
}
Transition select_expecting(ringward_store_choice choice) {
    return [choice](ringward_store* s) {
        AgentConfig agent;
        ringward_store_selection selection{};
        const ringward_store_status status = ringward_store_select(s, &agent.config, &selection);
        if (status == RINGWARD_STORE_OK && selection.choice != choice) {
            return RINGWARD_STORE_E_IO_FAILED;  // not what the chain expects: fails the REQUIRE
        }
        return status;
    };
}
Transition rollback() {
    return [](ringward_store* s) { return ringward_store_rollback(s); };
}

}  // namespace

TEST_CASE("every prefix of every transition's calls, crashed, leaves the old or the new state") {
    Figures total;
    FileTree tree;
    tree = explore("stage 1 into an empty store", tree, stage(1), RINGWARD_STORE_OK, total);
    tree = explore("begin attempt 1", tree, begin(1), RINGWARD_STORE_OK, total);
    tree = explore("mark good 1 (first LKG)", tree, mark_good(1), RINGWARD_STORE_OK, total);
    tree = explore("stage 2 over LKG 1", tree, stage(2), RINGWARD_STORE_OK, total);
    tree = explore("stage 3 replacing trial 2", tree, stage(3), RINGWARD_STORE_OK, total);
    tree = explore("begin attempt 3 (1 of 2)", tree, begin(3), RINGWARD_STORE_OK, total);
    tree = explore("begin attempt 3 (2 of 2)", tree, begin(3), RINGWARD_STORE_OK, total);
    tree = explore("select: tries exhausted, fall back", tree,
                   select_expecting(RINGWARD_STORE_CHOICE_LKG), RINGWARD_STORE_OK, total);
    tree = explore("stage 4", tree, stage(4), RINGWARD_STORE_OK, total);
    tree = explore("rollback of trial 4", tree, rollback(), RINGWARD_STORE_OK, total);
    tree = explore("stage 5", tree, stage(5), RINGWARD_STORE_OK, total);
    // A trial whose file rots: select drops it.
    tree["content-5.rws"][200] ^= 0x01;
    tree = explore("select: trial corrupt, fall back", tree,
                   select_expecting(RINGWARD_STORE_CHOICE_LKG), RINGWARD_STORE_OK, total);
    tree = explore("stage 6", tree, stage(6), RINGWARD_STORE_OK, total);
    tree = explore("begin attempt 6", tree, begin(6), RINGWARD_STORE_OK, total);
    tree = explore("mark good 6 (LKG 1 let go)", tree, mark_good(6), RINGWARD_STORE_OK, total);
    // LKG 1 is still named by the record before the newest, so it stays
    // until the next change; the dropped trials are gone.
    CHECK(tree.count("content-1.rws") == 1);
    CHECK(tree.count("content-6.rws") == 1);
    for (const char* dropped :
         {"content-2.rws", "content-3.rws", "content-4.rws", "content-5.rws"}) {
        CHECK(tree.count(dropped) == 0);
    }
    std::printf(
        "crash exploration: all 15 transitions: %zu calls, %zu crash points, %zu trees (issued), "
        "%zu trees (page cache)\n",
        total.calls, total.crash_points, total.trees_issued, total.trees_page_cache);
}
