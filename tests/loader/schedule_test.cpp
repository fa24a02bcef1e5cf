// Envelope version 2: the signed ring schedule and content category, the
// deferral status, the customer's policy per category, the schedule's one
// encoding (at sign and at load), and the rule that the signature covers
// every header byte, the schedule included.
#include <sodium.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "ringward/core/envelope_layout.hpp"
#include "ringward/loader.h"
#include "ringward/pipeline.hpp"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"
#include "support/fixtures.hpp"
#include "support/run.hpp"

using namespace ringward;
using ringward::test::source_path;
using ringward::test::test_key;

namespace {

constexpr uint64_t kStart = 1'800'000'000;  // not_before of every envelope here
constexpr uint64_t kHour = 3600;
constexpr uint64_t kDay = 86400;
constexpr size_t kHeaderV2 = RINGWARD_ENVELOPE_V2_HEADER_BYTES;
constexpr size_t kAtSchedule = 160;
// The post-mortem's five stages.
const std::vector<RingStage> kFiveStages = {
    {0, 0}, {1, kHour}, {2, 4 * kHour}, {3, 12 * kHour}, {4, 24 * kHour}};

const ValidatedBlob& small_blob() {
    static const ValidatedBlob blob = [] {
        auto content = load_content(source_path("examples/content/small.txtpb"));
        REQUIRE(content.ok());
        auto validated = validate_content(*content.value, ringward::test::example_target());
        REQUIRE(validated.ok());
        return std::move(*validated.value);
    }();
    return blob;
}

EnvelopePolicy scheduled(std::vector<RingStage> schedule = kFiveStages,
                         uint32_t category = RINGWARD_CATEGORY_RAPID_RESPONSE) {
    EnvelopePolicy p;
    p.sequence = 40;
    p.not_before = kStart;
    p.expires = kStart + 2 * kDay;
    p.schedule = std::move(schedule);
    p.category = category;
    return p;
}

std::vector<uint8_t> sign(const SecretKey& key, const EnvelopePolicy& p = scheduled()) {
    auto envelope = sign_envelope(small_blob(), key, p);
    REQUIRE(envelope.ok());
    return std::move(*envelope.value);
}

void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) {
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
void put_u64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) {
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
}

// Signs the version 2 header again, as a forger holding the key would after
// editing it: the schedule rules must hold even under a valid signature.
void resign_v2(std::vector<uint8_t>& envelope, const SecretKey& key,
               const char* context = "ringward envelope v2") {
    std::vector<uint8_t> message(std::strlen(context) + 1 + kHeaderV2);
    std::memcpy(message.data(), context, std::strlen(context) + 1);
    std::memcpy(message.data() + std::strlen(context) + 1, envelope.data(), kHeaderV2);
    const Signature s = key.sign(message);
    std::copy(s.begin(), s.end(), envelope.end() - RINGWARD_SIGNATURE_BYTES);
}

struct Agent {
    ringward_trusted_key key{};
    std::vector<ringward_category_policy> customer;
    ringward_loader_config config{};

    explicit Agent(const SecretKey& signer, uint32_t ring = 0) {
        const KeyId id = signer.id();
        std::copy(id.begin(), id.end(), key.key_id);
        std::copy(signer.public_key().bytes.begin(), signer.public_key().bytes.end(),
                  key.public_key);
        config.keys = &key;
        config.key_count = 1;
        config.expected_channel = 293;
        config.flags = RINGWARD_CONFIG_ANY_SENSOR;
        config.ring = ring;
        config.now = kStart;
    }
    ringward_status load(const std::vector<uint8_t>& envelope, ringward_loaded* out, uint64_t now) {
        config.now = now;
        config.category_policies = customer.empty() ? nullptr : customer.data();
        config.category_policy_count = customer.size();
        *out = ringward_loaded{};
        return ringward_load(&config, envelope.data(), envelope.size(), out);
    }
    ringward_status load(const std::vector<uint8_t>& envelope, uint64_t now) {
        ringward_loaded out{};
        return load(envelope, &out, now);
    }
};

}  // namespace

