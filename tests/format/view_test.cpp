// After read_blob accepts the fixture, every view accessor returns what the
// writer was given.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "format/blob_fixture.hpp"
#include "ringward/regex.hpp"

namespace {

ringward::RegexOptions ci_options() {
    ringward::RegexOptions options;
    options.case_insensitive = true;
    return options;
}

using ringward::IpValue;
using ringward::format::BlobView;
using ringward::format::Bytes;
using ringward::format::ByteSetCursor;
using ringward::format::CriterionView;
using ringward::format::InstanceView;
using ringward::format::Limits;
using ringward::format::read_blob;
using ringward::format::ReadError;
using ringward::format::ReadResult;
using ringward::format::SensorVersion;
using namespace ringward::test;

std::string text(Bytes bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data), bytes.size);
}

std::vector<uint8_t> address(const IpValue& ip) {
    return {ip.address.begin(), ip.address.end()};
}

std::vector<uint8_t> address(const uint8_t* bytes) {
    return {bytes, bytes + 16};
}

struct Fixture {
    std::vector<uint8_t> bytes = fixture_blob();
    BlobView view;
    Fixture() { REQUIRE(read_blob(bytes.data(), bytes.size(), Limits{}, &view).ok()); }
    CriterionView criterion(uint32_t table_index) const {
        for (uint32_t i = 0; i < view.instance_count(); ++i) {
            const InstanceView instance = view.instance(i);
            if (table_index - instance.first_criterion() < instance.criterion_count()) {
                return instance.criterion(table_index - instance.first_criterion());
            }
        }
        FAIL("no instance owns criterion " << table_index);
        return {};
    }
};

// Expected criterion fields; inline values as the spec places them.
struct Expect {
    Crit index;
    const char* name;
    Op op;
    Kind kind;
    bool case_insensitive;
    bool negated;
    uint8_t prefix_len;
    uint32_t value_count;
    uint64_t value0;
    uint64_t value1;
};

TEST_CASE("blob accessors return the header and section values") {
    const Fixture f;
    CHECK(f.view.data() == f.bytes.data());
    CHECK(f.view.size() == f.bytes.size());
    CHECK(f.view.channel() == kFixtureHeader.channel);
    CHECK(f.view.content_version() == kFixtureHeader.content_version);
    CHECK(f.view.sensor_min() == kFixtureHeader.sensor_min);
    CHECK(f.view.sensor_max() == kFixtureHeader.sensor_max);
    CHECK(f.view.instance_count() == kFixtureInstances);
    CHECK(f.view.criterion_count() == kFixtureCriteria);
    CHECK(f.view.pool_offset() == 80 + 32 * kFixtureInstances + 48 * kFixtureCriteria);
    CHECK(f.view.pool_size() == f.bytes.size() - f.view.pool_offset());

    const SensorVersion max = SensorVersion::unpack(f.view.sensor_max());
    CHECK(max.major == 7);
    CHECK(max.minor == 11);
    CHECK(max.build == 19000);
}

TEST_CASE("packed sensor versions order as versions") {
    CHECK(SensorVersion{1, 2, 3}.packed() == 0x0001000200000003);
    CHECK(SensorVersion{0, 0, 0xffffffff}.packed() < SensorVersion{0, 1, 0}.packed());
    CHECK(SensorVersion{0, 0xffff, 0xffffffff}.packed() < SensorVersion{1, 0, 0}.packed());
    const SensorVersion v = SensorVersion::unpack(0xfffe'fffd'fffffffc);
    CHECK(v.major == 0xfffe);
    CHECK(v.minor == 0xfffd);
    CHECK(v.build == 0xfffffffc);
    CHECK(v.packed() == 0xfffe'fffd'fffffffc);
}

