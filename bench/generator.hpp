// A deterministic generator of realistic content over a template type
// registry: every template type, every operator each field allows, strings
// and sets of realistic sizes, one to many real criteria per instance (the
// rest wildcards). What it writes passes validation against the example
// registry and the 7.12 and 7.13 manifests, so benchmarks measure the path
// content takes when it ships.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ringward/schema.hpp"
#include "ringward/v1/content.pb.h"

namespace ringward::bench {

struct GeneratorOptions {
    uint64_t seed = 1;
    // Stop after this many instances, or once the blob would reach
    // blob_bytes (whichever is set; instances wins when both are).
    uint64_t instances = 0;
    uint64_t blob_bytes = 0;
    // The sensor builds the content targets; every build in the range must
    // supply every field of every template type in the registry.
    std::string sensor_min = "7.12.0";
    std::string sensor_max = "7.13.99999";
    // How many distinct regex patterns to draw from: each is compiled once
    // per validation, so their cost is reported apart from the linear work.
    uint32_t distinct_regexes = 16;
};

// The same options always give the same content.
v1::ContentFile generate(const Registry& registry, const GeneratorOptions& options);

// One input of a generated event.
struct EventInput {
    bool present = true;
    uint64_t number = 0;
    std::string bytes;
    std::array<uint8_t, 16> address{};
};

// An event of `type` as a Sysmon-like sensor hands it to the interpreter:
// strings from the vocabulary generate() draws on (paths, command lines,
// domains, users, pipes), numbers within the field's bounds, enum members,
// IPv4 (v4-mapped) and IPv6 addresses; one input in ten absent. The same
// seed gives the same event.
std::vector<EventInput> generate_event(const TemplateType& type, uint64_t seed);
// `count` Sigma rules (YAML, logsource windows/process_creation) in the
// shapes SigmaHQ's process_creation rules take: an image selection by
// suffix or original file name, command-line selections (any-of, |all,
// |windash, some |re), and filters excluded with `and not 1 of filter_*`.
// For the import rows when no Sigma checkout is there; the same seed always
// gives the same rules, and every one imports exactly with the example
// mapping.
std::vector<std::string> generate_sigma_rules(uint64_t seed, uint32_t count);

// The distinct regex patterns generate() draws from, for timing each once.
std::vector<std::string> regex_patterns(uint32_t count);

}  // namespace ringward::bench
