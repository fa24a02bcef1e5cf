// One pattern per regex compiler refusal, with its code and the offset of
// what is refused. Shared by the regex tests and the CLI's code walk, which
// puts each pattern in content and validates it.
#pragma once

#include <cstdint>

#include "ringward/diagnostic.hpp"

namespace ringward::test::regex_cases {

struct Refusal {
    const char* pattern;
    bool case_insensitive;
    Code code;
    uint32_t offset;
};

inline const Refusal refusals[] = {
    {"ab(c", false, Code::regex_parenthesis_unbalanced, 2},
    {"abc)", false, Code::regex_parenthesis_unbalanced, 3},
    {"a[bc", false, Code::regex_class_unterminated, 1},
    {"[]", false, Code::regex_class_unterminated, 0},
    {"x[z-a]", false, Code::regex_class_range_invalid, 2},
    {"[a-\\d]", false, Code::regex_class_range_invalid, 1},
    {"*a", false, Code::regex_repeat_missing_argument, 0},
    {"a|*", false, Code::regex_repeat_missing_argument, 2},
    {"(?i)*", false, Code::regex_repeat_missing_argument, 4},
    {"a**", false, Code::regex_repeat_repeated, 2},
    {"a{2}{3}", false, Code::regex_repeat_repeated, 4},
    {"a*?+", false, Code::regex_possessive, 3},
    {"ab{3,2}", false, Code::regex_repeat_range_invalid, 2},
    {"a\\", false, Code::regex_escape_invalid, 1},
    {"a\\x4", false, Code::regex_escape_invalid, 1},
    {"\\x{110000}", false, Code::regex_escape_invalid, 0},
    {"\\x{D800}", false, Code::regex_escape_invalid, 0},
    {"ab\\Z", false, Code::regex_escape_invalid, 2},
    {"[\\b]", false, Code::regex_escape_invalid, 1},
    {"\\\xC3\xA9", false, Code::regex_escape_invalid, 0},
    {"a(?z)", false, Code::regex_group_invalid, 1},
    {"(?i-)", false, Code::regex_group_invalid, 0},
    {"(?<n>a)", false, Code::regex_group_invalid, 0},
    {"(?P<>a)", false, Code::regex_group_invalid, 0},
    {"(?i", false, Code::regex_group_invalid, 0},
    {"ab\xFF", false, Code::regex_pattern_not_utf8, 2},
    {"a\xED\xA0\x80", false, Code::regex_pattern_not_utf8, 1},
    {"[[:word:][:foo:]]", false, Code::regex_posix_class_unknown, 9},
    {"(a)\\1", false, Code::regex_backreference, 3},
    {"\\8", false, Code::regex_backreference, 0},
    {"(?P<n>a)(?P=n)", false, Code::regex_backreference, 8},
    {"a(?=b)", false, Code::regex_lookaround, 1},
    {"a(?!b)", false, Code::regex_lookaround, 1},
    {"(?<=a)b", false, Code::regex_lookaround, 0},
    {"(?<!a)b", false, Code::regex_lookaround, 0},
    {"x(?>a)", false, Code::regex_atomic_group, 1},
    {"a++", false, Code::regex_possessive, 2},
    {"a{2}+", false, Code::regex_possessive, 4},
    {"x\\pL", false, Code::regex_unicode_class, 1},
    {"[\\p{Greek}]", false, Code::regex_unicode_class, 1},
    {"a\\C", false, Code::regex_any_byte, 1},
    {"caf\xC3\xA9", true, Code::regex_fold_non_ascii, 3},
    {"a(?i:\xC3\xA9)", false, Code::regex_fold_non_ascii, 5},
    {"(?i)[a-\\x{100}]", false, Code::regex_fold_non_ascii, 5},
    {"a{1001}", false, Code::regex_repeat_too_large, 1},
    {"(a{10,}){101}", false, Code::regex_repeat_too_large, 2},
    {"((a{10}){10}){11}", false, Code::regex_repeat_too_large, 3},
    {"a{1000}a{1000}a{1000}a{1000}a{1000}", false, Code::regex_program_too_large, 28},
    {"[a-z]{1000}[b-y]{1000}[c-x]{1000}[d-w]{1000}[e-v]{1000}", false, Code::regex_ranges_too_many,
     44},
};

}  // namespace ringward::test::regex_cases
