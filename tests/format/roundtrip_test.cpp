// The writer's output is what the reader accepts, and there is one encoding:
// reencode() of an accepted blob gives back its bytes, set order in the input
// does not matter, and the same content always gives the same bytes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "format/blob_fixture.hpp"
#include "ringward/regex.hpp"

namespace {

ringward::RegexOptions ci_options() {
    ringward::RegexOptions options;
    options.case_insensitive = true;
    return options;
}

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
    writer.add_instance({.id = 0, .template_type_id = 0, .template_type_version = 0});
    writer.add_instance({.id = 1, .template_type_id = 0, .template_type_version = 0});
    writer.add_instance(
        {.id = 0xffffffff, .template_type_id = 0xffffffff, .template_type_version = 0xffffffff});
    return writer.finish();
}

// The last pool item is empty: the pool ends at its aligned start.
std::vector<uint8_t> empty_last_value() {
    BlobWriter writer({});
    writer.add_instance({.id = 1, .template_type_id = 2, .template_type_version = 3});
    writer.add_bytes(at("x", 0), ringward::format::Op::eq, Kind::string, "", false);
    return writer.finish();
}

// A name of exactly 8 bytes followed by an empty value: no padding anywhere.
std::vector<uint8_t> aligned_name_then_empty() {
    BlobWriter writer({});
    writer.add_instance(
        {.id = 1, .template_type_id = 2, .template_type_version = 3, .field_count = 2});
    writer.add_bytes(at("eightchr", 0, 0, true), ringward::format::Op::eq, Kind::bytes, "", false);
    writer.add_bytes(at("y", 1), ringward::format::Op::eq, Kind::enumeration, "Z", false);
    return writer.finish();
}

