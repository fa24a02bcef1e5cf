// compile_regex: RE2 syntax (the subset docs/regex.md lists) into a Pike VM
// program. Written from RE2's syntax documentation; RE2 is only the
// reference the tests compare against.
//
// Two passes: a recursive-descent parser into a tree (recursion bounded by
// max_regex_nesting_incl, one level per group), then a Thompson-style
// emitter that expands counted repetition and stops as soon as a limit is
// crossed, so no pattern makes it allocate more than the limits allow.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "ringward/core/endian.hpp"
#include "ringward/regex.hpp"

namespace ringward {
namespace {

using core::RegexAssert;
using core::RegexOp;

struct Range {
    uint32_t first;
    uint32_t last;
};
using Ranges = std::vector<Range>;

// Sorted, with overlapping and touching ranges merged: the one form the
// verifier accepts.
Ranges canonical(Ranges ranges) {
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.first < b.first; });
    Ranges out;
    for (const Range& r : ranges) {
        if (!out.empty() && r.first <= out.back().last + 1) {
            out.back().last = std::max(out.back().last, r.last);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

Ranges complement(const Ranges& canonical_ranges) {
    Ranges out;
    uint32_t next = 0;
    for (const Range& r : canonical_ranges) {
        if (r.first > next) {
            out.push_back({next, r.first - 1});
        }
        next = r.last + 1;
    }
    if (next <= core::max_code_point_incl) {
        out.push_back({next, core::max_code_point_incl});
    }
    return out;
}

// ASCII folding (docs/semantics.md, "Comparisons"): every ASCII letter in
// the set brings its other case.
Ranges fold_ascii(const Ranges& ranges) {
    Ranges out = ranges;
    for (const Range& r : ranges) {
        for (uint32_t lo : {uint32_t{'A'}, uint32_t{'a'}}) {
            const uint32_t first = std::max(r.first, lo);
            const uint32_t last = std::min(r.last, lo + 25);
            if (first <= last) {
                out.push_back({first ^ 0x20u, last ^ 0x20u});
            }
        }
    }
    return canonical(std::move(out));
}

bool is_ascii_letter(uint32_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

struct Node {
    enum class Kind : uint8_t { empty, literal, cls, assertion, concat, alternation, repeat };
    Kind kind = Kind::empty;
    uint32_t offset = 0;
    uint32_t code_point = 0;
    RegexAssert assertion = RegexAssert::begin_text;
    Ranges ranges;
    std::vector<Node> children;
    uint32_t min = 0;
    uint32_t max = 0;
    bool unbounded = false;
    // A \Q...\E run: its literals are items of the enclosing concatenation.
    bool quoted = false;
};

struct Flags {
    bool fold = false;        // i
    bool multi_line = false;  // m
    bool dot_nl = false;      // s
};

// Thrown inside this file only, caught in compile_regex: a parse or emit
// refusal unwinds straight to the one place that reports it.
struct Refusal {
    RegexError error;
};

[[noreturn]] void refuse(Code code, size_t offset, std::string message) {
    throw Refusal{RegexError{code, static_cast<uint32_t>(offset), std::move(message)}};
}

// The first byte of `s` that does not begin a well-formed UTF-8 sequence,
// or npos.
size_t first_ill_formed(std::string_view s) {
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    size_t i = 0;
    while (i < s.size()) {
        const unsigned c = b[i];
        size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            len = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (len > s.size() - i) {
            return i;
        }
        for (size_t k = 1; k < len; ++k) {
            const unsigned d = b[i + k];
            if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) {
                return i;
            }
        }
        i += len;
    }
    return std::string_view::npos;
}

class Parser {
  public:
    Parser(std::string_view pattern, const RegexOptions& options)
        : s_(pattern), limits_(options.limits) {
        top_flags_.fold = options.case_insensitive;
    }

    Node parse() {
        Flags flags = top_flags_;
        Node node = parse_alternation(flags);
        if (pos_ < s_.size()) {  // only a ')' stops an alternation early
            refuse(Code::regex_parenthesis_unbalanced, pos_, "this ) closes no group");
        }
        return node;
    }

  private:
    bool at_end() const { return pos_ >= s_.size(); }
    char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

    // The code point at pos_ (the pattern is well-formed UTF-8), advancing.
    uint32_t take_code_point() {
        const auto* b = reinterpret_cast<const unsigned char*>(s_.data()) + pos_;
        const unsigned c = b[0];
        if (c < 0x80) {
            pos_ += 1;
            return c;
        }
        if (c < 0xE0) {
            pos_ += 2;
            return (c & 0x1Fu) << 6 | (b[1] & 0x3Fu);
        }
        if (c < 0xF0) {
            pos_ += 3;
            return (c & 0x0Fu) << 12 | (b[1] & 0x3Fu) << 6 | (b[2] & 0x3Fu);
        }
        pos_ += 4;
        return (c & 0x07u) << 18 | (b[1] & 0x3Fu) << 12 | (b[2] & 0x3Fu) << 6 | (b[3] & 0x3Fu);
    }

    Node parse_alternation(Flags& flags) {
        const size_t start = pos_;
        std::vector<Node> branches;
        branches.push_back(parse_concat(flags));
        while (peek() == '|' && !at_end()) {
            ++pos_;
            branches.push_back(parse_concat(flags));
        }
        if (branches.size() == 1) {
            return std::move(branches[0]);
        }
        Node node;
        node.kind = Node::Kind::alternation;
        node.offset = static_cast<uint32_t>(start);
        node.children = std::move(branches);
        return node;
    }

    // {n}, {n,} or {n,m} at pos_: true and the counts when it is one (RE2
    // reads any other '{' as a literal).
    bool counted_repeat_at(size_t at, uint32_t& min, uint32_t& max, bool& unbounded,
                           size_t& end) const {
        size_t i = at + 1;
        const auto number = [&](uint32_t& value) {
            const size_t first = i;
            // RE2 reads a count with a leading zero ({01}) as literal text.
            if (i + 1 < s_.size() && s_[i] == '0' && s_[i + 1] >= '0' && s_[i + 1] <= '9') {
                return false;
            }
            uint64_t v = 0;
            while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9') {
                v = std::min<uint64_t>(v * 10 + static_cast<uint64_t>(s_[i] - '0'), 1u << 30);
                ++i;
            }
            value = static_cast<uint32_t>(v);
            return i > first;
        };
        if (!number(min)) {
            return false;
        }
        unbounded = false;
        max = min;
        if (i < s_.size() && s_[i] == ',') {
            ++i;
            if (i < s_.size() && s_[i] == '}') {
                unbounded = true;
            } else if (!number(max)) {
                return false;
            }
        }
        if (i >= s_.size() || s_[i] != '}') {
            return false;
        }
        end = i + 1;
        return true;
    }

    bool repeat_operator_at(size_t at) const {
        if (at >= s_.size()) {
            return false;
        }
        const char c = s_[at];
        if (c == '*' || c == '+' || c == '?') {
            return true;
        }
        uint32_t min = 0, max = 0;
        bool unbounded = false;
        size_t end = 0;
        return c == '{' && counted_repeat_at(at, min, max, unbounded, end);
    }

    Node parse_concat(Flags& flags) {
        const size_t start = pos_;
        std::vector<Node> items;
        // Whether the last item can take a repetition operator: not at the
        // start, and not after a flags group such as (?i).
        bool repeatable = false;
        while (!at_end() && peek() != '|' && peek() != ')') {
            const size_t at = pos_;
            if (repeat_operator_at(pos_)) {
                if (!repeatable) {
                    refuse(Code::regex_repeat_missing_argument, at,
                           "this repetition operator follows nothing it could repeat");
                }
                items.back() = parse_repeat(std::move(items.back()));
                repeatable = false;
                if (repeat_operator_at(pos_)) {
                    if (peek() == '+') {
                        refuse(Code::regex_possessive, pos_,
                               "possessive repetition is not RE2 syntax");
                    }
                    refuse(Code::regex_repeat_repeated, pos_,
                           "a repetition operator cannot follow another");
                }
                continue;
            }
            std::optional<Node> atom = parse_atom(flags);
            if (!atom) {  // a flags group: nothing to repeat
                repeatable = false;
                continue;
            }
            if (atom->quoted) {
                repeatable = !atom->children.empty();
                for (Node& child : atom->children) {
                    items.push_back(std::move(child));
                }
                continue;
            }
            items.push_back(std::move(*atom));
            repeatable = true;
        }
        if (items.size() == 1) {
            return std::move(items[0]);
        }
        Node node;
        node.kind = items.empty() ? Node::Kind::empty : Node::Kind::concat;
        node.offset = static_cast<uint32_t>(start);
        node.children = std::move(items);
        return node;
    }

    Node parse_repeat(Node child) {
        const size_t at = pos_;
        Node node;
        node.kind = Node::Kind::repeat;
        node.offset = static_cast<uint32_t>(at);
        const char c = peek();
        if (c == '*') {
            node.min = 0;
            node.unbounded = true;
            ++pos_;
        } else if (c == '+') {
            node.min = 1;
            node.unbounded = true;
            ++pos_;
        } else if (c == '?') {
            node.min = 0;
            node.max = 1;
            ++pos_;
        } else {
            size_t end = 0;
            if (!counted_repeat_at(at, node.min, node.max, node.unbounded, end)) {
                core::invariant_broken();  // repeat_operator_at said it is one
            }
            if (!node.unbounded && node.max < node.min) {
                refuse(Code::regex_repeat_range_invalid, at,
                       fmt::format("{{{},{}}} ends below where it starts", node.min, node.max));
            }
            const uint32_t largest = node.unbounded ? node.min : node.max;
            if (largest > limits_.max_regex_repeat_incl) {
                refuse(Code::regex_repeat_too_large, at,
                       fmt::format("the repetition count {} is above max_regex_repeat_incl ({})",
                                   largest, limits_.max_regex_repeat_incl));
            }
            pos_ = end;
        }
        if (peek() == '?' && !at_end()) {  // lazy: the same acceptance
            ++pos_;
        }
        node.children.push_back(std::move(child));
        return node;
    }

    Node class_node(size_t at, Ranges ranges) {
        Node node;
        node.kind = Node::Kind::cls;
        node.offset = static_cast<uint32_t>(at);
        node.ranges = canonical(std::move(ranges));
        return node;
    }

    Node literal_node(size_t at, uint32_t c, const Flags& flags) {
        if (flags.fold && c >= 0x80) {
            refuse(Code::regex_fold_non_ascii, at,
                   fmt::format("U+{:04X} in a case-insensitive pattern: ringward folds ASCII only",
                               c));
        }
        if (flags.fold && is_ascii_letter(c)) {
            return class_node(at, fold_ascii({{c, c}}));
        }
        Node node;
        node.kind = Node::Kind::literal;
        node.offset = static_cast<uint32_t>(at);
        node.code_point = c;
        return node;
    }

    Node assertion_node(size_t at, RegexAssert kind) {
        Node node;
        node.kind = Node::Kind::assertion;
        node.offset = static_cast<uint32_t>(at);
        node.assertion = kind;
        return node;
    }

    // nullopt for a flags group, which changes `flags` and matches nothing.
    std::optional<Node> parse_atom(Flags& flags) {
        const size_t at = pos_;
        const char c = peek();
        switch (c) {
            case '(':
                return parse_group(flags);
            case '[':
                return parse_class(flags);
            case '.':
                ++pos_;
                if (flags.dot_nl) {
                    return class_node(at, {{0, core::max_code_point_incl}});
                }
                return class_node(at, {{0, '\n' - 1}, {'\n' + 1, core::max_code_point_incl}});
            case '^':
                ++pos_;
                return assertion_node(
                    at, flags.multi_line ? RegexAssert::begin_line : RegexAssert::begin_text);
            case '$':
                ++pos_;
                return assertion_node(
                    at, flags.multi_line ? RegexAssert::end_line : RegexAssert::end_text);
            case '\\':
                return parse_escape_atom(flags);
            default:
                return literal_node(at, take_code_point(), flags);
        }
    }

    std::optional<Node> parse_group(Flags& flags) {
        const size_t at = pos_;
        if (depth_ >= limits_.max_regex_nesting_incl) {
            refuse(Code::regex_nesting_too_deep, at,
                   fmt::format("groups nest deeper than max_regex_nesting_incl ({})",
                               limits_.max_regex_nesting_incl));
        }
        ++pos_;
        Flags inner = flags;
        if (peek() == '?' && pos_ < s_.size()) {
            ++pos_;
            const char k = peek();
            if (k == '=' || k == '!' || (k == '<' && (peek(1) == '=' || peek(1) == '!'))) {
                refuse(Code::regex_lookaround, at, "lookahead and lookbehind are not RE2 syntax");
            }
            if (k == '>') {
                refuse(Code::regex_atomic_group, at, "atomic groups are not RE2 syntax");
            }
            if (k == 'P' && peek(1) == '=') {
                refuse(Code::regex_backreference, at,
                       "(?P=name) is a backreference; no linear-time matcher runs one");
            }
            if (k == 'P' && peek(1) == '<') {
                pos_ += 2;
                const size_t name_at = pos_;
                while (!at_end() &&
                       (std::isalnum(static_cast<unsigned char>(peek())) != 0 || peek() == '_')) {
                    ++pos_;
                }
                if (pos_ == name_at || peek() != '>' || at_end()) {
                    refuse(Code::regex_group_invalid, at,
                           "a named group is (?P<name>...) with a name of letters, digits and _");
                }
                ++pos_;
            } else if (!parse_flags(at, inner)) {
                // (?flags): they apply to the rest of the enclosing group.
                flags = inner;
                return std::nullopt;
            }
        }
        ++depth_;
        Node body = parse_alternation(inner);
        --depth_;
        if (peek() != ')' || at_end()) {
            refuse(Code::regex_parenthesis_unbalanced, at, "this group is not closed");
        }
        ++pos_;
        return body;
    }

    // After "(?": flags up to ')' (false) or ':' (true, a group follows).
    bool parse_flags(size_t at, Flags& flags) {
        bool negated = false;
        bool letter_after_minus = false;
        while (!at_end()) {
            const char c = peek();
            ++pos_;
            switch (c) {
                case 'i':
                case 'm':
                case 's':
                case 'U': {
                    bool& flag = c == 'i' ? flags.fold : c == 'm' ? flags.multi_line : flags.dot_nl;
                    if (c != 'U') {  // ungreedy changes no verdict
                        flag = !negated;
                    }
                    letter_after_minus |= negated;
                    break;
                }
                case '-':
                    if (negated) {
                        refuse(Code::regex_group_invalid, at, "a flags group has one - at most");
                    }
                    negated = true;
                    break;
                case ')':
                case ':':
                    if (negated && !letter_after_minus) {
                        refuse(Code::regex_group_invalid, at,
                               "a - in a flags group needs a flag after it");
                    }
                    return c == ':';
                default:
                    refuse(Code::regex_group_invalid, at,
                           "(? is followed by :, flags (i, m, s, U) or P<name>");
            }
        }
        refuse(Code::regex_group_invalid, at, "this flags group is not closed");
    }

    // What a backslash escape denotes.
    struct Escape {
        enum class Kind : uint8_t { code_point, cls, assertion, quote };
        Kind kind = Kind::code_point;
        uint32_t code_point = 0;
        Ranges ranges;
        RegexAssert assertion = RegexAssert::begin_text;
    };

    static Ranges perl_class(char c) {
        Ranges r;
        switch (c | 0x20) {
            case 'd':
                r = {{'0', '9'}};
                break;
            case 's':
                r = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
                break;
            default:  // 'w'
                r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
                break;
        }
        return c >= 'A' && c <= 'Z' ? complement(canonical(r)) : r;
    }

    static bool is_octal(char c) { return c >= '0' && c <= '7'; }
    static int hex_value(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            return (c | 0x20) - 'a' + 10;
        }
        return -1;
    }

    Escape parse_escape(bool in_class) {
        const size_t at = pos_;
        ++pos_;  // the backslash
        if (at_end()) {
            refuse(Code::regex_escape_invalid, at, "the pattern ends in a backslash");
        }
        const char c = peek();
        if (static_cast<unsigned char>(c) >= 0x80) {
            refuse(Code::regex_escape_invalid, at, "a backslash before a non-ASCII character");
        }
        ++pos_;
        Escape e;
        e.kind = Escape::Kind::code_point;
        if (c >= '1' && c <= '9' && !(c <= '7' && is_octal(peek()) && !at_end())) {
            refuse(Code::regex_backreference, at,
                   fmt::format("\\{} is a backreference; no linear-time matcher runs one", c));
        }
        if (is_octal(c)) {
            uint32_t v = static_cast<uint32_t>(c - '0');
            for (int i = 0; i < 2 && !at_end() && is_octal(peek()); ++i) {
                v = v * 8 + static_cast<uint32_t>(peek() - '0');
                ++pos_;
            }
            e.code_point = v;
            return e;
        }
        switch (c) {
            case 'a':
                e.code_point = 7;
                return e;
            case 'f':
                e.code_point = 12;
                return e;
            case 't':
                e.code_point = 9;
                return e;
            case 'n':
                e.code_point = 10;
                return e;
            case 'r':
                e.code_point = 13;
                return e;
            case 'v':
                e.code_point = 11;
                return e;
            case 'x':
                e.code_point = parse_hex(at);
                return e;
            case 'd':
            case 'D':
            case 's':
            case 'S':
            case 'w':
            case 'W':
                e.kind = Escape::Kind::cls;
                e.ranges = perl_class(c);
                return e;
            case 'p':
            case 'P':
                refuse(Code::regex_unicode_class, at,
                       "Unicode classes need tables the interpreter does not carry");
            case 'C':
                refuse(Code::regex_any_byte, at, "\\C matches one byte whatever the UTF-8");
            default:
                break;
        }
        if (!in_class) {
            switch (c) {
                case 'A':
                    e.kind = Escape::Kind::assertion;
                    e.assertion = RegexAssert::begin_text;
                    return e;
                case 'z':
                    e.kind = Escape::Kind::assertion;
                    e.assertion = RegexAssert::end_text;
                    return e;
                case 'b':
                    e.kind = Escape::Kind::assertion;
                    e.assertion = RegexAssert::word_boundary;
                    return e;
                case 'B':
                    e.kind = Escape::Kind::assertion;
                    e.assertion = RegexAssert::not_word_boundary;
                    return e;
                case 'Q':
                    e.kind = Escape::Kind::quote;
                    return e;
                default:
                    break;
            }
        }
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
            refuse(Code::regex_escape_invalid, at, fmt::format("\\{} is not an RE2 escape", c));
        }
        e.code_point = static_cast<unsigned char>(c);  // escaped punctuation
        return e;
    }

