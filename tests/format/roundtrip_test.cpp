// The writer's output is what the reader accepts, and there is one encoding:
// reencode() of an accepted blob gives back its bytes, set order in the input
// does not matter, and the same content always gives the same bytes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "format/blob_fixture.hpp"

namespace {

using ringward::BlobWriter;
using ringward::IpValue;
using ringward::format::BlobView;
using ringward::format::Limits;
using ringward::format::read_blob;
using ringward::format::ReadError;
using namespace ringward::test;

std::vector<uint8_t> reencoded(const std::vector<uint8_t>& bytes) {
    BlobView view;
    const auto result = read_blob(bytes.data(), bytes.size(), Limits{}, &view);
    INFO("read error " << ringward::format::read_error_name(result.error) << " at "
                       << result.offset);
    REQUIRE(result.ok());
    return ringward::reencode(view);
}

std::vector<uint8_t> empty_blob() {
    BlobWriter writer(kFixtureHeader);
    return writer.finish();
}

std::vector<uint8_t> instances_without_criteria() {
    BlobWriter writer({});
    writer.add_instance(0, 0, 0);
    writer.add_instance(1, 0, 0);
    writer.add_instance(0xffffffff, 0xffffffff, 0xffffffff);
    return writer.finish();
}

// The last pool item is empty: the pool ends at its aligned start.
std::vector<uint8_t> empty_last_value() {
    BlobWriter writer({});
    writer.add_instance(1, 2, 3);
    writer.add_bytes("x", ringward::format::Op::eq, Kind::string, "", false);
    return writer.finish();
}

// A name of exactly 8 bytes followed by an empty value: no padding anywhere.
std::vector<uint8_t> aligned_name_then_empty() {
    BlobWriter writer({});
    writer.add_instance(1, 2, 3);
    writer.add_bytes("eightchr", ringward::format::Op::ne, Kind::bytes, "", false);
    writer.add_bytes("y", ringward::format::Op::eq, Kind::enumeration, "Z", false);
    return writer.finish();
}

std::vector<uint8_t> maximal_name() {
    BlobWriter writer({});
    writer.add_instance(1, 2, 3);
    writer.add_wildcard(std::string(Limits{}.max_name_length_incl, 'n'));
    return writer.finish();
}

TEST_CASE("writer output is accepted and reencodes to the same bytes") {
    const std::vector<std::vector<uint8_t>> blobs = {
        fixture_blob(),
        empty_blob(),
        instances_without_criteria(),
        empty_last_value(),
        aligned_name_then_empty(),
        maximal_name(),
    };
    for (size_t i = 0; i < blobs.size(); ++i) {
        INFO("blob " << i);
        CHECK(reencoded(blobs[i]) == blobs[i]);
    }
}

TEST_CASE("the pool holds exactly the bytes the spec gives small blobs") {
    SECTION("empty value last") {
        const BlobBytes b{empty_last_value()};
        // "x" at 0, padding to 8, the empty value at 8: the pool is 8 bytes.
        CHECK(b.pool_size() == 8);
        CHECK(b.u32(b.criterion(0) + 8) == 0);
        CHECK(b.u32(b.criterion(0) + 16) == 8);
        CHECK(b.u32(b.criterion(0) + 20) == 0);
    }
    SECTION("eight-byte name, empty value, then the next name at the same place") {
        const BlobBytes b{aligned_name_then_empty()};
        CHECK(b.u32(b.criterion(0) + 16) == 8);
        CHECK(b.u32(b.criterion(1) + 8) == 8);
        CHECK(b.u32(b.criterion(1) + 16) == 16);
        CHECK(b.pool_size() == 24);
    }
    SECTION("no criteria, no pool") {
        const BlobBytes b{instances_without_criteria()};
        CHECK(b.pool_size() == 0);
        CHECK(b.size() == 80 + 3 * 24);
    }
}

TEST_CASE("every accepted single-bit change of the fixture reencodes to itself") {
    // Whatever the reader accepts must be canonical: a bit flip that the
    // reader lets through (an id, a value, a name byte) is another blob whose
    // one encoding is itself.
    const std::vector<uint8_t> original = fixture_blob();
    size_t accepted = 0;
    for (size_t at = 0; at < original.size(); ++at) {
        for (int bit = 0; bit < 8; ++bit) {
            std::vector<uint8_t> changed = original;
            changed[at] = static_cast<uint8_t>(changed[at] ^ (1u << bit));
            BlobView view;
            if (!read_blob(changed.data(), changed.size(), Limits{}, &view).ok()) {
                continue;
            }
            ++accepted;
            INFO("byte " << at << " bit " << bit);
            CHECK(ringward::reencode(view) == changed);
        }
    }
    CHECK(accepted > 0);
}

template <class T, class Add>
void check_all_orders_identical(std::vector<T> members, Add add) {
    std::vector<size_t> order(members.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::vector<uint8_t> first;
    size_t permutations = 0;
    do {
        std::vector<T> permuted;
        for (const size_t i : order) {
            permuted.push_back(members[i]);
        }
        BlobWriter writer({});
        writer.add_instance(1, 1, 1);
        REQUIRE_FALSE(add(writer, permuted));
        std::vector<uint8_t> bytes = writer.finish();
        if (first.empty()) {
            first = bytes;
            CHECK(reencoded(first) == first);
        } else {
            CHECK(bytes == first);
        }
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(permutations > 1);
}

TEST_CASE("a set given in any order gives identical bytes") {
    SECTION("int") {
        check_all_orders_identical<uint64_t>(
            {bits(-1), 0, bits(INT64_MIN), 1, INT64_MAX}, [](BlobWriter& w, const auto& m) {
                return w.add_scalar_set("f", Kind::int64, m).has_value();
            });
    }
    SECTION("uint") {
        check_all_orders_identical<uint64_t>(
            {UINT64_MAX, 0, bits(INT64_MIN), 1, INT64_MAX}, [](BlobWriter& w, const auto& m) {
                return w.add_scalar_set("f", Kind::uint64, m).has_value();
            });
    }
    SECTION("string") {
        check_all_orders_identical<std::string_view>(
            {"", "a", "ab", "b", "\xff", "A"}, [](BlobWriter& w, const auto& m) {
                return w.add_byte_set("f", Kind::string, m, false).has_value();
            });
    }
    SECTION("case-insensitive string, in folded order") {
        check_all_orders_identical<std::string_view>(
            {"", "a", "AB", "b", "\xff", "Z", "["}, [](BlobWriter& w, const auto& m) {
                return w.add_byte_set("f", Kind::string, m, true).has_value();
            });
    }
    SECTION("bytes") {
        check_all_orders_identical<std::string_view>(
            {std::string_view("\0", 1), std::string_view("\0\0", 2), "\x80", "\x7f"},
            [](BlobWriter& w, const auto& m) {
                return w.add_byte_set("f", Kind::bytes, m, false).has_value();
            });
    }
    SECTION("enum") {
        check_all_orders_identical<std::string_view>(
            {"READ", "WRITE", "EXECUTE", "DELETE"}, [](BlobWriter& w, const auto& m) {
                return w.add_byte_set("f", Kind::enumeration, m, false).has_value();
            });
    }
    SECTION("ip") {
        check_all_orders_identical<IpValue>(
            {v4(10, 0, 0, 0, 104), v4(10, 0, 0, 0, 112), v4(10, 0, 0, 0), doc6(0, 32), doc6(1),
             IpValue{{}, 0}},
            [](BlobWriter& w, const auto& m) { return w.add_ip_set("f", m).has_value(); });
    }
}

TEST_CASE("add_*_set reports the source positions of a duplicate and writes nothing") {
    using Pair = std::pair<size_t, size_t>;
    const auto check_nothing_written = [](const BlobWriter& w) {
        CHECK(w.criterion_count() == 0);
        CHECK(w.pool_size() == 0);
    };
    SECTION("int: equal values") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const uint64_t members[] = {5, 3, 9, 5};
        CHECK(w.add_scalar_set("f", Kind::int64, members) == Pair{0, 3});
        check_nothing_written(w);
    }
    SECTION("int: -1 and 2^64-1 are the same i64") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const uint64_t members[] = {7, bits(-1), 0, UINT64_MAX};
        CHECK(w.add_scalar_set("f", Kind::int64, members) == Pair{1, 3});
        check_nothing_written(w);
    }
    SECTION("uint: adjacent") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const uint64_t members[] = {UINT64_MAX, UINT64_MAX};
        CHECK(w.add_scalar_set("f", Kind::uint64, members) == Pair{0, 1});
        check_nothing_written(w);
    }
    SECTION("uint: three equal, the first two are reported") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const uint64_t members[] = {4, 1, 4, 4};
        CHECK(w.add_scalar_set("f", Kind::uint64, members) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("string") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const std::string_view members[] = {"b", "a", "c", "a"};
        CHECK(w.add_byte_set("f", Kind::string, members, false) == Pair{1, 3});
        check_nothing_written(w);
    }
    SECTION("string: empty twice") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const std::string_view members[] = {"", "x", ""};
        CHECK(w.add_byte_set("f", Kind::string, members, true) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("case-insensitive string: equal under ASCII folding") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const std::string_view members[] = {"C:\\a.exe", "x", "c:\\A.EXE"};
        CHECK(w.add_byte_set("f", Kind::string, members, true) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("string: case differs, and the set is case-sensitive, so no duplicate") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const std::string_view members[] = {"a", "A"};
        CHECK_FALSE(w.add_byte_set("f", Kind::string, members, false));
        CHECK(w.criterion_count() == 1);
    }
    SECTION("case-insensitive string: only ASCII letters fold") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        // '[' and '{' differ by 0x20 like 'A' and 'a', but are not letters;
        // neither are the UTF-8 bytes of "É" and "é".
        const std::string_view members[] = {"[", "{", "\xc3\x89", "\xc3\xa9", "@", "`"};
        CHECK_FALSE(w.add_byte_set("f", Kind::string, members, true));
        CHECK(w.criterion_count() == 1);
    }
    SECTION("bytes with NUL") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const std::string_view members[] = {std::string_view("\0a", 2), "a",
                                            std::string_view("\0a", 2)};
        CHECK(w.add_byte_set("f", Kind::bytes, members, false) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("enum") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const std::string_view members[] = {"READ", "WRITE", "READ"};
        CHECK(w.add_byte_set("f", Kind::enumeration, members, false) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("ip: same address and prefix") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const IpValue members[] = {doc6(0, 32), v4(10, 0, 0, 0, 104), v4(192, 0, 2, 7),
                                   doc6(0, 32)};
        CHECK(w.add_ip_set("f", members) == Pair{0, 3});
        check_nothing_written(w);
    }
    SECTION("ip: same address, different prefix is no duplicate") {
        BlobWriter w({});
        w.add_instance(1, 1, 1);
        const IpValue members[] = {v4(10, 0, 0, 0, 112), v4(10, 0, 0, 0, 104)};
        CHECK_FALSE(w.add_ip_set("f", members));
        CHECK(w.criterion_count() == 1);
    }
}

TEST_CASE("a refused set leaves the blob as if it had not been added") {
    BlobWriter with_refusal({});
    with_refusal.add_instance(1, 1, 1);
    with_refusal.add_wildcard("a");
    const uint64_t duplicate[] = {1, 1};
    CHECK(with_refusal.add_scalar_set("b", Kind::uint64, duplicate));
    with_refusal.add_wildcard("c");

    BlobWriter without({});
    without.add_instance(1, 1, 1);
    without.add_wildcard("a");
    without.add_wildcard("c");
    CHECK(with_refusal.finish() == without.finish());
}

TEST_CASE("the same content gives the same bytes") {
    const std::vector<uint8_t> first = fixture_blob();
    REQUIRE_FALSE(first.empty());
    CHECK(fixture_blob() == first);

    BlobView view;
    REQUIRE(read_blob(first.data(), first.size(), Limits{}, &view).ok());
    CHECK(ringward::reencode(view) == ringward::reencode(view));
}

TEST_CASE("reserve changes nothing in the output") {
    BlobWriter plain({.channel = 3});
    BlobWriter reserved({.channel = 3});
    reserved.reserve(100, 1000, 1 << 16);
    for (BlobWriter* w : {&plain, &reserved}) {
        w->add_instance(4, 5, 6);
        w->add_bytes("s", ringward::format::Op::contains, Kind::bytes, "xyz", false);
        w->add_ip("n", ringward::format::Op::cidr_contains, doc6(0, 32));
    }
    CHECK(plain.finish() == reserved.finish());
}

TEST_CASE("writer counts follow what was added") {
    BlobWriter w({});
    CHECK(w.instance_count() == 0);
    w.add_instance(1, 1, 1);
    w.add_wildcard("abc");
    w.add_bytes("d", ringward::format::Op::eq, Kind::string, "hello", false);
    w.add_instance(2, 1, 1);
    CHECK(w.instance_count() == 2);
    CHECK(w.criterion_count() == 2);
    // "abc" at 0, "d" at 8, "hello" at 16..21.
    CHECK(w.pool_size() == 21);
    const BlobBytes b{w.finish()};
    CHECK(b.pool_size() == 24);
    CHECK(b.read().ok());
}

}  // namespace
