// A blob that uses every encoding of docs/format.md, and byte-level access to
// it by the spec's offsets, so that tests can break one rule at a time and
// compute where the reader must report it without asking the reader.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/compile.hpp"
#include "ringward/format.hpp"

namespace ringward::test {

using format::Kind;
using format::Op;

inline IpValue v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix_len = 128) {
    IpValue ip;
    ip.address[10] = 0xff;
    ip.address[11] = 0xff;
    ip.address[12] = a;
    ip.address[13] = b;
    ip.address[14] = c;
    ip.address[15] = d;
    ip.prefix_len = prefix_len;
    return ip;
}

// 2001:db8::<last> with the given prefix.
inline IpValue doc6(uint8_t last, uint8_t prefix_len = 128) {
    IpValue ip;
    ip.address[0] = 0x20;
    ip.address[1] = 0x01;
    ip.address[2] = 0x0d;
    ip.address[3] = 0xb8;
    ip.address[15] = last;
    ip.prefix_len = prefix_len;
    return ip;
}

inline uint64_t bits(int64_t value) {
    return static_cast<uint64_t>(value);
}

// Positions in the fixture's criterion table; field k of an instance is the
// criterion's field_index.
enum Crit : uint32_t {
    // instance 0 (id 5, rule 11, 9 fields)
    kWild = 0,      // exists string: no value at all
    kPid = 1,       // eq int -42
    kUid = 2,       // gt uint 1000
    kElevated = 3,  // eq bool 1; the longest name (8)
    kSize = 4,      // range int -3..9
    kTitle = 5,     // eq string "" (an empty pool item)
    kPath = 6,      // prefix string, case-insensitive; the longest single value (20)
    kSig = 7,       // contains bytes, with a NUL and a high byte
    kAccess = 8,    // eq enum
    // instance 1 (id 7) has no criteria
    // instance 2 (id 9, rule 11, 10 fields); the instance with the most criteria in group 0 (10)
    kSrc = 9,      // eq ip 192.0.2.7
    kDst = 10,     // eq ip 2001:db8::1, negated
    kNet4 = 11,    // cidr_contains 10.0.0.0/8
    kNet6 = 12,    // cidr_contains 2001:db8::/32
    kPorts = 13,   // in int
    kInodes = 14,  // in uint
    kNames = 15,   // in string, case-insensitive; the largest set (6) and longest value (28)
    kBlobs = 16,   // in bytes
    kModes = 17,   // in enum
    kPeers = 18,   // in ip
    // instance 3 (id 0xffffffff, rule 0xfffffffe, 12 fields, 2 exclusions);
    // group 0:
    kLt = 19,      // lt int -1                            (field 0)
    kLe = 20,      // le uint 3                            (field 1)
    kGe = 21,      // ge int 0                             (field 2)
    kNeBool = 22,  // eq bool 0, negated                   (field 3)
    kSuffix = 23,  // suffix string, case-insensitive      (field 4)
    kGlob = 24,    // glob string                          (field 5)
    kRegex = 25,   // regex string, case-insensitive, with its program (field 6)
    kURange = 26,  // range uint 5..5                      (field 7)
    kAnyOf = 27,   // contains string any of 3, case-insensitive (field 8)
    kRef = 28,     // eq string with field "l" (index 10)  (field 9)
    kEmpty = 29,   // empty string, negated: a second criterion on field 9
    // group 1 (exclusion 1):
    kExcl = 30,        // eq int 7 on field 0
    kExclExists = 31,  // exists uint on field 7, negated
    // group 2 (exclusion 2):
    kLast = 32,  // eq bytes "\x01" on field 11: the last pool item, followed by padding
};
inline constexpr uint32_t kFixtureInstances = 4;
inline constexpr uint32_t kFixtureCriteria = 33;

inline constexpr std::string_view kLongName = "a-very-long-process-name.exe";
inline constexpr std::string_view kPathValue = "C:\\Windows\\System32\\";

// The members of each set in the order the blob stores them (ascending).
inline const std::vector<uint64_t> kPortsSorted = {bits(INT64_MIN), bits(-1), 80, 443};
inline const std::vector<uint64_t> kInodesSorted = {0, 7, UINT64_MAX};
inline const std::vector<std::string> kNamesSorted = {"",   "a",         std::string(kLongName),
                                                      "ab", "lsass.exe", "svchost.exe"};
