// ParallelLoad: the loader's verdict with the hash on a second thread is
// ringward_load's, and an early verdict reached on a hash the header only
// claims is never used when the blob is not that hash's.
#include <sodium.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>

#include "pipeline/parallel_load.hpp"
#include "ringward/loader.h"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"
#include "support/fixtures.hpp"
#include "support/run.hpp"

using namespace ringward;
using ringward::test::source_path;
using ringward::test::test_key;

namespace {

constexpr uint64_t kNow = 1'800'000'000;
constexpr size_t kHeader = RINGWARD_ENVELOPE_HEADER_BYTES;

ValidatedBlob blob_of(const std::string& text) {
    LoadOptions options;
    options.format = InputFormat::text;
    auto content = parse_content(text, "c.txtpb", options);
    REQUIRE(content.ok());
    auto validated = validate_content(*content.value, ringward::test::example_target());
    REQUIRE(validated.ok());
    return std::move(*validated.value);
}

std::vector<uint8_t> sign(const ValidatedBlob& blob, const SecretKey& key) {
    EnvelopePolicy policy;
    policy.sequence = 12;
    policy.not_before = kNow - 3600;
    policy.expires = kNow + 3600;
    auto envelope = sign_envelope(blob, key, policy);
    REQUIRE(envelope.ok());
    return std::move(*envelope.value);
}

struct Agent {
    ringward_trusted_key key{};
    ringward_loader_config config{};
    explicit Agent(const SecretKey& signer) {
        const KeyId id = signer.id();
        std::copy(id.begin(), id.end(), key.key_id);
        std::copy(signer.public_key().bytes.begin(), signer.public_key().bytes.end(),
                  key.public_key);
        config.keys = &key;
        config.key_count = 1;
        config.now = kNow;
        config.flags = RINGWARD_CONFIG_ANY_SENSOR;
    }
};

// The hash the header claims, for any blob: what the early run sees.
int claimed_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t*, size_t, void* context) {
    std::memcpy(out, static_cast<const uint8_t*>(context), RINGWARD_HASH_BYTES);
    return 0;
}

bool same(const ringward_loaded& a, const ringward_loaded& b) {
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

}  // namespace

TEST_CASE("a parallel load decides as ringward_load does, and uses its early verdict") {
    const SecretKey key = test_key(7);
    const std::string text = ringward::test::read_text(source_path("examples/content/small.txtpb"));
    const std::vector<uint8_t> envelope = sign(blob_of(text), key);
    Agent agent(key);

    ringward_loaded sequential{};
    REQUIRE(ringward_load(&agent.config, envelope.data(), envelope.size(), &sequential) ==
            RINGWARD_OK);
    ParallelLoad parallel(envelope, nullptr, nullptr, 0);
    ringward_loaded loaded{};
    CHECK(parallel.load(agent.config, &loaded) == RINGWARD_OK);
    CHECK(parallel.used_early_verdict());
    CHECK(same(loaded, sequential));
    CHECK(loaded.instance_count > 0);

    // A refusal before the hash (an unknown key) is the same refusal.
    Agent stranger(test_key(8));
    ringward_loaded refused{};
    ParallelLoad again(envelope, nullptr, nullptr, 0);
    CHECK(again.load(stranger.config, &refused) == RINGWARD_E_UNKNOWN_KEY);

    // A blob too small to pay for a thread is loaded on this one.
    ParallelLoad small(envelope);
    ringward_loaded inline_loaded{};
    CHECK(small.load(agent.config, &inline_loaded) == RINGWARD_OK);
    CHECK_FALSE(small.used_early_verdict());
    CHECK(same(inline_loaded, sequential));
}

