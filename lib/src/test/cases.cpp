// Cases files (schemas/ringward/v1/test_case.proto) into TestFile, through
// the schema loaders' parser so that a cases file is read one way only, with
// the limits and codes every other input has.
#include <fmt/format.h>

#include <set>
#include <tuple>

#include "ringward/content_test.hpp"
#include "ringward/file.hpp"
#include "ringward/v1/test_case.pb.h"
#include "schema/parse.hpp"

namespace ringward {
namespace {

namespace pb = google::protobuf;
using Tree = pb::TextFormat::ParseInfoTree;

const Tree* nested(const Tree* tree, const pb::Message& message, const char* name, int index = -1) {
    if (tree == nullptr) {
        return nullptr;
    }
    return tree->GetTreeForNested(message.GetDescriptor()->FindFieldByName(name), index);
}

Location place(const std::string& file, const Tree* tree, const pb::Message& message,
               const char* name, int index, std::string path) {
    const auto position = field_position(tree, message, name, index);
    Location out;
    out.file = file;
    out.line = position.line;
    out.column = position.column;
    out.path = std::move(path);
    return out;
}

// The expectation's identity, to find one rule expected both ways.
std::tuple<int, uint32_t, std::string> key_of(const TestExpectation& e) {
    return {static_cast<int>(e.target), e.id, e.name};
}

std::string describe(const TestExpectation& e) {
    switch (e.target) {
        case TestExpectation::Target::rule:
            return fmt::format("rule {}", e.id);
        case TestExpectation::Target::rule_name:
            return fmt::format("rule '{}'", e.name);
        case TestExpectation::Target::instance:
            return fmt::format("instance {}", e.id);
    }
    return {};
}

std::vector<TestExpectation> expectations(const std::string& file, const Tree* tree,
                                          const v1::TestCase& message, const char* name,
                                          const std::string& case_path, const std::string& label,
                                          std::vector<Diagnostic>& diagnostics) {
    std::vector<TestExpectation> out;
    const auto& list =
        std::string_view(name) == "fires" ? message.fires() : message.does_not_fire();
    for (int i = 0; i < list.size(); ++i) {
        const v1::Expectation& entry = list.Get(i);
        TestExpectation e;
        e.location =
            place(file, tree, message, name, i, fmt::format("{}.{}[{}]", case_path, name, i));
        switch (entry.target_case()) {
            case v1::Expectation::kRule:
                e.target = TestExpectation::Target::rule;
                e.id = entry.rule();
                break;
            case v1::Expectation::kRuleName:
                e.target = TestExpectation::Target::rule_name;
                e.name = entry.rule_name();
                break;
            case v1::Expectation::kInstance:
                e.target = TestExpectation::Target::instance;
                e.id = entry.instance();
                break;
            case v1::Expectation::TARGET_NOT_SET:
                diagnostics.push_back(make_diagnostic(
                    Code::test_case_malformed,
                    fmt::format("{}: {}[{}] names no rule or instance", label, name, i), e.location,
                    "give one of rule, rule_name or instance"));
                continue;
        }
        out.push_back(std::move(e));
    }
    return out;
}

TestCase to_case(const std::string& file, const Tree* file_tree, const v1::ContentTestFile& root,
                 int index, std::vector<Diagnostic>& diagnostics) {
    const v1::TestCase& message = root.cases(index);
    const Tree* tree = nested(file_tree, root, "cases", index);
    const std::string path = fmt::format("cases[{}]", index);
    TestCase out;
    out.name = message.name();
    out.location = place(file, file_tree, root, "cases", index, path);
    const std::string label = out.name.empty() ? path : fmt::format("case '{}'", out.name);
    if (out.name.empty()) {
        diagnostics.push_back(make_diagnostic(Code::test_case_malformed,
                                              fmt::format("{} has no name", path), out.location,
                                              "name every case: reports name the case by it"));
    }
    const v1::TestEvent& event = message.event();
    const Tree* event_tree = nested(tree, message, "event");
    switch (event.template_case()) {
        case v1::TestEvent::kTemplateTypeName:
            out.by_name = true;
            out.template_type_name = event.template_type_name();
            out.template_type_version = event.template_type_version();
            break;
        case v1::TestEvent::kTemplateType:
            out.template_type_id = event.template_type().id();
            out.template_type_version = event.template_type().version();
            if (event.template_type_version() != 0) {
                diagnostics.push_back(make_diagnostic(
                    Code::test_case_malformed,
                    fmt::format("{}: template_type_version goes with template_type_name only",
                                label),
                    place(file, event_tree, event, "template_type_version", -1,
                          path + ".event.template_type_version"),
                    "give the version inside template_type"));
            }
            break;
        case v1::TestEvent::TEMPLATE_NOT_SET:
            diagnostics.push_back(make_diagnostic(
                Code::test_case_malformed, fmt::format("{} has no event template type", label),
                out.location,
                "give event { template_type_name: \"...\" } or event { template_type { id: .. "
                "version: .. } }"));
            break;
    }
    for (int f = 0; f < event.fields_size(); ++f) {
        const v1::FieldValue& value = event.fields(f);
        TestInput input;
        input.field = value.field();
        input.location = place(file, event_tree, event, "fields", f,
                               fmt::format("{}.event.fields[{}]", path, f));
        switch (value.kind_case()) {
            case v1::FieldValue::kInt:
                input.kind = format::Kind::int64;
                input.number = static_cast<uint64_t>(value.int_());
                break;
            case v1::FieldValue::kUint:
                input.kind = format::Kind::uint64;
                input.number = value.uint();
                break;
            case v1::FieldValue::kBool:
                input.kind = format::Kind::boolean;
                input.number = value.bool_() ? 1 : 0;
                break;
            case v1::FieldValue::kString:
                input.kind = format::Kind::string;
                input.text = value.string();
                break;
            case v1::FieldValue::kBytes:
                input.kind = format::Kind::bytes;
                input.text = value.bytes();
                break;
            case v1::FieldValue::kEnum:
                input.kind = format::Kind::enumeration;
                input.text = value.enum_();
                break;
            case v1::FieldValue::kIp:
                input.kind = format::Kind::ip;
                input.text = value.ip();
                break;
            case v1::FieldValue::KIND_NOT_SET:
                diagnostics.push_back(make_diagnostic(
                    Code::test_value_invalid,
                    fmt::format("{}: field '{}' has no value", label, input.field), input.location,
                    "give its value, or list the field under absent"));
                continue;
        }
        out.inputs.push_back(std::move(input));
    }
    for (int a = 0; a < event.absent_size(); ++a) {
        out.absent.push_back(
            TestAbsent{event.absent(a), place(file, event_tree, event, "absent", a,
                                              fmt::format("{}.event.absent[{}]", path, a))});
    }
    out.fires = expectations(file, tree, message, "fires", path, label, diagnostics);
    out.does_not_fire =
        expectations(file, tree, message, "does_not_fire", path, label, diagnostics);
    if (message.fires_size() == 0 && message.does_not_fire_size() == 0) {
        diagnostics.push_back(make_diagnostic(
            Code::test_case_malformed, fmt::format("{} expects nothing", label), out.location,
            "say which rules must fire (fires) and which must not (does_not_fire)"));
    }
    std::set<std::tuple<int, uint32_t, std::string>> firing;
    for (const TestExpectation& e : out.fires) {
        firing.insert(key_of(e));
    }
    for (const TestExpectation& e : out.does_not_fire) {
        if (firing.count(key_of(e)) != 0) {
            diagnostics.push_back(make_diagnostic(
                Code::test_case_malformed,
                fmt::format("{} expects {} both to fire and not to fire", label, describe(e)),
                e.location, "keep one of the two"));
        }
    }
    return out;
}

}  // namespace

Result<TestFile> parse_test_file(std::string_view bytes, std::string file,
                                 const LoadOptions& options) {
    const InputFormat format = options.format.value_or(InputFormat::text);
    v1::ContentTestFile message;
    Tree tree;
    const bool text = format == InputFormat::text;
    auto diagnostics =
        parse_message(bytes, file, format, options, &message, text ? &tree : nullptr);
    if (has_errors(diagnostics)) {
        return Result<TestFile>::failure(std::move(diagnostics));
    }
    TestFile out;
    out.file = file;
    if (format != InputFormat::binary) {
        out.text = std::string(bytes);
    }
    if (message.cases_size() == 0) {
        Location at;
        at.file = file;
        diagnostics.push_back(
            make_diagnostic(Code::test_file_empty, fmt::format("{} holds no test case", file), at,
                            "add cases { name: ... event { ... } fires { ... } }"));
    }
    std::set<std::string> names;
    for (int i = 0; i < message.cases_size(); ++i) {
        TestCase one = to_case(file, text ? &tree : nullptr, message, i, diagnostics);
        if (!one.name.empty() && !names.insert(one.name).second) {
            diagnostics.push_back(
                make_diagnostic(Code::test_case_malformed,
                                fmt::format("case name '{}' is used by an earlier case", one.name),
                                one.location, "give every case its own name"));
        }
        out.cases.push_back(std::move(one));
    }
    if (has_errors(diagnostics)) {
        return Result<TestFile>::failure(std::move(diagnostics));
    }
    return Result<TestFile>::success(std::move(out), std::move(diagnostics));
}

Result<TestFile> load_test_file(const std::string& path, const LoadOptions& options) {
    LoadOptions resolved = options;
    if (!resolved.format) {
        resolved.format = input_format_from_path(path);
    }
    if (!resolved.format) {
        Location at;
        at.file = path;
        return Result<TestFile>::failure(
            make_diagnostic(Code::input_format_unknown,
                            fmt::format("cannot tell the format of {} from its name", path), at,
                            "name a cases file .txtpb (protobuf text) or .json"));
    }
    auto bytes = read_file(path, resolved.max_input_size_incl);
    if (!bytes.ok()) {
        return Result<TestFile>::failure(std::move(bytes.diagnostics));
    }
    return parse_test_file(*bytes.value, path, resolved);
}

}  // namespace ringward
