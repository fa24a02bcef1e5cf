// The one reader (DESIGN.md invariant 1): validate, sign, inspect and the
// loader all decide through read_blob whether a blob is well formed.
//
// Kernel-safe (invariant 2). Every offset and length is compared in the form
// `len <= size - off` with `off <= size` established first, in 64-bit
// arithmetic on values that are at most 32 bits wide, so no sum or product can
// wrap. Work is linear: every record is visited once and every pool byte is
// looked at a bounded number of times.
#include "ringward/format.hpp"

#include "ringward/core/regex_program.hpp"
#include "ringward/core/swar.hpp"

namespace ringward::format {
namespace {

// Inlined at each call when optimizing. Not at -O0: there every inlined copy
// keeps stack slots of its own, and read_criterion's frame would pass the
// freestanding limit of 1 KiB (clang, the freestanding-O0 test).
#if defined(__OPTIMIZE__)
#define RINGWARD_INLINE_WHEN_OPTIMIZING [[gnu::always_inline]]
#else
#define RINGWARD_INLINE_WHEN_OPTIMIZING
#endif

using core::kEveryByte;
using core::kHighBits;
using core::load_u16;
using core::load_u32;
using core::load_u64;
using core::zero_bytes;

struct ReadErrorText {
    const char* name;
    const char* message;
};
constexpr uint32_t highest_read_error() {
    uint32_t highest = 0;
#define RINGWARD_READ_ERROR(number, id, name, message) \
    highest = number > highest ? number : highest;
#include "ringward/read_errors.def"
#undef RINGWARD_READ_ERROR
    return highest;
}
constexpr uint32_t kReadErrorCount = highest_read_error() + 1;
// Indexed by number; the numbers left free have a null name.
struct ReadErrorTable {
    ReadErrorText entries[kReadErrorCount];
};
constexpr ReadErrorTable make_read_errors() {
    ReadErrorTable table{};
    table.entries[0] = {"ok", ""};
#define RINGWARD_READ_ERROR(number, id, name, message) table.entries[number] = {name, message};
#include "ringward/read_errors.def"
#undef RINGWARD_READ_ERROR
    return table;
}
constexpr ReadErrorTable kReadErrors = make_read_errors();

using detail::kEncodings;

// Holds the state of one read. Every failed check goes through fail(): break
// there in a debugger to see the first rule a blob breaks.
class Reader {
  public:
    Reader(const uint8_t* data, uint64_t size, const Limits& limits)
        : data_(data), size_(size), limits_(limits) {}

    ReadResult result() const { return ReadResult{error_, offset_}; }

    bool read();
    uint32_t instance_count() const { return instance_count_; }
    uint32_t criterion_count() const { return criterion_count_; }
    uint32_t criteria_offset() const { return static_cast<uint32_t>(criteria_offset_); }
    uint32_t pool_offset() const { return static_cast<uint32_t>(pool_offset_); }

  private:
    // Out of line and cold: the checks on the passing path stay a compare
    // and a branch each.
    [[gnu::cold, gnu::noinline]] bool fail(ReadError error, uint64_t offset) {
        error_ = error;
        offset_ = static_cast<uint32_t>(offset);
        return false;
    }
    bool check(bool condition, ReadError error, uint64_t offset) {
        return __builtin_expect(condition, 1) || fail(error, offset);
    }

