// Small fixtures several test areas share: parsing from protobuf text, and
// keys made from a fixed seed.
#pragma once

#include <array>
#include <cstdint>

#include "ringward/schema.hpp"
#include "ringward/sign.hpp"

namespace ringward::test {

// Options that parse their input as protobuf text, whatever the file name.
inline LoadOptions text_format() {
    LoadOptions options;
    options.format = InputFormat::text;
    return options;
}

// The same key for the same `fill`, in every run: the seed is 32 such bytes.
inline SecretKey test_key(uint8_t fill) {
    std::array<uint8_t, 32> seed{};
    seed.fill(fill);
    return SecretKey::from_seed(seed);
}

}  // namespace ringward::test
