// One crafted blob per reader rule (docs/format.md, "Reading"): each case
// starts from the fixture, breaks one rule, and states the error and the byte
// offset the spec gives for it. Offsets are computed from the spec's layout
// (BlobBytes), never taken from the reader.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "format/blob_fixture.hpp"

namespace {

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
constexpr uint32_t kOp = 2;
constexpr uint32_t kKind = 3;
constexpr uint32_t kFlags = 4;
constexpr uint32_t kPrefix = 5;
constexpr uint32_t kReserved16 = 6;
constexpr uint32_t kNameOffset = 8;
constexpr uint32_t kNameLength = 12;
constexpr uint32_t kDataOffset = 16;
constexpr uint32_t kDataLength = 20;
constexpr uint32_t kValueCount = 24;
constexpr uint32_t kReserved32 = 28;
constexpr uint32_t kValue0 = 32;
constexpr uint32_t kValue1 = 40;
// Instance record field offsets (docs/format.md, "Instance record").
constexpr uint32_t kId = 0;
constexpr uint32_t kFirst = 12;
constexpr uint32_t kCount = 16;
constexpr uint32_t kInstanceReserved = 20;

const std::vector<RuleCase>& rule_cases() {
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
        {"format_version 2", ReadError::unsupported_version,
         [](BlobBytes& b, Limits&) {
             b.put16(8, 2);
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
             b.put8(72, 1);
             return 72u;
         }},
        {"header reserved high byte", ReadError::header_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(79, 0x80);
             return 72u;
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
             b.put32(BlobBytes::kInstanceCount, (b.size() - 80) / 24 + 1);
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
             b.add32(BlobBytes::instance(3) + kCount, static_cast<uint32_t>(-1));
             return b.criterion(kLast);
         }},

