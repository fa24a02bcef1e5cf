// One meaning or none: a source file that two readers could read two ways is
// refused, in every format and for every kind of input (content, registry,
// manifest, keyring). JSON duplicate keys are RW0008, a text field given
// twice RW0009, binary fields the schema does not have (or in another wire
// type) RW0010, and a binary singular field given twice RW0011. Each refusal
// points at the second occurrence; the nearest valid form still loads.
#include <catch2/catch.hpp>

#include <string>

#include "ringward/schema.hpp"
#include "ringward/sign.hpp"
#include "ringward/v1/content.pb.h"
#include "ringward/v1/keyring.pb.h"
#include "ringward/v1/sensor_manifest.pb.h"
#include "ringward/v1/template_type.pb.h"

using namespace ringward;

namespace {

LoadOptions as(InputFormat format) {
    LoadOptions options;
    options.format = format;
    return options;
}

enum class Kind { content, registry, manifest, keyring };

std::vector<Diagnostic> parse(Kind kind, const std::string& bytes, InputFormat format) {
    switch (kind) {
        case Kind::content:
            return parse_content(bytes, "in", as(format)).diagnostics;
        case Kind::registry:
            return parse_registry(bytes, "in", as(format)).diagnostics;
        case Kind::manifest:
            return parse_manifest(bytes, "in", as(format)).diagnostics;
        case Kind::keyring:
            break;
    }
    return parse_keyring(bytes, "in", format).diagnostics;
}

// The one error a refused input gets.
const Diagnostic& refusal(const std::vector<Diagnostic>& diagnostics) {
    REQUIRE(diagnostics.size() == 1);
    REQUIRE(diagnostics[0].severity == Severity::error);
    return diagnostics[0];
}

void check_refused(Kind kind, const std::string& bytes, InputFormat format, Code code,
                   uint32_t line, uint32_t column, const std::string& first_at = {}) {
    INFO(bytes);
    const auto diagnostics = parse(kind, bytes, format);
    const Diagnostic& d = refusal(diagnostics);
    CHECK(code_id(d.code) == code_id(code));
    CHECK(d.location.file == "in");
    CHECK(d.location.line == line);
    CHECK(d.location.column == column);
    if (!first_at.empty()) {
        CHECK_THAT(d.message, Catch::Contains("first at " + first_at));
    }
    CHECK_THAT(d.message, Catch::Contains("ringward reads each field once"));
}

// Loads without a reading error. (A keyring's entries are checked after
// reading; these tests' keys are not real keys, so only reading counts.)
void check_loads(Kind kind, const std::string& bytes, InputFormat format) {
    INFO(bytes);
    const auto diagnostics = parse(kind, bytes, format);
    for (const Diagnostic& d : diagnostics) {
        UNSCOPED_INFO(code_id(d.code)
                      << " " << d.location.line << ":" << d.location.column << " " << d.message);
        if (kind == Kind::keyring) {
            CHECK(static_cast<int>(d.code) >= 100);
        } else {
            CHECK(d.severity != Severity::error);
        }
    }
}

// Binary protobuf by hand, so that the bytes can say what no encoder writes.
std::string varint(uint64_t value) {
    std::string out;
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7f) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
    return out;
}
std::string tag(uint32_t field, uint32_t wire_type) {
    return varint(field << 3 | wire_type);
}
std::string field_varint(uint32_t field, uint64_t value) {
    return tag(field, 0) + varint(value);
}
std::string field_bytes(uint32_t field, const std::string& bytes) {
    return tag(field, 2) + varint(bytes.size()) + bytes;
}

struct BinaryCase {
    const char* name;
    Kind kind;
    std::string prefix;  // bytes before the offending field
    std::string bad;     // the offending field
    std::string suffix;  // the rest, wrapped with `prefix` by the case
};

}  // namespace

