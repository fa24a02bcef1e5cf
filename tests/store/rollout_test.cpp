// Staged rollout on the endpoint: a deferred envelope is staged and waits,
// untried, until its ring's time; and a vendor halts a bad rollout by
// publishing the last good content under a new sequence with an immediate
// schedule (docs/rollout.md), end to end through two agents' stores.
#include <catch2/catch.hpp>

#include "ringward/store.h"
#include "store/fixture.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

constexpr uint64_t kHour = 3600;
const std::vector<RingStage> kFiveStages = {
    {0, 0}, {1, kHour}, {2, 4 * kHour}, {3, 12 * kHour}, {4, 24 * kHour}};
const std::vector<RingStage> kImmediate = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}};

// small.txtpb (channel 293) at `sequence`, version 2, from `not_before` for
// two days, category rapid response.
std::vector<uint8_t> scheduled(uint64_t sequence, uint64_t not_before,
                               const std::vector<RingStage>& schedule) {
    static const ValidatedBlob blob = [] {
        auto loaded = load_content(source_path("examples/content/small.txtpb"));
        REQUIRE(loaded.ok());
        auto validated = validate_content(*loaded.value, example_target());
        REQUIRE(validated.ok());
        return std::move(*validated.value);
    }();
    EnvelopePolicy policy;
    policy.sequence = sequence;
    policy.not_before = not_before;
    policy.expires = not_before + 48 * kHour;
    policy.schedule = schedule;
    policy.category = RINGWARD_CATEGORY_RAPID_RESPONSE;
    auto envelope = sign_envelope(blob, store_key(), policy);
    REQUIRE(envelope.ok());
    return std::move(*envelope.value);
}

// One endpoint: its ring, its clock, its store.
struct Endpoint {
    AgentConfig agent;
    ringward_store* store = nullptr;
    Endpoint(const std::string& directory, uint32_t ring) {
        agent.config.ring = ring;
        REQUIRE(ringward_store_open(directory.c_str(), kChannel, nullptr, &store) ==
                RINGWARD_STORE_OK);
    }
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;
    ~Endpoint() { ringward_store_close(store); }
    ringward_store_info info() const {
        ringward_store_info i{};
        ringward_store_get_info(store, &i);
        return i;
    }
    ringward_store_status stage(const std::vector<uint8_t>& e, ringward_status* loader) {
        return ringward_store_stage(store, &agent.config, e.data(), e.size(), loader);
    }
    // One start of the agent: select, begin an attempt on a trial, and (its
    // health signal) mark it good.
    ringward_store_selection boot() {
        ringward_store_selection s{};
        REQUIRE(ringward_store_select(store, &agent.config, &s) == RINGWARD_STORE_OK);
        if (s.choice == RINGWARD_STORE_CHOICE_TRIAL) {
            REQUIRE(ringward_store_begin_attempt(store, s.sequence) == RINGWARD_STORE_OK);
            REQUIRE(ringward_store_mark_good(store, s.sequence) == RINGWARD_STORE_OK);
        }
        return s;
    }
};

}  // namespace

TEST_CASE("a deferred envelope is staged, waits untried, and is selected at its ring's time") {
    TempDir dir;
    Endpoint ring2(dir.path(), 2);
    const auto e = scheduled(10, kStoreNow, kFiveStages);
    ringward_status loader = RINGWARD_OK;
    REQUIRE(ring2.stage(e, &loader) == RINGWARD_STORE_OK);
    CHECK(loader == RINGWARD_E_NOT_YET_ADMITTED);
    ringward_store_info info = ring2.info();
    CHECK(info.has_trial == 1);
    CHECK(info.trial_sequence == 10);
    CHECK(info.last_sequence == 10);  // signed and sound: the rollback floor rises

    // Every start before +4h: nothing to load, the trial kept, no try spent,
    // no fallback recorded (a deferral is not a failure).
    for (const uint64_t now : {kStoreNow, kStoreNow + kHour, kStoreNow + 4 * kHour - 1}) {
        ring2.agent.config.now = now;
        ringward_store_selection s{};
        REQUIRE(ringward_store_select(ring2.store, &ring2.agent.config, &s) == RINGWARD_STORE_OK);
        CHECK(s.choice == RINGWARD_STORE_CHOICE_NONE);
        CHECK(s.deferred_sequence == 10);
        CHECK(s.deferred_until == kStoreNow + 4 * kHour);
        CHECK(s.fell_back == RINGWARD_STORE_REASON_NONE);
        info = ring2.info();
        CHECK(info.has_trial == 1);
        CHECK(info.trial_tries_left == RINGWARD_STORE_DEFAULT_MAX_TRIES);
        CHECK(info.fallback_count == 0);
    }
    ring2.agent.config.now = kStoreNow + 4 * kHour;
    const ringward_store_selection s = ring2.boot();
    CHECK(s.choice == RINGWARD_STORE_CHOICE_TRIAL);
    CHECK(s.sequence == 10);
    CHECK(s.deferred_sequence == 0);
    CHECK(s.loaded.instance_count == 10);
    CHECK(ring2.info().lkg_sequence == 10);
}

