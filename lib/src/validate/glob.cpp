#include "validate/glob.hpp"

namespace ringward::validate {

std::optional<GlobError> check_glob(std::string_view p) noexcept {
    size_t i = 0;
    while (i < p.size()) {
        const char c = p[i];
        if (c == '\\') {
            if (i + 1 == p.size()) {
                return GlobError{i, "a trailing backslash escapes nothing"};
            }
            i += 2;
            continue;
        }
        if (c != '[') {
            ++i;
            continue;
        }
        const size_t open = i;
        size_t j = i + 1;
        if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
            ++j;
        }
        if (j < p.size() && p[j] == ']') {
            ++j;  // a ']' first is a member, not the end
        }
        bool closed = false;
        while (j < p.size()) {
            if (p[j] == ']') {
                closed = true;
                break;
            }
            unsigned char low = static_cast<unsigned char>(p[j]);
            if (p[j] == '\\') {
                if (j + 1 == p.size()) {
                    return GlobError{j, "a trailing backslash escapes nothing"};
                }
                low = static_cast<unsigned char>(p[j + 1]);
                ++j;
            }
            ++j;
            if (j + 1 < p.size() && p[j] == '-' && p[j + 1] != ']') {
                size_t k = j + 1;
                unsigned char high = static_cast<unsigned char>(p[k]);
                if (p[k] == '\\') {
                    if (k + 1 == p.size()) {
                        return GlobError{k, "a trailing backslash escapes nothing"};
                    }
                    high = static_cast<unsigned char>(p[k + 1]);
                    ++k;
                }
                if (low > high) {
                    return GlobError{j - 1, "a class range runs backwards"};
                }
                j = k + 1;
            }
        }
        if (!closed) {
            return GlobError{open, "a '[' class is not closed by ']'"};
        }
        i = j + 1;
    }
    return std::nullopt;
}

std::optional<size_t> needless_escape(std::string_view p) noexcept {
    constexpr std::string_view kSpecial = "*?[]\\!^-";
    for (size_t i = 0; i + 1 < p.size(); ++i) {
        if (p[i] != '\\') {
            continue;
        }
        if (kSpecial.find(p[i + 1]) == std::string_view::npos) {
            return i;
        }
        ++i;  // the escaped character is consumed
    }
    return std::nullopt;
}

}  // namespace ringward::validate