    uint32_t parse_hex(size_t at) {
        uint64_t v = 0;
        if (peek() == '{' && !at_end()) {
            ++pos_;
            size_t digits = 0;
            while (!at_end() && hex_value(peek()) >= 0) {
                v = std::min<uint64_t>(v * 16 + static_cast<uint64_t>(hex_value(peek())),
                                       uint64_t{1} << 32);
                ++pos_;
                ++digits;
            }
            if (digits == 0 || peek() != '}' || at_end()) {
                refuse(Code::regex_escape_invalid, at, "\\x{...} holds one or more hex digits");
            }
            ++pos_;
        } else {
            for (int i = 0; i < 2; ++i) {
                if (at_end() || hex_value(peek()) < 0) {
                    refuse(Code::regex_escape_invalid, at, "\\x is followed by two hex digits");
                }
                v = v * 16 + static_cast<uint64_t>(hex_value(peek()));
                ++pos_;
            }
        }
        if (v > core::max_code_point_incl || (v >= 0xD800 && v <= 0xDFFF)) {
            refuse(Code::regex_escape_invalid, at,
                   "the code point is not a Unicode scalar value (above U+10FFFF or a surrogate)");
        }
        return static_cast<uint32_t>(v);
    }

    std::optional<Node> parse_escape_atom(const Flags& flags) {
        const size_t at = pos_;
        Escape e = parse_escape(false);
        switch (e.kind) {
            case Escape::Kind::code_point:
                return literal_node(at, e.code_point, flags);
            case Escape::Kind::cls:
                return class_node(at, flags.fold ? fold_ascii(e.ranges) : e.ranges);
            case Escape::Kind::assertion:
                return assertion_node(at, e.assertion);
            case Escape::Kind::quote:
                break;
        }
        // \Q...\E: literal text up to \E or the end.
        Node node;
        node.kind = Node::Kind::concat;
        node.offset = static_cast<uint32_t>(at);
        node.quoted = true;
        while (!at_end() && !(peek() == '\\' && peek(1) == 'E')) {
            const size_t char_at = pos_;  // a backslash too is literal here, as in RE2
            node.children.push_back(literal_node(char_at, take_code_point(), flags));
        }
        if (!at_end()) {
            pos_ += 2;  // \E
        }
        return node;
    }

