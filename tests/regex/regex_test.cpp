// The regex compiler and the kernel-safe Pike VM: one table row per
// construct, every refusal code with its offset, the step bound on
// adversarial patterns.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "regex/regex_refusal_cases.hpp"
#include "ringward/regex.hpp"

using namespace ringward;

namespace {

struct Case {
    const char* pattern;
    bool case_insensitive;
    std::string input;
    bool matches;
};

// Each construct, matching and not, with and without folding. (The
// differential test checks these and thousands more against RE2.)
const Case cases[] = {
    {"abc", false, "xxabcxx", true},
    {"abc", false, "ABC", false},
    {"abc", true, "xABCx", true},
    {"a\\.c", false, "a.c", true},
    {"a\\.c", false, "abc", false},
    {"a\\\\c", false, "a\\c", true},
    {"\\x41\\x{42}", false, "AB", true},
    {"\\x41\\x{42}", false, "Ab", false},
    {"\\x41\\x{42}", true, "ab", true},
    {"\\n\\t\\r\\f\\v\\a", false, "\n\t\r\f\v\a", true},
    {"\\101\\0", false, std::string("A\0", 2), true},
    {"\\Qa.b\\E", false, "a.b", true},
    {"\\Qa.b\\E", false, "axb", false},
    {"\\Qa\\\\Eb", false, "a\\b", true},  // \Qa\\Eb: the second backslash starts \E
    {"\\Qa.b", false, "a.b", true},
    {"\\x{e9}", false, "caf\xC3\xA9", true},
    {"\\x{1F600}", false, "\xF0\x9F\x98\x80", true},
    {"a.c", false,
     "a\xE4\xB8\xAD"
     "c",
     true},  // . is one code point, not one byte
    {"a..c", false,
     "a\xE4\xB8\xAD"
     "c",
     false},
    {"a.c", false, "a\nc", false},
    {"(?s)a.c", false, "a\nc", true},
    {"(?s:a.)c", false, "a\nc", true},
    {"[a-c]x", false, "bx", true},
    {"[a-c]x", false, "dx", false},
    {"[a-c]x", true, "BX", true},
    {"[^a-c]", false, "abc", false},
    {"[^a-c]", false, "abcd", true},
    {"[^a-c]", true, "ABC", false},
    {"[^a]", false, "\n", true},
    {"[]a]", false, "]", true},
    {"[a-]", false, "-", true},
    {"[\\d_]", false, "_", true},
    {"[[:alpha:]]", false, "1a", true},
    {"[[:alpha:]]", false, "12", false},
    {"[[:^digit:]]", false, "12", false},
    {"[[:upper:]]", true, "a", true},
    {"\\d", false, "x7", true},
    {"\\d", false, "x", false},
    {"\\D", false, "7", false},
    {"\\w", false, "_", true},
    {"\\w", false, "\xC3\xA9", false},  // \w is ASCII
    {"\\W", false, "\xC3\xA9", true},
    {"\\s", false, "\t", true},
    {"\\s", false, "\v", false},  // RE2's \s has no \v
    {"\\S", false, " ", false},
    {"[\\s]", false, "\n", true},
    {"^abc", false, "abcd", true},
    {"^abc", false, "xabc", false},
    {"^abc", false, "x\nabc", false},
    {"(?m)^abc", false, "x\nabc", true},
    {"abc$", false, "xabc", true},
    {"abc$", false, "abc\n", false},
    {"(?m)abc$", false, "abc\nx", true},
    {"\\Aabc", false, "x\nabc", false},
    {"(?m)\\Aabc", false, "x\nabc", false},
    {"abc\\z", false, "abc", true},
    {"(?m)abc\\z", false, "abc\nx", false},
    {"\\bfoo\\b", false, "a foo b", true},
    {"\\bfoo\\b", false, "afoob", false},
    {"\\Bfoo\\B", false, "afoob", true},
    {"\\Bfoo", false, "foo", false},
    {"\\B", false,
     "a\xC3\xA9"
     "a",
     true},  // between the bytes of é, as in RE2
    {"(abc)", false, "abc", true},
    {"(?:ab)+c", false, "ababc", true},
    {"(?:ab)+c", false, "ac", false},
    {"(?P<name>a)b", false, "ab", true},
    {"a|b", false, "b", true},
    {"a|b", false, "c", false},
    {"(|a)x", false, "x", true},
    {"ab*c", false, "ac", true},
    {"ab+c", false, "ac", false},
    {"ab?c", false, "abbc", false},
    {"ab{2}c", false, "abbc", true},
    {"ab{2}c", false, "abc", false},
    {"ab{2,}c", false, "abbbbc", true},
    {"ab{2,3}c", false, "abbbbc", false},
    {"ab{0}c", false, "ac", true},
    {"ab*?c", false, "abbc", true},
    {"ab{2,3}?c", false, "abbbc", true},
    {"x{,3}", false, "x{,3}", true},  // not a repetition: literal text
    {"x{01}", false, "x{01}", true},  // nor is a count with a leading zero, in RE2
    {"x{01}", false, "x", false},
    {"x{0}y", false, "y", true},
    {"a{1000}", false, std::string(1000, 'a'), true},
    {"a{1000}", false, std::string(999, 'a'), false},
    {"(?i)abc", false, "ABC", true},
    {"a(?i)bc", false, "aBC", true},
    {"a(?i)bc", false, "ABC", false},
    {"(?i:a)b", false, "Ab", true},
    {"(?i:a)b", false, "AB", false},
    {"(?-i)a", true, "A", false},
    {"(?i-s:a.)", false, "A\n", false},
    {"(?U)a+", false, "aa", true},
    {"(?i)k", false, "\xE2\x84\xAA", false},  // ASCII folding: no Kelvin sign
    // A folded alternative beside a case-sensitive one holding the same
    // letter: RE2 2022-06-01 drops the folded one (docs/regex.md).
    {"b|(?i:b)", false, "B", true},
    {"[ab]|(?i:b)", false, "B", true},
    {"(?i:b)|b", false, "B", true},
    {"b|(?i:b)", false, "c", false},
    {"(?i)b|(?-i:b)", false, "B", true},
    {"(?i)x|(?-i:b)", false, "B", false},
    {"", false, "", true},
    {"()", false, "x", true},
    {"^$", false, "", true},
    {"^$", false, "x", false},
    {"[^\\x00-\\x{10FFFF}]", false, "abc", false},
    // Ill-formed UTF-8: one unit that nothing matches, not even . or [^a].
    {"a.b", false,
     "a\xFF"
     "b",
     false},
    {"a[^x]b", false,
     "a\x80"
     "b",
     false},
    {"a\\W?b", false,
     "a\xC3"
     "b",
     false},
    {"ab", false,
     "\xFF"
     "ab",
     true},  // a match can start after one
    {"(?s).", false, "\xFF", false},
    {"\\bx", false, "\xFFx", true},  // an ill-formed byte is not a word character
    // While no thread is live, the VM passes over bytes that cannot start a
    // match: a match just past them, after a partial one, a code point past
    // ASCII whose lead byte a non-match shares, a class at the start (the
    // skip is off past 16 ranges), case folding, and starts whose closure
    // holds an assertion (no skip) or an alternative that is one.
    {"abc", false, "xxxxxxxxxxxxxxxxababc", true},
    {"abc", false, "xxxxxxxxxxxxxxxxababd", false},
    {"\xC3\xA9", false, "xxxxxxxxxx\xC3\x89\xC3\xA9", true},
    {"\xC3\xA9", false, "xxxxxxxxxx\xC3\x89\xC3", false},
    {"[0-9]{2}z", false, "abcdefghijkl1a22z", true},
    {"[acegikmoqsuwy02468]z", false, "bbbbbbbbbbbbbbbbbbbbbyz", true},
    {"[acegikmoqsuwy02468]z", false, "bbbbbbbbbbbbbbbbbbbbbyb", false},
    {"cmd", true, "xxxxxxxxxxxxxxxxC:\\CMD.EXE", true},
    {"\\bfoo", false, "xfoo foo", true},
    {"\\bfoo", false, "xfooxfoo", false},
    {"q|^b", false, "bxxxxxxxx", true},
    {"q|^b", false, "xxxxxxxxb", false},
    {"q|b$", false, "xxxxxxxxb", true},
    {"(?:x|\xE4\xB8\xAD)y", false, "aaaaaaaaaaaa\xE4\xB8\xADy", true},
};

std::string display(const std::string& s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\x%02X", c);
            out += buf;
        }
    }
    return out;
}

