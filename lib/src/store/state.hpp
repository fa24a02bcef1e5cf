// The store's state record: its fields, and its fixed binary layout with a
// BLAKE2b-256 checksum that covers every field, the channel included, so a
// bit flip, a truncation, an all-zero file or another channel's record is
// told apart from a good one. docs/recovery.md gives the layout.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "ringward/store.h"

namespace ringward::store {

inline constexpr size_t kContentHashBytes = 32;

// One envelope in the store: its file is content_name(sequence).
struct Content {
    uint64_t sequence = 0;
    uint64_t size = 0;
    std::array<uint8_t, kContentHashBytes> hash{};
    bool operator==(const Content&) const = default;
};

struct State {
    uint32_t channel = 0;
    uint64_t generation = 0;
    uint64_t last_sequence = 0;
    bool has_lkg = false;
    Content lkg;
    bool has_trial = false;
    Content trial;
    uint32_t tries_left = 0;
    uint32_t attempts = 0;
    uint32_t max_tries = 0;
    uint32_t last_fallback_reason = 0;
    uint64_t last_fallback_sequence = 0;
    uint32_t last_fallback_status = 0;
    uint32_t last_fallback_loader_status = 0;
    uint32_t fallback_count = 0;
    uint32_t rollback_count = 0;
    uint32_t promotion_count = 0;
    bool operator==(const State&) const = default;
};

inline constexpr size_t kStateRecordBytes = 224;
using StateRecord = std::array<uint8_t, kStateRecordBytes>;

StateRecord encode_state(const State& state);
// RINGWARD_STORE_OK, _STATE_CORRUPT (size, magic, version, checksum, or
// fields that contradict each other) or _STATE_WRONG_CHANNEL.
ringward_store_status decode_state(std::span<const uint8_t> bytes, uint32_t channel, State* out);

// The two state slots: generation g lives in kStateSlots[g % 2], so a write
// never replaces the newest record, and the one before it is kept for a
// record that rots.
inline constexpr const char* kStateSlots[2] = {"state-a", "state-b"};
inline constexpr const char* kLockName = "lock";
inline constexpr const char* kTemporarySuffix = ".tmp";
// "content-<sequence>.rws".
std::string content_name(uint64_t sequence);

}  // namespace ringward::store
