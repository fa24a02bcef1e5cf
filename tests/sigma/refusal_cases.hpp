// One Sigma rule per refusal code, with the code, line and column it is
// refused at. Shared by the import's tests and the CLI's code walk.
#pragma once

#include <string>
#include <vector>

#include "sigma/sigma_support.hpp"

namespace ringward::test {

struct Refusal {
    const char* what;
    std::string yaml;
    Code code;
    uint32_t line;
    uint32_t column;
    sigma::ImportOptions options = {};
};

// process_rule() puts the detection's first line on line 7.
inline std::vector<Refusal> refusals() {
    sigma::ImportOptions two_instances;
    two_instances.max_instances_per_rule_incl = 2;
    sigma::ImportOptions four_values;
    four_values.max_values_per_criterion_incl = 4;
    return {
        {"no detection", "title: x\nlogsource:\n    product: windows\n", Code::sigma_yaml_malformed,
         1, 1},
        {"not YAML", "title: x\ndetection: [a\n", Code::sigma_yaml_malformed, 3, 1},
        {"two documents", "title: a\n---\ntitle: b\n", Code::sigma_yaml_malformed, 1, 1},
        // yaml-cpp 0.7's LoadAll never ends on these: each document it reads
        // after the stray comma is a null that consumes nothing.
        {"a stray comma", ",\n", Code::sigma_yaml_malformed, 1, 1},
        {"commas before the rule", ",,,,title: x\nstatus: test\n", Code::sigma_yaml_malformed, 1,
         1},
        {"a key twice",
         "title: x\nlogsource:\n    product: windows\n    product: linux\ndetection: {}\n",
         Code::sigma_yaml_malformed, 4, 5},
        {"logsource not mapped",
         "title: x\nlogsource:\n    product: windows\n    service: security\n"
         "detection:\n    s:\n        EventID: 1\n    condition: s\n",
         Code::sigma_logsource_unmapped, 3, 5},
        {"field not mapped", process_rule("    s:\n        Provider_Name: 'x'\n    condition: s\n"),
         Code::sigma_field_unmapped, 8, 9},
        {"fieldref to a field not mapped",
         process_rule("    s:\n        Image|fieldref: Nope\n    condition: s\n"),
         Code::sigma_field_unmapped, 8, 25},
        {"keywords", process_rule("    keywords:\n        - 'a'\n    condition: keywords\n"),
         Code::sigma_keyword_search, 8, 9},
        {"keyword with modifiers",
         process_rule("    s:\n        '|contains': 'a'\n    condition: s\n"),
         Code::sigma_keyword_search, 8, 9},
        {"aggregation",
         process_rule("    s:\n        Image: 'a'\n    condition: s | count() > 5\n"),
         Code::sigma_aggregation, 9, 18},
        {"timeframe",
         process_rule("    s:\n        Image: 'a'\n    timeframe: 5m\n    condition: s\n"),
         Code::sigma_aggregation, 9, 16},
        {"unknown modifier", process_rule("    s:\n        Image|expand: 'a'\n    condition: s\n"),
         Code::sigma_modifier_unsupported, 8, 9},
        {"cidr on a string",
         process_rule("    s:\n        Image|cidr: '10.0.0.0/8'\n    condition: s\n"),
         Code::sigma_modifier_unsupported, 8, 9},
        {"re with contains",
         process_rule("    s:\n        Image|re|contains: 'a'\n    condition: s\n"),
         Code::sigma_modifier_unsupported, 8, 9},
        {"two position modifiers",
         process_rule("    s:\n        Image|contains|endswith: 'a'\n    condition: s\n"),
         Code::sigma_modifier_unsupported, 8, 9},
        {"unknown identifier",
         process_rule("    selection:\n        Image: 'a'\n"
                      "    condition: selection and not filter\n"),
         Code::sigma_condition_malformed, 9, 34},
        {"unbalanced parenthesis", process_rule("    s:\n        Image: 'a'\n    condition: (s\n"),
         Code::sigma_condition_malformed, 9, 16},
        {"pattern matching nothing",
         process_rule("    s:\n        Image: 'a'\n    condition: 1 of filter_*\n"),
         Code::sigma_condition_malformed, 9, 16},
        {"too many instances",
         process_rule("    s:\n        - Image: 'a'\n        - User: 'b'\n        - Product: 'c'\n"
                      "    condition: s\n"),
         Code::sigma_instance_limit, 11, 16, two_instances},
        {"not a number", process_rule("    s:\n        ProcessId: 'a*'\n    condition: s\n"),
         Code::sigma_value_inexpressible, 8, 20},
        {"wide without base64",
         process_rule("    s:\n        CommandLine|wide: 'a'\n    condition: s\n"),
         Code::sigma_value_inexpressible, 8, 27},
        {"base64 of a wildcard",
         process_rule("    s:\n        CommandLine|base64: 'a*'\n    condition: s\n"),
         Code::sigma_value_inexpressible, 8, 29},
        {"a YAML float on a string field",
         process_rule("    s:\n        CommandLine: 1.5\n    condition: s\n"),
         Code::sigma_value_inexpressible, 8, 22},
        {"non-ASCII letter, case-insensitive",
         process_rule("    s:\n        CommandLine|contains: 'Dom\xc3\xa4nen'\n    condition: s\n"),
         Code::sigma_case_fold_inexact, 8, 31},
        {"windash past the limit",
         process_rule("    s:\n        CommandLine|windash: ' -a'\n    condition: s\n"),
         Code::sigma_expansion_limit, 8, 30, four_values},
        {"keyword mixed with maps",
         process_rule("    s:\n        - Image: 'a'\n        - 'b'\n    condition: s\n"),
         Code::sigma_detection_malformed, 8, 9},
        {"a field twice in one map",
         process_rule("    s:\n        Image: 'a'\n        Image: 'b'\n    condition: s\n"),
         Code::sigma_detection_malformed, 9, 9},
        {"empty value list", process_rule("    s:\n        Image: []\n    condition: s\n"),
         Code::sigma_detection_malformed, 8, 16},
    };
}

}  // namespace ringward::test
