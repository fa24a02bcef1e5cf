// Little-endian loads and stores: the one place ringward turns integers into
// the bytes of the blob and envelope formats (docs/format.md, docs/envelope.md)
// and back. Kernel-safe: compiler built-ins only.
//
// On a little-endian machine a memcpy is one unaligned load or store; on any
// other the bytes are assembled, so the formats read the same everywhere.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ringward::core {

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
inline uint16_t load_u16(const uint8_t* p) noexcept {
    uint16_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}
inline uint32_t load_u32(const uint8_t* p) noexcept {
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}
inline uint64_t load_u64(const uint8_t* p) noexcept {
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}
inline void store_u16(uint8_t* p, uint16_t v) noexcept {
    __builtin_memcpy(p, &v, sizeof(v));
}
inline void store_u32(uint8_t* p, uint32_t v) noexcept {
    __builtin_memcpy(p, &v, sizeof(v));
}
inline void store_u64(uint8_t* p, uint64_t v) noexcept {
    __builtin_memcpy(p, &v, sizeof(v));
}
#else
inline uint16_t load_u16(const uint8_t* p) noexcept {
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}
inline uint32_t load_u32(const uint8_t* p) noexcept {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint64_t load_u64(const uint8_t* p) noexcept {
    return uint64_t{load_u32(p)} | uint64_t{load_u32(p + 4)} << 32;
}
inline void store_u16(uint8_t* p, uint16_t v) noexcept {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}
inline void store_u32(uint8_t* p, uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
inline void store_u64(uint8_t* p, uint64_t v) noexcept {
    store_u32(p, static_cast<uint32_t>(v));
    store_u32(p + 4, static_cast<uint32_t>(v >> 32));
}
#endif

}  // namespace ringward::core