TEST_CASE("while a deferred trial waits, the last known good keeps running") {
    TempDir dir;
    Endpoint ring2(dir.path(), 2);
    ringward_status loader = RINGWARD_OK;
    REQUIRE(ring2.stage(scheduled(9, kStoreNow - 48 * kHour + 1, kImmediate), &loader) ==
            RINGWARD_STORE_OK);
    REQUIRE(loader == RINGWARD_OK);
    REQUIRE(ring2.boot().sequence == 9);
    REQUIRE(ring2.stage(scheduled(10, kStoreNow, kFiveStages), &loader) == RINGWARD_STORE_OK);
    REQUIRE(loader == RINGWARD_E_NOT_YET_ADMITTED);
    const ringward_store_selection s = ring2.boot();
    CHECK(s.choice == RINGWARD_STORE_CHOICE_LKG);
    CHECK(s.sequence == 9);
    CHECK(s.deferred_sequence == 10);
    CHECK(s.deferred_until == kStoreNow + 4 * kHour);
}

TEST_CASE("halting a bad rollout: a new sequence with the last good content, admitted at once") {
    TempDir early_dir;
    TempDir late_dir;
    Endpoint ring0(early_dir.path(), 0);
    Endpoint ring2(late_dir.path(), 2);
    ringward_status loader = RINGWARD_OK;

    // Both run sequence 9, the last good content.
    const auto good = scheduled(9, kStoreNow - 24 * kHour, kFiveStages);
    for (Endpoint* endpoint : {&ring0, &ring2}) {
        REQUIRE(endpoint->stage(good, &loader) == RINGWARD_STORE_OK);
        REQUIRE(endpoint->boot().sequence == 9);
        REQUIRE(endpoint->info().lkg_sequence == 9);
    }

    // Sequence 10 is bad. Ring 0 takes it at once; ring 2 would at +4h.
    const auto bad = scheduled(10, kStoreNow, kFiveStages);
    REQUIRE(ring0.stage(bad, &loader) == RINGWARD_STORE_OK);
    CHECK(loader == RINGWARD_OK);
    CHECK(ring0.boot().sequence == 10);
    CHECK(ring0.info().lkg_sequence == 10);
    REQUIRE(ring2.stage(bad, &loader) == RINGWARD_STORE_OK);
    CHECK(loader == RINGWARD_E_NOT_YET_ADMITTED);
    CHECK(ring2.boot().sequence == 9);

    // Canary health is bad at +1h: the vendor signs the last good content as
    // sequence 11, every ring admitted at once.
    const uint64_t halt = kStoreNow + kHour;
    const auto fix = scheduled(11, halt, kImmediate);
    ring0.agent.config.now = halt;
    ring2.agent.config.now = halt;

    // Ring 0, which took the bad content: its LKG stays loadable until the
    // fix arrives, and it rolls forward to the fix.
    {
        ringward_store_selection s{};
        REQUIRE(ringward_store_select(ring0.store, &ring0.agent.config, &s) == RINGWARD_STORE_OK);
        CHECK(s.choice == RINGWARD_STORE_CHOICE_LKG);
        CHECK(s.sequence == 10);
    }
    REQUIRE(ring0.stage(fix, &loader) == RINGWARD_STORE_OK);
    CHECK(loader == RINGWARD_OK);
    CHECK(ring0.boot().sequence == 11);
    CHECK(ring0.info().lkg_sequence == 11);

    // Ring 2, still waiting: the fix replaces the deferred bad content,
    // which it never admits, not even once its time would have come.
    REQUIRE(ring2.stage(fix, &loader) == RINGWARD_STORE_OK);
    CHECK(loader == RINGWARD_OK);
    CHECK(ring2.info().trial_sequence == 11);
    CHECK(ring2.boot().sequence == 11);
    ring2.agent.config.now = kStoreNow + 5 * kHour;
    const ringward_store_selection later = ring2.boot();
    CHECK(later.choice == RINGWARD_STORE_CHOICE_LKG);
    CHECK(later.sequence == 11);
    CHECK(later.deferred_sequence == 0);

    // The sequence rules hold: the bad envelope offered again is a rollback
    // on both, the fix a replay.
    for (Endpoint* endpoint : {&ring0, &ring2}) {
        endpoint->agent.config.now = kStoreNow + 5 * kHour;
        CHECK(endpoint->stage(bad, &loader) == RINGWARD_STORE_E_ENVELOPE_REFUSED);
        CHECK(loader == RINGWARD_E_ROLLBACK);
        CHECK(endpoint->stage(fix, &loader) == RINGWARD_STORE_E_ENVELOPE_REFUSED);
        CHECK(loader == RINGWARD_E_REPLAYED);
        CHECK(endpoint->info().last_sequence == 11);
        CHECK(endpoint->info().lkg_sequence == 11);
    }
}

TEST_CASE("a customer delay past the expiry is refused by stage, not kept waiting") {
    TempDir dir;
    Endpoint ring4(dir.path(), 4);
    const ringward_category_policy slow = {RINGWARD_CATEGORY_RAPID_RESPONSE, 0, 24 * kHour};
    ring4.agent.config.category_policies = &slow;
    ring4.agent.config.category_policy_count = 1;
    ringward_status loader = RINGWARD_OK;
    CHECK(ring4.stage(scheduled(10, kStoreNow, kFiveStages), &loader) ==
          RINGWARD_STORE_E_ENVELOPE_REFUSED);
    CHECK(loader == RINGWARD_E_ADMITTED_AFTER_EXPIRY);
    CHECK(ring4.info().has_trial == 0);
    CHECK(ring4.info().last_sequence == 0);
}
