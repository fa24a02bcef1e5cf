// A valid blob that uses every encoding of docs/format.md, and the byte
// offsets of its parts computed from the specification (not from the
// reader), so tests can break one rule at a time and know where the reader
// must point.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ringward/compile.hpp"
#include "ringward/format.hpp"

namespace ringward::test {

inline constexpr uint32_t kInstanceCount = 2;
inline constexpr uint32_t kCriterionCount = 13;

// Criterion indices in the table, and what each is.
enum Criterion : uint32_t {
    kWildcard = 0,      // "any"    wildcard
    kUintGt = 1,        // "pid"    gt 4
    kIntRange = 2,      // "delta"  range -5..5
    kBoolEq = 3,        // "flag"   eq true
    kStringSuffix = 4,  // "image"  suffix (case-insensitive) "\cmd.exe"
    kEmptyString = 5,   // "empty"  eq ""
    kIpEq = 6,          // "addr"   eq ::1
    kIpCidr = 7,        // "net"    cidr_contains 10.0.0.0/8
    kUintSet = 8,       // "ports"  in {1, 2, 3}
    kStringSet = 9,     // "names"  in {"a", "ab", "zz"}
    kIpSet = 10,        // "ips"    in {::1, 192.168.0.0/16}
    kEnumEq = 11,       // "level"  eq HIGH        (second instance)
    kBytesPrefix = 12,  // "hash"   prefix 0x0102  (second instance)
};

inline std::vector<uint8_t> make_fixture_blob() {
    BlobWriter w({.channel = 291,
                  .content_version = 7,
                  .sensor_min = format::SensorVersion{7, 11, 0}.packed(),
                  .sensor_max = format::SensorVersion{7, 11, 99999}.packed()});
    w.add_instance(10, 5, 1);
    w.add_wildcard("any");
    w.add_scalar("pid", format::Op::gt, format::Kind::uint64, 4);
    w.add_range("delta", format::Kind::int64, static_cast<uint64_t>(int64_t{-5}), 5);
    w.add_scalar("flag", format::Op::eq, format::Kind::boolean, 1);
    w.add_bytes("image", format::Op::suffix, format::Kind::string, "\\cmd.exe", true);
    w.add_bytes("empty", format::Op::eq, format::Kind::string, "", false);
    w.add_ip("addr", format::Op::eq, *parse_ip("::1", false));
    w.add_ip("net", format::Op::cidr_contains, *parse_ip("10.0.0.0/8", true));
    const uint64_t ports[] = {3, 1, 2};
    if (w.add_scalar_set("ports", format::Kind::uint64, ports)) {
        std::abort();
    }
    const std::string_view names[] = {"zz", "a", "ab"};
    if (w.add_byte_set("names", format::Kind::string, names, false)) {
        std::abort();
    }
    const IpValue ips[] = {*parse_ip("192.168.0.0/16", true), *parse_ip("::1", true)};
    if (w.add_ip_set("ips", ips)) {
        std::abort();
    }
    w.add_instance(20, 1, 1);
    w.add_bytes("level", format::Op::eq, format::Kind::enumeration, "HIGH", false);
    w.add_bytes("hash", format::Op::prefix, format::Kind::bytes, "\x01\x02", false);
    return w.finish();
}

// Offsets from docs/format.md.
inline constexpr uint32_t kInstanceTable = format::kHeaderSize;
inline constexpr uint32_t instance_record(uint32_t i) {
    return kInstanceTable + 24 * i;
}
inline constexpr uint32_t kCriterionTable = kInstanceTable + 24 * kInstanceCount;
inline constexpr uint32_t criterion_record(uint32_t k) {
    return kCriterionTable + 48 * k;
}
inline constexpr uint32_t kPool = kCriterionTable + 48 * kCriterionCount;

inline uint32_t get_u32(const std::vector<uint8_t>& b, uint32_t at) {
    return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 |
           uint32_t{b[at + 3]} << 24;
}
inline void set_u16(std::vector<uint8_t>& b, uint32_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v);
    b[at + 1] = static_cast<uint8_t>(v >> 8);
}
inline void set_u32(std::vector<uint8_t>& b, uint32_t at, uint32_t v) {
    for (uint32_t i = 0; i < 4; ++i) {
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
inline void set_u64(std::vector<uint8_t>& b, uint32_t at, uint64_t v) {
    for (uint32_t i = 0; i < 8; ++i) {
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
}
inline uint64_t get_u64(const std::vector<uint8_t>& b, uint32_t at) {
    return uint64_t{get_u32(b, at)} | uint64_t{get_u32(b, at + 4)} << 32;
}

// Absolute offset of criterion k's pool data, from its record.
inline uint32_t data_of(const std::vector<uint8_t>& b, uint32_t k) {
    return kPool + get_u32(b, criterion_record(k) + 16);
}
// Absolute offset of criterion k's field name, from its record.
inline uint32_t name_of(const std::vector<uint8_t>& b, uint32_t k) {
    return kPool + get_u32(b, criterion_record(k) + 8);
}

}  // namespace ringward::test
