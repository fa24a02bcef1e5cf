// Keys, key files, keyrings, and signing envelopes (docs/envelope.md). All
// cryptography is libsodium's: Ed25519 signatures, BLAKE2b for key ids and
// blob hashes, Argon2id and XChaCha20-Poly1305 for secret keys at rest.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/loader.h"
#include "ringward/validate.hpp"

namespace ringward {

using KeyId = std::array<uint8_t, RINGWARD_KEY_ID_BYTES>;
using Signature = std::array<uint8_t, RINGWARD_SIGNATURE_BYTES>;

struct PublicKey {
    std::array<uint8_t, RINGWARD_PUBLIC_KEY_BYTES> bytes{};
    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// The key id: 16 bytes of BLAKE2b over a domain string and the public key.
// Derived, never random, so that a key always has the same id.
KeyId key_id(const PublicKey& key);
// Lower-case hex, 32 characters.
std::string to_hex(const KeyId& id);
// Standard base64 of the 32 key bytes: the public-key line of a .pub file
// and the public_key of a keyring entry.
std::string to_base64(const PublicKey& key);

// An Ed25519 secret key (libsodium's 64-byte form: seed and public key).
// Move-only; wiped from memory when destroyed or moved from.
class SecretKey {
  public:
    // A fresh key from libsodium's random generator.
    static SecretKey generate();
    // The key for a 32-byte seed (RFC 8032's "secret key").
    static SecretKey from_seed(std::span<const uint8_t, 32> seed);

    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey();

    const PublicKey& public_key() const noexcept { return public_; }
    KeyId id() const { return key_id(public_); }
    Signature sign(std::span<const uint8_t> message) const;

    // The 64 secret bytes, for writing a key file. Handle with care.
    std::span<const uint8_t, 64> bytes() const noexcept { return bytes_; }
    // Adopts 64 secret bytes read from a key file; nullopt when their public
    // half is not the key they derive.
    [[nodiscard]] static std::optional<SecretKey> from_bytes(std::span<const uint8_t, 64> bytes);

  private:
    SecretKey() = default;
    std::array<uint8_t, 64> bytes_{};
    PublicKey public_;
};

// Whether `signature` is valid for `message` under `key`.
[[nodiscard]] bool verify(const Signature& signature, std::span<const uint8_t> message,
                          const PublicKey& key);

// A passphrase; wiped from memory when destroyed.
class Passphrase {
  public:
    explicit Passphrase(std::string text) : text_(std::move(text)) {}
    Passphrase(Passphrase&& other) noexcept;
    Passphrase& operator=(Passphrase&& other) noexcept;
    Passphrase(const Passphrase&) = delete;
    Passphrase& operator=(const Passphrase&) = delete;
    ~Passphrase();
    std::string_view text() const noexcept { return text_; }