std::vector<uint8_t> maximal_name() {
    BlobWriter writer({});
    writer.add_instance({.id = 1, .template_type_id = 2, .template_type_version = 3});
    writer.add_valueless(at(std::string(Limits{}.max_name_length_incl, 'n'), 0),
                         ringward::format::Op::exists, Kind::ip);
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
        // The name table's one entry (12 bytes, padded to 16), "x" at 16,
        // padding to 24, the empty value at 24: the pool is 24 bytes.
        CHECK(b.u32(BlobBytes::kNameCount) == 1);
        CHECK(b.u32(b.pool()) == 16);
        CHECK(b.u32(b.pool() + 4) == 1);
        CHECK(b.u32(b.pool() + 8) == 0);
        CHECK(b.pool_size() == 24);
        CHECK(b.u32(b.criterion(0) + 8) == 0);
        CHECK(b.u32(b.criterion(0) + 16) == 24);
        CHECK(b.u32(b.criterion(0) + 20) == 0);
    }
    SECTION("eight-byte name, empty value, then the next name at the same place") {
        const BlobBytes b{aligned_name_then_empty()};
        // Two entries (24 bytes), "eightchr" at 24 and "y" at 32, padding
        // to 40; the empty value at 40, and "Z" at 40 too.
        CHECK(b.u32(b.pool()) == 24);
        CHECK(b.u32(b.pool() + 12) == 32);
        CHECK(b.u32(b.pool() + 20) == 1);
        CHECK(b.u32(b.criterion(0) + 8) == 0);
        CHECK(b.u32(b.criterion(0) + 16) == 40);
        CHECK(b.u32(b.criterion(1) + 8) == 1);
        CHECK(b.u32(b.criterion(1) + 16) == 40);
        CHECK(b.pool_size() == 48);
    }
    SECTION("criteria on one field share its name; names sorted, each with its first criterion") {
        BlobWriter writer({});
        writer.add_instance(
            {.id = 1, .template_type_id = 2, .template_type_version = 3, .field_count = 2});
        writer.add_valueless(at("zz", 1), ringward::format::Op::exists, Kind::string);
        writer.add_valueless(at("zz", 1, 0, true), ringward::format::Op::empty, Kind::string);
        writer.add_instance(
            {.id = 2, .template_type_id = 2, .template_type_version = 3, .field_count = 2});
        writer.add_valueless(at("aa", 0), ringward::format::Op::exists, Kind::string);
        writer.add_valueless(at("zz", 1), ringward::format::Op::exists, Kind::string);
        const BlobBytes b{writer.finish()};
        REQUIRE(b.read().ok());
        CHECK(b.u32(BlobBytes::kNameCount) == 2);
        // "aa" first (its first criterion is 2), then "zz" (criterion 0).
        CHECK(b.u32(b.pool() + 8) == 2);
        CHECK(b.u32(b.pool() + 20) == 0);
        CHECK(b.u32(b.criterion(0) + 8) == 1);
        CHECK(b.u32(b.criterion(1) + 8) == 1);
        CHECK(b.u32(b.criterion(2) + 8) == 0);
        CHECK(b.u32(b.criterion(3) + 8) == 1);
        // The table (24 bytes), "aa" at 24 and "zz" at 32; nothing else.
        CHECK(b.pool_size() == 40);
    }
    SECTION("no criteria, no pool") {
        const BlobBytes b{instances_without_criteria()};
        CHECK(b.pool_size() == 0);
        CHECK(b.size() == 80 + 3 * 32);
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
        writer.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
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
                return w.add_scalar_set(at("f", 0), Kind::int64, m).has_value();
            });
    }
    SECTION("uint") {
        check_all_orders_identical<uint64_t>(
            {UINT64_MAX, 0, bits(INT64_MIN), 1, INT64_MAX}, [](BlobWriter& w, const auto& m) {
                return w.add_scalar_set(at("f", 0), Kind::uint64, m).has_value();
            });
    }
    SECTION("string") {
        check_all_orders_identical<std::string_view>(
            {"", "a", "ab", "b", "\xff", "A"}, [](BlobWriter& w, const auto& m) {
                return w.add_byte_set(at("f", 0), Kind::string, m, false).has_value();
            });
    }
    SECTION("case-insensitive string, in folded order") {
        check_all_orders_identical<std::string_view>(
            {"", "a", "AB", "b", "\xff", "Z", "["}, [](BlobWriter& w, const auto& m) {
                return w.add_byte_set(at("f", 0), Kind::string, m, true).has_value();
            });
    }
    SECTION("bytes") {
        check_all_orders_identical<std::string_view>(
            {std::string_view("\0", 1), std::string_view("\0\0", 2), "\x80", "\x7f"},
            [](BlobWriter& w, const auto& m) {
                return w.add_byte_set(at("f", 0), Kind::bytes, m, false).has_value();
            });
    }
    SECTION("enum") {
        check_all_orders_identical<std::string_view>(
            {"READ", "WRITE", "EXECUTE", "DELETE"}, [](BlobWriter& w, const auto& m) {
                return w.add_byte_set(at("f", 0), Kind::enumeration, m, false).has_value();
            });
    }
    SECTION("ip") {
        check_all_orders_identical<IpValue>(
            {v4(10, 0, 0, 0, 104), v4(10, 0, 0, 0, 112), v4(10, 0, 0, 0), doc6(0, 32), doc6(1),
             IpValue{{}, 0}},
            [](BlobWriter& w, const auto& m) { return w.add_ip_set(at("f", 0), m).has_value(); });
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
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const uint64_t members[] = {5, 3, 9, 5};
        CHECK(w.add_scalar_set(at("f", 0), Kind::int64, members) == Pair{0, 3});
        check_nothing_written(w);
    }
    SECTION("int: -1 and 2^64-1 are the same i64") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const uint64_t members[] = {7, bits(-1), 0, UINT64_MAX};
        CHECK(w.add_scalar_set(at("f", 0), Kind::int64, members) == Pair{1, 3});
        check_nothing_written(w);
    }
    SECTION("uint: adjacent") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const uint64_t members[] = {UINT64_MAX, UINT64_MAX};
        CHECK(w.add_scalar_set(at("f", 0), Kind::uint64, members) == Pair{0, 1});
        check_nothing_written(w);
    }
    SECTION("uint: three equal, the first two are reported") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const uint64_t members[] = {4, 1, 4, 4};
        CHECK(w.add_scalar_set(at("f", 0), Kind::uint64, members) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("string") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const std::string_view members[] = {"b", "a", "c", "a"};
        CHECK(w.add_byte_set(at("f", 0), Kind::string, members, false) == Pair{1, 3});
        check_nothing_written(w);
    }
    SECTION("string: empty twice") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const std::string_view members[] = {"", "x", ""};
        CHECK(w.add_byte_set(at("f", 0), Kind::string, members, true) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("case-insensitive string: equal under ASCII folding") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const std::string_view members[] = {"C:\\a.exe", "x", "c:\\A.EXE"};
        CHECK(w.add_byte_set(at("f", 0), Kind::string, members, true) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("string: case differs, and the set is case-sensitive, so no duplicate") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const std::string_view members[] = {"a", "A"};
        CHECK_FALSE(w.add_byte_set(at("f", 0), Kind::string, members, false));
        CHECK(w.criterion_count() == 1);
    }
    SECTION("case-insensitive string: only ASCII letters fold") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        // '[' and '{' differ by 0x20 like 'A' and 'a', but are not letters;
        // neither are the UTF-8 bytes of "É" and "é".
        const std::string_view members[] = {"[", "{", "\xc3\x89", "\xc3\xa9", "@", "`"};
        CHECK_FALSE(w.add_byte_set(at("f", 0), Kind::string, members, true));
        CHECK(w.criterion_count() == 1);
    }
    SECTION("bytes with NUL") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const std::string_view members[] = {std::string_view("\0a", 2), "a",
                                            std::string_view("\0a", 2)};
        CHECK(w.add_byte_set(at("f", 0), Kind::bytes, members, false) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("enum") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const std::string_view members[] = {"READ", "WRITE", "READ"};
        CHECK(w.add_byte_set(at("f", 0), Kind::enumeration, members, false) == Pair{0, 2});
        check_nothing_written(w);
    }
    SECTION("ip: same address and prefix") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const IpValue members[] = {doc6(0, 32), v4(10, 0, 0, 0, 104), v4(192, 0, 2, 7),
                                   doc6(0, 32)};
        CHECK(w.add_ip_set(at("f", 0), members) == Pair{0, 3});
        check_nothing_written(w);
    }
    SECTION("ip: same address, different prefix is no duplicate") {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const IpValue members[] = {v4(10, 0, 0, 0, 112), v4(10, 0, 0, 0, 104)};
        CHECK_FALSE(w.add_ip_set(at("f", 0), members));
        CHECK(w.criterion_count() == 1);
    }
}

