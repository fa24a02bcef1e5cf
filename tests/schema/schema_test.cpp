// Loading registries, manifests and content from all three formats, and the
// exact diagnostics for input that does not load.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "ringward/file.hpp"
#include "ringward/schema.hpp"
#include "ringward/v1/content.pb.h"
#include "ringward/v1/sensor_manifest.pb.h"
#include "ringward/v1/template_type.pb.h"
#include "support/run.hpp"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

using namespace ringward;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

LoadOptions as(InputFormat format) {
    LoadOptions options;
    options.format = format;
    return options;
}

const char* const kRegistry =
    "template_types {\n"
    "  id: 3\n"
    "  version: 1\n"
    "  name: \"network_connect\"\n"
    "  fields { name: \"remote_ip\" type: TYPE_IP operators: [OP_EQ, OP_CIDR_CONTAINS] }\n"
    "  fields {\n"
    "    name: \"remote_port\"\n"
    "    type: TYPE_UINT\n"
    "    operators: [OP_EQ, OP_RANGE]\n"
    "    wildcard_allowed: true\n"
    "    uint_bounds { max_incl: 65535 }\n"
    "  }\n"
    "  fields { name: \"level\" type: TYPE_ENUM operators: OP_EQ\n"
    "           enum_members { name: \"LOW\" } enum_members { name: \"HIGH\" } }\n"
    "}\n";

const char* const kManifest =
    "sensor_version: \"7.11.18110\"\n"
    "description: \"test build\"\n"
    "template_types { id: 3 version: 1 input_types: [TYPE_IP, TYPE_UINT] }\n";

const char* const kContent =
    "channel: 291\n"
    "content_version: 12\n"
    "sensor_range { min: \"7.11.0\" max: \"7.11.99999\" }\n"
    "instances {\n"
    "  id: 4\n"
    "  template_type { id: 3 version: 1 }\n"
    "  criteria { field: \"remote_ip\" op: OP_CIDR_CONTAINS values { ip: \"10.0.0.0/8\" } }\n"
    "  criteria {\n"
    "    field: \"remote_port\"\n"
    "    op: OP_RANGE\n"
    "    values { uint: 1 }\n"
    "    values { uint: 1024 }\n"
    "  }\n"
    "}\n";

template <class Message>
std::string to_format(const char* text, InputFormat format) {
    Message message;
    REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &message));
    if (format == InputFormat::binary) {
        return message.SerializeAsString();
    }
    if (format == InputFormat::json) {
        std::string json;
        REQUIRE(google::protobuf::util::MessageToJsonString(message, &json).ok());
        return json;
    }
    return text;
}

const Diagnostic& only(const std::vector<Diagnostic>& diagnostics) {
    REQUIRE(diagnostics.size() == 1);
    return diagnostics[0];
}

}  // namespace

TEST_CASE("a registry loads the same from text, JSON and binary") {
    for (const InputFormat format : {InputFormat::text, InputFormat::json, InputFormat::binary}) {
        DYNAMIC_SECTION(input_format_name(format)) {
            const auto bytes = to_format<v1::TemplateTypeRegistry>(kRegistry, format);
            auto registry = parse_registry(bytes, "r", as(format));
            REQUIRE(registry.ok());
            CHECK(registry.diagnostics.empty());
            const Registry& r = *registry.value;
            REQUIRE(r.template_types.size() == 1);
            const TemplateType& tt = r.template_types[0];
            CHECK(tt.id == 3);
            CHECK(tt.version == 1);
            CHECK(tt.name == "network_connect");
            REQUIRE(tt.fields.size() == 3);
            CHECK(tt.fields[0].type == format::Kind::ip);
            CHECK(tt.fields[0].operators ==
                  std::vector<format::Op>{format::Op::eq, format::Op::cidr_contains});
            CHECK_FALSE(tt.fields[0].wildcard_allowed);
            CHECK(tt.fields[1].wildcard_allowed);
            CHECK(tt.fields[1].has_uint_bounds);
            CHECK_FALSE(tt.fields[1].uint_min_incl.has_value());
            CHECK(tt.fields[1].uint_max_incl == 65535u);
            CHECK_FALSE(tt.fields[1].has_int_bounds);
            CHECK(tt.fields[2].enum_members == std::vector<std::string>{"LOW", "HIGH"});
            CHECK(r.find(3, 1) == &tt);
            CHECK(r.find(3, 2) == nullptr);
            CHECK(tt.fields[1].location.path == "template_types[0].fields[1]");
            if (format == InputFormat::text) {
                CHECK(tt.location.line == 1);
                CHECK(tt.fields[1].location.line == 6);
                CHECK(tt.fields[1].location.column == 3);
                CHECK(r.text == kRegistry);
            } else {
                CHECK(tt.fields[1].location.line == 0);
            }
        }
    }
}