TEST_CASE("JSON: a key given twice in one object is refused at its second occurrence") {
    struct Case {
        const char* name;
        Kind kind;
        const char* json;
        uint32_t line;
        uint32_t column;
        const char* first_at;
    };
    const Case cases[] = {
        {"content: channel twice, the first 0", Kind::content,
         "{\n  \"channel\": 0,\n  \"contentVersion\": 1,\n  \"channel\": 500\n}\n", 4, 3, "2:3"},
        {"content: the json_name and the proto name of one field", Kind::content,
         "{\"channel\": 1,\n \"contentVersion\": 1,\n \"content_version\": 2}", 3, 2, "2:2"},
        {"content: a key spelt with an escape", Kind::content,
         "{\"channel\": 1, \"chan\\u006eel\": 2}", 1, 16, "1:2"},
        {"content: two instances arrays", Kind::content,
         "{\"instances\": [{\"id\": 1}],\n \"instances\": [{\"id\": 2}]}", 2, 2, "1:2"},
        {"content: an instance's id twice", Kind::content,
         "{\"channel\": 1, \"instances\": [\n  {\"id\": 1},\n  {\"id\": 2, \"id\": 3}\n]}", 3, 13,
         "3:4"},
        {"content: two members of a value's oneof", Kind::content,
         "{\"instances\": [{\"criteria\": [{\"values\": [\n  {\"int\": \"1\", \"uint\": "
         "\"2\"}]}]}]}",
         2, 16, "2:4"},
        {"content: a oneof member that is null, then another", Kind::content,
         "{\"instances\": [{\"criteria\": [{\"values\": [\n  {\"int\": null, \"uint\": "
         "\"2\"}]}]}]}",
         2, 17, "2:4"},
        {"content: sensor ranges merged", Kind::content,
         "{\"sensorRange\": {\"min\": \"7.0.0\"}, \"sensor_range\": {\"max\": \"7.1.0\"}}", 1, 35,
         "1:2"},
        {"content: unknown keys twice", Kind::content, "{\"colour\": 1, \"colour\": 2}", 1, 15,
         "1:2"},
        {"registry: a field's flag twice", Kind::registry,
         "{\"templateTypes\": [{\"id\": 1, \"fields\": [\n"
         "  {\"name\": \"a\", \"wildcardAllowed\": false, \"wildcard_allowed\": true}]}]}",
         2, 43, "2:17"},
        {"registry: an optional bound twice", Kind::registry,
         "{\"templateTypes\": [{\"fields\": [{\"maxLengthIncl\": 0,\n \"maxLengthIncl\": 9}]}]}", 2,
         2, "1:33"},
        {"manifest: the sensor version twice", Kind::manifest,
         "{\"sensorVersion\": \"7.11.0\", \"sensor_version\": \"9.0.0\"}", 1, 29, "1:2"},
        {"manifest: input types twice", Kind::manifest,
         "{\"templateTypes\": [{\"inputTypes\": [\"TYPE_IP\"], \"input_types\": [\"TYPE_UINT\"]}]}",
         1, 48, "1:21"},
        {"keyring: revoked, then not", Kind::keyring,
         "{\"keys\": [{\"revoked\": true,\n  \"revoked\": false}]}", 2, 3, "1:12"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            check_refused(c.kind, c.json, InputFormat::json, Code::json_key_duplicate, c.line,
                          c.column, c.first_at);
        }
    }
}

TEST_CASE("JSON: the same key in sibling objects, and a repeated field as one array, load") {
    check_loads(Kind::content,
                "{\"channel\": 1, \"contentVersion\": \"2\", \"instances\": [\n"
                "  {\"id\": 1, \"criteria\": [{\"field\": \"a\", \"values\": [{\"int\": \"1\"}, "
                "{\"int\": \"2\"}]}]},\n"
                "  {\"id\": 2, \"criteria\": [{\"field\": \"a\"}, {\"field\": \"b\"}]}]}",
                InputFormat::json);
    check_loads(Kind::content,
                "{\"instances\": [{\"criteria\": [{\"values\": [{\"int\": null}]}]}]}",
                InputFormat::json);
    check_loads(Kind::manifest,
                "{\"templateTypes\": [{\"id\": 1, \"inputTypes\": [\"TYPE_IP\", \"TYPE_UINT\"]},"
                " {\"id\": 2, \"input_types\": []}]}",
                InputFormat::json);
    check_loads(Kind::keyring, "{\"keys\": []}", InputFormat::json);
    // Keys that only look alike are different keys.
    check_loads(Kind::content, "{\"channel\": 1, \"content_version\": 1, \"instances\": []}",
                InputFormat::json);
}

