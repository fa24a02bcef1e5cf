// Compiles a small content file with the installed library and reads the
// blob back; prints what it found, which the install test checks.
#include <ringward/compile.hpp>
#include <ringward/diagnostic.hpp>
#include <ringward/format.hpp>
#include <ringward/schema.hpp>

#include <cstdio>

int main() {
    ringward::format::BlobView view;
    const auto empty = ringward::format::read_blob(nullptr, 0, {}, &view);
    std::printf("empty: %s\n", ringward::format::read_error_name(empty.error));
    std::printf("code: %s\n", ringward::code_id(ringward::Code::syntax_error).c_str());

    ringward::LoadOptions options;
    options.format = ringward::InputFormat::text;
    auto content = ringward::parse_content(
        "channel: 9 content_version: 1 sensor_range { min: \"1.0.0\" max: \"1.0.0\" }"
        " instances { id: 1 template_type { id: 1 version: 1 }"
        "   criteria { field: \"port\" op: OP_EQ values { uint: 22 } } }",
        "inline.txtpb", options);
    if (!content.ok()) {
        return 1;
    }
    auto registry = ringward::parse_registry(
        "template_types { id: 1 version: 1 name: \"ssh\""
        "  fields { name: \"port\" type: TYPE_UINT operators: OP_EQ wildcard_allowed: true } }",
        "inline-registry.txtpb", options);
    if (!registry.ok()) {
        return 1;
    }
    auto blob = ringward::compile(*content.value, *registry.value);
    if (!blob.ok()) {
        return 1;
    }
    const auto read =
        ringward::format::read_blob(blob.value->bytes.data(), blob.value->bytes.size(), {}, &view);
    std::printf("blob: %s, %u instance, channel %u\n", read.ok() ? "ok" : "refused",
                view.instance_count(), view.channel());
    return read.ok() ? 0 : 1;
}
