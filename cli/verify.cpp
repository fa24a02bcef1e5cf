// ringward verify: the loader an agent links, run on a file: keyring,
// signature, policy, the blob through the reader, and (given a sensor's
// manifest) which instances that sensor would evaluate.
#include <fmt/format.h>

#include <memory>

#include "common.hpp"

namespace ringward::cli {
namespace {

struct VerifyArgs {
    std::string keyring;
    std::string file;
    uint32_t channel = 0;
    std::string sensor_version;
    uint32_t ring = 0;
    std::string state;
    std::string now;
    std::string manifest;
    std::string policy;
    bool list = false;
};

int run_verify(const VerifyArgs& args) {
    VerifyRequest request;
    request.keyring = args.keyring;
    request.envelope = args.file;
    request.channel = args.channel;
    request.sensor_version = args.sensor_version;
    request.ring = args.ring;
    request.state = args.state;
    request.manifest = args.manifest;
    request.policy = args.policy;
    request.list_instances = args.list;
    request.now = now_seconds();
    if (!args.now.empty()) {
        const auto now = parse_time(args.now);
        if (!now) {
            return usage_error("--now takes unix seconds or a time like 2024-07-19T04:09:00Z");
        }
        request.now = *now;
    }
    const auto verified = verify_file(request);
    if (!verified.ok()) {
        print_diagnostics(verified.diagnostics, SourceTexts{});
        const Diagnostic& first = verified.diagnostics.front();
        if (static_cast<int>(first.code) > 800 && static_cast<int>(first.code) < 850) {
            fmt::print(stderr, "ringward: {} refused\n", args.file);
        }
        // A --sensor-version that is no version is a usage error.
        return first.code == Code::sensor_version_malformed ? kExitUsage
                                                            : exit_code_for(verified.diagnostics);
    }
    const Verification& v = *verified.value;
    const auto version_text = [](uint64_t packed) {
        return to_string(format::SensorVersion::unpack(packed));
    };
    if (v.deferred) {
        fmt::print(
            "not yet admitted {}: ring {} is admitted at {} (in {}); keep it and try "
            "again then\n",
            args.file, v.admission_ring, format_time(v.admit_at),
            format_duration(v.admit_at - request.now));
    } else {
        fmt::print("accepted {}\n", args.file);
    }
    fmt::print("  key        {}\n", to_hex(v.key_id));
    fmt::print("  channel    {}\n", v.channel);
    fmt::print("  sequence   {}\n", v.sequence);
    fmt::print("  valid      {} .. {} (now {})\n", format_time(v.not_before),
               format_time(v.expires), format_time(request.now));
    fmt::print("  sensors    {} .. {}{}\n", version_text(v.sensor_min), version_text(v.sensor_max),
               v.sensor_version.empty() ? " (no sensor version given: not checked)"
                                        : fmt::format(" (this sensor: {})", v.sensor_version));
    if (v.format_version == 1) {
        fmt::print("  ring       {} (this agent: {})\n", v.ring, args.ring);
    } else {
        fmt::print("  category   {}{}\n", content_category_name(v.category),
                   v.customer ? fmt::format(" (customer policy: ring {}, delay {})",
                                            v.customer->ring, format_duration(v.customer->delay))
                              : std::string());
        fmt::print("  schedule   (this agent: ring {}, judged for ring {})\n", args.ring,
                   v.admission_ring);
        for (const RingStage& stage : v.schedule) {
            fmt::print("    ring {:<4} admitted at {}{}\n", stage.ring,
                       format_time(v.not_before + stage.offset),
                       stage.ring == v.admission_ring
                           ? fmt::format("  <- this agent: {}{}", format_time(v.admit_at),
                                         v.admit_at != v.not_before + stage.offset
                                             ? " with the customer's delay"
                                             : "")
                           : std::string());
        }
    }
    if (v.deferred) {
        return kExitDeferred;
    }
    if (!v.manifest_build.empty()) {
        fmt::print("  instances  {}: {} evaluable, {} skipped, against build {}'s table\n",
                   v.instance_count, v.evaluable_count, v.skipped_count, v.manifest_build);
    } else {
        fmt::print("  instances  {} (no --manifest: not checked against a sensor's table)\n",
                   v.instance_count);
    }
    if (args.list) {
        for (const VerifiedInstance& instance : v.instances) {
            fmt::print("    instance {:>6}  template type {} v{}  {}\n", instance.id,
                       instance.template_type_id, instance.template_type_version,
                       v.manifest_build.empty() ? "" : instance_status_text(instance.status));
        }
    }
    if (v.state_recorded) {
        fmt::print("  state      sequence {} recorded for channel {} in {}\n", v.sequence,
                   v.channel, args.state);
    }
    return kExitOk;
}

}  // namespace

Runner add_verify(CLI::App& app) {
    auto args = std::make_shared<VerifyArgs>();
    CLI::App* command = app.add_subcommand(
        "verify",
        "Check an envelope exactly as an endpoint agent's loader does: a trusted, unrevoked key\n"
        "within its window; the signature; the blob's hash; channel, sequence (no replay or\n"
        "rollback, with --state), validity window, sensor version range and rollout ring; the\n"
        "blob through the reader; and, with --manifest, which instances that sensor build would\n"
        "evaluate. Prints when each ring of a signed schedule is admitted. Exit 0 accepted,\n"
        "1 refused, 2 usage or I/O, 3 not yet admitted for this ring (not a refusal: the time\n"
        "it will be is printed).");
    add_version_flag(*command);
    command->add_option("--keyring", args->keyring, "Keyring of trusted keys")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--channel", args->channel, "The channel expected (default: any)");
    command->add_option("--sensor-version", args->sensor_version,
                        "This sensor's version, major.minor.build (default: the --manifest's; "
                        "without either the range is not checked)");
    command->add_option("--ring", args->ring, "This agent's rollout ring (default 0)");
    command->add_option("--state", args->state,
                        "File of the last accepted sequence per channel: refuses replays and "
                        "rollbacks, and records an accepted envelope's sequence");
    command->add_option("--now", args->now,
                        "The time to check against (unix seconds or 2024-07-19T04:09:00Z; "
                        "default: the clock)");
    command
        ->add_option("--manifest", args->manifest,
                     "A sensor build's manifest: count and list what it would evaluate")
        ->check(CLI::ExistingFile);
    command
        ->add_option("--policy", args->policy,
                     "A customer's rollout policy file (per category a ring and a delay, on top "
                     "of the signed schedule); envelopes without a schedule are then refused")
        ->check(CLI::ExistingFile);
    command->add_flag("--list", args->list, "List every instance");
    command->add_option("file", args->file, "Envelope (.rws) to verify")->required();
    return [args] { return run_verify(*args); };
}

}  // namespace ringward::cli
