// The envelope's layout (docs/envelope.md), shared by the loader that reads
// it and the signer that writes it. Freestanding.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ringward/loader.h"

namespace ringward::envelope {

inline constexpr uint8_t kMagic[8] = {0x89, 'R', 'W', 'S', 0x0D, 0x0A, 0x1A, 0x0A};
// Version 1: one signed ring, the highest admitted. Version 2: a signed ring
// schedule (per ring, the offset from not_before at which it is admitted)
// and a content category.
inline constexpr uint16_t kVersion1 = 1;
inline constexpr uint16_t kVersion2 = 2;
inline constexpr size_t kHeaderSizeV1 = RINGWARD_ENVELOPE_HEADER_BYTES;
inline constexpr size_t kHeaderSizeV2 = RINGWARD_ENVELOPE_V2_HEADER_BYTES;
inline constexpr size_t kMaxHeaderSize = kHeaderSizeV2;
inline constexpr size_t kSignatureSize = RINGWARD_SIGNATURE_BYTES;
// The signature covers this string, its NUL included, then the header: a
// signature made for anything else cannot be passed off as an envelope's,
// nor a version 1 header's as a version 2 header's.
inline constexpr char kContextV1[] = "ringward envelope v1";
inline constexpr char kContextV2[] = "ringward envelope v2";
inline constexpr size_t kContextSize = sizeof(kContextV1);
static_assert(sizeof(kContextV2) == kContextSize);
inline constexpr size_t kMaxSignedSize = kContextSize + kMaxHeaderSize;

// Header field offsets, both versions.
inline constexpr size_t kAtVersion = 8;
inline constexpr size_t kAtHeaderSize = 10;
inline constexpr size_t kAtAlgorithm = 12;
inline constexpr size_t kAtReserved16 = 14;
inline constexpr size_t kAtKeyId = 16;
inline constexpr size_t kAtChannel = 32;
inline constexpr size_t kAtRing = 36;      // version 1
inline constexpr size_t kAtCategory = 36;  // version 2
inline constexpr size_t kAtSequence = 40;
inline constexpr size_t kAtNotBefore = 48;
inline constexpr size_t kAtExpires = 56;
inline constexpr size_t kAtSensorMin = 64;
inline constexpr size_t kAtSensorMax = 72;
inline constexpr size_t kAtBlobSize = 80;
inline constexpr size_t kAtBlobHash = 88;
inline constexpr size_t kAtReserved64 = 152;  // version 1
inline constexpr size_t kAtRingCount = 152;   // version 2
inline constexpr size_t kAtReserved32 = 156;  // version 2
// Version 2's schedule: kScheduleSlots entries of {u32 ring, u32 reserved,
// u64 offset}; the first ring_count are the schedule, the rest all zero.
inline constexpr size_t kAtSchedule = 160;
inline constexpr size_t kScheduleEntrySize = 16;
inline constexpr size_t kScheduleSlots = RINGWARD_MAX_SCHEDULE_RINGS;

static_assert(kAtBlobHash + RINGWARD_HASH_BYTES == kAtReserved64);
static_assert(kAtReserved64 + 8 == kHeaderSizeV1);
static_assert(kAtSchedule == kHeaderSizeV1);
static_assert(kAtSchedule + kScheduleSlots * kScheduleEntrySize == kHeaderSizeV2);

// The header size of a format version; 0 for a version this code does not know.
constexpr size_t header_size(uint16_t version) {
    return version == kVersion1 ? kHeaderSizeV1 : version == kVersion2 ? kHeaderSizeV2 : 0;
}

// The message the signature covers: the version's context string, then the
// header. Returns its length. Contract: header_size(version) != 0.
inline size_t signed_message(const uint8_t* header, uint16_t version, uint8_t out[kMaxSignedSize]) {
    const size_t size = header_size(version);
    __builtin_memcpy(out, version == kVersion1 ? kContextV1 : kContextV2, kContextSize);
    __builtin_memcpy(out + kContextSize, header, size);
    return kContextSize + size;
}

}  // namespace ringward::envelope
