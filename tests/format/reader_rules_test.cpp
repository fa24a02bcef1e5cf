// One crafted blob per reader rule (docs/format.md, "Reading"), from the
// table in reader_rule_cases.hpp, and the reader's other rules.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "format/reader_rule_cases.hpp"

namespace {

using ringward::format::ReadResult;
using namespace ringward::test::reader_rules;
using namespace ringward::test;

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
    CHECK(blob.criterion_table() == 80 + 32 * kFixtureInstances);
    // Format version 2.
    CHECK(blob.u16(8) == 2);
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
    CHECK(all.size() == 57);
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
        {"value_count before the name index", ReadError::value_count,
         [](BlobBytes& b, Limits&) {
             // kEmpty is the second criterion on "k": no entry points at it.
             b.put32(b.criterion(kEmpty) + kValueCount, 1);
             b.put32(b.criterion(kEmpty) + kNameIndex, b.u32(BlobBytes::kNameCount));
             return b.criterion(kEmpty) + kValueCount;
         }},
        {"the name index before the bytes after it", ReadError::name_index_range,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kEmpty) + kNameIndex, b.u32(BlobBytes::kNameCount));
             b.put8(b.criterion(kEmpty) + kCriterionReserved12, 1);
             return b.criterion(kEmpty) + kNameIndex;
         }},
        {"the name table before the instance records", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.put8(BlobBytes::instance(0) + kInstanceReserved, 1);
             b.put32(b.name_entry_of(kWild) + kEntryLength, 0);
             return b.name_entry_of(kWild) + kEntryLength;
         }},
        {"a name's length before its place", ReadError::name_length,
         [](BlobBytes& b, Limits&) {
             b.add32(b.name_entry_of(kPid) + kEntryOffset, 8);
             b.put32(b.name_entry_of(kPid) + kEntryLength, 0);
             return b.name_entry_of(kPid) + kEntryLength;
         }},
        {"a name's bytes before its order", ReadError::text_nul,
         [](BlobBytes& b, Limits&) {
             // "b" becomes "a\0", which would also sort before "access".
             b.rename(kLe, std::string_view("a\0", 2));
             return b.name_at(kLe) + 1;
         }},
        {"a name's order before its first criterion", ReadError::names_unsorted,
         [](BlobBytes& b, Limits&) {
             b.rename(kLe, "ab");
             b.put32(b.name_entry_of(kLe) + kEntryFirst, kFixtureCriteria);
             return b.name_entry_of(kLe);
         }},
        {"reserved fields before value_count", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put32(b.criterion(kPid) + kValueCount, 5);
             b.put8(b.criterion(kPid) + kReserved, 1);
             return b.criterion(kPid) + kReserved;
         }},
        {"field_index before group", ReadError::field_index_range,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kPid) + kGroup, 5);
             b.put16(b.criterion(kPid), 100);
             return b.criterion(kPid);
         }},
        {"group range before order", ReadError::group_range,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kUid), 0);
             b.put16(b.criterion(kUid) + kGroup, 1);
             return b.criterion(kUid) + kGroup;
         }},
        {"order before the operator", ReadError::criterion_order,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kUid), 0);
             b.put8(b.criterion(kUid) + kOp, 0);
             return b.criterion(kUid);
         }},
        {"a skipped group before the operator", ReadError::exclusion_empty,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kExcl) + kGroup, 2);
             b.put8(b.criterion(kExcl) + kOp, 2);
             return b.criterion(kExcl) + kGroup;
         }},
        {"a record's rules before the instance's missing exclusion", ReadError::bool_value,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(3) + kExclusionCount, 3);
             b.put8(b.criterion(kNeBool) + kValue0, 2);
             return b.criterion(kNeBool) + kValue0;
         }},
        {"field_count before the instance's reserved field", ReadError::field_count_zero,
         [](BlobBytes& b, Limits&) {
             b.put16(BlobBytes::instance(1) + kFieldCount, 0);
             b.put8(BlobBytes::instance(1) + kInstanceReserved, 1);
             return BlobBytes::instance(1) + kFieldCount;
         }},
        {"flags before a field reference's operator", ReadError::criterion_flags,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kFlags, 0x05);
             return b.criterion(kPid) + kFlags;
         }},
        {"a field reference's operator before the reserved field", ReadError::field_ref_operator,
         [](BlobBytes& b, Limits&) {
             b.put8(b.criterion(kPid) + kFlags, 0x04);
             b.put8(b.criterion(kPid) + kReserved, 1);
             return b.criterion(kPid) + kFlags;
         }},
        {"the reserved field before ref_field_index", ReadError::criterion_reserved,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kRef) + kRefIndex, 9);
             b.put8(b.criterion(kRef) + kReserved, 1);
             return b.criterion(kRef) + kReserved;
         }},
        {"ref_field_index before value_count", ReadError::field_ref_index,
         [](BlobBytes& b, Limits&) {
             b.put16(b.criterion(kRef) + kRefIndex, 9);
             b.put32(b.criterion(kRef) + kValueCount, 0);
             return b.criterion(kRef) + kRefIndex;
         }},
        {"the names before the records' values", ReadError::pool_padding,
         [](BlobBytes& b, Limits&) {
             // "title"'s padding, checked where the next name, "uid", starts.
             b.put8(b.name_at(kTitle) + 5, 1);
             b.put8(b.criterion(kPid) + kValue1, 1);
             return b.name_at(kTitle) + 5;
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

// The NUL search reads eight bytes at a time and the last word of a text
// overlaps the one before it: a NUL at any byte of any text, of any length
// and alignment, is reported at that byte; a zero beside a text (its
// padding) is not one.
TEST_CASE("a NUL at any byte of a name or a text value is found at that byte") {
    const BlobBytes fixture_blob = fixture();
    ringward::format::BlobView view;
    REQUIRE(ringward::format::read_blob(fixture_blob.bytes.data(), fixture_blob.bytes.size(),
                                        Limits{}, &view)
                .ok());
    using ringward::format::Bytes;
    using ringward::format::Kind;
    std::vector<Bytes> texts;
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const auto instance = view.instance(i);
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const auto c = instance.criterion(k);
            texts.push_back(c.name());
            const bool text = c.kind() == Kind::string || c.kind() == Kind::enumeration;
            if (c.is_field_ref()) {
                texts.push_back(c.data());
            } else if (text && c.data().size > 0 && c.value_count() >= 2) {
                auto cursor = c.byte_members();
                Bytes member;
                while (cursor.next(&member)) {
                    texts.push_back(member);
                }
            } else if (text && c.data().size > 0) {
                texts.push_back(c.data());
            }
        }
    }
    std::set<uint32_t> lengths;
    uint32_t bytes_tried = 0;
    for (const Bytes& t : texts) {
        lengths.insert(t.size);
        const auto at = static_cast<uint32_t>(t.data - fixture_blob.bytes.data());
        for (uint32_t i = 0; i < t.size; ++i) {
            BlobBytes blob = fixture_blob;
            blob.put8(at + i, 0);
            check_refused(blob, Limits{}, ReadError::text_nul, at + i);
            ++bytes_tried;
        }
    }
    // Short and long texts, and lengths that are not a multiple of 8.
    CHECK(*lengths.begin() < 8);
    CHECK(*lengths.rbegin() > 16);
    CHECK(std::any_of(lengths.begin(), lengths.end(),
                      [](uint32_t n) { return n > 8 && n % 8 != 0; }));
    CHECK(bytes_tried > 100);
}

