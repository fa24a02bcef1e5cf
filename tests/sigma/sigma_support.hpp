// Importing rules the tests write in Sigma's format, and reading what came
// out as one line per instance, so that a test states the whole meaning.
#pragma once

#include <google/protobuf/text_format.h>
#include <catch2/catch.hpp>

#include <string>

#include "ringward/sigma.hpp"
#include "ringward/v1/content.pb.h"
#include "support/run.hpp"

namespace ringward::test {

inline const sigma::Mapping& example_mapping() {
    static const sigma::Mapping mapping = [] {
        auto loaded = sigma::load_mapping(source_path("examples/sigma/mapping.txtpb"));
        REQUIRE(loaded.ok());
        return *loaded.value;
    }();
    return mapping;
}

struct Imported {
    sigma::RuleStatus status;
    v1::ContentFile content;
};

inline Imported import_one(const std::string& yaml, const sigma::ImportOptions& options = {},
                           const std::string& file = "rule.yml") {
    const sigma::RuleSource source{file, yaml};
    const sigma::ImportResult result =
        sigma::import_rules(example_mapping(), std::span(&source, 1), options);
    REQUIRE(result.rules.size() == 1);
    Imported imported{result.rules[0], {}};
    REQUIRE(google::protobuf::TextFormat::ParseFromString(result.content_text, &imported.content));
    return imported;
}

// A process_creation rule around a detection block (indented by 4).
inline std::string process_rule(const std::string& detection) {
    return "title: Test rule\n"
           "id: 00000000-0000-4000-8000-000000000001\n"
           "logsource:\n"
           "    product: windows\n"
           "    category: process_creation\n"
           "detection:\n" +
           detection;
}

inline std::string describe(const v1::Criterion& c) {
    std::string out = c.negate() ? "!" : "";
    std::string op = v1::Operator_Name(c.op()).substr(3);
    for (char& ch : op) {
        if (ch >= 'A' && ch <= 'Z') {
            ch = static_cast<char>(ch - 'A' + 'a');
        }
    }
    out += c.field() + " " + op + (c.case_insensitive() ? "/i" : "");
    for (int i = 0; i < c.values_size(); ++i) {
        const v1::Value& v = c.values(i);
        out += i == 0 ? " " : "|";
        switch (v.kind_case()) {
            case v1::Value::kString:
                out += "\"" + v.string() + "\"";
                break;
            case v1::Value::kField:
                out += "@" + v.field();
                break;
            case v1::Value::kUint:
                out += std::to_string(v.uint());
                break;
            case v1::Value::kInt:
                out += std::to_string(v.int_());
                break;
            case v1::Value::kBool:
                out += v.bool_() ? "true" : "false";
                break;
            case v1::Value::kIp:
                out += v.ip();
                break;
            default:
                out += "?";
        }
    }
    return out;
}

// "criterion & criterion & not(criterion & criterion)" per instance, one
// line each.
inline std::string describe(const v1::ContentFile& content) {
    std::string out;
    for (const v1::TemplateInstance& instance : content.instances()) {
        std::string line;
        for (const v1::Criterion& c : instance.criteria()) {
            line += (line.empty() ? "" : " & ") + describe(c);
        }
        for (const v1::Exclusion& e : instance.exclusions()) {
            std::string inner;
            for (const v1::Criterion& c : e.criteria()) {
                inner += (inner.empty() ? "" : " & ") + describe(c);
            }
            line += (line.empty() ? "" : " & ") + std::string("not(") + inner + ")";
        }
        out += line + "\n";
    }
    return out;
}

// The instances a process_creation detection imports as.
inline std::string converted(const std::string& detection) {
    const Imported imported = import_one(process_rule(detection));
    INFO(detection);
    for (const Diagnostic& d : imported.status.findings) {
        UNSCOPED_INFO(code_id(d.code) << " " << d.message);
    }
    REQUIRE(imported.status.imported);
    return describe(imported.content);
}

}  // namespace ringward::test
