// A sensor manifest in any format (the first byte picks it), checked against
// the example registry.
#include "harness/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size == 0) {
        return 0;
    }
    LoadOptions options;
    options.format = fuzz::format_from_byte(data[0]);
    auto manifest = parse_manifest(
        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), "fuzz", options);
    fuzz::check_result(manifest);
    if (!manifest.ok()) {
        return 0;
    }
    static const Registry registry = fuzz::example_registry();
    std::vector<SensorManifest> manifests;
    manifests.push_back(std::move(*manifest.value));
    auto target = ValidationTarget::create(registry, std::move(manifests));
    // The example registry is clean: manifest findings never withhold it.
    fuzz::require(target.ok(), "a manifest finding withheld a target with a clean registry");
    return 0;
}
