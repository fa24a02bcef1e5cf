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
    auto compiled = compile(*content.value);
    check_result(compiled);
    if (!compiled.ok()) {
        return 0;
    }
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
