// The reader: for every rule of docs/format.md, a blob that breaks only that
// rule, and the exact code and byte offset the reader must report.
#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include "format/blob_fixture.hpp"

using namespace ringward;
using namespace ringward::test;
using format::Limits;
using format::ReadError;

namespace {

struct Outcome {
    ReadError error;
    uint32_t offset;
};

Outcome read(const std::vector<uint8_t>& bytes, const Limits& limits = {}) {
    format::BlobView view;
    const format::ReadResult r =
        format::read_blob(bytes.empty() ? nullptr : bytes.data(), bytes.size(), limits, &view);
    if (!r.ok()) {
        // A refusal leaves the view empty.
        CHECK(view.instance_count() == 0);
        CHECK(view.data() == nullptr);
    }
    return {r.error, r.offset};
}

// One way to break the fixture, and what the reader must say.
struct Breakage {
    const char* what;
    ReadError error;
    // Mutates the blob (and limits); returns the offset the reader must
    // report, computed from the specification.
    std::function<uint32_t(std::vector<uint8_t>&, Limits&)> apply;
};

// Appends `n` zero bytes to the pool and keeps blob_size and pool_size in
// step, so that only the pool rules are affected.
void grow_pool(std::vector<uint8_t>& b, uint32_t n) {
    b.resize(b.size() + n, 0);
    set_u32(b, 16, static_cast<uint32_t>(b.size()));
    set_u32(b, 68, get_u32(b, 68) + n);
}

const std::vector<Breakage>& breakages() {
    static const std::vector<Breakage> all = {
        {"input above max_blob_size_incl", ReadError::too_large,
         [](auto& b, auto& l) {
             l.max_blob_size_incl = static_cast<uint32_t>(b.size() - 1);
             return 0u;
         }},
        {"empty input", ReadError::truncated_header,
         [](auto& b, auto&) {
             b.clear();
             return 0u;
         }},
        {"truncated header", ReadError::truncated_header,
         [](auto& b, auto&) {
             b.resize(79);
             return 79u;
         }},
        {"magic", ReadError::bad_magic,
         [](auto& b, auto&) {
             b[3] = 'X';
             return 3u;
         }},
        {"format version", ReadError::unsupported_version,
         [](auto& b, auto&) {
             set_u16(b, 8, 2);
             return 8u;
         }},
        {"header size", ReadError::bad_header_size,
         [](auto& b, auto&) {
             set_u16(b, 10, 88);
             return 10u;
         }},
        {"header flags", ReadError::header_flags,
         [](auto& b, auto&) {
             set_u32(b, 12, 1);
             return 12u;
         }},
        {"blob_size larger than the input", ReadError::size_mismatch,
         [](auto& b, auto&) {
             set_u32(b, 16, get_u32(b, 16) + 8);
             return 16u;
         }},
        {"a byte appended", ReadError::size_mismatch,
         [](auto& b, auto&) {
             b.push_back(0);
             return 16u;
         }},
        {"header reserved", ReadError::header_reserved,
         [](auto& b, auto&) {
             set_u64(b, 72, 1);
             return 72u;
         }},
        {"gap before the instance table", ReadError::section_gap,
         [](auto& b, auto&) {
             set_u32(b, 48, 88);
             return 48u;
         }},
        {"instance table overlapping the header", ReadError::section_overlap,
         [](auto& b, auto&) {
             set_u32(b, 48, 72);
             return 48u;
         }},
        {"gap before the criterion table", ReadError::section_gap,
         [](auto& b, auto&) {
             set_u32(b, 56, kCriterionTable + 8);
             return 56u;
         }},
        {"pool overlapping the criterion table", ReadError::section_overlap,
         [](auto& b, auto&) {
             set_u32(b, 64, kPool - 8);
             return 64u;
         }},
        {"an instance count that points past the end", ReadError::section_out_of_bounds,
         [](auto& b, auto&) {
             set_u32(b, 52, 1u << 22);
             return 52u;
         }},
        {"a criterion count that points past the end", ReadError::section_out_of_bounds,
         [](auto& b, auto&) {
             // The criterion table must start after the (now longer)
             // instance table for the count to be the only fault.
             set_u32(b, 60, 1u << 24);
             return 60u;
         }},
        {"a pool size that points past the end", ReadError::section_out_of_bounds,
         [](auto& b, auto&) {
             set_u32(b, 68, get_u32(b, 68) + 8);
             return 68u;
         }},
        {"instances above max_instances_incl", ReadError::too_many_instances,
         [](auto&, auto& l) {
             l.max_instances_incl = 1;
             return 52u;
         }},
        {"criteria above max_criteria_incl", ReadError::too_many_criteria,
         [](auto&, auto& l) {
             l.max_criteria_incl = kCriterionCount - 1;
             return 60u;
         }},
        {"pool size not a multiple of 8", ReadError::pool_unaligned,
         [](auto& b, auto&) {
             set_u32(b, 68, get_u32(b, 68) - 1);
             return 68u;
         }},
        {"bytes after the pool", ReadError::trailing_bytes,
         [](auto& b, auto&) {
             set_u32(b, 68, get_u32(b, 68) - 8);
             return static_cast<uint32_t>(b.size() - 8);
         }},
        {"instance reserved", ReadError::instance_reserved,
         [](auto& b, auto&) {
             set_u32(b, instance_record(0) + 20, 1);
             return instance_record(0) + 20;
         }},
        {"instance ids descending", ReadError::instances_unsorted,
         [](auto& b, auto&) {
             set_u32(b, instance_record(1), 5);
             return instance_record(1);
         }},
        {"instance id repeated", ReadError::instance_id_duplicate,
         [](auto& b, auto&) {
             set_u32(b, instance_record(1), 10);
             return instance_record(1);
         }},
        {"first_criterion not where the criteria begin", ReadError::criterion_run_mismatch,
         [](auto& b, auto&) {
             set_u32(b, instance_record(0) + 12, 1);
             return instance_record(0) + 12;
         }},
        {"criteria above max_criteria_per_instance_incl", ReadError::instance_criteria_limit,
         [](auto&, auto& l) {
             l.max_criteria_per_instance_incl = 10;
             return instance_record(0) + 16;
         }},
        {"an instance's criteria running past the table", ReadError::criterion_run_past_table,
         [](auto& b, auto&) {
             set_u32(b, instance_record(1) + 16, 3);
             return instance_record(1) + 16;
         }},
        {"a criterion count far past the table, at the widest limit",
         ReadError::criterion_run_past_table,
         [](auto& b, auto& l) {
             l.max_criteria_per_instance_incl = 65536;
             set_u32(b, instance_record(1) + 16, 65536);
             return instance_record(1) + 16;
         }},
        {"a criterion no instance owns", ReadError::criteria_unowned,
         [](auto& b, auto&) {
             set_u32(b, instance_record(1) + 16, 1);
             return criterion_record(kBytesPrefix);
         }},
        {"field_index not the position", ReadError::criterion_order,
         [](auto& b, auto&) {
             set_u16(b, criterion_record(kUintGt), 5);
             return criterion_record(kUintGt);
         }},
        {"criteria out of field order (two swapped indices)", ReadError::criterion_order,
         [](auto& b, auto&) {
             set_u16(b, criterion_record(kWildcard), 1);
             set_u16(b, criterion_record(kUintGt), 0);
             return criterion_record(kWildcard);
         }},
        {"unknown operator", ReadError::unknown_operator,
         [](auto& b, auto&) {
             b[criterion_record(kUintGt) + 2] = format::kOpCount;
             return criterion_record(kUintGt) + 2;
         }},
        {"unknown kind", ReadError::unknown_kind,
         [](auto& b, auto&) {
             b[criterion_record(kUintGt) + 3] = format::kKindCount;
             return criterion_record(kUintGt) + 3;
         }},
        {"an operator that does not take the kind", ReadError::operator_kind_mismatch,
         [](auto& b, auto&) {
             b[criterion_record(kUintGt) + 2] = static_cast<uint8_t>(format::Op::regex);
             return criterion_record(kUintGt) + 3;
         }},
        {"a wildcard with a kind", ReadError::operator_kind_mismatch,
         [](auto& b, auto&) {
             b[criterion_record(kWildcard) + 3] = static_cast<uint8_t>(format::Kind::uint64);
             return criterion_record(kWildcard) + 3;
         }},
        {"case-insensitive on a number", ReadError::criterion_flags,
         [](auto& b, auto&) {
             b[criterion_record(kUintGt) + 4] = format::kFlagCaseInsensitive;
             return criterion_record(kUintGt) + 4;
         }},
        {"an unknown flag bit", ReadError::criterion_flags,
         [](auto& b, auto&) {
             b[criterion_record(kStringSuffix) + 4] |= 0x02;
             return criterion_record(kStringSuffix) + 4;
         }},
        {"criterion reserved u16", ReadError::criterion_reserved,
         [](auto& b, auto&) {
             set_u16(b, criterion_record(kUintGt) + 6, 1);
             return criterion_record(kUintGt) + 6;
         }},
        {"criterion reserved u32", ReadError::criterion_reserved,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 28, 1);
             return criterion_record(kUintGt) + 28;
         }},
        {"two values for gt", ReadError::value_count,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 24, 2);
             return criterion_record(kUintGt) + 24;
         }},
        {"a value for a wildcard", ReadError::value_count,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kWildcard) + 24, 1);
             return criterion_record(kWildcard) + 24;
         }},
        {"an empty set", ReadError::value_count,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintSet) + 24, 0);
             return criterion_record(kUintSet) + 24;
         }},
        {"an empty field name", ReadError::name_length,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 12, 0);
             return criterion_record(kUintGt) + 12;
         }},
        {"a field name above max_name_length_incl", ReadError::name_length,
         [](auto&, auto& l) {
             l.max_name_length_incl = 3;  // "delta" is the first name longer than 3
             return criterion_record(kIntRange) + 12;
         }},
        {"a name offset that overflows 32 bits when added", ReadError::reference_out_of_pool,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 8, 0xFFFFFFF0u);
             return criterion_record(kUintGt) + 8;
         }},
        {"a name length that overflows 32 bits when added", ReadError::reference_out_of_pool,
         [](auto& b, auto& l) {
             l.max_name_length_incl = UINT32_MAX;
             set_u32(b, criterion_record(kUintGt) + 12, 0xFFFFFFF0u);
             return criterion_record(kUintGt) + 8;
         }},
        {"a data reference past the pool", ReadError::reference_out_of_pool,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kStringSuffix) + 20, 1u << 20);
             return criterion_record(kStringSuffix) + 16;
         }},
        {"a pool item after its place", ReadError::pool_gap,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 8,
                     get_u32(b, criterion_record(kUintGt) + 8) + 8);
             return criterion_record(kUintGt) + 8;
         }},
        {"a pool item before the end of the previous one", ReadError::pool_overlap,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 8, 0);
             return criterion_record(kUintGt) + 8;
         }},
        {"padding between pool items", ReadError::pool_padding,
         [](auto& b, auto&) {
             b[kPool + 3] = 1;  // after "any", the first name
             return kPool + 3;
         }},
        {"padding after the last pool item", ReadError::pool_padding,
         [](auto& b, auto&) {
             b[b.size() - 1] = 1;  // "\x01\x02" ends the pool, padded to 8
             return static_cast<uint32_t>(b.size() - 1);
         }},
        {"a pool longer than its items", ReadError::pool_unused,
         [](auto& b, auto&) {
             const auto end = static_cast<uint32_t>(b.size());
             grow_pool(b, 8);
             return end;
         }},
        {"value1 set on gt", ReadError::unused_value,
         [](auto& b, auto&) {
             set_u64(b, criterion_record(kUintGt) + 40, 1);
             return criterion_record(kUintGt) + 40;
         }},
        {"value0 set on a wildcard", ReadError::unused_value,
         [](auto& b, auto&) {
             set_u64(b, criterion_record(kWildcard) + 32, 1);
             return criterion_record(kWildcard) + 32;
         }},
        {"value0 set on a string", ReadError::unused_value,
         [](auto& b, auto&) {
             set_u64(b, criterion_record(kStringSuffix) + 32, 1);
             return criterion_record(kStringSuffix) + 32;
         }},
        {"data_offset set on an inline value", ReadError::unused_value,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintGt) + 16, 8);
             return criterion_record(kUintGt) + 16;
         }},
        {"data_length set on an inline value", ReadError::unused_value,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kBoolEq) + 20, 1);
             return criterion_record(kBoolEq) + 20;
         }},
        {"prefix_len set on a number", ReadError::unused_value,
         [](auto& b, auto&) {
             b[criterion_record(kUintGt) + 5] = 1;
             return criterion_record(kUintGt) + 5;
         }},
        {"a bool that is 2", ReadError::bool_value,
         [](auto& b, auto&) {
             set_u64(b, criterion_record(kBoolEq) + 32, 2);
             return criterion_record(kBoolEq) + 32;
         }},
        {"eq on an IP network", ReadError::ip_prefix,
         [](auto& b, auto&) {
             b[criterion_record(kIpEq) + 5] = 127;
             return criterion_record(kIpEq) + 5;
         }},
        {"a prefix above 128", ReadError::ip_prefix,
         [](auto& b, auto&) {
             b[criterion_record(kIpCidr) + 5] = 129;
             return criterion_record(kIpCidr) + 5;
         }},
        {"a set member's prefix above 128", ReadError::ip_prefix,
         [](auto& b, auto&) {
             const uint32_t entry = data_of(b, kIpSet);
             b[entry + 16] = 129;
             return entry + 16;
         }},
        {"host bits set in a CIDR network", ReadError::ip_host_bits,
         [](auto& b, auto&) {
             // 10.0.0.0/8 is ::ffff:10.0.0.0/104; byte 13 is the second octet.
             b[criterion_record(kIpCidr) + 32 + 13] = 1;
             return criterion_record(kIpCidr) + 32 + 13;
         }},
        {"host bits set in a set member", ReadError::ip_host_bits,
         [](auto& b, auto&) {
             // Members sort as ::1, then ::ffff:192.168.0.0/16 (prefix 112).
             const uint32_t entry = data_of(b, kIpSet) + format::kIpSetEntrySize;
             b[entry + 15] = 1;
             return entry + 15;
         }},
        {"a value above max_value_length_incl", ReadError::value_too_long,
         [](auto&, auto& l) {
             l.max_value_length_incl = 7;  // "\cmd.exe" is 8 bytes
             return criterion_record(kStringSuffix) + 20;
         }},
        {"a set member above max_value_length_incl", ReadError::value_too_long,
         [](auto& b, auto& l) {
             // Every single value fits in 8 bytes; the member "zz" (at +16)
             // is made to claim 9.
             l.max_value_length_incl = 8;
             set_u32(b, data_of(b, kStringSet) + 16, 9);
             return data_of(b, kStringSet) + 16;
         }},
        {"a set above max_set_size_incl", ReadError::set_too_large,
         [](auto&, auto& l) {
             l.max_set_size_incl = 2;
             return criterion_record(kUintSet) + 24;
         }},
        {"a scalar set whose length does not match its count", ReadError::set_length,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kUintSet) + 24, 2);
             return criterion_record(kUintSet) + 20;
         }},
        {"a string set whose items overrun its data", ReadError::set_length,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kStringSet) + 24, 4);
             return criterion_record(kStringSet) + 20;
         }},
        {"a string set whose items end before its data", ReadError::set_length,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kStringSet) + 24, 2);
             return criterion_record(kStringSet) + 20;
         }},
        {"an IP set whose length does not match its count", ReadError::set_length,
         [](auto& b, auto&) {
             set_u32(b, criterion_record(kIpSet) + 24, 1);
             return criterion_record(kIpSet) + 20;
         }},
        {"scalar set members out of order", ReadError::set_unsorted,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kUintSet);
             set_u64(b, data, 2);
             set_u64(b, data + 8, 1);
             return data + 8;
         }},
        {"int set members in unsigned but not signed order", ReadError::set_unsorted,
         [](auto& b, auto&) {
             // Make the set an int set: 1, 2, 3 stays ascending; then put
             // -1 (all ones) last, which is largest unsigned, smallest signed.
             b[criterion_record(kUintSet) + 3] = static_cast<uint8_t>(format::Kind::int64);
             const uint32_t data = data_of(b, kUintSet);
             set_u64(b, data + 16, UINT64_MAX);
             return data + 16;
         }},
        {"scalar set with a duplicate", ReadError::set_duplicate,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kUintSet);
             set_u64(b, data + 8, 1);
             return data + 8;
         }},
        {"string set members out of order", ReadError::set_unsorted,
         [](auto& b, auto&) {
             // "a" at +0, "ab" at +8, "zz" at +16: "a" becomes "b", after "ab".
             const uint32_t data = data_of(b, kStringSet);
             b[data + 4] = 'b';
             return data + 8;
         }},
        {"string set with a duplicate", ReadError::set_duplicate,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kStringSet);
             b[data + 16 + 4] = 'a';
             b[data + 16 + 5] = 'b';
             return data + 16;
         }},
        {"IP set members out of order", ReadError::set_unsorted,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kIpSet);
             std::swap_ranges(b.begin() + data, b.begin() + data + format::kIpSetEntrySize,
                              b.begin() + data + format::kIpSetEntrySize);
             return data + format::kIpSetEntrySize;
         }},
        {"IP set with a duplicate", ReadError::set_duplicate,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kIpSet);
             std::copy(b.begin() + data, b.begin() + data + format::kIpSetEntrySize,
                       b.begin() + data + format::kIpSetEntrySize);
             return data + format::kIpSetEntrySize;
         }},
        {"padding after a string set member", ReadError::set_padding,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kStringSet);
             b[data + 4 + 1] = 1;  // "a" is padded with three zeros
             return data + 5;
         }},
        {"padding inside an IP set entry", ReadError::set_padding,
         [](auto& b, auto&) {
             const uint32_t data = data_of(b, kIpSet);
             b[data + 18] = 1;
             return data + 18;
         }},
    };
    return all;
}

}  // namespace

