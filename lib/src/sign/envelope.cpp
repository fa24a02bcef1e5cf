// Signing: a validated blob into an envelope (docs/envelope.md).
#include <fmt/format.h>
#include <sodium.h>

#include <cstring>

#include "loader/envelope_layout.hpp"
#include "ringward/sign.hpp"

namespace ringward {
namespace {

using namespace envelope;

void put_u16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}
void put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = v << 8 | p[i];
    }
    return v;
}

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
    h.format_version = static_cast<uint16_t>(e[kAtVersion] | e[kAtVersion + 1] << 8);
    h.algorithm = static_cast<uint16_t>(e[kAtAlgorithm] | e[kAtAlgorithm + 1] << 8);
    std::copy(e + kAtKeyId, e + kAtKeyId + h.key_id.size(), h.key_id.begin());
    h.channel = static_cast<uint32_t>(get_u64(e + kAtChannel) & 0xffffffff);
    h.ring = static_cast<uint32_t>(get_u64(e + kAtRing) & 0xffffffff);
    h.sequence = get_u64(e + kAtSequence);
    h.not_before = get_u64(e + kAtNotBefore);
    h.expires = get_u64(e + kAtExpires);
    h.sensor_min = get_u64(e + kAtSensorMin);
    h.sensor_max = get_u64(e + kAtSensorMax);
    h.blob_size = get_u64(e + kAtBlobSize);
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

Result<std::vector<uint8_t>> sign_envelope(const ValidatedBlob& blob, const SecretKey& key,
                                           const EnvelopePolicy& policy) {
    if (policy.sequence == 0) {
        return Result<std::vector<uint8_t>>::failure(
            policy_error("the sequence is 0", "sequences start at 1 and grow with every release"));
    }
    if (policy.expires <= policy.not_before) {
        return Result<std::vector<uint8_t>>::failure(policy_error(
            fmt::format("the validity window is empty: expires ({}) is not after not_before ({})",
                        policy.expires, policy.not_before),
            "give an expiry after the start"));
    }
    const std::vector<uint8_t>& bytes = blob.bytes();
    const format::BlobView& view = blob.view();
    std::vector<uint8_t> out(kHeaderSize + bytes.size() + kSignatureSize, 0);
    uint8_t* h = out.data();
    std::memcpy(h, kMagic, sizeof(kMagic));
    put_u16(h + kAtVersion, kVersion);
    put_u16(h + kAtHeaderSize, kHeaderSize);
    put_u16(h + kAtAlgorithm, RINGWARD_ALGORITHM_ED25519);
    const KeyId id = key.id();
    std::copy(id.begin(), id.end(), h + kAtKeyId);
    put_u32(h + kAtChannel, view.channel());
    put_u32(h + kAtRing, policy.ring);
    put_u64(h + kAtSequence, policy.sequence);
    put_u64(h + kAtNotBefore, policy.not_before);
    put_u64(h + kAtExpires, policy.expires);
    put_u64(h + kAtSensorMin, view.sensor_min());
    put_u64(h + kAtSensorMax, view.sensor_max());
    put_u64(h + kAtBlobSize, bytes.size());
    if (sodium_init() < 0) {
        std::abort();  // libsodium cannot work on this system.
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
    KnownHash known{out.data() + kHeaderSize, bytes.size(), h + kAtBlobHash};
    config.hash = known_hash;
    config.hash_context = &known;
    ringward_loaded loaded{};
    const ringward_status status = ringward_load(&config, out.data(), out.size(), &loaded);
    if (status != RINGWARD_OK) {
        std::abort();  // A signature this signer made does not verify: a broken invariant.
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
