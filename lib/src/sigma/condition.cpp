#include "sigma/condition.hpp"

#include <fmt/format.h>

namespace ringward::sigma {
namespace {

struct Token {
    std::string text;
    size_t offset = 0;
};

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '*' || c == '-' || c == '.';
}

// `*` matches any run; nothing else is special in an identifier pattern.
bool name_matches(std::string_view pattern, std::string_view name) noexcept {
    size_t p = 0;
    size_t n = 0;
    size_t star = std::string_view::npos;
    size_t resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

class Parser {
  public:
    Parser(std::vector<Token> tokens, const std::vector<std::string>& identifiers,
           size_t end_offset, ConditionError& error)
        : tokens_(std::move(tokens)), identifiers_(identifiers), end_(end_offset), error_(error) {}

    std::optional<Expr> parse() {
        auto expr = disjunction(0);
        if (expr && pos_ < tokens_.size()) {
            fail(tokens_[pos_].offset, fmt::format("unexpected '{}'", tokens_[pos_].text));
            return std::nullopt;
        }
        return expr;
    }

  private:
    const Token* peek() const { return pos_ < tokens_.size() ? &tokens_[pos_] : nullptr; }
    bool next_is(std::string_view text) const { return peek() && peek()->text == text; }
    size_t here() const { return peek() ? peek()->offset : end_; }

    void fail(size_t offset, std::string message) {
        if (!failed_) {
            error_.offset = offset;
            error_.message = std::move(message);
            failed_ = true;
        }
    }

    std::optional<Expr> disjunction(size_t depth) {
        auto first = conjunction(depth);
        if (!first) {
            return std::nullopt;
        }
        if (!next_is("or")) {
            return first;
        }
        Expr any{Expr::Kind::any, 0, {}};
        any.children.push_back(std::move(*first));
        while (next_is("or")) {
            ++pos_;
            auto more = conjunction(depth);
            if (!more) {
                return std::nullopt;
            }
            any.children.push_back(std::move(*more));
        }
        return any;
    }

    std::optional<Expr> conjunction(size_t depth) {
        auto first = unary(depth);
        if (!first) {
            return std::nullopt;
        }
        if (!next_is("and")) {
            return first;
        }
        Expr all{Expr::Kind::all, 0, {}};
        all.children.push_back(std::move(*first));
        while (next_is("and")) {
            ++pos_;
            auto more = unary(depth);
            if (!more) {
                return std::nullopt;
            }
            all.children.push_back(std::move(*more));
        }
        return all;
    }

    std::optional<Expr> unary(size_t depth) {
        if (depth >= kMaxConditionDepthIncl) {
            fail(here(), fmt::format("the condition nests deeper than {}", kMaxConditionDepthIncl));
            return std::nullopt;
        }
        if (next_is("not")) {
            ++pos_;
            auto operand = unary(depth + 1);
            if (!operand) {
                return std::nullopt;
            }
            Expr negation{Expr::Kind::negation, 0, {}};
            negation.children.push_back(std::move(*operand));
            return negation;
        }
        if (next_is("(")) {
            const size_t open = here();
            ++pos_;
            auto inner = disjunction(depth + 1);
            if (!inner) {
                return std::nullopt;
            }
            if (!next_is(")")) {
                fail(open, "'(' is not closed");
                return std::nullopt;
            }
            ++pos_;
            return inner;
        }
        if (next_is("1") || next_is("all")) {
            const bool every = peek()->text == "all";
            const size_t start = here();
            ++pos_;
            if (!next_is("of")) {
                fail(here(), fmt::format("'{}' must be followed by 'of'", every ? "all" : "1"));
                return std::nullopt;
            }
            ++pos_;
            const Token* target = peek();
            if (target == nullptr || !is_name_char(target->text[0])) {
                fail(here(), "'of' must be followed by a name pattern or 'them'");
                return std::nullopt;
            }
            ++pos_;
            Expr group{every ? Expr::Kind::all : Expr::Kind::any, 0, {}};
            for (uint32_t i = 0; i < identifiers_.size(); ++i) {
                const bool match = target->text == "them"
                                       ? identifiers_[i].rfind('_', 0) != 0
                                       : name_matches(target->text, identifiers_[i]);
                if (match) {
                    group.children.push_back(Expr{Expr::Kind::leaf, i, {}});
                }
            }
            if (group.children.empty()) {
                fail(start, fmt::format("'{}' names no search identifier", target->text));
                return std::nullopt;
            }
            return group;
        }
        const Token* token = peek();
        if (token == nullptr) {
            fail(end_, "the condition ends where an identifier belongs");
            return std::nullopt;
        }
        if (!is_name_char(token->text[0]) || token->text == "and" || token->text == "or" ||
            token->text == "of" || token->text == "them") {
            fail(token->offset, fmt::format("unexpected '{}'", token->text));
            return std::nullopt;
        }
        for (uint32_t i = 0; i < identifiers_.size(); ++i) {
            if (identifiers_[i] == token->text) {
                ++pos_;
                return Expr{Expr::Kind::leaf, i, {}};
            }
        }
        fail(token->offset,
             fmt::format("'{}' is not a search identifier of the detection", token->text));
        return std::nullopt;
    }

    std::vector<Token> tokens_;
    const std::vector<std::string>& identifiers_;
    size_t end_;
    ConditionError& error_;
    size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace

std::optional<Expr> parse_condition(std::string_view condition,
                                    const std::vector<std::string>& identifiers,
                                    ConditionError& error) {
    std::vector<Token> tokens;
    size_t i = 0;
    while (i < condition.size()) {
        const char c = condition[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else if (c == '(' || c == ')') {
            tokens.push_back(Token{std::string(1, c), i});
            ++i;
        } else if (c == '|') {
            error.offset = i;
            error.message = "the condition aggregates ('|'), which one event cannot decide";
            error.aggregation = true;
            return std::nullopt;
        } else if (is_name_char(c)) {
            const size_t start = i;
            while (i < condition.size() && is_name_char(condition[i])) {
                ++i;
            }
            tokens.push_back(Token{std::string(condition.substr(start, i - start)), start});
        } else {
            error.offset = i;
            error.message = fmt::format("unexpected character '{}'", c);
            return std::nullopt;
        }
    }
    if (tokens.empty()) {
        error.offset = 0;
        error.message = "the condition is empty";
        return std::nullopt;
    }
    Parser parser(std::move(tokens), identifiers, condition.size(), error);
    return parser.parse();
}

}  // namespace ringward::sigma
