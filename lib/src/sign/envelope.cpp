// Signing: a validated blob into an envelope (docs/envelope.md).
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "ringward/core/contract.hpp"
#include "ringward/core/envelope_layout.hpp"
#include "ringward/sign.hpp"
#include "util/side_thread.hpp"

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

size_t envelope_header_size(std::span<const uint8_t> bytes) noexcept {
    const size_t size =
        bytes.size() >= kAtVersion + 2 ? header_size(load_u16(bytes.data() + kAtVersion)) : 0;
    return size != 0 ? size : kHeaderSizeV1;
}

namespace {

struct CategoryName {
    uint32_t category;
    const char* name;
};
constexpr CategoryName kCategories[] = {
    {RINGWARD_CATEGORY_SENSOR_OPERATIONS, "sensor-operations"},
    {RINGWARD_CATEGORY_SYSTEM_CRITICAL, "system-critical"},
    {RINGWARD_CATEGORY_VULNERABILITY_MANAGEMENT, "vulnerability-management"},
    {RINGWARD_CATEGORY_RAPID_RESPONSE, "rapid-response"},
};
static_assert(sizeof(kCategories) / sizeof(kCategories[0]) == RINGWARD_CATEGORY_MAX);

}  // namespace

const char* content_category_name(uint32_t category) noexcept {
    for (const CategoryName& c : kCategories) {
        if (c.category == category) {
            return c.name;
        }
    }
    return "?";
}

std::optional<uint32_t> parse_content_category(std::string_view name) noexcept {
    for (const CategoryName& c : kCategories) {
        if (name == c.name) {
            return c.category;
        }
    }
    return std::nullopt;
}

std::optional<EnvelopeHeader> peek_envelope(std::span<const uint8_t> bytes) {
    if (bytes.size() < kHeaderSizeV1 || !is_envelope(bytes)) {
        return std::nullopt;
    }
    const uint8_t* e = bytes.data();
    EnvelopeHeader h;
    h.format_version = load_u16(e + kAtVersion);
    const bool scheduled = h.format_version == kVersion2;
    if (scheduled && bytes.size() < kHeaderSizeV2) {
        return std::nullopt;
    }
    h.header_size = load_u16(e + kAtHeaderSize);
    h.algorithm = load_u16(e + kAtAlgorithm);
    std::copy(e + kAtKeyId, e + kAtKeyId + h.key_id.size(), h.key_id.begin());
    h.channel = load_u32(e + kAtChannel);
    h.sequence = load_u64(e + kAtSequence);
    h.not_before = load_u64(e + kAtNotBefore);
    h.expires = load_u64(e + kAtExpires);
    h.sensor_min = load_u64(e + kAtSensorMin);
    h.sensor_max = load_u64(e + kAtSensorMax);
    h.blob_size = load_u64(e + kAtBlobSize);
    std::copy(e + kAtBlobHash, e + kAtBlobHash + h.blob_hash.size(), h.blob_hash.begin());
    if (!scheduled) {
        h.ring = load_u32(e + kAtRing);
        return h;
    }
    h.category = load_u32(e + kAtCategory);
    h.ring_count = load_u32(e + kAtRingCount);
    for (size_t i = 0; i < std::min<size_t>(h.ring_count, kScheduleSlots); ++i) {
        const uint8_t* entry = e + kAtSchedule + i * kScheduleEntrySize;
        h.schedule.push_back({load_u32(entry), load_u64(entry + 8)});
    }
    h.ring = h.schedule.empty() ? 0 : h.schedule.back().ring;
    return h;
}

