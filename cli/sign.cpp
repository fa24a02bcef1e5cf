// ringward sign: validate, then sign into an envelope. There is no way to
// sign content that does not pass validation.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common.hpp"
#include "ringward/content_test.hpp"

namespace ringward::cli {
namespace {

struct SignArgs {
    std::string key;
    PassphraseArgs passphrase;
    TargetPaths target;
    std::string content;
    std::string output;
    std::string input_format;
    uint64_t sequence = 0;
    std::string not_before;
    std::string expires;
    std::string expires_in;
    uint32_t ring = 0;
    std::string ring_schedule;
    std::string category;
    std::vector<std::string> tests;
};

// "0:0,1:1h,2:4h": the schedule as --ring-schedule takes it.
std::string ring_schedule_text(const std::vector<RingStage>& schedule) {
    std::string out;
    for (const RingStage& stage : schedule) {
        out += fmt::format("{}{}:{}", out.empty() ? "" : ",", stage.ring,
                           format_duration(stage.offset));
    }
    return out;
}

int run_sign(const SignArgs& args) {
    SignRequest request;
    request.target = args.target;
    request.content = args.content;
    request.input = input_options_for(args.input_format);
    request.key_file = args.key;
    request.output = args.output;
    EnvelopePolicy& policy = request.policy;
    policy.sequence = args.sequence;
    policy.ring = args.ring;
    if (!args.ring_schedule.empty()) {
        auto schedule = parse_ring_schedule(args.ring_schedule);
        if (!schedule.ok()) {
            fail_with(schedule.diagnostics.front());
            return kExitUsage;
        }
        policy.schedule = std::move(*schedule.value);
    }
    if (!args.category.empty()) {
        const auto category = parse_content_category(args.category);
        if (!category) {
            fail_with(make_diagnostic(
                Code::content_category_unknown,
                fmt::format("--category {} names no content category", args.category), {},
                "give sensor-operations, system-critical, vulnerability-management or "
                "rapid-response"));
            return kExitUsage;
        }
        policy.category = *category;
    }
    policy.not_before = now_seconds();
    if (!args.not_before.empty()) {
        const auto t = parse_time(args.not_before);
        if (!t) {
            return usage_error(
                "--not-before takes unix seconds or a time like 2024-07-19T04:09:00Z");
        }
        policy.not_before = *t;
    }
    policy.expires = policy.not_before + kDefaultEnvelopeValiditySeconds;
    if (!args.expires.empty()) {
        const auto t = parse_time(args.expires);
        if (!t) {
            return usage_error("--expires takes unix seconds or a time like 2024-07-26T04:09:00Z");
        }
        policy.expires = *t;
    } else if (!args.expires_in.empty()) {
        const auto d = parse_duration(args.expires_in);
        if (!d) {
            return usage_error("--expires-in takes a duration such as 7d, 36h or 90m");
        }
        policy.expires = policy.not_before + *d;
    }
    // The policy the flags ask for is the library's to judge (RW0856); a
    // policy that cannot be signed is a usage error here.
    if (auto error = check_envelope_policy(policy)) {
        error->location.file = args.output;  // the envelope that would be written
        fail_with(*error);
        return kExitUsage;
    }

    // Content whose tests fail is not signed: the tests run (and validate
    // the content) before the key is asked for.
    if (!args.tests.empty()) {
        ContentTestRequest tests;
        tests.target = args.target;
        tests.content = args.content;
        tests.input = request.input;
        tests.cases = args.tests;
        Report test_report;
        SourceTexts test_sources;
        const auto summary = test_content(tests, test_report, test_sources);
        if (summary) {
            fmt::print(stderr, "ringward: {}\n", test_summary_line(*summary, false));
        }
        if (!summary || !test_report.passed()) {
            print_report(test_report, test_sources);
            fmt::print(stderr, "ringward: {} not signed: its tests fail\n", args.content);
            return exit_code_for(test_report.diagnostics) == kExitUsage ? kExitUsage
                                                                        : kExitRejected;
        }
    }

    Report report;
    SourceTexts sources;
    std::string passphrase_problem;
    const auto envelope = sign_file(
        request,
        [&] {
            return get_passphrase(args.passphrase, "Passphrase for the secret key: ", false,
                                  &passphrase_problem);
        },
        report, sources);
    if (!envelope) {
        print_report(report, sources);
        if (!passphrase_problem.empty()) {
            const Diagnostic problem = passphrase_unavailable(passphrase_problem);
            print_diagnostics(std::span(&problem, 1), sources);
        }
        // Content that does not validate is refused (1); a key, a passphrase
        // or an output that fails is a usage or I/O problem (2).
        const bool refused = std::any_of(report.diagnostics.begin(), report.diagnostics.end(),
                                         [](const Diagnostic& d) {
                                             const int n = static_cast<int>(d.code);
                                             return d.severity == Severity::error && n < 800;
                                         });
        fmt::print(stderr, "ringward: {} not signed{}\n", args.content,
                   refused ? ": it does not validate" : "");
        return refused && exit_code_for(report.diagnostics) != kExitUsage ? kExitRejected
                                                                          : kExitUsage;
    }
    print_diagnostics(report.diagnostics, sources);
    const EnvelopeHeader* header = &envelope->header;
    const uint32_t instances = envelope->instance_count;
    const std::string rollout =
        policy.schedule.empty()
            ? fmt::format("ring {}", policy.ring)
            : fmt::format("{}, rings {}", content_category_name(policy.category),
                          ring_schedule_text(policy.schedule));
    fmt::print(stderr,
               "ringward: signed {} with key {}: channel {}, sequence {}, {}, valid {} to {}, "
               "{} instances\n",
               args.output, to_hex(header->key_id), header->channel, policy.sequence, rollout,
               format_time(policy.not_before), format_time(policy.expires), instances);
    return kExitOk;
}

}  // namespace

Runner add_sign(CLI::App& app) {
    auto args = std::make_shared<SignArgs>();
    CLI::App* command = app.add_subcommand(
        "sign",
        "Validate content (source or blob) in full against the registry and manifests and, only\n"
        "if it passes, sign it with Ed25519 into an envelope (.rws) that binds its channel,\n"
        "sequence, validity window, sensor range and rollout: one ring (--ring), or a ring\n"
        "schedule and content category (--ring-schedule, --category). With --tests, its content\n"
        "tests must pass too. The new signature is checked before the envelope is written\n"
        "(atomically).");
    add_version_flag(*command);
    command->add_option("--key", args->key, "Secret key file (from ringward keygen)")
        ->required()
        ->check(CLI::ExistingFile);
    add_passphrase_options(*command, args->passphrase);
    add_target_options(*command, args->target, true);
    command
        ->add_option("--sequence", args->sequence,
                     "The content's sequence: greater than every sequence signed before for "
                     "its channel (agents refuse replays and rollbacks)")
        ->required()
        ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
    command->add_option("--not-before", args->not_before,
                        "Valid from (unix seconds or 2024-07-19T04:09:00Z; default now)");
    auto* expires = command->add_option("--expires", args->expires,
                                        "Valid until, exclusive (default: 7 days after the start)");
    auto* expires_in =
        command->add_option("--expires-in", args->expires_in, "Validity as a duration: 7d, 36h");
    expires->excludes(expires_in);
    auto* ring = command->add_option(
        "--ring", args->ring,
        "Envelope version 1: the highest rollout ring admitted (default 0: the first ring only; "
        "widening a rollout is a new signature)");
    auto* schedule = command->add_option(
        "--ring-schedule", args->ring_schedule,
        "Envelope version 2: when each ring is admitted, as ring:offset after --not-before, "
        "e.g. 0:0,1:1h,2:4h,3:12h,4:24h; a ring not listed is never admitted");
    schedule->excludes(ring);
    command
        ->add_option("--category", args->category,
                     "With --ring-schedule: the content's category, which customers' policies "
                     "delay by (sensor-operations, system-critical, vulnerability-management, "
                     "rapid-response)")
        ->needs(schedule);
    command
        ->add_option("--tests", args->tests,
                     "Content test cases (ringward test) that must pass before signing: one "
                     "file per use; repeat the option or separate with commas")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->delimiter(',')
        ->check(CLI::ExistingFile);
    add_input_format_option(*command, args->input_format);
    command->add_option("content", args->content, "Content to sign: a source or a blob")
        ->required();
    command->add_option("-o,--output", args->output, "Envelope to write")->required();
    return [args] { return run_sign(*args); };
}

}  // namespace ringward::cli
