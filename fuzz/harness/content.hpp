// Content in one source format: whatever parses and compiles must give a
// blob the one reader accepts and that re-encodes to itself.
#pragma once

#include <cstdint>
#include <string_view>

#include "harness/targets.hpp"
#include "ringward/compile.hpp"

namespace ringward::fuzz {

inline int fuzz_content(const uint8_t* data, size_t size, InputFormat format) {
    LoadOptions options;
    options.format = format;
    auto content =
        parse_content(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", options);
    check_result(content);
    if (!content.ok()) {
        return 0;
    }
    // compile_each's blob of the instances without findings is a blob like
    // any other, and equals compile()'s when there are none.
    const Registry& registry = example_target().registry();
    const PartialCompile partial = compile_each(*content.value, registry);
    if (partial.blob) {
        const std::vector<uint8_t>& bytes = partial.blob->bytes;
        format::BlobView view;
        require(format::read_blob(bytes.data(), bytes.size(), format::Limits{}, &view).ok(),
                "compile_each() wrote a blob the reader refuses");
        require(reencode(view) == bytes, "a partly compiled blob does not re-encode to itself");
        require(partial.blob->source_instance.size() == view.instance_count(),
                "the partial source map and the blob disagree on the instance count");
    }
    auto compiled = compile(*content.value, registry);
    check_result(compiled);
    require(compiled.ok() == (partial.blob && !has_errors(partial.diagnostics)),
            "compile() and compile_each() disagree on whether the content compiles");
    if (!compiled.ok()) {
        return 0;
    }
    require(compiled.value->bytes == partial.blob->bytes,
            "compile() and compile_each() wrote different blobs for content without findings");
    const std::vector<uint8_t>& bytes = compiled.value->bytes;
    format::BlobView view;
    require(format::read_blob(bytes.data(), bytes.size(), format::Limits{}, &view).ok(),
            "compile() wrote a blob the reader refuses");
    require(reencode(view) == bytes, "a compiled blob does not re-encode to itself");
    require(compiled.value->source_instance.size() == view.instance_count(),
            "the source map and the blob disagree on the instance count");
    return 0;
}

}  // namespace ringward::fuzz
