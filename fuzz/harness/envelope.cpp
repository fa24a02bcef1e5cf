// Arbitrary bytes into the loader, with a fixed keyring and the 7.13 build's
// table. The first byte picks the mode: real cryptography, or hooks that
// accept any signature and any blob hash, so that mutations reach the policy
// checks, the reader and the per-instance verdicts behind them (the
// cryptography itself is libsodium's, tested by the RFC 8032 vectors).
#include <cstring>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size == 0) {
        return 0;
    }
    const bool permissive = (data[0] & 1) != 0;
    const uint8_t* envelope = data + 1;
    const size_t envelope_size = size - 1;
    const fuzz::Build& build = fuzz::example_builds().back();
    const ringward_trusted_key key = fuzz::trusted_fuzz_key();
    ringward_loader_config config = fuzz::agent_config(build, key);
    config.flags = RINGWARD_CONFIG_ANY_SENSOR;
    if (permissive) {
        config.verify = accept_any_signature;
        config.hash = echo_header_hash;
        config.hash_context = const_cast<uint8_t*>(envelope);
    }
    ringward_loaded loaded{};
    const ringward_status status =
        ringward_load(&config, envelope_size == 0 ? nullptr : envelope, envelope_size, &loaded);
    fuzz::require(static_cast<uint32_t>(status) <= RINGWARD_E_HASH_FAILED, "an unknown status");
    if (status != RINGWARD_OK) {
        fuzz::require(loaded.blob == nullptr && loaded.instance_count == 0,
                      "a refused envelope left its content visible");
        return 0;
    }
    fuzz::check_accepted(loaded, envelope, envelope_size, build);
    return 0;
}