    // One class item at pos_: a code point, or a set (Perl or POSIX class).
    struct ClassItem {
        bool is_set = false;
        uint32_t code_point = 0;
        Ranges ranges;
    };

    ClassItem parse_class_item() {
        ClassItem item;
        if (peek() == '[' && peek(1) == ':') {
            const size_t close = s_.find(":]", pos_ + 2);
            if (close != std::string_view::npos) {
                const size_t at = pos_;
                std::string_view name = s_.substr(pos_ + 2, close - pos_ - 2);
                const bool negated = !name.empty() && name[0] == '^';
                if (negated) {
                    name.remove_prefix(1);
                }
                std::optional<Ranges> r = posix_class(name);
                if (!r) {
                    refuse(Code::regex_posix_class_unknown, at,
                           fmt::format("[:{}:] is not an ASCII POSIX class", name));
                }
                pos_ = close + 2;
                item.is_set = true;
                item.ranges = negated ? complement(canonical(*r)) : *r;
                return item;
            }
        }
        if (peek() == '\\') {
            Escape e = parse_escape(true);
            if (e.kind == Escape::Kind::cls) {
                item.is_set = true;
                item.ranges = std::move(e.ranges);
            } else {
                item.code_point = e.code_point;
            }
            return item;
        }
        item.code_point = take_code_point();
        return item;
    }

