// The Pike VM against RE2::PartialMatch on generated patterns and inputs:
// what ringward compiles, it must judge as RE2 does (outside the two
// documented differences, harness/regex_reference.hpp).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "harness/regex_reference.hpp"
#include "ringward/regex.hpp"

using namespace ringward;

namespace {

// Patterns from a small grammar over the constructs docs/regex.md lists.
class PatternGenerator {
  public:
    explicit PatternGenerator(uint32_t seed) : rng_(seed) {}

    std::string pattern() { return alternation(0); }

    std::string input() {
        static const char* const units[] = {"a",
                                            "b",
                                            "c",
                                            "A",
                                            "B",
                                            "k",
                                            "K",
                                            "s",
                                            "x",
                                            "y",
                                            "1",
                                            "_",
                                            " ",
                                            "\n",
                                            "-",
                                            ".",
                                            "\xC3\xA9",
                                            "\xC3\x89",
                                            "\xE4\xB8\xAD",
                                            "\xF0\x9F\x98\x80",
                                            "\xFF",
                                            "\x80",
                                            "\xC3",
                                            "\xE2\x84\xAA",
                                            "\xED\xA0\x80",
                                            "\xE0\x80\x80",
                                            "ab",
                                            "abc"};
        std::string out;
        const size_t length = pick(12);
        for (size_t i = 0; i < length; ++i) {
            out += units[pick(std::size(units))];
        }
        return out;
    }

  private:
    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

    std::string alternation(int depth) {
        std::string out = concat(depth);
        while (pick(5) == 0) {
            out += "|" + concat(depth);
        }
        return out;
    }

    std::string concat(int depth) {
        std::string out;
        const size_t items = pick(4);
        for (size_t i = 0; i < items; ++i) {
            out += repeated(depth);
        }
        return out;
    }

    std::string repeated(int depth) {
        std::string out = atom(depth);
        static const char* const ops[] = {"*",     "+",  "?",  "{2}", "{1,}", "{0,2}",
                                          "{1,3}", "*?", "+?", "??",  "{2,}?"};
        if (pick(3) == 0) {
            out += ops[pick(std::size(ops))];
        }
        return out;
    }

