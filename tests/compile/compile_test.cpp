// compile(): what the format can express is written canonically; what it
// cannot is refused with the exact code and source location.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>

#include "compile/compile_refusal_cases.hpp"
#include "ringward/compile.hpp"
#include "ringward/format.hpp"
#include "ringward/schema.hpp"
#include "support/fixtures.hpp"
#include "support/text.hpp"

using namespace ringward;
using format::Kind;
using format::Op;
using ringward::test::text_format;
using namespace ringward::test::compile_cases;

namespace {

const Registry& test_registry() {
    static const Registry registry = [] {
        auto parsed = parse_registry(kRegistry, "registry.txtpb", text_format());
        REQUIRE(parsed.ok());
        return std::move(*parsed.value);
    }();
    return registry;
}

ContentSource parse(const std::string& text) {
    auto parsed = parse_content(text, "test.txtpb", text_format());
    INFO((parsed.diagnostics.empty() ? std::string() : parsed.diagnostics[0].message));
    REQUIRE(parsed.ok());
    return std::move(*parsed.value);
}

Result<CompiledBlob> compile_text(const std::string& text) {
    return compile(parse(text), test_registry());
}

uint16_t index_of(const std::string& field) {
    const TemplateType* type = test_registry().find(5, 1);
    for (size_t f = 0; f < type->fields.size(); ++f) {
        if (type->fields[f].name == field) {
            return static_cast<uint16_t>(f);
        }
    }
    FAIL("no field " << field);
    return 0;
}

format::BlobView read(const std::vector<uint8_t>& bytes) {
    format::BlobView view;
    const format::ReadResult r =
        format::read_blob(bytes.data(), bytes.size(), format::Limits{}, &view);
    INFO(format::read_error_name(r.error) << " at " << r.offset);
    REQUIRE(r.ok());
    return view;
}

// compile's findings are on the last line a test adds.
std::pair<uint32_t, uint32_t> position_of(const std::string& text, const std::string& marker) {
    return ringward::test::last_position_of(text, marker);
}

// Compiles `text`, which must fail with exactly one error of `code`, located
// where `marker` starts in the text.
void require_single(const std::string& text, Code code, const std::string& marker) {
    const auto result = compile_text(text);
    CHECK_FALSE(result.ok());
    REQUIRE(result.diagnostics.size() == 1);
    const Diagnostic& d = result.diagnostics[0];
    INFO(d.message);
    CHECK(d.code == code);
    CHECK(d.severity == Severity::error);
    CHECK(d.location.file == "test.txtpb");
    const auto [line, column] = position_of(text, marker);
    CHECK(d.location.line == line);
    CHECK(d.location.column == column);
}

}  // namespace