    static std::optional<Ranges> posix_class(std::string_view name) {
        struct Entry {
            std::string_view name;
            Ranges ranges;
        };
        const Entry table[] = {
            {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
            {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
            {"ascii", {{0, 0x7F}}},
            {"blank", {{'\t', '\t'}, {' ', ' '}}},
            {"cntrl", {{0, 0x1F}, {0x7F, 0x7F}}},
            {"digit", {{'0', '9'}}},
            {"graph", {{'!', '~'}}},
            {"lower", {{'a', 'z'}}},
            {"print", {{' ', '~'}}},
            {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
            {"space", {{'\t', '\r'}, {' ', ' '}}},
            {"upper", {{'A', 'Z'}}},
            {"word", {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
            {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
        };
        for (const Entry& e : table) {
            if (e.name == name) {
                return e.ranges;
            }
        }
        return std::nullopt;
    }

    Node parse_class(const Flags& flags) {
        const size_t at = pos_;
        ++pos_;
        bool negated = false;
        if (peek() == '^' && !at_end()) {
            negated = true;
            ++pos_;
        }
        Ranges ranges;
        bool first = true;
        while (true) {
            if (at_end()) {
                refuse(Code::regex_class_unterminated, at, "this class has no closing ]");
            }
            if (peek() == ']' && !first) {
                ++pos_;
                break;
            }
            first = false;
            const size_t item_at = pos_;
            ClassItem lo = parse_class_item();
            if (lo.is_set) {
                ranges.insert(ranges.end(), lo.ranges.begin(), lo.ranges.end());
                continue;
            }
            uint32_t hi = lo.code_point;
            if (peek() == '-' && peek(1) != ']' && pos_ + 1 < s_.size()) {
                ++pos_;
                ClassItem last = parse_class_item();
                if (last.is_set) {
                    refuse(Code::regex_class_range_invalid, item_at,
                           "a class range cannot end in a class");
                }
                hi = last.code_point;
                if (hi < lo.code_point) {
                    refuse(Code::regex_class_range_invalid, item_at,
                           fmt::format("the range U+{:04X}-U+{:04X} ends before it starts",
                                       lo.code_point, hi));
                }
            }
            if (flags.fold && hi >= 0x80) {
                refuse(Code::regex_fold_non_ascii, item_at,
                       "a non-ASCII class member in a case-insensitive pattern: ringward folds "
                       "ASCII only");
            }
            ranges.push_back({lo.code_point, hi});
        }
        ranges = canonical(std::move(ranges));
        if (flags.fold) {
            ranges = fold_ascii(ranges);
        }
        if (negated) {
            ranges = complement(ranges);
        }
        return class_node(at, std::move(ranges));
    }

    std::string_view s_;
    const RegexLimits& limits_;
    Flags top_flags_;
    size_t pos_ = 0;
    uint32_t depth_ = 0;
};

struct Instruction {
    RegexOp op;
    uint8_t kind = 0;
    uint16_t a = 0;
    uint32_t x = 0;
};

class Emitter {
  public:
    explicit Emitter(const RegexLimits& limits) : limits_(limits) {}

    std::vector<uint8_t> program(const Node& root) {
        emit(root, 1);
        add(root, {RegexOp::match});
        std::vector<uint8_t> out(core::regex_header_size +
                                 code_.size() * core::regex_instruction_size +
                                 ranges_.size() * core::regex_range_size);
        uint8_t* p = out.data();
        core::store_u32(p, core::regex_magic);
        core::store_u16(p + 4, core::regex_version);
        core::store_u16(p + 6, 0);
        core::store_u32(p + 8, static_cast<uint32_t>(code_.size()));
        core::store_u32(p + 12, static_cast<uint32_t>(ranges_.size()));
        p += core::regex_header_size;
        for (const Instruction& in : code_) {
            p[0] = static_cast<uint8_t>(in.op);
            p[1] = in.kind;
            core::store_u16(p + 2, in.a);
            core::store_u32(p + 4, in.x);
            p += core::regex_instruction_size;
        }
        for (const Range& r : ranges_) {
            core::store_u32(p, r.first);
            core::store_u32(p + 4, r.last);
            p += core::regex_range_size;
        }
        return out;
    }

  private:
    uint32_t here() const { return static_cast<uint32_t>(code_.size()); }

    uint32_t add(const Node& node, Instruction in) {
        if (code_.size() >= limits_.max_regex_instructions_incl) {
            refuse(Code::regex_program_too_large, node.offset,
                   fmt::format("the regex compiles to more than max_regex_instructions_incl ({}) "
                               "instructions",
                               limits_.max_regex_instructions_incl));
        }
        code_.push_back(in);
        return here() - 1;
    }

    void set_split(uint32_t at, uint32_t x, uint32_t a) {
        code_[at].x = x;
        code_[at].a = static_cast<uint16_t>(a);  // fits: the limit is below 2^16
    }

    // `product`: the product of the counts of the repetitions around node,
    // which RE2 caps as max_regex_repeat_incl caps one count.
    void emit(const Node& node, uint64_t product) {
        switch (node.kind) {
            case Node::Kind::empty:
                return;
            case Node::Kind::literal:
                add(node, {RegexOp::chr, 0, 0, node.code_point});
                return;
            case Node::Kind::cls:
                if (ranges_.size() + node.ranges.size() > limits_.max_regex_ranges_incl) {
                    refuse(
                        Code::regex_ranges_too_many, node.offset,
                        fmt::format("the regex's classes hold more than max_regex_ranges_incl ({}) "
                                    "ranges",
                                    limits_.max_regex_ranges_incl));
                }
                add(node, {RegexOp::cls, 0, static_cast<uint16_t>(node.ranges.size()),
                           static_cast<uint32_t>(ranges_.size())});
                ranges_.insert(ranges_.end(), node.ranges.begin(), node.ranges.end());
                return;
            case Node::Kind::assertion:
                add(node, {RegexOp::assertion, static_cast<uint8_t>(node.assertion), 0, 0});
                return;
            case Node::Kind::concat:
                for (const Node& child : node.children) {
                    emit(child, product);
                }
                return;
            case Node::Kind::alternation: {
                // split L1, next; L1: e1; jmp end; next: split L2, next2; ...; en
                std::vector<uint32_t> jumps;
                for (size_t i = 0; i + 1 < node.children.size(); ++i) {
                    const uint32_t split = add(node, {RegexOp::split});
                    emit(node.children[i], product);
                    jumps.push_back(add(node, {RegexOp::jmp}));
                    set_split(split, split + 1, here());
                }
                emit(node.children.back(), product);
                for (uint32_t j : jumps) {
                    code_[j].x = here();
                }
                return;
            }
            case Node::Kind::repeat:
                emit_repeat(node, product);
                return;
        }
    }

    void emit_repeat(const Node& node, uint64_t product) {
        const Node& body = node.children[0];
        const bool counted = !(node.min <= 1 && (node.unbounded || node.max == 1));
        if (counted) {
            const uint32_t factor = node.unbounded ? node.min : node.max;
            if (factor > 0) {
                product *= factor;
            }
            if (product > limits_.max_regex_repeat_incl) {
                refuse(Code::regex_repeat_too_large, node.offset,
                       fmt::format("nested repetition counts multiply to {}, above "
                                   "max_regex_repeat_incl ({})",
                                   product, limits_.max_regex_repeat_incl));
            }
        }
        if (node.unbounded) {
            if (node.min == 0) {  // L: split body, end; body; jmp L
                const uint32_t loop = add(node, {RegexOp::split});
                emit(body, product);
                add(node, {RegexOp::jmp, 0, 0, loop});
                set_split(loop, loop + 1, here());
                return;
            }
            for (uint32_t i = 0; i + 1 < node.min; ++i) {
                emit(body, product);
            }
            const uint32_t loop = here();  // L: body; split L, next
            emit(body, product);
            const uint32_t split = add(node, {RegexOp::split});
            set_split(split, loop, here());
            return;
        }
        for (uint32_t i = 0; i < node.min; ++i) {
            emit(body, product);
        }
        for (uint32_t i = node.min; i < node.max; ++i) {  // split body, next; body
            const uint32_t split = add(node, {RegexOp::split});
            emit(body, product);
            set_split(split, split + 1, here());
        }
    }

    const RegexLimits& limits_;
    std::vector<Instruction> code_;
    Ranges ranges_;
};

}  // namespace

RegexCompileResult compile_regex(std::string_view pattern, const RegexOptions& options) {
    RegexCompileResult result;
    const RegexLimits& limits = options.limits;
    if (limits.max_regex_instructions_incl > core::max_regex_instructions_incl ||
        limits.max_regex_ranges_incl > core::max_regex_ranges_incl) {
        core::contract_violation();  // beyond what the verifier accepts
    }
    if (pattern.size() > limits.max_regex_length_incl) {
        result.error = RegexError{Code::regex_too_long, limits.max_regex_length_incl,
                                  fmt::format("the regex is {} bytes long; the limit is {}",
                                              pattern.size(), limits.max_regex_length_incl)};
        return result;
    }
    const size_t bad = first_ill_formed(pattern);
    if (bad != std::string_view::npos) {
        result.error = RegexError{Code::regex_pattern_not_utf8, static_cast<uint32_t>(bad),
                                  "the pattern is not well-formed UTF-8"};
        return result;
    }
    try {
        Parser parser(pattern, options);
        const Node root = parser.parse();
        Emitter emitter(limits);
        result.program = emitter.program(root);
    } catch (const Refusal& refusal) {
        result.error = refusal.error;
        result.program.clear();
    }
    return result;
}

std::optional<core::RegexMatch> run_regex(std::span<const uint8_t> program,
                                          std::string_view input) {
    const core::RegexVerifyResult verified = core::verify_regex(program.data(), program.size());
    if (verified.error != core::RegexVerifyError::ok) {
        return std::nullopt;
    }
    std::vector<uint32_t> scratch((verified.program.scratch_size + 3) / 4);
    return core::match_regex(verified.program, reinterpret_cast<const uint8_t*>(input.data()),
                             input.size(), scratch.data(), scratch.size() * 4);
}

}  // namespace ringward
