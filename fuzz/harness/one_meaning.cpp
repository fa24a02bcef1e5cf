// One meaning or none across the three source formats. The first byte picks
// the format of the rest (0 text, 1 JSON, 2 binary); the input is content.
//
// - Whatever ringward accepts, re-encoded by protobuf into text, JSON and
//   binary, ringward accepts in each, and the four compile alike: to
//   byte-identical blobs, or all refused with the same codes.
// - Independent oracles, from protobuf itself, for what the checks refuse:
//   text: over a copy of the schemas where every singular field has explicit
//   presence, protobuf's strict text parser refuses every field given twice
//   (it misses only those whose first value is the default, which presence
//   makes visible), so among the texts protobuf's own parser takes, ringward
//   accepts exactly those the presence parser accepts, and never says it
//   could not follow one. Binary: what ringward accepts, protobuf parses
//   with no unknown field anywhere (walked with an explicit stack).
// - Whatever ringward refuses as read two ways (RW0008-RW0011), protobuf's
//   permissive reading of it (last value wins, unknown fields ignored), when
//   there is one, re-encoded, is accepted in every format and compiles alike
//   in all three: the refusal is of the form, and a one-meaning form of that
//   reading exists.
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/targets.hpp"
#include "ringward/compile.hpp"
#include "schema/content_source.hpp"

namespace {

namespace pb = google::protobuf;
using namespace ringward;

// A pool holding the schemas with every singular non-message field made
// explicitly present (proto3 `optional`), and ContentFile's prototype in it.
class PresencePool {
  public:
    PresencePool() {
        add(v1::ContentFile::descriptor()->file());
        root_ = pool_.FindMessageTypeByName(v1::ContentFile::descriptor()->full_name());
        fuzz::require(root_ != nullptr, "the presence pool has no ContentFile");
    }

    std::unique_ptr<pb::Message> make() const {
        return std::unique_ptr<pb::Message>(factory_.GetPrototype(root_)->New());
    }

  private:
    // Dependencies first; each file once.
    void add(const pb::FileDescriptor* file) {
        if (pool_.FindFileByName(file->name()) != nullptr) {
            return;
        }
        for (int i = 0; i < file->dependency_count(); ++i) {
            add(file->dependency(i));
        }
        pb::FileDescriptorProto proto;
        file->CopyTo(&proto);
        for (pb::DescriptorProto& message : *proto.mutable_message_type()) {
            for (pb::FieldDescriptorProto& field : *message.mutable_field()) {
                if (field.label() != pb::FieldDescriptorProto::LABEL_OPTIONAL ||
                    field.type() == pb::FieldDescriptorProto::TYPE_MESSAGE ||
                    field.has_oneof_index() || field.proto3_optional()) {
                    continue;
                }
                field.set_proto3_optional(true);
                field.set_oneof_index(message.oneof_decl_size());
                message.add_oneof_decl()->set_name("_" + field.name());
            }
        }
        fuzz::require(pool_.BuildFile(proto) != nullptr, "a presence schema does not build");
    }

