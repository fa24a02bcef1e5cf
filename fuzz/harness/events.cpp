// The events reader on arbitrary bytes with the example mapping: it reads or
// refuses, never crashes, and what it says holds together. Every finding is
// RW1050-RW1055 at a line and column inside the text; a file without a value
// has an error; events come in file order with distinct indices, each
// mapped event has one input per field of its template type, typed as the
// registry says; a build's input array from it never points outside the
// event; and the same bytes always read the same way.
#include <algorithm>

#include "harness/targets.hpp"
#include "ringward/events.hpp"

namespace {

using namespace ringward;

struct Setup {
    Registry registry;
    std::optional<events::EventMapping> mapping;
};

const Setup& setup() {
    static const Setup loaded = [] {
        Setup s;
        s.registry = fuzz::example_registry();
        auto mapping = sigma::load_mapping(fuzz::source_dir() + "/examples/sigma/mapping.txtpb");
        fuzz::require(mapping.ok(), "the example mapping does not load");
        auto events = events::make_event_mapping(*mapping.value, s.registry);
        fuzz::require(events.ok(), "the example mapping does not fit the example registry");
        s.mapping = *events.value;
        return s;
    }();
    return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const Setup& s = setup();
    const std::string text(reinterpret_cast<const char*>(data), size);
    events::EventLimits limits;
    limits.max_events_per_file_incl = 64;
    const auto file = events::parse_events(text, "fuzz.json", *s.mapping, limits);
    const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const Diagnostic& d : file.diagnostics) {
        fuzz::check_diagnostic(d);
        const auto number = static_cast<uint16_t>(d.code);
        fuzz::require(number >= 1050 && number <= 1055, "an events finding outside RW1050-RW1055");
        fuzz::require(d.location.line >= 1 && d.location.line <= lines && d.location.column >= 1,
                      "a finding outside the text");
    }
    fuzz::require(file.ok() || has_errors(file.diagnostics), "no value and no error");
    if (!file.ok()) {
        return 0;
    }
    fuzz::require(!file.value->events.empty() || has_errors(file.diagnostics),
                  "a value without events and without an error");
    size_t previous = 0;
    bool first = true;
    for (const events::Event& event : file.value->events) {
        fuzz::require(first || event.index > previous, "events out of file order");
        fuzz::require(event.index < limits.max_events_per_file_incl, "an event past the limit");
        previous = event.index;
        first = false;
        for (const events::TemplateEvent& mapped : event.mapped) {
            const TemplateType* type =
                s.registry.find(mapped.template_type_id, mapped.template_type_version);
            fuzz::require(type != nullptr,
                          "an event mapped to a template type not in the registry");
            fuzz::require(mapped.inputs.size() == type->fields.size(),
                          "a mapped event without one input per field");
            std::vector<uint8_t> types;
            for (size_t f = 0; f < type->fields.size(); ++f) {
                fuzz::require(mapped.inputs[f].kind == type->fields[f].type,
                              "an input typed otherwise than its field");
                types.push_back(static_cast<uint8_t>(type->fields[f].type));
            }
            const ringward_template_support support{
                type->id, type->version, static_cast<uint32_t>(types.size()), types.data()};
            for (const ringward_input& input : events::inputs_for(mapped, support)) {
                fuzz::require(input.present == 0 || input.size == 0 || input.data != nullptr,
                              "a present input without its bytes");
            }
        }
    }
    const auto again = events::parse_events(text, "fuzz.json", *s.mapping, limits);
    fuzz::require(again.ok() && again.value->events.size() == file.value->events.size() &&
                      again.diagnostics.size() == file.diagnostics.size(),
                  "the same bytes read two ways");
    return 0;
}
