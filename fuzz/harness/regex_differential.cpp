// A random pattern and input: what ringward's regex compiler accepts, RE2
// must accept too, and the Pike VM's verdict must be RE2::PartialMatch's
// (outside the two differences docs/regex.md lists). Input: a flags byte
// (bit 0: case-insensitive), the pattern's length, the pattern, the input.
#include "harness/regex_reference.hpp"
#include "harness/targets.hpp"
#include "ringward/regex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    if (size < 2) {
        return 0;
    }
    const bool folded = (data[0] & 1) != 0;
    const size_t pattern_size = std::min<size_t>(data[1], size - 2);
    const std::string_view pattern(reinterpret_cast<const char*>(data) + 2, pattern_size);
    const std::string_view input(reinterpret_cast<const char*>(data) + 2 + pattern_size,
                                 size - 2 - pattern_size);
    RegexOptions options;
    options.case_insensitive = folded;
    const RegexCompileResult ours = compile_regex(pattern, options);
    if (!ours.ok()) {
        fuzz::require(find_code(code_id(ours.error->code)) == ours.error->code,
                      "a regex refusal with an unknown code");
        fuzz::require(ours.error->offset <= pattern.size(), "a regex refusal outside the pattern");
        fuzz::require(!ours.error->message.empty(), "a regex refusal without a message");
        return 0;
    }
    const auto verified = core::verify_regex(ours.program.data(), ours.program.size());
    fuzz::require(verified.error == core::RegexVerifyError::ok,
                  "the verifier refuses a program the compiler made");
    const auto reference = fuzz::reference_regex(pattern, folded);
    fuzz::require(reference != nullptr, "ringward compiles a pattern RE2 refuses");
    const auto result = run_regex(ours.program, input);
    fuzz::require(result.has_value(), "run_regex refuses a verified program");
    fuzz::require(result->steps <= (input.size() + 1) * verified.program.instruction_count,
                  "the VM took more steps than its bound");
    if (fuzz::reference_comparable(pattern, folded, input)) {
        fuzz::require(result->matched == fuzz::reference_matches(*reference, input),
                      "the Pike VM and RE2 disagree");
    }
    return 0;
}
