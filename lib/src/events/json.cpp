// The events files' JSON reader (json.hpp).
#include "events/json.hpp"

#include <fmt/format.h>

#include <map>

#include "events/lines.hpp"
#include "ringward/json_writer.hpp"
#include "util/json_string.hpp"

namespace ringward::events::detail {

uint32_t JsonDocument::member(uint32_t object, std::string_view key) const {
    for (uint32_t child = nodes[object].first_child; child != kNoNode;
         child = nodes[child].next_sibling) {
        if (nodes[child].key == key) {
            return child;
        }
    }
    return kNoNode;
}

namespace {

constexpr const char* kJsonHelp = "write RFC 8259 JSON, as any JSON library writes it";

struct Frame {
    uint32_t node = 0;
    uint32_t last_child = kNoNode;
    // Object keys given so far, and where.
    std::map<std::string, size_t, std::less<>> keys;
    // The pending member's key (objects), between key and value.
    std::string key;
    size_t key_offset = 0;
    // Where the last comma was, for a trailing comma's error.
    size_t comma = 0;
};

class Parser {
  public:
    Parser(std::string_view text, const std::string& file, int max_depth_incl)
        : text_(text), file_(file), lines_(text), max_depth_incl_(max_depth_incl) {}

    Result<JsonDocument> run();

  private:
    enum class Want { value, value_or_close, key_or_close, key, colon, after_value };

    bool fail(size_t offset, std::string message, Code code = Code::events_json_malformed,
              std::string help = kJsonHelp);
    bool string(size_t* i, std::string* out);
    bool scalar(size_t* i, JsonNode* node);
    // Adds a value node under the innermost container (or as a root).
    uint32_t add(JsonNode node);
    bool open(bool object, size_t at);
    bool key(size_t* i);