TEST_CASE("JSON: what is not RFC 8259 JSON is refused, at its place") {
    struct Case {
        const char* json;
        uint32_t line;
        uint32_t column;
        const char* says;
    };
    // protobuf's JSON parser reads each of these; other JSON readers do not,
    // or read them otherwise.
    const Case cases[] = {
        {"{'channel': 5}", 1, 2, "single-quoted"},
        {"{\"channel\": 5,\n channel: 6}", 2, 2, "quoted"},
        {"{\"channel\": 5,}", 1, 14, "trailing comma"},
        {"{\"instances\": [{}, ]}", 1, 18, "trailing comma"},
        {"{\"channel\":\f5}", 1, 12, "unexpected byte 0x0c"},
        {"{\"sensorRange\": {\"min\": \"a\tb\"}}", 1, 27, "control character"},
        {"{\"channel\": 5} {\"channel\": 6}", 1, 16, "after the end"},
        {"{\"channel\": 0x10}", 1, 13, "number"},
        {"{\"channel\": 1, \"chan\\ud800nel\": 2}", 1, 21, "surrogate"},
    };
    for (const Case& c : cases) {
        INFO(c.json);
        const auto result = parse_content(c.json, "in", as(InputFormat::json));
        const Diagnostic& d = refusal(result.diagnostics);
        CHECK(code_id(d.code) == code_id(Code::json_error));
        CHECK(d.location.line == c.line);
        CHECK(d.location.column == c.column);
        CHECK_THAT(d.message, Catch::Contains(c.says));
    }
}

TEST_CASE("text: a field that is not repeated, given twice, is refused at its second occurrence") {
    struct Case {
        const char* name;
        Kind kind;
        const char* text;
        uint32_t line;
        uint32_t column;
        const char* first_at;
    };
    const Case cases[] = {
        {"content: channel twice, the first 0", Kind::content,
         "channel: 0\ncontent_version: 1\nchannel: 500\n", 3, 1, "1:1"},
        {"content: channel twice, the first not 0", Kind::content, "channel: 7\nchannel: 500\n", 2,
         1, "1:1"},
        {"content: an empty string, then another", Kind::content,
         "sensor_range {\n  min: \"\"\n  min: \"7.0.0\"\n}\n", 3, 3, "2:3"},
        {"content: an instance's id twice", Kind::content, "instances {\n  id: 0\n  id: 4\n}\n", 3,
         3, "2:3"},
        {"content: a message field twice", Kind::content,
         "sensor_range { min: \"7.0.0\" }\nsensor_range < max: \"7.1.0\" >\n", 2, 1, "1:1"},
        {"content: a oneof member twice", Kind::content,
         "instances { criteria { values {\n  int: 0\n  int: 5 } } }\n", 3, 3, "2:3"},
        {"content: two members of one oneof", Kind::content,
         "instances { criteria { values { int: 1 uint: 5 } } }\n", 1, 40, "1:33"},
        {"content: a wildcard flag, false then true", Kind::content,
         "instances { criteria { field: \"a\" wildcard: false; wildcard: true } }\n", 1, 52,
         "1:35"},
        {"registry: a field's flag twice", Kind::registry,
         "template_types {\n  fields { name: \"a\" wildcard_allowed: false\n"
         "           wildcard_allowed: true }\n}\n",
         3, 12, "2:22"},
        {"registry: an optional bound twice", Kind::registry,
         "template_types { fields { max_length_incl: 0 max_length_incl: 9 } }\n", 1, 46, "1:27"},
        {"manifest: the sensor version twice", Kind::manifest,
         "sensor_version: \"\"\nsensor_version: \"7.11.0\"\n", 2, 1, "1:1"},
        {"keyring: revoked, then not", Kind::keyring,
         "keys {\n  revoked: false\n  revoked: true\n}\n", 3, 3, "2:3"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            check_refused(c.kind, c.text, InputFormat::text, Code::text_field_repeated, c.line,
                          c.column, c.first_at);
        }
    }
}

