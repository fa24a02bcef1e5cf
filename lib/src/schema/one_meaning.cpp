// One meaning or none for protobuf text, JSON and binary (one_meaning.hpp).
#include "schema/one_meaning.hpp"
#include "util/json_scan.hpp"
#include "util/json_string.hpp"

#include <fmt/format.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <limits>
#include <map>
#include <optional>

namespace ringward {

namespace pb = google::protobuf;

TextPosition position_of(std::string_view text, size_t offset) {
    TextPosition p;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

namespace {

constexpr uint64_t kNotGiven = std::numeric_limits<uint64_t>::max();
constexpr const char* kOnce = "ringward reads each field once";

// Which fields of one message have been given, and where (a position whose
// meaning is the caller's: a byte offset, or a packed line and column).
class Given {
  public:
    explicit Given(const pb::Descriptor* message)
        : first_(message ? static_cast<size_t>(message->field_count()) : 0, kNotGiven),
          count_(first_.size(), 0),
          oneof_first_(message ? static_cast<size_t>(message->oneof_decl_count()) : 0, kNotGiven),
          oneof_member_(oneof_first_.size(), nullptr) {}

    struct Clash {
        uint64_t first;
        // Set when the clash is with another member of the field's oneof.
        const pb::FieldDescriptor* other = nullptr;
    };

    // Records `field` as given at `at`. Returns the earlier occurrence it
    // clashes with: the same field (when it is not repeated, or `keys` is set:
    // a JSON key may not repeat even for a repeated field), or another member
    // of its oneof.
    std::optional<Clash> give(const pb::FieldDescriptor& field, uint64_t at, bool keys) {
        const auto index = static_cast<size_t>(field.index());
        ++count_[index];
        if (field.is_repeated() && !keys) {
            return std::nullopt;
        }
        if (first_[index] != kNotGiven) {
            return Clash{first_[index]};
        }
        first_[index] = at;
        if (const pb::OneofDescriptor* oneof = field.real_containing_oneof()) {
            const auto o = static_cast<size_t>(oneof->index());
            if (oneof_first_[o] != kNotGiven) {
                return Clash{oneof_first_[o], oneof_member_[o]};
            }
            oneof_first_[o] = at;
            oneof_member_[o] = &field;
        }
        return std::nullopt;
    }

    // How many times `field` has been given: the index of its last value.
    uint32_t count(const pb::FieldDescriptor& field) const {
        return count_[static_cast<size_t>(field.index())];
    }

  private:
    std::vector<uint64_t> first_;
    std::vector<uint32_t> count_;
    std::vector<uint64_t> oneof_first_;
    std::vector<const pb::FieldDescriptor*> oneof_member_;
};

// The path segment of a field's latest value: "criteria[2]" or "channel".
std::string segment(const pb::FieldDescriptor& field, const Given& given) {
    if (field.is_repeated()) {
        return fmt::format("{}[{}]", field.name(), given.count(field) - 1);
    }
    return field.name();
}

std::string join(const std::string& path, const std::string& segment) {
    return path.empty() ? segment : path + "." + segment;
}

// Message types protobuf's JSON mapping gives a form of their own (Struct,
// Timestamp, ...): their keys are not fields. The schemas use none today.
bool is_plain_message(const pb::Descriptor* message) {
    return message != nullptr && message->file()->package() != "google.protobuf" &&
           !message->map_key();
}

// ----------------------------------------------------------------------------
// JSON

// The field a JSON key names: by JSON name first, then by proto name, the
// order protobuf's JSON parser looks them up in.
const pb::FieldDescriptor* json_field(const pb::Descriptor& message, std::string_view key) {
    for (int i = 0; i < message.field_count(); ++i) {
        if (message.field(i)->json_name() == key) {
            return message.field(i);
        }
    }
    for (int i = 0; i < message.field_count(); ++i) {
        if (message.field(i)->name() == key) {
            return message.field(i);
        }
    }
    return nullptr;
}

// What a JSON value stands for, as far as its keys are concerned.
struct JsonSlot {
    // An object value is this message (null: its keys are not fields).
    const pb::Descriptor* message = nullptr;
    // An object value is a map; its values are `message` (null: not messages).
    bool map = false;
    // An array's elements are objects of this message.
    const pb::Descriptor* elements = nullptr;
};

JsonSlot slot_for(const pb::FieldDescriptor& field) {
    JsonSlot slot;
    if (field.is_map()) {
        const pb::FieldDescriptor* value = field.message_type()->map_value();
        slot.map = true;
        slot.message = is_plain_message(value->message_type()) ? value->message_type() : nullptr;
    } else if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
               is_plain_message(field.message_type())) {
        (field.is_repeated() ? slot.elements : slot.message) = field.message_type();
    }
    return slot;
}

struct JsonFrame {
    bool object = false;
    // Objects: what their keys are; arrays: `elements` only.
    JsonSlot self;
    // Objects: the fields given, and the keys that are not fields.
    Given given{nullptr};
    std::map<std::string, size_t, std::less<>> keys;
    // Objects: the slot of the current key's value.
    JsonSlot next;
    // The path to this object or array, and (objects) to the current key.
    std::string base;
    std::string path;
    // Arrays: the elements begun so far, which is the index of the next one.
    size_t count = 0;
};

// Follows the scanner's objects and arrays with the message types they
// stand for, and refuses a key given twice in one object.
class JsonCheck final : public util::JsonVisitor {
  public:
    JsonCheck(std::string_view text, const std::string& file, const pb::Descriptor& root)
        : text_(text), file_(file), root_(root) {}

    std::vector<Diagnostic> run(int max_depth_incl);

    bool begin_object(size_t) override { return open(true); }
    bool begin_array(size_t) override { return open(false); }
    bool end_container(size_t) override {
        stack_.pop_back();
        return true;
    }
    bool key(size_t offset, std::string_view decoded) override;
    bool string_value(size_t, std::string_view) override { return element(); }
    bool word(size_t, std::string_view) override { return element(); }

  private:
    bool fail(size_t offset, std::string message, std::string help = {});
    bool duplicate(size_t offset, size_t first, std::string_view key,
                   const pb::FieldDescriptor* field, const pb::FieldDescriptor* other,
                   const std::string& path);
    bool open(bool object);
    // Counts a value in the innermost array, if it is in one.
    bool element();
    std::string value_path() const;

    std::string_view text_;
    const std::string& file_;
    const pb::Descriptor& root_;
    std::vector<JsonFrame> stack_;
    std::vector<Diagnostic> diagnostics_;
};

bool JsonCheck::fail(size_t offset, std::string message, std::string help) {
    const TextPosition p = position_of(text_, offset);
    Location location;
    location.file = file_;
    location.line = p.line;
    location.column = p.column;
    diagnostics_.push_back(make_diagnostic(
        Code::json_error, std::move(message), std::move(location),
        help.empty() ? "write RFC 8259 JSON, as any JSON library writes it" : std::move(help)));
    return false;
}

bool JsonCheck::duplicate(size_t offset, size_t first, std::string_view key,
                          const pb::FieldDescriptor* field, const pb::FieldDescriptor* other,
                          const std::string& path) {
    const TextPosition here = position_of(text_, offset);
    const TextPosition there = position_of(text_, first);
    std::string first_key;
    size_t at = first;
    if (const auto error = util::decode_json_string(text_, &at, &first_key)) {
        return fail(error->offset, error->message);  // cannot happen: it was read once already
    }
    std::string message;
    if (other != nullptr) {
        message = fmt::format(
            "the key \"{}\" sets the oneof {} again (first at {}:{}, by \"{}\"): {}", key,
            field->real_containing_oneof()->name(), there.line, there.column, first_key, kOnce);
    } else if (first_key != key) {
        message =
            fmt::format("the key \"{}\" names the field {} again (first at {}:{}, as \"{}\"): {}",
                        key, field->name(), there.line, there.column, first_key, kOnce);
    } else {
        message = fmt::format("the key \"{}\" appears twice in this object (first at {}:{}): {}",
                              key, there.line, there.column, kOnce);
    }
    Location location;
    location.file = file_;
    location.line = here.line;
    location.column = here.column;
    location.path = path;
    diagnostics_.push_back(make_diagnostic(
        Code::json_key_duplicate, std::move(message), std::move(location),
        "give each key once; a field's JSON name and its proto name are one key, and so are "
        "the members of one oneof"));
    return false;
}

// The path to the value about to be read: the current key's or element's.
std::string JsonCheck::value_path() const {
    if (stack_.empty()) {
        return {};
    }
    const JsonFrame& top = stack_.back();
    return top.object ? top.path : fmt::format("{}[{}]", top.base, top.count);
}

bool JsonCheck::element() {
    if (!stack_.empty() && !stack_.back().object) {
        ++stack_.back().count;
    }
    return true;
}

bool JsonCheck::open(bool object) {
    JsonSlot slot;
    if (stack_.empty()) {
        slot.message = &root_;
    } else if (stack_.back().object) {
        slot = stack_.back().next;
    } else if (object) {
        slot.message = stack_.back().self.elements;
    }
    JsonFrame frame;
    frame.object = object;
    frame.base = value_path();
    element();
    if (object) {
        frame.self = JsonSlot{slot.message, slot.map, nullptr};
        frame.given = Given(slot.map ? nullptr : slot.message);
    } else {
        frame.self = JsonSlot{nullptr, false, slot.elements};
    }
    stack_.push_back(std::move(frame));
    return true;
}

// A key, recorded in the innermost object.
bool JsonCheck::key(size_t offset, std::string_view decoded) {
    JsonFrame& frame = stack_.back();
    const std::string& base = frame.base;
    const pb::FieldDescriptor* field = frame.self.message != nullptr && !frame.self.map
                                           ? json_field(*frame.self.message, decoded)
                                           : nullptr;
    if (field != nullptr) {
        const auto clash = frame.given.give(*field, offset, true);
        frame.path = join(base, field->name());
        if (clash) {
            return duplicate(offset, static_cast<size_t>(clash->first), decoded, field,
                             clash->other, frame.path);
        }
        frame.next = slot_for(*field);
        return true;
    }
    frame.path = join(base, std::string(decoded));
    const auto [it, fresh] = frame.keys.emplace(decoded, offset);
    if (!fresh) {
        return duplicate(offset, it->second, decoded, nullptr, nullptr, frame.path);
    }
    frame.next = frame.self.map ? JsonSlot{frame.self.message, false, nullptr} : JsonSlot{};
    return true;
}

std::vector<Diagnostic> JsonCheck::run(int max_depth_incl) {
    util::JsonScanOptions options;
    options.several_values = false;
    options.max_depth_incl = max_depth_incl;
    if (auto error = util::scan_json(text_, *this, options)) {
        switch (error->kind) {
            case util::JsonScanError::Kind::malformed:
                fail(error->offset, std::move(error->message));
                break;
            case util::JsonScanError::Kind::too_deep:
                fail(error->offset, std::move(error->message),
                     "the schemas nest a few levels deep; this is not content");
                break;
            case util::JsonScanError::Kind::stopped:
                break;  // the visitor has said why
        }
    }
    return std::move(diagnostics_);
}

// ----------------------------------------------------------------------------
// Protobuf text

// Tokenizer errors mean protobuf's parser refuses the text too; the check
// only notes that it could not follow.
class QuietErrors : public pb::io::ErrorCollector {
  public:
    void AddError(int, pb::io::ColumnNumber, const std::string&) override { failed = true; }
    bool failed = false;
};

uint64_t pack(int line, int column) {
    return static_cast<uint64_t>(static_cast<uint32_t>(line)) << 32 | static_cast<uint32_t>(column);
}
TextPosition unpack(uint64_t packed) {
    // protobuf counts lines and columns from 0.
    return TextPosition{static_cast<uint32_t>(packed >> 32) + 1,
                        static_cast<uint32_t>(packed & 0xffffffffu) + 1};
}

struct TextFrame {
    const pb::Descriptor* message;
    Given given;
    // '}' or '>'; 0 for the top level, which the end of the text closes.
    char close;
    // Inside a list of messages, the list's field: after the message
    // closes, ',' and the next element or ']' follows.
    const pb::FieldDescriptor* list;
    std::string path;
};

class TextScan {
  public:
    TextScan(std::string_view text, const std::string& file, int max_depth_incl)
        : input_(text.data(), static_cast<int>(text.size())),
          tokenizer_(&input_, &errors_),
          file_(file),
          max_depth_incl_(max_depth_incl) {
        // As protobuf's text parser sets up its tokenizer.
        tokenizer_.set_allow_f_after_float(true);
        tokenizer_.set_comment_style(pb::io::Tokenizer::SH_COMMENT_STYLE);
        tokenizer_.Next();
    }

    TextCheck run(const pb::Descriptor& root);

  private:
    using Token = pb::io::Tokenizer::TokenType;

    bool at(const char* symbol) {
        return tokenizer_.current().type == pb::io::Tokenizer::TYPE_SYMBOL &&
               tokenizer_.current().text == symbol;
    }
    bool take(const char* symbol) {
        if (!at(symbol)) {
            return false;
        }
        tokenizer_.Next();
        return !errors_.failed;
    }
    bool scalar_value();
    bool field();
    bool open_message(const pb::FieldDescriptor* list);
    bool after_value();
    void repeated(const pb::FieldDescriptor& field, uint64_t second, const Given::Clash& clash,
                  const std::string& path);

    pb::io::ArrayInputStream input_;
    QuietErrors errors_;
    pb::io::Tokenizer tokenizer_;
    const std::string& file_;
    int max_depth_incl_;
    std::vector<TextFrame> stack_;
    const pb::FieldDescriptor* pending_ = nullptr;
    TextCheck result_;
};

void TextScan::repeated(const pb::FieldDescriptor& field, uint64_t second,
                        const Given::Clash& clash, const std::string& path) {
    const TextPosition here = unpack(second);
    const TextPosition there = unpack(clash.first);
    std::string message =
        clash.other != nullptr
            ? fmt::format("the field {} sets the oneof {} again (first at {}:{}, by {}): {}",
                          field.name(), field.real_containing_oneof()->name(), there.line,
                          there.column, clash.other->name(), kOnce)
            : fmt::format("the field {} is given twice (first at {}:{}): {}", field.name(),
                          there.line, there.column, kOnce);
    Location location;
    location.file = file_;
    location.line = here.line;
    location.column = here.column;
    location.path = path;
    result_.diagnostics.push_back(make_diagnostic(
        Code::text_field_repeated, std::move(message), std::move(location),
        "give it once: only a repeated field may be given more than once, and only one member "
        "of a oneof may be set"));
}

// One scalar value: an optional '-' and an identifier or number, or one or
// more adjacent strings.
bool TextScan::scalar_value() {
    if (tokenizer_.current().type == pb::io::Tokenizer::TYPE_STRING) {
        while (tokenizer_.current().type == pb::io::Tokenizer::TYPE_STRING) {
            tokenizer_.Next();
        }
        return !errors_.failed;
    }
    take("-");
    const Token type = tokenizer_.current().type;
    if (type != pb::io::Tokenizer::TYPE_IDENTIFIER && type != pb::io::Tokenizer::TYPE_INTEGER &&
        type != pb::io::Tokenizer::TYPE_FLOAT) {
        return false;
    }
    tokenizer_.Next();
    return !errors_.failed;
}

bool TextScan::open_message(const pb::FieldDescriptor* list) {
    const char close = at("{") ? '}' : at("<") ? '>' : 0;
    if (close == 0 || stack_.size() >= static_cast<size_t>(max_depth_incl_) + 1) {
        return false;  // protobuf refuses both: a value that is no message, too deep
    }
    TextFrame& parent = stack_.back();
    std::string path = join(parent.path, segment(*pending_, parent.given));
    tokenizer_.Next();
    stack_.push_back(TextFrame{pending_->message_type(), Given(pending_->message_type()), close,
                               list, std::move(path)});
    return !errors_.failed;
}

// The separator protobuf allows after a field's value.
bool TextScan::after_value() {
    if (!take(";")) {
        take(",");
    }
    return !errors_.failed;
}

// One field, from its name.
bool TextScan::field() {
    TextFrame& frame = stack_.back();
    if (tokenizer_.current().type != pb::io::Tokenizer::TYPE_IDENTIFIER) {
        return false;  // an extension, an Any or a field number: none in the schemas
    }
    const pb::FieldDescriptor* f = frame.message->FindFieldByName(tokenizer_.current().text);
    if (f == nullptr) {
        return false;  // protobuf refuses unknown fields
    }
    const uint64_t where = pack(tokenizer_.current().line, tokenizer_.current().column);
    if (const auto clash = frame.given.give(*f, where, false)) {
        repeated(*f, where, *clash, join(frame.path, f->name()));
        return false;
    }
    tokenizer_.Next();
    if (errors_.failed) {
        return false;
    }
    pending_ = f;
    const bool message = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
    if (!take(":") && !message) {
        return false;
    }
    if (f->is_repeated() && take("[")) {
        if (take("]")) {
            return after_value();
        }
        if (message) {
            return open_message(f);
        }
        while (true) {
            if (!scalar_value()) {
                return false;
            }
            if (take("]")) {
                return after_value();
            }
            if (!take(",")) {
                return false;
            }
        }
    }
    if (message) {
        return open_message(nullptr);
    }
    return scalar_value() && after_value();
}

TextCheck TextScan::run(const pb::Descriptor& root) {
    stack_.push_back(TextFrame{&root, Given(&root), 0, nullptr, {}});
    while (!errors_.failed) {
        TextFrame& frame = stack_.back();
        if (tokenizer_.current().type == pb::io::Tokenizer::TYPE_END) {
            result_.followed = stack_.size() == 1;
            return std::move(result_);
        }
        if (frame.close != 0 && at(frame.close == '}' ? "}" : ">")) {
            const pb::FieldDescriptor* list = frame.list;
            stack_.pop_back();
            tokenizer_.Next();
            if (list == nullptr || take("]")) {
                if (!after_value()) {
                    break;
                }
                continue;
            }
            // The next message of the list.
            if (!take(",")) {
                break;
            }
            pending_ = list;
            (void)stack_.back().given.give(*list, 0, false);  // repeated: counts only
            if (!open_message(list)) {
                break;
            }
            continue;
        }
        if (!field()) {
            if (!result_.diagnostics.empty()) {
                return std::move(result_);
            }
            break;
        }
    }
    result_.followed = false;
    return std::move(result_);
}

// ----------------------------------------------------------------------------
// Binary protobuf

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kGroupStart = 3, kFixed32 = 5 };

const char* wire_type_name(uint32_t wire_type) {
    switch (wire_type) {
        case kVarint:
            return "varint";
        case kFixed64:
            return "64-bit";
        case kLength:
            return "length-delimited";
        case kGroupStart:
            return "group start";
        case 4:
            return "group end";
        case kFixed32:
            return "32-bit";
        default:
            break;
    }
    return "invalid";
}

// The wire type protobuf writes a field's values in (one value; a packed
// repeated field is length-delimited as well).
uint32_t wire_type_of(const pb::FieldDescriptor& field) {
    switch (field.type()) {
        case pb::FieldDescriptor::TYPE_FIXED64:
        case pb::FieldDescriptor::TYPE_SFIXED64:
        case pb::FieldDescriptor::TYPE_DOUBLE:
            return kFixed64;
        case pb::FieldDescriptor::TYPE_FIXED32:
        case pb::FieldDescriptor::TYPE_SFIXED32:
        case pb::FieldDescriptor::TYPE_FLOAT:
            return kFixed32;
        case pb::FieldDescriptor::TYPE_STRING:
        case pb::FieldDescriptor::TYPE_BYTES:
        case pb::FieldDescriptor::TYPE_MESSAGE:
            return kLength;
        case pb::FieldDescriptor::TYPE_GROUP:
            return kGroupStart;
        default:
            break;
    }
    return kVarint;
}

struct BinaryFrame {
    const pb::Descriptor* message;
    Given given;
    size_t end;
    std::string path;
};

class BinaryScan {
  public:
    BinaryScan(std::string_view bytes, const std::string& file) : bytes_(bytes), file_(file) {}