// The writer's order of byte-string members against a model: a stable sort
// by compare_members, the first equal pair of that order reported. Members
// are drawn from bytes around the letters' edges (and NUL, in bytes sets),
// 0 to 20 bytes long, so they differ before, at and after their 8th byte
// and are often prefixes of one another; sets of 1 to 40 members, small
// and large, with and without folding, in-sets and any-of.
TEST_CASE(
    "byte-string sets are written in compare_members order or refused at their first equal pair") {
    const std::string_view alphabet("\0@AZ[`az{\x7f\x80\xff", 12);
    uint64_t state = 0x5eed5e75u;
    const auto next = [&state](uint64_t bound) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return (state >> 33) % bound;
    };
    size_t sets = 0;
    size_t refused = 0;
    for (int round = 0; round < 3000; ++round) {
        const bool fold = round % 2 == 1;
        const Kind kind = fold || round % 4 == 0 ? Kind::string : Kind::bytes;
        // Long shared starts: most members begin with one of a few stems.
        const std::string stems[] = {"", "aAaAaAa", "ZZZZZZZZ", std::string(9, '`')};
        std::vector<std::string> owned(1 + next(40));
        for (std::string& member : owned) {
            member = stems[next(4)];
            for (uint64_t n = next(13); n > 0; --n) {
                char ch = alphabet[next(alphabet.size())];
                if (kind == Kind::string && ch == '\0') {
                    ch = 'a';
                }
                member.push_back(ch);
            }
            member.resize(std::min<size_t>(member.size(), 20));
        }
        std::vector<std::string_view> members(owned.begin(), owned.end());
        const auto compare = [&](size_t a, size_t b) {
            return ringward::format::compare_members(
                reinterpret_cast<const uint8_t*>(members[a].data()),
                static_cast<uint32_t>(members[a].size()),
                reinterpret_cast<const uint8_t*>(members[b].data()),
                static_cast<uint32_t>(members[b].size()), fold);
        };
        std::vector<size_t> expected(members.size());
        std::iota(expected.begin(), expected.end(), size_t{0});
        std::stable_sort(expected.begin(), expected.end(),
                         [&](size_t a, size_t b) { return compare(a, b) < 0; });
        std::optional<std::pair<size_t, size_t>> first_equal;
        for (size_t i = 1; i < expected.size() && !first_equal; ++i) {
            if (compare(expected[i - 1], expected[i]) == 0) {
                first_equal = std::pair{expected[i - 1], expected[i]};
            }
        }
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        const BlobWriter::Duplicate duplicate =
            round % 3 == 0 && members.size() > 1
                ? w.add_any_of(at("f", 0), ringward::format::Op::contains, kind, members, fold)
                : w.add_byte_set(at("f", 0), kind, members, fold);
        INFO("round " << round << ", " << members.size() << " members, fold " << fold);
        REQUIRE(duplicate == first_equal);
        if (duplicate) {
            ++refused;
            CHECK(w.criterion_count() == 0);
            continue;
        }
        ++sets;
        const std::vector<uint8_t> bytes = w.finish();
        BlobView view;
        REQUIRE(read_blob(bytes.data(), bytes.size(), Limits{}, &view).ok());
        ringward::format::ByteSetCursor cursor = view.instance(0).criterion(0).byte_members();
        ringward::format::Bytes member;
        std::vector<std::string_view> written;
        while (cursor.next(&member)) {
            written.emplace_back(reinterpret_cast<const char*>(member.data), member.size);
        }
        if (members.size() == 1) {
            continue;  // a one-value any-of is the plain value; an in-set is checked below
        }
        std::vector<std::string_view> in_order;
        for (const size_t i : expected) {
            in_order.push_back(members[i]);
        }
        REQUIRE(written == in_order);
    }
    // Both outcomes, small and large sets, were exercised.
    CHECK(sets > 500);
    CHECK(refused > 500);
}

