// The events files' JSON reader (json.hpp).
#include "events/json.hpp"

#include <fmt/format.h>

#include <map>

#include "events/lines.hpp"
#include "ringward/json_writer.hpp"
#include "util/json_scan.hpp"

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
};

// Builds the document from what the scanner sees, and refuses a key given
// twice in one object.
class Builder final : public util::JsonVisitor {
  public:
    Builder(std::string_view text, const std::string& file)
        : text_(text), file_(file), lines_(text) {}

    Result<JsonDocument> run(int max_depth_incl);

    bool begin_object(size_t offset) override { return open(JsonNode::Type::object, offset); }
    bool begin_array(size_t offset) override { return open(JsonNode::Type::array, offset); }
    bool end_container(size_t) override {
        stack_.pop_back();
        return true;
    }
    bool key(size_t offset, std::string_view decoded) override;
    bool string_value(size_t offset, std::string_view decoded) override;
    bool word(size_t offset, std::string_view text) override;

  private:
    bool fail(size_t offset, std::string message, Code code = Code::events_json_malformed,
              std::string help = kJsonHelp);
    // Adds a value node under the innermost container (or as a root).
    uint32_t add(JsonNode node);
    bool open(JsonNode::Type type, size_t at);

    std::string_view text_;
    const std::string& file_;
    LineIndex lines_;
    JsonDocument document_;
    std::vector<Frame> stack_;
    std::vector<Diagnostic> diagnostics_;
};

bool Builder::fail(size_t offset, std::string message, Code code, std::string help) {
    diagnostics_.push_back(
        make_diagnostic(code, std::move(message), lines_.location(file_, offset), std::move(help)));
    return false;
}

uint32_t Builder::add(JsonNode node) {
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

bool Builder::open(JsonNode::Type type, size_t at) {
    JsonNode node;
    node.type = type;
    node.offset = at;
    Frame frame;
    frame.node = add(std::move(node));
    stack_.push_back(std::move(frame));
    return true;
}

// A key, recorded in the innermost object.
bool Builder::key(size_t offset, std::string_view decoded) {
    Frame& frame = stack_.back();
    const auto [it, fresh] = frame.keys.emplace(decoded, offset);
    if (!fresh) {
        const Location first = lines_.location(file_, it->second);
        return fail(offset,
                    fmt::format("the key \"{}\" appears twice in this object (first at {}:{}): "
                                "ringward reads each key once",
                                decoded, first.line, first.column),
                    Code::events_key_duplicate,
                    "give each key once: two parsers would read the event two ways");
    }
    frame.key = std::string(decoded);
    frame.key_offset = offset;
    return true;
}

bool Builder::string_value(size_t offset, std::string_view decoded) {
    JsonNode node;
    node.type = JsonNode::Type::string;
    node.offset = offset;
    node.text = std::string(decoded);
    add(std::move(node));
    return true;
}

// true, false, null or a number: the scanner has read it as one.
bool Builder::word(size_t offset, std::string_view text) {
    JsonNode node;
    node.offset = offset;
    if (text == "null") {
        node.type = JsonNode::Type::null;
    } else {
        node.type =
            text == "true" || text == "false" ? JsonNode::Type::boolean : JsonNode::Type::number;
        node.text = std::string(text);
    }
    add(std::move(node));
    return true;
}

Result<JsonDocument> Builder::run(int max_depth_incl) {
    const size_t bad = util::utf8_error_offset(text_);
    if (bad != text_.size()) {
        fail(bad, "the events file is not UTF-8 (RFC 8259 JSON is)", Code::events_json_malformed,
             "export the events as UTF-8");
        return Result<JsonDocument>::failure(std::move(diagnostics_));
    }
    util::JsonScanOptions options;
    options.several_values = true;
    options.max_depth_incl = max_depth_incl;
    if (auto error = util::scan_json(text_, *this, options)) {
        switch (error->kind) {
            case util::JsonScanError::Kind::malformed:
                fail(error->offset, std::move(error->message));
                break;
            case util::JsonScanError::Kind::too_deep:
                fail(error->offset, std::move(error->message), Code::events_json_malformed,
                     "an exported event nests a few levels deep");
                break;
            case util::JsonScanError::Kind::stopped:
                break;  // the visitor has said why
        }
        return Result<JsonDocument>::failure(std::move(diagnostics_));
    }
    return Result<JsonDocument>::success(std::move(document_));
}

}  // namespace

Result<JsonDocument> parse_json_values(std::string_view text, const std::string& file,
                                       int max_depth_incl) {
    Builder builder(text, file);
    return builder.run(max_depth_incl);
}

}  // namespace ringward::events::detail
