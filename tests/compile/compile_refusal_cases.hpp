// compile()'s refusals: one content source per thing the blob format cannot
// hold, with the code and where (`marker`) the finding must start. Shared by
// compile's tests and the CLI's code walk, which runs `ringward compile` on
// each with the same registry.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward::test::compile_cases {

inline const char* const kHeader =
    "channel: 291\n"
    "content_version: 7\n"
    "sensor_range { min: \"7.11.0\" max: \"7.11.99999\" }\n";

// The fields the tests write criteria on. compile() takes only the field
// indices and counts from a registry (the rest is validate's), so the
// operators and bounds here are what the blob's fields need, no more.
inline const char* const kRegistry = R"(
template_types { id: 5 version: 1 name: "every"
  fields { name: "pid" type: TYPE_UINT }
  fields { name: "delta" type: TYPE_INT }
  fields { name: "port" type: TYPE_UINT }
  fields { name: "elevated" type: TYPE_BOOL }
  fields { name: "image" type: TYPE_STRING }
  fields { name: "hash" type: TYPE_BYTES }
  fields { name: "level" type: TYPE_ENUM enum_members { name: "HIGH" } }
  fields { name: "remote" type: TYPE_IP }
  fields { name: "local" type: TYPE_IP }
  fields { name: "ports" type: TYPE_UINT }
  fields { name: "names" type: TYPE_STRING }
  fields { name: "nets" type: TYPE_IP }
  fields { name: "a" type: TYPE_STRING }
  fields { name: "b" type: TYPE_STRING }
  fields { name: "s" type: TYPE_STRING }
  fields { name: "t" type: TYPE_STRING }
  fields { name: "abcd" type: TYPE_STRING }
  fields { name: "any" type: TYPE_UINT }
  fields { name: "u" type: TYPE_UINT }
  fields { name: "parent" type: TYPE_STRING }
}
template_types { id: 1 version: 1 name: "one"
  fields { name: "a" type: TYPE_UINT } fields { name: "b" type: TYPE_UINT }
  fields { name: "c" type: TYPE_UINT } fields { name: "d" type: TYPE_UINT }
  fields { name: "e" type: TYPE_UINT }
}
template_types { id: 2 version: 1 name: "two" fields { name: "b" type: TYPE_UINT } }
template_types { id: 3 version: 1 name: "three" fields { name: "c" type: TYPE_UINT } }
)";

// One instance (id 1, template type 5 v1) with the given criteria text.
inline std::string one_instance(const std::string& criteria) {
    return std::string(kHeader) + "instances {\n  id: 1\n  template_type { id: 5 version: 1 }\n" +
           criteria + "}\n";
}

// Two declared rules, and an instance of template type 1 under `rule`.
inline const std::string kRules = "rules { id: 7 name: \"seven\" }\nrules { id: 3 }\n";
inline std::string rule_instance(uint32_t id, uint32_t rule) {
    return fmt::format(
        "instances {{ id: {} template_type {{ id: 1 version: 1 }} rule: {} "
        "criteria {{ field: \"a\" op: OP_EQ values {{ uint: {} }} }} }}\n",
        id, rule, id);
}

struct CompileRefusal {
    const char* name;
    std::string text;
    Code code;
    // Where the one finding starts: the last occurrence in `text`.
    std::string marker;
};

