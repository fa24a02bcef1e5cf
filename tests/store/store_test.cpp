// The store's state machine against a real directory: tries, fallback,
// promotion, rollback protection, and each kind of damaged file with the
// exact status it gets.
#include <catch2/catch.hpp>

#include <filesystem>

#include "ringward/diagnostic.hpp"
#include "store/fixture.hpp"
#include "store/state.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

struct Store {
    std::string directory;
    uint32_t channel;
    ringward_store* handle = nullptr;
    explicit Store(std::string dir, uint32_t max_tries = 3, uint32_t ch = kChannel)
        : directory(std::move(dir)), channel(ch) {
        reopen(max_tries);
    }
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    ~Store() { ringward_store_close(handle); }
    void reopen(uint32_t max_tries = 3) {
        ringward_store_close(handle);
        handle = nullptr;
        ringward_store_options options{};
        options.max_tries = max_tries;
        REQUIRE(ringward_store_open(directory.c_str(), channel, &options, &handle) ==
                RINGWARD_STORE_OK);
    }
    void close() {
        ringward_store_close(handle);
        handle = nullptr;
    }
    ringward_store_info info() const {
        ringward_store_info i{};
        ringward_store_get_info(handle, &i);
        return i;
    }
    ringward_store_status stage(const std::vector<uint8_t>& e, ringward_status* refusal = nullptr,
                                const ringward_loader_config* config = nullptr) {
        AgentConfig agent;
        ringward_status scratch = RINGWARD_OK;
        return ringward_store_stage(handle, config != nullptr ? config : &agent.config, e.data(),
                                    e.size(), refusal != nullptr ? refusal : &scratch);
    }
    // One boot: select, and begin the attempt when the choice is the trial.
    ringward_store_selection boot(const AgentConfig& agent, ringward_store_status expect = {}) {
        ringward_store_selection s{};
        REQUIRE(ringward_store_select(handle, &agent.config, &s) == expect);
        if (s.choice == RINGWARD_STORE_CHOICE_TRIAL) {
            REQUIRE(ringward_store_begin_attempt(handle, s.sequence) == RINGWARD_STORE_OK);
        }
        return s;
    }
};

std::vector<uint8_t> bytes_of(const std::string& path) {
    const std::string text = read_text(path);
    return {text.begin(), text.end()};
}
void put_bytes(const std::string& path, const std::vector<uint8_t>& b) {
    write_text(path, std::string(b.begin(), b.end()));
}
std::string newest_slot(const Store& s) {
    return s.directory + "/" + store::kStateSlots[s.info().generation % 2];
}
std::string older_slot(const Store& s) {
    return s.directory + "/" + store::kStateSlots[(s.info().generation + 1) % 2];
}

}  // namespace

TEST_CASE("a trial is tried max_tries times, then the store falls back to the LKG by itself") {
    TempDir dir;
    AgentConfig agent;
    Store s(dir.file("store"), 3);
    ringward_store_selection empty = s.boot(agent);
    CHECK(empty.choice == RINGWARD_STORE_CHOICE_NONE);

    REQUIRE(s.stage(envelope(1)) == RINGWARD_STORE_OK);
    ringward_store_selection first = s.boot(agent);
    CHECK(first.choice == RINGWARD_STORE_CHOICE_TRIAL);
    CHECK(first.loaded.sequence == 1);
    CHECK(first.loaded.instance_count > 0);
    REQUIRE(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_OK);
    CHECK(s.info().lkg_sequence == 1);

    REQUIRE(s.stage(envelope(2)) == RINGWARD_STORE_OK);
    for (uint32_t attempt = 1; attempt <= 3; ++attempt) {
        s.reopen();  // a crash: the agent starts again
        const ringward_store_selection trial = s.boot(agent);
        CHECK(trial.choice == RINGWARD_STORE_CHOICE_TRIAL);
        CHECK(trial.sequence == 2);
        CHECK(trial.tries_left == 4 - attempt);
        CHECK(s.info().trial_attempts == attempt);
    }
    s.reopen();
    const ringward_store_selection fallback = s.boot(agent);
    CHECK(fallback.choice == RINGWARD_STORE_CHOICE_LKG);
    CHECK(fallback.sequence == 1);
    CHECK(fallback.fell_back == RINGWARD_STORE_REASON_TRIES_EXHAUSTED);
    const ringward_store_info info = s.info();
    CHECK_FALSE(info.has_trial);
    CHECK(info.last_fallback_reason == RINGWARD_STORE_REASON_TRIES_EXHAUSTED);
    CHECK(info.last_fallback_sequence == 2);
    CHECK(info.fallback_count == 1);
    CHECK(info.last_sequence == 2);  // not lowered
    CHECK(ringward_store_mark_good(s.handle, 2) == RINGWARD_STORE_E_NO_TRIAL);
    // The LKG is marked good again without harm.
    CHECK(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_OK);
    // The file of the dropped trial is let go once no record names it.
    REQUIRE(s.stage(envelope(3)) == RINGWARD_STORE_OK);
    REQUIRE(s.stage(envelope(4)) == RINGWARD_STORE_OK);
    CHECK_FALSE(std::filesystem::exists(s.directory + "/content-2.rws"));
}