TEST_CASE("sign writes version 2: the category and the schedule, in a 288-byte header") {
    const SecretKey key = test_key(1);
    const auto e = sign(key);
    REQUIRE(e.size() == kHeaderV2 + small_blob().bytes().size() + RINGWARD_SIGNATURE_BYTES);
    const auto h = peek_envelope(e);
    REQUIRE(h.has_value());
    CHECK(h->format_version == 2);
    CHECK(h->header_size == kHeaderV2);
    CHECK(h->category == RINGWARD_CATEGORY_RAPID_RESPONSE);
    CHECK(h->ring_count == 5);
    CHECK(h->schedule == kFiveStages);
    CHECK(h->ring == 4);
    // The blob follows the longer header.
    CHECK(envelope_header_size(e) == kHeaderV2);
    CHECK(std::equal(small_blob().bytes().begin(), small_blob().bytes().end(),
                     e.begin() + kHeaderV2));
    // Unused schedule slots are zero.
    CHECK(std::all_of(e.begin() + kAtSchedule + 5 * 16, e.begin() + kHeaderV2,
                      [](uint8_t b) { return b == 0; }));
}

TEST_CASE("each ring of the five stages defers until its offset, then is admitted") {
    const SecretKey key = test_key(1);
    const auto e = sign(key);
    for (const RingStage& stage : kFiveStages) {
        DYNAMIC_SECTION("ring " << stage.ring) {
            Agent agent(key, stage.ring);
            const uint64_t at = kStart + stage.offset;
            ringward_loaded loaded{};
            if (stage.offset > 0) {
                REQUIRE(agent.load(e, &loaded, at - 1) == RINGWARD_E_NOT_YET_ADMITTED);
                // "Not yet, and when": the header and the time, no content.
                CHECK(loaded.admit_at == at);
                CHECK(loaded.admission_ring == stage.ring);
                CHECK(loaded.sequence == 40);
                CHECK(loaded.channel == 293);
                CHECK(loaded.category == RINGWARD_CATEGORY_RAPID_RESPONSE);
                CHECK(loaded.format_version == 2);
                CHECK(loaded.blob == nullptr);
                CHECK(loaded.blob_size == 0);
                CHECK(loaded.instance_count == 0);
            }
            REQUIRE(agent.load(e, &loaded, at) == RINGWARD_OK);
            CHECK(loaded.admit_at == at);
            CHECK(loaded.admission_ring == stage.ring);
            CHECK(loaded.ring == 4);
            CHECK(loaded.instance_count == 10);
            CHECK(loaded.blob == e.data() + kHeaderV2);
        }
    }
}

TEST_CASE("a ring the schedule does not list is never admitted") {
    const SecretKey key = test_key(1);
    const auto e = sign(key, scheduled({{0, 0}, {2, kHour}, {4, 2 * kHour}}));
    CHECK(Agent(key, 1).load(e, kStart + kDay) == RINGWARD_E_RING_NOT_ADMITTED);
    CHECK(Agent(key, 3).load(e, kStart + kDay) == RINGWARD_E_RING_NOT_ADMITTED);
    CHECK(Agent(key, 5).load(e, kStart + kDay) == RINGWARD_E_RING_NOT_ADMITTED);
    CHECK(Agent(key, 2).load(e, kStart + kDay) == RINGWARD_OK);
}

TEST_CASE("the validity window still bounds every ring") {
    const SecretKey key = test_key(1);
    const auto e = sign(key);
    CHECK(Agent(key, 0).load(e, kStart - 1) == RINGWARD_E_NOT_YET_VALID);
    CHECK(Agent(key, 4).load(e, kStart - 1) == RINGWARD_E_NOT_YET_VALID);
    CHECK(Agent(key, 4).load(e, kStart + 2 * kDay) == RINGWARD_E_EXPIRED);
    CHECK(Agent(key, 4).load(e, kStart + 2 * kDay - 1) == RINGWARD_OK);
}