TEST_CASE("a manifest loads the same from text, JSON and binary") {
    for (const InputFormat format : {InputFormat::text, InputFormat::json, InputFormat::binary}) {
        DYNAMIC_SECTION(input_format_name(format)) {
            const auto bytes = to_format<v1::SensorManifest>(kManifest, format);
            auto manifest = parse_manifest(bytes, "m", as(format));
            REQUIRE(manifest.ok());
            const SensorManifest& m = *manifest.value;
            CHECK(m.sensor_version_text == "7.11.18110");
            REQUIRE(m.version.has_value());
            CHECK(m.version->packed() == format::SensorVersion{7, 11, 18110}.packed());
            CHECK(m.description == "test build");
            REQUIRE(m.template_types.size() == 1);
            CHECK(m.template_types[0].input_types ==
                  std::vector<format::Kind>{format::Kind::ip, format::Kind::uint64});
            CHECK(m.find(3, 1) == &m.template_types[0]);
            CHECK(m.template_types[0].location.path == "template_types[0]");
            CHECK(m.location.line == (format == InputFormat::text ? 1u : 0u));
        }
    }
}

TEST_CASE("content loads the same from text, JSON and binary, with positions") {
    for (const InputFormat format : {InputFormat::text, InputFormat::json, InputFormat::binary}) {
        DYNAMIC_SECTION(input_format_name(format)) {
            const auto bytes = to_format<v1::ContentFile>(kContent, format);
            auto content = parse_content(bytes, "c", as(format));
            REQUIRE(content.ok());
            const ContentSource& c = *content.value;
            CHECK(c.file() == "c");
            CHECK(c.format() == format);
            CHECK(c.channel() == 291);
            CHECK(c.content_version() == 12);
            REQUIRE(c.instance_count() == 1);
            CHECK(c.instance_id(0) == 4);
            CHECK(c.instance_location(0).path == "instances[0]");
            CHECK(c.criterion_location(0, 1).path == "instances[0].criteria[1]");
            CHECK(c.value_location(0, 1, 1).path == "instances[0].criteria[1].values[1]");
            if (format == InputFormat::text) {
                CHECK(c.text() == kContent);
                CHECK(c.sensor_range_location().line == 3);
                CHECK(c.instance_location(0).line == 4);
                CHECK(c.instance_location(0).column == 1);
                CHECK(c.criterion_location(0, 0).line == 7);
                CHECK(c.criterion_location(0, 0).column == 3);
                CHECK(c.criterion_location(0, 1).line == 8);
                CHECK(c.value_location(0, 0, 0).line == 7);
                CHECK(c.value_location(0, 0, 0).column == 54);
                CHECK(c.value_location(0, 1, 1).line == 12);
                CHECK(c.value_location(0, 1, 1).column == 5);
            } else {
                CHECK(c.instance_location(0).line == 0);
                CHECK(c.value_location(0, 1, 1).line == 0);
            }
            if (format == InputFormat::binary) {
                CHECK(c.text().empty());
            }
        }
    }
}

TEST_CASE("a text syntax error is reported at its line and column") {
    const auto result =
        parse_content("channel: 291\ncontent_version: oops\n", "bad.txtpb", as(InputFormat::text));
    CHECK_FALSE(result.ok());
    const Diagnostic& d = only(result.diagnostics);
    CHECK(d.code == Code::syntax_error);
    CHECK(d.severity == Severity::error);
    CHECK(d.location.file == "bad.txtpb");
    CHECK(d.location.line == 2);
    CHECK(d.location.column == 18);
}

TEST_CASE("an unknown field is an error at its position") {
    const auto result =
        parse_registry("template_types { id: 1\n  colour: 3 }\n", "r.txtpb", as(InputFormat::text));
    CHECK_FALSE(result.ok());
    const Diagnostic& d = only(result.diagnostics);
    CHECK(d.code == Code::syntax_error);
    CHECK(d.location.line == 2);
    CHECK(d.location.column == 3);
    CHECK_THAT(d.message, Catch::Contains("colour"));
}