    std::string atom(int depth) {
        static const char* const leaves[] = {"a",
                                             "b",
                                             "c",
                                             "A",
                                             "k",
                                             "s",
                                             "x",
                                             "1",
                                             "_",
                                             " ",
                                             "\\n",
                                             "\xC3\xA9",
                                             "\xE4\xB8\xAD",
                                             ".",
                                             "\\.",
                                             "\\d",
                                             "\\D",
                                             "\\w",
                                             "\\W",
                                             "\\s",
                                             "\\S",
                                             "\\b",
                                             "\\B",
                                             "^",
                                             "$",
                                             "\\A",
                                             "\\z",
                                             "[a-c]",
                                             "[^ab]",
                                             "[\\d_]",
                                             "[[:alpha:]]",
                                             "[^\\n]",
                                             "[a\\-z]",
                                             "[^\\W]",
                                             "\\x61",
                                             "\\x{4E2D}",
                                             "[k-s]",
                                             "[^k]",
                                             "\\Qa.\\E",
                                             "[.]",
                                             "[^\xC3\xA9]"};
        if (depth < 3 && pick(4) == 0) {
            static const char* const opens[] = {
                "(", "(?:", "(?i:", "(?s:", "(?m:", "(?i)(", "(?-i:"};
            return std::string(opens[pick(std::size(opens))]) + alternation(depth + 1) + ")";
        }
        return leaves[pick(std::size(leaves))];
    }

    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("regex differential: the Pike VM agrees with RE2 on generated patterns") {
    PatternGenerator gen(20261202);
    size_t compared = 0;
    size_t compiled_patterns = 0;
    size_t matched = 0;
    for (int i = 0; i < 4000; ++i) {
        const std::string pattern = gen.pattern();
        const bool folded = i % 3 == 0;
        RegexOptions options;
        options.case_insensitive = folded;
        const RegexCompileResult ours = compile_regex(pattern, options);
        const auto reference = fuzz::reference_regex(pattern, folded);
        INFO("pattern " << pattern << (folded ? " (folded)" : ""));
        if (!ours.ok()) {
            // Refusing is allowed only for what docs/regex.md refuses:
            // here, non-ASCII under folding. Every other generated
            // pattern is in the supported subset.
            CHECK(ours.error->code == Code::regex_fold_non_ascii);
            continue;
        }
        REQUIRE(reference != nullptr);  // ringward accepts only what RE2 does
        ++compiled_patterns;
        for (int j = 0; j < 12; ++j) {
            const std::string input = gen.input();
            if (!fuzz::reference_comparable(pattern, folded, input)) {
                continue;
            }
            const auto result = run_regex(ours.program, input);
            REQUIRE(result.has_value());
            const bool expected = fuzz::reference_matches(*reference, input);
            INFO("input \"" << input << "\"");
            CHECK(result->matched == expected);
            matched += expected ? 1 : 0;
            ++compared;
        }
    }
    // The generator is not degenerate: most patterns compile, and verdicts
    // go both ways.
    CHECK(compiled_patterns > 3000);
    CHECK(compared > 20000);
    CHECK(matched > compared / 10);
    CHECK(matched < compared * 9 / 10);
}

TEST_CASE("regex differential: patterns that switch folding inside an alternation are left out") {
    // RE2 2022-06-01 reads b|(?i:b) as b (docs/regex.md); ringward's
    // reading is held by regex_test's cases instead.
    for (const char* pattern : {"b|(?i:b)", "[ab]|(?i:b)", "(?i)a|b", "a|(?-i:b)", "(?mi:a)|b"}) {
        INFO("pattern " << pattern);
        CHECK(fuzz::folding_switched_in_alternation(pattern));
        CHECK_FALSE(fuzz::reference_comparable(pattern, false, "B"));
    }
    for (const char* pattern : {"b|c", "(?i:b)c", "(?m)^a|b", "(?:a|b)", "(?s:.)|b"}) {
        INFO("pattern " << pattern);
        CHECK_FALSE(fuzz::folding_switched_in_alternation(pattern));
        CHECK(fuzz::reference_comparable(pattern, false, "B"));
    }
}

TEST_CASE("regex differential: RE2 folds ASCII letters to exactly two non-ASCII characters") {
    // The folding difference the comparisons leave out, found by asking
    // RE2 about every letter and every code point in the planes that hold
    // cased letters (0 and 1).
    std::vector<std::pair<char, uint32_t>> found;
    for (char letter = 'a'; letter <= 'z'; ++letter) {
        const auto re = fuzz::reference_regex(std::string(1, letter), true);
        REQUIRE(re != nullptr);
        for (uint32_t c = 0x80; c <= 0x1FFFF; ++c) {
            if (c >= 0xD800 && c <= 0xDFFF) {
                continue;
            }
            char buf[4];
            size_t n = 0;
            if (c < 0x800) {
                buf[n++] = static_cast<char>(0xC0 | c >> 6);
            } else if (c < 0x10000) {
                buf[n++] = static_cast<char>(0xE0 | c >> 12);
                buf[n++] = static_cast<char>(0x80 | (c >> 6 & 0x3F));
            } else {
                buf[n++] = static_cast<char>(0xF0 | c >> 18);
                buf[n++] = static_cast<char>(0x80 | (c >> 12 & 0x3F));
                buf[n++] = static_cast<char>(0x80 | (c >> 6 & 0x3F));
            }
            buf[n++] = static_cast<char>(0x80 | (c & 0x3F));
            if (fuzz::reference_matches(*re, std::string_view(buf, n))) {
                found.emplace_back(letter, c);
            }
        }
    }
    const std::vector<std::pair<char, uint32_t>> expected = {{'k', 0x212A}, {'s', 0x17F}};
    CHECK(found == expected);
    // And ringward folds neither.
    for (const auto& [letter, other] :
         {std::pair<const char*, const char*>{"k", "\xE2\x84\xAA"}, {"s", "\xC5\xBF"}}) {
        RegexOptions options;
        options.case_insensitive = true;
        const RegexCompileResult ours = compile_regex(letter, options);
        REQUIRE(ours.ok());
        CHECK_FALSE(run_regex(ours.program, other)->matched);
    }
}
