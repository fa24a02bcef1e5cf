// Random bytes as a regex program through the core's verifier: a refusal
// points inside the program; an accepted program runs on the input within
// (input bytes + 1) x instructions steps, with scratch of exactly the size
// the verifier asked for (ASan catches a read or write outside it). Input:
// the input's length byte, the input, the program.
#include <memory>

#include "harness/targets.hpp"
#include "ringward/core/regex_program.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size < 1) {
        return 0;
    }
    const size_t input_size = std::min<size_t>(data[0], size - 1);
    // Copies, so that ASan sees the exact bounds of each.
    const std::vector<uint8_t> input(data + 1, data + 1 + input_size);
    const std::vector<uint8_t> program(data + 1 + input_size, data + size);
    const auto verified = core::verify_regex(program.data(), program.size());
    if (verified.error != core::RegexVerifyError::ok) {
        fuzz::require(verified.offset <= program.size(), "a verifier offset outside the program");
        fuzz::require(verified.program.program == nullptr, "a refusal that left a program");
        return 0;
    }
    fuzz::require(verified.program.scratch_size % 4 == 0, "scratch size not a multiple of 4");
    const auto scratch = std::make_unique<uint32_t[]>(verified.program.scratch_size / 4);
    const auto result = core::match_regex(verified.program, input.data(), input.size(),
                                          scratch.get(), verified.program.scratch_size);
    fuzz::require(result.steps <= (input.size() + 1) * verified.program.instruction_count,
                  "the VM took more steps than its bound");
    return 0;
}
