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
};

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
    if (c.op() == Op::in) {
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
    } else if (c.op() != Op::wildcard) {
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
            auto compiled = compile(*source.value);
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
                REQUIRE(instance.criterion_count() ==
                        static_cast<uint32_t>(original.criteria_size()));
                for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
                    const format::CriterionView c = instance.criterion(k);
                    const v1::Criterion& o = original.criteria(static_cast<int>(k));
                    INFO("criterion " << k << " (" << o.field() << ")");
                    CHECK(text(c.name()) == o.field());
                    CHECK(static_cast<int>(c.op()) ==
                          (o.wildcard() ? 0 : static_cast<int>(o.op())));
                    CHECK(c.kind() == kind_of(o));
                    CHECK(c.case_insensitive() == o.case_insensitive());
                    CHECK(c.value_count() == static_cast<uint32_t>(o.values_size()));
                    auto expected = source_values(o);
                    if (c.op() == Op::in && (c.kind() == Kind::int64 || c.kind() == Kind::uint64)) {
                        std::sort(expected.begin(), expected.end(),
                                  [](const std::string& a, const std::string& b) {
                                      return std::stoll(a) < std::stoll(b) ||
                                             (a[0] != '-' && b[0] != '-' &&
                                              std::stoull(a) < std::stoull(b));
                                  });
                    }
                    auto actual = blob_values(c);
                    if (c.op() == Op::in) {
                        // Sets are sorted by the format's own order; compare
                        // as sets, and separately check that order.
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
    const auto from_text = compile(*text_source.value);
    const auto from_json = compile(*json_source.value);
    REQUIRE(from_text.ok());
    REQUIRE(from_json.ok());
    CHECK(from_text.value->bytes == from_json.value->bytes);

    SECTION("and so does the binary form") {
        const std::string binary = text_source.value->impl().message.SerializeAsString();
        LoadOptions options;
        options.format = InputFormat::binary;
        auto binary_source = parse_content(binary, "small.binpb", options);
        REQUIRE(binary_source.ok());
        const auto from_binary = compile(*binary_source.value);
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
        CHECK(compile(*first.value).value->bytes == compile(*second.value).value->bytes);
    }
}