        // 4. Criterion records.
        {"field_index 0 on the second criterion", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kPid), 0);
             return b.criterion(kPid);
         }},
        {"field_index as the table index, not the position", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kSrc), kSrc);
             return b.criterion(kSrc);
         }},
        {"field_index high byte", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + 1, 1);
             return b.criterion(kWild);
         }},
        {"operator 15", ReadError::unknown_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kOp, 15);
             return b.criterion(kPid) + kOp;
         }},
        {"operator 255 on the wildcard", ReadError::unknown_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kOp, 255);
             return b.criterion(kWild) + kOp;
         }},
        {"kind 8", ReadError::unknown_kind,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kKind, 8);
             return b.criterion(kPid) + kKind;
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
        {"wildcard with kind int", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kKind, static_cast<uint8_t>(Kind::int64));
             return b.criterion(kWild) + kKind;
         }},
        {"eq with kind none", ReadError::operator_kind_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kKind, static_cast<uint8_t>(Kind::none));
             return b.criterion(kPid) + kKind;
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
        {"unknown flag bit beside case-insensitive", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPath) + kFlags, 0x03);
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
        {"case-insensitive on the wildcard", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kFlags, 1);
             return b.criterion(kWild) + kFlags;
         }},
        {"case-insensitive on ip", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSrc) + kFlags, 1);
             return b.criterion(kSrc) + kFlags;
         }},
        {"u16 reserved low byte", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kReserved16, 1);
             return b.criterion(kPid) + kReserved16;
         }},
        {"u16 reserved high byte", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kReserved16 + 1, 0x80);
             return b.criterion(kWild) + kReserved16;
         }},
        {"u32 reserved low byte", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNames) + kReserved32, 1);
             return b.criterion(kNames) + kReserved32;
         }},
        {"u32 reserved high byte", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kLast) + kReserved32 + 3, 0x80);
             return b.criterion(kLast) + kReserved32;
         }},
        {"wildcard with one value", ReadError::value_count,
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
        {"empty field name", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kWild) + kNameLength, 0);
             return b.criterion(kWild) + kNameLength;
         }},
        {"field name of 65 bytes", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kNameLength, 65);
             return b.criterion(kPid) + kNameLength;
         }},
        {"field name over a tighter limit", ReadError::name_length,
         [](BlobBytes& b, Limits& l) {
             l.max_name_length_incl = 7;
             return b.criterion(kElevated) + kNameLength;
         }},
        {"name starts at the end of the pool", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kWild) + kNameOffset, b.pool_size());
             return b.criterion(kWild) + kNameOffset;
         }},
        {"name offset near 2^32 with a length that wraps", ReadError::reference_out_of_pool,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kNameOffset, 0xfffffff8);
             b.put32(b.criterion(kPid) + kNameLength, 8);
             return b.criterion(kPid) + kNameOffset;
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
             b.insert_pool(b.u32(b.criterion(kPid) + kNameOffset), 8);
             return b.criterion(kPid) + kNameOffset;
         }},
        {"8 zero bytes before a value", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.insert_pool(b.u32(b.criterion(kPath) + kDataOffset), 8);
             return b.criterion(kPath) + kDataOffset;
         }},
        {"8 zero bytes before an empty value", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.insert_pool(b.u32(b.criterion(kTitle) + kDataOffset), 8);
             return b.criterion(kTitle) + kDataOffset;
         }},
        {"name one byte after its aligned place", ReadError::pool_gap,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kUid) + kNameOffset, 1);
             return b.criterion(kUid) + kNameOffset;
         }},
        {"name shares the previous name's bytes", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kNameOffset, b.u32(b.criterion(kWild) + kNameOffset));
             return b.criterion(kPid) + kNameOffset;
         }},
        {"name right after the previous one, unaligned", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             const uint32_t previous = b.criterion(kWild);
             b.put32(b.criterion(kPid) + kNameOffset,
                     b.u32(previous + kNameOffset) + b.u32(previous + kNameLength));
             return b.criterion(kPid) + kNameOffset;
         }},
        {"empty value at the unaligned end of its name", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             const uint32_t r = b.criterion(kTitle);
             b.put32(r + kDataOffset, b.u32(r + kNameOffset) + b.u32(r + kNameLength));
             return r + kDataOffset;
         }},
        {"set data 8 bytes early", ReadError::pool_overlap,
         [](BlobBytes& b, Limits&) {
             b.add32(b.criterion(kNames) + kDataOffset, static_cast<uint32_t>(-8));
             return b.criterion(kNames) + kDataOffset;
         }},
        {"padding after a name", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             // "wild" is 4 bytes: 4 bytes of padding follow it.
             const uint32_t at = b.name_at(kWild) + 4;
             b.put8(at + 2, 1);
             return at + 2;
         }},
        {"padding between a name and an empty value", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             const uint32_t at = b.name_at(kTitle) + 5;  // "title"
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
        {"value0 on the wildcard", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kValue0, 1);
             return b.criterion(kWild) + kValue0;
         }},
        {"value1 high byte on the wildcard", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kValue1 + 7, 0x80);
             return b.criterion(kWild) + kValue1;
         }},
        {"prefix_len on the wildcard", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kWild) + kPrefix, 128);
             return b.criterion(kWild) + kPrefix;
         }},
        {"data_offset on the wildcard", ReadError::unused_value,
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
        {"bool ne with a high bit", ReadError::bool_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kNeBool) + kValue0 + 7, 0x80);
             return b.criterion(kNeBool) + kValue0;
         }},
        {"eq ip with prefix 127", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSrc) + kPrefix, 127);
             return b.criterion(kSrc) + kPrefix;
         }},
        {"ne ip with prefix 0", ReadError::ip_prefix,
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
        // docs/format.md, "Text": no NUL in names, string or enum values.
        {"field name grown into its zero padding", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             const uint32_t length = b.u32(b.criterion(kPid) + kNameLength);
             b.put32(b.criterion(kPid) + kNameLength, length + 1);
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

void check_refused(const BlobBytes& blob, const Limits& limits, ReadError error, uint32_t offset) {
    ringward::format::BlobView view;
    const ReadResult result =
        ringward::format::read_blob(blob.bytes.data(), blob.bytes.size(), limits, &view);
    INFO("expected " << ringward::format::read_error_name(error) << " at " << offset << ", got "
                     << ringward::format::read_error_name(result.error) << " at " << result.offset);
    CHECK(result.error == error);
    CHECK(result.offset == offset);
    CHECK(view.data() == nullptr);
    CHECK(view.size() == 0);
}

TEST_CASE("the fixture blob is accepted and laid out as the spec computes") {
    const BlobBytes blob = fixture();
    REQUIRE(blob.read().ok());
    CHECK(blob.u32(BlobBytes::kInstanceCount) == kFixtureInstances);
    CHECK(blob.u32(BlobBytes::kCriterionCount) == kFixtureCriteria);
    CHECK(blob.criterion_table() == 80 + 24 * kFixtureInstances);
    CHECK(blob.pool() == blob.criterion_table() + 48 * kFixtureCriteria);
    CHECK(blob.pool() + blob.pool_size() == blob.size());
    CHECK(blob.u32(BlobBytes::kBlobSize) == blob.size());
    // The last item is one byte, so the pool ends in 7 bytes of padding.
    CHECK(blob.data_at(kLast) + 1 + 7 == blob.size());
}

TEST_CASE("each reader rule has a blob that breaks it alone") {
    for (const RuleCase& c : rule_cases()) {
        SECTION(c.name) {
            BlobBytes blob = fixture();
            Limits limits;
            const uint32_t offset = c.apply(blob, limits);
            check_refused(blob, limits, c.error, offset);
        }
    }
}

TEST_CASE("every read error has a case in the rule table") {
    std::set<ReadError> covered;
    for (const RuleCase& c : rule_cases()) {
        covered.insert(c.error);
    }
    std::set<ReadError> all;
#define RINGWARD_READ_ERROR(number, id, name, message) all.insert(ReadError::id);
#include "ringward/read_errors.def"
#undef RINGWARD_READ_ERROR
    CHECK(all.size() == 46);
    for (const ReadError error : all) {
        INFO(ringward::format::read_error_name(error));
        CHECK(covered.count(error) == 1);
    }
    CHECK(covered.count(ReadError::ok) == 0);
}

// Two rules broken at once: the reader reports the one that docs/format.md,
// "Reading", puts first.
const std::vector<RuleCase>& precedence_cases() {
    static const std::vector<RuleCase> cases = {
        {"bad magic before a bad version", ReadError::bad_magic,
         [](BlobBytes& b, Limits&) {
             b.put16(8, 9);
             b.put8(3, 0);
             return 3u;
         }},
        {"instance count limit before the criterion table offset", ReadError::too_many_instances,
         [](BlobBytes& b, Limits&) {
             // 2^32-1 records would also move the criterion table's computed
             // offset: the instance table is checked whole first.
             b.put32(BlobBytes::kInstanceCount, 0xffffffff);
             b.put32(BlobBytes::kCriterionTableOffset, 0);
             return 52u;
         }},
        {"instance count limit before the table bound", ReadError::too_many_instances,
         [](BlobBytes& b, Limits& l) {
             l.max_instances_incl = 100;
             b.put32(BlobBytes::kInstanceCount, 101);
             return 52u;
         }},
        {"pool bound before pool alignment", ReadError::section_out_of_bounds,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::kPoolSize, 4);
             return 68u;
         }},
        {"sections before records", ReadError::trailing_bytes,
         [](BlobBytes& b, Limits&) {
             b.put8(BlobBytes::instance(0) + kInstanceReserved, 1);
             const uint32_t end = b.size();
             b.insert(end, 8);
             return end;
         }},
        {"first_criterion before the instance's reserved field", ReadError::criterion_run_mismatch,
         [](BlobBytes& b, Limits&) {
             b.put8(BlobBytes::instance(2) + kInstanceReserved, 1);
             b.add32(BlobBytes::instance(2) + kFirst, 1);
             return BlobBytes::instance(2) + kFirst;
         }},
        {"an instance's criteria before the next instance", ReadError::set_duplicate,
         [](BlobBytes& b, Limits&) {
             b.put32(BlobBytes::instance(3) + kId, 0);
             b.put64(b.scalar_member_at(kPorts, 1), bits(INT64_MIN));
             return b.scalar_member_at(kPorts, 1);
         }},
        {"instance records before criteria ownership", ReadError::instance_reserved,
         [](BlobBytes& b, Limits&) {
             b.add32(BlobBytes::instance(3) + kCount, static_cast<uint32_t>(-1));
             b.put8(BlobBytes::instance(3) + kInstanceReserved, 1);
             return BlobBytes::instance(3) + kInstanceReserved;
         }},
        {"criterion records before pool use", ReadError::bool_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.size() - 1, 1);
             b.put8(b.criterion(kNeBool) + kValue0, 2);
             return b.criterion(kNeBool) + kValue0;
         }},
        {"set size limit before the name length", ReadError::set_too_large,
         [](BlobBytes& b, Limits& l) {
             l.max_blob_set_size_incl = 1;
             b.put32(b.criterion(kPorts) + kNameLength, 0);
             return b.criterion(kPorts) + kValueCount;
         }},
        {"reserved fields before value_count", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kValueCount, 5);
             b.put8(b.criterion(kPid) + kReserved32, 1);
             return b.criterion(kPid) + kReserved32;
         }},
        {"the name before the value", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             b.put8(b.name_at(kWild) + 5, 1);
             b.put8(b.criterion(kPid) + kValue1, 1);
             return b.name_at(kWild) + 5;
         }},
        {"unused fields before the IP prefix", ReadError::unused_value,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kSrc) + kPrefix, 1);
             b.put32(b.criterion(kSrc) + kDataLength, 1);
             return b.criterion(kSrc) + kDataLength;
         }},
        {"the IP prefix before host bits", ReadError::ip_prefix,
         [](BlobBytes& b, Limits&) {
             // eq needs 128; at 127, the last bit of 192.0.2.7 is a host bit.
             b.put8(b.criterion(kSrc) + kPrefix, 127);
             return b.criterion(kSrc) + kPrefix;
         }},
        {"unused value0 before a single value's length", ReadError::unused_value,
         [](BlobBytes& b, Limits& l) {
             l.max_value_length_incl = 1;
             b.put8(b.criterion(kPath) + kValue0, 1);
             return b.criterion(kPath) + kValue0;
         }},
        {"set members in order: padding of the first before order of the second",
         ReadError::set_padding,
         [](BlobBytes& b, Limits&) {
             b.put8(b.ip_member_at(kPeers, 0) + 18, 1);
             b.put8(b.ip_member_at(kPeers, 1) + 16, 104);
             return b.ip_member_at(kPeers, 0) + 18;
         }},
    };
    return cases;
}

