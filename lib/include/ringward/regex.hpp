// The regex compiler: an RE2-syntax pattern into a program for the
// kernel-safe Pike VM (ringward/core/regex_program.hpp). docs/regex.md says
// which subset is supported, what each refusal code means, and why.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/core/regex_program.hpp"
#include "ringward/diagnostic.hpp"

namespace ringward {

// Each limit is inclusive; a pattern over one is refused with its code.
struct RegexLimits {
    // The pattern's bytes (RW0704): bounds parsing, and with the others the
    // program before counted repetition is expanded.
    uint32_t max_regex_length_incl = 1024;
    // Instructions after counted repetition is expanded (RW0720): the
    // matcher's work per input byte and its scratch (32 bytes each). At most
    // the format's own limit, which the verifier enforces whatever this says.
    uint32_t max_regex_instructions_incl = core::max_regex_instructions_incl;
    // Class ranges in the whole program (RW0723): the program's size.
    uint32_t max_regex_ranges_incl = core::max_regex_ranges_incl;
    // A counted repetition's count, and the product of nested counts
    // (RW0721), as RE2 limits them: what keeps expansion from multiplying.
    uint32_t max_regex_repeat_incl = 1000;
    // Group nesting (RW0722): the parser and the compiler recurse once per
    // level, so this bounds their stack.
    uint32_t max_regex_nesting_incl = 100;
};

struct RegexOptions {
    // ASCII folding on the whole pattern, as (?i) at its start.
    bool case_insensitive = false;
    RegexLimits limits;
};

struct RegexError {
    Code code = Code::regex_program_too_large;
    // Byte offset in the pattern of what is refused.
    uint32_t offset = 0;
    std::string message;
};

struct [[nodiscard]] RegexCompileResult {
    // The program bytes (docs/regex.md, "Program layout"); empty on error.
    std::vector<uint8_t> program;
    std::optional<RegexError> error;
    bool ok() const noexcept { return !error.has_value(); }
};

// Compiles `pattern`. The program it returns passes core::verify_regex.
RegexCompileResult compile_regex(std::string_view pattern, const RegexOptions& options = {});

// Verifies `program` and runs it over `input` with scratch it allocates: for
// hosted callers and tests. nullopt when the verifier refuses the program.
std::optional<core::RegexMatch> run_regex(std::span<const uint8_t> program, std::string_view input);

}  // namespace ringward