inline const std::vector<std::string> kBlobsSorted = {std::string("\x01\x02\x03\x04\x05", 5),
                                                      "\xff"};
inline const std::vector<std::string> kModesSorted = {"READ", "WRITE"};
inline const std::vector<IpValue> kPeersSorted = {v4(10, 0, 0, 0, 104), v4(10, 0, 0, 0, 112),
                                                  v4(192, 0, 2, 7), doc6(0, 32)};
// kAnyOf's values, in folded order.
inline const std::vector<std::string> kAnyOfSorted = {"bad", "evil", "Worse"};

inline constexpr BlobHeaderFields kFixtureHeader = {
    .channel = 291,
    .content_version = 0x0102030405060708,
    .sensor_min = format::SensorVersion{7, 11, 0}.packed(),
    .sensor_max = format::SensorVersion{7, 11, 19000}.packed(),
};

// Where a criterion goes: field `index` named `name`, in group `group`.
inline CriterionPlace at(std::string_view name, uint16_t index, uint16_t group = 0,
                         bool negate = false) {
    return CriterionPlace{.field = name, .field_index = index, .group = group, .negate = negate};
}

// Sets are given out of order (and the IP set with two networks that differ
// only in prefix), and the last instance's criteria out of (group,
// field_index) order, so building the fixture also exercises the writer's
// sorts.
inline std::vector<uint8_t> fixture_blob() {
    BlobWriter w(kFixtureHeader);
    w.add_instance({.id = 5,
                    .template_type_id = 291,
                    .template_type_version = 2,
                    .rule_id = 11,
                    .field_count = 9});
    w.add_valueless(at("wild", 0), Op::exists, Kind::string);
    w.add_scalar(at("pid", 1), Op::eq, Kind::int64, bits(-42));
    w.add_scalar(at("uid", 2), Op::gt, Kind::uint64, 1000);
    w.add_scalar(at("elevated", 3), Op::eq, Kind::boolean, 1);
    w.add_range(at("size", 4), Kind::int64, bits(-3), 9);
    w.add_bytes(at("title", 5), Op::eq, Kind::string, "", false);
    w.add_bytes(at("path", 6), Op::prefix, Kind::string, kPathValue, true);
    w.add_bytes(at("sig", 7), Op::contains, Kind::bytes, std::string_view("\x00\xffMZ", 4), false);
    w.add_bytes(at("access", 8), Op::eq, Kind::enumeration, "READ", false);

    w.add_instance({.id = 7, .template_type_id = 292, .template_type_version = 1});

    w.add_instance({.id = 9,
                    .template_type_id = 293,
                    .template_type_version = 1,
                    .rule_id = 11,
                    .field_count = 10});
    w.add_ip(at("src", 0), Op::eq, v4(192, 0, 2, 7));
    w.add_ip(at("dst", 1, 0, true), Op::eq, doc6(1));
    w.add_ip(at("net4", 2), Op::cidr_contains, v4(10, 0, 0, 0, 104));
    w.add_ip(at("net6", 3), Op::cidr_contains, doc6(0, 32));
    const uint64_t ports[] = {443, bits(-1), 80, bits(INT64_MIN)};
    bool clean = !w.add_scalar_set(at("ports", 4), Kind::int64, ports);
    const uint64_t inodes[] = {UINT64_MAX, 0, 7};
    clean = !w.add_scalar_set(at("inodes", 5), Kind::uint64, inodes) && clean;
    const std::string_view names[] = {"svchost.exe", "a", "", "lsass.exe", "ab", kLongName};
    clean = !w.add_byte_set(at("names", 6), Kind::string, names, true) && clean;
    const std::string_view blobs[] = {"\xff", std::string_view("\x01\x02\x03\x04\x05", 5)};
    clean = !w.add_byte_set(at("blobs", 7), Kind::bytes, blobs, false) && clean;
    const std::string_view modes[] = {"WRITE", "READ"};
    clean = !w.add_byte_set(at("modes", 8), Kind::enumeration, modes, false) && clean;
    const IpValue peers[] = {doc6(0, 32), v4(192, 0, 2, 7), v4(10, 0, 0, 0, 112),
                             v4(10, 0, 0, 0, 104)};
    clean = !w.add_ip_set(at("peers", 9), peers) && clean;

    w.add_instance({.id = 0xffffffff,
                    .template_type_id = 1,
                    .template_type_version = 0,
                    .rule_id = 0xfffffffe,
                    .field_count = 12,
                    .exclusion_count = 2});
    w.add_bytes(at("i", 11, 2), Op::eq, Kind::bytes, "\x01", false);
    w.add_scalar(at("a", 0, 1), Op::eq, Kind::int64, 7);
    w.add_scalar(at("a", 0), Op::lt, Kind::int64, bits(-1));
    w.add_scalar(at("b", 1), Op::le, Kind::uint64, 3);
    w.add_scalar(at("c", 2), Op::ge, Kind::int64, 0);
    w.add_scalar(at("d", 3, 0, true), Op::eq, Kind::boolean, 0);
    w.add_bytes(at("e", 4), Op::suffix, Kind::string, ".dll", true);
    w.add_bytes(at("f", 5), Op::glob, Kind::string, "*.tmp", false);
    const std::string_view pattern[] = {"^a+$"};
    clean = !w.add_regex(at("g", 6), pattern, true) && clean;
    w.add_field_ref(at("k", 9), Op::eq, Kind::string, "l", 10, false);
    w.add_valueless(at("k", 9, 0, true), Op::empty, Kind::string);
    w.add_range(at("h", 7), Kind::uint64, 5, 5);
    w.add_valueless(at("h", 7, 1, true), Op::exists, Kind::uint64);
    const std::string_view any_of[] = {"evil", "Worse", "bad"};
    clean = !w.add_any_of(at("j", 8), Op::contains, Kind::string, any_of, true) && clean;
    std::vector<uint8_t> blob = w.finish();
    if (!clean) {
        blob.clear();  // the sets above have no duplicates; an empty blob fails every test
    }
    return blob;
}

