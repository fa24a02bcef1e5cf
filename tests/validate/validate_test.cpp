// Every validation code: a case that triggers exactly that finding, with its
// severity and location, next to the valid fixture it was made from.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>

#include "ringward/validate.hpp"
#include "support/fixtures.hpp"
#include "support/run.hpp"
#include "support/text.hpp"

using namespace ringward;
using ringward::test::position_of;
using ringward::test::source_path;
using ringward::test::text_format;

namespace {

const std::string kRegistry = R"(template_types {
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
const std::string kManifestOld = R"(sensor_version: "1.0.0"
template_types { id: 1 version: 1 input_types: [TYPE_STRING, TYPE_UINT, TYPE_INT, TYPE_ENUM, TYPE_BYTES, TYPE_IP, TYPE_BOOL] }
template_types { id: 2 version: 1 input_types: [TYPE_STRING, TYPE_STRING] }
)";

const std::string kManifestNew = R"(sensor_version: "2.0.0"
template_types { id: 1 version: 1 input_types: [TYPE_STRING, TYPE_UINT, TYPE_INT, TYPE_ENUM, TYPE_BYTES, TYPE_IP, TYPE_BOOL] }
template_types { id: 2 version: 1 input_types: [TYPE_STRING, TYPE_STRING, TYPE_STRING] }
template_types { id: 3 version: 1 input_types: [TYPE_UINT] }
)";

const std::string kContent = R"(channel: 5
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

struct Outcome {
    std::vector<Diagnostic> target;   // registry and manifests
    std::vector<Diagnostic> content;  // the content, validated from source
    std::vector<Diagnostic> blob;     // the same content's blob, validated as a blob
    bool target_ok = false;
    bool passed = false;
};

Outcome run(const Fixture& f) {
    Outcome outcome;
    auto registry = parse_registry(f.registry, "registry.txtpb", text_format());
    REQUIRE(registry.ok());
    auto old_build = parse_manifest(f.manifest_old, "old.txtpb", text_format());
    auto new_build = parse_manifest(f.manifest_new, "new.txtpb", text_format());
    REQUIRE(old_build.ok());
    REQUIRE(new_build.ok());
    std::vector<SensorManifest> manifests;
    manifests.push_back(std::move(*old_build.value));
    manifests.push_back(std::move(*new_build.value));
    auto target =
        ValidationTarget::create(std::move(*registry.value), std::move(manifests), f.options);
    outcome.target = target.diagnostics;
    outcome.target_ok = target.ok();
    if (!target.ok()) {
        return outcome;
    }
    auto content = parse_content(f.content, "content.txtpb", text_format());
    REQUIRE(content.ok());
    auto validated = validate_content(*content.value, *target.value, f.options);
    outcome.content = validated.diagnostics;
    outcome.passed = validated.ok();
    auto compiled = compile(*content.value);
    if (compiled.ok()) {
        auto as_blob =
            validate_blob(compiled.value->bytes, "content.rwc", *target.value, f.options);
        outcome.blob = as_blob.diagnostics;
        CHECK(as_blob.ok() == validated.ok());
    }
    return outcome;
}

std::multiset<Code> codes(const std::vector<Diagnostic>& diagnostics) {
    std::multiset<Code> out;
    for (const Diagnostic& d : diagnostics) {
        out.insert(d.code);
    }
    return out;
}

std::string describe(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const Diagnostic& d : diagnostics) {
        out += render_text(d, nullptr);
    }
    return out;
}

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
};

using F = Fixture;