TEST_CASE("text nested past the depth limit is refused") {
    LoadOptions options = as(InputFormat::text);
    options.max_nesting_depth_incl = 2;
    CHECK(parse_content("instances { template_type { id: 1 } }", "c", options).ok());
    options.max_nesting_depth_incl = 1;
    const auto result = parse_content("instances { template_type { id: 1 } }", "c", options);
    CHECK_FALSE(result.ok());
    CHECK(only(result.diagnostics).code == Code::syntax_error);
}

TEST_CASE("JSON that does not fit the schema is RW0005") {
    const auto result =
        parse_manifest("{\"sensorVersion\": 7, \"colour\": 1}", "m.json", as(InputFormat::json));
    CHECK_FALSE(result.ok());
    const Diagnostic& d = only(result.diagnostics);
    CHECK(d.code == Code::json_error);
    CHECK(d.location.file == "m.json");
    CHECK_FALSE(d.message.empty());
}

TEST_CASE("a JSON depth bomb is refused before parsing, at the place it goes too deep") {
    const std::string bomb = "{\"instances\": [" + std::string(10000, '[') + "]}";
    const auto result = parse_content(bomb, "bomb.json", as(InputFormat::json));
    CHECK_FALSE(result.ok());
    const Diagnostic& d = only(result.diagnostics);
    CHECK(d.code == Code::json_error);
    CHECK_THAT(d.message, Catch::Contains("deeper than 32"));
    CHECK(d.location.line == 1);
    CHECK(d.location.column == 46);  // the 33rd bracket
    // Brackets inside strings do not count.
    const std::string quoted = "{\"channel\": 1, \"instances\": [{\"description\": \"" +
                               std::string(100, '[') + "\\\"[\"}]}";
    CHECK(parse_content(quoted, "q.json", as(InputFormat::json)).ok());
}

TEST_CASE("malformed binary is RW0006") {
    for (const std::string& bytes :
         {std::string("\xff\xff\xff\xff", 4), std::string("\x0a\x10short", 7),
          std::string("\x22\x05\x0a\x03", 4)}) {
        const auto result = parse_content(bytes, "c.binpb", as(InputFormat::binary));
        CHECK_FALSE(result.ok());
        CHECK(only(result.diagnostics).code == Code::binary_malformed);
    }
}

TEST_CASE("binary nested past the depth limit is refused") {
    v1::ContentFile message;
    message.add_instances()->mutable_template_type()->set_id(1);
    LoadOptions options = as(InputFormat::binary);
    options.max_nesting_depth_incl = 2;
    CHECK(parse_content(message.SerializeAsString(), "c", options).ok());
    options.max_nesting_depth_incl = 1;
    CHECK(only(parse_content(message.SerializeAsString(), "c", options).diagnostics).code ==
          Code::binary_malformed);
}

TEST_CASE("files: missing, too large, unknown extension, format flag") {
    TempDir dir;
    const auto missing = load_registry(dir.file("nope.txtpb"));
    CHECK(only(missing.diagnostics).code == Code::input_unreadable);
    CHECK_THAT(missing.diagnostics[0].message, Catch::Contains("No such file"));

    write_text(dir.file("m.txtpb"), kManifest);
    LoadOptions small;
    small.max_input_size_incl = 10;
    CHECK(only(load_manifest(dir.file("m.txtpb"), small).diagnostics).code ==
          Code::input_too_large);
    small.max_input_size_incl = std::string(kManifest).size();
    CHECK(load_manifest(dir.file("m.txtpb"), small).ok());

    write_text(dir.file("m.conf"), kManifest);
    CHECK(only(load_manifest(dir.file("m.conf")).diagnostics).code == Code::input_format_unknown);
    CHECK(load_manifest(dir.file("m.conf"), as(InputFormat::text)).ok());
    // The flag wins over the name.
    CHECK(only(load_manifest(dir.file("m.txtpb"), as(InputFormat::json)).diagnostics).code ==
          Code::json_error);
    CHECK(only(load_manifest(dir.path()).diagnostics).code == Code::input_format_unknown);
    CHECK(only(load_manifest(dir.path(), as(InputFormat::text)).diagnostics).code ==
          Code::input_unreadable);
}

