#include "sigma/values.hpp"

#include <array>

namespace ringward::sigma {
namespace {

void append_text(Pattern& pattern, std::string_view text) {
    if (text.empty()) {
        return;
    }
    if (!pattern.empty() && pattern.back().kind == Piece::Kind::text) {
        pattern.back().text.append(text);
    } else {
        pattern.push_back(Piece{Piece::Kind::text, std::string(text)});
    }
}

void append_piece(Pattern& pattern, const Piece& piece) {
    if (piece.kind == Piece::Kind::text) {
        append_text(pattern, piece.text);
    } else if (piece.kind == Piece::Kind::star && !pattern.empty() &&
               pattern.back().kind == Piece::Kind::star) {
        // `**` is `*`.
    } else {
        pattern.push_back(piece);
    }
}

// Decodes one UTF-8 sequence at `i`; false when malformed.
bool decode_utf8(std::string_view text, size_t& i, uint32_t& code) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    size_t length = 0;
    if (lead < 0x80) {
        code = lead;
        length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
        code = lead & 0x1Fu;
        length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
        code = lead & 0x0Fu;
        length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
        code = lead & 0x07u;
        length = 4;
    } else {
        return false;
    }
    if (length > text.size() - i) {
        return false;
    }
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return false;
        }
        code = (code << 6) | (byte(i + k) & 0x3Fu);
    }
    static constexpr std::array<uint32_t, 5> kMinimum = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return false;
    }
    i += length;
    return true;
}

