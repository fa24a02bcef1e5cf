// The events reader: Sysmon-style JSON in its exported shapes, mapped through
// the example Sigma mapping to typed inputs; every refusal with its code,
// line and column.
#include <catch2/catch.hpp>

#include "ringward/events.hpp"
#include "support/run.hpp"

using namespace ringward;
using events::EventFile;
using events::EventMapping;

namespace {

const Registry& registry() {
    static const Registry loaded = [] {
        auto r = load_registry(test::source_path("examples/registry.txtpb"));
        REQUIRE(r.ok());
        return std::move(*r.value);
    }();
    return loaded;
}

const EventMapping& mapping() {
    static const EventMapping loaded = [] {
        auto m = sigma::load_mapping(test::source_path("examples/sigma/mapping.txtpb"));
        REQUIRE(m.ok());
        auto e = events::make_event_mapping(*m.value, registry());
        REQUIRE(e.ok());
        return *e.value;
    }();
    return loaded;
}

Result<EventFile> parse(const std::string& text) {
    return events::parse_events(text, "ev.json", mapping());
}

// The index of a field of a template type in the example registry.
size_t field(uint32_t id, uint32_t version, const std::string& name) {
    const TemplateType* type = registry().find(id, version);
    REQUIRE(type != nullptr);
    for (size_t f = 0; f < type->fields.size(); ++f) {
        if (type->fields[f].name == name) {
            return f;
        }
    }
    FAIL("no field " << name);
    return 0;
}

void require_one(const std::vector<Diagnostic>& diagnostics, Code code, uint32_t line,
                 uint32_t column) {
    INFO((diagnostics.empty() ? std::string("no diagnostic") : diagnostics.front().message));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == code);
    CHECK(diagnostics[0].location.file == "ev.json");
    CHECK(diagnostics[0].location.line == line);
    CHECK(diagnostics[0].location.column == column);
}

const char* const kSysmon = "\"Channel\": \"Microsoft-Windows-Sysmon/Operational\"";

}  // namespace

TEST_CASE("the example events file maps to process_start v3 and the registry types") {
    auto file =
        events::load_events(test::source_path("examples/sigma/events/sysmon.json"), mapping());
    INFO((file.diagnostics.empty() ? "" : file.diagnostics.front().message));
    REQUIRE(file.ok());
    CHECK(file.diagnostics.empty());
    const auto& list = file.value->events;
    REQUIRE(list.size() == 4);
    CHECK(list[0].event_id == 1u);
    CHECK(list[0].channel == "Microsoft-Windows-Sysmon/Operational");
    CHECK(list[0].location.line == 2);
    CHECK(list[0].location.column == 3);
    REQUIRE(list[0].mapped.size() == 1);
    const events::TemplateEvent& process = list[0].mapped[0];
    CHECK(process.template_type_id == 1);
    CHECK(process.template_type_version == 3);
    CHECK(process.logsource == "windows/process_creation");
    REQUIRE(process.inputs.size() == registry().find(1, 3)->fields.size());
    const auto& pid = process.inputs[field(1, 3, "pid")];
    CHECK(pid.present);
    CHECK(pid.kind == format::Kind::uint64);
    CHECK(pid.number == 4242);
    const auto& image = process.inputs[field(1, 3, "image_path")];
    CHECK(image.bytes == "C:\\Users\\alice\\AppData\\Local\\Temp\\cu.exe");
    CHECK_FALSE(process.inputs[field(1, 3, "md5")].present);
    // Event 13 in evtx_dump's Data-list form, with EventID as #text: both
    // registry_set and registry_event.
    CHECK(list[2].event_id == 13u);
    REQUIRE(list[2].mapped.size() == 2);
    CHECK(list[2].mapped[0].logsource == "windows/registry_set");
    CHECK(list[2].mapped[1].logsource == "windows/registry_event");
    const auto& details = list[2].mapped[0].inputs[field(14, 1, "details")];
    CHECK(details.bytes == "C:\\Users\\alice\\AppData\\Local\\Temp\\upd.exe");
    CHECK(list[2].mapped[0].inputs[field(14, 1, "pid")].number == 5120);
    // Event 5 has no logsource in the mapping: read, mapped to nothing.
    CHECK(list[3].event_id == 5u);
    CHECK(list[3].mapped.empty());
}