TEST_CASE("a customer delays a category and assigns it a ring, never faster than the vendor") {
    const SecretKey key = test_key(1);
    const auto e = sign(key);
    ringward_loaded loaded{};

    SECTION("a delay is added to the signed offset of the agent's ring") {
        Agent agent(key, 1);
        agent.customer = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 0, 6 * kHour}};
        REQUIRE(agent.load(e, &loaded, kStart + 7 * kHour - 1) == RINGWARD_E_NOT_YET_ADMITTED);
        CHECK(loaded.admit_at == kStart + 7 * kHour);
        CHECK(loaded.admission_ring == 1);
        CHECK(agent.load(e, kStart + 7 * kHour) == RINGWARD_OK);
    }
    SECTION("a later ring for the category: judged for that ring") {
        Agent agent(key, 0);
        agent.customer = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 4, 0}};
        REQUIRE(agent.load(e, &loaded, kStart) == RINGWARD_E_NOT_YET_ADMITTED);
        CHECK(loaded.admission_ring == 4);
        CHECK(loaded.admit_at == kStart + 24 * kHour);
    }
    SECTION("an earlier ring for the category changes nothing") {
        Agent agent(key, 3);
        agent.customer = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 0, 0}};
        REQUIRE(agent.load(e, &loaded, kStart) == RINGWARD_E_NOT_YET_ADMITTED);
        CHECK(loaded.admission_ring == 3);
        CHECK(loaded.admit_at == kStart + 12 * kHour);
    }
    SECTION("a policy for another category does not apply") {
        Agent agent(key, 0);
        agent.customer = {{RINGWARD_CATEGORY_SENSOR_OPERATIONS, 4, kDay}};
        REQUIRE(agent.load(e, &loaded, kStart) == RINGWARD_OK);
        CHECK(loaded.admit_at == kStart);
    }
    SECTION("a ring the customer assigns that the schedule does not list") {
        Agent agent(key, 0);
        agent.customer = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 7, 0}};
        CHECK(agent.load(e, kStart + kDay) == RINGWARD_E_RING_NOT_ADMITTED);
    }
    SECTION("a delay that pushes admission to or past the expiry: refused, never deferred") {
        Agent agent(key, 4);  // ring 4 at +24h, expiry at +48h
        agent.customer = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 0, 24 * kHour}};
        CHECK(agent.load(e, kStart) == RINGWARD_E_ADMITTED_AFTER_EXPIRY);
        agent.customer[0].delay = UINT64_MAX;  // would overflow not_before + offset + delay
        CHECK(agent.load(e, kStart) == RINGWARD_E_ADMITTED_AFTER_EXPIRY);
        agent.customer[0].delay = 24 * kHour - 1;  // the last second of the window
        REQUIRE(agent.load(e, &loaded, kStart) == RINGWARD_E_NOT_YET_ADMITTED);
        CHECK(loaded.admit_at == kStart + 2 * kDay - 1);
        CHECK(agent.load(e, kStart + 2 * kDay - 1) == RINGWARD_OK);
    }
}

TEST_CASE("version 1 keeps its ring policy: one ring, from not_before, no category") {
    const SecretKey key = test_key(1);
    EnvelopePolicy p = scheduled({}, 0);
    p.ring = 2;
    const auto e = sign(key, p);
    REQUIRE(e.size() == RINGWARD_ENVELOPE_HEADER_BYTES + small_blob().bytes().size() +
                            RINGWARD_SIGNATURE_BYTES);
    Agent agent(key, 2);
    // A customer policy has nothing to act on: there is no category.
    agent.customer = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 4, kDay}};
    ringward_loaded loaded{};
    REQUIRE(agent.load(e, &loaded, kStart) == RINGWARD_OK);
    CHECK(loaded.format_version == 1);
    CHECK(loaded.ring == 2);
    CHECK(loaded.category == 0);
    CHECK(loaded.admission_ring == 2);
    CHECK(loaded.admit_at == kStart);
    CHECK(Agent(key, 3).load(e, kStart) == RINGWARD_E_RING_NOT_ADMITTED);
    // An agent that requires a schedule refuses it.
    agent.config.flags |= RINGWARD_CONFIG_REQUIRE_SCHEDULE;
    CHECK(agent.load(e, kStart) == RINGWARD_E_SCHEDULE_REQUIRED);
    agent.customer.clear();
    CHECK(agent.load(sign(key), kStart + 4 * kHour) == RINGWARD_OK);
}

TEST_CASE("a schedule that is not canonical is refused at load, even under a valid signature") {
    const SecretKey key = test_key(1);
    const auto good = sign(key);
    struct Case {
        const char* name;
        void (*edit)(std::vector<uint8_t>&);
    };
    const Case cases[] = {
        {"rings unsorted",
         [](std::vector<uint8_t>& e) {
             put_u32(e, kAtSchedule + 16, 0);  // ring 1 -> 0, after ring 0
             put_u32(e, kAtSchedule, 1);
         }},
        {"a ring twice", [](std::vector<uint8_t>& e) { put_u32(e, kAtSchedule + 16, 0); }},
        {"an offset below the ring before",
         [](std::vector<uint8_t>& e) { put_u64(e, kAtSchedule + 2 * 16 + 8, kHour - 1); }},
        {"an offset that overflows 64 bits past not_before",
         [](std::vector<uint8_t>& e) { put_u64(e, kAtSchedule + 4 * 16 + 8, UINT64_MAX); }},
        {"an offset at the expiry",
         [](std::vector<uint8_t>& e) { put_u64(e, kAtSchedule + 4 * 16 + 8, 2 * kDay); }},
        {"no ring", [](std::vector<uint8_t>& e) { put_u32(e, 152, 0); }},
        {"more rings than slots", [](std::vector<uint8_t>& e) { put_u32(e, 152, 9); }},
        {"an unused slot not zero", [](std::vector<uint8_t>& e) { e[kAtSchedule + 5 * 16] = 5; }},
        {"a used slot's reserved field", [](std::vector<uint8_t>& e) { e[kAtSchedule + 4] = 1; }},
        {"an empty validity window", [](std::vector<uint8_t>& e) { put_u64(e, 56, kStart); }},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            auto e = good;
            c.edit(e);
            resign_v2(e, key);
            Agent agent(key, 4);
            ringward_loaded loaded{};
            CHECK(agent.load(e, &loaded, kStart + kDay) == RINGWARD_E_BAD_SCHEDULE);
            CHECK(loaded.blob == nullptr);
            CHECK(loaded.admit_at == 0);
        }
    }
}

