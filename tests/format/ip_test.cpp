// parse_ip and format_ip: IP text to the blob's 16 bytes and prefix, and back.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "format/blob_fixture.hpp"

namespace {

using ringward::format_ip;
using ringward::IpValue;
using ringward::parse_ip;
using namespace std::string_view_literals;

IpValue ip(std::initializer_list<uint8_t> bytes, uint8_t prefix_len) {
    IpValue value;
    REQUIRE(bytes.size() == 16);
    std::copy(bytes.begin(), bytes.end(), value.address.begin());
    value.prefix_len = prefix_len;
    return value;
}

std::string hex(const IpValue& value) {
    std::string out;
    for (const uint8_t b : value.address) {
        static constexpr char kDigits[] = "0123456789abcdef";
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out + "/" + std::to_string(value.prefix_len);
}

struct Valid {
    std::string_view text;
    bool allow_network;
    IpValue expected;
    std::string_view formatted;
};

TEST_CASE("parse_ip accepts addresses and networks and format_ip prints them canonically") {
    using ringward::test::doc6;
    using ringward::test::v4;
    const Valid cases[] = {
        // IPv4, mapped into ::ffff:0:0/96.
        {"192.0.2.7", false, v4(192, 0, 2, 7), "192.0.2.7"},
        {"192.0.2.7", true, v4(192, 0, 2, 7), "192.0.2.7"},
        {"0.0.0.0", false, v4(0, 0, 0, 0), "0.0.0.0"},
        {"255.255.255.255", false, v4(255, 255, 255, 255), "255.255.255.255"},
        // IPv6.
        {"2001:db8::1", false, doc6(1), "2001:db8::1"},
        {"2001:DB8::1", false, doc6(1), "2001:db8::1"},
        {"2001:0db8:0000:0000:0000:0000:0000:0001", false, doc6(1), "2001:db8::1"},
        {"::", false, ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 128), "::"},
        {"::1", false, ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128), "::1"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false,
         ip({255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255}, 128),
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        // 45 characters: the longest address text there is.
        {"0000:0000:0000:0000:0000:ffff:192.168.100.200", false, v4(192, 168, 100, 200),
         "192.168.100.200"},
        // IPv4-mapped IPv6 is the same value as the IPv4 text, and prints as IPv4.
        {"::ffff:192.0.2.7", false, v4(192, 0, 2, 7), "192.0.2.7"},
        {"::FFFF:c000:0207", false, v4(192, 0, 2, 7), "192.0.2.7"},
        // IPv4-compatible (deprecated) is not mapped: it stays IPv6.
        {"::192.0.2.7", false, ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 7}, 128),
         "::192.0.2.7"},
        // Networks. An IPv4 prefix counts from bit 96 of the mapped address.
        {"10.0.0.0/8", true, v4(10, 0, 0, 0, 104), "10.0.0.0/8"},
        {"0.0.0.0/0", true, v4(0, 0, 0, 0, 96), "0.0.0.0/0"},
        {"192.0.2.7/32", true, v4(192, 0, 2, 7), "192.0.2.7"},
        {"192.0.2.6/31", true, v4(192, 0, 2, 6, 127), "192.0.2.6/31"},
        {"2001:db8::/32", true, doc6(0, 32), "2001:db8::/32"},
        {"::/0", true, ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0), "::/0"},
        {"2001:db8::1/128", true, doc6(1), "2001:db8::1"},
        {"2001:db8::/127", true, doc6(0, 127), "2001:db8::/127"},
        {"::ffff:10.0.0.0/104", true, v4(10, 0, 0, 0, 104), "10.0.0.0/8"},
        {"::ffff:0:0/96", true, v4(0, 0, 0, 0, 96), "0.0.0.0/0"},
        {"::/95", true, ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 95), "::/95"},
    };
    for (const Valid& c : cases) {
        INFO(c.text << (c.allow_network ? " (network allowed)" : ""));
        const std::optional<IpValue> parsed = parse_ip(c.text, c.allow_network);
        REQUIRE(parsed.has_value());
        CHECK(hex(*parsed) == hex(c.expected));
        CHECK(format_ip(*parsed) == c.formatted);
        // What format_ip prints parses back to the same value.
        const std::optional<IpValue> again = parse_ip(format_ip(*parsed), true);
        REQUIRE(again.has_value());
        CHECK(*again == *parsed);
    }
}

struct Invalid {
    std::string_view text;
    bool allow_network;
    const char* why;
};