    std::vector<Diagnostic> run(const pb::Descriptor& root, int max_depth_incl);

  private:
    bool varint(size_t end, uint64_t* value) {
        *value = 0;
        for (unsigned shift = 0; shift < 64 && pos_ < end; shift += 7) {
            const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
            *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) {
                return true;
            }
        }
        return false;
    }
    void report(Code code, size_t offset, std::string message, const std::string& path,
                std::string help) {
        Location location;
        location.file = file_;
        location.path = path;
        location.blob_offset = static_cast<uint32_t>(offset);
        diagnostics_.push_back(make_diagnostic(code, fmt::format("byte {}: {}", offset, message),
                                               std::move(location), std::move(help)));
    }

    std::string_view bytes_;
    const std::string& file_;
    size_t pos_ = 0;
    std::vector<Diagnostic> diagnostics_;
};

std::vector<Diagnostic> BinaryScan::run(const pb::Descriptor& root, int max_depth_incl) {
    std::vector<BinaryFrame> stack;
    stack.push_back(BinaryFrame{&root, Given(&root), bytes_.size(), {}});
    const auto lost = [&] {
        report(Code::binary_malformed, pos_, "ringward cannot follow the bytes protobuf read", {},
               "regenerate the file with protobuf's own encoder");
        return std::move(diagnostics_);
    };
    while (true) {
        BinaryFrame& frame = stack.back();
        if (pos_ == frame.end) {
            if (stack.size() == 1) {
                return std::move(diagnostics_);
            }
            stack.pop_back();
            continue;
        }
        const size_t at = pos_;
        uint64_t tag = 0;
        if (!varint(frame.end, &tag) || tag > UINT32_MAX || (tag >> 3) == 0) {
            return lost();
        }
        const auto number = static_cast<int>(tag >> 3);
        const auto wire_type = static_cast<uint32_t>(tag & 7);
        const pb::FieldDescriptor* field = frame.message->FindFieldByNumber(number);
        if (field == nullptr) {
            report(Code::binary_field_unknown, at,
                   fmt::format("field number {} ({}) is not a field of {}: protobuf would set it "
                               "aside and ringward would never see it",
                               number, wire_type_name(wire_type), frame.message->full_name()),
                   frame.path, "encode the file with the schemas of this ringward version");
            return std::move(diagnostics_);
        }
        const uint32_t expected = wire_type_of(*field);
        const bool packed = field->is_packable() && wire_type == kLength;
        if (wire_type != expected && !packed) {
            report(Code::binary_field_unknown, at,
                   fmt::format("field {} ({}) of {} comes as wire type {} ({}), but it is "
                               "written as {} ({}): protobuf would drop it as unknown",
                               number, field->name(), frame.message->full_name(), wire_type,
                               wire_type_name(wire_type), expected, wire_type_name(expected)),
                   join(frame.path, field->name()),
                   "encode the file with the schemas of this ringward version");
            return std::move(diagnostics_);
        }
        if (const auto clash = frame.given.give(*field, at, false)) {
            report(Code::binary_field_repeated, at,
                   clash->other != nullptr
                       ? fmt::format("the field {} sets the oneof {} again (first at byte {}, by "
                                     "{}): {}",
                                     field->name(), field->real_containing_oneof()->name(),
                                     clash->first, clash->other->name(), kOnce)
                       : fmt::format("the field {} is given twice (first at byte {}): {}",
                                     field->name(), clash->first, kOnce),
                   join(frame.path, field->name()),
                   "encode each field once: protobuf keeps the last value, or merges messages");
            return std::move(diagnostics_);
        }
        uint64_t value = 0;
        switch (wire_type) {
            case kVarint:
                if (!varint(frame.end, &value)) {
                    return lost();
                }
                break;
            case kFixed64:
            case kFixed32: {
                const size_t width = wire_type == kFixed64 ? 8 : 4;
                if (width > frame.end - pos_) {
                    return lost();
                }
                pos_ += width;
                break;
            }
            case kLength:
                if (!varint(frame.end, &value) || value > frame.end - pos_) {
                    return lost();
                }
                if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
                    if (stack.size() > static_cast<size_t>(max_depth_incl)) {
                        return lost();  // protobuf refused it already
                    }
                    std::string path = join(frame.path, segment(*field, frame.given));
                    const size_t end = pos_ + static_cast<size_t>(value);
                    stack.push_back(BinaryFrame{field->message_type(), Given(field->message_type()),
                                                end, std::move(path)});
                } else {
                    pos_ += static_cast<size_t>(value);
                }
                break;
            default:
                return lost();
        }
    }
}

}  // namespace

std::vector<Diagnostic> check_json(std::string_view text, const std::string& file,
                                   const pb::Descriptor& root, int max_depth_incl) {
    return JsonCheck(text, file, root).run(max_depth_incl);
}

TextCheck check_text(std::string_view text, const std::string& file, const pb::Descriptor& root,
                     int max_depth_incl) {
    if (text.size() > static_cast<size_t>(INT32_MAX)) {
        return TextCheck{{}, false};
    }
    return TextScan(text, file, max_depth_incl).run(root);
}

std::vector<Diagnostic> check_binary(std::string_view bytes, const std::string& file,
                                     const pb::Descriptor& root, int max_depth_incl) {
    return BinaryScan(bytes, file).run(root, max_depth_incl);
}

}  // namespace ringward
