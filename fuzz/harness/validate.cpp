// Validation end to end: fuzzed content (protobuf text) against the example
// registry and manifests. The same bytes validated as a blob must reach the
// same verdict with the same codes, and what passes must read back whole.
#include <algorithm>

#include "harness/targets.hpp"
#include "ringward/compile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    auto content = fuzz::parse_text_content(data, size);
    if (!content.ok()) {
        return 0;
    }
    const ValidationTarget& target = fuzz::example_target();
    auto from_source = validate_content(*content.value, target);
    fuzz::check_result(from_source);
    auto compiled = compile(*content.value, target.registry());
    if (!compiled.ok()) {
        fuzz::require(!from_source.ok(), "validate passed content that does not compile");
        return 0;
    }
    auto from_blob = validate_blob(compiled.value->bytes, "fuzz.rwc", target);
    fuzz::check_result(from_blob);
    fuzz::require(from_source.ok() == from_blob.ok(),
                  "source and blob validation disagree on the verdict");
    std::vector<Code> a;
    std::vector<Code> b;
    for (const Diagnostic& d : from_source.diagnostics) {
        a.push_back(d.code);
    }
    for (const Diagnostic& d : from_blob.diagnostics) {
        b.push_back(d.code);
    }
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    fuzz::require(a == b, "source and blob validation report different codes");
    if (from_source.ok()) {
        const ValidatedBlob& blob = *from_source.value;
        format::BlobView view;
        fuzz::require(
            format::read_blob(blob.bytes().data(), blob.bytes().size(), format::Limits{}, &view)
                .ok(),
            "a validated blob fails the reader");
        fuzz::require(blob.bytes() == compiled.value->bytes,
                      "validation did not validate the bytes compile() writes");
    }
    return 0;
}
