// import sigma on arbitrary rule text with the example mapping: it converts
// or refuses, never crashes, and what it says holds together: a refusal has
// findings with RW09xx codes and positions, a conversion has none and its
// content file reads back with every instance in its rule and every
// exclusion non-empty, and the same input always gives the same file.
#include <google/protobuf/text_format.h>

#include "harness/targets.hpp"
#include "ringward/sigma.hpp"
#include "ringward/v1/content.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    static const sigma::Mapping mapping = [] {
        auto loaded = sigma::load_mapping(fuzz::source_dir() + "/examples/sigma/mapping.txtpb");
        fuzz::require(loaded.ok(), "the example mapping does not load");
        return *loaded.value;
    }();
    const sigma::RuleSource source{"fuzz.yml",
                                   std::string(reinterpret_cast<const char*>(data), size)};
    const sigma::ImportResult result = sigma::import_rules(mapping, std::span(&source, 1));
    fuzz::require(result.rules.size() == 1, "one rule in, not one status out");
    const sigma::RuleStatus& status = result.rules[0];
    fuzz::require(status.imported == status.findings.empty(),
                  "a rule is imported exactly when it has no findings");
    for (const Diagnostic& d : status.findings) {
        fuzz::check_diagnostic(d);
        const auto number = static_cast<uint16_t>(d.code);
        fuzz::require(number >= 900 && number <= 999, "an import finding outside RW09xx");
        fuzz::require(d.severity == Severity::error, "an import finding that is not an error");
    }
    v1::ContentFile content;
    fuzz::require(google::protobuf::TextFormat::ParseFromString(result.content_text, &content),
                  "the imported content does not read back");
    fuzz::require(content.rules_size() == (status.imported ? 1 : 0), "rules and status disagree");
    fuzz::require(static_cast<size_t>(content.instances_size()) == status.instances,
                  "instance count and status disagree");
    fuzz::require(!status.imported || status.instances >= 1, "an imported rule without instances");
    for (const v1::TemplateInstance& instance : content.instances()) {
        fuzz::require(instance.rule() == status.rule_id, "an instance outside its rule");
        for (const v1::Exclusion& exclusion : instance.exclusions()) {
            fuzz::require(exclusion.criteria_size() >= 1, "an empty exclusion");
        }
    }
    const sigma::ImportResult again = sigma::import_rules(mapping, std::span(&source, 1));
    fuzz::require(again.content_text == result.content_text, "the same rule imported two ways");
    return 0;
}