// A default string_view has no pointer; it is the empty member all the
// same, and the writer copies nothing from it (the sanitizers' build checks
// that no null reaches memcpy).
TEST_CASE("an empty member given as a view without a pointer is the empty string") {
    const std::string_view members[] = {"b", std::string_view(), "a"};
    for (const bool fold : {false, true}) {
        BlobWriter w({});
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        REQUIRE_FALSE(w.add_byte_set(at("f", 0), Kind::string, members, fold));
        const std::string_view plain[] = {"", "a", "b"};
        BlobWriter expected({});
        expected.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        REQUIRE_FALSE(expected.add_byte_set(at("f", 0), Kind::string, plain, fold));
        CHECK(w.finish() == expected.finish());
    }
}

TEST_CASE("a refused set leaves the blob as if it had not been added") {
    const ringward::BlobInstance instance{
        .id = 1, .template_type_id = 1, .template_type_version = 1, .field_count = 3};
    BlobWriter with_refusal({});
    with_refusal.add_instance(instance);
    with_refusal.add_valueless(at("a", 0), ringward::format::Op::exists, Kind::uint64);
    const uint64_t duplicate[] = {1, 1};
    CHECK(with_refusal.add_scalar_set(at("b", 1), Kind::uint64, duplicate));
    const std::string_view duplicate_any_of[] = {"x", "X"};
    CHECK(with_refusal.add_any_of(at("b", 1), ringward::format::Op::suffix, Kind::string,
                                  duplicate_any_of, true));
    with_refusal.add_valueless(at("c", 2), ringward::format::Op::exists, Kind::uint64);

    BlobWriter without({});
    without.add_instance(instance);
    without.add_valueless(at("a", 0), ringward::format::Op::exists, Kind::uint64);
    without.add_valueless(at("c", 2), ringward::format::Op::exists, Kind::uint64);
    CHECK(with_refusal.finish() == without.finish());
}

