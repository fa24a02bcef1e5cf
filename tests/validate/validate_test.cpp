// Every validation code: a case that triggers exactly that finding, with its
// severity and location, next to the valid fixture it was made from.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ringward/validate.hpp"
#include "support/fixtures.hpp"
#include "support/run.hpp"
#include "support/text.hpp"
#include "validate/validate_cases.hpp"

using namespace ringward;
using ringward::test::position_of;
using ringward::test::source_path;
using ringward::test::text_format;
using namespace ringward::test::validate_cases;

namespace {

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
    auto compiled = compile(*content.value, target.value->registry());
    if (compiled.ok()) {
        auto as_blob =
            validate_blob(compiled.value->bytes, "content.rwc", *target.value, f.options);
        outcome.blob = as_blob.diagnostics;
        CHECK(as_blob.ok() == validated.ok());
    }
    return outcome;
}

// Each finding, all RW0421 duplicate-instance, as instance id to
// the id of the instance it repeats (from "instance A repeats instance B").
std::map<uint32_t, uint32_t> repeats_found(const std::vector<Diagnostic>& diagnostics) {
    std::map<uint32_t, uint32_t> found;
    for (const Diagnostic& d : diagnostics) {
        REQUIRE(d.code == Code::duplicate_instance);
        uint32_t id = 0;
        uint32_t first = 0;
        REQUIRE(std::sscanf(d.message.c_str(), "instance %u repeats instance %u", &id, &first) ==
                2);
        found[id] = first;
    }
    return found;
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

// Applies the case to the valid fixture and runs every step on the result.
Outcome run_case(const Case& c, Fixture& f) {
    apply_case(c, f);
    return run(f);
}

// What only a blob can get wrong: content compiled against another registry
// than the one its blob is validated against (a source is compiled against
// the registry it is validated against). Instance 2's template type, "three",
// as `three` declares it, compiled, then validated against the fixture.
std::vector<Diagnostic> blob_compiled_elsewhere(const std::string& three) {
    Fixture f;
    f.only_new_build();
    const std::string other = registry_with_three(three);
    auto registry = parse_registry(other, "other.txtpb", text_format());
    REQUIRE(registry.ok());
    auto content = parse_content(f.content, "content.txtpb", text_format());
    REQUIRE(content.ok());
    auto compiled = compile(*content.value, *registry.value);
    REQUIRE(compiled.ok());
    auto fixture_registry = parse_registry(f.registry, "registry.txtpb", text_format());
    auto manifest = parse_manifest(f.manifest_new, "new.txtpb", text_format());
    REQUIRE(fixture_registry.ok());
    REQUIRE(manifest.ok());
    std::vector<SensorManifest> manifests;
    manifests.push_back(std::move(*manifest.value));
    auto target =
        ValidationTarget::create(std::move(*fixture_registry.value), std::move(manifests));
    REQUIRE(target.ok());
    return validate_blob(compiled.value->bytes, "content.rwc", *target.value).diagnostics;
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
                if (!c.found_by_compile) {
                    CHECK(codes(outcome.blob) == codes(outcome.content));
                }
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
            if (!in_target && !c.found_by_compile) {
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

TEST_CASE("RW0520 and RW0521: a blob compiled against another registry") {
    SECTION("another field count") {
        const auto found = blob_compiled_elsewhere(kThreeWithFour);
        REQUIRE(codes(found) == std::multiset<Code>{Code::field_count_disagrees});
        CHECK(found[0].instance_id == 2u);
        CHECK_THAT(found[0].message,
                   Catch::Contains("compiled for 4 fields") && Catch::Contains("declares 3"));
        CHECK(found[0].location.file == "content.rwc");
        CHECK(found[0].location.blob_offset == format::kHeaderSize + format::kInstanceRecordSize);
    }
    SECTION("another field order") {
        const auto found = blob_compiled_elsewhere(kThreeReordered);
        REQUIRE(codes(found) == std::multiset<Code>{Code::field_index_mismatch});
        CHECK(found[0].instance_id == 2u);
        CHECK(found[0].field == "a");
        CHECK(found[0].field_index == 1u);
        CHECK_THAT(found[0].message, Catch::Contains("points at field 1"));
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

TEST_CASE("exists and empty pass where the registry allows them, and only there") {
    Fixture f;
    f.only_new_build();
    Fixture::replace(f.registry, "fields { name: \"b\" type: TYPE_BYTES operators: [OP_EQ]",
                     "fields { name: \"b\" type: TYPE_BYTES operators: [OP_EQ, OP_EMPTY]");
    Fixture::replace(f.registry, "fields { name: \"f\" type: TYPE_BOOL operators: [OP_EQ]",
                     "fields { name: \"f\" type: TYPE_BOOL operators: [OP_EQ, OP_EXISTS]");
    Fixture::replace(f.content,
                     "criteria { field: \"b\" op: OP_EQ values { bytes: "
                     "\"\\x01\\x02\\x03\\x04\" } }",
                     "criteria { field: \"b\" op: OP_EMPTY negate: true }");
    Fixture::replace(f.content, "criteria { field: \"f\" op: OP_EQ values { bool: true } }",
                     "criteria { field: \"f\" op: OP_EXISTS negate: true }");
    const Outcome outcome = run(f);
    INFO(describe(outcome.target) << describe(outcome.content));
    CHECK(outcome.target.empty());
    CHECK(outcome.content.empty());
    CHECK(outcome.blob.empty());
    CHECK(outcome.passed);

    // empty has no meaning on a bool: the registry may not allow it.
    Fixture::replace(f.registry, "[OP_EQ, OP_EXISTS]", "[OP_EQ, OP_EMPTY]");
    const Outcome refused = run(f);
    CHECK(codes(refused.target) == std::multiset<Code>{Code::operator_illegal_for_type});
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

TEST_CASE("the v2 example validates against the Sysmon-era build, with every finding kept") {
    auto registry = load_registry(source_path("examples/registry.txtpb"));
    auto manifests = load_manifests({source_path("examples/manifests-sysmon")});
    REQUIRE(registry.ok());
    REQUIRE(manifests.ok());
    auto target = ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
    REQUIRE(target.ok());
    auto content = load_content(source_path("examples/content/sysmon-v2.txtpb"));
    REQUIRE(content.ok());
    auto validated = validate_content(*content.value, *target.value);
    INFO(describe(validated.diagnostics));
    CHECK(validated.ok());
    CHECK(validated.diagnostics.empty());
}

TEST_CASE("a large content file reports every finding in one run") {
    // Issue 11, deliverable 5: 3,000 instances, every third with a value
    // compile refuses, every third with a value outside its field's bounds,
    // which the validator finds; all 2,000 findings, in source order.
    Fixture f;
    std::string content =
        "channel: 5\ncontent_version: 1\nsensor_range { min: \"1.0.0\" max: "
        "\"1.0.0\" }\n";
    size_t refused = 0;
    size_t out_of_bounds = 0;
    for (uint32_t id = 1; id <= 3000; ++id) {
        content += fmt::format("instances {{ id: {} template_type {{ id: 1 version: 1 }}\n", id);
        if (id % 3 == 0) {
            content += "  criteria { field: \"s\" op: OP_EQ values { string: \"" +
                       std::string(40000, 'x') + "\" } }\n";
            ++refused;
        } else if (id % 3 == 1) {
            content += fmt::format(
                "  criteria {{ field: \"n\" op: OP_EQ values {{ ip: \"10.1.{}.{}\" "
                "}} }}\n  criteria {{ field: \"u\" op: OP_EQ values {{ uint: {} "
                "}} }}\n",
                id / 256, id % 256, id % 100 + 1);
        } else {
            content += fmt::format(
                "  criteria {{ field: \"n\" op: OP_EQ values {{ ip: \"10.2.{}.{}\" "
                "}} }}\n  criteria {{ field: \"u\" op: OP_EQ values {{ uint: 200 }} }}\n",
                id / 256, id % 256);
            ++out_of_bounds;  // 200 is above the field's bound of 100
        }
        content += "}\n";
    }
    f.content = content;
    const Outcome outcome = run(f);
    CHECK_FALSE(outcome.passed);
    size_t limit = 0;
    size_t bound = 0;
    uint32_t last_line = 0;
    for (const Diagnostic& d : outcome.content) {
        CHECK(d.location.line >= last_line);  // in source order
        last_line = d.location.line;
        limit += d.code == Code::format_limit ? 1 : 0;
        bound += d.code == Code::value_out_of_bounds ? 1 : 0;
    }
    CHECK(limit == refused);
    CHECK(bound == out_of_bounds);
    CHECK(outcome.content.size() == refused + out_of_bounds);
}

TEST_CASE("among thousands of instances, every duplicate is found, and names the first") {
    // 3,072 instances; each id above 1,536 that is a multiple of 4 repeats
    // the criteria of the instance 1,536 before it. Every other instance is
    // unique. The fingerprints' table is sized to the instance count: 4,096
    // slots here, two thirds of them taken.
    Fixture f;
    std::string content =
        "channel: 5\ncontent_version: 1\nsensor_range { min: \"1.0.0\" max: "
        "\"1.0.0\" }\n";
    std::map<uint32_t, uint32_t> repeats;
    for (uint32_t id = 1; id <= 3072; ++id) {
        const uint32_t source = id > 1536 && id % 4 == 0 ? id - 1536 : id;
        if (source != id) {
            repeats[id] = source;
        }
        content += fmt::format(
            "instances {{ id: {} template_type {{ id: 1 version: 1 }}\n  criteria {{ field: "
            "\"n\" op: OP_EQ values {{ ip: \"10.{}.{}.{}\" }} }}\n  criteria {{ field: \"u\" "
            "op: OP_EQ values {{ uint: {} }} }}\n}}\n",
            id, source / 65536, source / 256 % 256, source % 256, source % 100 + 1);
    }
    f.content = content;
    const Outcome outcome = run(f);
    const std::map<uint32_t, uint32_t> found = repeats_found(outcome.content);
    CHECK(repeats.size() == 384);
    CHECK(found == repeats);
}

TEST_CASE("every instance of a template type is checked against every build") {
    // The validator works out once per template type whether every build in
    // range agrees with it, and checks criterion by criterion only where one
    // does not. Build 1.0.0 supplies two of the three inputs of "three", so
    // each of its instances is RW0302, and each that reads input 2 ("c") is
    // RW0301 too, wherever its criterion sits; the type "t" agrees with both
    // builds, and its instances have no finding.
    Fixture f;
    std::string content =
        "channel: 5\ncontent_version: 1\nsensor_range { min: \"1.0.0\" max: \"2.0.0\" }\n";
    const char* const criteria[] = {
        R"(criteria { field: "a" op: OP_EQ values { string: "x" } })",
        R"(criteria { field: "c" op: OP_EQ values { string: "x" } })",
        R"(criteria { field: "b" op: OP_EQ values { string: "x" } })",
        R"(criteria { field: "a" op: OP_EQ values { string: "y" } }
           exclusions { criteria { field: "c" op: OP_EQ values { string: "z" } } })",
    };
    for (uint32_t id = 1; id <= 8; ++id) {
        if (id % 2 == 1) {
            content += fmt::format(
                "instances {{ id: {} template_type {{ id: 1 version: 1 }} criteria {{ field: "
                "\"n\" op: OP_EQ values {{ ip: \"10.0.0.{}\" }} }} }}\n",
                id, id);
        } else {
            content +=
                fmt::format("instances {{ id: {} template_type {{ id: 2 version: 1 }} {} }}\n", id,
                            criteria[id / 2 - 1]);
        }
    }
    f.content = content;
    const Outcome outcome = run(f);
    std::multimap<uint32_t, Code> found;
    for (const Diagnostic& d : outcome.blob) {
        REQUIRE(d.instance_id.has_value());
        found.emplace(*d.instance_id, d.code);
    }
    const std::multimap<uint32_t, Code> expected = {
        {2, Code::field_count_exceeds_inputs},    {4, Code::field_count_exceeds_inputs},
        {4, Code::criterion_on_unsupplied_input}, {6, Code::field_count_exceeds_inputs},
        {8, Code::field_count_exceeds_inputs},    {8, Code::criterion_on_unsupplied_input},
    };
    CHECK(found == expected);
    CHECK(codes(outcome.content) == codes(outcome.blob));
}

TEST_CASE("instances alike but for the field a criterion tests are not duplicates") {
    // The fingerprint takes a criterion's field by its entry in the name
    // table: "a" and "b" with one value differ, "a" twice does not.
    Fixture f;
    f.only_new_build();
    std::string content = f.content.substr(0, f.content.find("instances {"));
    const char* const fields[] = {"a", "b", "c", "a", "b"};
    for (uint32_t id = 1; id <= 5; ++id) {
        content += fmt::format(
            "instances {{ id: {} template_type {{ id: 2 version: 1 }} criteria {{ field: \"{}\" "
            "op: OP_EQ values {{ string: \"same\" }} }} }}\n",
            id, fields[id - 1]);
    }
    f.content = content;
    const Outcome outcome = run(f);
    const std::map<uint32_t, uint32_t> found = repeats_found(outcome.blob);
    CHECK(found == std::map<uint32_t, uint32_t>{{4, 1}, {5, 2}});
    CHECK(codes(outcome.content) == codes(outcome.blob));
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
    if (codes(blob_compiled_elsewhere(kThreeWithFour)) ==
        std::multiset<Code>{Code::field_count_disagrees}) {
        covered.insert(Code::field_count_disagrees);
    }
    if (codes(blob_compiled_elsewhere(kThreeReordered)) ==
        std::multiset<Code>{Code::field_index_mismatch}) {
        covered.insert(Code::field_index_mismatch);
    }
    // RW0415: compile runs the regex compiler (RW0720-RW0756) first, and no
    // pattern it accepts is known that RE2 refuses (docs/diagnostics.md).
    covered.insert(Code::regex_malformed);
    // Retired (codes.def): nothing reports them.
    for (const Code retired : {Code::criterion_missing, Code::criterion_extra,
                               Code::criterion_out_of_order, Code::regex_too_complex}) {
        covered.insert(retired);
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