  private:
    std::string text_;
};

// How hard Argon2id works to turn a passphrase into a key: libsodium's
// MODERATE (the default: about 256 MiB and a second) or INTERACTIVE (64 MiB,
// for tests and machines that cannot spare more).
enum class KdfStrength : uint8_t { interactive, moderate };

// Key files, a documented text format (docs/envelope.md, "Key files").
std::string format_public_key(const PublicKey& key, std::string_view comment);
[[nodiscard]] Result<PublicKey> parse_public_key(std::string_view text, std::string file);
// `passphrase` null writes the key unencrypted.
std::string format_secret_key(const SecretKey& key, const Passphrase* passphrase,
                              KdfStrength strength, std::string_view comment);
// For an encrypted key, `ask` supplies the passphrase (called at most once);
// returning nullopt is RW0852. A wrong passphrase is RW0851.
[[nodiscard]] Result<SecretKey> parse_secret_key(
    std::string_view text, std::string file, const std::function<std::optional<Passphrase>()>& ask);

// A key a keyring trusts.
struct TrustedKey {
    PublicKey key;
    KeyId id{};
    uint64_t not_before = 0;
    uint64_t not_after = 0;
    bool revoked = false;
    std::string comment;
    Location location;
};

// A keyring file (schemas/ringward/v1/keyring.proto), any format.
[[nodiscard]] Result<std::vector<TrustedKey>> load_keyring(const std::string& path);
[[nodiscard]] Result<std::vector<TrustedKey>> parse_keyring(std::string_view bytes,
                                                            std::string file, InputFormat format);
// The keyring in the loader's terms; the result is independent of `keys`.
std::vector<ringward_trusted_key> to_loader_keys(std::span<const TrustedKey> keys);
// A sensor manifest as the loader's sensor table. The entries point into
// `manifest`, which must outlive the result.
std::vector<ringward_template_support> to_loader_table(const SensorManifest& manifest);

// A customer's rollout policy file (schemas/ringward/v1/rollout_policy.proto)
// in the loader's terms, at most one entry per category. RW0875 for an entry
// with no category or a delay above kMaxEnvelopeValiditySecondsIncl, RW0876
// for a category given twice, each with its place; the parser's own codes
// (RW0004-RW0011) for a file that does not parse or could be read two ways.
[[nodiscard]] Result<std::vector<ringward_category_policy>> load_rollout_policy(
    const std::string& path);
[[nodiscard]] Result<std::vector<ringward_category_policy>> parse_rollout_policy(
    std::string_view bytes, std::string file, InputFormat format);

// An envelope valid for a year is already long for rapid-response content;
// "never expires" is not on offer (a frozen agent would accept it forever).
inline constexpr uint64_t kMaxEnvelopeValiditySecondsIncl = 365ull * 86400;
// What sign uses when no expiry is given.
inline constexpr uint64_t kDefaultEnvelopeValiditySeconds = 7ull * 86400;

// One stage of a signed ring schedule: ring `ring` is admitted `offset`
// seconds after not_before.
struct RingStage {
    uint32_t ring = 0;
    uint64_t offset = 0;
    friend bool operator==(const RingStage&, const RingStage&) = default;
};

// Content categories (RINGWARD_CATEGORY_*) by their names: "sensor-operations",
// "system-critical", "vulnerability-management", "rapid-response". The one
// list of them; "?" and nullopt for anything else.
const char* content_category_name(uint32_t category) noexcept;
[[nodiscard]] std::optional<uint32_t> parse_content_category(std::string_view name) noexcept;

// What the envelope binds besides the blob (whose channel and sensor range
// it carries over).
struct EnvelopePolicy {
    // Greater than every sequence signed before for the channel.
    uint64_t sequence = 0;
    // Unix seconds: valid from not_before, up to (not including) expires.
    uint64_t not_before = 0;
    uint64_t expires = 0;
    // Version 1 (no schedule): the highest rollout ring admitted; ring 0
    // alone is the first stage.
    uint32_t ring = 0;
    // Version 2 when not empty: per ring, when it is admitted (ring must be
    // 0 then), and the content's category (RINGWARD_CATEGORY_*), which a
    // customer's policy delays by.
    std::vector<RingStage> schedule;
    uint32_t category = 0;
    // The reader's limits the agents load under; the content must have been
    // validated under exactly these.
    format::Limits loader_limits;
};

// RW0856 signing-policy-invalid when the policy cannot be signed: sequence
// 0, an empty validity window, or one longer than
// kMaxEnvelopeValiditySecondsIncl, or both a ring and a schedule; RW0872
// for a schedule that is empty, longer than RINGWARD_MAX_SCHEDULE_RINGS,
// with rings unsorted or repeated or offsets decreasing; RW0873 for an
// offset at or past the expiry; RW0874 for a schedule without a known
// category. nullopt when it can be signed. sign_envelope checks
// it too; call it first to refuse a bad policy before validating anything.
[[nodiscard]] std::optional<Diagnostic> check_envelope_policy(const EnvelopePolicy& policy);

// An envelope in its parts, as signed: the header, then the blob it was
// signed over (the ValidatedBlob's bytes, not copied), then the signature.
struct EnvelopeParts {
    std::vector<uint8_t> header;
    Signature signature{};
};

// The header size of the envelope sign_envelope makes under `policy`:
// version 2's with a schedule, version 1's without.
[[nodiscard]] size_t envelope_header_size(const EnvelopePolicy& policy) noexcept;

// Signs a validated blob into an envelope's header and signature. The blob
// (from 256 KiB on) is hashed on a second thread while `meanwhile` (when
// given) runs on this one, handed the header size: where the blob starts in the envelope, for a
// caller that writes it out in the meantime. The new signature is verified
// under the key's public half before it is returned: a signature that does
// not verify is never handed out. (The reader is not run again: a
// ValidatedBlob is one it passed.) RW0856 for a policy that cannot be signed
// (check_envelope_policy), or content validated under other reader limits
// than policy.loader_limits; `meanwhile` does not run then.
[[nodiscard]] Result<EnvelopeParts> sign_envelope_parts(
    const ValidatedBlob& blob, const SecretKey& key, const EnvelopePolicy& policy,
    const std::function<void(size_t header_size)>& meanwhile = {});

// The same, as one buffer: header, blob, signature.
[[nodiscard]] Result<std::vector<uint8_t>> sign_envelope(const ValidatedBlob& blob,
                                                         const SecretKey& key,
                                                         const EnvelopePolicy& policy);

// A blob made ready for ringward_load in process, so that it is taken
// exactly as an agent takes it (content tests, `ringward match`): signed,
// sequence 1, valid from `now` for kDefaultEnvelopeValiditySeconds, with a
// key made for this envelope alone, which `trusted` holds as the one key to
// trust. Pass `now` to the loader too.
struct LocalEnvelope {
    std::vector<uint8_t> bytes;
    ringward_trusted_key trusted{};
    uint64_t now = 0;
};
[[nodiscard]] Result<LocalEnvelope> sign_for_local_load(const ValidatedBlob& blob, uint64_t now);

// The header of an envelope, as written, without any verification: for
// showing what an envelope claims (inspect). nullopt when too short or not
// an envelope.
struct EnvelopeHeader {
    uint16_t format_version = 0;
    uint16_t header_size = 0;
    uint16_t algorithm = 0;
    KeyId key_id{};
    uint32_t channel = 0;
    uint32_t ring = 0;
    uint64_t sequence = 0;
    uint64_t not_before = 0;
    uint64_t expires = 0;
    uint64_t sensor_min = 0;
    uint64_t sensor_max = 0;
    uint64_t blob_size = 0;
    std::array<uint8_t, RINGWARD_HASH_BYTES> blob_hash{};
    // Version 2: the category and the schedule as written (ring_count
    // entries, at most RINGWARD_MAX_SCHEDULE_RINGS shown), and `ring` its
    // last ring.
    uint32_t category = 0;
    uint32_t ring_count = 0;
    std::vector<RingStage> schedule;
};
// nullopt too for a version 2 envelope shorter than its header. An unknown
// version's header is read as version 1's.
[[nodiscard]] std::optional<EnvelopeHeader> peek_envelope(std::span<const uint8_t> bytes);
// Where the blob of an envelope of this shape starts: its version's header
// size (version 1's for a version the loader refuses).
[[nodiscard]] size_t envelope_header_size(std::span<const uint8_t> bytes) noexcept;
// Whether the bytes start with the envelope magic number.
[[nodiscard]] bool is_envelope(std::span<const uint8_t> bytes) noexcept;

// The diagnostic for a refusal of the loader (RW08nn), in `file`, whose
// header (envelope_header_size) is `header_size` bytes.
Diagnostic loader_diagnostic(ringward_status status, const ringward_loaded& loaded,
                             std::string file, size_t header_size = RINGWARD_ENVELOPE_HEADER_BYTES);

}  // namespace ringward
