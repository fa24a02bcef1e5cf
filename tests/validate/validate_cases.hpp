// The validator's cases: a valid fixture (registry, two sensor builds,
// content) and, per validation code, a mutation that triggers exactly that
// finding. Shared by the validator's tests and the CLI's code walk, which
// writes each case's files and runs `ringward validate` on them.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ringward/validate.hpp"

namespace ringward::test::validate_cases {

inline const std::string kRegistry = R"(template_types {
  id: 1
  version: 1
  name: "t"
  fields { name: "s" type: TYPE_STRING operators: [OP_EQ, OP_IN, OP_GLOB, OP_REGEX] wildcard_allowed: true case_insensitive_allowed: true max_length_incl: 16 }
  fields { name: "u" type: TYPE_UINT operators: [OP_EQ, OP_RANGE, OP_IN] wildcard_allowed: true uint_bounds { min_incl: 1 max_incl: 100 } }
  fields { name: "i" type: TYPE_INT operators: [OP_EQ, OP_RANGE] wildcard_allowed: true int_bounds { min_incl: -10 max_incl: 10 } }
  fields { name: "e" type: TYPE_ENUM operators: [OP_EQ, OP_IN] wildcard_allowed: true enum_members { name: "A" } enum_members { name: "B" } }
  fields { name: "b" type: TYPE_BYTES operators: [OP_EQ] wildcard_allowed: true max_length_incl: 4 }
  fields { name: "n" type: TYPE_IP operators: [OP_EQ, OP_CIDR_CONTAINS] }
  fields { name: "f" type: TYPE_BOOL operators: [OP_EQ] wildcard_allowed: true }
}
template_types {
  id: 2
  version: 1
  name: "three"
  fields { name: "a" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }
  fields { name: "b" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }
  fields { name: "c" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }
}
template_types {
  id: 3
  version: 1
  name: "newer"
  fields { name: "x" type: TYPE_UINT operators: OP_EQ wildcard_allowed: true }
}
)";

// Build 1.0.0 supplies two of the three inputs of "three" and lacks "newer".
inline const std::string kManifestOld = R"(sensor_version: "1.0.0"
template_types { id: 1 version: 1 input_types: [TYPE_STRING, TYPE_UINT, TYPE_INT, TYPE_ENUM, TYPE_BYTES, TYPE_IP, TYPE_BOOL] }
template_types { id: 2 version: 1 input_types: [TYPE_STRING, TYPE_STRING] }
)";

inline const std::string kManifestNew = R"(sensor_version: "2.0.0"
template_types { id: 1 version: 1 input_types: [TYPE_STRING, TYPE_UINT, TYPE_INT, TYPE_ENUM, TYPE_BYTES, TYPE_IP, TYPE_BOOL] }
template_types { id: 2 version: 1 input_types: [TYPE_STRING, TYPE_STRING, TYPE_STRING] }
template_types { id: 3 version: 1 input_types: [TYPE_UINT] }
)";

inline const std::string kContent = R"(channel: 5
content_version: 1
sensor_range { min: "1.0.0" max: "2.0.0" }
instances {
  id: 1
  template_type { id: 1 version: 1 }
  criteria { field: "s" op: OP_EQ values { string: "cmd.exe" } }
  criteria { field: "u" op: OP_RANGE values { uint: 1 } values { uint: 100 } }
  criteria { field: "i" op: OP_EQ values { int: -10 } }
  criteria { field: "e" op: OP_IN values { enum: "A" } values { enum: "B" } }
  criteria { field: "b" op: OP_EQ values { bytes: "\x01\x02\x03\x04" } }
  criteria { field: "n" op: OP_CIDR_CONTAINS values { ip: "10.0.0.0/8" } }
  criteria { field: "f" op: OP_EQ values { bool: true } }
}
instances {
  id: 2
  template_type { id: 2 version: 1 }
  criteria { field: "a" op: OP_EQ values { string: "x" } }
  criteria { field: "b" wildcard: true }
  criteria { field: "c" wildcard: true }
}
)";

