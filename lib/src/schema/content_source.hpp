// ContentSource's insides, shared by the loader that fills them and the
// compiler that reads the message without copying it.
#pragma once

#include <string>
#include <vector>

#include "ringward/schema.hpp"
#include "ringward/v1/content.pb.h"

namespace ringward {

struct ContentSource::Impl {
    std::string file;
    InputFormat format = InputFormat::text;
    // Text and JSON sources: the text itself.
    std::string text;
    v1::ContentFile message;
    // Line and column (1-based) of parts of a text-format source; the
    // loader fills them, see load.cpp.
    struct Position {
        uint32_t line = 0;
        uint32_t column = 0;
    };
    Position channel;
    Position content_version;
    Position sensor_range;
    std::vector<Position> instances;
    // criteria of instance i: criteria[criteria_begin[i] .. criteria_begin[i + 1])
    std::vector<uint32_t> criteria_begin;
    std::vector<Position> criteria;
    // values of global criterion c: values[values_begin[c] .. values_begin[c + 1])
    std::vector<uint32_t> values_begin;
    std::vector<Position> values;
};

}  // namespace ringward
