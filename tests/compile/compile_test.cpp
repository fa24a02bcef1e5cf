// compile(): what the format can express is written canonically; what it
// cannot is refused with the exact code and source location.
#include <catch2/catch.hpp>

#include <string>

#include "ringward/compile.hpp"
#include "ringward/format.hpp"
#include "ringward/schema.hpp"
#include "support/fixtures.hpp"
#include "support/text.hpp"

using namespace ringward;
using format::Kind;
using format::Op;
using ringward::test::text_format;

namespace {

const char* const kHeader =
    "channel: 291\n"
    "content_version: 7\n"
    "sensor_range { min: \"7.11.0\" max: \"7.11.99999\" }\n";

ContentSource parse(const std::string& text) {
    auto parsed = parse_content(text, "test.txtpb", text_format());
    INFO((parsed.diagnostics.empty() ? std::string() : parsed.diagnostics[0].message));
    REQUIRE(parsed.ok());
    return std::move(*parsed.value);
}

Result<CompiledBlob> compile_text(const std::string& text) {
    return compile(parse(text));
}

// One instance (id 1, template type 5 v1) with the given criteria text.
std::string one_instance(const std::string& criteria) {
    return std::string(kHeader) + "instances {\n  id: 1\n  template_type { id: 5 version: 1 }\n" +
           criteria + "}\n";
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
    REQUIRE(instance.criterion_count() == 13);
    const std::vector<std::string> expected = {
        "wildcard",
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
        CHECK(describe_criterion(instance.criterion(k)) == expected[k]);
    }
    CHECK(instance.criterion(1).kind() == Kind::uint64);
    CHECK(instance.criterion(2).kind() == Kind::int64);
    CHECK(instance.criterion(2).int_value() == -5);
    CHECK(instance.criterion(7).kind() == Kind::enumeration);
    CHECK(instance.criterion(12).op() == Op::in);
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
    SECTION("a wildcard that also sets an operator") {
        require_single(one_instance("  criteria { field: \"a\" wildcard: true op: OP_EQ }\n"),
                       Code::wildcard_with_operator, "criteria {");
    }
    SECTION("a wildcard with values") {
        require_single(
            one_instance("  criteria { field: \"a\" wildcard: true values { uint: 1 } }\n"),
            Code::wildcard_with_operator, "criteria {");
    }
    SECTION("neither a wildcard nor an operator") {
        require_single(one_instance("  criteria { field: \"a\" values { uint: 1 } }\n"),
                       Code::operator_missing, "criteria {");
    }
    SECTION("an operator number outside the schema") {
        require_single(one_instance("  criteria { field: \"a\" op: 99 values { uint: 1 } }\n"),
                       Code::operator_unknown, "criteria {");
    }
    SECTION("no field name") {
        require_single(one_instance("  criteria { wildcard: true }\n"), Code::field_name_missing,
                       "criteria {");
    }
    SECTION("a value with no kind, located at the value") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EQ values { } }\n"),
                       Code::value_kind_missing, "values {");
    }
    SECTION("values of two kinds, located at the second") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_IN values { uint: 1 }\n"
                                    "    values { string: \"x\" } }\n"),
                       Code::value_kinds_mixed, "values { string");
    }
    SECTION("eq with no values") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EQ }\n"), Code::value_count,
                       "criteria {");
    }
    // What blob format 1 cannot hold of the content model (docs/semantics.md)
    // is refused, never compiled without it: a criterion compiled without
    // its negation, or an instance without its exclusions, would match what
    // its author excluded.
    SECTION("a negated operator other than a single-value eq") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_PREFIX negate: true "
                                    "values { string: \"x\" } }\n"),
                       Code::format_limit, "criteria {");
    }
    SECTION("a negated eq of several values (not in)") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EQ negate: true "
                                    "values { uint: 1 } values { uint: 2 } }\n"),
                       Code::format_limit, "criteria {");
    }
    SECTION("exists") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EXISTS }\n"),
                       Code::format_limit, "criteria {");
    }
    SECTION("empty") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EMPTY }\n"),
                       Code::format_limit, "criteria {");
    }
    SECTION("a field reference, located at the value") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EQ values { field: \"b\" } "
                                    "}\n"),
                       Code::format_limit, "values {");
    }
    SECTION("an exclusion, located at the instance") {
        require_single(std::string(kHeader) +
                           "instances { id: 1 template_type { id: 5 version: 1 }\n"
                           "  exclusions { criteria { field: \"a\" op: OP_EQ values { uint: 1 } "
                           "} } }\n",
                       Code::format_limit, "instances {");
    }
    SECTION("a rule id, located at the instance") {
        require_single(std::string(kHeader) +
                           "instances { id: 1 template_type { id: 5 version: 1 } rule: 3 }\n",
                       Code::format_limit, "instances {");
    }
    SECTION("a wildcard that is negated") {
        require_single(one_instance("  criteria { field: \"a\" wildcard: true negate: true }\n"),
                       Code::wildcard_with_operator, "criteria {");
    }
    SECTION("range with one value") {
        require_single(
            one_instance("  criteria { field: \"a\" op: OP_RANGE values { uint: 1 } }\n"),
            Code::value_count, "criteria {");
    }
    SECTION("in with no values") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_IN }\n"), Code::value_count,
                       "criteria {");
    }
    SECTION("an operator that cannot take the value's kind, located at the value") {
        require_single(
            one_instance("  criteria { field: \"a\" op: OP_LT values { string: \"x\" } }\n"),
            Code::operator_kind_mismatch, "values {");
    }
    SECTION("case_insensitive on a number") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EQ case_insensitive: true "
                                    "values { uint: 1 } }\n"),
                       Code::case_insensitive_misuse, "criteria {");
    }
    SECTION("a malformed IP address") {
        require_single(
            one_instance("  criteria { field: \"a\" op: OP_EQ values { ip: \"10.0.0.256\" } }\n"),
            Code::ip_malformed, "values {");
    }
    SECTION("a network where eq wants one address") {
        require_single(
            one_instance("  criteria { field: \"a\" op: OP_EQ values { ip: \"10.0.0.0/8\" } }\n"),
            Code::ip_malformed, "values {");
    }
    SECTION("a network with host bits set") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_CIDR_CONTAINS "
                                    "values { ip: \"10.0.0.1/8\" } }\n"),
                       Code::ip_malformed, "values {");
    }
    SECTION("a set with a duplicate, located at the second copy") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_IN values { uint: 1 }\n"
                                    "    values { uint: 2 }\n"
                                    "    values { uint: 1 } }\n"),
                       Code::set_duplicate, "values { uint: 1 } }");
    }
    SECTION("a case-insensitive set with one member in two cases, located at the second") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_IN case_insensitive: true\n"
                                    "    values { string: \"C:\\\\a.exe\" }\n"
                                    "    values { string: \"c:\\\\b.exe\" }\n"
                                    "    values { string: \"c:\\\\A.EXE\" } }\n"),
                       Code::set_duplicate, "values { string: \"c:\\\\A.EXE");
    }
    SECTION("an instance without a template type") {
        require_single(
            std::string(kHeader) + "instances { id: 1 criteria { field: \"a\" wildcard: true } }\n",
            Code::template_type_missing, "instances {");
    }
    SECTION("two instances with one id, located at the second") {
        require_single(std::string(kHeader) +
                           "instances { id: 4 template_type { id: 1 version: 1 } }\n"
                           "instances { id: 4 template_type { id: 1 version: 1 } }\n",
                       Code::instance_id_duplicate, "instances {");
    }
    SECTION("a malformed sensor version") {
        require_single(
            "channel: 1\ncontent_version: 1\n"
            "sensor_range { min: \"7.11\" max: \"7.11.0\" }\n",
            Code::sensor_version_malformed, "sensor_range");
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

TEST_CASE("the spellings format 1 holds exactly compile to the one encoding") {
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
    SECTION("a set with a duplicate spelled as eq is still refused as one") {
        require_single(one_instance("  criteria { field: \"a\" op: OP_EQ values { uint: 1 }\n"
                                    "    values { uint: 1 } }\n"),
                       Code::set_duplicate, "values { uint: 1 } }");
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
    const PartialCompile partial = compile_each(parse(text));
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
                           "instances { id: 1 template_type { id: 1 version: 1 } }\n"));
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
    const auto unlimited = compile(source);
    REQUIRE(unlimited.ok());
    CompileOptions options;
    options.limits.max_name_length_incl = 4;
    options.limits.max_value_length_incl = 8;
    options.limits.max_blob_set_size_incl = 2;
    options.limits.max_criteria_per_instance_incl = 1;
    options.limits.max_instances_incl = 1;
    options.limits.max_criteria_incl = 1;
    options.limits.max_blob_size_incl = static_cast<uint32_t>(unlimited.value->bytes.size());
    CHECK(compile(source, options).ok());

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
    const auto refused = compile(source, options);
    CHECK_FALSE(refused.ok());
    REQUIRE(refused.diagnostics.size() == 1);
    CHECK(refused.diagnostics[0].code == Code::format_limit);
    CHECK(refused.diagnostics[0].location.file == "test.txtpb");
    const auto [line, column] =
        marker.empty() ? std::pair<uint32_t, uint32_t>{0, 0} : position_of(text, marker);
    CHECK(refused.diagnostics[0].location.line == line);
    CHECK(refused.diagnostics[0].location.column == column);
}