TEST_CASE("flat events, events without Event, and values back to back are read") {
    const std::string text = std::string("{\"EventID\": 1, ") + kSysmon +
                             ", \"CommandLine\": 42, \"ProcessId\": \"0x10\"}\n"
                             "{\"System\": {\"EventID\": \"22\", " +
                             kSysmon +
                             "}, \"EventData\": {\"QueryName\": \"example.org\"}}\n"
                             "[{\"EventID\": 3, " +
                             kSysmon +
                             ", \"Initiated\": \"True\", \"DestinationIp\": \"192.0.2.7\", "
                             "\"DestinationPort\": 443}]\n";
    auto file = parse(text);
    REQUIRE(file.ok());
    const auto& list = file.value->events;
    REQUIRE(list.size() == 3);
    CHECK(list[2].index == 2);
    CHECK(list[2].location.line == 3);
    CHECK(list[2].location.column == 2);
    const auto& process = list[0].mapped.at(0);
    CHECK(process.inputs[field(1, 3, "command_line")].bytes == "42");
    CHECK(process.inputs[field(1, 3, "pid")].number == 16);
    const auto& dns = list[1].mapped.at(0);
    CHECK(dns.template_type_id == 4);
    CHECK(dns.inputs[field(4, 2, "query_name")].bytes == "example.org");
    const auto& net = list[2].mapped.at(0);
    CHECK(net.template_type_id == 3);
    CHECK(net.inputs[field(3, 2, "initiated")].number == 1);
    CHECK(net.inputs[field(3, 2, "destination_port")].number == 443);
    const std::array<uint8_t, 16> address{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7};
    CHECK(net.inputs[field(3, 2, "destination_ip")].address == address);
}

TEST_CASE("a selector's field narrows Sysmon's event 12 to registry_add or registry_delete") {
    const std::string text = std::string("{\"EventID\": 12, ") + kSysmon +
                             ", \"EventType\": \"DeleteValue\"}"
                             "{\"EventID\": 12, " +
                             kSysmon + ", \"EventType\": \"CreateKey\"}";
    auto file = parse(text);
    REQUIRE(file.ok());
    REQUIRE(file.value->events.size() == 2);
    const auto& deleted = file.value->events[0].mapped;
    REQUIRE(deleted.size() == 2);
    CHECK(deleted[0].logsource == "windows/registry_delete");
    CHECK(deleted[1].logsource == "windows/registry_event");
    const auto& added = file.value->events[1].mapped;
    REQUIRE(added.size() == 2);
    CHECK(added[0].logsource == "windows/registry_add");
    // Another channel is no Sysmon event.
    auto other = parse("{\"EventID\": 1, \"Channel\": \"Security\"}");
    REQUIRE(other.ok());
    CHECK(other.value->events.at(0).mapped.empty());
}

TEST_CASE("RW1050: text that is not JSON, at its line and column") {
    auto comma = parse("{\"EventID\": 1,\n  }");
    CHECK_FALSE(comma.ok());
    require_one(comma.diagnostics, Code::events_json_malformed, 1, 14);
    auto utf8 = parse("{\"Image\": \"a\xff\"}");
    CHECK_FALSE(utf8.ok());
    require_one(utf8.diagnostics, Code::events_json_malformed, 1, 13);
    auto deep =
        events::parse_events(std::string(65, '[') + std::string(65, ']'), "ev.json", mapping());
    CHECK_FALSE(deep.ok());
    require_one(deep.diagnostics, Code::events_json_malformed, 1, 65);
    auto open = parse("{\"EventID\": 1");
    require_one(open.diagnostics, Code::events_json_malformed, 1, 14);
}

TEST_CASE("RW1051: a key twice, in an object or as two Data entries") {
    auto twice = parse("{\"EventID\": 1,\n \"EventID\": 3}");
    CHECK_FALSE(twice.ok());
    require_one(twice.diagnostics, Code::events_key_duplicate, 2, 2);
    CHECK(twice.diagnostics[0].message.find("first at 1:2") != std::string::npos);
    auto data = parse(
        "{\"System\": {\"EventID\": 1}, \"EventData\": {\"Image\": \"a\", \"Data\": "
        "[{\"#attributes\": {\"Name\": \"Image\"}, \"#text\": \"b\"}]}}");
    CHECK_FALSE(data.ok());
    require_one(data.diagnostics, Code::events_key_duplicate, 1, 65);
}

TEST_CASE("RW1052: an event of another shape is left out, the others are read") {
    auto file = parse(
        "[{\"EventID\": \"one\"},\n {\"EventID\": 1}, 7, {\"Event\": []},"
        " {\"System\": 1}, {\"System\": {\"Channel\": 5}}]");
    REQUIRE(file.ok());
    REQUIRE(file.value->events.size() == 1);
    CHECK(file.value->events[0].index == 1);
    const auto& d = file.diagnostics;
    REQUIRE(d.size() == 5);
    for (const Diagnostic& one : d) {
        CHECK(one.code == Code::event_malformed);
        CHECK(one.location.line == (&one == &d[0] ? 1u : 2u));
    }
    CHECK(d[0].location.column == 14);
    CHECK(d[1].location.column == 18);
    CHECK(d[2].location.column == 31);
    CHECK(d[3].location.column == 47);
    CHECK(d[4].location.column == 74);
}

