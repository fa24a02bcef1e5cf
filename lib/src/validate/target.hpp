// ValidationTarget's insides: the registry and manifests, and the indexes the
// validator looks things up in, built once.
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "ringward/validate.hpp"

namespace ringward {

// (id, version) as one map key.
constexpr uint64_t type_key(uint32_t id, uint32_t version) {
    return uint64_t{id} << 32 | version;
}

struct ValidationTarget::Impl {
    Registry registry;
    std::vector<SensorManifest> manifests;

    struct Type {
        const TemplateType* type = nullptr;
        // Field name to index.
        std::unordered_map<std::string_view, uint32_t> fields;
        // The fields that allow no wildcard, in index order: an instance
        // must constrain each of them itself.
        std::vector<uint32_t> required;
        // Its position in registry.template_types.
        uint32_t index = 0;
    };
    std::unordered_map<uint64_t, Type> types;

    // A manifest whose sensor version parsed.
    struct Build {
        uint64_t version = 0;
        std::string version_text;
        const SensorManifest* manifest = nullptr;
        std::unordered_map<uint64_t, const SuppliedTemplateType*> supplied;
    };
    // Sorted by version.
    std::vector<Build> builds;

    const Type* find_type(uint32_t id, uint32_t version) const {
        const auto it = types.find(type_key(id, version));
        return it == types.end() ? nullptr : &it->second;
    }
};

}  // namespace ringward
