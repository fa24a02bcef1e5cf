// Every example round-trips: source, blob, reader, and the same content,
// compared field by field against the parsed source.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "ringward/compile.hpp"
#include "schema/content_source.hpp"
#include "support/run.hpp"

using namespace ringward;
using format::Kind;
using format::Op;
using ringward::test::source_path;

namespace {

const char* const kExamples[] = {
    "examples/content/detections.txtpb",
    "examples/content/small.txtpb",
    "examples/content/small.json",
    "examples/channel-291/content-earlier.txtpb",
    "examples/channel-291/content-new.txtpb",
    "examples/content/sysmon-v2.txtpb",
};

const Registry& example_registry() {
    static const Registry registry = [] {
        auto loaded = load_registry(source_path("examples/registry.txtpb"));
        REQUIRE(loaded.ok());
        return std::move(*loaded.value);
    }();
    return registry;
}

// Whether the blob holds the criterion's values as a sorted set: in, and the
// string matches of several values.
bool is_set(const format::CriterionView& c) {
    return c.op() == Op::in ||
           (c.op() != Op::eq && format::op_is_string_match(c.op()) && c.value_count() >= 2);
}

std::string text(format::Bytes bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data), bytes.size);
}

// The values of a source criterion as the blob must hold them: in source
// order for single values and ranges, sorted for sets.
std::vector<std::string> source_values(const v1::Criterion& c) {
    std::vector<std::string> out;
    for (const v1::Value& v : c.values()) {
        switch (v.kind_case()) {
            case v1::Value::kInt:
                out.push_back(std::to_string(v.int_()));
                break;
            case v1::Value::kUint:
                out.push_back(std::to_string(v.uint()));
                break;
            case v1::Value::kBool:
                out.push_back(v.bool_() ? "1" : "0");
                break;
            case v1::Value::kIp:
                out.push_back(format_ip(*parse_ip(v.ip(), true)));
                break;
            case v1::Value::kBytes:
                out.push_back(v.bytes());
                break;
            case v1::Value::kEnum:
                out.push_back(v.enum_());
                break;
            default:
                out.push_back(v.string());
        }
    }
    return out;
}

IpValue ip_at(const uint8_t* address, uint8_t prefix) {
    IpValue ip;
    std::memcpy(ip.address.data(), address, 16);
    ip.prefix_len = prefix;
    return ip;
}

std::vector<std::string> blob_values(const format::CriterionView& c) {
    std::vector<std::string> out;
    const Kind kind = c.kind();
    const auto scalar = [kind](uint64_t v) {
        return kind == Kind::int64 ? std::to_string(static_cast<int64_t>(v)) : std::to_string(v);
    };
    if (is_set(c)) {
        if (kind == Kind::int64 || kind == Kind::uint64) {
            for (uint32_t i = 0; i < c.value_count(); ++i) {
                out.push_back(scalar(c.scalar_member(i)));
            }
        } else if (kind == Kind::ip) {
            for (uint32_t i = 0; i < c.value_count(); ++i) {
                out.push_back(format_ip(ip_at(c.ip_member(i), c.ip_member(i)[16])));
            }
        } else {
            format::ByteSetCursor cursor = c.byte_members();
            format::Bytes member;
            while (cursor.next(&member)) {
                out.push_back(text(member));
            }
        }
    } else if (c.op() == Op::range) {
        out = {scalar(c.value0()), scalar(c.value1())};
    } else if (kind == Kind::ip) {
        out.push_back(format_ip(ip_at(c.ip_address(), c.prefix_len())));
    } else if (format::op_kind_uses_pool(c.op(), kind)) {
        out.push_back(text(c.data()));
    } else if (c.op() != Op::exists && c.op() != Op::empty) {
        out.push_back(kind == Kind::boolean ? std::to_string(c.value0()) : scalar(c.value0()));
    }
    return out;
}

Kind kind_of(const v1::Criterion& c) {
    if (c.values_size() == 0) {
        return Kind::none;
    }
    return static_cast<Kind>(c.values(0).kind_case());
}

}  // namespace

