// Signing: a validated blob into an envelope (docs/envelope.md).
#include <fmt/format.h>
#include <sodium.h>

#include <cstring>

#include "ringward/core/contract.hpp"
#include "ringward/core/envelope_layout.hpp"
#include "ringward/sign.hpp"

namespace ringward {
namespace {

using namespace envelope;
using core::load_u16;
using core::load_u32;
using core::load_u64;
using core::store_u16;
using core::store_u32;
using core::store_u64;

Diagnostic policy_error(std::string message, std::string help) {
    return make_diagnostic(Code::signing_policy_invalid, std::move(message), {}, std::move(help));
}

}  // namespace

bool is_envelope(std::span<const uint8_t> bytes) noexcept {
    return bytes.size() >= sizeof(kMagic) && std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) == 0;
}

std::optional<EnvelopeHeader> peek_envelope(std::span<const uint8_t> bytes) {
    if (bytes.size() < kHeaderSize || !is_envelope(bytes)) {
        return std::nullopt;
    }
    const uint8_t* e = bytes.data();
    EnvelopeHeader h;
    h.format_version = load_u16(e + kAtVersion);
    h.algorithm = load_u16(e + kAtAlgorithm);
    std::copy(e + kAtKeyId, e + kAtKeyId + h.key_id.size(), h.key_id.begin());
    h.channel = load_u32(e + kAtChannel);
    h.ring = load_u32(e + kAtRing);
    h.sequence = load_u64(e + kAtSequence);
    h.not_before = load_u64(e + kAtNotBefore);
    h.expires = load_u64(e + kAtExpires);
    h.sensor_min = load_u64(e + kAtSensorMin);
    h.sensor_max = load_u64(e + kAtSensorMax);
    h.blob_size = load_u64(e + kAtBlobSize);
    std::copy(e + kAtBlobHash, e + kAtBlobHash + h.blob_hash.size(), h.blob_hash.begin());
    return h;
}

namespace {

// A hash function for the loader that knows the hash of one region.
struct KnownHash {
    const uint8_t* data;
    size_t size;
    const uint8_t* hash;
};

int known_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data, size_t length,
               void* context) {
    const auto* known = static_cast<const KnownHash*>(context);
    if (data == known->data && length == known->size) {
        std::memcpy(out, known->hash, RINGWARD_HASH_BYTES);
        return 0;
    }
    return ringward_sodium_hash(out, data, length, nullptr);
}

}  // namespace

std::optional<Diagnostic> check_envelope_policy(const EnvelopePolicy& policy) {
    if (policy.sequence == 0) {
        return policy_error("the sequence is 0",
                            "sequences start at 1 and grow with every release");
    }
    if (policy.expires <= policy.not_before) {
        return policy_error(fmt::format("the envelope would expire before it is valid: expires "
                                        "({}) is not after not_before ({})",
                                        policy.expires, policy.not_before),
                            "give an expiry after the start");
    }
    if (policy.expires - policy.not_before > kMaxEnvelopeValiditySecondsIncl) {
        return policy_error(
            fmt::format("the validity window is {} seconds; an envelope is valid for at most {} "
                        "days",
                        policy.expires - policy.not_before,
                        kMaxEnvelopeValiditySecondsIncl / 86400),
            "sign again before it expires: a frozen agent must not accept content for longer");
    }
    return std::nullopt;
}

