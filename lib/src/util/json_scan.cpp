#include "util/json_scan.hpp"

#include <fmt/format.h>

#include <vector>

#include "util/json_string.hpp"

namespace ringward::util {
namespace {

using Kind = JsonScanError::Kind;

// "unexpected character 'x'", or the byte in hex when printing it would not
// show it (a control character, a byte of a multi-byte character).
std::string unexpected(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7f ? fmt::format("unexpected character '{}'", c)
                                       : fmt::format("unexpected byte 0x{:02x}", byte);
}

class Scanner {
  public:
    Scanner(std::string_view text, JsonVisitor& visitor, const JsonScanOptions& options)
        : text_(text), visitor_(visitor), options_(options) {}

    std::optional<JsonScanError> run();

  private:
    // What may come next. value_or_close and key_or_close are right after
    // an opening bracket, where the container may close at once; value and
    // key follow a ',' (and value a ':' or the start), where it may not.
    enum class Want { value, value_or_close, key_or_close, key, colon, after_value };

    struct Frame {
        bool object = false;
        // Where the last ',' was, for a trailing comma's error.
        size_t comma = 0;
    };

    // Every error goes through here (a place to break on).
    bool fail(Kind kind, size_t offset, std::string message);
    bool stop(size_t offset) { return fail(Kind::stopped, offset, {}); }
    bool open(bool object, size_t at);
    bool close(size_t at);
    // A string from its opening quote at *i, to the visitor as a key or a
    // value; on success *i is past its closing quote.
    bool string(size_t* i, bool key);
    // true, false, null or a number, from *i.
    bool word(size_t* i);

    std::string_view text_;
    JsonVisitor& visitor_;
    const JsonScanOptions& options_;
    std::vector<Frame> stack_;
    // The string being decoded, reused so that its buffer is allocated once.
    std::string decoded_;
    std::optional<JsonScanError> error_;
};

bool Scanner::fail(Kind kind, size_t offset, std::string message) {
    error_ = JsonScanError{kind, offset, std::move(message)};
    return false;
}

bool Scanner::open(bool object, size_t at) {
    if (stack_.size() >= static_cast<size_t>(options_.max_depth_incl)) {
        return fail(Kind::too_deep, at,
                    fmt::format("JSON nests deeper than {} levels", options_.max_depth_incl));
    }
    stack_.push_back(Frame{object, 0});
    if (!(object ? visitor_.begin_object(at) : visitor_.begin_array(at))) {
        return stop(at);
    }
    return true;
}

bool Scanner::close(size_t at) {
    stack_.pop_back();
    if (!visitor_.end_container(at)) {
        return stop(at);
    }
    return true;
}

bool Scanner::string(size_t* i, bool key) {
    const size_t at = *i;
    decoded_.clear();
    if (const auto error = decode_json_string(text_, i, &decoded_)) {
        return fail(Kind::malformed, error->offset, error->message);
    }
    if (!(key ? visitor_.key(at, decoded_) : visitor_.string_value(at, decoded_))) {
        return stop(at);
    }
    return true;
}

bool Scanner::word(size_t* i) {
    const size_t start = *i;
    const size_t end = json_word_end(text_, start);
    const std::string_view text = text_.substr(start, end - start);
    *i = end;
    if (text.empty()) {
        return fail(Kind::malformed, start, unexpected(text_[start]));
    }
    if (text != "true" && text != "false" && text != "null" && !is_json_number(text)) {
        return fail(Kind::malformed, start,
                    fmt::format("{} is not a JSON number, string, true, false or null", text));
    }
    if (!visitor_.word(start, text)) {
        return stop(start);
    }
    return true;
}

std::optional<JsonScanError> Scanner::run() {
    Want want = Want::value;
    size_t i = 0;
    while (true) {
        while (i < text_.size() &&
               (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) {
            ++i;
        }
        if (i == text_.size()) {
            // Complete when no container is open and, for one document, its
            // value has been read.
            if (!stack_.empty() || (!options_.several_values && want != Want::after_value)) {
                fail(Kind::malformed, i, "the JSON ends before it is complete");
            }
            return std::move(error_);
        }
        const char c = text_[i];
        if (want == Want::after_value && stack_.empty()) {
            if (!options_.several_values) {
                fail(Kind::malformed, i, "there is more after the end of the JSON document");
                return std::move(error_);
            }
            // The next of several values back to back.
            want = Want::value;
        }
        bool ok = true;
        switch (want) {
            case Want::value:
            case Want::value_or_close:
                if (c == '{') {
                    ok = open(true, i);
                    ++i;
                    want = Want::key_or_close;
                } else if (c == '[') {
                    ok = open(false, i);
                    ++i;
                    want = Want::value_or_close;
                } else if (c == ']' && want == Want::value_or_close) {
                    ok = close(i);
                    ++i;
                    want = Want::after_value;
                } else if (c == ']' && !stack_.empty() && !stack_.back().object) {
                    ok = fail(Kind::malformed, stack_.back().comma, "a trailing comma is not JSON");
                } else if (c == '"') {
                    ok = string(&i, false);
                    want = Want::after_value;
                } else if (c == '\'') {
                    ok = fail(Kind::malformed, i, "single-quoted strings are not JSON");
                } else {
                    ok = word(&i);
                    want = Want::after_value;
                }
                break;
            case Want::key_or_close:
            case Want::key:
                if (c == '"') {
                    ok = string(&i, true);
                    want = Want::colon;
                } else if (c == '}' && want == Want::key_or_close) {
                    ok = close(i);
                    ++i;
                    want = Want::after_value;
                } else if (c == '}') {
                    ok = fail(Kind::malformed, stack_.back().comma, "a trailing comma is not JSON");
                } else if (c == '\'') {
                    ok = fail(Kind::malformed, i, "single-quoted strings are not JSON");
                } else if (json_word_char(c)) {
                    ok = fail(Kind::malformed, i, "an object key must be a double-quoted string");
                } else {
                    ok = fail(Kind::malformed, i,
                              unexpected(c) + "; a key (a double-quoted string) belongs here");
                }
                break;
            case Want::colon:
                if (c == ':') {
                    ++i;
                    want = Want::value;
                } else {
                    ok = fail(Kind::malformed, i, "a ':' belongs after an object key");
                }
                break;
            case Want::after_value: {
                Frame& frame = stack_.back();
                const char closing = frame.object ? '}' : ']';
                if (c == ',') {
                    frame.comma = i;
                    ++i;
                    want = frame.object ? Want::key : Want::value;
                } else if (c == closing) {
                    ok = close(i);
                    ++i;
                } else {
                    ok =
                        fail(Kind::malformed, i,
                             fmt::format("{}; a ',' or '{}' belongs here", unexpected(c), closing));
                }
                break;
            }
        }
        if (!ok) {
            return std::move(error_);
        }
    }
}

}  // namespace

std::optional<JsonScanError> scan_json(std::string_view text, JsonVisitor& visitor,
                                       const JsonScanOptions& options) {
    return Scanner(text, visitor, options).run();
}

}  // namespace ringward::util