TEST_CASE("stage runs the loader first and keeps the state when it refuses") {
    TempDir dir;
    Store s(dir.file("store"));
    REQUIRE(s.stage(envelope(5)) == RINGWARD_STORE_OK);
    const auto refused = [&](const std::vector<uint8_t>& e) {
        const ringward_store_info before = s.info();
        ringward_status refusal = RINGWARD_OK;
        CHECK(s.stage(e, &refusal) == RINGWARD_STORE_E_ENVELOPE_REFUSED);
        CHECK(s.info().generation == before.generation);
        return refusal;
    };
    CHECK(refused(envelope(5)) == RINGWARD_E_REPLAYED);
    CHECK(refused(envelope(4)) == RINGWARD_E_ROLLBACK);
    CHECK(refused(envelope(6, "detections.txtpb")) == RINGWARD_E_WRONG_CHANNEL);
    std::vector<uint8_t> flipped = envelope(6);
    flipped[flipped.size() - 100] ^= 0x20;
    CHECK(refused(flipped) == RINGWARD_E_HASH_MISMATCH);
    CHECK(refused({}) == RINGWARD_E_TRUNCATED);
    // After a rollback the sequence stays: the dropped envelope cannot come back.
    REQUIRE(ringward_store_rollback(s.handle) == RINGWARD_STORE_OK);
    CHECK(s.info().last_fallback_reason == RINGWARD_STORE_REASON_ROLLBACK);
    CHECK(s.info().rollback_count == 1);
    CHECK(refused(envelope(5)) == RINGWARD_E_REPLAYED);
    CHECK(ringward_store_rollback(s.handle) == RINGWARD_STORE_E_NO_TRIAL);
}

TEST_CASE("begin attempt and mark good check the trial and its sequence") {
    TempDir dir;
    AgentConfig agent;
    Store s(dir.file("store"), 1);
    CHECK(ringward_store_begin_attempt(s.handle, 1) == RINGWARD_STORE_E_NO_TRIAL);
    CHECK(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_E_NO_TRIAL);
    REQUIRE(s.stage(envelope(1)) == RINGWARD_STORE_OK);
    CHECK(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_E_ATTEMPT_NOT_BEGUN);
    CHECK(ringward_store_begin_attempt(s.handle, 2) == RINGWARD_STORE_E_NOT_TRIAL);
    CHECK(ringward_store_mark_good(s.handle, 2) == RINGWARD_STORE_E_NOT_TRIAL);
    REQUIRE(ringward_store_begin_attempt(s.handle, 1) == RINGWARD_STORE_OK);
    CHECK(ringward_store_begin_attempt(s.handle, 1) == RINGWARD_STORE_E_TRIES_EXHAUSTED);
    // The one attempt is still running: it can be marked good.
    REQUIRE(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_OK);
    CHECK(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_OK);  // repeated
    CHECK(s.info().promotion_count == 1);
}

TEST_CASE("a second handle on one store is refused while the first is open") {
    TempDir dir;
    Store s(dir.file("store"));
    ringward_store* other = nullptr;
    CHECK(ringward_store_open(s.directory.c_str(), kChannel, nullptr, &other) ==
          RINGWARD_STORE_E_LOCKED);
    CHECK(other == nullptr);
    s.close();
    REQUIRE(ringward_store_open(s.directory.c_str(), kChannel, nullptr, &other) ==
            RINGWARD_STORE_OK);
    ringward_store_close(other);
}