TEST_CASE("every example compiles, reads back, and says what its source says") {
    for (const char* path : kExamples) {
        DYNAMIC_SECTION(path) {
            auto source = load_content(source_path(path));
            REQUIRE(source.ok());
            auto compiled = compile(*source.value, example_registry());
            REQUIRE(compiled.ok());
            CHECK(compiled.diagnostics.empty());
            const auto& bytes = compiled.value->bytes;
            format::BlobView view;
            REQUIRE(format::read_blob(bytes.data(), bytes.size(), format::Limits{}, &view).ok());
            CHECK(reencode(view) == bytes);

            const v1::ContentFile& message = source.value->impl().message;
            CHECK(view.channel() == message.channel());
            CHECK(view.content_version() == message.content_version());
            CHECK(view.sensor_min() ==
                  parse_sensor_version(message.sensor_range().min())->packed());
            CHECK(view.sensor_max() ==
                  parse_sensor_version(message.sensor_range().max())->packed());
            REQUIRE(view.instance_count() == static_cast<uint32_t>(message.instances_size()));
            const auto& order = compiled.value->source_instance;
            for (uint32_t i = 0; i < view.instance_count(); ++i) {
                const format::InstanceView instance = view.instance(i);
                const v1::TemplateInstance& original =
                    message.instances(static_cast<int>(order[i]));
                INFO("instance " << original.id());
                if (i > 0) {
                    CHECK(view.instance(i - 1).id() < instance.id());
                }
                CHECK(instance.id() == original.id());
                CHECK(instance.template_type_id() == original.template_type().id());
                CHECK(instance.template_type_version() == original.template_type().version());
                CHECK(instance.rule_id() == original.rule());
                CHECK(instance.exclusion_count() ==
                      static_cast<uint32_t>(original.exclusions_size()));
                const TemplateType* type = example_registry().find(
                    original.template_type().id(), original.template_type().version());
                REQUIRE(type != nullptr);
                CHECK(instance.field_count() == type->fields.size());
                // Every criterion but the wildcards, of the instance and of
                // its exclusions, has its record.
                uint32_t records = 0;
                for (const auto& c : original.criteria()) {
                    records += c.wildcard() ? 0 : 1;
                }
                for (const auto& e : original.exclusions()) {
                    for (const auto& c : e.criteria()) {
                        records += c.wildcard() ? 0 : 1;
                    }
                }
                REQUIRE(instance.criterion_count() == records);
                for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
                    const format::CriterionView c = instance.criterion(k);
                    const CriterionOrigin origin =
                        compiled.value->source_criterion[instance.first_criterion() + k];
                    const v1::Criterion& o =
                        origin.group == 0 ? original.criteria(static_cast<int>(origin.index))
                                          : original.exclusions(static_cast<int>(origin.group - 1))
                                                .criteria(static_cast<int>(origin.index));
                    INFO("criterion " << k << " (" << o.field() << ")");
                    CHECK_FALSE(o.wildcard());
                    CHECK(c.group() == origin.group);
                    CHECK(text(c.name()) == o.field());
                    REQUIRE(c.field_index() < type->fields.size());
                    CHECK(type->fields[c.field_index()].name == o.field());
                    // ne is eq negated; eq of several values is in.
                    const bool ne = o.op() == v1::OP_NE;
                    const Op op = ne ? Op::eq : static_cast<Op>(o.op());
                    CHECK(c.op() == (op == Op::eq && o.values_size() > 1 ? Op::in : op));
                    CHECK(c.negated() == (o.negate() != ne));
                    CHECK(c.case_insensitive() == o.case_insensitive());
                    CHECK(c.value_count() == static_cast<uint32_t>(o.values_size()));
                    if (o.values_size() > 0 && o.values(0).has_field()) {
                        CHECK(c.is_field_ref());
                        CHECK(text(c.data()) == o.values(0).field());
                        CHECK(type->fields[c.ref_field_index()].name == o.values(0).field());
                        continue;
                    }
                    CHECK_FALSE(c.is_field_ref());
                    CHECK(c.kind() ==
                          (o.values_size() == 0 ? type->fields[c.field_index()].type : kind_of(o)));
                    auto expected = source_values(o);
                    auto actual = blob_values(c);
                    if (is_set(c)) {
                        // Sets are sorted by the format's own order; compare
                        // as sets (the reader checks that order).
                        std::sort(expected.begin(), expected.end());
                        std::sort(actual.begin(), actual.end());
                    }
                    CHECK(actual == expected);
                }
            }
        }
    }
}

TEST_CASE("text and JSON forms of one content compile to identical bytes") {
    auto text_source = load_content(source_path("examples/content/small.txtpb"));
    auto json_source = load_content(source_path("examples/content/small.json"));
    REQUIRE(text_source.ok());
    REQUIRE(json_source.ok());
    const auto from_text = compile(*text_source.value, example_registry());
    const auto from_json = compile(*json_source.value, example_registry());
    REQUIRE(from_text.ok());
    REQUIRE(from_json.ok());
    CHECK(from_text.value->bytes == from_json.value->bytes);

    SECTION("and so does the binary form") {
        const std::string binary = text_source.value->impl().message.SerializeAsString();
        LoadOptions options;
        options.format = InputFormat::binary;
        auto binary_source = parse_content(binary, "small.binpb", options);
        REQUIRE(binary_source.ok());
        const auto from_binary = compile(*binary_source.value, example_registry());
        REQUIRE(from_binary.ok());
        CHECK(from_binary.value->bytes == from_text.value->bytes);
    }
}

TEST_CASE("compiling twice gives identical bytes") {
    for (const char* path : kExamples) {
        INFO(path);
        auto first = load_content(source_path(path));
        auto second = load_content(source_path(path));
        REQUIRE(first.ok());
        REQUIRE(second.ok());
        CHECK(compile(*first.value, example_registry()).value->bytes ==
              compile(*second.value, example_registry()).value->bytes);
    }
}
