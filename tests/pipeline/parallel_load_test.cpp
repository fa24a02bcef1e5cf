// ParallelLoad: the loader's verdict with the hash on a second thread is
// ringward_load's, and an early verdict reached on a hash the header only
// claims is never used when the blob is not that hash's.
#include <sodium.h>
#include <catch2/catch.hpp>

#include <fmt/format.h>

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

TEST_CASE("the validator takes a blob's digest beside its checks, and the signer signs it") {
    // 3,000 instances with a 120-byte value each: a blob past the 256 KiB
    // from which the digest is taken on a second core.
    std::string text =
        "channel: 293\ncontent_version: 12\nsensor_range { min: \"7.12.0\" max: \"7.13.99999\" "
        "}\n";
    for (uint32_t id = 1; id <= 3000; ++id) {
        text += fmt::format(
            "instances {{ id: {} template_type {{ id: 1 version: 1 }} criteria {{ field: "
            "\"image_path\" op: OP_SUFFIX values {{ string: \"\\\\{:0>110}.exe\" }} }} }}\n",
            id, id);
    }
    LoadOptions load;
    load.format = InputFormat::text;
    auto content = parse_content(text, "c.txtpb", load);
    REQUIRE(content.ok());
    const ValidationTarget& target = ringward::test::example_target();
    ValidateOptions with_digest;
    with_digest.take_digest = true;
    auto taken = validate_content(*content.value, target, with_digest);
    auto plain = validate_content(*content.value, target);
    REQUIRE(taken.ok());
    REQUIRE(plain.ok());
    const std::vector<uint8_t>& bytes = taken.value->bytes();
    REQUIRE(bytes.size() >= 256 * 1024);
    CHECK(plain.value->digest() == nullptr);
    REQUIRE(taken.value->digest() != nullptr);
    uint8_t expected[ValidatedBlob::kDigestBytes];
    REQUIRE(crypto_generichash(expected, sizeof(expected), bytes.data(), bytes.size(), nullptr,
                               0) == 0);
    CHECK(std::memcmp(taken.value->digest(), expected, sizeof(expected)) == 0);
    // The blob path takes it alike.
    auto as_blob = validate_blob(bytes, "c.rwc", target, with_digest);
    REQUIRE(as_blob.ok());
    REQUIRE(as_blob.value->digest() != nullptr);
    CHECK(std::memcmp(as_blob.value->digest(), expected, sizeof(expected)) == 0);

    // The envelope is the same bytes whoever hashed, and it loads.
    const SecretKey key = test_key(7);
    const std::vector<uint8_t> envelope = sign(*taken.value, key);
    CHECK(envelope == sign(*plain.value, key));
    Agent agent(key);
    ringward_loaded loaded{};
    CHECK(ringward_load(&agent.config, envelope.data(), envelope.size(), &loaded) == RINGWARD_OK);
    CHECK(loaded.instance_count == 3000);

    // Refused content: no value, and the digest's thread stopped and
    // joined before the bytes went (the sanitizer builds run this too).
    std::vector<uint8_t> broken = bytes;
    broken[76] = 1;  // the blob header's reserved bytes: the reader refuses it
    auto refused = validate_blob(std::move(broken), "c.rwc", target, with_digest);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.diagnostics[0].location.blob_offset == 76u);
    // A finding past the reader: a value past the field's 32,768 bytes.
    std::string too_long = text;
    const size_t at = too_long.find("000000000001.exe");
    REQUIRE(at != std::string::npos);
    too_long.insert(at, std::string(40000, 'x'));
    auto found =
        validate_content(*parse_content(too_long, "c.txtpb", load).value, target, with_digest);
    REQUIRE_FALSE(found.ok());
    // A small blob: no thread, no digest.
    auto small = validate_content(
        *parse_content(ringward::test::read_text(source_path("examples/content/small.txtpb")),
                       "small.txtpb", load)
             .value,
        target, with_digest);
    REQUIRE(small.ok());
    CHECK(small.value->digest() == nullptr);
}