inline uint32_t align_up(uint32_t value, uint32_t alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

// Where a criterion's value lives per docs/format.md, "Where the value lives",
// written out here rather than taken from op_kind_uses_pool (which is under
// test).
inline bool spec_uses_pool(uint8_t op, uint8_t kind) {
    const bool byte_string = kind == 4 || kind == 5 || kind == 6;
    return op == 8 || (op != 15 && op != 16 && byte_string);
}

// A blob as bytes, read and patched at the offsets docs/format.md gives.
struct BlobBytes {
    std::vector<uint8_t> bytes;

    uint32_t size() const { return static_cast<uint32_t>(bytes.size()); }

    uint8_t u8(uint32_t at) const { return bytes.at(at); }
    uint16_t u16(uint32_t at) const {
        return static_cast<uint16_t>(bytes.at(at) | bytes.at(at + 1) << 8);
    }
    uint32_t u32(uint32_t at) const {
        uint32_t v = 0;
        for (uint32_t i = 0; i < 4; ++i) {
            v |= uint32_t{bytes.at(at + i)} << (8 * i);
        }
        return v;
    }
    uint64_t u64(uint32_t at) const { return uint64_t{u32(at)} | uint64_t{u32(at + 4)} << 32; }
    void put8(uint32_t at, uint8_t v) { bytes.at(at) = v; }
    void put16(uint32_t at, uint16_t v) {
        bytes.at(at) = static_cast<uint8_t>(v);
        bytes.at(at + 1) = static_cast<uint8_t>(v >> 8);
    }
    void put32(uint32_t at, uint32_t v) {
        for (uint32_t i = 0; i < 4; ++i) {
            bytes.at(at + i) = static_cast<uint8_t>(v >> (8 * i));
        }
    }
    void put64(uint32_t at, uint64_t v) {
        put32(at, static_cast<uint32_t>(v));
        put32(at + 4, static_cast<uint32_t>(v >> 32));
    }
    void add32(uint32_t at, uint32_t delta) { put32(at, u32(at) + delta); }

    // Header fields (docs/format.md, "Header").
    static constexpr uint32_t kBlobSize = 16;
    static constexpr uint32_t kInstanceTableOffset = 48;
    static constexpr uint32_t kInstanceCount = 52;
    static constexpr uint32_t kCriterionTableOffset = 56;
    static constexpr uint32_t kCriterionCount = 60;
    static constexpr uint32_t kPoolOffset = 64;
    static constexpr uint32_t kPoolSize = 68;
    static constexpr uint32_t kNameCount = 72;

    uint32_t criterion_table() const { return u32(kCriterionTableOffset); }
    uint32_t pool() const { return u32(kPoolOffset); }
    uint32_t pool_size() const { return u32(kPoolSize); }

    // Record offsets (docs/format.md, "Layout").
    static constexpr uint32_t instance(uint32_t i) { return 80 + 32 * i; }
    uint32_t criterion(uint32_t k) const { return criterion_table() + 48 * k; }
    // Blob offset of name table entry i (docs/format.md, "Name table"), and
    // of the entry criterion k names.
    uint32_t name_entry(uint32_t i) const { return pool() + 12 * i; }
    uint32_t name_entry_of(uint32_t k) const { return name_entry(u32(criterion(k) + 8)); }
    // Blob offsets of a criterion's field name and value data.
    uint32_t name_at(uint32_t k) const { return pool() + u32(name_entry_of(k)); }
    // Rewrites the name criterion k names as `text`, in place: the caller
    // keeps it within the name's padding, so nothing else moves.
    void rename(uint32_t k, std::string_view text) {
        put32(name_entry_of(k) + 4, static_cast<uint32_t>(text.size()));
        for (uint32_t i = 0; i < text.size(); ++i) {
            put8(name_at(k) + i, static_cast<uint8_t>(text[i]));
        }
    }
    uint32_t data_at(uint32_t k) const { return pool() + u32(criterion(k) + 16); }
    // Blob offset of regex criterion k's program: the next 8-aligned place
    // after its data (docs/format.md, "Regex programs").
    uint32_t program_at(uint32_t k) const {
        return pool() + align_up(u32(criterion(k) + 16) + u32(criterion(k) + 20), 8);
    }

    // Blob offset of member i of the set of criterion k (docs/format.md,
    // "Sets"): for a byte-string set, the member's u32 length.
    uint32_t scalar_member_at(uint32_t k, uint32_t i) const { return data_at(k) + 8 * i; }
    uint32_t ip_member_at(uint32_t k, uint32_t i) const { return data_at(k) + 20 * i; }
    uint32_t byte_member_at(uint32_t k, uint32_t i) const {
        uint32_t at = data_at(k);
        for (uint32_t j = 0; j < i; ++j) {
            at += 4 + align_up(u32(at), 4);
        }
        return at;
    }

    // Rewrites the members of byte-string set k in the given order; the new
    // members must take exactly the stored data_length, so nothing else moves.
    // Returns false (and changes nothing) when they do not.
    bool rewrite_byte_set(uint32_t k, const std::vector<std::string>& members) {
        std::vector<uint8_t> data;
        for (const std::string& m : members) {
            const auto n = static_cast<uint32_t>(m.size());
            for (uint32_t i = 0; i < 4; ++i) {
                data.push_back(static_cast<uint8_t>(n >> (8 * i)));
            }
            data.insert(data.end(), m.begin(), m.end());
            data.resize(align_up(static_cast<uint32_t>(data.size()), 4), 0);
        }
        if (data.size() != u32(criterion(k) + 20)) {
            return false;
        }
        std::memcpy(bytes.data() + data_at(k), data.data(), data.size());
        return true;
    }

    // Inserts n zero bytes at blob offset `at` and keeps blob_size equal to
    // the input size; the caller fixes whatever section fields must follow.
    void insert(uint32_t at, uint32_t n) {
        bytes.insert(bytes.begin() + at, n, uint8_t{0});
        add32(kBlobSize, n);
    }

    // Inserts n zero bytes into the pool at pool-relative position `pos`
    // (past the name table), and moves every pool reference at or after it
    // along, so the only thing that changes is the position of the items
    // from `pos` on.
    void insert_pool(uint32_t pos, uint32_t n) {
        for (uint32_t i = 0; i < u32(kNameCount); ++i) {
            if (u32(name_entry(i)) >= pos) {
                add32(name_entry(i), n);
            }
        }
        for (uint32_t k = 0; k < u32(kCriterionCount); ++k) {
            const uint32_t r = criterion(k);
            if (spec_uses_pool(u8(r + 2), u8(r + 3)) && u32(r + 16) >= pos) {
                add32(r + 16, n);
            }
        }
        insert(pool() + pos, n);
        add32(kPoolSize, n);
    }

    format::ReadResult read(const format::Limits& limits = {}) const {
        format::BlobView view;
        return format::read_blob(bytes.data(), bytes.size(), limits, &view);
    }
};

inline BlobBytes fixture() {
    return BlobBytes{fixture_blob()};
}

}  // namespace ringward::test
