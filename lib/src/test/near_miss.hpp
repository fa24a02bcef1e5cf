// Near-miss values: inputs one criterion's field could take next to the
// event's, built from the criterion's operator and operands so that the
// criterion turns the other way (docs/testing.md, "Near misses").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ringward/format.hpp"
#include "ringward/match.h"
#include "ringward/schema.hpp"

namespace ringward::test_detail {

struct NearMissValue {
    bool present = false;
    uint64_t number = 0;
    std::string bytes;
    std::array<uint8_t, 16> address{};
};

// At most `limit` distinct values, none equal to `current`, most telling
// first: the operands and their neighbours, then edits of the current value.
// `reference` is the referenced field's input for a field reference (else
// null); `field` the registry's field (its enum members), or null.
std::vector<NearMissValue> near_miss_values(const format::CriterionView& criterion,
                                            const ringward_input& current,
                                            const ringward_input* reference, const FieldSpec* field,
                                            uint32_t limit);

}  // namespace ringward::test_detail