TEST_CASE("text: repeated fields given many times, in every form, and fields given once, load") {
    check_loads(
        Kind::content,
        "# channel: 9 in a comment is not a field\n"
        "channel: 1 content_version: 2\n"
        "sensor_range { min: \"7\" \".0.0\" max: '7.1.0' }\n"
        "instances { id: 1 criteria { field: \"a\" values { int: -1 } values { int: 2 } } }\n"
        "instances < id: 2 criteria: [{ field: \"a\" }, { field: \"b\" }] >\n"
        "instances: [{ id: 3 }, { id: 4 }]\n"
        "instances []\n",
        InputFormat::text);
    check_loads(Kind::registry,
                "template_types { fields { operators: OP_EQ operators: [OP_NE, OP_IN] "
                "operators: [] } fields { name: \"b\" } }\n"
                "template_types { id: 2 }\n",
                InputFormat::text);
    check_loads(Kind::manifest,
                "template_types { input_types: TYPE_IP input_types: [TYPE_UINT] }\n"
                "template_types { id: 2 }\n",
                InputFormat::text);
    check_loads(Kind::keyring, "keys { revoked: false } keys { revoked: false }\n",
                InputFormat::text);
}

TEST_CASE(
    "binary: an unknown field, or a known one in another wire type, is refused at its "
    "byte offset") {
    const std::string fixed32 = tag(1, 5) + std::string("\x01\x00\x00\x00", 4);
    const BinaryCase cases[] = {
        {"content: an unknown field at the top", Kind::content, field_varint(1, 291),
         field_varint(9, 1), field_varint(2, 1)},
        {"content: channel as fixed32", Kind::content, field_varint(2, 1), fixed32, ""},
        {"content: an instance's id as a length-delimited field", Kind::content, "",
         field_bytes(1, "x"), ""},
        {"content: an unknown field deep in a value", Kind::content, "", field_varint(15, 0), ""},
        {"registry: an unknown field in a template type", Kind::registry, field_varint(1, 3),
         field_bytes(20, "junk"), field_varint(2, 1)},
        {"manifest: an input type as fixed64", Kind::manifest, field_varint(1, 1),
         tag(3, 1) + std::string(8, '\0'), ""},
        {"keyring: a group in a key", Kind::keyring, "", tag(5, 3) + tag(5, 4), ""},
    };
    for (const BinaryCase& c : cases) {
        DYNAMIC_SECTION(c.name) {
            // Where each case's bytes sit: the content's instance and value
            // cases go inside instances[0] (and its criterion's value), the
            // registry's inside template_types[0], the manifest's inside
            // template_types[0], the keyring's inside keys[0].
            std::string bytes;
            size_t offset = 0;
            const std::string name = c.name;
            if (name == "content: an instance's id as a length-delimited field") {
                const std::string instance = c.bad;
                bytes = field_bytes(4, instance);
                offset = 2;
            } else if (name == "content: an unknown field deep in a value") {
                const std::string value = c.bad;
                const std::string criterion = field_bytes(1, "a") + field_bytes(5, value);
                const std::string instance = field_varint(1, 1) + field_bytes(4, criterion);
                bytes = field_varint(1, 5) + field_bytes(4, instance);
                offset = 2 + 2 + 2 + 2 + 3 + 2;
            } else if (c.kind == Kind::content) {
                bytes = c.prefix + c.bad + c.suffix;
                offset = c.prefix.size();
            } else {
                const std::string inner = c.prefix + c.bad + c.suffix;
                bytes = field_bytes(
                    c.kind == Kind::keyring ? 1 : (c.kind == Kind::registry ? 1 : 3), inner);
                offset = 2 + c.prefix.size();
            }
            INFO(offset);
            const auto diagnostics = parse(c.kind, bytes, InputFormat::binary);
            const Diagnostic& d = refusal(diagnostics);
            CHECK(code_id(d.code) == code_id(Code::binary_field_unknown));
            REQUIRE(d.location.blob_offset.has_value());
            CHECK(*d.location.blob_offset == offset);
            CHECK_THAT(d.message, Catch::Contains("byte " + std::to_string(offset)));
        }
    }
}

