// The mapping as the importer reads it: per logsource, its template type and
// its fields, looked up by Sigma name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ringward/sigma.hpp"
#include "ringward/v1/mapping.pb.h"

namespace ringward::sigma {

struct MappedField {
    std::string field;
    v1::FieldType type = v1::TYPE_STRING;
};

struct MappedLogsource {
    std::string product;
    std::string category;
    std::string service;
    uint32_t template_id = 0;
    uint32_t template_version = 0;
    std::map<std::string, MappedField, std::less<>> fields;
    // Which events are this logsource's (`ringward match`, docs/events.md),
    // and where the entry is written.
    std::vector<v1::EventSelector> events;
    Location location;
};

struct Mapping::Impl {
    v1::SensorRange sensor_range;
    std::vector<MappedLogsource> logsources;

    // The entry whose product, category and service all equal these; null
    // when none does.
    const MappedLogsource* find(std::string_view product, std::string_view category,
                                std::string_view service) const noexcept;
};

}  // namespace ringward::sigma