TEST_CASE("RW1053: a mapped value that is not of its field's type") {
    const std::string text = std::string("{\"EventID\": 1, ") + kSysmon +
                             ", \"ProcessId\": \"12a\"}\n{\"EventID\": 3, " + kSysmon +
                             ", \"DestinationIp\": \"10.0.0.300\", \"Initiated\": 1}\n"
                             "{\"EventID\": 1, " +
                             kSysmon + ", \"ProcessId\": -1, \"Image\": [\"x\"]}\n{\"EventID\": 1}";
    auto file = parse(text);
    REQUIRE(file.ok());
    REQUIRE(file.value->events.size() == 1);
    CHECK(file.value->events[0].index == 3);
    const auto& d = file.diagnostics;
    REQUIRE(d.size() == 5);
    for (const Diagnostic& one : d) {
        CHECK(one.code == Code::event_value_invalid);
    }
    CHECK(d[0].location.line == 1);
    CHECK(d[0].location.column == 80);
    CHECK(d[0].message == "field 'ProcessId' is uint and the event gives it a string \"12a\"");
    CHECK(d[1].location.line == 2);
    CHECK(d[2].location.line == 2);
    CHECK(d[3].location.line == 3);
    CHECK(d[4].location.line == 3);
}

TEST_CASE("RW1054: selectors and fields that do not fit the registry") {
    const auto check = [](const std::string& entry, const std::string& expected) {
        const std::string text =
            "sensor_range { min: \"7.14.0\" max: \"7.14.99999\" }\n"
            "logsources {\n  product: \"windows\"\n  category: \"process_creation\"\n" +
            entry + "}\n";
        auto m = sigma::parse_mapping_text(text, "map.txtpb");
        REQUIRE(m.ok());
        auto e = events::make_event_mapping(*m.value, registry());
        CHECK_FALSE(e.ok());
        REQUIRE(e.diagnostics.size() == 1);
        CHECK(e.diagnostics[0].code == Code::events_mapping_invalid);
        CHECK(e.diagnostics[0].location.file == "map.txtpb");
        CHECK(e.diagnostics[0].location.line == 2);
        CHECK(e.diagnostics[0].message == expected);
    };
    check("  template_type { id: 1 version: 3 }\n  events { channel: \"c\" }\n",
          "logsource windows/process_creation: an event selector names no event id");
    check(
        "  template_type { id: 1 version: 3 }\n  events { event_ids: [1] field: \"EventType\" }\n",
        "logsource windows/process_creation: an event selector gives a field without values, "
        "or values without a field");
    check("  template_type { id: 1 version: 9 }\n  events { event_ids: [1] }\n",
          "logsource windows/process_creation maps to template type 1 v9, which the registry " +
              test::source_path("examples/registry.txtpb") + " does not have");
    check(
        "  template_type { id: 1 version: 3 }\n  events { event_ids: [1] }\n"
        "  fields { sigma: \"Image\" field: \"no_such\" }\n",
        "logsource windows/process_creation: field 'Image' maps to 'no_such', which template "
        "type 'process_start' v3 does not declare");
    check(
        "  template_type { id: 1 version: 3 }\n  events { event_ids: [1] }\n"
        "  fields { sigma: \"ProcessId\" field: \"pid\" }\n",
        "logsource windows/process_creation: field 'ProcessId' is mapped as string and the "
        "registry's 'pid' is uint");
}

TEST_CASE("RW1055: a file without events") {
    for (const char* text : {"", "[]", " \n"}) {
        auto file = parse(text);
        CHECK_FALSE(file.ok());
        require_one(file.diagnostics, Code::events_file_empty, 1, 1);
    }
}

TEST_CASE("inputs_for hands what the build supplies, typed as its table says") {
    auto file = parse(std::string("{\"EventID\": 1, ") + kSysmon +
                      ", \"Image\": \"a.exe\", \"ProcessId\": 7}");
    REQUIRE(file.ok());
    const events::TemplateEvent& event = file.value->events.at(0).mapped.at(0);
    const size_t image = field(1, 3, "image_path");
    const size_t pid = field(1, 3, "pid");
    REQUIRE(image == 0);
    // A build that supplies two inputs, the second as a string: pid (index
    // 4) is not handed at all, and index 1 is absent.
    const uint8_t types[] = {RINGWARD_TYPE_STRING, RINGWARD_TYPE_UINT};
    const ringward_template_support support{1, 3, 2, types};
    const auto inputs = events::inputs_for(event, support);
    REQUIRE(inputs.size() == 2);
    CHECK(inputs[0].present == 1);
    CHECK(std::string(reinterpret_cast<const char*>(inputs[0].data), inputs[0].size) == "a.exe");
    CHECK(inputs[1].present == 0);
    CHECK(inputs[1].type == RINGWARD_TYPE_UINT);
    CHECK(pid == 4);
}