TEST_CASE("the fixture blob is valid and its layout is the specification's") {
    const auto blob = make_fixture_blob();
    const Outcome outcome = read(blob);
    CHECK(outcome.error == ReadError::ok);
    CHECK(get_u32(blob, 48) == kInstanceTable);
    CHECK(get_u32(blob, 52) == kInstanceCount);
    CHECK(get_u32(blob, 56) == kCriterionTable);
    CHECK(get_u32(blob, 60) == kCriterionCount);
    CHECK(get_u32(blob, 64) == kPool);
    CHECK(get_u32(blob, 68) == blob.size() - kPool);
    CHECK(get_u32(blob, 16) == blob.size());
    CHECK(blob.size() % 8 == 0);
}

TEST_CASE("each broken rule gives its own code and the offset of the offending field") {
    for (const Breakage& breakage : breakages()) {
        DYNAMIC_SECTION(breakage.what) {
            auto blob = make_fixture_blob();
            Limits limits;
            const uint32_t offset = breakage.apply(blob, limits);
            const Outcome outcome = read(blob, limits);
            CHECK(format::read_error_name(outcome.error) ==
                  std::string(format::read_error_name(breakage.error)));
            CHECK(outcome.offset == offset);
        }
    }
}

TEST_CASE("every reader rule has a breakage test") {
    std::set<ReadError> covered;
    for (const Breakage& breakage : breakages()) {
        covered.insert(breakage.error);
    }
    std::vector<std::string> missing;
#define RINGWARD_READ_ERROR(number, id, name, message) \
    if (covered.count(ReadError::id) == 0) {           \
        missing.push_back(name);                       \
    }
#include "ringward/read_errors.def"
#undef RINGWARD_READ_ERROR
    CHECK(missing.empty());
    for (const auto& name : missing) {
        UNSCOPED_INFO("no breakage test for " << name);
    }
}

