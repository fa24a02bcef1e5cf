// The mapping file: its own refusals (RW0912), and the example mapping held
// to the example registry, so that every field it names exists with the type
// it says.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "ringward/schema.hpp"
#include "sigma/mapping.hpp"
#include "sigma/sigma_support.hpp"

using namespace ringward;

TEST_CASE("the example mapping names only registry fields, with their types") {
    const auto registry = load_registry(test::source_path("examples/registry.txtpb"), {});
    REQUIRE(registry.ok());
    const sigma::Mapping& mapping = test::example_mapping();
    const std::map<format::Kind, v1::FieldType> kinds = {{format::Kind::string, v1::TYPE_STRING},
                                                         {format::Kind::uint64, v1::TYPE_UINT},
                                                         {format::Kind::int64, v1::TYPE_INT},
                                                         {format::Kind::boolean, v1::TYPE_BOOL},
                                                         {format::Kind::ip, v1::TYPE_IP}};
    std::set<std::pair<uint32_t, uint32_t>> mapped;
    for (const sigma::MappedLogsource& logsource : mapping.impl().logsources) {
        INFO(logsource.category);
        const TemplateType* type =
            registry.value->find(logsource.template_id, logsource.template_version);
        REQUIRE(type != nullptr);
        mapped.emplace(type->id, type->version);
        for (const auto& entry : logsource.fields) {
            const sigma::MappedField& field = entry.second;
            INFO(entry.first);
            const auto found =
                std::find_if(type->fields.begin(), type->fields.end(),
                             [&](const FieldSpec& f) { return f.name == field.field; });
            REQUIRE(found != type->fields.end());
            CHECK(kinds.at(found->type) == field.type);
        }
    }
    // Every Sysmon-shaped template type has a logsource.
    for (const auto& [id, version] : std::vector<std::pair<uint32_t, uint32_t>>{{1, 3},
                                                                                {3, 2},
                                                                                {4, 2},
                                                                                {6, 1},
                                                                                {7, 1},
                                                                                {8, 1},
                                                                                {9, 1},
                                                                                {10, 1},
                                                                                {11, 1},
                                                                                {12, 1},
                                                                                {13, 1},
                                                                                {14, 1},
                                                                                {15, 1},
                                                                                {16, 1},
                                                                                {17, 1}}) {
        CHECK(mapped.count({id, version}) == 1);
    }
}

TEST_CASE("a mapping that maps one thing twice or leaves parts out is refused (RW0912)") {
    struct Case {
        const char* what;
        const char* text;
        uint32_t line;
        uint32_t column;
    };
    const Case cases[] = {
        {"logsource twice",
         "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\n"
         "logsources { product: \"windows\" category: \"a\" template_type { id: 1 version: 1 } }\n"
         "logsources { product: \"windows\" category: \"a\" template_type { id: 2 version: 1 } }\n",
         3, 1},
        {"field twice",
         "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\n"
         "logsources { category: \"a\" template_type { id: 1 version: 1 }\n"
         "  fields { sigma: \"Image\" field: \"image\" }\n"
         "  fields { sigma: \"Image\" field: \"image_path\" }\n"
         "}\n",
         4, 3},
        {"no template type",
         "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\nlogsources { category: \"a\" }\n", 2,
         1},
        {"a type no Sigma value is",
         "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\n"
         "logsources { category: \"a\" template_type { id: 1 version: 1 }\n"
         "  fields { sigma: \"Hash\" field: \"h\" type: TYPE_BYTES }\n}\n",
         3, 3},
        {"no field name",
         "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\n"
         "logsources { category: \"a\" template_type { id: 1 version: 1 }\n"
         "  fields { sigma: \"Image\" }\n}\n",
         3, 3},
        {"no sensor range", "logsources { category: \"a\" template_type { id: 1 version: 1 } }\n",
         0, 0},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const auto result = sigma::parse_mapping_text(c.text, "map.txtpb");
        REQUIRE_FALSE(result.ok());
        REQUIRE(result.diagnostics.size() == 1);
        CHECK(result.diagnostics[0].code == Code::sigma_mapping_invalid);
        CHECK(result.diagnostics[0].location.line == c.line);
        CHECK(result.diagnostics[0].location.column == c.column);
    }
}

TEST_CASE("a logsource matches on product, category and service all equal") {
    const auto result = sigma::parse_mapping_text(
        "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\n"
        "logsources { product: \"windows\" category: \"a\" template_type { id: 1 version: 1 } }\n"
        "logsources { product: \"windows\" category: \"a\" service: \"s\"\n"
        "             template_type { id: 2 version: 1 } }\n",
        "map.txtpb");
    REQUIRE(result.ok());
    const sigma::Mapping::Impl& impl = result.value->impl();
    REQUIRE(impl.find("windows", "a", "") != nullptr);
    CHECK(impl.find("windows", "a", "")->template_id == 1);
    CHECK(impl.find("windows", "a", "s")->template_id == 2);
    CHECK(impl.find("windows", "b", "") == nullptr);
    CHECK(impl.find("", "a", "") == nullptr);
}
