// ContentSource's insides, shared by the loader that fills them and the
// compiler that reads the message without copying it.
#pragma once

#include <mutex>
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
    // The nesting limit the text was parsed with, to parse it again alike.
    int max_nesting_depth_incl = 0;

    // Line and column (1-based) of the parts of a text-format source.
    struct Position {
        uint32_t line = 0;
        uint32_t column = 0;
    };
    struct Positions {
        Position channel;
        Position content_version;
        Position sensor_range;
        std::vector<Position> instances;
        // criteria of instance i: criteria[criteria_begin[i] .. criteria_begin[i + 1]),
        // its own first, then those of each exclusion in turn.
        std::vector<uint32_t> criteria_begin;
        // exclusions of instance i: exclusions[exclusions_begin[i] .. exclusions_begin[i + 1])
        std::vector<uint32_t> exclusions_begin;
        std::vector<Position> exclusions;
        std::vector<Position> rules;
        std::vector<Position> criteria;
        // values of global criterion c: values[values_begin[c] .. values_begin[c + 1])
        std::vector<uint32_t> values_begin;
        std::vector<Position> values;
    };

    // The positions, found on first use. Recording positions while parsing
    // costs about twice the parse itself, and content that compiles and
    // validates cleanly never needs them; so the text is parsed again, with
    // positions, only when a diagnostic asks where something is. Empty for
    // JSON and binary sources. Safe to call from several threads.
    const Positions& positions() const;

  private:
    mutable std::once_flag positions_once_;
    mutable Positions positions_;
};
}  // namespace ringward
