// A sensor manifest in any format (the first byte picks it), checked against
// the example registry. A manifest that parses, turned into the loader's
// sensor table and written back by ringward_write_manifest (as an agent
// prints its own), must parse to the same table: the table and the manifest
// cannot drift apart. The write is also made into a buffer of a fuzzed size,
// which must hold a NUL-terminated prefix of the whole text.
#include <algorithm>
#include <cstring>

#include "harness/targets.hpp"
#include "ringward/loader.h"
#include "ringward/sensor_table.h"
#include "ringward/sign.hpp"

namespace {

void check_written_back(const ringward::SensorManifest& manifest, uint8_t capacity_byte) {
    using namespace ringward;
    if (!manifest.version) {
        return;  // the loader's table needs a numeric version
    }
    const std::vector<ringward_template_support> table = to_loader_table(manifest);
    const uint64_t version = manifest.version->packed();
    const size_t length = ringward_write_manifest(table.data(), table.size(), version, nullptr, 0);
    std::string text(length + 1, '\xff');
    fuzz::require(ringward_write_manifest(table.data(), table.size(), version, text.data(),
                                          text.size()) == length &&
                      text[length] == '\0',
                  "the manifest writer's length is not what it writes");
    text.resize(length);
    // A short buffer: the same length returned, and the prefix that fits.
    const size_t capacity = std::min<size_t>(capacity_byte, length);
    std::string part(capacity + 1, '\xff');
    fuzz::require(ringward_write_manifest(table.data(), table.size(), version, part.data(),
                                          capacity) == length &&
                      part[capacity] == '\xff' &&
                      (capacity == 0 || (part[capacity - 1] == '\0' &&
                                         std::memcmp(part.data(), text.data(), capacity - 1) == 0)),
                  "the manifest writer overran or garbled a short buffer");

    LoadOptions options;
    options.format = InputFormat::text;
    auto again = parse_manifest(text, "written", options);
    fuzz::require(again.ok() && again.value->version && again.value->version->packed() == version,
                  "a written manifest does not parse back to its version");
    const auto& before = manifest.template_types;
    const auto& after = again.value->template_types;
    fuzz::require(after.size() == before.size(), "a written manifest lost template types");
    for (size_t t = 0; t < before.size(); ++t) {
        fuzz::require(after[t].id == before[t].id && after[t].version == before[t].version &&
                          after[t].input_types == before[t].input_types,
                      "a written manifest differs from the sensor table it came from");
    }
}

}  // namespace

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
    check_written_back(*manifest.value, data[size - 1]);
    static const Registry registry = fuzz::example_registry();
    std::vector<SensorManifest> manifests;
    manifests.push_back(std::move(*manifest.value));
    auto target = ValidationTarget::create(registry, std::move(manifests));
    // The example registry is clean: manifest findings never withhold it.
    fuzz::require(target.ok(), "a manifest finding withheld a target with a clean registry");
    return 0;
}