TEST_CASE("an all-zero file of a plausible size is refused at the magic") {
    const std::vector<uint8_t> zeros(4096, 0);
    const Outcome outcome = read(zeros);
    CHECK(outcome.error == ReadError::bad_magic);
    CHECK(outcome.offset == 0);
}

TEST_CASE("every truncation of a valid blob is refused") {
    const auto blob = make_fixture_blob();
    for (size_t size = 0; size < blob.size(); ++size) {
        const std::vector<uint8_t> prefix(blob.begin(), blob.begin() + static_cast<long>(size));
        const Outcome outcome = read(prefix);
        INFO("size " << size);
        if (size < format::kHeaderSize) {
            CHECK(outcome.error == ReadError::truncated_header);
            CHECK(outcome.offset == size);
        } else {
            CHECK(outcome.error == ReadError::size_mismatch);
            CHECK(outcome.offset == 16);
        }
    }
}

TEST_CASE("every appended byte is refused") {
    for (const uint8_t extra : {uint8_t{0}, uint8_t{0xff}}) {
        for (size_t n = 1; n <= 16; ++n) {
            auto blob = make_fixture_blob();
            blob.insert(blob.end(), n, extra);
            const Outcome outcome = read(blob);
            CHECK(outcome.error == ReadError::size_mismatch);
            CHECK(outcome.offset == 16);
        }
    }
}