// Set members are compared eight bytes at a time, folded eight at a time in
// a case-insensitive set: the order must be compare_members' (the spec's)
// for every byte either side of the letters' edges, at every place of a
// word and past it, with and without folding.
TEST_CASE("string set members are ordered as compare_members orders them, folded or not") {
    const std::vector<char> edges = {'@',    'A',    'M',    'Z',    '[',    '`',
                                     'a',    'm',    'z',    '{',    '\x7f', '\x80',
                                     '\xc1', '\xda', '\xe1', '\xfa', '\xff', '\x04'};
    uint32_t accepted = 0;
    uint32_t unsorted = 0;
    uint32_t duplicate = 0;
    for (const bool fold : {true, false}) {
        for (const bool reversed_after : {false, true}) {
            for (uint32_t place = 0; place < 12; ++place) {
                for (const char first : edges) {
                    for (const char second : edges) {
                        // The set's six slots keep their padded sizes; the last
                        // two, 12 bytes each, differ at `place`, and after it
                        // either not at all or the other way round.
                        std::string low(12, 'x');
                        std::string high(12, 'x');
                        low[place] = first;
                        high[place] = second;
                        if (reversed_after) {
                            std::fill(low.begin() + place + 1, low.end(), 'y');
                            std::fill(high.begin() + place + 1, high.end(), 'b');
                        }
                        BlobBytes blob = fixture();
                        uint8_t& flags = blob.bytes.at(blob.criterion(kNames) + 4);
                        flags = static_cast<uint8_t>(
                            fold ? flags | ringward::format::kFlagCaseInsensitive
                                 : flags & ~ringward::format::kFlagCaseInsensitive);
                        REQUIRE(blob.rewrite_byte_set(
                            kNames, {"", "\x01", std::string(28, '\x02'), "\x03\x03", low, high}));
                        const auto* a = reinterpret_cast<const uint8_t*>(low.data());
                        const auto* b = reinterpret_cast<const uint8_t*>(high.data());
                        const int order = ringward::format::compare_members(a, 12, b, 12, fold);
                        INFO("fold " << fold << " reversed after " << reversed_after << " place "
                                     << place << " bytes "
                                     << static_cast<int>(static_cast<uint8_t>(first)) << ", "
                                     << static_cast<int>(static_cast<uint8_t>(second)));
                        if (order < 0) {
                            CHECK(blob.read().ok());
                            ++accepted;
                        } else {
                            check_refused(
                                blob, Limits{},
                                order == 0 ? ReadError::set_duplicate : ReadError::set_unsorted,
                                blob.byte_member_at(kNames, 5));
                            ++(order == 0 ? duplicate : unsorted);
                        }
                    }
                }
            }
        }
    }
    // Every outcome, many times.
    CHECK(accepted > 1000);
    CHECK(unsorted > 1000);
    CHECK(duplicate > 400);
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
        // The last instance's 14, exclusions' included.
        {"max_criteria_per_instance_incl", &Limits::max_criteria_per_instance_incl, 14,
         ReadError::instance_criteria_limit, BlobBytes::instance(3) + kCount},
        {"max_name_length_incl", &Limits::max_name_length_incl, 8, ReadError::name_length,
         blob.name_entry_of(kElevated) + kEntryLength},
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
    tight.max_criteria_per_instance_incl = 14;
    tight.max_name_length_incl = 8;
    tight.max_value_length_incl = static_cast<uint32_t>(kLongName.size());
    tight.max_blob_set_size_incl = static_cast<uint32_t>(kNamesSorted.size());
    CHECK(blob.read(tight).ok());
}

TEST_CASE("rule_id is any value: no rule of the reader reads it") {
    for (const uint32_t rule : {0u, 1u, 0x80000000u, 0xffffffffu}) {
        BlobBytes blob = fixture();
        blob.put32(BlobBytes::instance(1) + kRule, rule);
        blob.put32(BlobBytes::instance(3) + kRule, rule);
        CHECK(blob.read().ok());
    }
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