TEST_CASE("sign refuses a schedule that is not canonical, each with its code") {
    const SecretKey key = test_key(1);
    struct Case {
        const char* name;
        EnvelopePolicy policy;
        Code code;
    };
    EnvelopePolicy both = scheduled();
    both.ring = 1;
    EnvelopePolicy category_alone = scheduled({});
    const std::vector<RingStage> nine = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4},
                                         {5, 5}, {6, 6}, {7, 7}, {8, 8}};
    const Case cases[] = {
        {"unsorted", scheduled({{0, 0}, {2, kHour}, {1, 2 * kHour}}),
         Code::ring_schedule_not_canonical},
        {"duplicate", scheduled({{0, 0}, {1, kHour}, {1, 2 * kHour}}),
         Code::ring_schedule_not_canonical},
        {"offsets decreasing", scheduled({{0, kHour}, {1, 0}}), Code::ring_schedule_not_canonical},
        {"nine rings", scheduled(nine), Code::ring_schedule_not_canonical},
        {"an offset past 64 bits", scheduled({{0, 0}, {1, UINT64_MAX}}),
         Code::ring_schedule_past_expiry},
        {"an offset at the expiry", scheduled({{0, 0}, {1, 2 * kDay}}),
         Code::ring_schedule_past_expiry},
        {"no category", scheduled(kFiveStages, 0), Code::content_category_unknown},
        {"an unknown category", scheduled(kFiveStages, 9), Code::content_category_unknown},
        {"a ring and a schedule", both, Code::signing_policy_invalid},
        {"a category without a schedule", category_alone, Code::ring_schedule_not_canonical},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto error = check_envelope_policy(c.policy);
            REQUIRE(error.has_value());
            CHECK(error->code == c.code);
            const auto signed_envelope = sign_envelope(small_blob(), key, c.policy);
            REQUIRE_FALSE(signed_envelope.ok());
            CHECK(signed_envelope.diagnostics.front().code == c.code);
        }
    }
    // The last second of the window is a valid offset.
    CHECK_FALSE(check_envelope_policy(scheduled({{0, 0}, {1, 2 * kDay - 1}})).has_value());
}

namespace {

struct Captured {
    std::vector<uint8_t> message;
};
int capture(const uint8_t*, const uint8_t* message, size_t length, const uint8_t*, void* context) {
    static_cast<Captured*>(context)->message.assign(message, message + length);
    return 0;
}

}  // namespace

TEST_CASE("the signature covers every header byte, the schedule included: nothing hides") {
    const SecretKey key = test_key(1);
    const auto good = sign(key);
    // What is verified is the context string and all 288 header bytes.
    Agent agent(key, 4);
    Captured captured;
    agent.config.verify = capture;
    agent.config.verify_context = &captured;
    REQUIRE(agent.load(good, kStart + kDay) == RINGWARD_OK);
    const char context[] = "ringward envelope v2";
    std::vector<uint8_t> expected(sizeof(context) + kHeaderV2);
    std::memcpy(expected.data(), context, sizeof(context));
    std::memcpy(expected.data() + sizeof(context), good.data(), kHeaderV2);
    CHECK(captured.message == expected);

    // Every bit of the header, flipped, is refused; none is deferred or
    // accepted. A schedule or category byte fails the signature.
    Agent strict(key, 4);
    for (size_t at = 0; at < kHeaderV2; ++at) {
        for (int bit = 0; bit < 8; ++bit) {
            auto e = good;
            e[at] = static_cast<uint8_t>(e[at] ^ (1u << bit));
            const ringward_status status = strict.load(e, kStart + kDay);
            INFO("byte " << at << " bit " << bit << ": " << ringward_status_name(status));
            CHECK(status != RINGWARD_OK);
            CHECK(status != RINGWARD_E_NOT_YET_ADMITTED);
            if ((at >= 36 && at < 40) || at >= 152) {
                CHECK(status ==
                      (at >= 156 && at < 160 ? RINGWARD_E_BAD_HEADER : RINGWARD_E_BAD_SIGNATURE));
            }
        }
    }

    // A version 2 header signed under version 1's context does not verify.
    auto relabelled = good;
    resign_v2(relabelled, key, "ringward envelope v1");
    CHECK(strict.load(relabelled, kStart + kDay) == RINGWARD_E_BAD_SIGNATURE);
    // Dropping to version 1 (a ring instead of a schedule) breaks the shape
    // or the signature, never admits.
    auto downgraded = good;
    downgraded[8] = 1;
    CHECK(strict.load(downgraded, kStart + kDay) == RINGWARD_E_BAD_HEADER);
}