TEST_CASE("an any-of given in any order gives identical bytes") {
    SECTION("contains") {
        check_all_orders_identical<std::string_view>({"b", "a", "ab", ""}, [](BlobWriter& w,
                                                                              const auto& m) {
            return w.add_any_of(at("f", 0), ringward::format::Op::contains, Kind::bytes, m, false)
                .has_value();
        });
    }
    SECTION("case-insensitive glob, in folded order") {
        check_all_orders_identical<std::string_view>(
            {"B*", "a*", "[x]"}, [](BlobWriter& w, const auto& m) {
                return w.add_any_of(at("f", 0), ringward::format::Op::glob, Kind::string, m, true)
                    .has_value();
            });
    }
    SECTION("case-insensitive regex, in folded order, with one program") {
        check_all_orders_identical<std::string_view>(
            {"^B", "^a", "[x]"}, [](BlobWriter& w, const auto& m) {
                return w.add_regex(at("f", 0), m, true).has_value();
            });
    }
}

TEST_CASE("a regex criterion carries the program of its patterns' union") {
    BlobWriter w({});
    w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
    const std::string_view patterns[] = {"b+", "A"};
    REQUIRE_FALSE(w.add_regex(at("f", 0), patterns, true));
    const BlobBytes b{w.finish()};
    BlobView view;
    REQUIRE(read_blob(b.bytes.data(), b.bytes.size(), Limits{}, &view).ok());
    const auto program = view.instance(0).criterion(0).regex_program();
    // The union in the stored (folded) order: "A" before "b+".
    const auto expected = ringward::compile_regex("(?:A)|(?:b+)", ci_options());
    REQUIRE(expected.ok());
    CHECK(std::vector<uint8_t>(program.data, program.data + program.size) == expected.program);
    CHECK(program.data == b.bytes.data() + b.program_at(0));
    // The program is the last pool item.
    CHECK(b.program_at(0) + align_up(program.size, 8) == b.size());
    CHECK(reencoded(b.bytes) == b.bytes);
}

TEST_CASE("add_regex refuses repeated patterns and patterns compile_regex refuses") {
    BlobWriter w({});
    w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
    const std::string_view repeated[] = {"a", "x", "A"};
    const auto duplicate = w.add_regex(at("f", 0), repeated, true);
    REQUIRE(duplicate);
    CHECK(duplicate->duplicate == std::pair<size_t, size_t>{0, 2});
    CHECK_FALSE(duplicate->error);
    const std::string_view broken[] = {"(a"};
    const auto refused = w.add_regex(at("f", 0), broken, false);
    REQUIRE(refused);
    CHECK_FALSE(refused->duplicate);
    REQUIRE(refused->error);
    const auto direct = ringward::compile_regex("(a");
    REQUIRE(direct.error);
    CHECK(refused->error->code == direct.error->code);
    CHECK(w.criterion_count() == 0);
    CHECK(w.pool_size() == 0);
}

TEST_CASE("an any-of of one value is written as that single value") {
    const ringward::BlobInstance instance{
        .id = 1, .template_type_id = 1, .template_type_version = 1};
    BlobWriter any_of({});
    any_of.add_instance(instance);
    const std::string_view one[] = {"x.exe"};
    CHECK_FALSE(
        any_of.add_any_of(at("f", 0), ringward::format::Op::suffix, Kind::string, one, true));
    BlobWriter single({});
    single.add_instance(instance);
    single.add_bytes(at("f", 0), ringward::format::Op::suffix, Kind::string, "x.exe", true);
    const std::vector<uint8_t> bytes = any_of.finish();
    CHECK(bytes == single.finish());
    CHECK(reencoded(bytes) == bytes);
}

// One criterion of a permutation test: where it goes and a value that tells
// it apart.
struct Placed {
    uint16_t group;
    uint16_t field;
    uint64_t value;
};

std::vector<uint8_t> write_in_order(const std::vector<Placed>& criteria) {
    BlobWriter writer({});
    writer.add_instance({.id = 1,
                         .template_type_id = 1,
                         .template_type_version = 1,
                         .field_count = 3,
                         .exclusion_count = 2});
    for (const Placed& c : criteria) {
        const std::string name(1, static_cast<char>('a' + c.field));
        writer.add_scalar(at(name, c.field, c.group), ringward::format::Op::eq, Kind::uint64,
                          c.value);
    }
    return writer.finish();
}