TEST_CASE("binary: a singular field given twice is refused at its second occurrence") {
    struct Case {
        const char* name;
        Kind kind;
        std::string bytes;
        size_t offset;
        size_t first;
    };
    const std::string value_twice = field_varint(1, 0) + field_varint(1, 10);
    const std::string two_members = field_varint(1, 2) + field_varint(2, 4);
    const std::string criterion_twice = field_bytes(5, field_bytes(1, value_twice));
    const Case cases[] = {
        {"content: channel 0, then 500", Kind::content, field_varint(1, 0) + field_varint(1, 500),
         2, 0},
        {"content: channel 7, then 500", Kind::content, field_varint(1, 7) + field_varint(1, 500),
         2, 0},
        {"content: two sensor ranges, merged by protobuf", Kind::content,
         field_bytes(3, field_bytes(1, "7.0.0")) + field_bytes(3, field_bytes(2, "7.1.0")), 9, 0},
        {"content: an instance's id twice", Kind::content,
         field_bytes(4, field_varint(1, 1) + field_varint(1, 2)), 4, 2},
        {"content: a oneof member twice", Kind::content,
         field_bytes(4, field_bytes(4, field_bytes(5, value_twice))), 8, 6},
        {"content: two members of one oneof", Kind::content,
         field_bytes(4, field_bytes(4, field_bytes(5, two_members))), 8, 6},
        {"registry: a field's name twice", Kind::registry,
         field_bytes(1, field_bytes(5, field_bytes(1, "a") + field_bytes(1, "b"))), 7, 4},
        {"manifest: the sensor version twice", Kind::manifest,
         field_bytes(1, "") + field_bytes(1, "7.11.0"), 2, 0},
        {"keyring: revoked, then not", Kind::keyring,
         field_bytes(1, field_varint(5, 1) + field_varint(5, 0)), 4, 2},
    };
    (void)criterion_twice;
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto diagnostics = parse(c.kind, c.bytes, InputFormat::binary);
            const Diagnostic& d = refusal(diagnostics);
            CHECK(code_id(d.code) == code_id(Code::binary_field_repeated));
            REQUIRE(d.location.blob_offset.has_value());
            CHECK(*d.location.blob_offset == c.offset);
            CHECK_THAT(d.message, Catch::Contains("first at byte " + std::to_string(c.first)));
            CHECK_THAT(d.message, Catch::Contains("ringward reads each field once"));
        }
    }
}

TEST_CASE("binary: packed and unpacked repeated fields, and fields given once, load alike") {
    // SuppliedTemplateType.input_types (3): packed, unpacked, and both mixed
    // are all legal encodings of [TYPE_IP, TYPE_UINT].
    const std::string packed = field_bytes(3, std::string("\x07\x02", 2));
    const std::string unpacked = field_varint(3, 7) + field_varint(3, 2);
    const std::string mixed = field_bytes(3, std::string("\x07", 1)) + field_varint(3, 2);
    for (const std::string& inputs : {packed, unpacked, mixed}) {
        const std::string bytes = field_bytes(1, "7.11.0") +
                                  field_bytes(3, field_varint(1, 3) + field_varint(2, 1) + inputs);
        auto manifest = parse_manifest(bytes, "in", as(InputFormat::binary));
        REQUIRE(manifest.ok());
        REQUIRE(manifest.value->template_types.size() == 1);
        CHECK(manifest.value->template_types[0].input_types ==
              std::vector<format::Kind>{format::Kind::ip, format::Kind::uint64});
    }
    // Repeated messages, many times; every singular field once.
    v1::ContentFile content;
    content.set_channel(1);
    content.set_content_version(2);
    content.mutable_sensor_range()->set_min("7.0.0");
    for (uint32_t id = 1; id <= 3; ++id) {
        v1::TemplateInstance* instance = content.add_instances();
        instance->set_id(id);
        v1::Criterion* criterion = instance->add_criteria();
        criterion->set_field("a");
        criterion->add_values()->set_int_(-1);
        criterion->add_values()->set_int_(0);
    }
    check_loads(Kind::content, content.SerializeAsString(), InputFormat::binary);
    v1::Keyring keyring;
    keyring.add_keys();
    check_loads(Kind::keyring, keyring.SerializeAsString(), InputFormat::binary);
    v1::TemplateTypeRegistry registry;
    registry.add_template_types()->add_fields()->add_operators(v1::OP_EQ);
    registry.mutable_template_types(0)->mutable_fields(0)->add_operators(v1::OP_IN);
    check_loads(Kind::registry, registry.SerializeAsString(), InputFormat::binary);
}