TEST_CASE("parse_ip refuses malformed text") {
    const std::string overlong_digits(46, '1');
    const std::string huge(10000, ':');
    const std::string long_v6 = "0000:0000:0000:0000:0000:ffff:192.168.100.200 ";
    const Invalid cases[] = {
        {"", false, "empty"},
        {"", true, "empty"},
        {"/", true, "empty address and prefix"},
        {"/8", true, "no address"},
        // Host bits past the prefix.
        {"10.0.0.1/8", true, "host bits"},
        {"192.0.2.7/31", true, "host bits"},
        {"2001:db8::1/32", true, "host bits"},
        {"::1/127", true, "host bits"},
        {"::ffff:0:0/95", true, "host bits (the mapped prefix itself)"},
        // Prefixes out of range.
        {"10.0.0.0/33", true, "IPv4 prefix above 32"},
        {"::/129", true, "IPv6 prefix above 128"},
        {"::/255", true, "IPv6 prefix above 128"},
        {"::/256", true, "IPv6 prefix above 128"},
        {"::/1000", true, "prefix of four digits"},
        {"10.0.0.0/-1", true, "negative prefix"},
        {"10.0.0.0/+8", true, "signed prefix"},
        {"10.0.0.0/", true, "empty prefix"},
        {"10.0.0.0/8/8", true, "two prefixes"},
        {"10.0.0.0/8 ", true, "space after the prefix"},
        {"10.0.0.0/ 8", true, "space before the prefix"},
        {"10.0.0.0/0x8", true, "hex prefix"},
        // Leading zeros in the prefix.
        {"10.0.0.0/08", true, "leading zero"},
        {"::/00", true, "leading zero"},
        {"::/032", true, "leading zero"},
        // Networks where only an address is allowed.
        {"10.0.0.0/8", false, "network not allowed"},
        {"192.0.2.7/32", false, "network not allowed, even /32"},
        {"2001:db8::1/128", false, "network not allowed, even /128"},
        {"::/0", false, "network not allowed"},
        // Garbage.
        {"abc", false, "not an address"},
        {"1.2.3", false, "three octets"},
        {"1.2.3.4.5", false, "five octets"},
        {"256.0.0.1", false, "octet above 255"},
        {"01.2.3.4", false, "leading zero in an octet"},
        {"0x1.2.3.4", false, "hex octet"},
        {" 1.2.3.4", false, "leading space"},
        {"1.2.3.4 ", false, "trailing space"},
        {"::1::2", false, "two ::"},
        {"2001:db8::g", false, "not hex"},
        {"1:2:3:4:5:6:7:8:9", false, "nine groups"},
        {"12345::", false, "group of five digits"},
        {"fe80::1%eth0", false, "zone id"},
        {"[::1]", false, "brackets"},
        {"192.0.2.7\0"sv, false, "NUL after the address"},
        {"::1\0junk"sv, false, "NUL inside the text"},
        {"10.0.0.0\0/8"sv, true, "NUL before the prefix"},
        // Overlong.
        {overlong_digits, false, "46 characters"},
        {long_v6, false, "46 characters: a valid address and a space"},
        {huge, true, "10000 characters"},
    };
    for (const Invalid& c : cases) {
        INFO(c.why << ": \"" << std::string(c.text) << "\" (" << c.text.size() << " bytes)"
                   << (c.allow_network ? " network allowed" : ""));
        CHECK_FALSE(parse_ip(c.text, c.allow_network).has_value());
    }
}

TEST_CASE("parse_ip reads only the bytes of its view") {
    // The view ends before the rest of the buffer: what follows it must not
    // be read as part of the address.
    const std::string_view buffer = "192.0.2.77";
    const auto parsed = parse_ip(buffer.substr(0, 9), false);
    REQUIRE(parsed.has_value());
    CHECK(format_ip(*parsed) == "192.0.2.7");
    const std::string_view network = "10.0.0.0/88";
    const auto net = parse_ip(network.substr(0, 10), true);
    REQUIRE(net.has_value());
    CHECK(net->prefix_len == 104);
}

TEST_CASE("format_ip prints IPv4 only for mapped addresses with a prefix of 96 or more") {
    using ringward::test::v4;
    CHECK(format_ip(ip({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 80)) == "::/80");
    CHECK(format_ip(v4(10, 0, 0, 0, 104)) == "10.0.0.0/8");
    CHECK(format_ip(v4(10, 1, 0, 0, 112)) == "10.1.0.0/16");
    CHECK(format_ip(v4(192, 0, 2, 7)) == "192.0.2.7");
}

}  // namespace