TEST_CASE("criteria given in any order are written sorted by (group, field_index)") {
    // Distinct (group, field_index) pairs: every order gives the same bytes.
    std::vector<Placed> criteria = {{0, 2, 1}, {0, 0, 2}, {1, 1, 3}, {2, 0, 4}, {0, 1, 5}};
    std::sort(criteria.begin(), criteria.end(), [](const Placed& a, const Placed& b) {
        return std::tie(a.group, a.field) < std::tie(b.group, b.field);
    });
    const std::vector<uint8_t> sorted = write_in_order(criteria);
    CHECK(reencoded(sorted) == sorted);
    const BlobBytes b{sorted};
    for (uint32_t k = 0; k < criteria.size(); ++k) {
        INFO("record " << k);
        CHECK(b.u16(b.criterion(k)) == criteria[k].field);
        CHECK(b.u16(b.criterion(k) + 6) == criteria[k].group);
        CHECK(b.u64(b.criterion(k) + 32) == criteria[k].value);
    }
    size_t permutations = 0;
    std::vector<size_t> order(criteria.size());
    std::iota(order.begin(), order.end(), size_t{0});
    do {
        std::vector<Placed> permuted;
        for (const size_t i : order) {
            permuted.push_back(criteria[i]);
        }
        CHECK(write_in_order(permuted) == sorted);
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(permutations == 120);
}

TEST_CASE("criteria on one field of one group keep the order they were given in") {
    const std::vector<uint8_t> first = write_in_order({{1, 0, 7}, {0, 1, 8}, {0, 1, 9}, {2, 2, 1}});
    const std::vector<uint8_t> second =
        write_in_order({{0, 1, 9}, {2, 2, 1}, {1, 0, 7}, {0, 1, 8}});
    CHECK(first != second);
    CHECK(reencoded(first) == first);
    CHECK(reencoded(second) == second);
    const BlobBytes a{first};
    const BlobBytes b{second};
    // Both start with the two criteria on (0, 1), in their given order.
    CHECK(a.u64(a.criterion(0) + 32) == 8);
    CHECK(a.u64(a.criterion(1) + 32) == 9);
    CHECK(b.u64(b.criterion(0) + 32) == 9);
    CHECK(b.u64(b.criterion(1) + 32) == 8);
}

TEST_CASE("the instance record carries rule_id, field_count and exclusion_count") {
    BlobWriter writer({});
    writer.add_instance({.id = 3,
                         .template_type_id = 4,
                         .template_type_version = 5,
                         .rule_id = 0x01020304,
                         .field_count = 0xfffe,
                         .exclusion_count = 1});
    writer.add_field_ref(at("x", 0xfffd, 1), ringward::format::Op::contains, Kind::bytes, "y", 0,
                         false);
    const BlobBytes b{writer.finish()};
    REQUIRE(b.read().ok());
    const uint32_t r = BlobBytes::instance(0);
    CHECK(b.u32(r + 12) == 0x01020304);
    CHECK(b.u32(r + 16) == 0);
    CHECK(b.u32(r + 20) == 1);
    CHECK(b.u16(r + 24) == 0xfffe);
    CHECK(b.u16(r + 26) == 1);
    CHECK(b.u32(r + 28) == 0);
    const uint32_t c = b.criterion(0);
    CHECK(b.u16(c) == 0xfffd);
    CHECK(b.u8(c + 4) == 0x04);
    CHECK(b.u16(c + 6) == 1);
    CHECK(b.u16(c + 28) == 0);
    CHECK(b.u32(c + 20) == 1);
    CHECK(b.u8(b.data_at(0)) == 'y');
    CHECK(reencoded(b.bytes) == b.bytes);
}

TEST_CASE("rollback undoes an instance and its criteria") {
    const auto start = [](BlobWriter& w) {
        w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1});
        w.add_bytes(at("a", 0), ringward::format::Op::eq, Kind::string, "kept", false);
    };
    BlobWriter with_rollback({});
    start(with_rollback);
    const BlobWriter::Mark before_second = with_rollback.mark();
    with_rollback.add_instance(
        {.id = 2, .template_type_id = 1, .template_type_version = 1, .exclusion_count = 1});
    with_rollback.add_bytes(at("b", 0, 1), ringward::format::Op::eq, Kind::string, "dropped",
                            false);
    with_rollback.rollback(before_second);
    CHECK(with_rollback.instance_count() == 1);
    CHECK(with_rollback.criterion_count() == 1);
    // One entry, "a" and "kept": the rolled-back "b" left no name behind.
    CHECK(with_rollback.pool_size() == 32);
    // The first instance takes criteria again after the rollback.
    with_rollback.add_valueless(at("a", 0, 0, true), ringward::format::Op::empty, Kind::string);
    with_rollback.add_instance({.id = 3, .template_type_id = 1, .template_type_version = 1});

    BlobWriter without({});
    start(without);
    without.add_valueless(at("a", 0, 0, true), ringward::format::Op::empty, Kind::string);
    without.add_instance({.id = 3, .template_type_id = 1, .template_type_version = 1});
    const std::vector<uint8_t> bytes = with_rollback.finish();
    CHECK(bytes == without.finish());
    CHECK(reencoded(bytes) == bytes);
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
        w->add_instance(
            {.id = 4, .template_type_id = 5, .template_type_version = 6, .field_count = 2});
        w->add_bytes(at("s", 0), ringward::format::Op::contains, Kind::bytes, "xyz", false);
        w->add_ip(at("n", 1), ringward::format::Op::cidr_contains, doc6(0, 32));
    }
    CHECK(plain.finish() == reserved.finish());
}

