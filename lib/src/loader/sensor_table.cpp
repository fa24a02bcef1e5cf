// ringward_write_manifest (sensor_table.h): the agent's table as a manifest.
#include "ringward/sensor_table.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace {

// ringward.v1.FieldType's names, indexed by RINGWARD_TYPE_*.
constexpr const char* kTypeNames[] = {"TYPE_UNSPECIFIED", "TYPE_INT",   "TYPE_UINT", "TYPE_BOOL",
                                      "TYPE_STRING",      "TYPE_BYTES", "TYPE_ENUM", "TYPE_IP"};
static_assert(sizeof(kTypeNames) / sizeof(kTypeNames[0]) == RINGWARD_TYPE_IP + 1);

std::string manifest_text(const ringward_template_support* templates, size_t count,
                          uint64_t sensor_version) {
    std::string text =
        "# The sensor's own template type table, written by ringward_write_manifest.\n";
    text += "sensor_version: \"" + std::to_string(sensor_version >> 48) + "." +
            std::to_string((sensor_version >> 32) & 0xffff) + "." +
            std::to_string(sensor_version & 0xffffffff) + "\"\n";
    for (size_t t = 0; t < count; ++t) {
        text += "template_types {\n  id: " + std::to_string(templates[t].id) +
                "\n  version: " + std::to_string(templates[t].version) + "\n";
        for (uint32_t i = 0; i < templates[t].input_count; ++i) {
            const uint8_t type = templates[t].input_types[i];
            text += "  input_types: ";
            text += type < std::size(kTypeNames) ? kTypeNames[type] : std::to_string(type);
            text += "\n";
        }
        text += "}\n";
    }
    return text;
}

}  // namespace

extern "C" size_t ringward_write_manifest(const ringward_template_support* templates, size_t count,
                                          uint64_t sensor_version, char* buffer, size_t capacity) {
    const std::string text = manifest_text(templates, count, sensor_version);
    if (capacity > 0) {
        const size_t n = std::min(text.size(), capacity - 1);
        std::memcpy(buffer, text.data(), n);
        buffer[n] = '\0';
    }
    return text.size();
}