TEST_CASE("a blob whose claimed hash lies: the early verdict is not used") {
    const SecretKey key = test_key(7);
    const std::string text = ringward::test::read_text(source_path("examples/content/small.txtpb"));
    std::string other = text;
    const size_t at = other.find("powershell.exe");
    REQUIRE(at != std::string::npos);
    other.replace(at, 14, "powershelm.exe");  // the same length: the same blob size
    const ValidatedBlob signed_blob = blob_of(text);
    const ValidatedBlob swapped_blob = blob_of(other);
    REQUIRE(signed_blob.bytes().size() == swapped_blob.bytes().size());
    REQUIRE(signed_blob.bytes() != swapped_blob.bytes());

    // The signature and header of the first blob, carrying the second.
    std::vector<uint8_t> envelope = sign(signed_blob, key);
    std::copy(swapped_blob.bytes().begin(), swapped_blob.bytes().end(), envelope.begin() + kHeader);
    Agent agent(key);

    // Taken on the header's word, the swapped blob would be accepted: the
    // signature is good and the blob reads cleanly. That is the verdict the
    // early run reaches.
    ringward_loader_config trusting = agent.config;
    trusting.hash = claimed_hash;
    trusting.hash_context = envelope.data() + 88;  // the header's blob hash
    ringward_loaded fooled{};
    REQUIRE(ringward_load(&trusting, envelope.data(), envelope.size(), &fooled) == RINGWARD_OK);

    ringward_loaded sequential{};
    REQUIRE(ringward_load(&agent.config, envelope.data(), envelope.size(), &sequential) ==
            RINGWARD_E_HASH_MISMATCH);
    ParallelLoad parallel(envelope, nullptr, nullptr, 0);
    ringward_loaded loaded{};
    CHECK(parallel.load(agent.config, &loaded) == RINGWARD_E_HASH_MISMATCH);
    CHECK_FALSE(parallel.used_early_verdict());
    CHECK(same(loaded, sequential));
    CHECK(loaded.blob == nullptr);
    CHECK(loaded.instance_count == 0);
}

TEST_CASE("a parallel load with a hash that fails refuses as the loader does") {
    const SecretKey key = test_key(7);
    const std::string text = ringward::test::read_text(source_path("examples/content/small.txtpb"));
    const std::vector<uint8_t> envelope = sign(blob_of(text), key);
    Agent agent(key);
    const ringward_hash_fn failing = [](uint8_t*, const uint8_t*, size_t, void*) { return -1; };
    ParallelLoad parallel(envelope, failing, nullptr, 0);
    ringward_loaded loaded{};
    CHECK(parallel.load(agent.config, &loaded) == RINGWARD_E_HASH_FAILED);
    CHECK_FALSE(parallel.used_early_verdict());
}

TEST_CASE("a parallel load of an envelope of no known shape is ringward_load") {
    const SecretKey key = test_key(7);
    const std::string text = ringward::test::read_text(source_path("examples/content/small.txtpb"));
    std::vector<uint8_t> envelope = sign(blob_of(text), key);
    Agent agent(key);
    for (const size_t size : {size_t{0}, size_t{10}, kHeader, envelope.size() - 1}) {
        const std::span<const uint8_t> cut(envelope.data(), size);
        ringward_loaded sequential{};
        const ringward_status expected =
            ringward_load(&agent.config, size == 0 ? nullptr : cut.data(), size, &sequential);
        ParallelLoad parallel(cut, nullptr, nullptr, 0);
        ringward_loaded loaded{};
        CHECK(parallel.load(agent.config, &loaded) == expected);
        CHECK(expected != RINGWARD_OK);
    }
}

TEST_CASE("sign_envelope_parts runs `meanwhile` while it hashes, and makes sign_envelope's bytes") {
    const SecretKey key = test_key(7);
    const std::string text = ringward::test::read_text(source_path("examples/content/small.txtpb"));
    const ValidatedBlob blob = blob_of(text);
    EnvelopePolicy policy;
    policy.sequence = 12;
    policy.not_before = kNow - 3600;
    policy.expires = kNow + 3600;
    size_t told = 0;
    auto parts = sign_envelope_parts(blob, key, policy, [&](size_t header) { told = header; });
    REQUIRE(parts.ok());
    CHECK(told == kHeader);
    CHECK(told == envelope_header_size(policy));
    std::vector<uint8_t> joined = parts.value->header;
    joined.insert(joined.end(), blob.bytes().begin(), blob.bytes().end());
    joined.insert(joined.end(), parts.value->signature.begin(), parts.value->signature.end());
    CHECK(joined == sign(blob, key));
    Agent agent(key);
    ringward_loaded loaded{};
    CHECK(ringward_load(&agent.config, joined.data(), joined.size(), &loaded) == RINGWARD_OK);

    // A policy that cannot be signed: refused, and `meanwhile` never runs.
    policy.sequence = 0;
    bool ran = false;
    auto refused = sign_envelope_parts(blob, key, policy, [&](size_t) { ran = true; });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.diagnostics[0].code == Code::signing_policy_invalid);
    CHECK_FALSE(ran);
}
