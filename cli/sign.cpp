// ringward sign: validate, then sign into an envelope. There is no way to
// sign content that does not pass validation.
#include <fmt/format.h>

#include <sodium.h>

#include <memory>

#include "common.hpp"
#include "ringward/file.hpp"

namespace ringward::cli {
namespace {

// An envelope valid for a year is already long for rapid-response content;
// "never expires" is not on offer (a frozen agent would accept it forever).
constexpr uint64_t kMaxValiditySeconds = 365 * 86400;
constexpr uint64_t kDefaultValiditySeconds = 7 * 86400;

struct SignArgs {
    std::string key;
    PassphraseArgs passphrase;
    TargetArgs target;
    std::string content;
    std::string output;
    std::string input_format;
    uint64_t sequence = 0;
    std::string not_before;
    std::string expires;
    std::string expires_in;
    uint32_t ring = 0;
};

int usage(const std::string& message) {
    fmt::print(stderr, "ringward: {}\n", message);
    return kExitUsage;
}

int run_sign(const SignArgs& args) {
    // The policy first: a bad flag should not cost a validation.
    EnvelopePolicy policy;
    policy.sequence = args.sequence;
    policy.ring = args.ring;
    policy.not_before = now_seconds();
    if (!args.not_before.empty()) {
        const auto t = parse_time(args.not_before);
        if (!t) {
            return usage("--not-before takes unix seconds or a time like 2024-07-19T04:09:00Z");
        }
        policy.not_before = *t;
    }
    policy.expires = policy.not_before + kDefaultValiditySeconds;
    if (!args.expires.empty()) {
        const auto t = parse_time(args.expires);
        if (!t) {
            return usage("--expires takes unix seconds or a time like 2024-07-26T04:09:00Z");
        }
        policy.expires = *t;
    } else if (!args.expires_in.empty()) {
        const auto d = parse_duration(args.expires_in);
        if (!d) {
            return usage("--expires-in takes a duration such as 7d, 36h or 90m");
        }
        policy.expires = policy.not_before + *d;
    }
    if (policy.expires <= policy.not_before) {
        return usage("the envelope would expire before it is valid");
    }
    if (policy.expires - policy.not_before > kMaxValiditySeconds) {
        return usage(
            fmt::format("an envelope is valid for at most {} days", kMaxValiditySeconds / 86400));
    }

    // Then the content: validated in full, exactly as `validate` does.
    Report report;
    SourceTexts sources;
    std::optional<ValidatedBlob> validated;
    if (const auto target = load_target(args.target, report, sources)) {
        validated = validate_input(args.content, args.input_format, *target, report, sources);
    }
    if (!report.passed() || !validated) {
        print_report(report, sources);
        fmt::print(stderr, "ringward: {} not signed: it does not validate\n", args.content);
        return exit_code_for(report.diagnostics) == kExitUsage ? kExitUsage : kExitRejected;
    }
    print_diagnostics(report.diagnostics, sources);

    // Then the key, asked for only now that there is something to sign.
    auto key_text = read_file(args.key, 1 << 16);
    if (!key_text.ok()) {
        print_diagnostics(key_text.diagnostics, sources);
        return kExitUsage;
    }
    std::string passphrase_error;
    auto key = parse_secret_key(*key_text.value, args.key, [&] {
        return get_passphrase(args.passphrase, "Passphrase for the secret key: ", false,
                              &passphrase_error);
    });
    sodium_memzero(key_text.value->data(), key_text.value->size());
    if (!key.ok()) {
        print_diagnostics(key.diagnostics, sources);
        if (!passphrase_error.empty()) {
            fmt::print(stderr, "ringward: {}\n", passphrase_error);
        }
        return kExitUsage;
    }
    auto envelope = sign_envelope(*validated, *key.value, policy);
    if (!envelope.ok()) {
        print_diagnostics(envelope.diagnostics, sources);
        return kExitUsage;
    }
    if (auto error = write_file_atomic(args.output, *envelope.value)) {
        print_diagnostics(std::span(&*error, 1), sources);
        return kExitUsage;
    }
    const format::BlobView& view = validated->view();
    fmt::print(stderr,
               "ringward: signed {} with key {}: channel {}, sequence {}, ring {}, valid {} to {}, "
               "{} instances\n",
               args.output, to_hex(key.value->id()), view.channel(), policy.sequence, policy.ring,
               format_time(policy.not_before), format_time(policy.expires), view.instance_count());
    return kExitOk;
}

}  // namespace

Runner add_sign(CLI::App& app) {
    auto args = std::make_shared<SignArgs>();
    CLI::App* command = app.add_subcommand(
        "sign",
        "Validate content (source or blob) in full against the registry and manifests and, only\n"
        "if it passes, sign it with Ed25519 into an envelope (.rws) that binds its channel,\n"
        "sequence, validity window, sensor range and rollout ring. The new signature is checked\n"
        "before the envelope is written (atomically).");
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
    command->add_option("--ring", args->ring,
                        "Highest rollout ring admitted (default 0: the first ring only; widening "
                        "a rollout is a new signature)");
    add_input_format_option(*command, args->input_format);
    command->add_option("content", args->content, "Content to sign: a source or a blob")
        ->required();
    command->add_option("-o,--output", args->output, "Envelope to write")->required();
    return [args] { return run_sign(*args); };
}

}  // namespace ringward::cli