TEST_CASE("when several rules break, the first in the spec's order is reported") {
    for (const RuleCase& c : precedence_cases()) {
        SECTION(c.name) {
            BlobBytes blob = fixture();
            Limits limits;
            const uint32_t offset = c.apply(blob, limits);
            check_refused(blob, limits, c.error, offset);
        }
    }
}

TEST_CASE("empty input is a truncated header at offset 0") {
    ringward::format::BlobView view;
    const ReadResult result = ringward::format::read_blob(nullptr, 0, Limits{}, &view);
    CHECK(result.error == ReadError::truncated_header);
    CHECK(result.offset == 0);
    CHECK(view.data() == nullptr);
}

TEST_CASE("an all-zero file of a plausible size has a bad magic at offset 0") {
    check_refused(BlobBytes{std::vector<uint8_t>(4096, 0)}, Limits{}, ReadError::bad_magic, 0);
}

TEST_CASE("a header cut anywhere is a truncated header where the input ends") {
    const BlobBytes full = fixture();
    for (uint32_t n = 0; n < 80; ++n) {
        INFO("size " << n);
        BlobBytes cut{std::vector<uint8_t>(full.bytes.begin(), full.bytes.begin() + n)};
        check_refused(cut, Limits{}, ReadError::truncated_header, n);
    }
}

