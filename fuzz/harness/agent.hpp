// A fixed agent for the loader harnesses: a deterministic test key, the
// example sensor builds' tables, and the invariants every accepted envelope
// must meet.
#pragma once

#include <array>
#include <vector>

#include "harness/targets.hpp"
#include "ringward/loader.h"
#include "ringward/sign.hpp"

namespace ringward::fuzz {

// The harnesses' keys, from fixed seeds: the first signs the seed
// envelopes; the others are in the envelope harness's keyring only to be
// refused (fuzz/seeds.cpp signs a seed with each).
inline SecretKey fuzz_key_from(uint8_t fill) {
    std::array<uint8_t, 32> seed{};
    seed.fill(fill);
    return SecretKey::from_seed(seed);
}

inline const SecretKey& fuzz_key() {
    static const SecretKey key = fuzz_key_from(0x5a);
    return key;
}

// The agents' time: inside the seeds' validity windows.
inline constexpr uint64_t kFuzzNow = 1'800'000'000;

// One sensor build's table, from its manifest.
struct Build {
    uint64_t version = 0;
    std::vector<ringward_template_support> table;
};

inline const std::vector<Build>& example_builds() {
    static const std::vector<SensorManifest> manifests = example_manifests();
    static const std::vector<Build> builds = [] {
        std::vector<Build> out;
        for (const SensorManifest& m : manifests) {
            Build b;
            b.version = m.version->packed();
            b.table = to_loader_table(m);
            out.push_back(std::move(b));
        }
        return out;
    }();
    return builds;
}

inline ringward_trusted_key trusted(const SecretKey& secret) {
    ringward_trusted_key k{};
    const KeyId id = secret.id();
    std::copy(id.begin(), id.end(), k.key_id);
    const PublicKey& pub = secret.public_key();
    std::copy(pub.bytes.begin(), pub.bytes.end(), k.public_key);
    return k;
}

inline ringward_trusted_key trusted_fuzz_key() {
    return trusted(fuzz_key());
}

// The fills of the refused keys, in keyring order after the fuzz key.
enum RefusedKeyFill : uint8_t { kRevokedFill = 0x5b, kNotYetValidFill = 0x5c, kExpiredFill = 0x5d };

// The envelope harness's keyring: the fuzz key, then a revoked key, one not
// yet valid and one expired at kFuzzNow.
inline std::array<ringward_trusted_key, 4> fuzz_keyring() {
    std::array<ringward_trusted_key, 4> keys{
        trusted_fuzz_key(), trusted(fuzz_key_from(kRevokedFill)),
        trusted(fuzz_key_from(kNotYetValidFill)), trusted(fuzz_key_from(kExpiredFill))};
    keys[1].revoked = 1;
    keys[2].not_before = kFuzzNow + 1;
    keys[3].not_before = 1'600'000'000;
    keys[3].not_after = kFuzzNow - 1;
    return keys;
}

// The loader configuration of an agent on `build` that trusts `key`, at a
// time inside the seeds' validity windows.
inline ringward_loader_config agent_config(const Build& build, const ringward_trusted_key& key) {
    ringward_loader_config config{};
    config.keys = &key;
    config.key_count = 1;
    config.sensor_version = build.version;
    config.now = kFuzzNow;
    config.templates = build.table.data();
    config.template_count = build.table.size();
    return config;
}

// What must hold of any envelope the loader accepted, whatever it holds.
inline void check_accepted(const ringward_loaded& loaded, const uint8_t* data, size_t size,
                           const Build& build) {
    require(loaded.blob >= data && loaded.blob_size <= size &&
                static_cast<size_t>(loaded.blob - data) <= size - loaded.blob_size,
            "the accepted blob lies outside the envelope");
    require(loaded.evaluable_count + loaded.skipped_count == loaded.instance_count,
            "evaluable and skipped do not add up");
    uint32_t evaluable = 0;
    for (uint32_t i = 0; i < loaded.instance_count; ++i) {
        ringward_instance instance{};
        ringward_instance_at(&loaded, i, &instance);
        const ringward_template_support* support = nullptr;
        for (const auto& t : build.table) {
            if (t.id == instance.template_type_id && t.version == instance.template_type_version) {
                support = &t;
            }
        }
        if (instance.status == RINGWARD_EVALUABLE) {
            // The Channel 291 rule: the template type's declared fields fit
            // the sensor's input array, whichever fields the criteria name.
            require(support != nullptr && instance.field_count <= support->input_count,
                    "an evaluable instance declares more fields than the sensor supplies");
        }
        for (uint32_t k = 0; k < instance.criterion_count; ++k) {
            ringward_criterion c{};
            ringward_criterion_at(&loaded, i, k, &c);
            if (instance.status != RINGWARD_EVALUABLE) {
                continue;
            }
            // The promise: nothing evaluable reads an input the sensor does
            // not supply, or reads it as another type (a field reference
            // reads two inputs).
            require(c.field_index < support->input_count &&
                        (c.field_ref == 0 || c.ref_field_index < support->input_count),
                    "an evaluable instance has a criterion on an input the sensor does not supply");
            require(c.kind == support->input_types[c.field_index] &&
                        (c.field_ref == 0 || c.kind == support->input_types[c.ref_field_index]),
                    "an evaluable instance has a value of another type than its input");
        }
        evaluable += instance.status == RINGWARD_EVALUABLE ? 1 : 0;
    }
    require(evaluable == loaded.evaluable_count, "the evaluable count is wrong");
}

}  // namespace ringward::fuzz