// The writer lays the pool out as items come, after room for the tables
// that reserve() foresaw; finish() moves it to where the tables end, or lays
// it out again when criteria came out of the blob's order. Every way of
// getting there gives the bytes of the plain writer fed in the blob's order.
TEST_CASE("reserve and rollback and criteria out of order all give the same bytes") {
    using ringward::format::Op;
    const auto add_first = [](BlobWriter& w, bool reversed) {
        w.add_instance(
            {.id = 1, .template_type_id = 2, .template_type_version = 3, .field_count = 3});
        const auto low = [&] {
            w.add_bytes(at("lo", 0), Op::prefix, Kind::string, "C:\\Windows\\", true);
        };
        const auto high = [&] {
            const std::string_view members[] = {"b", "a", "ccccccccc"};
            REQUIRE_FALSE(w.add_any_of(at("hi", 2), Op::suffix, Kind::string, members, false));
        };
        if (reversed) {
            high();
            low();
        } else {
            low();
            high();
        }
    };
    const auto add_second = [](BlobWriter& w) {
        w.add_instance(
            {.id = 9, .template_type_id = 2, .template_type_version = 3, .field_count = 2});
        w.add_valueless(at("only", 0), Op::exists, Kind::bytes);
        // The pool ends 3 bytes past a multiple of 8, inside a run of
        // non-zero bytes longer than a criterion record: moved down by one,
        // the pool's tail padding must still be zeros.
        w.add_bytes(at("last", 1), Op::eq, Kind::bytes, std::string(61, 'x'), false);
    };
    const auto add_dropped = [](BlobWriter& w) {
        w.add_instance(
            {.id = 5, .template_type_id = 2, .template_type_version = 3, .field_count = 2});
        // Out of order within the dropped instance: its rollback must not
        // leave the writer thinking the rest is out of order, nor in order.
        w.add_bytes(at("z", 1), Op::eq, Kind::bytes, "dropped", false);
        w.add_bytes(at("y", 0), Op::eq, Kind::bytes, std::string(40, 'd'), false);
    };
    BlobWriter plain({.channel = 7});
    add_first(plain, false);
    add_second(plain);
    const std::vector<uint8_t> expected = plain.finish();
    CHECK(reencoded(expected) == expected);

    struct Reservation {
        const char* name;
        size_t instances;
        size_t criteria;
        bool after_first_item;
    };
    const Reservation reservations[] = {
        {"none", 0, 0, false},        {"too few", 1, 1, false},
        {"exact", 2, 4, false},       {"one criterion too many", 2, 5, false},
        {"too many", 50, 500, false}, {"after the first item", 50, 500, true}};
    for (const Reservation& reservation : reservations) {
        for (const bool reversed : {false, true}) {
            for (const bool with_rollback : {false, true}) {
                INFO(reservation.name << ", reversed " << reversed << ", rollback "
                                      << with_rollback);
                BlobWriter w({.channel = 7});
                if (reservation.instances > 0 && !reservation.after_first_item) {
                    w.reserve(reservation.instances, reservation.criteria, 64);
                }
                add_first(w, reversed);
                if (reservation.after_first_item) {
                    w.reserve(reservation.instances, reservation.criteria, 64);
                }
                if (with_rollback) {
                    const BlobWriter::Mark mark = w.mark();
                    add_dropped(w);
                    w.rollback(mark);
                }
                add_second(w);
                CHECK(w.finish() == expected);
            }
        }
    }
}