TEST_CASE("every truncation of the blob is refused") {
    const BlobBytes full = fixture();
    for (uint32_t n = 80; n < full.size(); ++n) {
        INFO("size " << n);
        BlobBytes cut{std::vector<uint8_t>(full.bytes.begin(), full.bytes.begin() + n)};
        check_refused(cut, Limits{}, ReadError::size_mismatch, 16);
    }
}

TEST_CASE("every truncation with blob_size rewritten is still refused") {
    // A truncation that also fixes up blob_size must fail on the layout or a
    // pool reference, never be accepted.
    const BlobBytes full = fixture();
    for (uint32_t n = 80; n < full.size(); ++n) {
        INFO("size " << n);
        BlobBytes cut{std::vector<uint8_t>(full.bytes.begin(), full.bytes.begin() + n)};
        cut.put32(BlobBytes::kBlobSize, n);
        CHECK_FALSE(cut.read().ok());
    }
}

TEST_CASE("trailing bytes are refused") {
    const BlobBytes full = fixture();
    for (uint32_t extra = 1; extra <= 16; ++extra) {
        INFO("extra " << extra);
        BlobBytes longer = full;
        longer.bytes.resize(full.size() + extra, 0);
        check_refused(longer, Limits{}, ReadError::size_mismatch, 16);
        longer.put32(BlobBytes::kBlobSize, longer.size());
        check_refused(longer, Limits{}, ReadError::trailing_bytes, full.size());
    }
}