TEST_CASE("a criterion of every encoding compiles and reads back as written") {
    const auto result = compile_text(one_instance(
        "  criteria { field: \"any\" wildcard: true }\n"
        "  criteria { field: \"pid\" op: OP_GT values { uint: 4 } }\n"
        "  criteria { field: \"delta\" op: OP_LT values { int: -5 } }\n"
        "  criteria { field: \"port\" op: OP_RANGE values { uint: 1 } values { uint: 1024 } }\n"
        "  criteria { field: \"elevated\" op: OP_EQ values { bool: true } }\n"
        "  criteria { field: \"image\" op: OP_SUFFIX case_insensitive: true "
        "values { string: \"\\\\cmd.exe\" } }\n"
        "  criteria { field: \"hash\" op: OP_PREFIX values { bytes: \"\\x01\\x02\" } }\n"
        "  criteria { field: \"level\" op: OP_EQ values { enum: \"HIGH\" } }\n"
        "  criteria { field: \"remote\" op: OP_CIDR_CONTAINS values { ip: \"10.0.0.0/8\" } }\n"
        "  criteria { field: \"local\" op: OP_EQ values { ip: \"2001:db8::1\" } }\n"
        "  criteria { field: \"ports\" op: OP_IN values { uint: 443 } values { uint: 22 } }\n"
        "  criteria { field: \"names\" op: OP_IN values { string: \"b\" } values { string: \"a\" } "
        "}\n"
        "  criteria { field: \"nets\" op: OP_IN values { ip: \"192.168.0.0/16\" } "
        "values { ip: \"10.1.2.3\" } }\n"));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());
    const format::BlobView view = read(result.value->bytes);
    CHECK(view.channel() == 291);
    CHECK(view.content_version() == 7);
    CHECK(view.sensor_min() == format::SensorVersion{7, 11, 0}.packed());
    CHECK(view.sensor_max() == format::SensorVersion{7, 11, 99999}.packed());
    REQUIRE(view.instance_count() == 1);
    const format::InstanceView instance = view.instance(0);
    CHECK(instance.id() == 1);
    CHECK(instance.template_type_id() == 5);
    CHECK(instance.template_type_version() == 1);
    // The wildcard is no record; the others are in field order.
    REQUIRE(instance.criterion_count() == 12);
    CHECK(instance.field_count() == 20);
    CHECK(instance.exclusion_count() == 0);
    CHECK(instance.rule_id() == 0);
    const std::vector<std::string> expected = {
        "gt 4",
        "lt -5",
        "range 1..1024",
        "eq true",
        "suffix (case-insensitive) \"\\\\cmd.exe\"",
        "prefix 0x0102",
        "eq HIGH",
        "cidr_contains 10.0.0.0/8",
        "eq 2001:db8::1",
        "in {22, 443}",
        "in {\"a\", \"b\"}",
        "in {10.1.2.3, 192.168.0.0/16}",
    };
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        INFO("criterion " << k);
        CHECK(instance.criterion(k).field_index() == k);
        CHECK(instance.criterion(k).group() == 0);
        CHECK_FALSE(instance.criterion(k).negated());
        CHECK(describe_criterion(instance.criterion(k)) == expected[k]);
    }
    CHECK(instance.criterion(0).kind() == Kind::uint64);
    CHECK(instance.criterion(1).kind() == Kind::int64);
    CHECK(instance.criterion(1).int_value() == -5);
    CHECK(instance.criterion(6).kind() == Kind::enumeration);
    CHECK(instance.criterion(11).op() == Op::in);
    // Source criterion 0 is the wildcard: blob criterion k is source k + 1.
    REQUIRE(result.value->source_criterion.size() == 12);
    CHECK(result.value->source_criterion[0] == CriterionOrigin{0, 1});
    CHECK(result.value->source_criterion[11] == CriterionOrigin{0, 12});
}

TEST_CASE("instances are sorted by id and mapped back to their source order") {
    const auto result = compile_text(std::string(kHeader) +
                                     "instances { id: 30 template_type { id: 1 version: 1 } "
                                     "criteria { field: \"a\" wildcard: true } }\n"
                                     "instances { id: 10 template_type { id: 2 version: 1 } "
                                     "criteria { field: \"b\" wildcard: true } }\n"
                                     "instances { id: 20 template_type { id: 3 version: 1 } "
                                     "criteria { field: \"c\" wildcard: true } }\n");
    REQUIRE(result.ok());
    const format::BlobView view = read(result.value->bytes);
    REQUIRE(view.instance_count() == 3);
    CHECK(view.instance(0).id() == 10);
    CHECK(view.instance(1).id() == 20);
    CHECK(view.instance(2).id() == 30);
    CHECK(result.value->source_instance == std::vector<uint32_t>{1, 2, 0});
}

TEST_CASE("the same content compiles to the same bytes, whatever the order of set members") {
    const auto a = compile_text(one_instance(
        "  criteria { field: \"s\" op: OP_IN values { string: \"x\" } values { string: \"y\" } "
        "values { string: \"z\" } }\n"));
    const auto b = compile_text(one_instance(
        "  criteria { field: \"s\" op: OP_IN values { string: \"z\" } values { string: \"x\" } "
        "values { string: \"y\" } }\n"));
    const auto c = compile_text(one_instance(
        "  criteria { field: \"s\" op: OP_IN values { string: \"x\" } values { string: \"y\" } "
        "values { string: \"z\" } }\n"));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(c.ok());
    CHECK(a.value->bytes == b.value->bytes);
    CHECK(a.value->bytes == c.value->bytes);
}

