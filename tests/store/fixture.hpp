// What the store tests share: signed envelopes of the example content for
// channel 293 (small.txtpb) and 292 (detections.txtpb), and an agent's
// loader configuration that trusts their key.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "ringward/loader.h"
#include "ringward/sign.hpp"
#include "ringward/store.h"
#include "ringward/validate.hpp"
#include "support/fixtures.hpp"
#include "support/run.hpp"

namespace ringward::test {

inline constexpr uint64_t kStoreNow = 1'800'000'000;  // 2027-01-15
inline constexpr uint32_t kChannel = 293;

inline const SecretKey& store_key() {
    static const SecretKey key = [] {
        std::array<uint8_t, 32> seed{};
        seed.fill(0x5a);
        return SecretKey::from_seed(seed);
    }();
    return key;
}

// The envelope of `content` (a path under examples/content) at `sequence`,
// valid for an hour either side of kStoreNow; signed once and kept.
inline const std::vector<uint8_t>& envelope(uint64_t sequence,
                                            const std::string& content = "small.txtpb") {
    static std::map<std::pair<std::string, uint64_t>, std::vector<uint8_t>> made;
    static std::map<std::string, ValidatedBlob> blobs;
    auto& slot = made[{content, sequence}];
    if (slot.empty()) {
        auto blob = blobs.find(content);
        if (blob == blobs.end()) {
            auto loaded = load_content(source_path("examples/content/" + content));
            REQUIRE(loaded.ok());
            auto validated = validate_content(*loaded.value, example_target());
            REQUIRE(validated.ok());
            blob = blobs.emplace(content, std::move(*validated.value)).first;
        }
        EnvelopePolicy policy;
        policy.sequence = sequence;
        policy.not_before = kStoreNow - 3600;
        policy.expires = kStoreNow + 3600;
        auto signed_envelope = sign_envelope(blob->second, store_key(), policy);
        REQUIRE(signed_envelope.ok());
        slot = std::move(*signed_envelope.value);
    }
    return slot;
}

// The loader configuration of an agent on sensor 7.13.18420, ring 0.
struct AgentConfig {
    SensorManifest manifest;
    std::vector<ringward_template_support> table;
    std::vector<ringward_trusted_key> keys;
    ringward_loader_config config{};
    AgentConfig() {
        auto loaded = load_manifest(source_path("examples/manifests/sensor-7.13.18420.txtpb"));
        REQUIRE(loaded.ok());
        manifest = std::move(*loaded.value);
        table = to_loader_table(manifest);
        TrustedKey trusted;
        trusted.key = store_key().public_key();
        trusted.id = store_key().id();
        keys = to_loader_keys(std::span(&trusted, 1));
        config.keys = keys.data();
        config.key_count = keys.size();
        config.sensor_version = format::SensorVersion{7, 13, 18420}.packed();
        config.now = kStoreNow;
        config.templates = table.data();
        config.template_count = table.size();
    }
};

}  // namespace ringward::test
