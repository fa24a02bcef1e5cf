// The writer and the views: what is written reads back exactly, the encoding
// is canonical (one content, one blob), and the small helpers agree with
// docs/format.md.
#include <catch2/catch.hpp>

#include <cstring>

#include "format/blob_fixture.hpp"

using namespace ringward;
using namespace ringward::test;
using format::Kind;
using format::Op;

namespace {

format::BlobView read_ok(const std::vector<uint8_t>& bytes) {
    format::BlobView view;
    const auto result = format::read_blob(bytes.data(), bytes.size(), format::Limits{}, &view);
    INFO(format::read_error_name(result.error) << " at " << result.offset);
    REQUIRE(result.ok());
    return view;
}

std::string text(format::Bytes bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data), bytes.size);
}

}  // namespace

TEST_CASE("every accessor returns what was written") {
    const auto blob = make_fixture_blob();
    const format::BlobView view = read_ok(blob);
    CHECK(view.size() == blob.size());
    CHECK(view.channel() == 291);
    CHECK(view.content_version() == 7);
    CHECK(format::SensorVersion::unpack(view.sensor_min()).minor == 11);
    CHECK(format::SensorVersion::unpack(view.sensor_max()).build == 99999);
    CHECK(view.instance_count() == kInstanceCount);
    CHECK(view.criterion_count() == kCriterionCount);
    CHECK(view.pool_offset() == kPool);

    const format::InstanceView a = view.instance(0);
    CHECK(a.id() == 10);
    CHECK(a.template_type_id() == 5);
    CHECK(a.template_type_version() == 1);
    CHECK(a.first_criterion() == 0);
    CHECK(a.criterion_count() == 11);
    CHECK(a.record_offset() == instance_record(0));
    const format::InstanceView b = view.instance(1);
    CHECK(b.id() == 20);
    CHECK(b.first_criterion() == 11);
    CHECK(b.criterion_count() == 2);
    CHECK(b.record_offset() == instance_record(1));

    for (uint32_t k = 0; k < a.criterion_count(); ++k) {
        CHECK(a.criterion(k).field_index() == k);
        CHECK(a.criterion(k).record_offset() == criterion_record(k));
    }
    CHECK(a.criterion(kWildcard).is_wildcard());
    CHECK(a.criterion(kWildcard).kind() == Kind::none);
    CHECK(a.criterion(kWildcard).value_count() == 0);
    CHECK(text(a.criterion(kWildcard).name()) == "any");

    const auto gt = a.criterion(kUintGt);
    CHECK(gt.op() == Op::gt);
    CHECK(gt.kind() == Kind::uint64);
    CHECK(gt.uint_value() == 4);
    CHECK(gt.data().size == 0);

    const auto range = a.criterion(kIntRange);
    CHECK(range.value_count() == 2);
    CHECK(static_cast<int64_t>(range.value0()) == -5);
    CHECK(static_cast<int64_t>(range.value1()) == 5);

    CHECK(a.criterion(kBoolEq).bool_value());

    const auto suffix = a.criterion(kStringSuffix);
    CHECK(suffix.case_insensitive());
    CHECK(text(suffix.data()) == "\\cmd.exe");
    CHECK(text(suffix.name()) == "image");

    CHECK(a.criterion(kEmptyString).data().size == 0);
    CHECK(a.criterion(kEmptyString).value_count() == 1);

    const auto ip = a.criterion(kIpEq);
    CHECK(ip.prefix_len() == 128);
    CHECK(ip.ip_address()[15] == 1);
    CHECK(std::memcmp(ip.ip_address(), "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0);

    const auto cidr = a.criterion(kIpCidr);
    CHECK(cidr.prefix_len() == 104);
    CHECK(cidr.ip_address()[10] == 0xff);
    CHECK(cidr.ip_address()[12] == 10);

    const auto ports = a.criterion(kUintSet);
    REQUIRE(ports.value_count() == 3);
    CHECK(ports.scalar_member(0) == 1);
    CHECK(ports.scalar_member(1) == 2);
    CHECK(ports.scalar_member(2) == 3);

    const auto names = a.criterion(kStringSet);
    format::ByteSetCursor cursor = names.byte_members();
    format::Bytes member;
    std::vector<std::string> seen;
    while (cursor.next(&member)) {
        seen.push_back(text(member));
    }
    CHECK(seen == std::vector<std::string>{"a", "ab", "zz"});

    const auto ips = a.criterion(kIpSet);
    REQUIRE(ips.value_count() == 2);
    CHECK(ips.ip_member(0)[15] == 1);
    CHECK(ips.ip_member(0)[16] == 128);
    CHECK(ips.ip_member(1)[12] == 192);
    CHECK(ips.ip_member(1)[16] == 112);

    CHECK(b.criterion(0).kind() == Kind::enumeration);
    CHECK(text(b.criterion(0).data()) == "HIGH");
    CHECK(b.criterion(1).kind() == Kind::bytes);
    CHECK(text(b.criterion(1).data()) == std::string("\x01\x02", 2));
}

TEST_CASE("re-encoding a read blob gives back the identical bytes") {
    const auto blob = make_fixture_blob();
    CHECK(reencode(read_ok(blob)) == blob);
}

TEST_CASE("the same content written twice gives the same bytes") {
    CHECK(make_fixture_blob() == make_fixture_blob());
}

TEST_CASE("set members are sorted by the writer, whatever their order") {
    const auto write = [](std::vector<uint64_t> ports, std::vector<std::string_view> names,
                          std::vector<IpValue> ips) {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        REQUIRE_FALSE(w.add_scalar_set("p", Kind::int64, ports));
        REQUIRE_FALSE(w.add_byte_set("n", Kind::bytes, names, false));
        REQUIRE_FALSE(w.add_ip_set("i", ips));
        return w.finish();
    };
    const IpValue a = *parse_ip("10.0.0.0/8", true);
    const IpValue b = *parse_ip("10.0.0.0/16", true);
    const IpValue c = *parse_ip("::", true);
    const auto first =
        write({static_cast<uint64_t>(int64_t{-3}), 7, 0}, {"b", "", "ba", "\xff"}, {a, b, c});
    const auto second =
        write({7, 0, static_cast<uint64_t>(int64_t{-3})}, {"\xff", "ba", "b", ""}, {c, b, a});
    CHECK(first == second);
    const format::BlobView view = read_ok(first);
    const auto scalars = view.instance(0).criterion(0);
    CHECK(static_cast<int64_t>(scalars.scalar_member(0)) == -3);  // signed order for int
    CHECK(scalars.scalar_member(2) == 7);
    format::ByteSetCursor cursor = view.instance(0).criterion(1).byte_members();
    format::Bytes member;
    std::vector<std::string> seen;
    while (cursor.next(&member)) {
        seen.push_back(text(member));
    }
    CHECK(seen == std::vector<std::string>{"", "b", "ba", "\xff"});  // bytes as unsigned
}

TEST_CASE("duplicate set members are reported with their positions, and nothing is written") {
    BlobWriter w({});
    w.add_instance(1, 1, 1);
    const uint64_t scalars[] = {5, 1, 9, 1};
    CHECK(w.add_scalar_set("s", Kind::uint64, scalars) == std::pair<size_t, size_t>{1, 3});
    const std::string_view strings[] = {"x", "y", "x"};
    CHECK(w.add_byte_set("t", Kind::string, strings, false) == std::pair<size_t, size_t>{0, 2});
    const IpValue ips[] = {*parse_ip("10.0.0.0/8", true), *parse_ip("10.0.0.0/8", true)};
    CHECK(w.add_ip_set("i", ips) == std::pair<size_t, size_t>{0, 1});
    // Same address, different prefix: distinct members.
    const IpValue distinct[] = {*parse_ip("10.0.0.0/8", true), *parse_ip("10.0.0.0/16", true)};
    CHECK_FALSE(w.add_ip_set("j", distinct));
    CHECK(w.criterion_count() == 1);
    const format::BlobView view = read_ok(w.finish());
    CHECK(view.criterion_count() == 1);
}

TEST_CASE("parse_ip and format_ip") {
    struct Case {
        const char* text;
        bool networks;
        const char* formatted;  // nullptr: refused
    };
    const Case cases[] = {
        {"192.0.2.7", false, "192.0.2.7"},
        {"0.0.0.0", false, "0.0.0.0"},
        {"255.255.255.255", false, "255.255.255.255"},
        {"2001:db8::1", false, "2001:db8::1"},
        {"2001:DB8:0:0:0:0:0:1", false, "2001:db8::1"},
        {"::", false, "::"},
        {"::ffff:192.0.2.7", false, "192.0.2.7"},
        {"10.0.0.0/8", true, "10.0.0.0/8"},
        {"0.0.0.0/0", true, "0.0.0.0/0"},
        {"192.0.2.7/32", true, "192.0.2.7"},
        {"2001:db8::/32", true, "2001:db8::/32"},
        {"::/0", true, "::/0"},
        {"::1/128", true, "::1"},
        {"10.0.0.0/8", false, nullptr},
        {"10.0.0.1/8", true, nullptr},
        {"2001:db8::1/32", true, nullptr},
        {"10.0.0.0/33", true, nullptr},
        {"::/129", true, nullptr},
        {"10.0.0.0/08", true, nullptr},
        {"10.0.0.0/", true, nullptr},
        {"10.0.0.0/-1", true, nullptr},
        {"/8", true, nullptr},
        {"256.0.0.1", false, nullptr},
        {"010.0.0.1", false, nullptr},
        {"1.2.3", false, nullptr},
        {"1.2.3.4.5", false, nullptr},
        {" 1.2.3.4", false, nullptr},
        {"1.2.3.4 ", false, nullptr},
        {"2001:db8:::1", false, nullptr},
        {"example.com", false, nullptr},
        {"", false, nullptr},
        {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa", false, nullptr},
    };
    for (const Case& c : cases) {
        INFO(c.text << (c.networks ? " (networks)" : ""));
        const auto ip = parse_ip(c.text, c.networks);
        if (c.formatted == nullptr) {
            CHECK_FALSE(ip.has_value());
        } else {
            REQUIRE(ip.has_value());
            CHECK(format_ip(*ip) == c.formatted);
            CHECK(parse_ip(format_ip(*ip), true) == ip);
        }
    }
    CHECK(parse_ip("10.0.0.0/8", true)->prefix_len == 104);
    CHECK(parse_ip("2001:db8::/32", true)->prefix_len == 32);
}

TEST_CASE("the operator table is the one in docs/format.md") {
    using K = Kind;
    const std::vector<K> numeric = {K::int64, K::uint64};
    const std::vector<K> strings = {K::string, K::bytes};
    const std::vector<K> all = {K::int64, K::uint64,      K::boolean, K::string,
                                K::bytes, K::enumeration, K::ip};
    const std::vector<std::pair<Op, std::vector<K>>> table = {
        {Op::wildcard, {K::none}},
        {Op::eq, all},
        {Op::ne, all},
        {Op::lt, numeric},
        {Op::le, numeric},
        {Op::gt, numeric},
        {Op::ge, numeric},
        {Op::range, numeric},
        {Op::in, {K::int64, K::uint64, K::string, K::bytes, K::enumeration, K::ip}},
        {Op::prefix, strings},
        {Op::suffix, strings},
        {Op::contains, strings},
        {Op::glob, {K::string}},
        {Op::regex, {K::string}},
        {Op::cidr_contains, {K::ip}},
    };
    REQUIRE(table.size() == format::kOpCount);
    for (const auto& [op, kinds] : table) {
        for (uint8_t k = 0; k <= format::kKindCount; ++k) {
            const K kind = static_cast<K>(k);
            INFO(format::op_name(op) << " x " << format::kind_name(kind));
            const bool listed = std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
            CHECK(format::op_takes_kind(op, kind) == listed);
        }
    }
    CHECK_FALSE(format::op_takes_kind(static_cast<Op>(format::kOpCount), K::string));

    const std::vector<Op> string_ops = {Op::eq,     Op::ne,       Op::in,   Op::prefix,
                                        Op::suffix, Op::contains, Op::glob, Op::regex};
    for (uint8_t o = 0; o < format::kOpCount; ++o) {
        const Op op = static_cast<Op>(o);
        const bool listed = std::find(string_ops.begin(), string_ops.end(), op) != string_ops.end();
        CHECK(format::op_is_string_match(op) == listed);
    }
    CHECK(format::op_kind_uses_pool(Op::in, K::uint64));
    CHECK(format::op_kind_uses_pool(Op::eq, K::enumeration));
    CHECK(format::op_kind_uses_pool(Op::prefix, K::bytes));
    CHECK_FALSE(format::op_kind_uses_pool(Op::eq, K::ip));
    CHECK_FALSE(format::op_kind_uses_pool(Op::range, K::int64));
    CHECK_FALSE(format::op_kind_uses_pool(Op::wildcard, K::none));

    CHECK(std::string(format::op_name(Op::cidr_contains)) == "cidr_contains");
    CHECK(std::string(format::op_name(static_cast<Op>(99))) == "?");
    CHECK(std::string(format::kind_name(K::enumeration)) == "enum");
    CHECK(std::string(format::kind_name(static_cast<K>(99))) == "?");
}

TEST_CASE("packed sensor versions order as versions") {
    using V = format::SensorVersion;
    CHECK(V{7, 11, 0}.packed() < V{7, 11, 1}.packed());
    CHECK(V{7, 9, 99999}.packed() < V{7, 11, 0}.packed());
    CHECK(V{6, 65535, 4294967295u}.packed() < V{7, 0, 0}.packed());
    const V v = V::unpack(V{7, 11, 18110}.packed());
    CHECK((v.major == 7 && v.minor == 11 && v.build == 18110));
}