TEST_CASE("a case-insensitive set is sorted by its ASCII-folded members") {
    // Byte order would put "B" before "a"; folded, "a" < "B" < "c".
    const auto result = compile_text(one_instance(
        "  criteria { field: \"s\" op: OP_IN case_insensitive: true values { string: \"c\" } "
        "values { string: \"B\" } values { string: \"a\" } }\n"
        "  criteria { field: \"t\" op: OP_IN values { string: \"c\" } "
        "values { string: \"B\" } values { string: \"a\" } }\n"));
    REQUIRE(result.ok());
    const format::InstanceView instance = read(result.value->bytes).instance(0);
    CHECK(describe_criterion(instance.criterion(0)) ==
          "in (case-insensitive) {\"a\", \"B\", \"c\"}");
    CHECK(describe_criterion(instance.criterion(1)) == "in {\"B\", \"a\", \"c\"}");
}

TEST_CASE("content the format cannot express is refused at its source location") {
    for (const CompileRefusal& c : compile_refusals()) {
        DYNAMIC_SECTION(c.name) {
            require_single(c.text, c.code, c.marker);
        }
    }
    SECTION("no sensor range") {
        const auto result = compile_text("channel: 1\ncontent_version: 1\n");
        CHECK_FALSE(result.ok());
        REQUIRE(result.diagnostics.size() == 1);
        CHECK(result.diagnostics[0].code == Code::sensor_range_missing);
        // The file as a whole: nothing in it is where the range is missing.
        CHECK(result.diagnostics[0].location.file == "test.txtpb");
        CHECK(result.diagnostics[0].location.line == 0);
        CHECK(result.diagnostics[0].location.column == 0);
    }
}

TEST_CASE("the spellings of one meaning compile to the one encoding") {
    // docs/semantics.md, "Spellings that mean the same".
    const auto same = [](const std::string& spelled, const std::string& plain) {
        const auto a = compile_text(one_instance(spelled));
        const auto b = compile_text(one_instance(plain));
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(a.value->bytes == b.value->bytes);
    };
    SECTION("eq with several values is in") {
        same("  criteria { field: \"a\" op: OP_EQ values { uint: 2 } values { uint: 1 } }\n",
             "  criteria { field: \"a\" op: OP_IN values { uint: 1 } values { uint: 2 } }\n");
    }
    SECTION("eq negated is ne") {
        same("  criteria { field: \"a\" op: OP_EQ negate: true values { string: \"x\" } }\n",
             "  criteria { field: \"a\" op: OP_NE values { string: \"x\" } }\n");
    }
    SECTION("ne negated is eq") {
        same("  criteria { field: \"a\" op: OP_NE negate: true values { string: \"x\" } }\n",
             "  criteria { field: \"a\" op: OP_EQ values { string: \"x\" } }\n");
    }
    SECTION("eq negated with several values is in negated") {
        same(
            "  criteria { field: \"u\" op: OP_EQ negate: true values { uint: 2 } "
            "values { uint: 1 } }\n",
            "  criteria { field: \"u\" op: OP_IN negate: true values { uint: 1 } "
            "values { uint: 2 } }\n");
    }
    SECTION("a wildcard is no criterion at all") {
        same(
            "  criteria { field: \"a\" wildcard: true }\n"
            "  criteria { field: \"u\" op: OP_EQ values { uint: 1 } }\n",
            "  criteria { field: \"u\" op: OP_EQ values { uint: 1 } }\n");
    }
    SECTION("criteria in another source order, on different fields") {
        same(
            "  criteria { field: \"u\" op: OP_EQ values { uint: 1 } }\n"
            "  criteria { field: \"a\" op: OP_EQ values { string: \"x\" } }\n",
            "  criteria { field: \"a\" op: OP_EQ values { string: \"x\" } }\n"
            "  criteria { field: \"u\" op: OP_EQ values { uint: 1 } }\n");
    }
    SECTION("any-of values in another order") {
        same(
            "  criteria { field: \"a\" op: OP_CONTAINS values { string: \"y\" } "
            "values { string: \"x\" } }\n",
            "  criteria { field: \"a\" op: OP_CONTAINS values { string: \"x\" } "
            "values { string: \"y\" } }\n");
    }
}