TEST_CASE("a pool without items is unused past offset 0 of the pool") {
    ringward::BlobWriter writer(kFixtureHeader);
    BlobBytes blob{writer.finish()};
    REQUIRE(blob.size() == 80);
    REQUIRE(blob.read().ok());
    blob.insert(80, 8);
    blob.put32(BlobBytes::kPoolSize, 8);
    check_refused(blob, Limits{}, ReadError::pool_unused, 80);
}

TEST_CASE("a header alone with one instance counted points past the end") {
    ringward::BlobWriter writer(kFixtureHeader);
    BlobBytes blob{writer.finish()};
    blob.put32(BlobBytes::kInstanceCount, 1);
    check_refused(blob, Limits{}, ReadError::section_out_of_bounds, 52);
}

TEST_CASE("limits are inclusive: the blob's own value passes, one below fails") {
    const BlobBytes blob = fixture();
    struct LimitCase {
        const char* name;
        uint32_t Limits::*member;
        uint32_t value;
        ReadError error;
        uint32_t offset;
    };
    const LimitCase cases[] = {
        {"max_blob_size_incl", &Limits::max_blob_size_incl, blob.size(), ReadError::too_large, 0},
        {"max_instances_incl", &Limits::max_instances_incl, kFixtureInstances,
         ReadError::too_many_instances, 52},
        {"max_criteria_incl", &Limits::max_criteria_incl, kFixtureCriteria,
         ReadError::too_many_criteria, 60},
        {"max_criteria_per_instance_incl", &Limits::max_criteria_per_instance_incl, 10,
         ReadError::instance_criteria_limit, BlobBytes::instance(2) + kCount},
        {"max_name_length_incl", &Limits::max_name_length_incl, 8, ReadError::name_length,
         blob.criterion(kElevated) + kNameLength},
        {"max_value_length_incl", &Limits::max_value_length_incl,
         static_cast<uint32_t>(kLongName.size()), ReadError::value_too_long,
         blob.byte_member_at(kNames, 2)},
        {"max_blob_set_size_incl", &Limits::max_blob_set_size_incl,
         static_cast<uint32_t>(kNamesSorted.size()), ReadError::set_too_large,
         blob.criterion(kNames) + kValueCount},
    };
    for (const LimitCase& c : cases) {
        SECTION(c.name) {
            Limits at_value;
            at_value.*c.member = c.value;
            CHECK(blob.read(at_value).ok());
            Limits below;
            below.*c.member = c.value - 1;
            check_refused(blob, below, c.error, c.offset);
        }
    }
}

TEST_CASE("a tight set of limits that the fixture meets exactly is accepted") {
    const BlobBytes blob = fixture();
    Limits tight;
    tight.max_blob_size_incl = blob.size();
    tight.max_instances_incl = kFixtureInstances;
    tight.max_criteria_incl = kFixtureCriteria;
    tight.max_criteria_per_instance_incl = 10;
    tight.max_name_length_incl = 8;
    tight.max_value_length_incl = static_cast<uint32_t>(kLongName.size());
    tight.max_blob_set_size_incl = static_cast<uint32_t>(kNamesSorted.size());
    CHECK(blob.read(tight).ok());
}

TEST_CASE("the largest criteria-per-instance limit the format can express is accepted") {
    Limits limits;
    limits.max_criteria_per_instance_incl = 65536;
    CHECK(fixture().read(limits).ok());
}

TEST_CASE("set bytes that are sorted for one kind are accepted for it") {
    BlobBytes blob = fixture();
    // i64 order, which as u64 would be unsorted, in the int set; and the
    // reverse in the uint set.
    blob.put64(blob.scalar_member_at(kPorts, 0), bits(-5));
    blob.put64(blob.scalar_member_at(kPorts, 1), bits(-4));
    blob.put64(blob.scalar_member_at(kPorts, 2), 0);
    blob.put64(blob.scalar_member_at(kPorts, 3), 1);
    blob.put64(blob.scalar_member_at(kInodes, 0), 1);
    blob.put64(blob.scalar_member_at(kInodes, 1), bits(INT64_MIN));
    blob.put64(blob.scalar_member_at(kInodes, 2), bits(-1));
    CHECK(blob.read().ok());
}

}  // namespace