    std::string_view text_;
    const std::string& file_;
    LineIndex lines_;
    int max_depth_incl_;
    JsonDocument document_;
    std::vector<Frame> stack_;
    std::vector<Diagnostic> diagnostics_;
};

bool Parser::fail(size_t offset, std::string message, Code code, std::string help) {
    diagnostics_.push_back(
        make_diagnostic(code, std::move(message), lines_.location(file_, offset), std::move(help)));
    return false;
}

// A string from its opening quote at *i; on success *i is past its closing
// quote and `out` holds it decoded.
bool Parser::string(size_t* i, std::string* out) {
    if (const auto error = util::decode_json_string(text_, i, out)) {
        return fail(error->offset, error->message);
    }
    return true;
}

// true, false, null or a number, from *i.
bool Parser::scalar(size_t* i, JsonNode* node) {
    const size_t start = *i;
    const size_t end = util::json_word_end(text_, start);
    const std::string_view word = text_.substr(start, end - start);
    *i = end;
    if (word == "true" || word == "false") {
        node->type = JsonNode::Type::boolean;
        node->text = std::string(word);
        return true;
    }
    if (word == "null") {
        node->type = JsonNode::Type::null;
        return true;
    }
    if (util::is_json_number(word)) {
        node->type = JsonNode::Type::number;
        node->text = std::string(word);
        return true;
    }
    if (word.empty()) {
        const auto c = static_cast<unsigned char>(text_[start]);
        return fail(start, c >= 0x20 && c < 0x7f
                               ? fmt::format("unexpected character '{}'", text_[start])
                               : fmt::format("unexpected byte 0x{:02x}", c));
    }
    return fail(start, fmt::format("{} is not a JSON number, string, true, false or null", word));
}

uint32_t Parser::add(JsonNode node) {
    const auto index = static_cast<uint32_t>(document_.nodes.size());
    if (stack_.empty()) {
        document_.roots.push_back(index);
    } else {
        Frame& frame = stack_.back();
        JsonNode& parent = document_.nodes[frame.node];
        if (parent.type == JsonNode::Type::object) {
            node.key = std::move(frame.key);
            node.key_offset = frame.key_offset;
        }
        if (frame.last_child == kNoNode) {
            parent.first_child = index;
        } else {
            document_.nodes[frame.last_child].next_sibling = index;
        }
        ++parent.child_count;
        frame.last_child = index;
    }
    document_.nodes.push_back(std::move(node));
    return index;
}

bool Parser::open(bool object, size_t at) {
    if (stack_.size() >= static_cast<size_t>(max_depth_incl_)) {
        return fail(at, fmt::format("JSON nests deeper than {} levels", max_depth_incl_),
                    Code::events_json_malformed, "an exported event nests a few levels deep");
    }
    JsonNode node;
    node.type = object ? JsonNode::Type::object : JsonNode::Type::array;
    node.offset = at;
    Frame frame;
    frame.node = add(std::move(node));
    stack_.push_back(std::move(frame));
    return true;
}

// A key from its opening quote at *i, recorded in the innermost object.
bool Parser::key(size_t* i) {
    const size_t at = *i;
    std::string name;
    if (!string(i, &name)) {
        return false;
    }
    Frame& frame = stack_.back();
    const auto [it, fresh] = frame.keys.emplace(name, at);
    if (!fresh) {
        const Location first = lines_.location(file_, it->second);
        return fail(at,
                    fmt::format("the key \"{}\" appears twice in this object (first at {}:{}): "
                                "ringward reads each key once",
                                name, first.line, first.column),
                    Code::events_key_duplicate,
                    "give each key once: two parsers would read the event two ways");
    }
    frame.key = std::move(name);
    frame.key_offset = at;
    return true;
}

Result<JsonDocument> Parser::run() {
    const size_t bad = util::utf8_error_offset(text_);
    if (bad != text_.size()) {
        fail(bad, "the events file is not UTF-8 (RFC 8259 JSON is)", Code::events_json_malformed,
             "export the events as UTF-8");
        return Result<JsonDocument>::failure(std::move(diagnostics_));
    }
    Want want = Want::value;
    size_t i = 0;
    while (true) {
        while (i < text_.size() &&
               (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) {
            ++i;
        }
        if (i == text_.size()) {
            if (!stack_.empty() || want == Want::colon) {
                fail(i, "the JSON ends before it is complete");
                return Result<JsonDocument>::failure(std::move(diagnostics_));
            }
            return Result<JsonDocument>::success(std::move(document_));
        }
        const char c = text_[i];
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
                    stack_.pop_back();
                    ++i;
                    want = Want::after_value;
                } else if (c == ']' && !stack_.empty() &&
                           document_.nodes[stack_.back().node].type == JsonNode::Type::array) {
                    ok = fail(stack_.back().comma, "a trailing comma is not JSON");
                } else if (c == '"') {
                    JsonNode node;
                    node.type = JsonNode::Type::string;
                    node.offset = i;
                    ok = string(&i, &node.text);
                    if (ok) {
                        add(std::move(node));
                    }
                    want = Want::after_value;
                } else if (c == '\'') {
                    ok = fail(i, "single-quoted strings are not JSON");
                } else {
                    JsonNode node;
                    node.offset = i;
                    ok = scalar(&i, &node);
                    if (ok) {
                        add(std::move(node));
                    }
                    want = Want::after_value;
                }
                break;
            case Want::key_or_close:
            case Want::key:
                if (c == '"') {
                    ok = key(&i);
                    want = Want::colon;
                } else if (c == '}' && want == Want::key_or_close) {
                    stack_.pop_back();
                    ++i;
                    want = Want::after_value;
                } else if (c == '}') {
                    ok = fail(stack_.back().comma, "a trailing comma is not JSON");
                } else if (c == '\'') {
                    ok = fail(i, "single-quoted strings are not JSON");
                } else if (util::json_word_char(c)) {
                    ok = fail(i, "an object key must be a double-quoted string");
                } else {
                    ok = fail(i, "a key (a double-quoted string) belongs here");
                }
                break;
            case Want::colon:
                if (c == ':') {
                    ++i;
                    want = Want::value;
                } else {
                    ok = fail(i, "a ':' belongs after an object key");
                }
                break;
            case Want::after_value:
                if (stack_.empty()) {
                    // The next of several values back to back.
                    want = Want::value;
                    continue;
                }
                {
                    Frame& frame = stack_.back();
                    const bool object = document_.nodes[frame.node].type == JsonNode::Type::object;
                    if (c == ',') {
                        frame.comma = i;
                        ++i;
                        want = object ? Want::key : Want::value;
                    } else if (c == (object ? '}' : ']')) {
                        stack_.pop_back();
                        ++i;
                    } else {
                        ok = fail(i, fmt::format("a ',' or '{}' belongs here", object ? '}' : ']'));
                    }
                }
                break;
        }
        if (!ok) {
            return Result<JsonDocument>::failure(std::move(diagnostics_));
        }
    }
}

}  // namespace

Result<JsonDocument> parse_json_values(std::string_view text, const std::string& file,
                                       int max_depth_incl) {
    Parser parser(text, file, max_depth_incl);
    return parser.run();
}

}  // namespace ringward::events::detail