TEST_CASE("compile_each leaves out a refused instance and compiles the rest") {
    const std::string text =
        std::string(kHeader) +
        "instances { id: 9 template_type { id: 1 version: 1 }\n"
        "  criteria { field: \"a\" op: OP_EQ values { uint: 1 } }\n"
        "  criteria { field: \"b\" op: OP_IN values { uint: 1 } values { uint: 1 } } }\n"
        "instances { id: 2 template_type { id: 1 version: 1 }\n"
        "  criteria { field: \"c\" op: OP_EQ values { uint: 3 } } }\n"
        "instances { id: 2 template_type { id: 1 version: 1 }\n"
        "  criteria { field: \"d\" op: OP_EQ values { uint: 4 } } }\n"
        "instances { id: 4 template_type { id: 1 version: 1 }\n"
        "  criteria { field: \"e\" op: OP_EQ values { uint: 5 } } }\n";
    const PartialCompile partial = compile_each(parse(text), test_registry());
    REQUIRE(partial.diagnostics.size() == 2);
    CHECK(partial.diagnostics[0].code == Code::set_duplicate);
    CHECK(partial.diagnostics[0].instance_id == 9u);
    CHECK(partial.diagnostics[1].code == Code::instance_id_duplicate);
    CHECK(partial.diagnostics[1].location.line == position_of(text, "instances { id: 2").first);
    REQUIRE(partial.blob);
    // Instance 9 (half written when its set turned out wrong) and the second
    // instance 2 are left out; the first instance 2 and instance 4 remain,
    // in id order, with source_instance pointing at them.
    CHECK(partial.blob->source_instance == std::vector<uint32_t>{1, 3});
    const format::BlobView view = read(partial.blob->bytes);
    REQUIRE(view.instance_count() == 2);
    CHECK(view.instance(0).id() == 2);
    CHECK(view.instance(0).criterion(0).value0() == 3);
    CHECK(view.instance(1).id() == 4);
    CHECK(view.instance(1).criterion(0).value0() == 5);
    // Exactly the blob of the content without the two refused instances.
    const auto without =
        compile_text(std::string(kHeader) +
                     "instances { id: 2 template_type { id: 1 version: 1 }\n"
                     "  criteria { field: \"c\" op: OP_EQ values { uint: 3 } } }\n"
                     "instances { id: 4 template_type { id: 1 version: 1 }\n"
                     "  criteria { field: \"e\" op: OP_EQ values { uint: 5 } } }\n");
    REQUIRE(without.ok());
    CHECK(partial.blob->bytes == without.value->bytes);
    // compile() refuses the file all the same.
    CHECK_FALSE(compile_text(text).ok());
}

TEST_CASE("compile_each gives no blob when the file as a whole is refused") {
    const PartialCompile partial =
        compile_each(parse("channel: 1\ncontent_version: 1\n"
                           "instances { id: 1 template_type { id: 1 version: 1 } }\n"),
                     test_registry());
    CHECK_FALSE(partial.blob);
    REQUIRE(partial.diagnostics.size() == 1);
    CHECK(partial.diagnostics[0].code == Code::sensor_range_missing);
}

TEST_CASE("every finding is reported, in source order, not just the first") {
    const auto result =
        compile_text(std::string(kHeader) +
                     "instances { id: 9 template_type { id: 1 version: 1 }\n"
                     "  criteria { field: \"a\" op: OP_EQ values { ip: \"nope\" } } }\n"
                     "instances { id: 2 template_type { id: 1 version: 1 }\n"
                     "  criteria { field: \"b\" } }\n");
    CHECK_FALSE(result.ok());
    REQUIRE(result.diagnostics.size() == 2);
    CHECK(result.diagnostics[0].code == Code::ip_malformed);
    CHECK(result.diagnostics[0].location.line == 5);
    CHECK(result.diagnostics[0].location.column == 35);  // the value
    CHECK(result.diagnostics[0].instance_id == 9u);
    CHECK(result.diagnostics[0].field == "a");
    CHECK(result.diagnostics[0].field_index == 0u);
    CHECK(result.diagnostics[1].code == Code::operator_missing);
    CHECK(result.diagnostics[1].location.line == 7);
    CHECK(result.diagnostics[1].location.column == 3);  // the criterion
    CHECK(result.diagnostics[1].instance_id == 2u);
}

