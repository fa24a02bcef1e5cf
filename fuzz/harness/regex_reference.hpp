// RE2 as the reference for ringward's regex engine: the differential test
// (tests/regex) and the regex_differential harness hold the Pike VM to
// RE2::PartialMatch through these.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string_view>

namespace ringward::fuzz {

// RE2 compiled with the options ringward's semantics correspond to: UTF-8,
// unanchored, case folding from outside as (?i). Null when RE2 refuses it.
inline std::unique_ptr<RE2> reference_regex(std::string_view pattern, bool case_insensitive) {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingUTF8);
    options.set_case_sensitive(!case_insensitive);
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    if (!re->ok()) {
        return nullptr;
    }
    return re;
}

inline bool reference_matches(const RE2& re, std::string_view input) {
    return RE2::PartialMatch(re2::StringPiece(input.data(), input.size()), re);
}

// Whether the pattern switches case folding on or off with an inline flag
// group ((?i), (?i:...), (?-i)...) and holds an alternation. RE2 2022-06-01
// (Debian 12's) drops a folded alternative when an earlier one holds the
// same character case-sensitively: b|(?i:b) and [ab]|(?i:b) do not match
// "B", because its alternation factoring merges literals without comparing
// their fold flags. ringward matches "B". Such patterns are left out whole;
// a `|` or a flag group inside a class or after a backslash is counted too,
// which leaves out a little more than needed, never less.
inline bool folding_switched_in_alternation(std::string_view pattern) {
    if (pattern.find('|') == std::string_view::npos) {
        return false;
    }
    for (size_t at = pattern.find("(?"); at != std::string_view::npos;
         at = pattern.find("(?", at + 2)) {
        for (size_t i = at + 2; i < pattern.size() && pattern[i] != ')' && pattern[i] != ':'; ++i) {
            if (pattern[i] == 'i') {
                return true;
            }
        }
    }
    return false;
}

// Whether ringward and RE2 are meant to agree on this input (docs/regex.md,
// "Where ringward differs from RE2"). They do not on exactly three things:
//   - RE2's bug above: a pattern that switches folding in an alternation.
//   - RE2 folds case with Unicode's tables, so under (?i) it matches k and s
//     against U+212A KELVIN SIGN and U+017F LATIN SMALL LETTER LONG S;
//     ringward folds ASCII only (docs/semantics.md). Inputs holding either are
//     left out when the pattern may fold (options or any (?...) group).
//   - RE2 reads a lead byte E0-F4 followed by continuation bytes as one
//     character even when the sequence is overlong, a surrogate or above
//     U+10FFFF, so . and negated classes match it; ringward reads such bytes
//     as ill-formed units that nothing matches.
inline bool reference_comparable(std::string_view pattern, bool case_insensitive,
                                 std::string_view input) {
    if (folding_switched_in_alternation(pattern)) {
        return false;
    }
    const bool may_fold = case_insensitive || pattern.find("(?") != std::string_view::npos;
    if (may_fold && (input.find("\xE2\x84\xAA") != std::string_view::npos ||
                     input.find("\xC5\xBF") != std::string_view::npos)) {
        return false;
    }
    const auto* s = reinterpret_cast<const unsigned char*>(input.data());
    const size_t n = input.size();
    const auto cont = [&](size_t i) { return i < n && s[i] >= 0x80 && s[i] <= 0xBF; };
    for (size_t i = 0; i < n; ++i) {
        const unsigned c = s[i];
        size_t loose = 0;
        bool strict = false;
        if (c >= 0xE0 && c <= 0xEF) {
            loose = 3;
            const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
            const unsigned hi = c == 0xED ? 0x9F : 0xBF;
            strict = i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi;
        } else if (c >= 0xF0 && c <= 0xF4) {
            loose = 4;
            const unsigned lo = c == 0xF0 ? 0x90 : 0x80;
            const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
            strict = i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi;
        }
        if (loose == 0 || strict) {
            continue;
        }
        bool all_continuation = true;
        for (size_t k = 1; k < loose; ++k) {
            all_continuation &= cont(i + k);
        }
        if (all_continuation) {
            return false;
        }
    }
    return true;
}

}  // namespace ringward::fuzz