TEST_CASE("instance accessors return what was written") {
    const Fixture f;
    struct Row {
        uint32_t id, type_id, type_version, rule_id, first, count;
        uint16_t field_count, exclusion_count;
    };
    const Row rows[] = {
        {5, 291, 2, 11, 0, 9, 9, 0},
        {7, 292, 1, 0, 9, 0, 1, 0},
        {9, 293, 1, 11, 9, 10, 10, 0},
        {0xffffffff, 1, 0, 0xfffffffe, 19, 14, 12, 2},
    };
    // Instance 3's (group, field_index) in blob order: the writer sorted them.
    const std::pair<uint16_t, uint16_t> last_order[] = {
        {0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6},
        {0, 7}, {0, 8}, {0, 9}, {0, 9}, {1, 0}, {1, 7}, {2, 11},
    };
    for (uint32_t i = 0; i < kFixtureInstances; ++i) {
        INFO("instance " << i);
        const InstanceView instance = f.view.instance(i);
        CHECK(instance.id() == rows[i].id);
        CHECK(instance.template_type_id() == rows[i].type_id);
        CHECK(instance.template_type_version() == rows[i].type_version);
        CHECK(instance.first_criterion() == rows[i].first);
        CHECK(instance.criterion_count() == rows[i].count);
        CHECK(instance.rule_id() == rows[i].rule_id);
        CHECK(instance.field_count() == rows[i].field_count);
        CHECK(instance.exclusion_count() == rows[i].exclusion_count);
        CHECK(instance.record_offset() == 80 + 32 * i);
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            INFO("criterion " << k);
            const CriterionView c = instance.criterion(k);
            if (i < 3) {
                CHECK(c.field_index() == k);
                CHECK(c.group() == 0);
            } else {
                CHECK(c.group() == last_order[k].first);
                CHECK(c.field_index() == last_order[k].second);
            }
            CHECK(c.record_offset() ==
                  f.view.pool_offset() - 48 * kFixtureCriteria + 48 * (rows[i].first + k));
        }
    }
}