Result<std::vector<uint8_t>> sign_envelope(const ValidatedBlob& blob, const SecretKey& key,
                                           const EnvelopePolicy& policy) {
    if (auto error = check_envelope_policy(policy)) {
        return Result<std::vector<uint8_t>>::failure(std::move(*error));
    }
    if (!(blob.limits() == policy.loader_limits)) {
        return Result<std::vector<uint8_t>>::failure(policy_error(
            "the content was validated under other blob limits than the agents load it under",
            "validate with the limits the agents' loader is configured with"));
    }
    const std::vector<uint8_t>& bytes = blob.bytes();
    const format::BlobView& view = blob.view();
    std::vector<uint8_t> out(kHeaderSize + bytes.size() + kSignatureSize, 0);
    uint8_t* h = out.data();
    std::memcpy(h, kMagic, sizeof(kMagic));
    store_u16(h + kAtVersion, kVersion);
    store_u16(h + kAtHeaderSize, kHeaderSize);
    store_u16(h + kAtAlgorithm, RINGWARD_ALGORITHM_ED25519);
    const KeyId id = key.id();
    std::copy(id.begin(), id.end(), h + kAtKeyId);
    store_u32(h + kAtChannel, view.channel());
    store_u32(h + kAtRing, policy.ring);
    store_u64(h + kAtSequence, policy.sequence);
    store_u64(h + kAtNotBefore, policy.not_before);
    store_u64(h + kAtExpires, policy.expires);
    store_u64(h + kAtSensorMin, view.sensor_min());
    store_u64(h + kAtSensorMax, view.sensor_max());
    store_u64(h + kAtBlobSize, bytes.size());
    if (sodium_init() < 0) {
        core::invariant_broken();  // libsodium cannot work on this system.
    }
    // The hash is taken over the envelope's own copy of the blob: what is
    // signed is what is written.
    std::copy(bytes.begin(), bytes.end(), out.begin() + kHeaderSize);
    crypto_generichash(h + kAtBlobHash, RINGWARD_HASH_BYTES, out.data() + kHeaderSize, bytes.size(),
                       nullptr, 0);
    uint8_t message[kSignedSize];
    signed_message(h, message);
    const Signature signature = key.sign(message);
    std::copy(signature.begin(), signature.end(), out.end() - kSignatureSize);

    // minisign's habit: check the fresh signature, with the loader an agent
    // runs, before anyone sees it. The blob's hash was taken a moment ago
    // over these very bytes; the loader is handed it rather than hashing the
    // blob a second time, and checks everything else (the signature under
    // the public key, the header, the reader) as an agent would.
    ringward_trusted_key trusted{};
    std::copy(id.begin(), id.end(), trusted.key_id);
    const PublicKey& pub = key.public_key();
    std::copy(pub.bytes.begin(), pub.bytes.end(), trusted.public_key);
    ringward_loader_config config{};
    config.keys = &trusted;
    config.key_count = 1;
    config.now = policy.not_before;
    config.flags = RINGWARD_CONFIG_ANY_SENSOR;
    config.max_envelope_bytes = out.size();
    config.blob_limits = &policy.loader_limits;
    KnownHash known{out.data() + kHeaderSize, bytes.size(), h + kAtBlobHash};
    config.hash = known_hash;
    config.hash_context = &known;
    ringward_loaded loaded{};
    const ringward_status status = ringward_load(&config, out.data(), out.size(), &loaded);
    if (status != RINGWARD_OK) {
        core::invariant_broken();  // A signature this signer made does not verify: a broken
                                   // invariant.
    }
    return Result<std::vector<uint8_t>>::success(std::move(out));
}

Diagnostic loader_diagnostic(ringward_status status, const ringward_loaded& loaded,
                             std::string file) {
    Location at;
    at.file = std::move(file);
    std::string message = ringward_status_message(status);
    if (status == RINGWARD_E_BLOB_MALFORMED) {
        // The blob starts after the header: report the offset in the file.
        at.blob_offset = static_cast<uint32_t>(kHeaderSize + loaded.read_error_offset);
        message += fmt::format(
            ": {} ({})", format::read_error_name(static_cast<format::ReadError>(loaded.read_error)),
            format::read_error_message(static_cast<format::ReadError>(loaded.read_error)));
    }
    return make_diagnostic(static_cast<Code>(800 + static_cast<int>(status)), message, at);
}

}  // namespace ringward
