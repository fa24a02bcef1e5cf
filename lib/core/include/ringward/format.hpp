// The blob format (docs/format.md) and its reader.
//
// This header and the reader behind it are kernel-safe: no allocation, no
// exceptions, no RTTI, no recursion, no floating point, no global state, and
// nothing from libc but memcpy, memcmp and memset. They compile freestanding
// (tests/freestanding, with a Linux kernel's flags). Keep it that way:
// include nothing here but <stddef.h>, <stdint.h> and the core's own headers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/core/regex_program.hpp"
#include "ringward/loader.h"

namespace ringward::format {

inline constexpr uint8_t kMagic[8] = {0x89, 'R', 'W', 'C', 0x0D, 0x0A, 0x1A, 0x0A};
inline constexpr uint16_t kFormatVersion = 2;
inline constexpr uint32_t kHeaderSize = 80;
inline constexpr uint32_t kInstanceRecordSize = 32;
inline constexpr uint32_t kCriterionRecordSize = 48;
// An entry of the name table at the start of the pool (docs/format.md,
// "Name table"): u32 offset, u32 length, u32 first criterion.
inline constexpr uint32_t kNameEntrySize = 12;
inline constexpr uint32_t kPoolAlignment = 8;
inline constexpr uint32_t kByteSetAlignment = 4;
inline constexpr uint32_t kIpSetEntrySize = 20;
inline constexpr uint32_t kIpAddressSize = 16;
inline constexpr uint8_t kIpMaxPrefix = 128;
inline constexpr uint8_t kFlagCaseInsensitive = 0x01;
inline constexpr uint8_t kFlagNegate = 0x02;
inline constexpr uint8_t kFlagFieldRef = 0x04;
inline constexpr uint8_t kCriterionFlags = kFlagCaseInsensitive | kFlagNegate | kFlagFieldRef;

// `value` rounded up to a multiple of `alignment`, a power of two: where the
// next pool item or set member starts. In 64 bits, so that no 32-bit offset
// or length can wrap.
constexpr uint64_t align_up(uint64_t value, uint64_t alignment) noexcept {
    return (value + alignment - 1) & ~(alignment - 1);
}

// Operator codes; equal to ringward.v1.Operator. Format 2 encodes neither
// wildcard (a field without a criterion has no record) nor ne (eq with the
// negate flag): their codes stay so that the schema's numbers and these
// agree, and encoding() calls them invalid with every kind.
enum class Op : uint8_t {
    wildcard = 0,
    eq = 1,
    ne = 2,
    lt = 3,
    le = 4,
    gt = 5,
    ge = 6,
    range = 7,
    in = 8,
    prefix = 9,
    suffix = 10,
    contains = 11,
    glob = 12,
    regex = 13,
    cidr_contains = 14,
    exists = 15,
    empty = 16,
};
inline constexpr uint8_t kOpCount = 17;

// Value kinds; equal to ringward.v1.FieldType.
enum class Kind : uint8_t {
    none = 0,
    int64 = 1,
    uint64 = 2,
    boolean = 3,
    string = 4,
    bytes = 5,
    enumeration = 6,
    ip = 7,
};
inline constexpr uint8_t kKindCount = 8;
// What a schema's operator or type number that does not fit a byte is read
// as: a value no Op or Kind has.
inline constexpr uint8_t kUnknownEnumByte = 255;

// What the format says about one (operator, kind) pair (docs/format.md,
// "Operators" and "Where the value lives"): the one table the reader checks
// records against and the writer, compiler and describer encode by, so the
// rules cannot be written twice and drift.
struct Encoding {
    // The format can encode the operator with values of the kind.
    bool valid = false;
    // Value count: `count` exactly (0, 1 or 2), or a set of 1..the set limit.
    bool set = false;
    // A string operator's any-of: 1..the set limit values; one is stored as
    // plain bytes (as `count` 1), two or more as a byte-string set.
    bool any_of = false;
    uint8_t count = 0;
    // The value lives in the pool (sets, and string, bytes and enum values)
    // rather than inline in value0/value1.
    bool uses_pool = false;
    bool uses_value0 = false;
    bool uses_value1 = false;
    // A single IP value: address in value0/value1, prefix_len used.
    bool ip_single = false;
    // eq and ne on an IP compare whole addresses: prefix_len 128.
    bool ip_exact = false;
    bool boolean = false;
    // The case-insensitive flag may be set (string matches).
    bool case_flag_allowed = false;
};

namespace detail {

constexpr uint16_t kind_bit(Kind kind) {
    return static_cast<uint16_t>(1u << static_cast<int>(kind));
}
constexpr uint16_t kNumeric = kind_bit(Kind::int64) | kind_bit(Kind::uint64);
constexpr uint16_t kByteStrings = kind_bit(Kind::string) | kind_bit(Kind::bytes);
constexpr uint16_t kAllValues = kNumeric | kind_bit(Kind::boolean) | kByteStrings |
                                kind_bit(Kind::enumeration) | kind_bit(Kind::ip);
// Bit k set: the operator takes kind k (docs/format.md, "Operators").
constexpr uint16_t kKindsByOp[kOpCount] = {
    0,                                                                           // wildcard
    kAllValues,                                                                  // eq
    0,                                                                           // ne
    kNumeric,                                                                    // lt
    kNumeric,                                                                    // le
    kNumeric,                                                                    // gt
    kNumeric,                                                                    // ge
    kNumeric,                                                                    // range
    kNumeric | kByteStrings | kind_bit(Kind::enumeration) | kind_bit(Kind::ip),  // in
    kByteStrings,                                                                // prefix
    kByteStrings,                                                                // suffix
    kByteStrings,                                                                // contains
    kind_bit(Kind::string),                                                      // glob
    kind_bit(Kind::string),                                                      // regex
    kind_bit(Kind::ip),                                                          // cidr_contains
    kAllValues,                                                                  // exists
    kByteStrings,                                                                // empty
};
// The operators that compare strings, and so may fold case.
// ne is not one: format 2 has no ne.
constexpr bool kStringMatch[kOpCount] = {
    false, true, false, false, false, false, false, false, true,
    true,  true, true,  true,  true,  false, false, false,
};
constexpr const char* kOpNames[kOpCount] = {
    "wildcard",      "eq",     "ne",     "lt",     "le",       "gt",   "ge",
    "range",         "in",     "prefix", "suffix", "contains", "glob", "regex",
    "cidr_contains", "exists", "empty",
};
constexpr const char* kKindNames[kKindCount] = {
    "none", "int", "uint", "bool", "string", "bytes", "enum", "ip",
};

constexpr Encoding encoding_of(uint8_t op_code, uint8_t kind_code) {
    const Op op = static_cast<Op>(op_code);
    const Kind kind = static_cast<Kind>(kind_code);
    Encoding e;
    e.valid = (kKindsByOp[op_code] & (1u << kind_code)) != 0;
    if (!e.valid) {
        return e;
    }
    const bool valueless = op == Op::exists || op == Op::empty;
    const bool single = !valueless && op != Op::range && op != Op::in;
    const bool numeric = kind == Kind::int64 || kind == Kind::uint64;
    e.set = op == Op::in;
    e.any_of = op == Op::prefix || op == Op::suffix || op == Op::contains || op == Op::glob ||
               op == Op::regex;
    e.count = valueless ? 0 : (op == Op::range ? 2 : 1);
    e.uses_pool =
        op == Op::in ||
        ((kind == Kind::string || kind == Kind::bytes || kind == Kind::enumeration) && !valueless);
    e.ip_single = kind == Kind::ip && single;
    e.ip_exact = e.ip_single && op == Op::eq;
    e.uses_value0 = e.ip_single || (numeric && (single || op == Op::range)) ||
                    (kind == Kind::boolean && single);
    e.uses_value1 = e.ip_single || (numeric && op == Op::range);
    e.boolean = kind == Kind::boolean;
    e.case_flag_allowed = kind == Kind::string && kStringMatch[op_code];
    return e;
}

struct EncodingTable {
    Encoding entries[kOpCount][kKindCount];
};

constexpr EncodingTable make_encodings() {
    EncodingTable table{};
    for (uint8_t op = 0; op < kOpCount; ++op) {
        for (uint8_t kind = 0; kind < kKindCount; ++kind) {
            table.entries[op][kind] = encoding_of(op, kind);
        }
    }
    return table;
}

inline constexpr EncodingTable kEncodings = make_encodings();

}  // namespace detail

// The encoding of (op, kind); an invalid one (valid == false) for a pair the
// format cannot encode or values outside the enumerations.
constexpr Encoding encoding(Op op, Kind kind) noexcept {
    const auto op_index = static_cast<uint8_t>(op);
    const auto kind_index = static_cast<uint8_t>(kind);
    return op_index < kOpCount && kind_index < kKindCount
               ? detail::kEncodings.entries[op_index][kind_index]
               : Encoding{};
}

// "eq", "cidr_contains", ...; "?" for a value outside the enumeration.
constexpr const char* op_name(Op op) noexcept {
    const auto index = static_cast<uint8_t>(op);
    return index < kOpCount ? detail::kOpNames[index] : "?";
}
// "int", "string", ...; "?" for a value outside the enumeration.
constexpr const char* kind_name(Kind kind) noexcept {
    const auto index = static_cast<uint8_t>(kind);
    return index < kKindCount ? detail::kKindNames[index] : "?";
}
// Whether the format can encode `op` with values of `kind`.
constexpr bool op_takes_kind(Op op, Kind kind) noexcept {
    return encoding(op, kind).valid;
}
// Whether a criterion with `op` on a field of `kind` may compare with another
// field of the instance (the fieldref flag) instead of a value.
constexpr bool op_takes_field_ref(Op op, Kind kind) noexcept {
    return (op == Op::eq || op == Op::prefix || op == Op::suffix || op == Op::contains) &&
           (kind == Kind::string || kind == Kind::bytes);
}
// Whether `op` is one that the case-insensitive flag applies to.
constexpr bool op_is_string_match(Op op) noexcept {
    const auto index = static_cast<uint8_t>(op);
    return index < kOpCount && detail::kStringMatch[index];
}
// The case folding of the case-insensitive flag: ASCII letters only, so it
// needs no tables and no locale, and cannot change a string's length.
constexpr uint8_t fold_ascii(uint8_t byte) noexcept {
    return static_cast<uint8_t>(byte - 'A') < 26 ? static_cast<uint8_t>(byte | 0x20) : byte;
}
// The order of byte-string set members (docs/format.md, "Sets"): bytes
// compared as unsigned, a proper prefix first; with `fold`, compared after
// fold_ascii, so two members that differ only in case are equal. <0, 0 or >0.
constexpr int compare_members(const uint8_t* a, uint32_t a_size, const uint8_t* b, uint32_t b_size,
                              bool fold) noexcept {
    const uint32_t common = a_size < b_size ? a_size : b_size;
    for (uint32_t i = 0; i < common; ++i) {
        const uint8_t x = fold ? fold_ascii(a[i]) : a[i];
        const uint8_t y = fold ? fold_ascii(b[i]) : b[i];
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return a_size < b_size ? -1 : (a_size > b_size ? 1 : 0);
}
// Where the format puts a criterion's value: in the pool (sets, and byte
// strings), or inline in value0/value1.
// False for a pair the format cannot encode.
constexpr bool op_kind_uses_pool(Op op, Kind kind) noexcept {
    return encoding(op, kind).uses_pool;
}

// The reader's limits, all inclusive: loader.h's ringward_blob_limits with
// its RINGWARD_DEFAULT_* values (their reasons are there and in
// docs/format.md, "Limits"), so that the loader and the validator read blobs
// under one set of names and defaults. A limit that the format cannot
// express (max_criteria_per_instance_incl above 65536) is a contract
// violation.
struct Limits : ringward_blob_limits {
    constexpr Limits() noexcept
        : ringward_blob_limits{RINGWARD_DEFAULT_MAX_BLOB_SIZE_INCL,
                               RINGWARD_DEFAULT_MAX_INSTANCES_INCL,
                               RINGWARD_DEFAULT_MAX_CRITERIA_INCL,
                               RINGWARD_DEFAULT_MAX_CRITERIA_PER_INSTANCE_INCL,
                               RINGWARD_DEFAULT_MAX_NAME_LENGTH_INCL,
                               RINGWARD_DEFAULT_MAX_VALUE_LENGTH_INCL,
                               RINGWARD_DEFAULT_MAX_BLOB_SET_SIZE_INCL} {}
    constexpr explicit Limits(const ringward_blob_limits& limits) noexcept
        : ringward_blob_limits(limits) {}

    friend constexpr bool operator==(const Limits& a, const Limits& b) noexcept {
        return a.max_blob_size_incl == b.max_blob_size_incl &&
               a.max_instances_incl == b.max_instances_incl &&
               a.max_criteria_incl == b.max_criteria_incl &&
               a.max_criteria_per_instance_incl == b.max_criteria_per_instance_incl &&
               a.max_name_length_incl == b.max_name_length_incl &&
               a.max_value_length_incl == b.max_value_length_incl &&
               a.max_blob_set_size_incl == b.max_blob_set_size_incl;
    }
};
static_assert(sizeof(Limits) == sizeof(ringward_blob_limits));

// Stable codes; see read_errors.def. RW01nn in docs/diagnostics.md.
enum class ReadError : uint16_t {
    ok = 0,
#define RINGWARD_READ_ERROR(number, id, name, message) id = number,
#include "ringward/read_errors.def"
#undef RINGWARD_READ_ERROR
};

// "blob-bad-magic", ...; "ok" for ok; "?" outside the enumeration.
const char* read_error_name(ReadError error) noexcept;
// One sentence saying what is wrong; "" for ok.
const char* read_error_message(ReadError error) noexcept;

// The outcome of reading: ok, or the first failure and the byte offset (from
// the start of the blob) of the field or byte that broke the rule.
struct [[nodiscard]] ReadResult {
    ReadError error = ReadError::ok;
    uint32_t offset = 0;
    constexpr bool ok() const noexcept { return error == ReadError::ok; }
};

// A sensor build, major.minor.build, packed so that integer order is version
// order (docs/format.md, "Packed sensor version").
struct SensorVersion {
    uint16_t major = 0;
    uint16_t minor = 0;
    uint32_t build = 0;

    constexpr uint64_t packed() const noexcept {
        return uint64_t{major} << 48 | uint64_t{minor} << 32 | build;
    }
    static constexpr SensorVersion unpack(uint64_t packed) noexcept {
        return SensorVersion{static_cast<uint16_t>(packed >> 48),
                             static_cast<uint16_t>(packed >> 32), static_cast<uint32_t>(packed)};
    }
};

// A run of bytes inside a blob; not owned.
struct Bytes {
    const uint8_t* data = nullptr;
    uint32_t size = 0;
};

namespace detail {
using core::contract_violation;
using core::load_u16;
using core::load_u32;
using core::load_u64;

// Name i of the name table at the start of `pool` (docs/format.md, "Name
// table"): the one reading of an entry, for criteria and the blob alike.
inline Bytes name_entry(const uint8_t* pool, uint32_t i) noexcept {
    const uint8_t* entry = pool + uint64_t{i} * kNameEntrySize;
    return Bytes{pool + load_u32(entry), load_u32(entry + 4)};
}
}  // namespace detail

// Walks the members of a byte-string set (kind string, bytes or enum with op
// in, or a string operator's any-of of two or more values), in their stored
// (ascending) order.
class ByteSetCursor {
  public:
    ByteSetCursor() = default;
    explicit ByteSetCursor(Bytes data) noexcept : data_(data) {}
    // Stores the next member in *member and returns true; false at the end.
    bool next(Bytes* member) noexcept {
        if (pos_ >= data_.size) {
            return false;
        }
        const uint32_t length = detail::load_u32(data_.data + pos_);
        member->data = data_.data + pos_ + 4;
        member->size = length;
        pos_ += static_cast<uint32_t>(4 + align_up(length, kByteSetAlignment));
        return true;
    }

  private:
    Bytes data_;
    uint32_t pos_ = 0;
};

// One criterion record of a blob that read_blob accepted. Accessors assume
// the record was checked; they do no checks of their own.
class CriterionView {
  public:
    CriterionView() = default;

    uint16_t field_index() const noexcept { return detail::load_u16(record_); }
    Op op() const noexcept { return static_cast<Op>(record_[2]); }
    Kind kind() const noexcept { return static_cast<Kind>(record_[3]); }
    bool case_insensitive() const noexcept { return (record_[4] & kFlagCaseInsensitive) != 0; }
    // The criterion holds where the operator does not.
    bool negated() const noexcept { return (record_[4] & kFlagNegate) != 0; }
    // The operator compares with another field of the instance: data() is
    // that field's name and ref_field_index() its index; no values.
    bool is_field_ref() const noexcept { return (record_[4] & kFlagFieldRef) != 0; }
    // IP networks only: the prefix length in bits of the 16-byte address.
    uint8_t prefix_len() const noexcept { return record_[5]; }
    // 0: one of the instance's own criteria; k: one of exclusion k's.
    uint16_t group() const noexcept { return detail::load_u16(record_ + 6); }
    // Field references only: the referenced field's index; 0 otherwise.
    uint16_t ref_field_index() const noexcept { return detail::load_u16(record_ + 28); }
    // The field name as the content wrote it: the name table's entry
    // name_index(), which criteria naming the same field share.
    Bytes name() const noexcept { return detail::name_entry(pool_, name_index()); }
    // Index of its field name in the blob's name table.
    uint32_t name_index() const noexcept { return detail::load_u32(record_ + 8); }
    uint32_t value_count() const noexcept { return detail::load_u32(record_ + 24); }
    // Inline scalar values (docs/format.md, "Where the value lives").
    uint64_t value0() const noexcept { return detail::load_u64(record_ + 32); }
    uint64_t value1() const noexcept { return detail::load_u64(record_ + 40); }
    int64_t int_value() const noexcept { return static_cast<int64_t>(value0()); }
    uint64_t uint_value() const noexcept { return value0(); }
    bool bool_value() const noexcept { return value0() != 0; }
    // The 16 address bytes of a single IP value, in network order.
    const uint8_t* ip_address() const noexcept { return record_ + 32; }
    // The pool data: the bytes of a single string, bytes or enum value, the
    // raw members of a set (an in-set, or a string operator's any-of of two
    // or more values), or a field reference's field name. Empty when the
    // value is inline or there is none.
    Bytes data() const noexcept { return pool_item(16); }
    // Member i of an int or uint set (as u64; an int set stores i64 bits).
    uint64_t scalar_member(uint32_t i) const noexcept {
        if (i >= value_count()) {
            detail::contract_violation();
        }
        return detail::load_u64(data().data + uint64_t{i} * 8);
    }
    // Member i of an IP set: 16 address bytes, then the prefix length.
    const uint8_t* ip_member(uint32_t i) const noexcept {
        if (i >= value_count()) {
            detail::contract_violation();
        }
        return data().data + uint64_t{i} * kIpSetEntrySize;
    }
    // The members of a string, bytes or enum in-set, or of a string
    // operator's any-of set (value_count() of two or more).
    ByteSetCursor byte_members() const noexcept { return ByteSetCursor(data()); }
    // A regex criterion's compiled program (docs/format.md, "Regex
    // programs"): the pool item after its data, which the reader verified
    // with core::verify_regex when it accepted the blob. A contract
    // violation for any other operator.
    Bytes regex_program() const noexcept {
        if (op() != Op::regex) {
            detail::contract_violation();
        }
        const Bytes value = data();
        const uint8_t* program =
            pool_ + align_up(uint64_t{detail::load_u32(record_ + 16)} + value.size, kPoolAlignment);
        const uint64_t size =
            core::regex_header_size +
            uint64_t{detail::load_u32(program + 8)} * core::regex_instruction_size +
            uint64_t{detail::load_u32(program + 12)} * core::regex_range_size;
        return Bytes{program, static_cast<uint32_t>(size)};
    }
    // The same program as the matcher (core::match_regex) takes it, without
    // verifying it again: read_blob refuses a blob with a program item that
    // verify_regex does not accept (RW0156), and a view exists only for a
    // blob read_blob accepted, so this reads the counts from the program's
    // header and nothing else: a few loads, so an interpreter may call it
    // for every event. A contract violation for any other operator.
    core::VerifiedRegex regex() const noexcept {
        const Bytes program = regex_program();
        core::VerifiedRegex verified;
        verified.program = program.data;
        verified.instruction_count = detail::load_u32(program.data + 8);
        verified.range_count = detail::load_u32(program.data + 12);
        verified.scratch_size = core::regex_scratch_size(verified.instruction_count);
        return verified;
    }
    // Byte offset of this record from the start of the blob.
    uint32_t record_offset() const noexcept { return offset_; }

  private:
    friend class InstanceView;
    CriterionView(const uint8_t* record, const uint8_t* pool, uint32_t offset) noexcept
        : record_(record), pool_(pool), offset_(offset) {}
    Bytes pool_item(uint32_t field) const noexcept {
        return Bytes{pool_ + detail::load_u32(record_ + field),
                     detail::load_u32(record_ + field + 4)};
    }

    const uint8_t* record_ = nullptr;
    const uint8_t* pool_ = nullptr;
    uint32_t offset_ = 0;
};

// One instance record of a blob that read_blob accepted.
class InstanceView {
  public:
    InstanceView() = default;

    uint32_t id() const noexcept { return detail::load_u32(record_); }
    uint32_t template_type_id() const noexcept { return detail::load_u32(record_ + 4); }
    uint32_t template_type_version() const noexcept { return detail::load_u32(record_ + 8); }
    // The rule the instance belongs to; 0 for none.
    uint32_t rule_id() const noexcept { return detail::load_u32(record_ + 12); }
    // Index of the first criterion in the blob's criterion table.
    uint32_t first_criterion() const noexcept { return detail::load_u32(record_ + 16); }
    // All its criteria: its own (group 0) and its exclusions'.
    uint32_t criterion_count() const noexcept { return detail::load_u32(record_ + 20); }
    // How many fields the template type declares; every field_index and
    // ref_field_index is below it.
    uint16_t field_count() const noexcept { return detail::load_u16(record_ + 24); }
    uint16_t exclusion_count() const noexcept { return detail::load_u16(record_ + 26); }
    // Criterion k, in the blob's order: sorted by (group, field_index), so
    // group 0 first and then each exclusion's, contiguous. k must be below
    // criterion_count().
    CriterionView criterion(uint32_t k) const noexcept {
        if (k >= criterion_count()) {
            detail::contract_violation();
        }
        const uint32_t offset = criteria_offset_ + (first_criterion() + k) * kCriterionRecordSize;
        return CriterionView(blob_ + offset, pool_, offset);
    }
    // Byte offset of this record from the start of the blob.
    uint32_t record_offset() const noexcept { return static_cast<uint32_t>(record_ - blob_); }

  private:
    friend class BlobView;
    InstanceView(const uint8_t* blob, const uint8_t* record, uint32_t criteria_offset,
                 const uint8_t* pool) noexcept
        : blob_(blob), record_(record), pool_(pool), criteria_offset_(criteria_offset) {}

    const uint8_t* blob_ = nullptr;
    const uint8_t* record_ = nullptr;
    const uint8_t* pool_ = nullptr;
    uint32_t criteria_offset_ = 0;
};

// A blob that read_blob checked completely. It does not own the bytes: they
// must outlive the view and stay unchanged. Default-constructed, it is empty.
class BlobView {
  public:
    BlobView() = default;

    const uint8_t* data() const noexcept { return data_; }
    uint32_t size() const noexcept { return size_; }
    uint32_t channel() const noexcept { return detail::load_u32(data_ + 20); }
    uint64_t content_version() const noexcept { return detail::load_u64(data_ + 24); }
    uint64_t sensor_min() const noexcept { return detail::load_u64(data_ + 32); }
    uint64_t sensor_max() const noexcept { return detail::load_u64(data_ + 40); }
    uint32_t instance_count() const noexcept { return instance_count_; }
    uint32_t criterion_count() const noexcept { return criterion_count_; }
    uint32_t pool_offset() const noexcept { return pool_offset_; }
    uint32_t pool_size() const noexcept { return size_ - pool_offset_; }
    // How many distinct field names the blob's criteria name.
    uint32_t name_count() const noexcept { return detail::load_u32(data_ + 72); }
    // Name i of the name table, in ascending byte order. i must be below
    // name_count().
    Bytes name(uint32_t i) const noexcept {
        if (i >= name_count()) {
            detail::contract_violation();
        }
        return detail::name_entry(data_ + pool_offset_, i);
    }
    // Instance i, in ascending id order. i must be below instance_count().
    InstanceView instance(uint32_t i) const noexcept {
        if (i >= instance_count_) {
            detail::contract_violation();
        }
        return InstanceView(data_, data_ + kHeaderSize + i * kInstanceRecordSize, criteria_offset_,
                            data_ + pool_offset_);
    }

  private:
    friend ReadResult read_blob(const uint8_t*, size_t, const Limits&, BlobView*) noexcept;

    const uint8_t* data_ = nullptr;
    uint32_t size_ = 0;
    uint32_t instance_count_ = 0;
    uint32_t criterion_count_ = 0;
    uint32_t criteria_offset_ = 0;
    uint32_t pool_offset_ = 0;
    // Named so the view has no padding: the loader copies it byte for byte
    // into ringward_loaded, which callers may compare with memcmp.
    [[maybe_unused]] uint32_t reserved_ = 0;
};
static_assert(sizeof(BlobView) == sizeof(const uint8_t*) + 6 * sizeof(uint32_t),
              "BlobView has no padding bytes");

// Checks that data[0, size) is one well-formed, canonical blob within
// `limits` (docs/format.md, "Reading"), in one pass linear in size.
//
// On success *out views the blob and the result is ok. On failure the result
// holds the first failed rule and its byte offset, and *out is empty. Never
// reads outside data[0, size). `data` may be null only when size is 0.
ReadResult read_blob(const uint8_t* data, size_t size, const Limits& limits,
                     BlobView* out) noexcept;

}  // namespace ringward::format