TEST_CASE("compile limits are inclusive") {
    const std::string text = one_instance(
        "  criteria { field: \"abcd\" op: OP_IN values { string: \"12345678\" } "
        "values { string: \"x\" } }\n");
    const ContentSource source = parse(text);
    const auto unlimited = compile(source, test_registry());
    REQUIRE(unlimited.ok());
    CompileOptions options;
    options.limits.max_name_length_incl = 4;
    options.limits.max_value_length_incl = 8;
    options.limits.max_blob_set_size_incl = 2;
    options.limits.max_criteria_per_instance_incl = 1;
    options.limits.max_instances_incl = 1;
    options.limits.max_criteria_incl = 1;
    options.limits.max_blob_size_incl = static_cast<uint32_t>(unlimited.value->bytes.size());
    CHECK(compile(source, test_registry(), options).ok());

    // Where the finding is: the thing over the limit, or (empty) the file.
    std::string marker;
    SECTION("name") {
        options.limits.max_name_length_incl = 3;
        marker = "criteria {";
    }
    SECTION("value") {
        options.limits.max_value_length_incl = 7;
        marker = "values { string: \"12345678\"";
    }
    SECTION("set") {
        options.limits.max_blob_set_size_incl = 1;
        marker = "criteria {";
    }
    SECTION("criteria per instance") {
        options.limits.max_criteria_per_instance_incl = 0;
        marker = "instances {";
    }
    SECTION("instances") {
        options.limits.max_instances_incl = 0;
    }
    SECTION("criteria") {
        options.limits.max_criteria_incl = 0;
    }
    SECTION("blob size") {
        options.limits.max_blob_size_incl -= 1;
    }
    const auto refused = compile(source, test_registry(), options);
    CHECK_FALSE(refused.ok());
    REQUIRE(refused.diagnostics.size() == 1);
    CHECK(refused.diagnostics[0].code == Code::format_limit);
    CHECK(refused.diagnostics[0].location.file == "test.txtpb");
    const auto [line, column] =
        marker.empty() ? std::pair<uint32_t, uint32_t>{0, 0} : position_of(text, marker);
    CHECK(refused.diagnostics[0].location.line == line);
    CHECK(refused.diagnostics[0].location.column == column);
}

TEST_CASE("every operator can be negated, and the blob says so") {
    const auto result = compile_text(one_instance(
        "  criteria { field: \"pid\" op: OP_GT negate: true values { uint: 4 } }\n"
        "  criteria { field: \"port\" op: OP_RANGE negate: true values { uint: 1 } "
        "values { uint: 9 } }\n"
        "  criteria { field: \"image\" op: OP_SUFFIX negate: true values { string: \".exe\" } }\n"
        "  criteria { field: \"remote\" op: OP_CIDR_CONTAINS negate: true "
        "values { ip: \"10.0.0.0/8\" } }\n"
        "  criteria { field: \"ports\" op: OP_IN negate: true values { uint: 1 } "
        "values { uint: 2 } }\n"
        "  criteria { field: \"names\" op: OP_REGEX negate: true values { string: \"^x\" } }\n"
        "  criteria { field: \"a\" op: OP_EXISTS negate: true }\n"
        "  criteria { field: \"b\" op: OP_EQ negate: true values { string: \"x\" } }\n"));
    REQUIRE(result.ok());
    const format::InstanceView instance = read(result.value->bytes).instance(0);
    const std::vector<std::string> expected = {
        "not gt 4",      "not range 1..9",   "not suffix \".exe\"", "not cidr_contains 10.0.0.0/8",
        "not in {1, 2}", "not regex \"^x\"", "not exists",          "ne \"x\"",
    };
    REQUIRE(instance.criterion_count() == expected.size());
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        INFO("criterion " << k);
        CHECK(instance.criterion(k).negated());
        CHECK(describe_criterion(instance.criterion(k)) == expected[k]);
    }
}

