// One crafted blob per reader rule (docs/format.md, "Reading"): each case
// starts from the fixture, breaks one rule, and states the error and the byte
// offset the spec gives for it. Offsets are computed from the spec's layout
// (BlobBytes), never taken from the reader. Shared by the reader's own tests
// and the CLI's code walk, which writes each case's blob to a file.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "format/blob_fixture.hpp"

namespace ringward::test::reader_rules {

using ringward::format::Limits;
using ringward::format::ReadError;
using ringward::format::ReadResult;
using ringward::test::BlobBytes;
using namespace ringward::test;

struct RuleCase {
    const char* name;
    ReadError error;
    // Breaks the rule in `blob` (or tightens `limits`) and returns the offset
    // the reader must report.
    std::function<uint32_t(BlobBytes& blob, Limits& limits)> apply;
};

// Criterion record field offsets (docs/format.md, "Criterion record").
inline constexpr uint32_t kOp = 2;
inline constexpr uint32_t kKind = 3;
inline constexpr uint32_t kFlags = 4;
inline constexpr uint32_t kPrefix = 5;
inline constexpr uint32_t kGroup = 6;
inline constexpr uint32_t kNameIndex = 8;
inline constexpr uint32_t kCriterionReserved12 = 12;
// Name table entry field offsets (docs/format.md, "Name table").
inline constexpr uint32_t kEntryOffset = 0;
inline constexpr uint32_t kEntryLength = 4;
inline constexpr uint32_t kEntryFirst = 8;
inline constexpr uint32_t kDataOffset = 16;
inline constexpr uint32_t kDataLength = 20;
inline constexpr uint32_t kValueCount = 24;
inline constexpr uint32_t kRefIndex = 28;
inline constexpr uint32_t kReserved = 30;
inline constexpr uint32_t kValue0 = 32;
inline constexpr uint32_t kValue1 = 40;
// Instance record field offsets (docs/format.md, "Instance record").
inline constexpr uint32_t kId = 0;
inline constexpr uint32_t kRule = 12;
inline constexpr uint32_t kFirst = 16;
inline constexpr uint32_t kCount = 20;
inline constexpr uint32_t kFieldCount = 24;
inline constexpr uint32_t kExclusionCount = 26;
inline constexpr uint32_t kInstanceReserved = 28;

inline const std::vector<RuleCase>& rule_cases() {
    static const std::vector<RuleCase> cases = {
        // 1. Input size. Neither has a field: too large is reported at the
        // start of the input, a short header where the input ends.
        {"blob one byte over max_blob_size_incl", ReadError::too_large,
         [](BlobBytes& b, Limits& l) {
             l.max_blob_size_incl = b.size() - 1;
             return 0u;
         }},
        {"header cut at 79 bytes", ReadError::truncated_header,
         [](BlobBytes& b, Limits&) {
             b.bytes.resize(79);
             return 79u;
         }},
        {"header cut at 1 byte", ReadError::truncated_header,
         [](BlobBytes& b, Limits&) {
             b.bytes.resize(1);
             return 1u;
         }},

        // 2. Header.
        {"magic high bit stripped by a 7-bit transport", ReadError::bad_magic,
         [](BlobBytes& b, Limits&) {
             b.put8(0, b.u8(0) & 0x7f);
             return 0u;
         }},
        {"magic 'R' lower-cased", ReadError::bad_magic,
         [](BlobBytes& b, Limits&) {
             b.put8(1, 'r');
             return 1u;
         }},
        {"magic CR LF turned into LF", ReadError::bad_magic,
         [](BlobBytes& b, Limits&) {
             b.bytes.erase(b.bytes.begin() + 4);
             return 4u;
         }},
        {"magic LF turned into CR LF", ReadError::bad_magic,
         [](BlobBytes& b, Limits&) {
             b.bytes.insert(b.bytes.begin() + 7, uint8_t{0x0d});
             return 7u;
         }},
        {"magic 1A (DOS EOF) changed", ReadError::bad_magic,
         [](BlobBytes& b, Limits&) {
             b.put8(6, 0);
             return 6u;
         }},
        {"format_version 1: format 2 replaces it", ReadError::unsupported_version,
         [](BlobBytes& b, Limits&) {
             b.put16(8, 1);
             return 8u;
         }},
        {"format_version 3", ReadError::unsupported_version,
         [](BlobBytes& b, Limits&) {
             b.put16(8, 3);
             return 8u;
         }},
        {"format_version 0", ReadError::unsupported_version,
         [](BlobBytes& b, Limits&) {
             b.put16(8, 0);
             return 8u;
         }},
        {"format_version high byte set", ReadError::unsupported_version,
         [](BlobBytes& b, Limits&) {
             b.put8(9, 1);
             return 8u;
         }},
        {"header_size 88", ReadError::bad_header_size,
         [](BlobBytes& b, Limits&) {
             b.put16(10, 88);
             return 10u;
         }},
        {"header flags bit 0", ReadError::header_flags,
         [](BlobBytes& b, Limits&) {
             b.put32(12, 1);
             return 12u;
         }},
        {"header flags bit 31", ReadError::header_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(15, 0x80);
             return 12u;
         }},
        {"blob_size 8 more than the input", ReadError::size_mismatch,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kBlobSize, 8);
             return 16u;
         }},
        {"blob_size 8 less than the input", ReadError::size_mismatch,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kBlobSize, static_cast<uint32_t>(-8));
             return 16u;
         }},
        {"input truncated by 8 bytes", ReadError::size_mismatch,
         [](BlobBytes& b, Limits&) {
             b.bytes.resize(b.size() - 8);
             return 16u;
         }},
        {"input with a byte appended, blob_size unchanged", ReadError::size_mismatch,
         [](BlobBytes& b, Limits&) {
             b.bytes.push_back(0);
             return 16u;
         }},
        {"header reserved low byte", ReadError::header_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(76, 1);
             return 76u;
         }},
        {"header reserved high byte", ReadError::header_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(79, 0x80);
             return 76u;
         }},

        // 3. Section layout. A real gap: 8 bytes inserted between two
        // sections, every later offset and blob_size moved along with them.
        {"8 bytes between header and instance table", ReadError::section_gap,
         [](BlobBytes& b, Limits&) {
             b.insert(80, 8);
             b.add32(BlobBytes::kInstanceTableOffset, 8);
             b.add32(BlobBytes::kCriterionTableOffset, 8);
             b.add32(BlobBytes::kPoolOffset, 8);
             return 48u;
         }},
        {"8 bytes between instance and criterion tables", ReadError::section_gap,
         [](BlobBytes& b, Limits&) {
             b.insert(b.criterion_table(), 8);
             b.add32(BlobBytes::kCriterionTableOffset, 8);
             b.add32(BlobBytes::kPoolOffset, 8);
             return 56u;
         }},
        {"8 bytes between criterion table and pool", ReadError::section_gap,
         [](BlobBytes& b, Limits&) {
             b.insert(b.pool(), 8);
             b.add32(BlobBytes::kPoolOffset, 8);
             return 64u;
         }},
        {"instance table starts inside the header", ReadError::section_overlap,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kInstanceTableOffset, 72);
             return 48u;
         }},
        {"instance_count one too many: criterion table overlaps", ReadError::section_overlap,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kInstanceCount, 1);
             return 56u;
         }},
        {"criterion table starts at the instance table", ReadError::section_overlap,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kCriterionTableOffset, 80);
             return 56u;
         }},
        {"criterion_count one too many: pool overlaps", ReadError::section_overlap,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kCriterionCount, 1);
             return 64u;
         }},
        {"instance_count at its limit points past the end", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kInstanceCount, Limits{}.max_instances_incl);
             return 52u;
         }},
        {"instance table one record past the end", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kInstanceCount, (b.size() - 80) / 32 + 1);
             return 52u;
         }},
        {"criterion_count at its limit points past the end", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kCriterionCount, Limits{}.max_criteria_incl);
             return 60u;
         }},
        {"pool_size 8 past the end", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kPoolSize, 8);
             return 68u;
         }},
        {"pool_size near 2^32", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kPoolSize, 0xfffffff8);
             return 68u;
         }},
        {"instance_count 2^32-1", ReadError::too_many_instances,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kInstanceCount, 0xffffffff);
             return 52u;
         }},
        {"instance_count above a tighter limit", ReadError::too_many_instances,
         [](BlobBytes&, Limits& l) {
             l.max_instances_incl = kFixtureInstances - 1;
             return 52u;
         }},
        {"criterion_count 2^32-1", ReadError::too_many_criteria,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kCriterionCount, 0xffffffff);
             return 60u;
         }},
        {"criterion_count above a tighter limit", ReadError::too_many_criteria,
         [](BlobBytes&, Limits& l) {
             l.max_criteria_incl = kFixtureCriteria - 1;
             return 60u;
         }},
        {"pool grown by 4 bytes", ReadError::pool_unaligned,
         [](BlobBytes& b, Limits&) {
             b.insert(b.size(), 4);
             b.add32(BlobBytes::kPoolSize, 4);
             return 68u;
         }},
        {"pool_size 4 short", ReadError::pool_unaligned,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kPoolSize, static_cast<uint32_t>(-4));
             return 68u;
         }},
        {"8 bytes appended, blob_size updated", ReadError::trailing_bytes,
         [](BlobBytes& b, Limits&) {
             const uint32_t end = b.pool() + b.pool_size();
             b.insert(b.size(), 8);
             return end;
         }},
        {"pool_size 8 short", ReadError::trailing_bytes,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kPoolSize, static_cast<uint32_t>(-8));
             return b.pool() + b.pool_size();
         }},

        // 4. Instance records.
        {"reserved field of the instance without criteria", ReadError::instance_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(BlobBytes::instance(1) + kInstanceReserved, 1);
             return BlobBytes::instance(1) + kInstanceReserved;
         }},
        {"reserved field high byte of the last instance", ReadError::instance_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(BlobBytes::instance(3) + kInstanceReserved + 3, 0x80);
             return BlobBytes::instance(3) + kInstanceReserved;
         }},
        {"instance ids 5 and 7 swapped", ReadError::instances_unsorted,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(0) + kId, 7);
             b.put32(BlobBytes::instance(1) + kId, 5);
             return BlobBytes::instance(1) + kId;
         }},
        {"third instance id below the second", ReadError::instances_unsorted,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(2) + kId, 6);
             return BlobBytes::instance(2) + kId;
         }},
        {"second instance repeats the first id", ReadError::instance_id_duplicate,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(1) + kId, 5);
             return BlobBytes::instance(1) + kId;
         }},
        {"last instance repeats the previous id", ReadError::instance_id_duplicate,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(3) + kId, 9);
             return BlobBytes::instance(3) + kId;
         }},
        {"first instance does not start at criterion 0", ReadError::criterion_run_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(0) + kFirst, 1);
             return BlobBytes::instance(0) + kFirst;
         }},
        {"instance after an empty one starts one early", ReadError::criterion_run_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(2) + kFirst, kSrc - 1);
             return BlobBytes::instance(2) + kFirst;
         }},
        {"first_criterion near 2^32 so first+count would wrap",
         ReadError::criterion_run_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(3) + kFirst, 0xfffffff0);
             return BlobBytes::instance(3) + kFirst;
         }},
        {"criterion_count near 2^32 so first+count would wrap",
         ReadError::instance_criteria_limit,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(2) + kCount, 0xfffffff8);
             return BlobBytes::instance(2) + kCount;
         }},
        {"instance over max_criteria_per_instance_incl", ReadError::instance_criteria_limit,
         [](BlobBytes&, Limits& l) {
             l.max_criteria_per_instance_incl = 9;
             return BlobBytes::instance(2) + kCount;
         }},
        {"last instance claims one criterion past the table",
         ReadError::criterion_run_past_table,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::instance(3) + kCount, 1);
             return BlobBytes::instance(3) + kCount;
         }},
        {"first instance claims more than the whole table", ReadError::criterion_run_past_table,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(0) + kCount, kFixtureCriteria + 1);
             return BlobBytes::instance(0) + kCount;
         }},

        // 5. Ownership of the criterion table (checked after every record; kept
        // here beside the instance rules it complements).
        {"a record appended to the criterion table", ReadError::criteria_unowned,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.pool();
             b.insert(at, 48);
             b.add32(BlobBytes::kCriterionCount, 1);
             b.add32(BlobBytes::kPoolOffset, 48);
             return at;
         }},
        {"last instance owns one criterion too few", ReadError::criteria_unowned,
         [](BlobBytes& b, Limits&) {
             // Its last exclusion goes with the record it no longer owns.
             b.add32(BlobBytes::instance(3) + kCount, static_cast<uint32_t>(-1));
             b.put16(BlobBytes::instance(3) + kExclusionCount, 1);
             return b.criterion(kLast);
         }},
        {"field_count 0 on the instance without criteria", ReadError::field_count_zero,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(1) + kFieldCount, 0);
             return BlobBytes::instance(1) + kFieldCount;
         }},
        {"field_count 0 on an instance with criteria", ReadError::field_count_zero,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(2) + kFieldCount, 0);
             return BlobBytes::instance(2) + kFieldCount;
         }},

        // 4. Criterion records: where they sit (field, group, order).
        {"field_index high byte: past field_count", ReadError::field_index_range,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + 1, 1);
             return b.criterion(kWild);
         }},
        {"field_index equal to field_count", ReadError::field_index_range,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kAccess), 9);
             return b.criterion(kAccess);
         }},
        {"field_count lowered below a criterion's field", ReadError::field_index_range,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(0) + kFieldCount, 8);
             return b.criterion(kAccess);
         }},
        {"group on an instance without exclusions", ReadError::group_range,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kPid) + kGroup, 1);
             return b.criterion(kPid) + kGroup;
         }},
        {"group past exclusion_count", ReadError::group_range,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kLast) + kGroup, 3);
             return b.criterion(kLast) + kGroup;
         }},
        {"field_index below the previous criterion's", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kUid), 0);
             return b.criterion(kUid);
         }},
        {"field_index ahead of the next criterion's", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kSrc), 9);
             return b.criterion(kDst);
         }},
        {"an exclusion's record back in group 0", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kExclExists) + kGroup, 0);
             return b.criterion(kExclExists) + kGroup;
         }},
        {"the first exclusion's first record moved to group 2", ReadError::exclusion_empty,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kExcl) + kGroup, 2);
             return b.criterion(kExcl) + kGroup;
         }},
        {"the last exclusion's record moved into the one before", ReadError::exclusion_empty,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kLast) + kGroup, 1);
             return BlobBytes::instance(3) + kExclusionCount;
         }},
        {"exclusion_count one more than the groups", ReadError::exclusion_empty,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(3) + kExclusionCount, 3);
             return BlobBytes::instance(3) + kExclusionCount;
         }},
        {"an exclusion on an instance without criteria", ReadError::exclusion_empty,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(1) + kExclusionCount, 1);
             return BlobBytes::instance(1) + kExclusionCount;
         }},
        // What a record says.
        {"operator 17", ReadError::unknown_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kOp, 17);
             return b.criterion(kPid) + kOp;
         }},
        {"operator 0, format 1's wildcard", ReadError::unknown_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kOp, 0);
             return b.criterion(kWild) + kOp;
         }},
        {"operator 2, format 1's ne", ReadError::unknown_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kOp, 2);
             return b.criterion(kPid) + kOp;
         }},
        {"operator 255 on exists", ReadError::unknown_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kOp, 255);
             return b.criterion(kWild) + kOp;
         }},
        {"kind 8", ReadError::unknown_kind,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kKind, 8);
             return b.criterion(kPid) + kKind;
         }},
        {"kind 0, format 1's none", ReadError::unknown_kind,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kKind, 0);
             return b.criterion(kWild) + kKind;
         }},
        {"kind 255 on an ip set", ReadError::unknown_kind,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPeers) + kKind, 255);
             return b.criterion(kPeers) + kKind;
         }},
        // The operator and kind are each valid; the kind is what the
        // operator does not take, so the kind's byte is reported.
        {"glob on int", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kOp, static_cast<uint8_t>(Op::glob));
             return b.criterion(kPid) + kKind;
         }},
        {"empty on uint", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kExclExists) + kOp, static_cast<uint8_t>(Op::empty));
             return b.criterion(kExclExists) + kKind;
         }},
        {"empty on enum", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kEmpty) + kKind, static_cast<uint8_t>(Kind::enumeration));
             return b.criterion(kEmpty) + kKind;
         }},
        {"lt on bool", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kElevated) + kOp, static_cast<uint8_t>(Op::lt));
             return b.criterion(kElevated) + kKind;
         }},
        {"range on ip", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSrc) + kOp, static_cast<uint8_t>(Op::range));
             return b.criterion(kSrc) + kKind;
         }},
        {"prefix on enum", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kAccess) + kOp, static_cast<uint8_t>(Op::prefix));
             return b.criterion(kAccess) + kKind;
         }},
        {"glob on bytes", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSig) + kOp, static_cast<uint8_t>(Op::glob));
             return b.criterion(kSig) + kKind;
         }},
        {"in on bool", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kElevated) + kOp, static_cast<uint8_t>(Op::in));
             return b.criterion(kElevated) + kKind;
         }},
        {"cidr_contains on string", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kTitle) + kOp, static_cast<uint8_t>(Op::cidr_contains));
             return b.criterion(kTitle) + kKind;
         }},
        {"flag bit 3 beside case-insensitive", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPath) + kFlags, 0x09);
             return b.criterion(kPath) + kFlags;
         }},
        {"flag bit 7 on a string set", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNames) + kFlags, 0x81);
             return b.criterion(kNames) + kFlags;
         }},
        {"case-insensitive on bytes", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSig) + kFlags, 1);
             return b.criterion(kSig) + kFlags;
         }},
        {"case-insensitive on enum", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kAccess) + kFlags, 1);
             return b.criterion(kAccess) + kFlags;
         }},
        {"case-insensitive on an enum set", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kModes) + kFlags, 1);
             return b.criterion(kModes) + kFlags;
         }},
        {"case-insensitive on int", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kFlags, 1);
             return b.criterion(kPid) + kFlags;
         }},
        {"case-insensitive on exists", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kFlags, 1);
             return b.criterion(kWild) + kFlags;
         }},
        {"case-insensitive on a negated empty", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kEmpty) + kFlags, 0x03);
             return b.criterion(kEmpty) + kFlags;
         }},
        {"case-insensitive on ip", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSrc) + kFlags, 1);
             return b.criterion(kSrc) + kFlags;
         }},
        {"field reference on an int eq", ReadError::field_ref_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kFlags, 0x04);
             return b.criterion(kPid) + kFlags;
         }},
        {"field reference on glob", ReadError::field_ref_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kGlob) + kFlags, 0x04);
             return b.criterion(kGlob) + kFlags;
         }},
        {"field reference on an enum eq", ReadError::field_ref_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kAccess) + kFlags, 0x04);
             return b.criterion(kAccess) + kFlags;
         }},
        {"field reference on an in-set", ReadError::field_ref_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNames) + kFlags, 0x05);
             return b.criterion(kNames) + kFlags;
         }},
        {"u16 reserved low byte", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kReserved, 1);
             return b.criterion(kPid) + kReserved;
         }},
        {"u16 reserved high byte", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kLast) + kReserved + 1, 0x80);
             return b.criterion(kLast) + kReserved;
         }},
        {"ref_field_index equal to field_count", ReadError::field_ref_index,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kRef) + kRefIndex, 12);
             return b.criterion(kRef) + kRefIndex;
         }},
        {"ref_field_index the criterion's own field", ReadError::field_ref_index,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kRef) + kRefIndex, 9);
             return b.criterion(kRef) + kRefIndex;
         }},
        {"ref_field_index on a set", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNames) + kRefIndex, 1);
             return b.criterion(kNames) + kRefIndex;
         }},
        {"ref_field_index high byte on exists", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kRefIndex + 1, 0x80);
             return b.criterion(kWild) + kRefIndex;
         }},
        {"field reference with two values", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kRef) + kValueCount, 2);
             return b.criterion(kRef) + kValueCount;
         }},
        {"any-of with no value", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kAnyOf) + kValueCount, 0);
             return b.criterion(kAnyOf) + kValueCount;
         }},
        {"exists with one value", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kExclExists) + kValueCount, 1);
             return b.criterion(kExclExists) + kValueCount;
         }},
        {"empty with one value", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kEmpty) + kValueCount, 1);
             return b.criterion(kEmpty) + kValueCount;
         }},
        {"any-of over max_blob_set_size_incl", ReadError::set_too_large,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kAnyOf) + kValueCount, 65537);
             return b.criterion(kAnyOf) + kValueCount;
         }},
        {"field reference's field name empty", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kRef) + kDataLength, 0);
             return b.criterion(kRef) + kDataLength;
         }},
        {"field reference's field name of 65 bytes", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kRef) + kDataLength, 65);
             return b.criterion(kRef) + kDataLength;
         }},
        {"field reference's field name holds a NUL", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             b.put8(b.data_at(kRef), 0);
             return b.data_at(kRef);
         }},
        {"field reference with value0", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kRef) + kValue0, 1);
             return b.criterion(kRef) + kValue0;
         }},
        {"empty with a data_offset", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kEmpty) + kDataOffset, 8);
             return b.criterion(kEmpty) + kDataOffset;
         }},
        {"any-of counting two of its three values", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kAnyOf) + kValueCount, 2);
             return b.criterion(kAnyOf) + kDataLength;
         }},
        {"any-of values swapped", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             REQUIRE(b.rewrite_byte_set(kAnyOf, {"evil", "bad", "Worse"}));
             return b.byte_member_at(kAnyOf, 1);
         }},
        {"any-of in byte order, not folded order", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             REQUIRE(b.rewrite_byte_set(kAnyOf, {"Worse", "bad", "evil"}));
             return b.byte_member_at(kAnyOf, 1);
         }},
        {"any-of values equal after folding", ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             REQUIRE(b.rewrite_byte_set(kAnyOf, {"bad", "BAD", "Worse"}));
             return b.byte_member_at(kAnyOf, 1);
         }},
        {"any-of with value_count 1 is one plain value, here with NULs", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kAnyOf) + kValueCount, 1);
             // The first member's u32 length, 3, is followed by NUL bytes.
             return b.data_at(kAnyOf) + 1;
         }},
        {"exists with one value on a string field", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kWild) + kValueCount, 1);
             return b.criterion(kWild) + kValueCount;
         }},
        {"eq with no value", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kValueCount, 0);
             return b.criterion(kPid) + kValueCount;
         }},
        {"eq on string with two values", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kTitle) + kValueCount, 2);
             return b.criterion(kTitle) + kValueCount;
         }},
        {"cidr_contains with two values", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kNet6) + kValueCount, 2);
             return b.criterion(kNet6) + kValueCount;
         }},
        {"range with one value", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kSize) + kValueCount, 1);
             return b.criterion(kSize) + kValueCount;
         }},
        {"range with three values", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kURange) + kValueCount, 3);
             return b.criterion(kURange) + kValueCount;
         }},
        {"empty in-set", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPorts) + kValueCount, 0);
             return b.criterion(kPorts) + kValueCount;
         }},
        // The name table (checked after the section layout, before the
        // instances; kept here beside the other pool rules).
        {"name_count past the criterion count", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kNameCount, kFixtureCriteria + 1);
             return BlobBytes::kNameCount;
         }},
        {"name_count 2^32-1", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::kNameCount, 0xffffffff);
             return BlobBytes::kNameCount;
         }},
        {"empty field name", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.name_entry_of(kWild) + kEntryLength, 0);
             return b.name_entry_of(kWild) + kEntryLength;
         }},
        {"field name of 65 bytes", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.name_entry_of(kPid) + kEntryLength, 65);
             return b.name_entry_of(kPid) + kEntryLength;
         }},
        {"field name over a tighter limit", ReadError::name_length,
         [](BlobBytes& b, Limits& l) {
             l.max_name_length_incl = 7;
             return b.name_entry_of(kElevated) + kEntryLength;
         }},
        {"name starts at the end of the pool", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             b.put32(b.name_entry_of(kWild) + kEntryOffset, b.pool_size());
             return b.name_entry_of(kWild) + kEntryOffset;
         }},
        {"name offset near 2^32 with a length that wraps", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             b.put32(b.name_entry_of(kPid) + kEntryOffset, 0xfffffff8);
             b.put32(b.name_entry_of(kPid) + kEntryLength, 8);
             return b.name_entry_of(kPid) + kEntryOffset;
         }},
        {"names out of order", ReadError::names_unsorted,
         [](BlobBytes& b, Limits&) {
             // "b" becomes "ab", which sorts before the "access" before it;
             // "b"'s place has room for it.
             b.rename(kLe, "ab");
             return b.name_entry_of(kLe);
         }},
        {"a name twice", ReadError::name_duplicate,
         [](BlobBytes& b, Limits&) {
             // "b" becomes "access", the name before it.
             b.rename(kLe, "access");
             return b.name_entry_of(kLe);
         }},
        {"a name's first criterion past the table", ReadError::name_first_criterion,
         [](BlobBytes& b, Limits&) {
             b.put32(b.name_entry_of(kWild) + kEntryFirst, kFixtureCriteria);
             return b.name_entry_of(kWild) + kEntryFirst;
         }},
        {"a name's first criterion one that names another", ReadError::name_first_criterion,
         [](BlobBytes& b, Limits&) {
             b.put32(b.name_entry_of(kLt) + kEntryFirst, kWild);
             return b.name_entry_of(kLt) + kEntryFirst;
         }},
        {"a name's first criterion a later one that names it", ReadError::name_first_criterion,
         [](BlobBytes& b, Limits&) {
             // "a" is named by kLt and again by kExcl.
             b.put32(b.name_entry_of(kLt) + kEntryFirst, kExcl);
             return b.criterion(kLt) + kNameIndex;
         }},
        {"a criterion's name_index past the name table", ReadError::name_index_range,
         [](BlobBytes& b, Limits&) {
             // kExcl is not the first criterion of its name: no entry points at it.
             b.put32(b.criterion(kExcl) + kNameIndex, b.u32(BlobBytes::kNameCount));
             return b.criterion(kExcl) + kNameIndex;
         }},
        {"a criterion's bytes 12-15 not zero", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kCriterionReserved12 + 3, 1);
             return b.criterion(kPid) + kCriterionReserved12;
         }},
        {"data offset near 2^32 with a length that wraps", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPath) + kDataOffset, 0xfffffff0);
             b.put32(b.criterion(kPath) + kDataLength, 0x20);
             return b.criterion(kPath) + kDataOffset;
         }},
        {"last value one byte longer than the pool", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             const uint32_t r = b.criterion(kLast);
             b.put32(r + kDataLength, b.pool_size() - b.u32(r + kDataOffset) + 1);
             return r + kDataOffset;
         }},
        {"set data_length 2^32-1", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPorts) + kDataLength, 0xffffffff);
             return b.criterion(kPorts) + kDataOffset;
         }},
        {"8 zero bytes before a name", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.insert_pool(b.u32(b.name_entry_of(kPid)), 8);
             return b.name_entry_of(kPid) + kEntryOffset;
         }},
        {"8 zero bytes before a value", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.insert_pool(b.u32(b.criterion(kSig) + kDataOffset), 8);
             return b.criterion(kSig) + kDataOffset;
         }},
        {"8 zero bytes before an empty value", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.insert_pool(b.u32(b.criterion(kTitle) + kDataOffset), 8);
             return b.criterion(kTitle) + kDataOffset;
         }},
        {"name one byte after its aligned place", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.add32(b.name_entry_of(kUid) + kEntryOffset, 1);
             return b.name_entry_of(kUid) + kEntryOffset;
         }},
        {"first name 8 bytes after the table", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.add32(b.name_entry(0) + kEntryOffset, 8);
             return b.name_entry(0) + kEntryOffset;
         }},
        {"first name inside the table", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             b.add32(b.name_entry(0) + kEntryOffset, static_cast<uint32_t>(-8));
             return b.name_entry(0) + kEntryOffset;
         }},
        {"name shares the previous name's bytes", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             const uint32_t entry = b.name_entry_of(kPid);
             b.put32(entry + kEntryOffset, b.u32(entry - 12 + kEntryOffset));
             return entry + kEntryOffset;
         }},
        {"name right after the previous one, unaligned", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             const uint32_t entry = b.name_entry_of(kPid);
             b.put32(entry + kEntryOffset,
                     b.u32(entry - 12 + kEntryOffset) + b.u32(entry - 12 + kEntryLength));
             return entry + kEntryOffset;
         }},
        {"empty value at the unaligned end of the last name", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             // kTitle's empty value is the first value item; "wild" the last name.
             const uint32_t r = b.criterion(kTitle);
             const uint32_t last = b.name_entry_of(kWild);
             b.put32(r + kDataOffset, b.u32(last + kEntryOffset) + b.u32(last + kEntryLength));
             return r + kDataOffset;
         }},
        {"set data 8 bytes early", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kNames) + kDataOffset, static_cast<uint32_t>(-8));
             return b.criterion(kNames) + kDataOffset;
         }},
        {"padding after the last name, before the first value", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             // "wild" is 4 bytes: 4 bytes of padding follow it.
             const uint32_t at = b.name_at(kWild) + 4;
             b.put8(at + 2, 1);
             return at + 2;
         }},
        {"padding after a name, before the next", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.name_at(kTitle) + 5;  // "title", then "uid"
             b.put8(at, 0xff);
             return at;
         }},
        {"padding after the last item", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             b.put8(b.size() - 1, 1);
             return b.size() - 1;
         }},
        {"8 more zero bytes of pool", ReadError::pool_unused,
         [](BlobBytes& b, Limits&) {
             const uint32_t end = b.size();
             b.insert(end, 8);
             b.add32(BlobBytes::kPoolSize, 8);
             return end;
         }},
        {"value0 on exists", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kValue0, 1);
             return b.criterion(kWild) + kValue0;
         }},
        {"value1 high byte on exists", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kValue1 + 7, 0x80);
             return b.criterion(kWild) + kValue1;
         }},
        {"prefix_len on exists", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kPrefix, 128);
             return b.criterion(kWild) + kPrefix;
         }},
        {"data_offset on exists", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kWild) + kDataOffset, 8);
             return b.criterion(kWild) + kDataOffset;
         }},
        {"data_length on int", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kDataLength, 1);
             return b.criterion(kPid) + kDataLength;
         }},
        {"data_offset on ip", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kSrc) + kDataOffset, 8);
             return b.criterion(kSrc) + kDataOffset;
         }},
        {"value1 on eq int", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kValue1, 1);
             return b.criterion(kPid) + kValue1;
         }},
        {"prefix_len on int", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kPrefix, 128);
             return b.criterion(kPid) + kPrefix;
         }},
        {"prefix_len on range", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSize) + kPrefix, 1);
             return b.criterion(kSize) + kPrefix;
         }},
        {"value1 on bool", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kElevated) + kValue1, 1);
             return b.criterion(kElevated) + kValue1;
         }},
        {"value0 on a pooled string", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPath) + kValue0, 1);
             return b.criterion(kPath) + kValue0;
         }},
        {"prefix_len on a pooled string", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kTitle) + kPrefix, 128);
             return b.criterion(kTitle) + kPrefix;
         }},
        {"value1 on enum", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kAccess) + kValue1 + 3, 1);
             return b.criterion(kAccess) + kValue1;
         }},
        {"value0 on a scalar set", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPorts) + kValue0, 1);
             return b.criterion(kPorts) + kValue0;
         }},
        {"value1 on a byte-string set", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kModes) + kValue1, 1);
             return b.criterion(kModes) + kValue1;
         }},
        {"prefix_len on an ip set", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPeers) + kPrefix, 128);
             return b.criterion(kPeers) + kPrefix;
         }},
        {"value0 on an ip set", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPeers) + kValue0 + 5, 1);
             return b.criterion(kPeers) + kValue0;
         }},
        {"bool eq 2", ReadError::bool_value,
         [](BlobBytes& b, Limits&) {
             b.put64(b.criterion(kElevated) + kValue0, 2);
             return b.criterion(kElevated) + kValue0;
         }},
        {"negated bool eq with a high bit", ReadError::bool_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNeBool) + kValue0 + 7, 0x80);
             return b.criterion(kNeBool) + kValue0;
         }},
        {"eq ip with prefix 127", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSrc) + kPrefix, 127);
             return b.criterion(kSrc) + kPrefix;
         }},
        {"negated eq ip with prefix 0", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kDst) + kPrefix, 0);
             return b.criterion(kDst) + kPrefix;
         }},
        {"cidr_contains with prefix 129", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNet4) + kPrefix, 129);
             return b.criterion(kNet4) + kPrefix;
         }},
        {"cidr_contains with prefix 255", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNet6) + kPrefix, 255);
             return b.criterion(kNet6) + kPrefix;
         }},
        {"ip set member with prefix 129", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.ip_member_at(kPeers, 2) + 16;
             b.put8(at, 129);
             return at;
         }},
        {"ip set last member with prefix 200", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.ip_member_at(kPeers, 3) + 16;
             b.put8(at, 200);
             return at;
         }},
        {"bit past /32 set in 2001:db8::/32", ReadError::ip_host_bits,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNet6) + kValue0 + 4, 0x80);
             return b.criterion(kNet6) + kValue0 + 4;
         }},
        {"last address bit set in 10.0.0.0/8", ReadError::ip_host_bits,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNet4) + kValue0 + 15, 1);
             return b.criterion(kNet4) + kValue0 + 15;
         }},
        {"2001:db8:: shortened to /28", ReadError::ip_host_bits,
         [](BlobBytes& b, Limits&) {
             // 0x0db8: bits 28-31 are 0x8, so bit 28 (in byte 3) is set.
             b.put8(b.criterion(kNet6) + kPrefix, 28);
             return b.criterion(kNet6) + kValue0 + 3;
         }},
        {"cidr_contains /0 on a v4-mapped address", ReadError::ip_host_bits,
         [](BlobBytes& b, Limits&) {
             // ::ffff:10.0.0.0: the first set bit is in byte 10.
             b.put8(b.criterion(kNet4) + kPrefix, 0);
             return b.criterion(kNet4) + kValue0 + 10;
         }},
        {"host bit in an ip set member", ReadError::ip_host_bits,
         [](BlobBytes& b, Limits&) {
             // 10.0.0.0/16 is member 1; set 10.0.0.1.
             const uint32_t at = b.ip_member_at(kPeers, 1) + 15;
             b.put8(at, 1);
             return at;
         }},
        {"single value over a tighter limit", ReadError::value_too_long,
         [](BlobBytes& b, Limits& l) {
             l.max_value_length_incl = static_cast<uint32_t>(kPathValue.size()) - 1;
             return b.criterion(kPath) + kDataLength;
         }},
        {"set member over a tighter limit", ReadError::value_too_long,
         [](BlobBytes& b, Limits& l) {
             l.max_value_length_incl = static_cast<uint32_t>(kLongName.size()) - 1;
             return b.byte_member_at(kNames, 2);
         }},
        {"set member length 2^32-1", ReadError::value_too_long,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.byte_member_at(kModes, 1);
             b.put32(at, 0xffffffff);
             return at;
         }},
        {"set over a tighter limit", ReadError::set_too_large,
         [](BlobBytes& b, Limits& l) {
             l.max_blob_set_size_incl = static_cast<uint32_t>(kNamesSorted.size()) - 1;
             return b.criterion(kNames) + kValueCount;
         }},
        {"value_count 65537 on a scalar set", ReadError::set_too_large,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPorts) + kValueCount, 65537);
             return b.criterion(kPorts) + kValueCount;
         }},
        {"int set counts one member fewer than it holds", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kPorts) + kValueCount, static_cast<uint32_t>(-1));
             return b.criterion(kPorts) + kDataLength;
         }},
        {"uint set counts one member more than it holds", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kInodes) + kValueCount, 1);
             return b.criterion(kInodes) + kDataLength;
         }},
        {"ip set counts one member fewer than it holds", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kPeers) + kValueCount, static_cast<uint32_t>(-1));
             return b.criterion(kPeers) + kDataLength;
         }},
        {"string set counts one member fewer than it holds", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kNames) + kValueCount, static_cast<uint32_t>(-1));
             return b.criterion(kNames) + kDataLength;
         }},
        {"string set counts one member more than it holds", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kNames) + kValueCount, 1);
             return b.criterion(kNames) + kDataLength;
         }},
        {"byte set member length past data_length", ReadError::set_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.byte_member_at(kBlobs, 1), 5);  // "\xff" claims 5 bytes; 4 remain
             return b.criterion(kBlobs) + kDataLength;
         }},
        {"int set in u64 order, not i64 order", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             // INT64_MIN, -1 ascend either way; 0, 80, -1 ascend only as u64.
             b.put64(b.scalar_member_at(kPorts, 0), 0);
             b.put64(b.scalar_member_at(kPorts, 1), 80);
             b.put64(b.scalar_member_at(kPorts, 2), 443);
             b.put64(b.scalar_member_at(kPorts, 3), bits(-1));
             return b.scalar_member_at(kPorts, 3);
         }},
        {"uint set in i64 order, not u64 order", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             b.put64(b.scalar_member_at(kInodes, 0), UINT64_MAX);
             b.put64(b.scalar_member_at(kInodes, 1), 0);
             return b.scalar_member_at(kInodes, 1);
         }},
        {"string set: two members swapped", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             auto m = kNamesSorted;
             std::swap(m[4], m[5]);
             b.rewrite_byte_set(kNames, m);
             return b.byte_member_at(kNames, 5);
         }},
        {"string set: a proper prefix after the longer member", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             auto m = kNamesSorted;
             std::swap(m[1], m[2]);  // "a-very-long-process-name.exe", then "a"
             b.rewrite_byte_set(kNames, m);
             return b.byte_member_at(kNames, 2);
         }},
        {"string set: empty member not first", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             auto m = kNamesSorted;
             std::swap(m[0], m[1]);
             b.rewrite_byte_set(kNames, m);
             return b.byte_member_at(kNames, 1);
         }},
        {"case-insensitive string set in byte order, not folded order", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             // "Z" < "a-very-long..." as bytes; folded, "z" sorts after it.
             auto m = kNamesSorted;
             m[1] = "Z";
             b.rewrite_byte_set(kNames, m);
             return b.byte_member_at(kNames, 2);
         }},
        {"bytes set compared signed", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             b.rewrite_byte_set(kBlobs, {kBlobsSorted[1], kBlobsSorted[0]});
             return b.byte_member_at(kBlobs, 1);
         }},
        {"enum set swapped", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             b.rewrite_byte_set(kModes, {"WRITE", "READ"});
             return b.byte_member_at(kModes, 1);
         }},
        {"ip set: same address, prefixes descending", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             b.put8(b.ip_member_at(kPeers, 0) + 16, 112);
             b.put8(b.ip_member_at(kPeers, 1) + 16, 104);
             return b.ip_member_at(kPeers, 1);
         }},
        {"ip set: IPv6 before IPv4-mapped", ReadError::set_unsorted,
         [](BlobBytes& b, Limits&) {
             std::vector<uint8_t> third(b.bytes.begin() + b.ip_member_at(kPeers, 2),
                                        b.bytes.begin() + b.ip_member_at(kPeers, 3));
             std::copy_n(b.bytes.begin() + b.ip_member_at(kPeers, 3), 20,
                         b.bytes.begin() + b.ip_member_at(kPeers, 2));
             std::copy(third.begin(), third.end(), b.bytes.begin() + b.ip_member_at(kPeers, 3));
             return b.ip_member_at(kPeers, 3);
         }},
        {"int set member repeated", ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             b.put64(b.scalar_member_at(kPorts, 3), 80);
             return b.scalar_member_at(kPorts, 3);
         }},
        {"uint set member repeated", ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             b.put64(b.scalar_member_at(kInodes, 1), 0);
             return b.scalar_member_at(kInodes, 1);
         }},
        {"string set member repeated", ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             auto m = kNamesSorted;
             m[4] = m[5];  // "lsass.exe" and "svchost.exe" take the same 16 bytes
             b.rewrite_byte_set(kNames, m);
             return b.byte_member_at(kNames, 5);
         }},
        {"case-insensitive string set: members equal under ASCII folding",
         ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             auto m = kNamesSorted;
             m[5] = "LSASS.EXE";  // the same 16 bytes as "svchost.exe"
             b.rewrite_byte_set(kNames, m);
             return b.byte_member_at(kNames, 5);
         }},
        {"ip set member repeated", ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             b.put8(b.ip_member_at(kPeers, 1) + 16, 104);
             return b.ip_member_at(kPeers, 1);
         }},
        {"string set member padding", ReadError::set_padding,
         [](BlobBytes& b, Limits&) {
             // "a": length, one byte, three bytes of padding.
             const uint32_t at = b.byte_member_at(kNames, 1) + 4 + 1 + 1;
             b.put8(at, 1);
             return at;
         }},
        {"enum set last member padding", ReadError::set_padding,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.byte_member_at(kModes, 1) + 4 + 5 + 2;  // after "WRITE"
             b.put8(at, 0x80);
             return at;
         }},
        {"ip set entry padding", ReadError::set_padding,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.ip_member_at(kPeers, 2) + 17;
             b.put8(at, 1);
             return at;
         }},
        {"ip set entry last padding byte", ReadError::set_padding,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.ip_member_at(kPeers, 3) + 19;
             b.put8(at, 1);
             return at;
         }},
        // Regex programs.
        {"regex program with its magic changed", ReadError::regex_program,
         [](BlobBytes& b, Limits&) {
             b.put8(b.program_at(kRegex), 0);
             return b.program_at(kRegex);
         }},
        {"regex program with a reserved header field set: the verifier's offset",
         ReadError::regex_program,
         [](BlobBytes& b, Limits&) {
             b.put8(b.program_at(kRegex) + 6, 1);
             return b.program_at(kRegex) + 6;
         }},
        {"regex program whose instruction count runs past the pool", ReadError::regex_program,
         [](BlobBytes& b, Limits&) {
             b.put32(b.program_at(kRegex) + 8, 0xffffffff);
             return b.program_at(kRegex);
         }},
        {"padding between a regex pattern and its program", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             // "^a+$" is 4 bytes: 4 bytes of padding follow it.
             const uint32_t at = b.data_at(kRegex) + 5;
             b.put8(at, 1);
             return at;
         }},
        // docs/format.md, "Text": no NUL in names, string or enum values.
        {"field name grown into its zero padding", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             const uint32_t length = b.u32(b.name_entry_of(kPid) + kEntryLength);
             b.put32(b.name_entry_of(kPid) + kEntryLength, length + 1);
             return b.name_at(kPid) + length;
         }},
        {"string value with a NUL", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             b.put8(b.data_at(kPath) + 5, 0);
             return b.data_at(kPath) + 5;
         }},
        {"enum value with a NUL", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             b.put8(b.data_at(kAccess) + 1, 0);
             return b.data_at(kAccess) + 1;
         }},
        {"string set member with a NUL", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             // The last byte of the last (and longest) member.
             const uint32_t member = b.byte_member_at(kNames, 5);
             const uint32_t at = member + 4 + b.u32(member) - 1;
             b.put8(at, 0);
             return at;
         }},
    };
    return cases;
}

}  // namespace ringward::test::reader_rules