TEST_CASE("criterion accessors return what was written") {
    const Fixture f;
    const Expect rows[] = {
        {kWild, "wild", Op::exists, Kind::string, false, false, 0, 0, 0, 0},
        {kPid, "pid", Op::eq, Kind::int64, false, false, 0, 1, bits(-42), 0},
        {kUid, "uid", Op::gt, Kind::uint64, false, false, 0, 1, 1000, 0},
        {kElevated, "elevated", Op::eq, Kind::boolean, false, false, 0, 1, 1, 0},
        {kSize, "size", Op::range, Kind::int64, false, false, 0, 2, bits(-3), 9},
        {kTitle, "title", Op::eq, Kind::string, false, false, 0, 1, 0, 0},
        {kPath, "path", Op::prefix, Kind::string, true, false, 0, 1, 0, 0},
        {kSig, "sig", Op::contains, Kind::bytes, false, false, 0, 1, 0, 0},
        {kAccess, "access", Op::eq, Kind::enumeration, false, false, 0, 1, 0, 0},
        // value0/value1 of an IP are its 16 bytes read as two little-endian u64.
        {kSrc, "src", Op::eq, Kind::ip, false, false, 128, 1, 0, 0x0702'00c0'ffff'0000},
        {kDst, "dst", Op::eq, Kind::ip, false, true, 128, 1, 0xb80d0120, 0x0100'0000'0000'0000},
        {kNet4, "net4", Op::cidr_contains, Kind::ip, false, false, 104, 1, 0,
         0x0000'000a'ffff'0000},
        {kNet6, "net6", Op::cidr_contains, Kind::ip, false, false, 32, 1, 0xb80d0120, 0},
        {kPorts, "ports", Op::in, Kind::int64, false, false, 0, 4, 0, 0},
        {kInodes, "inodes", Op::in, Kind::uint64, false, false, 0, 3, 0, 0},
        {kNames, "names", Op::in, Kind::string, true, false, 0, 6, 0, 0},
        {kBlobs, "blobs", Op::in, Kind::bytes, false, false, 0, 2, 0, 0},
        {kModes, "modes", Op::in, Kind::enumeration, false, false, 0, 2, 0, 0},
        {kPeers, "peers", Op::in, Kind::ip, false, false, 0, 4, 0, 0},
        {kLt, "a", Op::lt, Kind::int64, false, false, 0, 1, bits(-1), 0},
        {kLe, "b", Op::le, Kind::uint64, false, false, 0, 1, 3, 0},
        {kGe, "c", Op::ge, Kind::int64, false, false, 0, 1, 0, 0},
        {kNeBool, "d", Op::eq, Kind::boolean, false, true, 0, 1, 0, 0},
        {kSuffix, "e", Op::suffix, Kind::string, true, false, 0, 1, 0, 0},
        {kGlob, "f", Op::glob, Kind::string, false, false, 0, 1, 0, 0},
        {kRegex, "g", Op::regex, Kind::string, true, false, 0, 1, 0, 0},
        {kURange, "h", Op::range, Kind::uint64, false, false, 0, 2, 5, 5},
        {kAnyOf, "j", Op::contains, Kind::string, true, false, 0, 3, 0, 0},
        {kRef, "k", Op::eq, Kind::string, false, false, 0, 1, 0, 0},
        {kEmpty, "k", Op::empty, Kind::string, false, true, 0, 0, 0, 0},
        {kExcl, "a", Op::eq, Kind::int64, false, false, 0, 1, 7, 0},
        {kExclExists, "h", Op::exists, Kind::uint64, false, true, 0, 0, 0, 0},
        {kLast, "i", Op::eq, Kind::bytes, false, false, 0, 1, 0, 0},
    };
    REQUIRE(std::size(rows) == kFixtureCriteria);
    for (const Expect& row : rows) {
        INFO("criterion " << row.index << " (" << row.name << ")");
        const CriterionView c = f.criterion(row.index);
        CHECK(text(c.name()) == row.name);
        CHECK(c.op() == row.op);
        CHECK(c.kind() == row.kind);
        CHECK(c.case_insensitive() == row.case_insensitive);
        CHECK(c.negated() == row.negated);
        CHECK(c.is_field_ref() == (row.index == kRef));
        CHECK(c.ref_field_index() == (row.index == kRef ? 10 : 0));
        CHECK(c.prefix_len() == row.prefix_len);
        CHECK(c.value_count() == row.value_count);
        CHECK(c.value0() == row.value0);
        CHECK(c.value1() == row.value1);
        CHECK(c.record_offset() == f.view.pool_offset() - 48 * (kFixtureCriteria - row.index));
        // The name is a pool item, so it points into the pool.
        CHECK(c.name().data >= f.bytes.data() + f.view.pool_offset());
    }
}

TEST_CASE("typed scalar accessors") {
    const Fixture f;
    CHECK(f.criterion(kPid).int_value() == -42);
    CHECK(f.criterion(kUid).uint_value() == 1000);
    CHECK(f.criterion(kElevated).bool_value());
    CHECK_FALSE(f.criterion(kNeBool).bool_value());
    CHECK(f.criterion(kLt).int_value() == -1);
    CHECK(static_cast<int64_t>(f.criterion(kSize).value0()) == -3);
    CHECK(static_cast<int64_t>(f.criterion(kSize).value1()) == 9);
}

TEST_CASE("single byte-string values and their pool data") {
    const Fixture f;
    CHECK(f.criterion(kTitle).data().size == 0);
    CHECK(text(f.criterion(kPath).data()) == kPathValue);
    CHECK(text(f.criterion(kSig).data()) == std::string("\x00\xffMZ", 4));
    CHECK(text(f.criterion(kAccess).data()) == "READ");
    CHECK(text(f.criterion(kSuffix).data()) == ".dll");
    CHECK(text(f.criterion(kGlob).data()) == "*.tmp");
    CHECK(text(f.criterion(kRegex).data()) == "^a+$");
    CHECK(text(f.criterion(kLast).data()) == "\x01");
    // Inline values, and exists and empty, have no pool data.
    for (const Crit k :
         {kWild, kPid, kElevated, kSize, kSrc, kNet6, kURange, kEmpty, kExcl, kExclExists}) {
        INFO("criterion " << k);
        CHECK(f.criterion(k).data().size == 0);
    }
}

TEST_CASE("regex_program is the compiled program of the pattern, right after it") {
    const Fixture f;
    const CriterionView regex = f.criterion(kRegex);
    const Bytes program = regex.regex_program();
    const auto expected = ringward::compile_regex("^a+$", ci_options());
    REQUIRE(expected.ok());
    CHECK(std::vector<uint8_t>(program.data, program.data + program.size) == expected.program);
    const BlobBytes b{f.bytes};
    CHECK(program.data == f.bytes.data() + b.program_at(kRegex));
    // And the core verifier accepts it, as the matcher needs.
    CHECK(ringward::core::verify_regex(program.data, program.size).error ==
          ringward::core::RegexVerifyError::ok);
}

TEST_CASE("a field reference names the other field in its data") {
    const Fixture f;
    const CriterionView ref = f.criterion(kRef);
    CHECK(ref.is_field_ref());
    CHECK(ref.ref_field_index() == 10);
    CHECK(text(ref.data()) == "l");
    CHECK(ref.value_count() == 1);
    CHECK(ref.field_index() == 9);
    // The other criterion on field 9 is no field reference.
    CHECK_FALSE(f.criterion(kEmpty).is_field_ref());
    CHECK(f.criterion(kEmpty).field_index() == 9);
}

TEST_CASE("group tells an instance's own criteria from each exclusion's") {
    const Fixture f;
    for (const Crit k : {kLt, kURange, kAnyOf, kRef, kEmpty}) {
        CHECK(f.criterion(k).group() == 0);
    }
    CHECK(f.criterion(kExcl).group() == 1);
    CHECK(f.criterion(kExclExists).group() == 1);
    CHECK(f.criterion(kLast).group() == 2);
    CHECK(f.criterion(kLast).field_index() == 11);
}

TEST_CASE("ip accessors return the address bytes in network order") {
    const Fixture f;
    CHECK(address(f.criterion(kSrc).ip_address()) == address(v4(192, 0, 2, 7)));
    CHECK(address(f.criterion(kDst).ip_address()) == address(doc6(1)));
    CHECK(address(f.criterion(kNet4).ip_address()) == address(v4(10, 0, 0, 0)));
    CHECK(address(f.criterion(kNet6).ip_address()) == address(doc6(0)));
}

TEST_CASE("scalar set members in ascending order") {
    const Fixture f;
    const CriterionView ports = f.criterion(kPorts);
    REQUIRE(ports.value_count() == kPortsSorted.size());
    CHECK(ports.data().size == 8 * kPortsSorted.size());
    for (uint32_t i = 0; i < ports.value_count(); ++i) {
        CHECK(ports.scalar_member(i) == kPortsSorted[i]);
    }
    const CriterionView inodes = f.criterion(kInodes);
    REQUIRE(inodes.value_count() == kInodesSorted.size());
    for (uint32_t i = 0; i < inodes.value_count(); ++i) {
        CHECK(inodes.scalar_member(i) == kInodesSorted[i]);
    }
}

TEST_CASE("ip set members in ascending order, each with its prefix") {
    const Fixture f;
    const CriterionView peers = f.criterion(kPeers);
    REQUIRE(peers.value_count() == kPeersSorted.size());
    CHECK(peers.data().size == 20 * kPeersSorted.size());
    for (uint32_t i = 0; i < peers.value_count(); ++i) {
        INFO("member " << i);
        const uint8_t* member = peers.ip_member(i);
        CHECK(address(member) == address(kPeersSorted[i]));
        CHECK(member[16] == kPeersSorted[i].prefix_len);
    }
}

TEST_CASE("ByteSetCursor walks byte-string in-sets and any-of sets in stored order") {
    const Fixture f;
    const std::pair<Crit, const std::vector<std::string>*> sets[] = {{kNames, &kNamesSorted},
                                                                     {kBlobs, &kBlobsSorted},
                                                                     {kModes, &kModesSorted},
                                                                     {kAnyOf, &kAnyOfSorted}};
    for (const auto& [k, expected] : sets) {
        INFO("criterion " << k);
        ByteSetCursor cursor = f.criterion(k).byte_members();
        std::vector<std::string> members;
        Bytes member;
        while (cursor.next(&member)) {
            members.push_back(text(member));
        }
        CHECK(members == *expected);
        CHECK(f.criterion(k).value_count() == expected->size());
        CHECK_FALSE(cursor.next(&member));
    }
}

TEST_CASE("a default cursor and a default view are empty") {
    ByteSetCursor cursor;
    Bytes member;
    CHECK_FALSE(cursor.next(&member));
    const BlobView view;
    CHECK(view.data() == nullptr);
    CHECK(view.size() == 0);
    CHECK(view.instance_count() == 0);
    CHECK(view.criterion_count() == 0);
}

TEST_CASE("a refused read empties a view that held a blob") {
    Fixture f;
    REQUIRE(f.view.data() != nullptr);
    std::vector<uint8_t> bad = f.bytes;
    bad[0] = 0;
    const ReadResult refused = read_blob(bad.data(), bad.size(), Limits{}, &f.view);
    CHECK(refused.error == ReadError::bad_magic);
    CHECK(refused.offset == 0);
    CHECK(f.view.data() == nullptr);
    CHECK(f.view.size() == 0);
    CHECK(f.view.instance_count() == 0);
}

}  // namespace
