#include "store/state.hpp"

#include <sodium.h>

#include <cstring>

namespace ringward::store {
namespace {

// Layout, little-endian (docs/recovery.md):
//   0 magic "RWSTATE1"      8 version            12 channel
//  16 generation           24 last_sequence      32 max_tries    36 flags
//  40 lkg: sequence, size, hash[32]              88 trial: the same
// 136 tries_left          140 attempts
// 144 last_fallback_reason 148 last_fallback_status 152 last_fallback_loader_status
// 156 fallback_count      160 rollback_count    164 promotion_count
// 168 last_fallback_sequence                    176..191 zero
// 192 BLAKE2b-256 of the context string and bytes 0..191
constexpr uint8_t kMagic[8] = {'R', 'W', 'S', 'T', 'A', 'T', 'E', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kChecked = 192;
constexpr char kContext[] = "ringward store state v1";
constexpr uint32_t kHasLkg = 1;
constexpr uint32_t kHasTrial = 2;

void put32(StateRecord& b, size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) {
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
void put64(StateRecord& b, size_t at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) {
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
uint32_t get32(std::span<const uint8_t> b, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
        v |= uint32_t{b[at + i]} << (8 * i);
    }
    return v;
}
uint64_t get64(std::span<const uint8_t> b, size_t at) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) {
        v |= uint64_t{b[at + i]} << (8 * i);
    }
    return v;
}

void put_content(StateRecord& b, size_t at, const Content& c) {
    put64(b, at, c.sequence);
    put64(b, at + 8, c.size);
    std::memcpy(b.data() + at + 16, c.hash.data(), c.hash.size());
}
Content get_content(std::span<const uint8_t> b, size_t at) {
    Content c;
    c.sequence = get64(b, at);
    c.size = get64(b, at + 8);
    std::memcpy(c.hash.data(), b.data() + at + 16, c.hash.size());
    return c;
}

void checksum(std::span<const uint8_t> record, uint8_t out[kContentHashBytes]) {
    crypto_generichash_state h;
    crypto_generichash_init(&h, nullptr, 0, kContentHashBytes);
    crypto_generichash_update(&h, reinterpret_cast<const unsigned char*>(kContext),
                              sizeof(kContext));
    crypto_generichash_update(&h, record.data(), kChecked);
    crypto_generichash_final(&h, out, kContentHashBytes);
}

}  // namespace

StateRecord encode_state(const State& s) {
    StateRecord b{};
    std::memcpy(b.data(), kMagic, sizeof(kMagic));
    put32(b, 8, kVersion);
    put32(b, 12, s.channel);
    put64(b, 16, s.generation);
    put64(b, 24, s.last_sequence);
    put32(b, 32, s.max_tries);
    put32(b, 36, (s.has_lkg ? kHasLkg : 0) | (s.has_trial ? kHasTrial : 0));
    put_content(b, 40, s.lkg);
    put_content(b, 88, s.trial);
    put32(b, 136, s.tries_left);
    put32(b, 140, s.attempts);
    put32(b, 144, s.last_fallback_reason);
    put32(b, 148, s.last_fallback_status);
    put32(b, 152, s.last_fallback_loader_status);
    put32(b, 156, s.fallback_count);
    put32(b, 160, s.rollback_count);
    put32(b, 164, s.promotion_count);
    put64(b, 168, s.last_fallback_sequence);
    checksum(b, b.data() + kChecked);
    return b;
}

ringward_store_status decode_state(std::span<const uint8_t> b, uint32_t channel, State* out) {
    *out = State{};
    if (b.size() != kStateRecordBytes || std::memcmp(b.data(), kMagic, sizeof(kMagic)) != 0 ||
        get32(b, 8) != kVersion) {
        return RINGWARD_STORE_E_STATE_CORRUPT;
    }
    uint8_t expected[kContentHashBytes];
    checksum(b, expected);
    if (sodium_memcmp(expected, b.data() + kChecked, sizeof(expected)) != 0) {
        return RINGWARD_STORE_E_STATE_CORRUPT;
    }
    State s;
    s.channel = get32(b, 12);
    s.generation = get64(b, 16);
    s.last_sequence = get64(b, 24);
    s.max_tries = get32(b, 32);
    const uint32_t flags = get32(b, 36);
    s.has_lkg = (flags & kHasLkg) != 0;
    s.has_trial = (flags & kHasTrial) != 0;
    s.lkg = get_content(b, 40);
    s.trial = get_content(b, 88);
    s.tries_left = get32(b, 136);
    s.attempts = get32(b, 140);
    s.last_fallback_reason = get32(b, 144);
    s.last_fallback_status = get32(b, 148);
    s.last_fallback_loader_status = get32(b, 152);
    s.fallback_count = get32(b, 156);
    s.rollback_count = get32(b, 160);
    s.promotion_count = get32(b, 164);
    s.last_fallback_sequence = get64(b, 168);
    // A record that passes its checksum but contradicts itself was written
    // by a bug, not by the store; it is refused all the same.
    const bool consistent =
        (flags & ~(kHasLkg | kHasTrial)) == 0 && s.generation != 0 &&
        (!s.has_lkg || (s.lkg.sequence != 0 && s.lkg.sequence <= s.last_sequence)) &&
        (!s.has_trial ||
         (s.trial.sequence != 0 && s.trial.sequence <= s.last_sequence &&
          (!s.has_lkg || s.lkg.sequence < s.trial.sequence) && s.tries_left <= s.max_tries &&
          s.max_tries <= RINGWARD_STORE_MAX_TRIES_INCL)) &&
        (s.has_lkg || s.lkg == Content{}) && (s.has_trial || s.trial == Content{});
    for (size_t i = 176; i < kChecked; ++i) {
        if (b[i] != 0) {
            return RINGWARD_STORE_E_STATE_CORRUPT;
        }
    }
    if (!consistent) {
        return RINGWARD_STORE_E_STATE_CORRUPT;
    }
    if (s.channel != channel) {
        return RINGWARD_STORE_E_STATE_WRONG_CHANNEL;
    }
    *out = s;
    return RINGWARD_STORE_OK;
}

std::string content_name(uint64_t sequence) {
    return "content-" + std::to_string(sequence) + ".rws";
}

}  // namespace ringward::store
