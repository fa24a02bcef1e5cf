// The one UTF-8 check (util::utf8_error_offset): the offset of the first
// byte that does not start a well-formed sequence, or the size when there is
// none. The ASCII fast path reads eight bytes at a time, so every case is
// also tried behind ASCII prefixes of 0 to 17 bytes, which puts the bad byte
// at every position of a word.
#include <catch2/catch.hpp>

#include <string>

#include "ringward/json_writer.hpp"

using ringward::util::utf8_error_offset;

TEST_CASE("utf8_error_offset finds the first bad byte wherever it sits") {
    struct Case {
        const char* what;
        std::string text;
        size_t bad;  // offset in text; text.size() when well formed
    };
    const Case cases[] = {
        {"empty", "", 0},
        {"ASCII", "abc", 3},
        {"two bytes", "\xc3\xa9", 2},
        {"three bytes", "\xe2\x82\xac", 3},
        {"four bytes", "\xf0\x9f\x98\x80", 4},
        {"a lone continuation byte", "\x80", 0},
        {"0xff", "a\xff", 1},
        {"overlong two bytes", "\xc0\xaf", 0},
        {"overlong three bytes", "\xe0\x80\xaf", 0},
        {"a surrogate", "\xed\xa0\x80", 0},
        {"past U+10FFFF", "\xf4\x90\x80\x80", 0},
        {"cut short", "x\xe2\x82", 1},
        {"a bad continuation", "\xe2\x28\xa1", 0},
        {"valid then bad", "\xc3\xa9\xc3", 2},
        {"a bad byte after eight ASCII", "abcdefgh\x80", 8},
        {"multi-byte inside a word",
         "abc\xc3\xa9"
         "defgh\xff",
         10},
    };
    for (const Case& c : cases) {
        for (size_t prefix = 0; prefix <= 17; ++prefix) {
            const std::string ascii(prefix, 'p');
            INFO(c.what << " behind " << prefix << " ASCII bytes");
            const std::string text = ascii + c.text;
            const size_t expected = c.bad == c.text.size() ? text.size() : prefix + c.bad;
            CHECK(utf8_error_offset(text) == expected);
            // And with ASCII after it: a good text stays good, a bad one
            // keeps its first bad byte.
            const std::string tail = text + std::string(9, 't');
            CHECK(utf8_error_offset(tail) == (c.bad == c.text.size() ? tail.size() : expected));
        }
    }
}

// Text with no byte over 0x7f is decided by one pass that ORs its words;
// any other goes through the sequence check.
TEST_CASE("utf8_error_offset: ASCII of every length up to 40, and one bad byte at each place") {
    for (size_t n = 0; n <= 40; ++n) {
        const std::string ascii(n, 'q');
        INFO(n);
        CHECK(utf8_error_offset(ascii) == n);
        for (size_t at = 0; at < n; ++at) {
            std::string bad = ascii;
            bad[at] = '\x80';
            CHECK(utf8_error_offset(bad) == at);
            std::string good = ascii;
            good[at] = '\x7f';
            CHECK(utf8_error_offset(good) == n);
        }
    }
}