    pb::DescriptorPool pool_;
    mutable pb::DynamicMessageFactory factory_;
    const pb::Descriptor* root_ = nullptr;
};

const PresencePool& presence_pool() {
    static const PresencePool pool;
    return pool;
}

Result<ContentSource> load(const std::string& bytes, InputFormat format) {
    LoadOptions options;
    options.format = format;
    return parse_content(bytes, "fuzz", options);
}

struct Encodings {
    std::string text, json, binary;
};

Encodings encode(const pb::Message& message) {
    Encodings out;
    fuzz::require(pb::TextFormat::PrintToString(message, &out.text), "text printing failed");
    fuzz::require(pb::util::MessageToJsonString(message, &out.json).ok(), "JSON printing failed");
    out.binary = message.SerializeAsString();
    return out;
}

// The blob, or the codes that refused it.
struct Compiled {
    std::vector<uint8_t> bytes;
    std::vector<Code> codes;
    bool operator==(const Compiled&) const = default;
};

Compiled compiled(const ContentSource& content) {
    auto blob = compile(content, fuzz::example_target().registry());
    fuzz::check_result(blob);
    Compiled out;
    if (blob.ok()) {
        out.bytes = std::move(blob.value->bytes);
    }
    for (const Diagnostic& d : blob.diagnostics) {
        out.codes.push_back(d.code);
    }
    return out;
}

// Each re-encoding of `message` loads in its format and compiles like
// `expected` (or like the first of them, when `expected` is null).
void hold_to_one_meaning(const pb::Message& message, const Compiled* expected) {
    const Encodings encodings = encode(message);
    std::optional<Compiled> first;
    if (expected != nullptr) {
        first = *expected;
    }
    const std::pair<const std::string*, InputFormat> forms[] = {
        {&encodings.text, InputFormat::text},
        {&encodings.json, InputFormat::json},
        {&encodings.binary, InputFormat::binary}};
    for (const auto& [bytes, format] : forms) {
        auto reloaded = load(*bytes, format);
        fuzz::check_result(reloaded);
        fuzz::require(reloaded.ok(), "protobuf's own encoding of accepted content is refused");
        Compiled again = compiled(*reloaded.value);
        if (!first) {
            first = std::move(again);
        } else {
            fuzz::require(again == *first, "two encodings of one message compile differently");
        }
    }
}

bool read_two_ways(const std::vector<Diagnostic>& diagnostics) {
    for (const Diagnostic& d : diagnostics) {
        if (d.code == Code::json_key_duplicate || d.code == Code::text_field_repeated ||
            d.code == Code::binary_field_unknown || d.code == Code::binary_field_repeated) {
            return true;
        }
    }
    return false;
}

bool has_code(const std::vector<Diagnostic>& diagnostics, Code code) {
    for (const Diagnostic& d : diagnostics) {
        if (d.code == code) {
            return true;
        }
    }
    return false;
}

// Whether any message in `root` holds unknown fields, or a string field
// that is not UTF-8 (which the text parser takes and binary refuses: such
// content is refused by validation, RW0411, and has no binary form to
// compare); an explicit stack.
struct Walk {
    bool unknown_fields = false;
    bool bad_utf8 = false;
};

Walk walk(const pb::Message& root) {
    Walk out;
    std::vector<const pb::Message*> stack{&root};
    while (!stack.empty()) {
        const pb::Message* message = stack.back();
        stack.pop_back();
        const pb::Reflection* reflection = message->GetReflection();
        if (!reflection->GetUnknownFields(*message).empty()) {
            out.unknown_fields = true;
        }
        std::vector<const pb::FieldDescriptor*> fields;
        reflection->ListFields(*message, &fields);
        for (const pb::FieldDescriptor* field : fields) {
            if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
                const int n = field->is_repeated() ? reflection->FieldSize(*message, field) : 1;
                for (int i = 0; i < n; ++i) {
                    const std::string value =
                        field->is_repeated() ? reflection->GetRepeatedString(*message, field, i)
                                             : reflection->GetString(*message, field);
                    if (!pb::internal::IsStructurallyValidUTF8(value)) {
                        out.bad_utf8 = true;
                    }
                }
            }
            if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
                continue;
            }
            if (!field->is_repeated()) {
                stack.push_back(&reflection->GetMessage(*message, field));
                continue;
            }
            for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
                stack.push_back(&reflection->GetRepeatedMessage(*message, field, i));
            }
        }
    }
    return out;
}

// The text oracle: protobuf's strict parser, plain and over the presence pool.
struct TextOracle {
    bool plain = false;
    bool presence = false;
};

TextOracle text_oracle(const std::string& text) {
    TextOracle out;
    const LoadOptions defaults;
    const auto strict = [&](pb::Message* message) {
        pb::TextFormat::Parser parser;
        parser.SetRecursionLimit(defaults.max_nesting_depth_incl);
        pb::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
        return parser.Parse(&input, message);
    };
    v1::ContentFile plain;
    out.plain = strict(&plain);
    if (out.plain) {
        out.presence = strict(presence_pool().make().get());
    }
    return out;
}

// protobuf's permissive reading: last value wins, unknown fields ignored.
bool permissive(const std::string& bytes, InputFormat format, v1::ContentFile* message) {
    const LoadOptions defaults;
    switch (format) {
        case InputFormat::text: {
            pb::TextFormat::Parser parser;
            parser.AllowUnknownField(true);
            parser.SetRecursionLimit(defaults.max_nesting_depth_incl);
            pb::io::ArrayInputStream input(bytes.data(), static_cast<int>(bytes.size()));
            return parser.Merge(&input, message);  // Merge: singular overwrites allowed
        }
        case InputFormat::json: {
            pb::util::JsonParseOptions options;
            options.ignore_unknown_fields = true;
            return pb::util::JsonStringToMessage(bytes, message, options).ok();
        }
        case InputFormat::binary:
            break;
    }
    if (!message->ParseFromString(bytes)) {
        return false;
    }
    message->DiscardUnknownFields();
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    const InputFormat format = fuzz::format_from_byte(data[0]);
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto content = load(bytes, format);
    fuzz::check_result(content);

    if (format == InputFormat::text) {
        const TextOracle oracle = text_oracle(bytes);
        if (oracle.plain) {
            fuzz::require(content.ok() == oracle.presence,
                          "ringward and protobuf's presence parser disagree about a text");
            fuzz::require(content.ok() || has_code(content.diagnostics, Code::text_field_repeated),
                          "a text protobuf takes is refused for something else than a field "
                          "given twice");
        }
    }

    if (content.ok()) {
        const v1::ContentFile& message = content.value->impl().message;
        if (format == InputFormat::binary) {
            v1::ContentFile again;
            fuzz::require(again.ParseFromString(bytes), "protobuf refuses binary ringward takes");
            fuzz::require(!walk(again).unknown_fields,
                          "ringward accepted binary in which protobuf sets fields aside");
        }
        if (walk(message).bad_utf8) {
            return 0;
        }
        const Compiled original = compiled(*content.value);
        hold_to_one_meaning(message, &original);
        return 0;
    }

    if (read_two_ways(content.diagnostics)) {
        v1::ContentFile reading;
        if (permissive(bytes, format, &reading) && !walk(reading).bad_utf8) {
            hold_to_one_meaning(reading, nullptr);
        }
    }
    return 0;
}