struct Fixture {
    std::string registry = kRegistry;
    // The limits every step runs under; cases about limits lower them.
    ValidateOptions options;
    std::string manifest_old = kManifestOld;
    std::string manifest_new = kManifestNew;
    std::string content = kContent;
    // Only build 2.0.0 supplies all of "three": content with instance 2
    // targets 2.0.0 alone unless a case widens the range.
    void only_new_build() { replace(content, "min: \"1.0.0\"", "min: \"2.0.0\""); }

    static void replace(std::string& text, const std::string& from, const std::string& to) {
        const size_t at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
    }
};

enum class Where { content, registry, manifest_old, manifest_new };

struct Case {
    const char* name;
    std::function<void(Fixture&)> mutate;
    // The codes expected (all findings, as a multiset), where the first
    // finding must be, and its severity.
    std::vector<Code> expected;
    Where where;
    // Where the first finding starts; empty for a finding on the file as a
    // whole (line and column 0).
    std::string marker;
    Severity severity = Severity::error;
    // For findings that name them.
    std::optional<uint32_t> instance_id = std::nullopt;
    std::string field = {};
    std::optional<uint32_t> field_index = std::nullopt;
    std::string sensor_version = {};
    // Findings the registry and manifests must have (content cases).
    std::vector<Code> target_expected = {};
    // Found by compile, which cannot write the instance (the registry does
    // not name its type or field): there is no blob to validate alike.
    bool found_by_compile = false;
};

using F = Fixture;