TEST_CASE("exists and empty take the field's type from the registry") {
    const auto result =
        compile_text(one_instance("  criteria { field: \"hash\" op: OP_EMPTY }\n"
                                  "  criteria { field: \"remote\" op: OP_EXISTS }\n"
                                  "  criteria { field: \"image\" op: OP_EMPTY negate: true }\n"));
    REQUIRE(result.ok());
    const format::InstanceView instance = read(result.value->bytes).instance(0);
    REQUIRE(instance.criterion_count() == 3);
    CHECK(instance.criterion(0).field_index() == index_of("image"));
    CHECK(instance.criterion(0).op() == Op::empty);
    CHECK(instance.criterion(0).kind() == Kind::string);
    CHECK(instance.criterion(1).op() == Op::empty);
    CHECK(instance.criterion(1).kind() == Kind::bytes);
    CHECK(instance.criterion(2).op() == Op::exists);
    CHECK(instance.criterion(2).kind() == Kind::ip);
    CHECK(instance.criterion(2).value_count() == 0);
    CHECK(describe_criterion(instance.criterion(0)) == "not empty");
}

TEST_CASE("string operators take any of several values, as a sorted set") {
    const auto result = compile_text(one_instance(
        "  criteria { field: \"a\" op: OP_CONTAINS case_insensitive: true "
        "values { string: \"-Enc\" } values { string: \" -nop\" } values { string: \"IEX\" } }\n"
        "  criteria { field: \"a\" op: OP_SUFFIX values { string: \".ps1\" } }\n"
        "  criteria { field: \"b\" op: OP_GLOB values { string: \"*.b\" } "
        "values { string: \"*.a\" } }\n"));
    REQUIRE(result.ok());
    const format::InstanceView instance = read(result.value->bytes).instance(0);
    REQUIRE(instance.criterion_count() == 3);
    // Two criteria on one field keep their source order.
    CHECK(instance.criterion(0).value_count() == 3);
    CHECK(describe_criterion(instance.criterion(0)) ==
          "contains (case-insensitive) any of {\" -nop\", \"-Enc\", \"IEX\"}");
    CHECK(instance.criterion(1).value_count() == 1);
    CHECK(describe_criterion(instance.criterion(1)) == "suffix \".ps1\"");
    CHECK(describe_criterion(instance.criterion(2)) == "glob any of {\"*.a\", \"*.b\"}");
    CHECK(result.value->source_criterion == std::vector<CriterionOrigin>{{0, 0}, {0, 1}, {0, 2}});
}

// The order of docs/format.md: (group, field index), and criteria on one
// field of one group in their source order, for few criteria (sorted one
// way) and many (another).
TEST_CASE("criteria are ordered by group and field and otherwise keep their source order") {
    for (const size_t n : {size_t{5}, size_t{64}, size_t{65}, size_t{200}}) {
        INFO(n << " criteria");
        const char* fields[] = {"parent", "b", "image", "a"};
        std::string own;
        std::string excluded;
        for (size_t k = 0; k < n; ++k) {
            const std::string criterion =
                fmt::format("criteria {{ field: \"{}\" op: OP_EQ values {{ string: \"v{}\" }} }}\n",
                            fields[(k * 7 + k / 3) % 4], k);
            (k % 5 == 4 ? excluded : own) += criterion;
        }
        const auto result = compile_text(std::string(kHeader) +
                                         "instances { id: 1 template_type { id: 5 version: 1 }\n" +
                                         own + "exclusions { " + excluded + "}\n}\n");
        REQUIRE(result.ok());
        const format::InstanceView instance = read(result.value->bytes).instance(0);
        REQUIRE(instance.criterion_count() == n);
        size_t checked = 0;
        for (uint32_t k = 1; k < n; ++k) {
            const format::CriterionView before = instance.criterion(k - 1);
            const format::CriterionView after = instance.criterion(k);
            const auto value_number = [](const format::CriterionView& c) {
                return std::stoul(std::string(reinterpret_cast<const char*>(c.data().data) + 1,
                                              c.data().size - 1));
            };
            REQUIRE(std::pair(before.group(), before.field_index()) <=
                    std::pair(after.group(), after.field_index()));
            if (before.group() == after.group() && before.field_index() == after.field_index()) {
                REQUIRE(value_number(before) < value_number(after));
                ++checked;
            }
        }
        CHECK(checked >= (n > 5 ? n / 2 : 1));
    }
}

