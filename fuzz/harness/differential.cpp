// The differential harness: whatever validate accepts, signed with the test
// key, every targeted sensor build's loader must accept, and must find every
// instance evaluable (validation checked each against that build's
// manifest); builds outside the range must refuse it. Any disagreement
// between the validator and the loader is a crash.
#include "harness/agent.hpp"
#include "ringward/compile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ringward;
    auto content = fuzz::parse_text_content(data, size);
    if (!content.ok()) {
        return 0;
    }
    auto validated = validate_content(*content.value, fuzz::example_target());
    if (!validated.ok()) {
        return 0;
    }
    EnvelopePolicy policy;
    policy.sequence = 1;
    policy.not_before = fuzz::kFuzzNow - 86'400;
    policy.expires = fuzz::kFuzzNow + 86'400;
    auto envelope = sign_envelope(*validated.value, fuzz::fuzz_key(), policy);
    fuzz::require(envelope.ok(), "validated content could not be signed");
    const format::BlobView& view = validated.value->view();
    const ringward_trusted_key key = fuzz::trusted_fuzz_key();
    for (const fuzz::Build& build : fuzz::example_builds()) {
        const ringward_loader_config config = fuzz::agent_config(build, key);
        ringward_loaded loaded{};
        const ringward_status status =
            ringward_load(&config, envelope.value->data(), envelope.value->size(), &loaded);
        const bool targeted =
            build.version >= view.sensor_min() && build.version <= view.sensor_max();
        if (!targeted) {
            fuzz::require(status == RINGWARD_E_SENSOR_OUT_OF_RANGE,
                          "a build outside the content's range did not refuse it as such");
            continue;
        }
        fuzz::require(status == RINGWARD_OK, "the loader refused content that validates");
        fuzz::require(loaded.evaluable_count == loaded.instance_count,
                      "the loader skips an instance that validated against this build");
        fuzz::check_accepted(loaded, envelope.value->data(), envelope.value->size(), build);
    }
    return 0;
}
