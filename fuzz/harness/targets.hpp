// What the harnesses share: the example registry and manifests, loaded once,
// and the check that turns a broken invariant into a crash the fuzzer keeps.
//
// Harnesses abort only on broken invariants, never on bad input: refusing
// hostile input is the code under test doing its job.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "ringward/schema.hpp"
#include "ringward/validate.hpp"

namespace ringward::fuzz {

// Stops the run with a message: a broken invariant is the bug being hunted.
[[noreturn]] inline void invariant_broken(const char* what) {
    std::fprintf(stderr, "ringward fuzz: invariant broken: %s\n", what);
    std::abort();
}

inline void require(bool condition, const char* what) {
    if (!condition) {
        invariant_broken(what);
    }
}

// A diagnostic names a real code, says what is wrong, and says where.
inline void check_diagnostic(const Diagnostic& d) {
    require(find_code(code_id(d.code)) == d.code, "diagnostic with an unknown code");
    require(!d.message.empty(), "diagnostic without a message");
    require(!d.location.file.empty(), "diagnostic without a file");
}

// Every diagnostic is well formed, and a failure carries at least one error
// while a success carries none.
template <class T>
void check_result(const Result<T>& result) {
    for (const Diagnostic& d : result.diagnostics) {
        check_diagnostic(d);
    }
    require(result.ok() != has_errors(result.diagnostics),
            "a result's value and its errors disagree");
}

// protobuf logs its own complaints (invalid UTF-8 in binary input) to
// stderr; ringward reports every failure itself, so the log is noise.
inline const bool protobuf_quiet = (google::protobuf::SetLogHandler(nullptr), true);

inline const std::string& source_dir() {
    static const std::string dir = RINGWARD_SOURCE_DIR;
    return dir;
}

inline Registry example_registry() {
    auto registry = load_registry(source_dir() + "/examples/registry.txtpb");
    require(registry.ok(), "the example registry does not load");
    return std::move(*registry.value);
}

inline std::vector<SensorManifest> example_manifests() {
    auto manifests = load_manifests({source_dir() + "/examples/manifests"});
    require(manifests.ok(), "the example manifests do not load");
    return std::move(*manifests.value);
}

// The examples as one validation target, built once per process.
inline const ValidationTarget& example_target() {
    static const ValidationTarget target = [] {
        auto created = ValidationTarget::create(example_registry(), example_manifests());
        require(created.ok() && created.diagnostics.empty(), "the example target has findings");
        return std::move(*created.value);
    }();
    return target;
}

// The first byte of a loader harness's input picks the format, so one
// corpus covers all three.
inline InputFormat format_from_byte(uint8_t byte) {
    return static_cast<InputFormat>(byte % 3);
}

// Fuzzed bytes as a protobuf text content source.
inline Result<ContentSource> parse_text_content(const uint8_t* data, size_t size) {
    LoadOptions options;
    options.format = InputFormat::text;
    return parse_content(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz",
                         options);
}

}  // namespace ringward::fuzz