TEST_CASE("a field reference stores the other field's index and name") {
    const auto result = compile_text(
        one_instance("  criteria { field: \"parent\" op: OP_EQ case_insensitive: true "
                     "values { field: \"image\" } }\n"
                     "  criteria { field: \"a\" op: OP_NE values { field: \"b\" } }\n"));
    REQUIRE(result.ok());
    const format::InstanceView instance = read(result.value->bytes).instance(0);
    REQUIRE(instance.criterion_count() == 2);
    const format::CriterionView a = instance.criterion(0);
    CHECK(a.field_index() == index_of("a"));
    CHECK(a.is_field_ref());
    CHECK(a.negated());
    CHECK(a.ref_field_index() == index_of("b"));
    CHECK(describe_criterion(a) == "ne field b");
    const format::CriterionView parent = instance.criterion(1);
    CHECK(parent.field_index() == index_of("parent"));
    CHECK(parent.ref_field_index() == index_of("image"));
    CHECK(parent.kind() == Kind::string);
    CHECK(describe_criterion(parent) == "eq (case-insensitive) field image");
}

TEST_CASE("exclusions are groups after the instance's own criteria") {
    const auto result = compile_text(
        std::string(kHeader) +
        "instances { id: 1 template_type { id: 5 version: 1 }\n"
        "  criteria { field: \"image\" op: OP_SUFFIX values { string: \"\\\\cmd.exe\" } }\n"
        "  exclusions { criteria { field: \"parent\" op: OP_EQ values { string: \"x\" } }\n"
        "    criteria { field: \"a\" op: OP_EXISTS } }\n"
        "  exclusions { criteria { field: \"pid\" op: OP_EQ values { uint: 4 } }\n"
        "    criteria { field: \"b\" wildcard: true } }\n"
        "}\n");
    REQUIRE(result.ok());
    const format::InstanceView instance = read(result.value->bytes).instance(0);
    CHECK(instance.exclusion_count() == 2);
    REQUIRE(instance.criterion_count() == 4);
    CHECK(instance.criterion(0).group() == 0);
    CHECK(instance.criterion(0).field_index() == index_of("image"));
    CHECK(instance.criterion(1).group() == 1);
    CHECK(instance.criterion(1).field_index() == index_of("a"));
    CHECK(instance.criterion(2).group() == 1);
    CHECK(instance.criterion(2).field_index() == index_of("parent"));
    CHECK(instance.criterion(3).group() == 2);
    CHECK(instance.criterion(3).field_index() == index_of("pid"));
    CHECK(result.value->source_criterion ==
          std::vector<CriterionOrigin>{{0, 0}, {1, 1}, {1, 0}, {2, 0}});
}

TEST_CASE("rules: each instance names a declared rule, which the blob keeps") {
    const std::string& rules = kRules;
    const auto instance = rule_instance;
    SECTION("kept") {
        const auto result = compile_text(std::string(kHeader) + rules + instance(1, 7) +
                                         instance(2, 3) + instance(3, 7));
        REQUIRE(result.ok());
        const format::BlobView view = read(result.value->bytes);
        REQUIRE(view.instance_count() == 3);
        CHECK(view.instance(0).rule_id() == 7);
        CHECK(view.instance(1).rule_id() == 3);
        CHECK(view.instance(2).rule_id() == 7);
    }
    SECTION("a finding about the rules leaves the instances compiled") {
        const PartialCompile partial =
            compile_each(parse(std::string(kHeader) + rules + instance(1, 7)), test_registry());
        REQUIRE(partial.blob);
        CHECK(read(partial.blob->bytes).instance_count() == 1);
        REQUIRE(partial.diagnostics.size() == 1);
        CHECK(partial.diagnostics[0].code == Code::rule_unused);
    }
}