// The content model's fields (rules, exclusions, negation, field references)
// read one way only, in every format, as the older fields do.
TEST_CASE("the content model's rules, exclusions, negate and field references have one meaning") {
    const auto column_of = [](const std::string& text, const std::string& marker) {
        const size_t at = text.rfind(marker);
        REQUIRE(at != std::string::npos);
        return static_cast<uint32_t>(at + 1);
    };
    SECTION("text") {
        const std::string rule_twice = "instances { id: 1 rule: 2 rule: 3 }";
        check_refused(Kind::content, rule_twice, InputFormat::text, Code::text_field_repeated, 1,
                      column_of(rule_twice, "rule:"), "1:19");
        const std::string negate_twice =
            "instances { exclusions { criteria { field: \"a\" negate: true negate: false } } }";
        check_refused(Kind::content, negate_twice, InputFormat::text, Code::text_field_repeated, 1,
                      column_of(negate_twice, "negate:"));
        const std::string string_and_field =
            "instances { criteria { values { string: \"x\" field: \"y\" } } }";
        check_refused(Kind::content, string_and_field, InputFormat::text, Code::text_field_repeated,
                      1, column_of(string_and_field, "field: \"y\""));
        const std::string rule_id_twice = "rules { id: 1 id: 2 }";
        check_refused(Kind::content, rule_id_twice, InputFormat::text, Code::text_field_repeated, 1,
                      column_of(rule_id_twice, "id:"));
        check_loads(Kind::content,
                    "rules { id: 1 name: \"r\" origin: \"o\" } rules { id: 2 }\n"
                    "instances { id: 1 rule: 1 exclusions { criteria { field: \"a\" negate: true "
                    "values { field: \"b\" } } } exclusions { criteria { field: \"c\" } } }",
                    InputFormat::text);
    }
    SECTION("JSON") {
        const std::string negate_twice =
            R"({"instances":[{"exclusions":[{"criteria":[{"negate":true,"negate":false}]}]}]})";
        check_refused(Kind::content, negate_twice, InputFormat::json, Code::json_key_duplicate, 1,
                      column_of(negate_twice, "\"negate\""));
        const std::string string_and_field =
            R"({"instances":[{"criteria":[{"values":[{"string":"x","field":"y"}]}]}]})";
        check_refused(Kind::content, string_and_field, InputFormat::json, Code::json_key_duplicate,
                      1, column_of(string_and_field, "\"field\""));
        const std::string rule_twice = R"({"rules":[{"id":1,"id":2}]})";
        check_refused(Kind::content, rule_twice, InputFormat::json, Code::json_key_duplicate, 1,
                      column_of(rule_twice, "\"id\""));
        check_loads(
            Kind::content,
            R"({"rules":[{"id":1},{"id":2}],"instances":[{"id":1,"rule":1,)"
            R"("exclusions":[{"criteria":[{"field":"a","negate":true}]},{"criteria":[]}]}]})",
            InputFormat::json);
    }
    SECTION("binary") {
        struct Case {
            const char* name;
            std::string bytes;
            size_t offset;
            size_t first;
        };
        const Case cases[] = {
            {"an instance's rule twice", field_bytes(4, field_varint(6, 1) + field_varint(6, 2)), 4,
             2},
            {"an exclusion criterion's negate twice",
             field_bytes(4,
                         field_bytes(5, field_bytes(1, field_varint(6, 1) + field_varint(6, 0)))),
             8, 6},
            {"a rule's id twice", field_bytes(5, field_varint(1, 1) + field_varint(1, 2)), 4, 2},
            {"a value's string and field reference",
             field_bytes(4,
                         field_bytes(4, field_bytes(5, field_bytes(4, "x") + field_bytes(8, "y")))),
             9, 6},
        };
        for (const Case& c : cases) {
            DYNAMIC_SECTION(c.name) {
                const auto diagnostics = parse(Kind::content, c.bytes, InputFormat::binary);
                const Diagnostic& d = refusal(diagnostics);
                CHECK(code_id(d.code) == code_id(Code::binary_field_repeated));
                REQUIRE(d.location.blob_offset.has_value());
                CHECK(*d.location.blob_offset == c.offset);
                CHECK_THAT(d.message, Catch::Contains("first at byte " + std::to_string(c.first)));
            }
        }
        check_loads(Kind::content,
                    field_bytes(5, field_varint(1, 1)) +
                        field_bytes(4, field_varint(6, 1) +
                                           field_bytes(5, field_bytes(1, field_varint(6, 1)))),
                    InputFormat::binary);
        // An unknown field inside an exclusion is refused like one anywhere.
        const auto unknown = parse(
            Kind::content, field_bytes(4, field_bytes(5, field_varint(9, 1))), InputFormat::binary);
        CHECK(code_id(refusal(unknown).code) == code_id(Code::binary_field_unknown));
    }
}