bool is_word_byte(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

Pattern parse_sigma_string(std::string_view text) {
    Pattern pattern;
    std::string literal;
    const auto flush = [&] {
        append_text(pattern, literal);
        literal.clear();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size() &&
            (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\')) {
            literal.push_back(text[i + 1]);
            ++i;
        } else if (c == '*' || c == '?') {
            flush();
            append_piece(pattern, Piece{c == '*' ? Piece::Kind::star : Piece::Kind::one, {}});
        } else {
            literal.push_back(c);
        }
    }
    flush();
    return pattern;
}

Pattern literal_pattern(std::string_view text) {
    Pattern pattern;
    append_text(pattern, text);
    return pattern;
}

bool has_wildcard(const Pattern& pattern) noexcept {
    for (const Piece& piece : pattern) {
        if (piece.kind != Piece::Kind::text) {
            return true;
        }
    }
    return false;
}

std::string pattern_text(const Pattern& pattern) {
    std::string text;
    for (const Piece& piece : pattern) {
        text += piece.text;
    }
    return text;
}

Pattern with_stars(Pattern pattern, bool before, bool after) {
    Pattern out;
    if (before) {
        append_piece(out, Piece{Piece::Kind::star, {}});
    }
    for (const Piece& piece : pattern) {
        append_piece(out, piece);
    }
    if (after) {
        append_piece(out, Piece{Piece::Kind::star, {}});
    }
    return out;
}

Match classify(const Pattern& pattern) {
    if (pattern.empty()) {
        return Match{MatchOp::eq, {}};
    }
    if (pattern.size() == 1 && pattern[0].kind == Piece::Kind::star) {
        return Match{MatchOp::exists, {}};
    }
    const bool lead = pattern.front().kind == Piece::Kind::star;
    const bool trail = pattern.back().kind == Piece::Kind::star;
    const size_t begin = lead ? 1 : 0;
    const size_t end = pattern.size() - (trail ? 1 : 0);
    if (end - begin == 1 && pattern[begin].kind == Piece::Kind::text) {
        const std::string& text = pattern[begin].text;
        if (lead && trail) {
            return Match{MatchOp::contains, text};
        }
        if (lead) {
            return Match{MatchOp::suffix, text};
        }
        if (trail) {
            return Match{MatchOp::prefix, text};
        }
        return Match{MatchOp::eq, text};
    }
    return Match{MatchOp::glob, to_glob(pattern)};
}

std::string to_glob(const Pattern& pattern) {
    std::string glob;
    for (const Piece& piece : pattern) {
        switch (piece.kind) {
            case Piece::Kind::star:
                glob.push_back('*');
                break;
            case Piece::Kind::one:
                glob.push_back('?');
                break;
            case Piece::Kind::text:
                for (const char c : piece.text) {
                    if (c == '*' || c == '?' || c == '[' || c == '\\') {
                        glob.push_back('\\');
                    }
                    glob.push_back(c);
                }
                break;
        }
    }
    return glob;
}

std::optional<std::string> encode_utf16(std::string_view text, Utf16 form) {
    std::string out;
    const auto unit = [&](uint32_t u) {
        const auto low = static_cast<char>(u & 0xFFu);
        const auto high = static_cast<char>((u >> 8) & 0xFFu);
        if (form == Utf16::be) {
            out.push_back(high);
            out.push_back(low);
        } else {
            out.push_back(low);
            out.push_back(high);
        }
    };
    if (form == Utf16::le_bom) {
        unit(0xFEFF);
    }
    size_t i = 0;
    while (i < text.size()) {
        uint32_t code = 0;
        if (!decode_utf8(text, i, code)) {
            return std::nullopt;
        }
        if (code >= 0x10000) {
            code -= 0x10000;
            unit(0xD800 + (code >> 10));
            unit(0xDC00 + (code & 0x3FFu));
        } else {
            unit(code);
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    const auto at = [&](size_t k) {
        return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; bytes.size() - i >= 3; i += 3) {
        const uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        for (int shift = 18; shift >= 0; shift -= 6) {
            out.push_back(kAlphabet[(n >> shift) & 0x3Fu]);
        }
    }
    if (bytes.size() - i == 1) {
        const uint32_t n = at(i) << 16;
        out.push_back(kAlphabet[(n >> 18) & 0x3Fu]);
        out.push_back(kAlphabet[(n >> 12) & 0x3Fu]);
        out.append("==");
    } else if (bytes.size() - i == 2) {
        const uint32_t n = (at(i) << 16) | (at(i + 1) << 8);
        out.push_back(kAlphabet[(n >> 18) & 0x3Fu]);
        out.push_back(kAlphabet[(n >> 12) & 0x3Fu]);
        out.push_back(kAlphabet[(n >> 6) & 0x3Fu]);
        out.push_back('=');
    }
    return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
    // Sigma's definition: encode the value after i filler bytes (i = 0, 1,
    // 2), drop the leading characters the filler produced (0, 2, 3) and the
    // trailing ones that depend on the bytes after the value (none, 3 or 2,
    // by (length + i) mod 3).
    static constexpr std::array<size_t, 3> kStart = {0, 2, 3};
    static constexpr std::array<size_t, 3> kEnd = {0, 3, 2};
    std::vector<std::string> out;
    for (size_t i = 0; i < 3; ++i) {
        const std::string encoded = base64(std::string(i, ' ') + std::string(bytes));
        const size_t drop_end = kEnd[(bytes.size() + i) % 3];
        const size_t start = kStart[i];
        const size_t stop = encoded.size() >= drop_end ? encoded.size() - drop_end : 0;
        out.push_back(start < stop ? encoded.substr(start, stop - start) : std::string());
    }
    return out;
}

std::optional<std::vector<Pattern>> windash_variants(const Pattern& pattern,
                                                     size_t max_variants_incl, bool* too_many) {
    static constexpr std::array<std::string_view, 5> kDashes = {"-", "/", "\u2013", "\u2014",
                                                                "\u2015"};
    // The pattern split at each candidate dash: segments[k] is what comes
    // between candidates k-1 and k.
    std::vector<Pattern> segments(1);
    for (const Piece& piece : pattern) {
        if (piece.kind != Piece::Kind::text) {
            append_piece(segments.back(), piece);
            continue;
        }
        const std::string& s = piece.text;
        size_t from = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '-' && s[i] != '/') {
                continue;
            }
            const auto before =
                i == 0 ? std::optional<unsigned char>() : static_cast<unsigned char>(s[i - 1]);
            const auto after = i + 1 == s.size() ? std::optional<unsigned char>()
                                                 : static_cast<unsigned char>(s[i + 1]);
            if ((before && *before >= 0x80) || (after && *after >= 0x80)) {
                return std::nullopt;
            }
            const bool word_before = before && is_word_byte(*before);
            const bool word_after = after && is_word_byte(*after);
            // \B before (the dash is not a word character, so no boundary
            // means no word character before) and \b after.
            if (word_before || !word_after) {
                continue;
            }
            append_text(segments.back(), std::string_view(s).substr(from, i - from));
            segments.emplace_back();
            from = i + 1;
        }
        append_text(segments.back(), std::string_view(s).substr(from));
    }
    const size_t candidates = segments.size() - 1;
    size_t count = 1;
    for (size_t k = 0; k < candidates; ++k) {
        if (count > max_variants_incl / kDashes.size()) {
            *too_many = true;
            return std::nullopt;
        }
        count *= kDashes.size();
    }
    std::vector<Pattern> variants;
    variants.reserve(count);
    for (size_t n = 0; n < count; ++n) {
        Pattern variant;
        size_t digits = n;
        for (size_t k = 0; k < segments.size(); ++k) {
            for (const Piece& piece : segments[k]) {
                append_piece(variant, piece);
            }
            if (k < candidates) {
                append_text(variant, kDashes[digits % kDashes.size()]);
                digits /= kDashes.size();
            }
        }
        variants.push_back(std::move(variant));
    }
    return variants;
}

bool fold_is_exact(std::string_view text) noexcept {
    size_t i = 0;
    while (i < text.size()) {
        uint32_t code = 0;
        if (!decode_utf8(text, i, code)) {
            return false;
        }
        // Blocks without cased letters: Latin-1 punctuation and signs,
        // general punctuation through the symbol blocks, CJK, private use,
        // variation selectors, emoji and pictographs, emoji tags.
        const bool caseless =
            code < 0x80 || (code >= 0xA0 && code <= 0xBF) || code == 0xD7 || code == 0xF7 ||
            (code >= 0x2000 && code <= 0x2BFF) || (code >= 0x3000 && code <= 0x9FFF) ||
            (code >= 0xE000 && code <= 0xF8FF) || (code >= 0xFE00 && code <= 0xFE0F) ||
            (code >= 0x1F000 && code <= 0x1FAFF) || (code >= 0xE0000 && code <= 0xE007F);
        // U+2100-U+214F (letterlike symbols) and U+2160-U+2188 (Roman
        // numerals) and U+24B6-U+24E9 (circled letters) have case.
        const bool cased_symbol =
            (code >= 0x2100 && code <= 0x218F) || (code >= 0x24B6 && code <= 0x24E9);
        if (!caseless || cased_symbol) {
            return false;
        }
    }
    return true;
}

std::string fold(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

}  // namespace ringward::sigma
