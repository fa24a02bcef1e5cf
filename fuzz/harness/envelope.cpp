// Arbitrary bytes into the loader, with a fixed keyring (fuzz/harness/agent.hpp:
// the fuzz key, then a revoked, a not-yet-valid and an expired key) and the
// 7.13 build's table. The first byte picks the agent:
//   bit 0  hooks that accept any signature and hand back the header's own
//          blob hash, so that mutations reach the policy checks, the reader
//          and the per-instance verdicts behind them (the cryptography itself
//          is libsodium's, tested by the RFC 8032 vectors);
//   bit 1  the agent has accepted sequence 1 on the examples' channels
//          (a replay or a rollback is refused);
//   bit 2  the agent expects channel 292, is in ring 1 and checks the sensor
//          range (otherwise: any channel, ring 0, any sensor version);
//   bit 3  the hash function fails;
//   bit 4  the agent's size cap is 1 KiB;
//   bit 5  a customer policy (rapid response: ring 1, two hours late) and a
//          required ring schedule.
// Every refusal must be a known status, named, and leave no content visible;
// a deferral must name a time still to come, before the expiry; what the
// loader accepts, the header peek of `inspect` must read alike.
#include <algorithm>
#include <cstring>

#include <string_view>

#include "harness/agent.hpp"

namespace {

int accept_any_signature(const uint8_t*, const uint8_t*, size_t, const uint8_t*, void*) {
    return 0;
}

// Hands back the header's own hash: context is the envelope.
int echo_header_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t*, size_t, void* context) {
    std::memcpy(out, static_cast<const uint8_t*>(context) + 88, RINGWARD_HASH_BYTES);
    return 0;
}

int failing_hash(uint8_t*, const uint8_t*, size_t, void*) {
    return -1;
}

constexpr uint8_t kPermissive = 1u << 0;
constexpr uint8_t kChannelState = 1u << 1;
constexpr uint8_t kAgentPolicy = 1u << 2;
constexpr uint8_t kHashFails = 1u << 3;
constexpr uint8_t kSmallCap = 1u << 4;
constexpr uint8_t kCustomerPolicy = 1u << 5;

constexpr ringward_category_policy kCustomer[] = {{RINGWARD_CATEGORY_RAPID_RESPONSE, 1, 7200}};

// The examples' channels (examples/content/), each last accepted at sequence 1.
constexpr ringward_channel_state kAccepted[] = {{291, 1}, {292, 1}, {293, 1}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size == 0) {
        return 0;
    }
    const uint8_t mode = data[0];
    const uint8_t* envelope = data + 1;
    const size_t envelope_size = size - 1;
    const fuzz::Build& build = fuzz::example_builds().back();
    static const auto keyring = fuzz::fuzz_keyring();
    ringward_loader_config config = fuzz::agent_config(build, keyring[0]);
    config.keys = keyring.data();
    config.key_count = keyring.size();
    config.flags = RINGWARD_CONFIG_ANY_SENSOR;
    if ((mode & kPermissive) != 0) {
        config.verify = accept_any_signature;
        config.hash = echo_header_hash;
        config.hash_context = const_cast<uint8_t*>(envelope);
    }
    if ((mode & kChannelState) != 0) {
        config.channels = kAccepted;
        config.channel_count = sizeof(kAccepted) / sizeof(kAccepted[0]);
    }
    if ((mode & kAgentPolicy) != 0) {
        config.expected_channel = 292;
        config.ring = 1;
        config.flags = 0;
    }
    if ((mode & kHashFails) != 0) {
        config.hash = failing_hash;
    }
    if ((mode & kSmallCap) != 0) {
        config.max_envelope_bytes = 1024;
    }
    if ((mode & kCustomerPolicy) != 0) {
        config.category_policies = kCustomer;
        config.category_policy_count = 1;
        config.flags |= RINGWARD_CONFIG_REQUIRE_SCHEDULE;
    }
    // The header peek reads anything that starts like an envelope, and only that.
    const auto peeked = peek_envelope({envelope, envelope_size});
    const size_t header_size = envelope_header_size({envelope, envelope_size});
    fuzz::require(peeked.has_value() ==
                      (envelope_size >= RINGWARD_ENVELOPE_HEADER_BYTES &&
                       envelope_size >= header_size && is_envelope({envelope, envelope_size})),
                  "the header peek disagrees with the magic number");
    ringward_loaded loaded{};
    const ringward_status status =
        ringward_load(&config, envelope_size == 0 ? nullptr : envelope, envelope_size, &loaded);
    // Every status the loader returns is one loader_status.def lists.
    fuzz::require(std::string_view(ringward_status_name(status)) != "?", "an unknown status");
    fuzz::require(std::strcmp(ringward_status_name(status), "?") != 0, "a status without a name");
    const auto same_header = [&] {
        return peeked && peeked->format_version == loaded.format_version &&
               peeked->category == loaded.category && peeked->channel == loaded.channel &&
               peeked->ring == loaded.ring && peeked->sequence == loaded.sequence &&
               peeked->not_before == loaded.not_before && peeked->expires == loaded.expires &&
               peeked->sensor_min == loaded.sensor_min && peeked->sensor_max == loaded.sensor_max &&
               std::equal(peeked->key_id.begin(), peeked->key_id.end(), loaded.key_id);
    };
    if (status == RINGWARD_E_NOT_YET_ADMITTED) {
        // Not yet, and when: a time to come, within the window, and the
        // header as signed; no content.
        fuzz::require(loaded.format_version == 2 && loaded.admit_at > config.now &&
                          loaded.admit_at < loaded.expires && loaded.admit_at >= loaded.not_before,
                      "a deferral to a time that has passed or will never admit");
        fuzz::require(loaded.blob == nullptr && loaded.instance_count == 0,
                      "a deferred envelope left its content visible");
        fuzz::require(same_header(), "the header peek and the loader read a deferral differently");
        return 0;
    }
    if (status != RINGWARD_OK) {
        fuzz::require(ringward_status_message(status)[0] != '\0', "a refusal without a message");
        fuzz::require(loaded.blob == nullptr && loaded.instance_count == 0,
                      "a refused envelope left its content visible");
        if (status == RINGWARD_E_BLOB_MALFORMED) {
            const auto error = static_cast<format::ReadError>(loaded.read_error);
            // The loader refuses a blob only after the envelope's shape
            // checks, so the envelope holds a header and a signature.
            const size_t blob_size = envelope_size - header_size - RINGWARD_SIGNATURE_BYTES;
            fuzz::require(loaded.read_error_offset <= blob_size,
                          "a malformed blob's error points outside it");
            fuzz::require(std::strcmp(format::read_error_name(error), "?") != 0 &&
                              format::read_error_message(error)[0] != '\0',
                          "a reader refusal without a name or a message");
        }
        return 0;
    }
    fuzz::check_accepted(loaded, envelope, envelope_size, build);
    fuzz::require(loaded.admit_at <= config.now && same_header(),
                  "accepted before its ring's time, or read unlike the header peek");
    // The header as `inspect` and `verify` show it says what the loader read.
    fuzz::require(
        peeked && peeked->channel == loaded.channel && peeked->ring == loaded.ring &&
            peeked->sequence == loaded.sequence && peeked->not_before == loaded.not_before &&
            peeked->expires == loaded.expires && peeked->sensor_min == loaded.sensor_min &&
            peeked->sensor_max == loaded.sensor_max && peeked->blob_size == loaded.blob_size &&
            std::equal(peeked->key_id.begin(), peeked->key_id.end(), loaded.key_id),
        "the header peek and the loader read an accepted envelope differently");
    return 0;
}