TEST_CASE("format names and file extensions") {
    CHECK(input_format_from_path("a.txtpb") == InputFormat::text);
    CHECK(input_format_from_path("a.textproto") == InputFormat::text);
    CHECK(input_format_from_path("a.pbtxt") == InputFormat::text);
    CHECK(input_format_from_path("dir.json/a.json") == InputFormat::json);
    CHECK(input_format_from_path("a.binpb") == InputFormat::binary);
    CHECK(input_format_from_path("a.pb") == InputFormat::binary);
    CHECK_FALSE(input_format_from_path("a.rwc").has_value());
    CHECK_FALSE(input_format_from_path("txtpb").has_value());
    CHECK(input_format_from_name("json") == InputFormat::json);
    CHECK_FALSE(input_format_from_name("JSON").has_value());
}

TEST_CASE("load_manifests reads folders in name order and reports every bad file") {
    TempDir dir;
    write_text(dir.file("b.txtpb"), "sensor_version: \"7.12.0\"\n");
    write_text(dir.file("a.txtpb"), "sensor_version: \"7.11.0\"\n");
    write_text(dir.file("notes.md"), "not a manifest");
    auto loaded = load_manifests({dir.path()});
    REQUIRE(loaded.ok());
    REQUIRE(loaded.value->size() == 2);
    CHECK((*loaded.value)[0].sensor_version_text == "7.11.0");
    CHECK((*loaded.value)[1].sensor_version_text == "7.12.0");

    write_text(dir.file("c.txtpb"), "sensor_version: 7\n");
    write_text(dir.file("d.json"), "{");
    auto broken = load_manifests({dir.path(), dir.file("missing.txtpb")});
    CHECK_FALSE(broken.ok());
    REQUIRE(broken.diagnostics.size() == 3);
    CHECK(broken.diagnostics[0].location.file == dir.file("c.txtpb"));
    CHECK(broken.diagnostics[0].code == Code::syntax_error);
    CHECK(broken.diagnostics[1].location.file == dir.file("d.json"));
    CHECK(broken.diagnostics[1].code == Code::json_error);
    CHECK(broken.diagnostics[2].code == Code::input_unreadable);
}

TEST_CASE("the example files load") {
    CHECK(load_registry(source_path("examples/registry.txtpb")).ok());
    auto manifests = load_manifests({source_path("examples/manifests")});
    REQUIRE(manifests.ok());
    CHECK(manifests.value->size() == 3);
    for (const char* content :
         {"examples/content/detections.txtpb", "examples/content/small.txtpb",
          "examples/content/small.json", "examples/channel-291/content-earlier.txtpb",
          "examples/channel-291/content-new.txtpb"}) {
        INFO(content);
        CHECK(load_content(source_path(content)).ok());
    }
}

TEST_CASE("sensor versions parse strictly") {
    struct Case {
        const char* text;
        bool ok;
    };
    const Case cases[] = {
        {"0.0.0", true},
        {"7.11.18110", true},
        {"65535.65535.4294967295", true},
        {"65536.0.0", false},
        {"0.65536.0", false},
        {"0.0.4294967296", false},
        {"0.0.99999999999", false},
        {"07.1.1", false},
        {"7.01.1", false},
        {"7.1.00", false},
        {"1.2", false},
        {"1.2.3.4", false},
        {"", false},
        {"..", false},
        {"1..3", false},
        {"a.b.c", false},
        {" 1.2.3", false},
        {"1.2.3 ", false},
        {"+1.2.3", false},
        {"-1.2.3", false},
        {"1.2.3.", false},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const auto version = parse_sensor_version(c.text);
        CHECK(version.has_value() == c.ok);
        if (version) {
            CHECK(to_string(*version) == c.text);
        }
    }
}

TEST_CASE("files: a pipe is read to its end, and stopped at the limit") {
    TempDir dir;
    const std::string fifo = dir.file("pipe");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // More than one read buffer, so that the result grows on the way.
    const std::string payload(200'000, 'x');
    const auto feed = [&] {
        return std::thread([&] {
            FILE* out = std::fopen(fifo.c_str(), "w");
            REQUIRE(out != nullptr);
            std::fwrite(payload.data(), 1, payload.size(), out);
            std::fclose(out);
        });
    };
    std::thread writer = feed();
    const auto whole = read_file(fifo, payload.size());
    writer.join();
    REQUIRE(whole.ok());
    CHECK(*whole.value == payload);

    // One byte over: the reader takes it all before it can tell, so the
    // writer is never left blocked.
    writer = feed();
    const auto cut = read_file_bytes(fifo, payload.size() - 1);
    writer.join();
    CHECK(only(cut.diagnostics).code == Code::input_too_large);
}