TEST_CASE("damaged state records: the previous record, or a refusal; never a guess") {
    TempDir dir;
    AgentConfig agent;
    // A store at LKG 1 with trial 2 staged: the newest record names the
    // trial, the one before it does not.
    const auto make = [&](const std::string& name, uint32_t channel = kChannel) {
        auto s = std::make_unique<Store>(dir.file(name), 3, channel);
        const std::string content = channel == kChannel ? "small.txtpb" : "detections.txtpb";
        REQUIRE(s->stage(envelope(1, content)) == RINGWARD_STORE_OK);
        REQUIRE(ringward_store_begin_attempt(s->handle, 1) == RINGWARD_STORE_OK);
        REQUIRE(ringward_store_mark_good(s->handle, 1) == RINGWARD_STORE_OK);
        REQUIRE(s->stage(envelope(2, content)) == RINGWARD_STORE_OK);
        return s;
    };
    const auto open_status = [](const std::string& directory, uint32_t channel = kChannel) {
        ringward_store* handle = nullptr;
        const ringward_store_status status =
            ringward_store_open(directory.c_str(), channel, nullptr, &handle);
        CHECK((status == RINGWARD_STORE_OK) == (handle != nullptr));
        ringward_store_close(handle);
        return status;
    };

    SECTION("a bit flip in the newest record: the one before it, reported") {
        auto s = make("flip");
        const std::string newest = newest_slot(*s);
        s->close();
        auto b = bytes_of(newest);
        b[30] ^= 0x04;  // in last_sequence
        put_bytes(newest, b);
        s->reopen();
        const ringward_store_info info = s->info();
        CHECK(info.recovered);
        CHECK_FALSE(info.has_trial);
        CHECK(info.lkg_sequence == 1);
        CHECK(s->boot(agent).choice == RINGWARD_STORE_CHOICE_LKG);
        // The next change overwrites the damaged record.
        REQUIRE(s->stage(envelope(3)) == RINGWARD_STORE_OK);
        s->reopen();
        CHECK_FALSE(s->info().recovered);
    }
    SECTION("both records flipped, truncated or zeroed: refused") {
        auto s = make("both");
        const std::string a = newest_slot(*s);
        const std::string b = older_slot(*s);
        s->close();
        auto flip = [](const std::string& path, size_t at) {
            auto bytes = bytes_of(path);
            bytes[at] ^= 0x80;
            put_bytes(path, bytes);
        };
        flip(a, 100);
        flip(b, 200);  // in the checksum itself
        CHECK(open_status(s->directory) == RINGWARD_STORE_E_STATE_CORRUPT);
        put_bytes(a, std::vector<uint8_t>(store::kStateRecordBytes, 0));
        put_bytes(b, std::vector<uint8_t>(store::kStateRecordBytes, 0));
        CHECK(open_status(s->directory) == RINGWARD_STORE_E_STATE_CORRUPT);
        put_bytes(a, std::vector<uint8_t>(100, 0x41));
        std::filesystem::remove(b);
        CHECK(open_status(s->directory) == RINGWARD_STORE_E_STATE_CORRUPT);
        put_bytes(a, {});
        CHECK(open_status(s->directory) == RINGWARD_STORE_E_STATE_CORRUPT);
    }
    SECTION("records from another channel's store: refused as such") {
        auto mine = make("mine");
        auto theirs = make("theirs", 292);
        mine->close();
        theirs->close();
        for (const char* slot : store::kStateSlots) {
            std::filesystem::copy_file(theirs->directory + "/" + slot, mine->directory + "/" + slot,
                                       std::filesystem::copy_options::overwrite_existing);
        }
        CHECK(open_status(mine->directory) == RINGWARD_STORE_E_STATE_WRONG_CHANNEL);
        CHECK(open_status(mine->directory, 292) == RINGWARD_STORE_OK);
    }
    SECTION("the two records swapped between slots: refused") {
        auto s = make("swapped");
        const std::string a = s->directory + "/" + store::kStateSlots[0];
        const std::string b = s->directory + "/" + store::kStateSlots[1];
        s->close();
        std::filesystem::rename(a, s->directory + "/x");
        std::filesystem::rename(b, a);
        std::filesystem::rename(s->directory + "/x", b);
        CHECK(open_status(s->directory) == RINGWARD_STORE_E_STATE_CORRUPT);
    }
}