namespace {

// The schedule's rules (docs/envelope.md), the loader's canonical form.
std::optional<Diagnostic> check_schedule(const EnvelopePolicy& policy) {
    const std::vector<RingStage>& schedule = policy.schedule;
    if (policy.ring != 0) {
        return policy_error("both a ring and a ring schedule were given",
                            "a ring schedule says when each ring is admitted; give it alone");
    }
    const auto not_canonical = [](std::string message) {
        return make_diagnostic(Code::ring_schedule_not_canonical, std::move(message), {},
                               "list each ring once, in ascending order, each admitted no "
                               "earlier than the ring before it: 0:0,1:1h,2:4h,3:12h,4:24h");
    };
    if (schedule.size() > kScheduleSlots) {
        return not_canonical(fmt::format("the ring schedule lists {} rings; at most {} fit",
                                         schedule.size(), kScheduleSlots));
    }
    const uint64_t window = policy.expires - policy.not_before;  // checked > 0 before
    for (size_t i = 0; i < schedule.size(); ++i) {
        const RingStage& stage = schedule[i];
        if (i > 0 && stage.ring == schedule[i - 1].ring) {
            return not_canonical(fmt::format("ring {} is listed twice", stage.ring));
        }
        if (i > 0 && stage.ring < schedule[i - 1].ring) {
            return not_canonical(
                fmt::format("ring {} comes after ring {}: rings are listed in "
                            "ascending order",
                            stage.ring, schedule[i - 1].ring));
        }
        if (i > 0 && stage.offset < schedule[i - 1].offset) {
            return not_canonical(fmt::format(
                "ring {} would be admitted {} s after the start, before ring {} ({} s)", stage.ring,
                stage.offset, schedule[i - 1].ring, schedule[i - 1].offset));
        }
        if (stage.offset >= window) {
            return make_diagnostic(
                Code::ring_schedule_past_expiry,
                fmt::format("ring {} would be admitted {} s after the start, but the envelope "
                            "expires {} s after it: that ring would never receive it",
                            stage.ring, stage.offset, window),
                {}, "give a later expiry (--expires-in) or admit the ring sooner");
        }
    }
    if (content_category_name(policy.category)[0] == '?') {
        return make_diagnostic(
            Code::content_category_unknown,
            policy.category == 0
                ? std::string("a ring schedule needs the content's category")
                : fmt::format("content category {} is not one ringward knows", policy.category),
            {},
            "give --category sensor-operations, system-critical, vulnerability-management or "
            "rapid-response: customers delay content by its category");
    }
    return std::nullopt;
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
    if (!policy.schedule.empty() || policy.category != 0) {
        if (policy.schedule.empty()) {
            return make_diagnostic(Code::ring_schedule_not_canonical,
                                   "a content category was given without a ring schedule", {},
                                   "give the schedule too: --ring-schedule 0:0,1:1h,2:4h");
        }
        return check_schedule(policy);
    }
    return std::nullopt;
}

size_t envelope_header_size(const EnvelopePolicy& policy) noexcept {
    return header_size(policy.schedule.empty() ? kVersion1 : kVersion2);
}

Result<EnvelopeParts> sign_envelope_parts(const ValidatedBlob& blob, const SecretKey& key,
                                          const EnvelopePolicy& policy,
                                          const std::function<void(size_t)>& meanwhile) {
    if (auto error = check_envelope_policy(policy)) {
        return Result<EnvelopeParts>::failure(std::move(*error));
    }
    if (!(blob.limits() == policy.loader_limits)) {
        return Result<EnvelopeParts>::failure(policy_error(
            "the content was validated under other blob limits than the agents load it under",
            "validate with the limits the agents' loader is configured with"));
    }
    if (sodium_init() < 0) {
        core::invariant_broken();  // libsodium cannot work on this system.
    }
    const std::vector<uint8_t>& bytes = blob.bytes();
    const format::BlobView& view = blob.view();
    const bool scheduled = !policy.schedule.empty();
    const uint16_t version = scheduled ? kVersion2 : kVersion1;
    const size_t header = header_size(version);
    EnvelopeParts out;
    out.header.assign(header, 0);  // reserved fields and unused schedule slots are zero
    uint8_t* h = out.header.data();

    // The hash is the long part. The validator may have taken it already,
    // beside its checks; otherwise it runs on a second core while the header
    // is filled in and `meanwhile` runs. Either way it is taken over the
    // validated bytes themselves, which nothing writes to: what is signed is
    // what was validated.
    uint8_t digest[RINGWARD_HASH_BYTES];
    const auto hash = [&] {
        crypto_generichash(digest, sizeof(digest), bytes.data(), bytes.size(), nullptr, 0);
    };
    util::SideThread hasher;
    static_assert(ValidatedBlob::kDigestBytes == sizeof(digest));
    if (blob.digest() != nullptr) {
        // Taken by the validator from these very bytes, while it validated
        // them (ValidateOptions::take_digest).
        std::memcpy(digest, blob.digest(), sizeof(digest));
    } else if (bytes.size() < util::kHashOnSideThreadFromBytes || !hasher.start(hash)) {
        hash();  // on this thread: short, or no second thread
    }
    std::memcpy(h, kMagic, sizeof(kMagic));
    store_u16(h + kAtVersion, version);
    store_u16(h + kAtHeaderSize, static_cast<uint16_t>(header));
    store_u16(h + kAtAlgorithm, RINGWARD_ALGORITHM_ED25519);
    const KeyId id = key.id();
    std::copy(id.begin(), id.end(), h + kAtKeyId);
    store_u32(h + kAtChannel, view.channel());
    if (scheduled) {
        store_u32(h + kAtCategory, policy.category);
        store_u32(h + kAtRingCount, static_cast<uint32_t>(policy.schedule.size()));
        for (size_t i = 0; i < policy.schedule.size(); ++i) {
            uint8_t* entry = h + kAtSchedule + i * kScheduleEntrySize;
            store_u32(entry, policy.schedule[i].ring);
            store_u64(entry + 8, policy.schedule[i].offset);
        }
    } else {
        store_u32(h + kAtRing, policy.ring);
    }
    store_u64(h + kAtSequence, policy.sequence);
    store_u64(h + kAtNotBefore, policy.not_before);
    store_u64(h + kAtExpires, policy.expires);
    store_u64(h + kAtSensorMin, view.sensor_min());
    store_u64(h + kAtSensorMax, view.sensor_max());
    store_u64(h + kAtBlobSize, bytes.size());
    if (meanwhile) {
        // Should it throw, the hasher is joined on the way out, before
        // `digest` goes (it is declared after it).
        meanwhile(header);
    }
    hasher.join();
    std::memcpy(h + kAtBlobHash, digest, sizeof(digest));
    uint8_t message[kMaxSignedSize];
    const size_t length = signed_message(h, version, message);
    out.signature = key.sign(std::span<const uint8_t>(message, length));

    // minisign's habit: check the fresh signature before anyone sees it.
    // The rest of what an agent's loader checks is this function's own
    // doing (the header it just wrote, check_envelope_policy's rules) or the
    // ValidatedBlob's (the reader passed it under these very limits).
    if (!verify(out.signature, std::span<const uint8_t>(message, length), key.public_key())) {
        core::invariant_broken();  // A signature this signer made does not verify.
    }
    return Result<EnvelopeParts>::success(std::move(out));
}

Result<std::vector<uint8_t>> sign_envelope(const ValidatedBlob& blob, const SecretKey& key,
                                           const EnvelopePolicy& policy) {
    auto parts = sign_envelope_parts(blob, key, policy);
    if (!parts.ok()) {
        return Result<std::vector<uint8_t>>::failure(std::move(parts.diagnostics));
    }
    const std::vector<uint8_t>& bytes = blob.bytes();
    // Filled in order, never zero-filled first.
    std::vector<uint8_t> out;
    out.reserve(parts.value->header.size() + bytes.size() + kSignatureSize);
    out.insert(out.end(), parts.value->header.begin(), parts.value->header.end());
    out.insert(out.end(), bytes.begin(), bytes.end());
    out.insert(out.end(), parts.value->signature.begin(), parts.value->signature.end());
    return Result<std::vector<uint8_t>>::success(std::move(out));
}

Result<LocalEnvelope> sign_for_local_load(const ValidatedBlob& blob, uint64_t now) {
    const SecretKey key = SecretKey::generate();
    EnvelopePolicy policy;
    policy.sequence = 1;
    policy.not_before = now;
    policy.expires = now + kDefaultEnvelopeValiditySeconds;
    policy.loader_limits = blob.limits();
    auto envelope = sign_envelope(blob, key, policy);
    if (!envelope.ok()) {
        return Result<LocalEnvelope>::failure(std::move(envelope.diagnostics));
    }
    LocalEnvelope out;
    out.bytes = std::move(*envelope.value);
    const KeyId id = key.id();
    std::copy(id.begin(), id.end(), out.trusted.key_id);
    std::copy(key.public_key().bytes.begin(), key.public_key().bytes.end(), out.trusted.public_key);
    out.now = now;
    return Result<LocalEnvelope>::success(std::move(out));
}

Diagnostic loader_diagnostic(ringward_status status, const ringward_loaded& loaded,
                             std::string file, size_t header_size) {
    Location at;
    at.file = std::move(file);
    std::string message = ringward_status_message(status);
    if (status == RINGWARD_E_BLOB_MALFORMED) {
        // The blob starts after the header: report the offset in the file.
        at.blob_offset = static_cast<uint32_t>(header_size + loaded.read_error_offset);
        message += fmt::format(
            ": {} ({})", format::read_error_name(static_cast<format::ReadError>(loaded.read_error)),
            format::read_error_message(static_cast<format::ReadError>(loaded.read_error)));
    }
    return make_diagnostic(static_cast<Code>(800 + static_cast<int>(status)), message, at);
}

}  // namespace ringward