inline std::vector<Case> cases() {
    return {
        // RW03xx: content against the targeted builds.
        {"a criterion on an input the build does not supply (Channel 291)",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"c\" wildcard: true }",
                        "criteria { field: \"c\" op: OP_EQ values { string: \"y\" } }");
         },
         {Code::criterion_on_unsupplied_input, Code::field_count_exceeds_inputs},
         Where::content,
         "criteria { field: \"c\"",
         Severity::error,
         2u,
         "c",
         2u,
         "1.0.0"},
        {"a template type with more fields than the build supplies inputs, wildcards on the "
         "missing ones",
         [](F&) {},  // both builds: instance 2 has a wildcard on field c
         {Code::field_count_exceeds_inputs},
         Where::content,
         "instances {\n  id: 2",
         Severity::error,
         2u,
         "",
         std::nullopt,
         "1.0.0"},
        {"a template type the build cannot evaluate",
         [](F& f) {
             f.content +=
                 "instances { id: 3 template_type { id: 3 version: 1 } criteria { field: \"x\" "
                 "wildcard: true } }\n";
         },
         // Build 1.0.0 is in range, so instance 2's count mismatch is there too.
         {Code::template_type_unsupported, Code::field_count_exceeds_inputs},
         Where::content,
         "instances { id: 3",
         Severity::error,
         3u,
         "",
         std::nullopt,
         "1.0.0"},
        {"an input of another type than the field",
         [](F& f) {
             F::replace(f.manifest_new, "[TYPE_STRING, TYPE_UINT, TYPE_INT",
                        "[TYPE_STRING, TYPE_STRING, TYPE_INT");
         },
         {Code::input_type_mismatch},
         Where::content,
         "criteria { field: \"u\"",
         Severity::error,
         1u,
         "u",
         1u,
         "2.0.0",
         {Code::manifest_input_type_disagrees}},
        {"a sensor range without a known build",
         [](F& f) {
             F::replace(f.content, "min: \"1.0.0\" max: \"2.0.0\"",
                        "min: \"3.0.0\" max: \"4.0.0\"");
         },
         {Code::sensor_range_targets_no_build},
         Where::content,
         "sensor_range"},
        // RW04xx: content against the registry.
        {"an unknown template type version",
         [](F& f) {
             F::replace(f.content, "template_type { id: 2 version: 1 }",
                        "template_type { id: 2 version: 9 }");
         },
         {Code::template_type_unknown},
         Where::content,
         "instances {\n  id: 2",
         Severity::error,
         2u,
         "",
         std::nullopt,
         "",
         {},
         true},
        {"a criterion naming an unknown field, even a wildcard's",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"c\" wildcard: true }",
                        "criteria { field: \"cc\" wildcard: true }");
         },
         {Code::criterion_field_unknown},
         Where::content,
         "criteria { field: \"cc\"",
         Severity::error,
         2u,
         "cc",
         std::nullopt,
         "",
         {},
         true},
        {"a criterion on an unsupplied input inside an exclusion (Channel 291)",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"c\" wildcard: true }",
                        "exclusions { criteria { field: \"c\" op: OP_EQ values { string: \"y\" } "
                        "} }");
         },
         {Code::criterion_on_unsupplied_input, Code::field_count_exceeds_inputs},
         Where::content,
         "criteria { field: \"c\"",
         Severity::error,
         2u,
         "c",
         2u,
         "1.0.0"},
        {"a field reference to an unsupplied input (Channel 291)",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"a\" op: OP_EQ values { string: \"x\" } }",
                        "criteria { field: \"a\" op: OP_EQ values { field: \"c\" } }");
         },
         {Code::criterion_on_unsupplied_input, Code::field_count_exceeds_inputs},
         Where::content,
         "criteria { field: \"a\"",
         Severity::error,
         2u,
         "a",
         0u,
         "1.0.0"},
        {"a field reference between fields of different types",
         [](F& f) {
             F::replace(f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
                        "field: \"s\" op: OP_EQ values { field: \"b\" }");
         },
         {Code::field_ref_type_mismatch},
         Where::content,
         "criteria { field: \"s\"",
         Severity::error,
         1u,
         "s",
         0u},
        {"a negated eq where the field allows eq but not ne",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"a\" op: OP_EQ",
                        "criteria { field: \"a\" op: OP_EQ negate: true");
         },
         {Code::operator_not_allowed},
         Where::content,
         "criteria { field: \"a\"",
         Severity::error,
         2u,
         "a",
         0u},
        {"exists where the field does not allow it",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"f\" op: OP_EQ values { bool: true } }",
                        "criteria { field: \"f\" op: OP_EXISTS }");
         },
         {Code::operator_not_allowed},
         Where::content,
         "criteria { field: \"f\"",
         Severity::error,
         1u,
         "f",
         6u},
        {"a wildcard where none is allowed",
         [](F& f) {
             F::replace(
                 f.content,
                 "criteria { field: \"n\" op: OP_CIDR_CONTAINS values { ip: \"10.0.0.0/8\" } }",
                 "criteria { field: \"n\" wildcard: true }");
         },
         {Code::wildcard_not_allowed},
         Where::content,
         "instances {\n  id: 1",
         Severity::error,
         1u,
         "n",
         5u},
        {"an operator the field does not allow",
         [](F& f) {
             F::replace(f.content, "field: \"s\" op: OP_EQ", "field: \"s\" op: OP_CONTAINS");
         },
         {Code::operator_not_allowed},
         Where::content,
         "criteria { field: \"s\"",
         Severity::error,
         1u,
         "s",
         0u},
        {"a value of another type than the field",
         [](F& f) { F::replace(f.content, "values { int: -10 }", "values { uint: 10 }"); },
         {Code::value_type_mismatch},
         Where::content,
         "criteria { field: \"i\"",
         Severity::error,
         1u,
         "i",
         2u},
        {"a number below the field's bounds",
         [](F& f) { F::replace(f.content, "values { int: -10 }", "values { int: -11 }"); },
         {Code::value_out_of_bounds},
         Where::content,
         "values { int: -11 }",
         Severity::error,
         1u,
         "i",
         2u},
        {"the high end of a range above the field's bounds",
         [](F& f) { F::replace(f.content, "values { uint: 100 }", "values { uint: 101 }"); },
         {Code::value_out_of_bounds},
         Where::content,
         "values { uint: 101 }",
         Severity::error,
         1u,
         "u",
         1u},
        {"a set member outside the bounds, located at that member",
         [](F& f) {
             F::replace(
                 f.content, "field: \"u\" op: OP_RANGE values { uint: 1 } values { uint: 100 }",
                 "field: \"u\" op: OP_IN values { uint: 5 } values { uint: 0 } values { uint: 7 }");
         },
         {Code::value_out_of_bounds},
         Where::content,
         "values { uint: 0 }",
         Severity::error,
         1u,
         "u",
         1u},
        {"a value longer than the field allows",
         [](F& f) {
             F::replace(f.content, "values { bytes: \"\\x01\\x02\\x03\\x04\" }",
                        "values { bytes: \"\\x01\\x02\\x03\\x04\\x05\" }");
         },
         {Code::value_too_long},
         Where::content,
         "values { bytes:",
         Severity::error,
         1u,
         "b",
         4u},
        {"a string that is not UTF-8",
         [](F& f) {
             F::replace(f.content, "values { string: \"cmd.exe\" }",
                        "values { string: \"cmd\\xff.exe\" }");
         },
         {Code::string_not_utf8},
         Where::content,
         "values { string: \"cmd",
         Severity::error,
         1u,
         "s",
         0u},
        {"an unknown enum member",
         [](F& f) { F::replace(f.content, "values { enum: \"B\" }", "values { enum: \"C\" }"); },
         {Code::enum_member_unknown},
         Where::content,
         "values { enum: \"C\" }",
         Severity::error,
         1u,
         "e",
         3u},
        {"case_insensitive on a field that does not allow it",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"a\" op: OP_EQ",
                        "criteria { field: \"a\" op: OP_EQ case_insensitive: true");
         },
         {Code::case_insensitive_not_allowed},
         Where::content,
         "criteria { field: \"a\"",
         Severity::error,
         2u,
         "a",
         0u},
        {"a glob with an unclosed class",
         [](F& f) {
             F::replace(f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
                        "field: \"s\" op: OP_GLOB values { string: \"*.[ch\" }");
         },
         {Code::glob_malformed},
         Where::content,
         "values { string: \"*.[ch\" }",
         Severity::error,
         1u,
         "s",
         0u},
        {"a glob that escapes an ordinary character (a warning)",
         [](F& f) {
             F::replace(f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
                        "field: \"s\" op: OP_GLOB values { string: \"C:\\\\W*\" }");
         },
         {Code::glob_needless_escape},
         Where::content,
         "values { string: \"C:",
         Severity::warning,
         1u,
         "s",
         0u},
        {"a range that runs backwards",
         [](F& f) {
             F::replace(f.content, "values { uint: 1 } values { uint: 100 }",
                        "values { uint: 100 } values { uint: 1 }");
         },
         {Code::range_inverted},
         Where::content,
         "criteria { field: \"u\"",
         Severity::error,
         1u,
         "u",
         1u},
        {"a sensor range that runs backwards",
         [](F& f) {
             F::replace(f.content, "min: \"1.0.0\" max: \"2.0.0\"",
                        "min: \"2.0.0\" max: \"1.0.0\"");
         },
         {Code::sensor_range_inverted},
         Where::content,
         "sensor_range"},
        {"channel 0",
         [](F& f) { F::replace(f.content, "channel: 5\n", "channel: 0\n"); },
         {Code::channel_zero},
         Where::content,
         "channel"},
        {"content_version 0",
         [](F& f) { F::replace(f.content, "content_version: 1\n", "content_version: 0\n"); },
         {Code::content_version_zero},
         Where::content,
         "content_version"},
        {"instance id 0",
         [](F& f) { F::replace(f.content, "  id: 1\n", "  id: 0\n"); },
         {Code::instance_id_zero},
         Where::content,
         "instances {",
         Severity::error,
         0u},
        {"a duplicate instance under another id (a warning)",
         [](F& f) {
             f.only_new_build();
             f.content +=
                 "instances {\n  id: 7\n  template_type { id: 2 version: 1 }\n  criteria { field: "
                 "\"a\" op: OP_EQ values { string: \"x\" } }\n  criteria { field: \"b\" wildcard: "
                 "true }\n  criteria { field: \"c\" wildcard: true }\n}\n";
         },
         {Code::duplicate_instance},
         Where::content,
         "instances {\n  id: 7",
         Severity::warning,
         7u},
        // RW05xx: the registry on its own.
        {"a template type defined twice",
         [](F& f) { f.registry += "template_types { id: 3 version: 1 name: \"again\" }\n"; },
         {Code::template_type_duplicate},
         Where::registry,
         "template_types { id: 3 version: 1 name: \"again\""},
        {"a template type version 0",
         [](F& f) { f.registry += "template_types { id: 9 version: 0 }\n"; },
         {Code::template_type_id_zero},
         Where::registry,
         "template_types { id: 9"},
        {"a field name that is not an identifier",
         [](F& f) { F::replace(f.registry, "fields { name: \"x\"", "fields { name: \"9x\""); },
         {Code::field_name_invalid},
         Where::registry,
         "fields { name: \"9x\"",
         Severity::error,
         std::nullopt,
         "9x",
         0u},
        {"two fields of one name",
         [](F& f) { F::replace(f.registry, "fields { name: \"c\"", "fields { name: \"a\""); },
         {Code::field_name_duplicate},
         Where::registry,
         "fields { name: \"a\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n}",
         Severity::error,
         std::nullopt,
         "a",
         2u},
        {"a field without a type",
         [](F& f) {
             F::replace(f.registry, "fields { name: \"x\" type: TYPE_UINT", "fields { name: \"x\"");
         },
         {Code::field_type_unknown},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        {"a field type number beyond a byte, which must not wrap to a known type",
         [](F& f) {
             F::replace(f.registry, "fields { name: \"x\" type: TYPE_UINT",
                        "fields { name: \"x\" type: 258");
         },
         {Code::field_type_unknown},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        {"bounds that run backwards",
         [](F& f) {
             F::replace(f.registry, "min_incl: -10 max_incl: 10", "min_incl: 10 max_incl: -10");
         },
         {Code::bounds_inconsistent},
         Where::registry,
         "fields { name: \"i\"",
         Severity::error,
         std::nullopt,
         "i",
         2u},
        {"a bound on a type that has none",
         [](F& f) {
             F::replace(f.registry, "fields { name: \"x\" type: TYPE_UINT",
                        "fields { name: \"x\" max_length_incl: 3 type: TYPE_UINT");
         },
         {Code::bound_wrong_type},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        {"an enum without members",
         [](F& f) {
             F::replace(f.registry, "enum_members { name: \"A\" } enum_members { name: \"B\" }",
                        "");
         },
         {Code::enum_empty},
         Where::registry,
         "fields { name: \"e\"",
         Severity::error,
         std::nullopt,
         "e",
         3u},
        {"an enum member that is not an identifier",
         [](F& f) {
             F::replace(f.registry, "enum_members { name: \"B\" }",
                        "enum_members { name: \"B-2\" }");
         },
         {Code::enum_member_invalid},
         Where::registry,
         "fields { name: \"e\"",
         Severity::error,
         std::nullopt,
         "e",
         3u},
        {"an enum member listed twice",
         [](F& f) {
             F::replace(f.registry, "enum_members { name: \"B\" }", "enum_members { name: \"A\" }");
         },
         {Code::enum_member_duplicate},
         Where::registry,
         "fields { name: \"e\"",
         Severity::error,
         std::nullopt,
         "e",
         3u},
        {"an operator that cannot apply to the type",
         [](F& f) {
             F::replace(f.registry, "name: \"x\" type: TYPE_UINT operators: OP_EQ",
                        "name: \"x\" type: TYPE_UINT operators: [OP_EQ, OP_REGEX]");
         },
         {Code::operator_illegal_for_type},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        {"an operator number beyond a byte, which must not wrap to a known operator",
         [](F& f) {
             F::replace(f.registry, "name: \"x\" type: TYPE_UINT operators: OP_EQ",
                        "name: \"x\" type: TYPE_UINT operators: [OP_EQ, 257]");
         },
         {Code::field_operator_unknown},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        {"an operator number outside the schema",
         [](F& f) {
             F::replace(f.registry, "name: \"x\" type: TYPE_UINT operators: OP_EQ",
                        "name: \"x\" type: TYPE_UINT operators: [OP_EQ, 42]");
         },
         {Code::field_operator_unknown},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        {"an operator listed twice (a warning)",
         [](F& f) {
             F::replace(f.registry, "name: \"x\" type: TYPE_UINT operators: OP_EQ",
                        "name: \"x\" type: TYPE_UINT operators: [OP_EQ, OP_EQ]");
         },
         {Code::operator_repeated},
         Where::registry,
         "fields { name: \"x\"",
         Severity::warning,
         std::nullopt,
         "x",
         0u},
        {"a field with neither operators nor a wildcard",
         [](F& f) {
             F::replace(f.registry,
                        "name: \"x\" type: TYPE_UINT operators: OP_EQ wildcard_allowed: true",
                        "name: \"x\" type: TYPE_UINT");
         },
         {Code::field_unmatchable},
         Where::registry,
         "fields { name: \"x\"",
         Severity::error,
         std::nullopt,
         "x",
         0u},
        // RW06xx: manifests against the registry.
        {"a manifest version that does not parse",
         [](F& f) {
             F::replace(f.manifest_old, "sensor_version: \"1.0.0\"", "sensor_version: \"1.0\"");
         },
         {Code::manifest_sensor_version_invalid},
         Where::manifest_old,
         "sensor_version",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "1.0"},
        {"two manifests of one build",
         [](F& f) {
             F::replace(f.manifest_new, "sensor_version: \"2.0.0\"", "sensor_version: \"1.0.0\"");
         },
         {Code::manifest_sensor_version_duplicate},
         Where::manifest_new,
         "sensor_version",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "1.0.0"},
        {"a manifest entry the registry does not define",
         [](F& f) {
             f.manifest_new += "template_types { id: 8 version: 1 input_types: [TYPE_UINT] }\n";
         },
         {Code::manifest_template_type_unknown},
         Where::manifest_new,
         "template_types { id: 8",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "2.0.0"},
        {"a manifest entry listed twice",
         [](F& f) {
             f.manifest_new += "template_types {  id: 3 version: 1 input_types: [TYPE_UINT] }\n";
         },
         {Code::manifest_template_type_duplicate},
         Where::manifest_new,
         "template_types {  id: 3",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "2.0.0"},
        {"an unset input type",
         [](F& f) {
             F::replace(f.manifest_new, "id: 3 version: 1 input_types: [TYPE_UINT]",
                        "id: 3 version: 1 input_types: [TYPE_UNSPECIFIED]");
         },
         {Code::manifest_input_type_unknown},
         Where::manifest_new,
         "template_types { id: 3",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "2.0.0"},
        {"an input type number beyond a byte, which must not wrap to a known type",
         [](F& f) {
             F::replace(f.manifest_new, "id: 3 version: 1 input_types: [TYPE_UINT]",
                        "id: 3 version: 1 input_types: [258]");
         },
         {Code::manifest_input_type_unknown},
         Where::manifest_new,
         "template_types { id: 3",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "2.0.0"},
        {"an input type that disagrees with the field",
         [](F& f) {
             F::replace(f.manifest_new, "id: 3 version: 1 input_types: [TYPE_UINT]",
                        "id: 3 version: 1 input_types: [TYPE_INT]");
         },
         {Code::manifest_input_type_disagrees},
         Where::manifest_new,
         "template_types { id: 3",
         Severity::error,
         std::nullopt,
         "x",
         0u,
         "2.0.0"},
        {"more inputs than fields",
         [](F& f) {
             F::replace(f.manifest_new, "id: 3 version: 1 input_types: [TYPE_UINT]",
                        "id: 3 version: 1 input_types: [TYPE_UINT, TYPE_UINT]");
         },
         {Code::manifest_inputs_exceed_fields},
         Where::manifest_new,
         "template_types { id: 3",
         Severity::error,
         std::nullopt,
         "",
         std::nullopt,
         "2.0.0"},
        // RW07xx: limits.
        {"a registry with more template types than the limit",
         [](F& f) { f.options.limits.max_template_types_incl = 2; },
         {Code::too_many_template_types},
         Where::registry,
         ""},  // the registry as a whole
        {"a template type with more fields than the limit",
         [](F& f) { f.options.limits.max_fields_per_template_type_incl = 6; },
         {Code::too_many_fields},
         Where::registry,
         "template_types {\n  id: 1"},
        {"a set larger than the validator allows",
         [](F& f) { f.options.limits.max_content_set_size_incl = 1; },
         {Code::set_too_large},
         Where::content,
         "criteria { field: \"e\"",
         Severity::error,
         1u,
         "e",
         3u},
        {"a regex longer than the limit",
         [](F& f) {
             F::replace(
                 f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
                 "field: \"s\" op: OP_REGEX values { string: \"" + std::string(1025, 'a') + "\" }");
         },
         // Compile turns every regex into its program (docs/regex.md) and
         // refuses this one there, so no blob is written to find the value's
         // length on as well.
         {Code::regex_too_long},
         Where::content,
         "values { string: \"aaa",
         Severity::error,
         1u,
         "s",
         0u,
         "",
         {},
         true},
        {"a max_length_incl above the blob format's limit",
         [](F& f) { F::replace(f.registry, "max_length_incl: 16", "max_length_incl: 40000"); },
         {Code::max_length_above_limit},
         Where::registry,
         "fields { name: \"s\"",
         Severity::error,
         std::nullopt,
         "s",
         0u},
    };
}

inline const std::string& text_of(const Fixture& f, Where where) {
    switch (where) {
        case Where::registry:
            return f.registry;
        case Where::manifest_old:
            return f.manifest_old;
        case Where::manifest_new:
            return f.manifest_new;
        case Where::content:
            break;
    }
    return f.content;
}

inline const char* file_of(Where where) {
    switch (where) {
        case Where::registry:
            return "registry.txtpb";
        case Where::manifest_old:
            return "old.txtpb";
        case Where::manifest_new:
            return "new.txtpb";
        case Where::content:
            break;
    }
    return "content.txtpb";
}

// Applies the case to the valid fixture. Instance 2 ("three") needs build
// 2.0.0; cases about the range itself or about build 1.0.0 keep both builds.
inline void apply_case(const Case& c, Fixture& f) {
    const bool needs_old_build = std::find_if(c.expected.begin(), c.expected.end(), [](Code code) {
                                     return code == Code::criterion_on_unsupplied_input ||
                                            code == Code::template_type_unsupported ||
                                            code == Code::sensor_range_targets_no_build ||
                                            code == Code::sensor_range_inverted ||
                                            code == Code::field_count_exceeds_inputs ||
                                            code == Code::duplicate_instance;
                                 }) != c.expected.end();
    c.mutate(f);
    if (!needs_old_build && f.content.find("min: \"1.0.0\" max: \"2.0.0\"") != std::string::npos) {
        f.only_new_build();
    }
}

// What only a blob can get wrong: content compiled against another registry
// than the one its blob is validated against. The fixture's registry with
// instance 2's template type, "three", declaring the fields `three` gives.
inline std::string registry_with_three(const std::string& three) {
    std::string other = kRegistry;
    Fixture::replace(other,
                     "  fields { name: \"a\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: "
                     "true }\n  fields { name: \"b\" type: TYPE_STRING operators: OP_EQ "
                     "wildcard_allowed: true }\n  fields { name: \"c\" type: TYPE_STRING "
                     "operators: OP_EQ wildcard_allowed: true }\n",
                     three);
    return other;
}
// One field more (RW0520), and two fields swapped (RW0521).
inline const std::string kThreeWithFour =
    "  fields { name: \"a\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n"
    "  fields { name: \"b\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n"
    "  fields { name: \"c\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n"
    "  fields { name: \"d\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n";
inline const std::string kThreeReordered =
    "  fields { name: \"b\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n"
    "  fields { name: \"a\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n"
    "  fields { name: \"c\" type: TYPE_STRING operators: OP_EQ wildcard_allowed: true }\n";

}  // namespace ringward::test::validate_cases