    bool read_header();
    bool read_sections();
    bool read_names();
    // What the criteria of an instance are checked against.
    struct InstanceState {
        uint16_t field_count;
        uint16_t exclusion_count;
    };
    // The (group, field_index) of the record before, in one instance.
    struct CriterionOrder {
        uint16_t group = 0;
        uint16_t field_index = 0;
    };
    bool read_instance(uint32_t index, uint32_t* expected_first, uint32_t* previous_id);
    bool read_criterion(uint32_t table_index, const InstanceState& instance, CriterionOrder* order);
    [[gnu::always_inline]] bool read_pool_item(uint32_t record_offset, uint32_t field,
                                               uint32_t* item_offset, uint32_t* item_length);
    bool check_zero(uint64_t from, uint64_t to, ReadError error);
    bool read_regex_program();
    RINGWARD_INLINE_WHEN_OPTIMIZING bool check_no_nul(uint64_t from, uint64_t length);
    [[gnu::cold, gnu::noinline]] bool locate_nul(uint64_t from, uint64_t length);
    [[gnu::always_inline]] bool read_inline(uint32_t record, const Encoding& e);
    [[gnu::always_inline]] bool check_ip(const uint8_t* address, uint8_t prefix, uint64_t offset);
    [[gnu::cold, gnu::noinline]] bool locate_host_bits(const uint8_t* address, uint8_t prefix,
                                                       uint64_t offset);
    bool read_scalar_set(uint32_t record, Kind kind, uint32_t data, uint32_t length,
                         uint32_t count);
    bool read_byte_set(uint32_t record, uint32_t data, uint32_t length, uint32_t count, bool text,
                       bool fold);
    bool read_ip_set(uint32_t record, uint32_t data, uint32_t length, uint32_t count);

    const uint8_t* data_;
    uint64_t size_;
    const Limits& limits_;
    ReadError error_ = ReadError::ok;
    uint32_t offset_ = 0;