TEST_CASE("limits are inclusive: the blob's own maximum passes, one less fails") {
    const auto blob = make_fixture_blob();
    struct LimitCase {
        const char* name;
        uint32_t Limits::*member;
        uint32_t exact;
        ReadError error;
    };
    const LimitCase cases[] = {
        {"max_blob_size_incl", &Limits::max_blob_size_incl, static_cast<uint32_t>(blob.size()),
         ReadError::too_large},
        {"max_instances_incl", &Limits::max_instances_incl, kInstanceCount,
         ReadError::too_many_instances},
        {"max_criteria_incl", &Limits::max_criteria_incl, kCriterionCount,
         ReadError::too_many_criteria},
        {"max_criteria_per_instance_incl", &Limits::max_criteria_per_instance_incl, 11,
         ReadError::instance_criteria_limit},
        {"max_name_length_incl", &Limits::max_name_length_incl, 5, ReadError::name_length},
        {"max_value_length_incl", &Limits::max_value_length_incl, 8, ReadError::value_too_long},
        {"max_set_size_incl", &Limits::max_set_size_incl, 3, ReadError::set_too_large},
    };
    for (const LimitCase& c : cases) {
        DYNAMIC_SECTION(c.name) {
            Limits limits;
            limits.*c.member = c.exact;
            CHECK(read(blob, limits).error == ReadError::ok);
            limits.*c.member = c.exact - 1;
            CHECK(read(blob, limits).error == c.error);
        }
    }
}

TEST_CASE("read error names and messages come from the one table") {
    CHECK(std::string(format::read_error_name(ReadError::ok)) == "ok");
    CHECK(std::string(format::read_error_message(ReadError::ok)).empty());
    CHECK(std::string(format::read_error_name(ReadError::bad_magic)) == "blob-bad-magic");
    CHECK(std::string(format::read_error_name(ReadError::set_padding)) == "blob-set-padding");
    CHECK(std::string(format::read_error_name(static_cast<ReadError>(999))) == "?");
    CHECK(static_cast<int>(ReadError::too_large) == 1);
    CHECK(static_cast<int>(ReadError::set_padding) == 45);
}