TEST_CASE("a truncated version 2 envelope is refused before anything is read") {
    const SecretKey key = test_key(1);
    auto e = sign(key);
    e.resize(kHeaderV2 + RINGWARD_SIGNATURE_BYTES - 1);
    CHECK(Agent(key).load(e, kStart) == RINGWARD_E_TRUNCATED);
    CHECK_FALSE(peek_envelope(std::span(e.data(), kHeaderV2 - 1)).has_value());
}

TEST_CASE("the ring schedule as sign takes it: ring:offset pairs") {
    const auto parsed = parse_ring_schedule("0:0,1:1h,2:4h,3:12h,4:24h");
    REQUIRE(parsed.ok());
    CHECK(*parsed.value == kFiveStages);
    const auto unsorted = parse_ring_schedule("2:4h,1:1h");  // parsed; sign's rules refuse it
    REQUIRE(unsorted.ok());
    CHECK(unsorted.value->front() == RingStage{2, 4 * kHour});
    for (const char* bad : {"", "0", "0:", ":1h", "0:1x", "a:1h", "0:1h,", "0:0;1:1h",
                            "4294967296:0", "0:99999999999d"}) {
        INFO(bad);
        const auto refused = parse_ring_schedule(bad);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.diagnostics.front().code == Code::ring_schedule_malformed);
    }
    CHECK(format_duration(0) == "0");
    CHECK(format_duration(90 * 60) == "90m");
    CHECK(format_duration(kDay) == "1d");
    CHECK(format_duration(3601) == "3601s");
}

TEST_CASE("a rollout policy file: one entry per category, each checked where it stands") {
    const auto good = parse_rollout_policy(
        "categories { category: RAPID_RESPONSE ring: 4 delay_seconds: 21600 }\n"
        "categories { category: SENSOR_OPERATIONS ring: 1 }\n",
        "policy.txtpb", InputFormat::text);
    REQUIRE(good.ok());
    REQUIRE(good.value->size() == 2);
    CHECK((*good.value)[0].category == RINGWARD_CATEGORY_RAPID_RESPONSE);
    CHECK((*good.value)[0].ring == 4);
    CHECK((*good.value)[0].delay == 21600);
    CHECK((*good.value)[1].category == RINGWARD_CATEGORY_SENSOR_OPERATIONS);
    CHECK((*good.value)[1].delay == 0);

    struct Case {
        const char* text;
        Code code;
        uint32_t line;
    };
    const Case cases[] = {
        {"categories { category: RAPID_RESPONSE }\n"
         "categories { category: RAPID_RESPONSE ring: 4 }\n",
         Code::rollout_policy_category_duplicate, 2},
        {"categories { ring: 4 delay_seconds: 60 }\n", Code::rollout_policy_entry_invalid, 1},
        {"\ncategories { category: SYSTEM_CRITICAL delay_seconds: 31536001 }\n",
         Code::rollout_policy_entry_invalid, 2},
        // One meaning: a field given twice is refused like in every source.
        {"categories { category: SYSTEM_CRITICAL ring: 1 ring: 2 }\n", Code::text_field_repeated,
         1},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const auto refused = parse_rollout_policy(c.text, "policy.txtpb", InputFormat::text);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.diagnostics.front().code == c.code);
        CHECK(refused.diagnostics.front().location.file == "policy.txtpb");
        CHECK(refused.diagnostics.front().location.line == c.line);
    }
    // JSON too, with the same rules.
    const auto json = parse_rollout_policy(
        R"({"categories": [{"category": "RAPID_RESPONSE"}, {"category": "RAPID_RESPONSE"}]})",
        "policy.json", InputFormat::json);
    REQUIRE_FALSE(json.ok());
    CHECK(json.diagnostics.front().code == Code::rollout_policy_category_duplicate);
}
