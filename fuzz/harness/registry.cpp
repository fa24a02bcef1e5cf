// A registry in any format (the first byte picks it), then the registry and
// the example manifests checked together.
#include "harness/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size == 0) {
        return 0;
    }
    LoadOptions options;
    options.format = fuzz::format_from_byte(data[0]);
    auto registry = parse_registry(
        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), "fuzz", options);
    fuzz::check_result(registry);
    if (!registry.ok()) {
        return 0;
    }
    static const std::vector<SensorManifest> manifests = fuzz::example_manifests();
    auto target = ValidationTarget::create(std::move(*registry.value), manifests);
    for (const Diagnostic& d : target.diagnostics) {
        fuzz::check_diagnostic(d);
    }
    // Registry errors, and only they, withhold the target (manifest findings
    // are RW06xx).
    bool registry_error = false;
    for (const Diagnostic& d : target.diagnostics) {
        const auto number = static_cast<uint16_t>(d.code);
        registry_error |= d.severity == Severity::error && !(number >= 600 && number < 700);
    }
    fuzz::require(target.ok() != registry_error, "a target was withheld for the wrong reason");
    return 0;
}