bool matches(std::string_view pattern, bool case_insensitive, std::string_view input) {
    RegexOptions options;
    options.case_insensitive = case_insensitive;
    const RegexCompileResult compiled = compile_regex(pattern, options);
    INFO(pattern << (compiled.error ? " refused: " + compiled.error->message : ""));
    REQUIRE(compiled.ok());
    const auto result = run_regex(compiled.program, input);
    REQUIRE(result.has_value());
    return result->matched;
}

}  // namespace

TEST_CASE("regex: every construct matches and fails to match as RE2 does") {
    for (const Case& c : cases) {
        INFO("pattern " << c.pattern << (c.case_insensitive ? " (folded)" : "") << " on \""
                        << display(c.input) << "\"");
        CHECK(matches(c.pattern, c.case_insensitive, c.input) == c.matches);
    }
}

using ringward::test::regex_cases::Refusal;
using ringward::test::regex_cases::refusals;

TEST_CASE("regex: every refusal has its code and the offset of what is refused") {
    for (const Refusal& r : refusals) {
        INFO("pattern " << display(r.pattern));
        RegexOptions options;
        options.case_insensitive = r.case_insensitive;
        const RegexCompileResult compiled = compile_regex(r.pattern, options);
        REQUIRE(compiled.error.has_value());
        CHECK(code_id(compiled.error->code) == code_id(r.code));
        CHECK(compiled.error->offset == r.offset);
        CHECK_FALSE(compiled.error->message.empty());
        CHECK(compiled.program.empty());
    }
}