inline std::vector<CompileRefusal> compile_refusals() {
    return {
        {"a wildcard that also sets an operator",
         one_instance("  criteria { field: \"a\" wildcard: true op: OP_EQ }\n"),
         Code::wildcard_with_operator, "criteria {"},
        {"a wildcard with values",
         one_instance("  criteria { field: \"a\" wildcard: true values { uint: 1 } }\n"),
         Code::wildcard_with_operator, "criteria {"},
        {"neither a wildcard nor an operator",
         one_instance("  criteria { field: \"a\" values { uint: 1 } }\n"), Code::operator_missing,
         "criteria {"},
        {"an operator number outside the schema",
         one_instance("  criteria { field: \"a\" op: 99 values { uint: 1 } }\n"),
         Code::operator_unknown, "criteria {"},
        {"no field name", one_instance("  criteria { wildcard: true }\n"), Code::field_name_missing,
         "criteria {"},
        {"a value with no kind, located at the value",
         one_instance("  criteria { field: \"a\" op: OP_EQ values { } }\n"),
         Code::value_kind_missing, "values {"},
        {"values of two kinds, located at the second",
         one_instance("  criteria { field: \"a\" op: OP_IN values { uint: 1 }\n"
                      "    values { string: \"x\" } }\n"),
         Code::value_kinds_mixed, "values { string"},
        {"eq with no values", one_instance("  criteria { field: \"a\" op: OP_EQ }\n"),
         Code::value_count, "criteria {"},
        {"exists with a value",
         one_instance("  criteria { field: \"a\" op: OP_EXISTS values { string: \"x\" } }\n"),
         Code::value_count, "criteria {"},
        {"empty on a field that is not string or bytes",
         one_instance("  criteria { field: \"pid\" op: OP_EMPTY }\n"), Code::operator_kind_mismatch,
         "criteria {"},
        {"exists case-insensitive",
         one_instance("  criteria { field: \"a\" op: OP_EXISTS case_insensitive: true }\n"),
         Code::case_insensitive_misuse, "criteria {"},
        {"a field the template type does not have",
         one_instance("  criteria { field: \"nope\" op: OP_EQ values { uint: 1 } }\n"),
         Code::criterion_field_unknown, "criteria {"},
        {"a template type the registry does not define, located at the instance",
         std::string(kHeader) + "instances { id: 1 template_type { id: 5 version: 9 }\n"
                                "  criteria { field: \"a\" op: OP_EQ values { uint: 1 } } }\n",
         Code::template_type_unknown, "instances {"},
        {"a prefix of several values with one twice, located at the second",
         one_instance("  criteria { field: \"a\" op: OP_PREFIX values { string: "
                      "\"x\" }\n    values { string: \"x\" } }\n"),
         Code::set_duplicate, "values { string: \"x\" } }"},
        {"a suffix of no value", one_instance("  criteria { field: \"a\" op: OP_SUFFIX }\n"),
         Code::value_count, "criteria {"},
        {"a wildcard that is negated",
         one_instance("  criteria { field: \"a\" wildcard: true negate: true }\n"),
         Code::wildcard_with_operator, "criteria {"},
        {"range with one value",
         one_instance("  criteria { field: \"a\" op: OP_RANGE values { uint: 1 } }\n"),
         Code::value_count, "criteria {"},
        {"in with no values", one_instance("  criteria { field: \"a\" op: OP_IN }\n"),
         Code::value_count, "criteria {"},
        {"an operator that cannot take the value's kind, located at the value",
         one_instance("  criteria { field: \"a\" op: OP_LT values { string: \"x\" } }\n"),
         Code::operator_kind_mismatch, "values {"},
        {"case_insensitive on a number",
         one_instance("  criteria { field: \"a\" op: OP_EQ case_insensitive: true "
                      "values { uint: 1 } }\n"),
         Code::case_insensitive_misuse, "criteria {"},
        {"a malformed IP address",
         one_instance("  criteria { field: \"a\" op: OP_EQ values { ip: \"10.0.0.256\" } }\n"),
         Code::ip_malformed, "values {"},
        {"a network where eq wants one address",
         one_instance("  criteria { field: \"a\" op: OP_EQ values { ip: \"10.0.0.0/8\" } }\n"),
         Code::ip_malformed, "values {"},
        {"a network with host bits set",
         one_instance("  criteria { field: \"a\" op: OP_CIDR_CONTAINS "
                      "values { ip: \"10.0.0.1/8\" } }\n"),
         Code::ip_malformed, "values {"},
        {"a set with a duplicate, located at the second copy",
         one_instance("  criteria { field: \"a\" op: OP_IN values { uint: 1 }\n"
                      "    values { uint: 2 }\n"
                      "    values { uint: 1 } }\n"),
         Code::set_duplicate, "values { uint: 1 } }"},
        {"a case-insensitive set with one member in two cases, located at the second",
         one_instance("  criteria { field: \"a\" op: OP_IN case_insensitive: true\n"
                      "    values { string: \"C:\\\\a.exe\" }\n"
                      "    values { string: \"c:\\\\b.exe\" }\n"
                      "    values { string: \"c:\\\\A.EXE\" } }\n"),
         Code::set_duplicate, "values { string: \"c:\\\\A.EXE"},
        {"an instance without a template type",
         std::string(kHeader) + "instances { id: 1 criteria { field: \"a\" wildcard: true } }\n",
         Code::template_type_missing, "instances {"},
        {"two instances with one id, located at the second",
         std::string(kHeader) + "instances { id: 4 template_type { id: 1 version: 1 } }\n"
                                "instances { id: 4 template_type { id: 1 version: 1 } }\n",
         Code::instance_id_duplicate, "instances {"},
        {"a malformed sensor version",
         "channel: 1\ncontent_version: 1\n"
         "sensor_range { min: \"7.11\" max: \"7.11.0\" }\n",
         Code::sensor_version_malformed, "sensor_range"},
        {"a set with a duplicate spelled as eq is still refused as one",
         one_instance("  criteria { field: \"a\" op: OP_EQ values { uint: 1 }\n"
                      "    values { uint: 1 } }\n"),
         Code::set_duplicate, "values { uint: 1 } }"},
        {"beside another value",
         one_instance("  criteria { field: \"a\" op: OP_IN values { string: \"x\" "
                      "}\n    values { field: \"b\" } }\n"),
         Code::field_ref_not_alone, "values { field"},
        {"with an operator that does not compare with a field",
         one_instance("  criteria { field: \"a\" op: OP_GLOB values { field: \"b\" } }\n"),
         Code::field_ref_operator, "values {"},
        {"on a field that is not string or bytes",
         one_instance("  criteria { field: \"pid\" op: OP_EQ values { field: \"port\" } }\n"),
         Code::field_ref_kind, "values {"},
        {"to its own field",
         one_instance("  criteria { field: \"a\" op: OP_EQ values { field: \"a\" } }\n"),
         Code::field_ref_self, "values {"},
        {"to a field the template type does not have",
         one_instance("  criteria { field: \"a\" op: OP_EQ values { field: \"zz\" } }\n"),
         Code::criterion_field_unknown, "values {"},
        {"a value",
         std::string(kHeader) +
             "instances { id: 1 template_type { id: 5 version: 1 }\n"
             "  exclusions {\n"
             "    criteria { field: \"remote\" op: OP_EQ values { ip: \"1.2.3\" } }\n"
             "  } }\n",
         Code::ip_malformed, "values {"},
        {"a criterion",
         std::string(kHeader) + "instances { id: 1 template_type { id: 5 version: 1 }\n"
                                "  criteria { field: \"a\" op: OP_EXISTS }\n"
                                "  exclusions { criteria { field: \"a\" op: OP_EXISTS }\n"
                                "    criteria { field: \"nope\" op: OP_EXISTS } } }\n",
         Code::criterion_field_unknown, "criteria { field: \"nope\""},
        {"an exclusion without a criterion",
         std::string(kHeader) + "instances { id: 1 template_type { id: 5 version: 1 }\n"
                                "  criteria { field: \"a\" op: OP_EXISTS }\n"
                                "  exclusions { criteria { field: \"a\" wildcard: true } } }\n",
         Code::exclusion_empty, "exclusions {"},
        {"an undeclared rule, at the instance",
         std::string(kHeader) + kRules + rule_instance(1, 7) + rule_instance(2, 3) +
             rule_instance(3, 8),
         Code::rule_undeclared, "instances { id: 3"},
        {"no rule where the file declares some",
         std::string(kHeader) + kRules + rule_instance(1, 7) + rule_instance(2, 3) +
             rule_instance(3, 0),
         Code::rule_undeclared, "instances { id: 3"},
        {"a rule where the file declares none", std::string(kHeader) + rule_instance(1, 4),
         Code::rule_undeclared, "instances {"},
        {"a rule without an instance, at the rule",
         std::string(kHeader) + kRules + rule_instance(1, 7), Code::rule_unused, "rules { id: 3"},
        {"a rule id twice, at the second",
         std::string(kHeader) + kRules + "rules { id: 7 }\n" + rule_instance(1, 7) +
             rule_instance(2, 3),
         Code::rule_id_duplicate, "rules { id: 7 }"},
        {"rule id 0",
         std::string(kHeader) + kRules + "rules { id: 0 }\n" + rule_instance(1, 7) +
             rule_instance(2, 3),
         Code::rule_id_zero, "rules { id: 0"},
    };
}

}  // namespace ringward::test::compile_cases
