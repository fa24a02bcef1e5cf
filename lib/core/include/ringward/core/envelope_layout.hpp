// The envelope's layout (docs/envelope.md), shared by the loader that reads
// it and the signer that writes it. Freestanding.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ringward/loader.h"

namespace ringward::envelope {

inline constexpr uint8_t kMagic[8] = {0x89, 'R', 'W', 'S', 0x0D, 0x0A, 0x1A, 0x0A};
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = RINGWARD_ENVELOPE_HEADER_BYTES;
inline constexpr size_t kSignatureSize = RINGWARD_SIGNATURE_BYTES;
// The signature covers this string, its NUL included, then the header: a
// signature made for anything else cannot be passed off as an envelope's.
inline constexpr char kContext[] = "ringward envelope v1";
inline constexpr size_t kContextSize = sizeof(kContext);
inline constexpr size_t kSignedSize = kContextSize + kHeaderSize;

// Header field offsets.
inline constexpr size_t kAtVersion = 8;
inline constexpr size_t kAtHeaderSize = 10;
inline constexpr size_t kAtAlgorithm = 12;
inline constexpr size_t kAtReserved16 = 14;
inline constexpr size_t kAtKeyId = 16;
inline constexpr size_t kAtChannel = 32;
inline constexpr size_t kAtRing = 36;
inline constexpr size_t kAtSequence = 40;
inline constexpr size_t kAtNotBefore = 48;
inline constexpr size_t kAtExpires = 56;
inline constexpr size_t kAtSensorMin = 64;
inline constexpr size_t kAtSensorMax = 72;
inline constexpr size_t kAtBlobSize = 80;
inline constexpr size_t kAtBlobHash = 88;
inline constexpr size_t kAtReserved64 = 152;

static_assert(kAtBlobHash + RINGWARD_HASH_BYTES == kAtReserved64);
static_assert(kAtReserved64 + 8 == kHeaderSize);

// The message the signature covers: context string, then header.
inline void signed_message(const uint8_t* header, uint8_t out[kSignedSize]) {
    __builtin_memcpy(out, kContext, kContextSize);
    __builtin_memcpy(out + kContextSize, header, kHeaderSize);
}

}  // namespace ringward::envelope