    uint32_t instance_count_ = 0;
    uint32_t criterion_count_ = 0;
    uint64_t criteria_offset_ = 0;
    uint64_t pool_offset_ = 0;
    uint64_t pool_size_ = 0;
    uint32_t name_count_ = 0;
    // Pool-relative end of the last pool item read.
    uint64_t pool_cursor_ = 0;
};

bool Reader::check_zero(uint64_t from, uint64_t to, ReadError error) {
    // Padding runs are short; test eight bytes at a time and look for the
    // offending byte only when there is one.
    uint64_t i = from;
    for (; to - i >= 8; i += 8) {
        if (load_u64(data_ + i) != 0) {
            break;
        }
    }
    for (; i < to; ++i) {
        if (data_[i] != 0) {
            return fail(error, i);
        }
    }
    return true;
}

// Names and string and enum values hold no NUL (docs/format.md, "Text"): a
// name grown into its zero padding ("i" read as "i\0\0") would otherwise be
// a second encoding of one name, and a C interpreter that stops at a NUL
// would match something other than what was validated.
//
// Eight bytes at a time, with no branch per word: the zero-byte tests of the
// words are ORed. A text of up to 16 bytes is two words, their bytes past
// the text set to 0xff, when 16 bytes of the blob are there to load; no loop,
// so no loop exit to mispredict (most names and many values are this short).
// A longer one is read in words, the last of them the word that ends where
// the text ends (overlapping the one before). The byte search runs only to
// locate a NUL, or for a short text in the blob's last 16 bytes.
inline bool Reader::check_no_nul(uint64_t from, uint64_t length) {
    // A word's bytes from n (0 to 8) on, set.
    const auto past = [](uint64_t n) { return n >= 8 ? 0 : ~uint64_t{0} << (8 * n); };
    const uint8_t* text = data_ + from;
    uint64_t found = 0;
    if (length <= 16 && size_ - from >= 16) {
        const uint64_t first = length < 8 ? length : 8;
        found = zero_bytes(load_u64(text) | past(first)) |
                zero_bytes(load_u64(text + 8) | past(length - first));
    } else if (length > 16) {
        for (uint64_t i = 0; length - i > 8; i += 8) {
            found |= zero_bytes(load_u64(text + i));
        }
        found |= zero_bytes(load_u64(text + length - 8));
    } else {
        found = 1;
    }
    if (__builtin_expect(found == 0, 1)) {
        return true;
    }
    return locate_nul(from, length);
}

bool Reader::locate_nul(uint64_t from, uint64_t length) {
    for (uint64_t i = 0; i < length; ++i) {
        if (data_[from + i] == 0) {
            return fail(ReadError::text_nul, from + i);
        }
    }
    return true;
}

bool Reader::read_header() {
    if (!check(size_ <= limits_.max_blob_size_incl, ReadError::too_large, 0) ||
        !check(size_ >= kHeaderSize, ReadError::truncated_header, size_)) {
        return false;
    }
    for (uint32_t i = 0; i < sizeof(kMagic); ++i) {
        if (!check(data_[i] == kMagic[i], ReadError::bad_magic, i)) {
            return false;
        }
    }
    return check(load_u16(data_ + 8) == kFormatVersion, ReadError::unsupported_version, 8) &&
           check(load_u16(data_ + 10) == kHeaderSize, ReadError::bad_header_size, 10) &&
           check(load_u32(data_ + 12) == 0, ReadError::header_flags, 12) &&
           check(load_u32(data_ + 16) == size_, ReadError::size_mismatch, 16) &&
           check(load_u32(data_ + 76) == 0, ReadError::header_reserved, 76);
}

bool Reader::read_sections() {
    // Each section must start exactly where the previous one ends.
    const auto placed = [this](uint64_t actual, uint64_t expected, uint64_t field) {
        return check(actual <= expected, ReadError::section_gap, field) &&
               check(actual >= expected, ReadError::section_overlap, field);
    };
    const uint64_t instance_offset = load_u32(data_ + 48);
    instance_count_ = load_u32(data_ + 52);
    if (!placed(instance_offset, kHeaderSize, 48) ||
        !check(instance_count_ <= limits_.max_instances_incl, ReadError::too_many_instances, 52) ||
        !check(uint64_t{instance_count_} * kInstanceRecordSize <= size_ - instance_offset,
               ReadError::section_out_of_bounds, 52)) {
        return false;
    }
    criteria_offset_ = load_u32(data_ + 56);
    criterion_count_ = load_u32(data_ + 60);
    if (!placed(criteria_offset_, instance_offset + uint64_t{instance_count_} * kInstanceRecordSize,
                56) ||
        !check(criterion_count_ <= limits_.max_criteria_incl, ReadError::too_many_criteria, 60) ||
        !check(uint64_t{criterion_count_} * kCriterionRecordSize <= size_ - criteria_offset_,
               ReadError::section_out_of_bounds, 60)) {
        return false;
    }
    pool_offset_ = load_u32(data_ + 64);
    pool_size_ = load_u32(data_ + 68);
    return placed(pool_offset_,
                  criteria_offset_ + uint64_t{criterion_count_} * kCriterionRecordSize, 64) &&
           check(pool_size_ <= size_ - pool_offset_, ReadError::section_out_of_bounds, 68) &&
           check(pool_size_ % kPoolAlignment == 0, ReadError::pool_unaligned, 68) &&
           check(pool_size_ == size_ - pool_offset_, ReadError::trailing_bytes,
                 pool_offset_ + pool_size_);
}

// Checks the pool item that the (offset, length) pair at record + field names:
// inside the pool, at the next aligned position, zero padding before it.
inline bool Reader::read_pool_item(uint32_t record, uint32_t field, uint32_t* item_offset,
                                   uint32_t* item_length) {
    const uint64_t offset = load_u32(data_ + record + field);
    const uint64_t length = load_u32(data_ + record + field + 4);
    const uint64_t expected = align_up(pool_cursor_, kPoolAlignment);
    if (!check(offset <= pool_size_ && length <= pool_size_ - offset,
               ReadError::reference_out_of_pool, record + field) ||
        !check(offset <= expected, ReadError::pool_gap, record + field) ||
        !check(offset >= expected, ReadError::pool_overlap, record + field)) {
        return false;
    }
    // The padding [cursor, expected) lies in the one 8-byte word that ends at
    // `expected` (the pool and its items are 8-aligned): one load decides,
    // and the byte-by-byte search runs only to locate a non-zero byte.
    if (expected > pool_cursor_) {
        const uint64_t word = load_u64(data_ + pool_offset_ + expected - 8);
        const uint64_t previous_item_bytes = pool_cursor_ % 8;
        if ((word >> (8 * previous_item_bytes)) != 0 &&
            !check_zero(pool_offset_ + pool_cursor_, pool_offset_ + expected,
                        ReadError::pool_padding)) {
            return false;
        }
    }
    pool_cursor_ = offset + length;
    *item_offset = static_cast<uint32_t>(offset);
    *item_length = static_cast<uint32_t>(length);
    return true;
}

inline bool Reader::check_ip(const uint8_t* address, uint8_t prefix, uint64_t offset) {
    // Every bit past the prefix must be zero: one canonical form per network.
    // The address is 16 bytes in network order: two big-endian words, and a
    // mask of the host bits of each. (A prefix over 128 is refused before.)
    const uint64_t high = __builtin_bswap64(load_u64(address));
    const uint64_t low = __builtin_bswap64(load_u64(address + 8));
    const uint64_t high_hosts = prefix >= 64 ? 0 : ~uint64_t{0} >> prefix;
    const uint64_t low_hosts =
        prefix >= 128 ? 0 : (prefix <= 64 ? ~uint64_t{0} : ~uint64_t{0} >> (prefix - 64));
    return __builtin_expect(((high & high_hosts) | (low & low_hosts)) == 0, 1) ||
           locate_host_bits(address, prefix, offset);
}

bool Reader::locate_host_bits(const uint8_t* address, uint8_t prefix, uint64_t offset) {
    // The byte holding the prefix's end keeps its high bits; the rest are 0.
    const uint32_t first = prefix / 8;
    if (prefix % 8 != 0 && (address[first] & (0xffu >> (prefix % 8))) != 0) {
        return fail(ReadError::ip_host_bits, offset + first);
    }
    for (uint32_t byte = (prefix + 7) / 8; byte < kIpAddressSize; ++byte) {
        if (address[byte] != 0) {
            return fail(ReadError::ip_host_bits, offset + byte);
        }
    }
    return true;
}

inline bool Reader::read_inline(uint32_t record, const Encoding& e) {
    const uint64_t value0 = load_u64(data_ + record + 32);
    const uint64_t value1 = load_u64(data_ + record + 40);
    const uint8_t prefix = data_[record + 5];
    if (e.ip_single) {
        return check(prefix <= kIpMaxPrefix && (!e.ip_exact || prefix == kIpMaxPrefix),
                     ReadError::ip_prefix, record + 5) &&
               check_ip(data_ + record + 32, prefix, record + 32);
    }
    return check(prefix == 0, ReadError::unused_value, record + 5) &&
           check(e.uses_value0 || value0 == 0, ReadError::unused_value, record + 32) &&
           check(e.uses_value1 || value1 == 0, ReadError::unused_value, record + 40) &&
           check(!e.boolean || value0 <= 1, ReadError::bool_value, record + 32);
}

bool Reader::read_scalar_set(uint32_t record, Kind kind, uint32_t data, uint32_t length,
                             uint32_t count) {
    if (!check(length == uint64_t{count} * 8, ReadError::set_length, record + 20)) {
        return false;
    }
    const uint8_t* member = data_ + pool_offset_ + data;
    for (uint32_t i = 1; i < count; ++i) {
        const uint64_t previous = load_u64(member + uint64_t{i - 1} * 8);
        const uint64_t current = load_u64(member + uint64_t{i} * 8);
        const uint64_t offset = pool_offset_ + data + uint64_t{i} * 8;
        const bool ascending = kind == Kind::int64
                                   ? static_cast<int64_t>(previous) <= static_cast<int64_t>(current)
                                   : previous <= current;
        if (!check(ascending, ReadError::set_unsorted, offset) ||
            !check(previous != current, ReadError::set_duplicate, offset)) {
            return false;
        }
    }
    return true;
}

// fold_ascii on each byte of a word: a byte from 'A' to 'Z' gains 0x20. The
// tests run on the low seven bits of each byte, where adding cannot carry
// into the next byte, and a byte with its high bit set is left alone.
inline uint64_t fold_word(uint64_t word) {
    const uint64_t low7 = word & ~kHighBits;
    const uint64_t at_least_a = low7 + (0x80 - 'A') * kEveryByte;
    const uint64_t past_z = low7 + (0x80 - 'Z' - 1) * kEveryByte;
    const uint64_t upper = at_least_a & ~past_z & ~word & kHighBits;
    return word | upper >> 2;
}

// compare_members' order. Members are short: eight bytes at a time (folded
// eight at a time in a case-insensitive set), the first byte that differs
// found from the words' XOR, beats a call to memcmp.
inline int compare_bytes(const uint8_t* a, uint32_t a_size, const uint8_t* b, uint32_t b_size,
                         bool fold) {
    const uint32_t common = a_size < b_size ? a_size : b_size;
    uint32_t i = 0;
    for (; common - i >= 8; i += 8) {
        uint64_t x = load_u64(a + i);
        uint64_t y = load_u64(b + i);
        if (fold) {
            x = fold_word(x);
            y = fold_word(y);
        }
        if (x != y) {
            // load_u64 is little-endian: the lowest differing byte is first.
            const int shift = __builtin_ctzll(x ^ y) & ~7;
            return (x >> shift & 0xff) < (y >> shift & 0xff) ? -1 : 1;
        }
    }
    return compare_members(a + i, a_size - i, b + i, b_size - i, fold);
}

bool Reader::read_byte_set(uint32_t record, uint32_t data, uint32_t length, uint32_t count,
                           bool text, bool fold) {
    const uint64_t base = pool_offset_ + data;
    uint64_t position = 0;
    const uint8_t* previous = nullptr;
    uint32_t previous_size = 0;
    for (uint32_t i = 0; i < count; ++i) {
        if (!check(length - position >= 4, ReadError::set_length, record + 20)) {
            return false;
        }
        const uint32_t size = load_u32(data_ + base + position);
        const uint64_t padded = align_up(size, kByteSetAlignment);
        if (!check(size <= limits_.max_value_length_incl, ReadError::value_too_long,
                   base + position) ||
            !check(padded <= length - position - 4, ReadError::set_length, record + 20)) {
            return false;
        }
        const uint8_t* member = data_ + base + position + 4;
        if (text && !check_no_nul(base + position + 4, size)) {
            return false;
        }
        // The padding is the high end of the member's last 4-byte word: one
        // load decides, and the byte search runs only to locate a non-zero.
        if (padded != size && (load_u32(member + padded - 4) >> (8 * (4 - (padded - size)))) != 0 &&
            !check_zero(base + position + 4 + size, base + position + 4 + padded,
                        ReadError::set_padding)) {
            return false;
        }
        if (previous != nullptr) {
            const int order = compare_bytes(previous, previous_size, member, size, fold);
            if (!check(order <= 0, ReadError::set_unsorted, base + position) ||
                !check(order != 0, ReadError::set_duplicate, base + position)) {
                return false;
            }
        }
        previous = member;
        previous_size = size;
        position += 4 + padded;
    }
    return check(position == length, ReadError::set_length, record + 20);
}

bool Reader::read_ip_set(uint32_t record, uint32_t data, uint32_t length, uint32_t count) {
    if (!check(length == uint64_t{count} * kIpSetEntrySize, ReadError::set_length, record + 20)) {
        return false;
    }
    const uint64_t base = pool_offset_ + data;
    for (uint32_t i = 0; i < count; ++i) {
        const uint64_t entry = base + uint64_t{i} * kIpSetEntrySize;
        const uint8_t prefix = data_[entry + kIpAddressSize];
        if (!check(prefix <= kIpMaxPrefix, ReadError::ip_prefix, entry + kIpAddressSize) ||
            !check_zero(entry + kIpAddressSize + 1, entry + kIpSetEntrySize,
                        ReadError::set_padding) ||
            !check_ip(data_ + entry, prefix, entry)) {
            return false;
        }
        if (i > 0) {
            const int order = __builtin_memcmp(data_ + entry - kIpSetEntrySize, data_ + entry,
                                               kIpAddressSize + 1);
            if (!check(order <= 0, ReadError::set_unsorted, entry) ||
                !check(order != 0, ReadError::set_duplicate, entry)) {
                return false;
            }
        }
    }
    return true;
}

// The name table at the start of the pool, and the names after it
// (docs/format.md, "Name table"): each name a pool item, strictly
// ascending, and named first by the criterion its entry says. A criterion
// reads its name through the table, so checking each name here checks it
// for every criterion that names it.
bool Reader::read_names() {
    name_count_ = load_u32(data_ + 72);
    // Each name has its own first criterion, so there are no more names than
    // criteria; and the table lies in the pool.
    if (!check(
            name_count_ <= criterion_count_ && uint64_t{name_count_} * kNameEntrySize <= pool_size_,
            ReadError::section_out_of_bounds, 72)) {
        return false;
    }
    pool_cursor_ = uint64_t{name_count_} * kNameEntrySize;
    const uint8_t* previous = nullptr;
    uint32_t previous_size = 0;
    for (uint32_t i = 0; i < name_count_; ++i) {
        const uint32_t entry = static_cast<uint32_t>(pool_offset_ + uint64_t{i} * kNameEntrySize);
        const uint32_t length = load_u32(data_ + entry + 4);
        uint32_t offset = 0;
        uint32_t size = 0;
        if (!check(length >= 1 && length <= limits_.max_name_length_incl, ReadError::name_length,
                   entry + 4) ||
            !read_pool_item(entry, 0, &offset, &size) ||
            !check_no_nul(pool_offset_ + offset, length)) {
            return false;
        }
        const uint8_t* name = data_ + pool_offset_ + offset;
        if (previous != nullptr) {
            const int order = compare_bytes(previous, previous_size, name, length, false);
            if (!check(order <= 0, ReadError::names_unsorted, entry) ||
                !check(order != 0, ReadError::name_duplicate, entry)) {
                return false;
            }
        }
        previous = name;
        previous_size = length;
        // The entry's first criterion names it; read_criterion checks that
        // no criterion before that one does.
        const uint32_t first = load_u32(data_ + entry + 8);
        if (!check(first < criterion_count_ &&
                       load_u32(data_ + criteria_offset_ + uint64_t{first} * kCriterionRecordSize +
                                8) == i,
                   ReadError::name_first_criterion, entry + 8)) {
            return false;
        }
    }
    return true;
}

bool Reader::read_criterion(uint32_t table_index, const InstanceState& instance,
                            CriterionOrder* order) {
    const uint32_t record =
        static_cast<uint32_t>(criteria_offset_ + uint64_t{table_index} * kCriterionRecordSize);
    const uint8_t* r = data_ + record;
    const uint16_t field_index = load_u16(r);
    const uint8_t op_code = r[2];
    const uint8_t kind_code = r[3];
    const uint8_t flags = r[4];
    const uint16_t group = load_u16(r + 6);
    // Sorted by (group, field_index), and the groups contiguous: each
    // exclusion k has a record, so a record's group is at most one past the
    // group before it (group 0 may be empty: the first record's group may
    // be 1).
    if (!check(field_index < instance.field_count, ReadError::field_index_range, record) ||
        !check(group <= instance.exclusion_count, ReadError::group_range, record + 6) ||
        !check(group >= order->group, ReadError::criterion_order, record + 6) ||
        !check(group > order->group || field_index >= order->field_index,
               ReadError::criterion_order, record) ||
        !check(group <= order->group + 1, ReadError::exclusion_empty, record + 6)) {
        return false;
    }
    order->group = group;
    order->field_index = field_index;
    if (!check(op_code < kOpCount && op_code != static_cast<uint8_t>(Op::wildcard) &&
                   op_code != static_cast<uint8_t>(Op::ne),
               ReadError::unknown_operator, record + 2) ||
        !check(kind_code != 0 && kind_code < kKindCount, ReadError::unknown_kind, record + 3)) {
        return false;
    }
    const Encoding& e = kEncodings.entries[op_code][kind_code];
    const bool field_ref = (flags & kFlagFieldRef) != 0;
    const uint16_t ref_field_index = load_u16(r + 28);
    if (!check(e.valid, ReadError::operator_kind_mismatch, record + 3) ||
        !check((flags & ~kCriterionFlags) == 0 &&
                   ((flags & kFlagCaseInsensitive) == 0 || e.case_flag_allowed),
               ReadError::criterion_flags, record + 4) ||
        !check(!field_ref ||
                   op_takes_field_ref(static_cast<Op>(op_code), static_cast<Kind>(kind_code)),
               ReadError::field_ref_operator, record + 4) ||
        !check(load_u16(r + 30) == 0, ReadError::criterion_reserved, record + 30)) {
        return false;
    }
    if (field_ref) {
        if (!check(ref_field_index < instance.field_count && ref_field_index != field_index,
                   ReadError::field_ref_index, record + 28)) {
            return false;
        }
    } else if (!check(ref_field_index == 0, ReadError::unused_value, record + 28)) {
        return false;
    }
    const uint32_t count = load_u32(r + 24);
    // A set, or an any-of of two or more values, which is stored as one.
    const bool set = !field_ref && (e.set || (e.any_of && count >= 2));
    if (!field_ref && (e.set || e.any_of)) {
        if (!check(count >= 1, ReadError::value_count, record + 24) ||
            !check(count <= limits_.max_blob_set_size_incl, ReadError::set_too_large,
                   record + 24)) {
            return false;
        }
    } else if (!check(count == e.count, ReadError::value_count, record + 24)) {
        return false;
    }
    // The name, through the name table that read_names checked: an entry
    // whose first criterion is this one or one before.
    const uint32_t name_index = load_u32(r + 8);
    if (!check(name_index < name_count_, ReadError::name_index_range, record + 8) ||
        !check(load_u32(data_ + pool_offset_ + uint64_t{name_index} * kNameEntrySize + 8) <=
                   table_index,
               ReadError::name_first_criterion, record + 8) ||
        !check(load_u32(r + 12) == 0, ReadError::criterion_reserved, record + 12)) {
        return false;
    }
    const bool text = kind_code == static_cast<uint8_t>(Kind::string) ||
                      kind_code == static_cast<uint8_t>(Kind::enumeration);
    if (!e.uses_pool) {
        return check(load_u32(r + 16) == 0, ReadError::unused_value, record + 16) &&
               check(load_u32(r + 20) == 0, ReadError::unused_value, record + 20) &&
               read_inline(record, e);
    }
    if (field_ref) {
        // The data is the referenced field's name: a name's rules.
        if (!check(load_u32(r + 20) >= 1 && load_u32(r + 20) <= limits_.max_name_length_incl,
                   ReadError::name_length, record + 20)) {
            return false;
        }
    }
    uint32_t data = 0;
    uint32_t length = 0;
    if (!read_pool_item(record, 16, &data, &length) || !read_inline(record, e)) {
        return false;
    }
    if (field_ref) {
        return check_no_nul(pool_offset_ + data, length);
    }
    bool value_ok = false;
    if (!set) {
        value_ok = check(length <= limits_.max_value_length_incl, ReadError::value_too_long,
                         record + 20) &&
                   (!text || check_no_nul(pool_offset_ + data, length));
    } else if (kind_code == static_cast<uint8_t>(Kind::int64) ||
               kind_code == static_cast<uint8_t>(Kind::uint64)) {
        value_ok = read_scalar_set(record, static_cast<Kind>(kind_code), data, length, count);
    } else if (kind_code == static_cast<uint8_t>(Kind::ip)) {
        value_ok = read_ip_set(record, data, length, count);
    } else {
        value_ok =
            read_byte_set(record, data, length, count, text, (flags & kFlagCaseInsensitive) != 0);
    }
    return value_ok && (op_code != static_cast<uint8_t>(Op::regex) || read_regex_program());
}

// A regex criterion's compiled program: the pool item after its data, at
// the next aligned place, as long as its own header's counts say
// (docs/format.md, "Regex programs"), and accepted by the regex verifier,
// so that a kernel matcher never runs a program nobody checked.
bool Reader::read_regex_program() {
    const uint64_t start = align_up(pool_cursor_, kPoolAlignment);
    if (start > pool_cursor_) {
        const uint64_t word = load_u64(data_ + pool_offset_ + start - 8);
        if ((word >> (8 * (pool_cursor_ % 8))) != 0 &&
            !check_zero(pool_offset_ + pool_cursor_, pool_offset_ + start,
                        ReadError::pool_padding)) {
            return false;
        }
    }
    // start <= pool_size_: both are multiples of 8 and the cursor is within
    // the pool.
    const uint64_t at = pool_offset_ + start;
    if (!check(core::regex_header_size <= pool_size_ - start, ReadError::regex_program, at)) {
        return false;
    }
    const uint64_t size = core::regex_header_size +
                          uint64_t{load_u32(data_ + at + 8)} * core::regex_instruction_size +
                          uint64_t{load_u32(data_ + at + 12)} * core::regex_range_size;
    if (!check(size <= pool_size_ - start, ReadError::regex_program, at)) {
        return false;
    }
    const core::RegexVerifyResult verified = core::verify_regex(data_ + at, size);
    if (!check(verified.error == core::RegexVerifyError::ok, ReadError::regex_program,
               at + verified.offset)) {
        return false;
    }
    pool_cursor_ = start + size;
    return true;
}

bool Reader::read_instance(uint32_t index, uint32_t* expected_first, uint32_t* previous_id) {
    const uint32_t record = kHeaderSize + index * kInstanceRecordSize;
    const uint8_t* r = data_ + record;
    const uint32_t id = load_u32(r);
    if (index > 0 && (!check(id >= *previous_id, ReadError::instances_unsorted, record) ||
                      !check(id != *previous_id, ReadError::instance_id_duplicate, record))) {
        return false;
    }
    const uint32_t first = load_u32(r + 16);
    const uint32_t count = load_u32(r + 20);
    const InstanceState instance{load_u16(r + 24), load_u16(r + 26)};
    // *expected_first <= criterion_count_ holds here, so the subtraction
    // cannot wrap.
    if (!check(first == *expected_first, ReadError::criterion_run_mismatch, record + 16) ||
        !check(count <= limits_.max_criteria_per_instance_incl, ReadError::instance_criteria_limit,
               record + 20) ||
        !check(count <= criterion_count_ - first, ReadError::criterion_run_past_table,
               record + 20) ||
        !check(instance.field_count >= 1, ReadError::field_count_zero, record + 24) ||
        !check(load_u32(r + 28) == 0, ReadError::instance_reserved, record + 28)) {
        return false;
    }
    CriterionOrder order;
    for (uint32_t k = 0; k < count; ++k) {
        if (!read_criterion(first + k, instance, &order)) {
            return false;
        }
    }
    // The groups ran 0 (possibly empty), 1, ..., order.group: the
    // exclusions after the last group seen have no record.
    if (!check(order.group == instance.exclusion_count, ReadError::exclusion_empty, record + 26)) {
        return false;
    }
    *expected_first = first + count;
    *previous_id = id;
    return true;
}

bool Reader::read() {
    if (!read_header() || !read_sections() || !read_names()) {
        return false;
    }
    uint32_t expected_first = 0;
    uint32_t previous_id = 0;
    for (uint32_t i = 0; i < instance_count_; ++i) {
        if (!read_instance(i, &expected_first, &previous_id)) {
            return false;
        }
    }
    if (!check(expected_first == criterion_count_, ReadError::criteria_unowned,
               criteria_offset_ + uint64_t{expected_first} * kCriterionRecordSize)) {
        return false;
    }
    const uint64_t end = align_up(pool_cursor_, kPoolAlignment);
    return check(pool_size_ <= end, ReadError::pool_unused, pool_offset_ + end) &&
           check_zero(pool_offset_ + pool_cursor_, pool_offset_ + pool_size_,
                      ReadError::pool_padding);
}

}  // namespace

const char* read_error_name(ReadError error) noexcept {
    const auto index = static_cast<uint16_t>(error);
    return index < kReadErrorCount && kReadErrors.entries[index].name != nullptr
               ? kReadErrors.entries[index].name
               : "?";
}

const char* read_error_message(ReadError error) noexcept {
    const auto index = static_cast<uint16_t>(error);
    return index < kReadErrorCount && kReadErrors.entries[index].message != nullptr
               ? kReadErrors.entries[index].message
               : "?";
}

ReadResult read_blob(const uint8_t* data, size_t size, const Limits& limits,
                     BlobView* out) noexcept {
    *out = BlobView{};
    if (limits.max_criteria_per_instance_incl > 65536u) {
        // field_index is a u16: such a limit is a caller bug, not bad input.
        core::contract_violation();
    }
    Reader reader(data, size, limits);
    if (!reader.read()) {
        return reader.result();
    }
    out->data_ = data;
    out->size_ = static_cast<uint32_t>(size);
    out->instance_count_ = reader.instance_count();
    out->criterion_count_ = reader.criterion_count();
    out->criteria_offset_ = reader.criteria_offset();
    out->pool_offset_ = reader.pool_offset();
    return ReadResult{};
}

}  // namespace ringward::format

#undef RINGWARD_INLINE_WHEN_OPTIMIZING