TEST_CASE("regex: the limits refuse at their values and accept at them") {
    RegexOptions options;
    options.limits.max_regex_length_incl = 8;
    CHECK(compile_regex("abcdefgh", options).ok());
    const RegexCompileResult too_long = compile_regex("abcdefghi", options);
    REQUIRE(too_long.error);
    CHECK(too_long.error->code == Code::regex_too_long);
    CHECK(too_long.error->offset == 8);

    options = {};
    options.limits.max_regex_nesting_incl = 3;
    CHECK(compile_regex("(((a)))", options).ok());
    const RegexCompileResult deep = compile_regex("((((a))))", options);
    REQUIRE(deep.error);
    CHECK(deep.error->code == Code::regex_nesting_too_deep);
    CHECK(deep.error->offset == 3);
    // The default holds a pattern nested as deep as the length limit allows
    // without recursing without bound.
    const RegexCompileResult deepest = compile_regex(std::string(512, '(') + std::string(512, ')'));
    REQUIRE(deepest.error);
    CHECK(deepest.error->code == Code::regex_nesting_too_deep);
    CHECK(deepest.error->offset == 100);

    options = {};
    options.limits.max_regex_instructions_incl = 4;  // a, b, c, match
    CHECK(compile_regex("abc", options).ok());
    const RegexCompileResult big = compile_regex("abcd", options);
    REQUIRE(big.error);
    CHECK(big.error->code == Code::regex_program_too_large);
    CHECK(big.error->offset == 0);  // the final match instruction is the fifth

    options = {};
    options.limits.max_regex_ranges_incl = 3;
    CHECK(compile_regex("[ac][e]", options).ok());
    const RegexCompileResult ranges = compile_regex("[ac][eg]", options);
    REQUIRE(ranges.error);
    CHECK(ranges.error->code == Code::regex_ranges_too_many);
    CHECK(ranges.error->offset == 4);

    options = {};
    options.limits.max_regex_repeat_incl = 10;
    CHECK(compile_regex("(a{2}){5}", options).ok());
    const RegexCompileResult repeat = compile_regex("(a{2}){6}", options);
    REQUIRE(repeat.error);
    CHECK(repeat.error->code == Code::regex_repeat_too_large);
    CHECK(repeat.error->offset == 2);
}

TEST_CASE("regex: every regex code has a refusal case") {
    std::set<Code> covered;
    for (const Refusal& r : refusals) {
        covered.insert(r.code);
    }
    covered.insert(Code::regex_too_long);          // the limits test
    covered.insert(Code::regex_nesting_too_deep);  // the limits test
    for (const CodeInfo& info : all_codes()) {
        const auto number = static_cast<uint16_t>(info.code);
        if (number >= 720 && number <= 769) {
            INFO(code_id(info.code) << " " << info.name);
            CHECK(covered.count(info.code) == 1);
        }
    }
}

TEST_CASE("regex: steps stay within (input bytes + 1) x instructions on adversarial patterns") {
    struct Adversarial {
        const char* pattern;
        std::string input;
        bool matches;
    };
    const std::string as(20000, 'a');
    const std::string xs(20000, 'x');
    const Adversarial patterns[] = {
        {"(a*)*b", as, false},
        {"(a|aa)*c", as, false},
        {"(x+x+)+y", xs, false},
        {"(a*)*b", as + "b", true},
        {"(?:a?){500}a{500}", std::string(499, 'a'), false},
        {"(.*)*(.*)*\\bz", as, false},
        {"[^b]*[^b]*[^b]*c", as, false},
    };
    for (const Adversarial& a : patterns) {
        INFO(a.pattern);
        const RegexCompileResult compiled = compile_regex(a.pattern);
        REQUIRE(compiled.ok());
        const auto verified = core::verify_regex(compiled.program.data(), compiled.program.size());
        REQUIRE(verified.error == core::RegexVerifyError::ok);
        const auto result = run_regex(compiled.program, a.input);
        REQUIRE(result.has_value());
        CHECK(result->matched == a.matches);
        const uint64_t bound = (uint64_t{a.input.size()} + 1) * verified.program.instruction_count;
        INFO("steps " << result->steps << ", bound " << bound);
        CHECK(result->steps <= bound);
        CHECK(result->steps > a.input.size());  // it did walk the input
    }
}
