// Reading Sysmon-style JSON events and mapping them to template types
// (events.hpp, docs/events.md).
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "events/events_internal.hpp"
#include "events/json.hpp"
#include "events/lines.hpp"
#include "ringward/compile.hpp"
#include "ringward/events.hpp"
#include "ringward/file.hpp"
#include "sigma/mapping.hpp"

namespace ringward::events {
namespace {

using detail::JsonDocument;
using detail::JsonNode;
using detail::kNoNode;

const char* type_name(JsonNode::Type type) {
    switch (type) {
        case JsonNode::Type::null:
            return "null";
        case JsonNode::Type::boolean:
            return "a boolean";
        case JsonNode::Type::number:
            return "a number";
        case JsonNode::Type::string:
            return "a string";
        case JsonNode::Type::array:
            return "an array";
        case JsonNode::Type::object:
            return "an object";
    }
    return "?";
}

Diagnostic mapping_error(std::string message, const Location& at, std::string help) {
    return make_diagnostic(Code::events_mapping_invalid, std::move(message), at, std::move(help));
}

// Decimal digits (and, when `hex` is allowed, 0x and hex digits) as a
// uint64; nullopt for anything else or past 2^64 - 1.
std::optional<uint64_t> parse_unsigned(std::string_view text, bool hex) {
    unsigned base = 10;
    if (hex && text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    uint64_t value = 0;
    for (const char c : text) {
        unsigned digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<unsigned>(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            digit = static_cast<unsigned>(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            digit = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) {
            return std::nullopt;
        }
        value = value * base + digit;
    }
    return value;
}

// A whole number, as int64's two's-complement bits.
std::optional<uint64_t> parse_signed(std::string_view text, bool hex) {
    const bool negative = !text.empty() && text[0] == '-';
    if (negative) {
        text.remove_prefix(1);
    }
    const auto magnitude = parse_unsigned(text, hex);
    if (!magnitude) {
        return std::nullopt;
    }
    constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;
    if (negative) {
        if (*magnitude > kMaxMagnitude) {
            return std::nullopt;
        }
        return ~*magnitude + 1;
    }
    if (*magnitude >= kMaxMagnitude) {
        return std::nullopt;
    }
    return *magnitude;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

class Reader {
  public:
    Reader(std::string_view text, const std::string& file, const EventMapping::Impl& mapping,
           const EventLimits& limits)
        : text_(text), file_(file), lines_(text), mapping_(mapping), limits_(limits) {}

    Result<EventFile> run() {
        auto parsed = detail::parse_json_values(text_, file_, limits_.max_nesting_depth_incl);
        if (!parsed.ok()) {
            return Result<EventFile>::failure(std::move(parsed.diagnostics));
        }
        doc_ = std::move(*parsed.value);
        EventFile out;
        out.file = file_;
        size_t index = 0;
        bool stopped = false;
        const auto one = [&](uint32_t node) {
            if (stopped) {
                return;
            }
            if (index == limits_.max_events_per_file_incl) {
                error(Code::event_malformed, doc_.at(node).offset,
                      fmt::format("the file holds more than {} events",
                                  limits_.max_events_per_file_incl),
                      "split the events into several files");
                stopped = true;
                return;
            }
            if (auto event = read_event(node, index)) {
                out.events.push_back(std::move(*event));
            }
            ++index;
        };
        for (const uint32_t root : doc_.roots) {
            if (doc_.at(root).type == JsonNode::Type::array) {
                for (uint32_t child = doc_.at(root).first_child; child != kNoNode;
                     child = doc_.at(child).next_sibling) {
                    one(child);
                }
            } else {
                one(root);
            }
        }
        if (index == 0) {
            error(Code::events_file_empty, 0, "the events file holds no event",
                  "give events as JSON objects: one, several back to back, or an array of them");
        }
        if (has_errors(diagnostics_) && out.events.empty()) {
            return Result<EventFile>::failure(std::move(diagnostics_));
        }
        return Result<EventFile>::success(std::move(out), std::move(diagnostics_));
    }

  private:
    bool error(Code code, size_t offset, std::string message, std::string help = {}) {
        diagnostics_.push_back(make_diagnostic(code, std::move(message),
                                               lines_.location(file_, offset), std::move(help)));
        return false;
    }

    // A field's value: an evtx exporter writes an element with attributes
    // as {"#attributes": {...}, "#text": value}. kNoNode when there is none.
    uint32_t unwrap(uint32_t node) const {
        if (node == kNoNode || doc_.at(node).type != JsonNode::Type::object) {
            return node;
        }
        return doc_.member(node, "#text");
    }

    bool is_null(uint32_t node) const {
        return node == kNoNode || doc_.at(node).type == JsonNode::Type::null;
    }

    struct Fields {
        std::map<std::string, uint32_t, std::less<>> by_name;
        std::string channel;
        std::optional<uint64_t> event_id;
    };

    bool add_field(Fields& fields, const std::string& name, uint32_t value, size_t at) {
        const auto [it, fresh] = fields.by_name.emplace(name, value);
        if (!fresh) {
            return error(Code::events_key_duplicate, at,
                         fmt::format("the event gives the field '{}' twice", name),
                         "give each field once");
        }
        return true;
    }

    // EventData in evtx_dump's list form: "Data": [{"#attributes": {"Name":
    // "Image"}, "#text": "..."}] (or one such object).
    bool data_entry(Fields& fields, uint32_t entry) {
        const JsonNode& node = doc_.at(entry);
        const uint32_t attributes =
            node.type == JsonNode::Type::object ? doc_.member(entry, "#attributes") : kNoNode;
        const uint32_t name =
            attributes != kNoNode && doc_.at(attributes).type == JsonNode::Type::object
                ? doc_.member(attributes, "Name")
                : kNoNode;
        if (name == kNoNode || doc_.at(name).type != JsonNode::Type::string) {
            return error(Code::event_malformed, node.offset,
                         "an EventData Data entry is not {\"#attributes\": {\"Name\": ...}, "
                         "\"#text\": ...}",
                         "name each Data entry, as evtx exporters write them");
        }
        const uint32_t text = doc_.member(entry, "#text");
        return add_field(fields, doc_.at(name).text, text, node.offset);
    }

    bool system_value(uint32_t holder, Fields& fields) {
        const uint32_t id = unwrap(doc_.member(holder, "EventID"));
        if (!is_null(id)) {
            const JsonNode& node = doc_.at(id);
            std::optional<uint64_t> value;
            if (node.type == JsonNode::Type::number || node.type == JsonNode::Type::string) {
                value = parse_unsigned(node.text, false);
            }
            if (!value) {
                return error(Code::event_malformed, node.offset,
                             fmt::format("EventID is {}, not a whole number",
                                         node.type == JsonNode::Type::string
                                             ? fmt::format("\"{}\"", node.text)
                                             : std::string(type_name(node.type))),
                             "write the event's id, e.g. \"EventID\": 1");
            }
            fields.event_id = value;
        }
        const uint32_t channel = unwrap(doc_.member(holder, "Channel"));
        if (!is_null(channel)) {
            const JsonNode& node = doc_.at(channel);
            if (node.type != JsonNode::Type::string) {
                return error(Code::event_malformed, node.offset,
                             fmt::format("Channel is {}, not a string", type_name(node.type)),
                             "write the event log's name, e.g. "
                             "\"Microsoft-Windows-Sysmon/Operational\"");
            }
            fields.channel = node.text;
        }
        return true;
    }

    std::optional<Fields> fields_of(uint32_t event) {
        Fields fields;
        uint32_t body = event;
        const uint32_t wrapper = doc_.member(event, "Event");
        if (wrapper != kNoNode) {
            if (doc_.at(wrapper).type != JsonNode::Type::object) {
                error(Code::event_malformed, doc_.at(wrapper).offset,
                      fmt::format("\"Event\" is {}, not an object",
                                  type_name(doc_.at(wrapper).type)));
                return std::nullopt;
            }
            body = wrapper;
        }
        const uint32_t system = doc_.member(body, "System");
        if (system == kNoNode) {
            // Flat: every member a field, EventID and Channel among them.
            if (!system_value(body, fields)) {
                return std::nullopt;
            }
            for (uint32_t m = doc_.at(body).first_child; m != kNoNode;
                 m = doc_.at(m).next_sibling) {
                fields.by_name.emplace(doc_.at(m).key, m);
            }
            return fields;
        }
        if (doc_.at(system).type != JsonNode::Type::object) {
            error(Code::event_malformed, doc_.at(system).offset,
                  fmt::format("\"System\" is {}, not an object", type_name(doc_.at(system).type)));
            return std::nullopt;
        }
        if (!system_value(system, fields)) {
            return std::nullopt;
        }
        const uint32_t data = doc_.member(body, "EventData");
        if (is_null(data)) {
            return fields;
        }
        if (doc_.at(data).type != JsonNode::Type::object) {
            error(Code::event_malformed, doc_.at(data).offset,
                  fmt::format("\"EventData\" is {}, not an object", type_name(doc_.at(data).type)));
            return std::nullopt;
        }
        for (uint32_t m = doc_.at(data).first_child; m != kNoNode; m = doc_.at(m).next_sibling) {
            const JsonNode& member = doc_.at(m);
            if (!member.key.empty() && member.key[0] == '#') {
                continue;  // the element's own attributes, not a field
            }
            bool ok = true;
            if (member.key == "Data" && member.type == JsonNode::Type::array) {
                for (uint32_t e = member.first_child; e != kNoNode && ok;
                     e = doc_.at(e).next_sibling) {
                    ok = data_entry(fields, e);
                }
            } else if (member.key == "Data" && member.type == JsonNode::Type::object &&
                       doc_.member(m, "#attributes") != kNoNode) {
                ok = data_entry(fields, m);
            } else {
                ok = add_field(fields, member.key, m, member.key_offset);
            }
            if (!ok) {
                return std::nullopt;
            }
        }
        return fields;
    }

    static bool meets(const detail::Selector& selector, const Fields& fields,
                      const JsonDocument& doc) {
        if (!selector.channel.empty() && selector.channel != fields.channel) {
            return false;
        }
        if (!fields.event_id || std::find(selector.event_ids.begin(), selector.event_ids.end(),
                                          *fields.event_id) == selector.event_ids.end()) {
            return false;
        }
        if (selector.field.empty()) {
            return true;
        }
        const auto it = fields.by_name.find(selector.field);
        if (it == fields.by_name.end()) {
            return false;
        }
        uint32_t value = it->second;
        if (value != kNoNode && doc.at(value).type == JsonNode::Type::object) {
            value = doc.member(value, "#text");
        }
        if (value == kNoNode || (doc.at(value).type != JsonNode::Type::string &&
                                 doc.at(value).type != JsonNode::Type::number)) {
            return false;
        }
        return std::find(selector.values.begin(), selector.values.end(), doc.at(value).text) !=
               selector.values.end();
    }

    // The value of `node` as an input of `kind`; false (with RW1053) when
    // it is none.
    bool convert(uint32_t node, const detail::MappedInput& input, InputValue& out) {
        const JsonNode& value = doc_.at(node);
        const auto invalid = [&](std::string help) {
            return error(
                Code::event_value_invalid, value.offset,
                fmt::format(
                    "field '{}' is {} and the event gives it {}{}", input.event_field,
                    format::kind_name(input.kind), type_name(value.type),
                    value.type == JsonNode::Type::string || value.type == JsonNode::Type::number
                        ? fmt::format(" {}{}{}", value.type == JsonNode::Type::string ? "\"" : "",
                                      value.text, value.type == JsonNode::Type::string ? "\"" : "")
                        : std::string()),
                std::move(help));
        };
        out.kind = input.kind;
        out.present = true;
        const bool scalar_text =
            value.type == JsonNode::Type::string || value.type == JsonNode::Type::number;
        switch (input.kind) {
            case format::Kind::string:
                if (value.type == JsonNode::Type::array || value.type == JsonNode::Type::object) {
                    return invalid("give a string, a number or a boolean");
                }
                out.bytes = value.text;
                return true;
            case format::Kind::uint64: {
                const auto number =
                    scalar_text ? parse_unsigned(value.text, value.type == JsonNode::Type::string)
                                : std::nullopt;
                if (!number) {
                    return invalid("give a whole number from 0 to 2^64-1, decimal or \"0x\" hex");
                }
                out.number = *number;
                return true;
            }
            case format::Kind::int64: {
                const auto number =
                    scalar_text ? parse_signed(value.text, value.type == JsonNode::Type::string)
                                : std::nullopt;
                if (!number) {
                    return invalid("give a whole number from -2^63 to 2^63-1");
                }
                out.number = *number;
                return true;
            }
            case format::Kind::boolean:
                if (value.type == JsonNode::Type::boolean ||
                    (value.type == JsonNode::Type::string &&
                     (ascii_iequal(value.text, "true") || ascii_iequal(value.text, "false")))) {
                    out.number = ascii_iequal(value.text, "true") ? 1 : 0;
                    return true;
                }
                return invalid("give true or false (or the strings \"true\" and \"false\")");
            case format::Kind::ip: {
                const auto ip = value.type == JsonNode::Type::string ? parse_ip(value.text, false)
                                                                     : std::optional<IpValue>{};
                if (!ip) {
                    return invalid("give one address, e.g. \"192.0.2.7\" or \"2001:db8::1\"");
                }
                out.address = ip->address;
                return true;
            }
            default:
                break;
        }
        // make_event_mapping admits no other kind.
        return invalid("map the field to a string, int, uint, bool or IP template field");
    }

    std::optional<Event> read_event(uint32_t node, size_t index) {
        const JsonNode& object = doc_.at(node);
        if (object.type != JsonNode::Type::object) {
            error(Code::event_malformed, object.offset,
                  fmt::format("event {} is {}, not an object", index, type_name(object.type)),
                  "write each event as a JSON object");
            return std::nullopt;
        }
        auto fields = fields_of(node);
        if (!fields) {
            return std::nullopt;
        }
        Event event;
        event.index = index;
        event.location = lines_.location(file_, object.offset);
        event.channel = fields->channel;
        event.event_id = fields->event_id;
        bool ok = true;
        for (const detail::LogsourceEvents& logsource : mapping_.logsources) {
            const bool selected =
                std::any_of(logsource.selectors.begin(), logsource.selectors.end(),
                            [&](const detail::Selector& s) { return meets(s, *fields, doc_); });
            if (!selected) {
                continue;
            }
            TemplateEvent mapped;
            mapped.template_type_id = logsource.template_type_id;
            mapped.template_type_version = logsource.template_type_version;
            mapped.logsource = logsource.name;
            mapped.inputs.resize(logsource.field_kinds.size());
            for (size_t f = 0; f < logsource.field_kinds.size(); ++f) {
                mapped.inputs[f].kind = logsource.field_kinds[f];
            }
            for (const detail::MappedInput& input : logsource.inputs) {
                const auto it = fields->by_name.find(input.event_field);
                if (it == fields->by_name.end()) {
                    continue;
                }
                const uint32_t value = unwrap(it->second);
                if (is_null(value)) {
                    continue;
                }
                ok = convert(value, input, mapped.inputs[input.index]) && ok;
            }
            event.mapped.push_back(std::move(mapped));
        }
        if (!ok) {
            return std::nullopt;
        }
        return event;
    }

    std::string_view text_;
    const std::string& file_;
    detail::LineIndex lines_;
    const EventMapping::Impl& mapping_;
    const EventLimits& limits_;
    JsonDocument doc_;
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace

Result<EventMapping> make_event_mapping(const sigma::Mapping& mapping, const Registry& registry) {
    std::vector<Diagnostic> errors;
    auto impl = std::make_shared<EventMapping::Impl>();
    for (const sigma::MappedLogsource& logsource : mapping.impl().logsources) {
        if (logsource.events.empty()) {
            continue;  // no events are this logsource's
        }
        const Location& at = logsource.location;
        detail::LogsourceEvents out;
        out.name = logsource.product;
        for (const std::string* part : {&logsource.category, &logsource.service}) {
            if (!part->empty()) {
                out.name += (out.name.empty() ? "" : "/") + *part;
            }
        }
        bool ok = true;
        for (const v1::EventSelector& selector : logsource.events) {
            if (selector.event_ids().empty() ||
                selector.field().empty() != selector.values().empty()) {
                errors.push_back(mapping_error(
                    fmt::format("logsource {}: an event selector {}", out.name,
                                selector.event_ids().empty()
                                    ? "names no event id"
                                    : "gives a field without values, or values without a field"),
                    at,
                    "write events { channel: \"...\" event_ids: [1] } and, to narrow it, "
                    "field: \"EventType\" values: [\"CreateKey\"]"));
                ok = false;
                continue;
            }
            detail::Selector s;
            s.channel = selector.channel();
            s.event_ids.assign(selector.event_ids().begin(), selector.event_ids().end());
            s.field = selector.field();
            s.values.assign(selector.values().begin(), selector.values().end());
            out.selectors.push_back(std::move(s));
        }
        const TemplateType* type = registry.find(logsource.template_id, logsource.template_version);
        if (type == nullptr) {
            errors.push_back(mapping_error(
                fmt::format("logsource {} maps to template type {} v{}, which the registry {} "
                            "does not have",
                            out.name, logsource.template_id, logsource.template_version,
                            registry.file),
                at, "map it to a template type of the registry the content is compiled against"));
            continue;
        }
        out.template_type_id = type->id;
        out.template_type_version = type->version;
        for (const FieldSpec& field : type->fields) {
            out.field_kinds.push_back(field.type);
        }
        for (const auto& [sigma_name, mapped] : logsource.fields) {
            // Named, not captured: clang 14 captures no structured binding.
            const std::string& field_name = mapped.field;
            const auto found =
                std::find_if(type->fields.begin(), type->fields.end(),
                             [&](const FieldSpec& f) { return f.name == field_name; });
            if (found == type->fields.end()) {
                errors.push_back(mapping_error(
                    fmt::format("logsource {}: field '{}' maps to '{}', which template type '{}' "
                                "v{} does not declare",
                                out.name, sigma_name, mapped.field, type->name, type->version),
                    at, "map it to one of the template type's fields"));
                ok = false;
                continue;
            }
            if (static_cast<int>(found->type) != static_cast<int>(mapped.type)) {
                errors.push_back(mapping_error(
                    fmt::format("logsource {}: field '{}' is mapped as {} and the registry's '{}' "
                                "is {}",
                                out.name, sigma_name,
                                format::kind_name(static_cast<format::Kind>(mapped.type)),
                                mapped.field, format::kind_name(found->type)),
                    at, "give the mapping the registry's type"));
                ok = false;
                continue;
            }
            detail::MappedInput input;
            input.event_field = sigma_name;
            input.index = static_cast<uint16_t>(found - type->fields.begin());
            input.kind = found->type;
            out.inputs.push_back(std::move(input));
        }
        if (ok) {
            impl->logsources.push_back(std::move(out));
        }
    }
    if (!errors.empty()) {
        return Result<EventMapping>::failure(std::move(errors));
    }
    return Result<EventMapping>::success(EventMapping(std::move(impl)));
}

Result<EventFile> parse_events(std::string_view text, const std::string& file,
                               const EventMapping& mapping, const EventLimits& limits) {
    Reader reader(text, file, mapping.impl(), limits);
    return reader.run();
}

Result<EventFile> load_events(const std::string& path, const EventMapping& mapping,
                              const EventLimits& limits) {
    auto text = read_file(path, limits.max_file_size_incl);
    if (!text.ok()) {
        return Result<EventFile>::failure(std::move(text.diagnostics));
    }
    return parse_events(*text.value, path, mapping, limits);
}

std::vector<ringward_input> inputs_for(const TemplateEvent& event,
                                       const ringward_template_support& support) {
    std::vector<ringward_input> inputs(support.input_count);
    for (uint32_t i = 0; i < support.input_count; ++i) {
        inputs[i].type = support.input_types[i];
        if (i >= event.inputs.size()) {
            continue;  // the build supplies more than the registry declares
        }
        const InputValue& value = event.inputs[i];
        if (!value.present || static_cast<uint8_t>(value.kind) != support.input_types[i]) {
            continue;  // a build that supplies the field as another type hands it absent
        }
        inputs[i].present = 1;
        inputs[i].number = value.number;
        inputs[i].data = reinterpret_cast<const uint8_t*>(value.bytes.data());
        inputs[i].size = value.bytes.size();
        std::copy(value.address.begin(), value.address.end(), inputs[i].address);
    }
    return inputs;
}

}  // namespace ringward::events