std::vector<Case> cases() {
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
         2u},
        {"a missing criterion",
         [](F& f) { F::replace(f.content, "  criteria { field: \"c\" wildcard: true }\n", ""); },
         {Code::criterion_missing},
         Where::content,
         "instances {\n  id: 2",
         Severity::error,
         2u,
         "c",
         2u},
        {"an extra criterion",
         [](F& f) {
             F::replace(f.content, "  criteria { field: \"c\" wildcard: true }\n",
                        "  criteria { field: \"c\" wildcard: true }\n  criteria { field: \"d\" "
                        "wildcard: true }\n");
         },
         {Code::criterion_extra},
         Where::content,
         "criteria { field: \"d\"",
         Severity::error,
         2u,
         "d",
         3u},
        {"a criterion naming an unknown field",
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
         2u},
        {"criteria out of field order",
         [](F& f) {
             F::replace(f.content, "criteria { field: \"b\" wildcard: true }",
                        "criteria { field: \"X\" wildcard: true }");
             F::replace(f.content, "criteria { field: \"c\" wildcard: true }",
                        "criteria { field: \"b\" wildcard: true }");
             F::replace(f.content, "criteria { field: \"X\" wildcard: true }",
                        "criteria { field: \"c\" wildcard: true }");
         },
         {Code::criterion_out_of_order, Code::criterion_out_of_order},
         Where::content,
         "criteria { field: \"c\" wildcard",
         Severity::error,
         2u,
         "c",
         1u},
        {"a wildcard where none is allowed",
         [](F& f) {
             F::replace(
                 f.content,
                 "criteria { field: \"n\" op: OP_CIDR_CONTAINS values { ip: \"10.0.0.0/8\" } }",
                 "criteria { field: \"n\" wildcard: true }");
         },
         {Code::wildcard_not_allowed},
         Where::content,
         "criteria { field: \"n\"",
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
        {"a regex RE2 cannot parse",
         [](F& f) {
             F::replace(f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
                        "field: \"s\" op: OP_REGEX values { string: \"(a\\\\1)\" }");
         },
         {Code::regex_malformed},
         Where::content,
         "values { string: \"(a",
         Severity::error,
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
         {Code::regex_too_long, Code::value_too_long},
         Where::content,
         "values { string: \"aaa",
         Severity::error,
         1u,
         "s",
         0u},
        {"a regex that compiles too large",
         [](F& f) {
             F::replace(f.registry, "max_length_incl: 16", "max_length_incl: 1024");
             F::replace(f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
                        "field: \"s\" op: OP_REGEX values { string: \"(abc|def){1,300}\" }");
         },
         {Code::regex_too_complex},
         Where::content,
         "values { string: \"(abc|def)",
         Severity::error,
         1u,
         "s",
         0u},
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

const std::string& text_of(const Fixture& f, Where where) {
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

const char* file_of(Where where) {
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

// Applies the case to the valid fixture and runs every step on the result.
Outcome run_case(const Case& c, Fixture& f) {
    // Instance 2 ("three") needs build 2.0.0; cases about the range itself
    // or about build 1.0.0 keep both builds.
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
    return run(f);
}

const std::vector<Diagnostic>& found_in(const Case& c, const Outcome& outcome) {
    return c.where == Where::content ? outcome.content : outcome.target;
}

}  // namespace

TEST_CASE("the fixture passes with no findings") {
    Fixture f;
    f.only_new_build();
    const Outcome outcome = run(f);
    INFO(describe(outcome.target) << describe(outcome.content));
    CHECK(outcome.target.empty());
    CHECK(outcome.content.empty());
    CHECK(outcome.blob.empty());
    CHECK(outcome.passed);
}

TEST_CASE("each finding, with its code, severity and location") {
    for (const Case& c : cases()) {
        DYNAMIC_SECTION(c.name) {
            REQUIRE_FALSE(c.expected.empty());  // a row that expects nothing tests nothing
            Fixture f;
            const Outcome outcome = run_case(c, f);
            const bool in_target = c.where != Where::content;
            const auto& found = found_in(c, outcome);
            INFO(describe(outcome.target) << describe(outcome.content));
            CHECK(codes(found) == std::multiset<Code>(c.expected.begin(), c.expected.end()));
            if (!in_target) {
                CHECK(codes(outcome.target) ==
                      std::multiset<Code>(c.target_expected.begin(), c.target_expected.end()));
                CHECK(codes(outcome.blob) == codes(outcome.content));
            }
            REQUIRE_FALSE(found.empty());
            const Diagnostic& first =
                *std::find_if(found.begin(), found.end(),
                              [&](const Diagnostic& d) { return d.code == c.expected[0]; });
            CHECK(first.severity == c.severity);
            CHECK(first.location.file == file_of(c.where));
            const auto [line, column] = c.marker.empty()
                                            ? std::pair<uint32_t, uint32_t>{0, 0}
                                            : position_of(text_of(f, c.where), c.marker);
            CHECK(first.location.line == line);
            CHECK(first.location.column == column);
            CHECK(first.instance_id == c.instance_id);
            CHECK(first.field == c.field);
            CHECK(first.field_index == c.field_index);
            CHECK(first.sensor_version == c.sensor_version);
            if (!in_target) {
                // The same finding from the blob alone, at the same byte.
                const auto from_blob =
                    std::find_if(outcome.blob.begin(), outcome.blob.end(),
                                 [&](const Diagnostic& d) { return d.code == c.expected[0]; });
                REQUIRE(from_blob != outcome.blob.end());
                REQUIRE(first.location.blob_offset.has_value());
                CHECK(first.location.blob_offset == from_blob->location.blob_offset);
                CHECK(from_blob->location.file == "content.rwc");
                CHECK(outcome.passed == (first.severity != Severity::error));
            }
        }
    }
}

TEST_CASE("RW0302 says what the template type declares and what the build supplies") {
    Fixture f;  // both builds: instance 2 has a wildcard on field c
    const Outcome outcome = run(f);
    REQUIRE(codes(outcome.content) == std::multiset<Code>{Code::field_count_exceeds_inputs});
    const Diagnostic& d = outcome.content[0];
    CHECK_THAT(d.message, Catch::Contains("declares 3 fields") && Catch::Contains("supplies 2"));
    CHECK_THAT(d.help, Catch::Contains("2.0.0"));
}

TEST_CASE("a value compile refuses stops only its instance: the rest is still validated") {
    // Issue 11, deliverable 5: one oversized value used to stop the whole
    // file at the compile stage, so nothing else in it was checked.
    Fixture f;
    Fixture::replace(f.content, "\"cmd.exe\"", "\"" + std::string(40000, 'x') + "\"");
    Fixture::replace(f.content, "criteria { field: \"c\" wildcard: true }",
                     "criteria { field: \"c\" op: OP_EQ values { string: \"y\" } }");
    const Outcome outcome = run(f);
    CHECK_FALSE(outcome.passed);
    INFO(describe(outcome.content));
    REQUIRE(codes(outcome.content) == std::multiset<Code>{Code::format_limit,
                                                          Code::criterion_on_unsupplied_input,
                                                          Code::field_count_exceeds_inputs});
    // In source order: instance 1's value, then instance 2's findings.
    const Diagnostic& refused = outcome.content[0];
    CHECK(refused.code == Code::format_limit);
    CHECK(refused.instance_id == 1u);
    CHECK(refused.field == "s");
    CHECK(refused.location.line == 7);
    CHECK(refused.location.column == position_of(f.content, "values { string: \"xxx").second);
    for (size_t d = 1; d < outcome.content.size(); ++d) {
        CHECK(outcome.content[d].instance_id == 2u);
        CHECK(outcome.content[d].sensor_version == "1.0.0");
    }
    CHECK(outcome.content[1].location.line > 7);
}

// The table lowers each limit one below the fixture; at the limit itself
// there is no finding.
TEST_CASE("RW0701, RW0702 and RW0703: validator limits are inclusive") {
    Fixture f;
    f.only_new_build();
    f.options.limits.max_template_types_incl = 3;
    f.options.limits.max_fields_per_template_type_incl = 7;
    f.options.limits.max_content_set_size_incl = 2;
    const Outcome outcome = run(f);
    INFO(describe(outcome.target) << describe(outcome.content));
    CHECK(outcome.target.empty());
    CHECK(outcome.content.empty());
    CHECK(outcome.passed);
}

TEST_CASE("RW0413 and others pass once the registry allows them: the nearest valid variants") {
    Fixture f;
    f.only_new_build();
    // Case-insensitive on a field that allows it, a glob and a regex that
    // parse, values on the bounds, a set of distinct members.
    Fixture::replace(
        f.content, "field: \"s\" op: OP_EQ values { string: \"cmd.exe\" }",
        "field: \"s\" op: OP_GLOB case_insensitive: true values { string: \"*.[ch]\" }");
    Fixture::replace(f.content, "values { int: -10 }", "values { int: 10 }");
    CHECK(run(f).passed);
    Fixture::replace(f.content, "op: OP_GLOB case_insensitive: true values { string: \"*.[ch]\" }",
                     "op: OP_REGEX values { string: \"^cmd(\\\\.exe)?$\" }");
    const Outcome outcome = run(f);
    INFO(describe(outcome.content));
    CHECK(outcome.passed);
    CHECK(outcome.content.empty());
}

TEST_CASE("a registry with errors yields no target; manifest errors still do") {
    Fixture f;
    f.registry += "template_types { id: 1 version: 1 }\n";
    const Outcome broken_registry = run(f);
    CHECK_FALSE(broken_registry.target_ok);
    REQUIRE(codes(broken_registry.target) == std::multiset<Code>{Code::template_type_duplicate});
    CHECK(broken_registry.target[0].location.file == "registry.txtpb");
    CHECK(broken_registry.target[0].location.line ==
          position_of(f.registry, "template_types { id: 1 version: 1 }").first);
    CHECK(broken_registry.content.empty());

    Fixture g;
    g.manifest_new += "template_types { id: 8 version: 1 input_types: [TYPE_UINT] }\n";
    const Outcome outcome = run(g);
    CHECK(outcome.target_ok);
    REQUIRE(codes(outcome.target) == std::multiset<Code>{Code::manifest_template_type_unknown});
    CHECK(outcome.target[0].location.file == "new.txtpb");
    CHECK(outcome.target[0].location.line ==
          position_of(g.manifest_new, "template_types { id: 8").first);
}

TEST_CASE("the examples: good content passes, the Channel 291 content does not") {
    auto registry = load_registry(source_path("examples/registry.txtpb"));
    auto manifests = load_manifests({source_path("examples/manifests")});
    REQUIRE(registry.ok());
    REQUIRE(manifests.ok());
    auto target = ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
    REQUIRE(target.ok());
    CHECK(target.diagnostics.empty());
    for (const char* good : {"examples/content/detections.txtpb", "examples/content/small.txtpb",
                             "examples/content/small.json"}) {
        INFO(good);
        auto content = load_content(source_path(good));
        REQUIRE(content.ok());
        auto validated = validate_content(*content.value, *target.value);
        INFO(describe(validated.diagnostics));
        CHECK(validated.ok());
        CHECK(validated.diagnostics.empty());
    }

    SECTION("the new content breaks the Channel 291 rule on field 20 of 21") {
        auto content = load_content(source_path("examples/channel-291/content-new.txtpb"));
        REQUIRE(content.ok());
        auto validated = validate_content(*content.value, *target.value);
        CHECK_FALSE(validated.ok());
        size_t rule_291 = 0;
        size_t count_mismatch = 0;
        // Instances 4 and 5 put criteria on field 20, at these lines; every
        // named_pipe_ipc instance has the count mismatch, at its start.
        std::multiset<std::pair<uint32_t, uint32_t>> rule_291_at = {{114, 3}, {140, 3}};
        std::multiset<std::pair<uint32_t, uint32_t>> mismatch_at = {
            {12, 1}, {38, 1}, {64, 1}, {90, 1}, {116, 1}};
        for (const Diagnostic& d : validated.diagnostics) {
            CHECK_THAT(d.location.file, Catch::EndsWith("examples/channel-291/content-new.txtpb"));
            const std::pair<uint32_t, uint32_t> at{d.location.line, d.location.column};
            auto& expected_at =
                d.code == Code::criterion_on_unsupplied_input ? rule_291_at : mismatch_at;
            const auto found = expected_at.find(at);
            CHECK(found != expected_at.end());
            if (found != expected_at.end()) {
                expected_at.erase(found);
            }
            if (d.code == Code::criterion_on_unsupplied_input) {
                ++rule_291;
                CHECK(d.field_index == 20u);
                CHECK(d.field == "security_descriptor_sddl");
                CHECK(d.sensor_version == "7.11.18110");
                CHECK_THAT(d.message, Catch::Contains("supplies only 20 inputs"));
            } else {
                CHECK(d.code == Code::field_count_exceeds_inputs);
                ++count_mismatch;
            }
        }
        CHECK(rule_291 == 2);        // the two new instances
        CHECK(count_mismatch == 5);  // every named_pipe_ipc instance
        CHECK(rule_291_at.empty());
        CHECK(mismatch_at.empty());
    }
    SECTION("the earlier content has the count mismatch but no criterion on field 21") {
        auto content = load_content(source_path("examples/channel-291/content-earlier.txtpb"));
        REQUIRE(content.ok());
        auto validated = validate_content(*content.value, *target.value);
        CHECK_FALSE(validated.ok());
        CHECK(codes(validated.diagnostics) ==
              std::multiset<Code>{Code::field_count_exceeds_inputs,
                                  Code::field_count_exceeds_inputs,
                                  Code::field_count_exceeds_inputs});
    }
}

// Coverage is what the table's cases really produce: a code counts only when
// a case expects it and running the case yields exactly the codes it
// expects. Deleting a case, or breaking the check behind it, fails here.
TEST_CASE("every validation code has a case") {
    std::set<Code> covered;
    for (const Case& c : cases()) {
        Fixture f;
        const std::multiset<Code> produced = codes(found_in(c, run_case(c, f)));
        if (!c.expected.empty() &&
            produced == std::multiset<Code>(c.expected.begin(), c.expected.end())) {
            covered.insert(produced.begin(), produced.end());
        }
    }
    std::string missing;
    for (const CodeInfo& info : all_codes()) {
        const auto number = static_cast<uint16_t>(info.code);
        // RW0720-RW0769 are the regex compiler's: regex_tests has a case for
        // each until validate runs the compiler (then they belong here).
        const bool regex_compiler = number >= 720 && number <= 769;
        if (number >= 300 && number < 800 && !regex_compiler && covered.count(info.code) == 0) {
            missing += code_id(info.code) + " ";
        }
    }
    INFO("codes without a passing case: " << missing);
    CHECK(missing.empty());
}
