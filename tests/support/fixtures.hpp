// Small fixtures several test areas share: parsing from protobuf text, keys
// made from a fixed seed, and the examples' registry and manifests as a target.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "ringward/schema.hpp"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"
#include "support/run.hpp"

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

// examples/registry.txtpb and examples/manifests/, checked once.
inline const ValidationTarget& example_target() {
    static const ValidationTarget target = [] {
        auto registry = load_registry(source_path("examples/registry.txtpb"));
        auto manifests = load_manifests({source_path("examples/manifests")});
        REQUIRE(registry.ok());
        REQUIRE(manifests.ok());
        auto created =
            ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
        REQUIRE(created.ok());
        return std::move(*created.value);
    }();
    return target;
}

}  // namespace ringward::test