TEST_CASE("damaged envelopes: a trial is dropped with its reason, an LKG is not loaded") {
    TempDir dir;
    AgentConfig agent;
    struct Damage {
        const char* what;
        std::function<void(const std::string&)> apply;
        ringward_store_status status;
    };
    const std::vector<Damage> damages = {
        {"bit flip",
         [](const std::string& p) {
             auto b = bytes_of(p);
             b[b.size() / 2] ^= 0x01;
             put_bytes(p, b);
         },
         RINGWARD_STORE_E_CONTENT_CORRUPT},
        {"truncation",
         [](const std::string& p) {
             auto b = bytes_of(p);
             b.resize(b.size() - 1);
             put_bytes(p, b);
         },
         RINGWARD_STORE_E_CONTENT_CORRUPT},
        {"all zero",
         [](const std::string& p) { put_bytes(p, std::vector<uint8_t>(bytes_of(p).size(), 0)); },
         RINGWARD_STORE_E_CONTENT_CORRUPT},
        {"another channel's envelope",
         [](const std::string& p) { put_bytes(p, envelope(2, "detections.txtpb")); },
         RINGWARD_STORE_E_CONTENT_CORRUPT},
        {"missing", [](const std::string& p) { std::filesystem::remove(p); },
         RINGWARD_STORE_E_CONTENT_MISSING},
    };
    int n = 0;
    for (const Damage& damage : damages) {
        INFO(damage.what);
        Store s(dir.file("store" + std::to_string(n++)));
        REQUIRE(s.stage(envelope(1)) == RINGWARD_STORE_OK);
        REQUIRE(s.boot(agent).choice == RINGWARD_STORE_CHOICE_TRIAL);
        REQUIRE(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_OK);
        REQUIRE(s.stage(envelope(2)) == RINGWARD_STORE_OK);

        // The trial damaged: dropped, the LKG chosen, the reason recorded.
        damage.apply(s.directory + "/content-2.rws");
        const ringward_store_selection selection = s.boot(agent);
        CHECK(selection.choice == RINGWARD_STORE_CHOICE_LKG);
        CHECK(selection.sequence == 1);
        CHECK(selection.fell_back == (damage.status == RINGWARD_STORE_E_CONTENT_MISSING
                                          ? RINGWARD_STORE_REASON_TRIAL_MISSING
                                          : RINGWARD_STORE_REASON_TRIAL_CORRUPT));
        CHECK(s.info().last_fallback_status == damage.status);
        CHECK(s.info().last_fallback_sequence == 2);

        // The LKG damaged: nothing loaded, the status says why, the record stays.
        damage.apply(s.directory + "/content-1.rws");
        ringward_store_selection none{};
        CHECK(ringward_store_select(s.handle, &agent.config, &none) == damage.status);
        CHECK(none.choice == RINGWARD_STORE_CHOICE_NONE);
        CHECK(none.envelope == nullptr);
        CHECK(none.loaded.instance_count == 0);
        CHECK(s.info().has_lkg);
    }
}

TEST_CASE("content the loader refuses now is not loaded: a revoked key") {
    TempDir dir;
    AgentConfig agent;
    Store s(dir.file("store"));
    REQUIRE(s.stage(envelope(1)) == RINGWARD_STORE_OK);
    REQUIRE(s.boot(agent).choice == RINGWARD_STORE_CHOICE_TRIAL);
    REQUIRE(ringward_store_mark_good(s.handle, 1) == RINGWARD_STORE_OK);
    REQUIRE(s.stage(envelope(2)) == RINGWARD_STORE_OK);
    AgentConfig revoked;
    revoked.keys[0].revoked = 1;
    ringward_store_selection selection{};
    CHECK(ringward_store_select(s.handle, &revoked.config, &selection) ==
          RINGWARD_STORE_E_ENVELOPE_REFUSED);
    CHECK(selection.choice == RINGWARD_STORE_CHOICE_NONE);
    CHECK(selection.fell_back == RINGWARD_STORE_REASON_TRIAL_REFUSED);
    CHECK(selection.loader_status == RINGWARD_E_KEY_REVOKED);
    CHECK(s.info().last_fallback_loader_status == RINGWARD_E_KEY_REVOKED);
    // With the key trusted again, the LKG loads.
    CHECK(s.boot(agent).choice == RINGWARD_STORE_CHOICE_LKG);
}

TEST_CASE("every store status has a name, a message and its diagnostic code") {
    int count = 0;
#define RINGWARD_STORE_STATUS(number, ID, id, text, message)                  \
    {                                                                         \
        const auto status = RINGWARD_STORE_E_##ID;                            \
        CHECK(number >= 60);                                                  \
        CHECK(number <= 79);                                                  \
        CHECK(std::string(ringward_store_status_name(status)) == text);       \
        CHECK(std::string(ringward_store_status_message(status)) == message); \
        CHECK(std::string(code_info(Code::store_##id).name) == text);         \
        CHECK(code_id(Code::store_##id) == "RW08" + std::to_string(number));  \
        ++count;                                                              \
    }
#include "ringward/store_status.def"
#undef RINGWARD_STORE_STATUS
    CHECK(count > 0);
    CHECK(std::string(ringward_store_status_name(RINGWARD_STORE_OK)) == "ok");
    CHECK(std::string(ringward_store_reason_name(RINGWARD_STORE_REASON_ROLLBACK)) == "rollback");
}