TEST_CASE("each name is stored once, sorted, however the writer's lookup collides") {
    // 120 names that share their length and their first and last 8 bytes,
    // so they land on one slot of the writer's lookup, and 120 short ones
    // (240 criteria an instance: within max_criteria_per_instance_incl).
    // Each is named by two criteria of different instances, and an instance
    // that is rolled back names 50 more that no kept criterion names.
    std::vector<std::string> names;
    for (int i = 0; i < 120; ++i) {
        names.push_back("Process" + std::to_string(100000 + i) + "Image.exe");
        names.push_back("f" + std::to_string(i));
    }
    BlobWriter w({});
    const auto add_instance = [&](uint32_t id) {
        w.add_instance({.id = id,
                        .template_type_id = 1,
                        .template_type_version = 1,
                        .field_count = static_cast<uint16_t>(names.size())});
    };
    for (uint32_t round = 0; round < 2; ++round) {
        add_instance(1 + 2 * round);
        for (size_t f = 0; f < names.size(); ++f) {
            w.add_valueless(at(names[f], static_cast<uint16_t>(f)), ringward::format::Op::exists,
                            Kind::string);
        }
        const BlobWriter::Mark mark = w.mark();
        add_instance(2 + 2 * round);
        for (int k = 0; k < 50; ++k) {
            w.add_valueless(at("dropped" + std::to_string(k), static_cast<uint16_t>(k)),
                            ringward::format::Op::exists, Kind::string);
        }
        w.rollback(mark);
    }
    const std::vector<uint8_t> bytes = w.finish();
    BlobView view;
    REQUIRE(read_blob(bytes.data(), bytes.size(), Limits{}, &view).ok());
    REQUIRE(view.name_count() == names.size());
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    for (uint32_t i = 0; i < view.name_count(); ++i) {
        const auto name = view.name(i);
        CHECK(std::string(reinterpret_cast<const char*>(name.data), name.size) == sorted[i]);
    }
    REQUIRE(view.instance_count() == 2);
    for (uint32_t i = 0; i < 2; ++i) {
        const auto instance = view.instance(i);
        REQUIRE(instance.criterion_count() == names.size());
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const auto c = instance.criterion(k);
            CHECK(std::string(reinterpret_cast<const char*>(c.name().data), c.name().size) ==
                  names[c.field_index()]);
        }
    }
    CHECK(reencoded(bytes) == bytes);
}

TEST_CASE("writer counts follow what was added") {
    BlobWriter w({});
    CHECK(w.instance_count() == 0);
    w.add_instance({.id = 1, .template_type_id = 1, .template_type_version = 1, .field_count = 2});
    w.add_valueless(at("abc", 0), ringward::format::Op::exists, Kind::string);
    w.add_bytes(at("d", 1), ringward::format::Op::eq, Kind::string, "hello", false);
    w.add_instance({.id = 2, .template_type_id = 1, .template_type_version = 1});
    CHECK(w.instance_count() == 2);
    CHECK(w.criterion_count() == 2);
    // Two name entries (24 bytes), "abc" at 24, "d" at 32, "hello" at
    // 40..45, padded to 48.
    CHECK(w.pool_size() == 48);
    const BlobBytes b{w.finish()};
    CHECK(b.pool_size() == 48);
    CHECK(b.read().ok());
}

}  // namespace
