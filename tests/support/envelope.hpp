// Byte-level edits of a signed envelope, as a forger holding the key (or
// a transport damaging it) would make them (docs/envelope.md).
#pragma once

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ringward/loader.h"
#include "ringward/sign.hpp"

namespace ringward::test {

inline void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
    }
}
inline void put_u64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
    }
}

// Signs the header of `envelope` (version 1 or 2, as its header says) again
// with `key`, as a forger holding that key would after changing the header
// or the blob; refreshes the blob hash first when `rehash`.
inline void resign(std::vector<uint8_t>& envelope, const SecretKey& key, bool rehash) {
    const size_t header = envelope[10] | (size_t{envelope[11]} << 8);
    const size_t blob_size = envelope.size() - header - RINGWARD_SIGNATURE_BYTES;
    if (rehash) {
        crypto_generichash(envelope.data() + 88, RINGWARD_HASH_BYTES, envelope.data() + header,
                           blob_size, nullptr, 0);
    }
    const char v1[] = "ringward envelope v1";
    const char v2[] = "ringward envelope v2";
    const char* context = envelope[8] == 2 ? v2 : v1;
    std::vector<uint8_t> message(context, context + sizeof(v1));
    message.insert(message.end(), envelope.begin(),
                   envelope.begin() + static_cast<std::ptrdiff_t>(header));
    const Signature s = key.sign(message);
    std::copy(s.begin(), s.end(), envelope.end() - RINGWARD_SIGNATURE_BYTES);
}

}  // namespace ringward::test
