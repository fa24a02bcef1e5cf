// ringward verify: the loader an agent links, run on a file: keyring,
// signature, policy, the blob through the reader, and (given a sensor's
// manifest) which instances that sensor would evaluate.
#include <fmt/format.h>

#include <unistd.h>

#include <map>
#include <memory>
#include <sstream>

#include "common.hpp"
#include "ringward/file.hpp"

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
    bool list = false;
};

const char* skip_reason(ringward_instance_status status) {
    switch (status) {
        case RINGWARD_SKIP_UNKNOWN_TEMPLATE:
            return "skipped: the sensor has no such template type version";
        case RINGWARD_SKIP_TOO_MANY_CRITERIA:
            return "skipped: more criteria than the sensor supplies inputs";
        case RINGWARD_SKIP_TYPE_MISMATCH:
            return "skipped: a value's type is not its input's";
        case RINGWARD_EVALUABLE:
            break;
    }
    return "evaluable";
}

// The state file: "channel sequence" per line; '#' starts a comment.
Result<std::map<uint32_t, uint64_t>> read_state(const std::string& path) {
    std::map<uint32_t, uint64_t> state;
    if (::access(path.c_str(), F_OK) != 0) {
        return Result<std::map<uint32_t, uint64_t>>::success(std::move(state));  // first run
    }
    auto text = read_file(path, 1 << 20);
    if (!text.ok()) {
        return Result<std::map<uint32_t, uint64_t>>::failure(std::move(text.diagnostics));
    }
    std::istringstream lines(*text.value);
    std::string line;
    uint32_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        uint64_t channel = 0;
        uint64_t sequence = 0;
        std::string extra;
        if (!(fields >> channel >> sequence) || (fields >> extra) || channel == 0 ||
            channel > UINT32_MAX ||
            !state.emplace(static_cast<uint32_t>(channel), sequence).second) {
            Location at;
            at.file = path;
            at.line = number;
            at.column = 1;
            return Result<std::map<uint32_t, uint64_t>>::failure(make_diagnostic(
                Code::state_file_malformed,
                "the line is not \"channel sequence\", once per channel", at,
                "the file is written by ringward verify --state; do not edit it by hand"));
        }
    }
    return Result<std::map<uint32_t, uint64_t>>::success(std::move(state));
}

std::string state_text(const std::map<uint32_t, uint64_t>& state) {
    std::string out =
        "# ringward verify --state: the last sequence accepted per channel. Envelopes with the\n"
        "# same or a lower sequence are refused as replays and rollbacks.\n";
    for (const auto& [channel, sequence] : state) {
        out += fmt::format("{} {}\n", channel, sequence);
    }
    return out;
}

int run_verify(const VerifyArgs& args) {
    SourceTexts sources;
    auto keyring = load_keyring(args.keyring);
    if (!keyring.ok()) {
        print_diagnostics(keyring.diagnostics, sources);
        return exit_code_for(keyring.diagnostics);
    }
    const std::vector<ringward_trusted_key> keys = to_loader_keys(*keyring.value);

    ringward_loader_config config{};
    config.keys = keys.data();
    config.key_count = keys.size();
    config.expected_channel = args.channel;
    config.ring = args.ring;
    config.now = now_seconds();
    if (!args.now.empty()) {
        const auto now = parse_time(args.now);
        if (!now) {
            fmt::print(stderr, "ringward: --now takes unix seconds or 2024-07-19T04:09:00Z\n");
            return kExitUsage;
        }
        config.now = *now;
    }

    // A sensor's table from its manifest: what this build would evaluate.
    std::optional<SensorManifest> manifest;
    std::vector<ringward_template_support> table;
    if (!args.manifest.empty()) {
        auto loaded = load_manifest(args.manifest);
        if (!loaded.ok()) {
            print_diagnostics(loaded.diagnostics, sources);
            return exit_code_for(loaded.diagnostics);
        }
        manifest = std::move(*loaded.value);
        table = to_loader_table(*manifest);
        config.templates = table.data();
        config.template_count = table.size();
    }
    std::string sensor = args.sensor_version;
    if (sensor.empty() && manifest) {
        sensor = manifest->sensor_version_text;
    }
    if (sensor.empty()) {
        config.flags |= RINGWARD_CONFIG_ANY_SENSOR;
    } else {
        const auto version = parse_sensor_version(sensor);
        if (!version) {
            fmt::print(stderr, "ringward: sensor version \"{}\" is not major.minor.build\n",
                       sensor);
            return kExitUsage;
        }
        config.sensor_version = version->packed();
    }

    std::map<uint32_t, uint64_t> state;
    std::vector<ringward_channel_state> channels;
    if (!args.state.empty()) {
        auto read = read_state(args.state);
        if (!read.ok()) {
            print_diagnostics(read.diagnostics, sources);
            return exit_code_for(read.diagnostics);
        }
        state = std::move(*read.value);
        for (const auto& [channel, sequence] : state) {
            channels.push_back({channel, sequence});
        }
        config.channels = channels.data();
        config.channel_count = channels.size();
    }

    auto bytes = read_file_bytes(args.file, RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES + 1);
    if (!bytes.ok()) {
        print_diagnostics(bytes.diagnostics, sources);
        return exit_code_for(bytes.diagnostics);
    }
    ringward_loaded loaded{};
    const ringward_status status =
        ringward_load(&config, bytes.value->data(), bytes.value->size(), &loaded);
    if (status != RINGWARD_OK) {
        const Diagnostic d = loader_diagnostic(status, loaded, args.file);
        print_diagnostics(std::span(&d, 1), sources);
        fmt::print(stderr, "ringward: {} refused\n", args.file);
        return kExitRejected;
    }

    const auto version_text = [](uint64_t packed) {
        return to_string(format::SensorVersion::unpack(packed));
    };
    KeyId id{};
    std::copy(std::begin(loaded.key_id), std::end(loaded.key_id), id.begin());
    fmt::print("accepted {}\n", args.file);
    fmt::print("  key        {}\n", to_hex(id));
    fmt::print("  channel    {}\n", loaded.channel);
    fmt::print("  sequence   {}\n", loaded.sequence);
    fmt::print("  valid      {} .. {} (now {})\n", format_time(loaded.not_before),
               format_time(loaded.expires), format_time(config.now));
    fmt::print("  sensors    {} .. {}{}\n", version_text(loaded.sensor_min),
               version_text(loaded.sensor_max),
               sensor.empty() ? " (no sensor version given: not checked)"
                              : fmt::format(" (this sensor: {})", sensor));
    fmt::print("  ring       {} (this agent: {})\n", loaded.ring, args.ring);
    if (manifest) {
        fmt::print("  instances  {}: {} evaluable, {} skipped, against build {}'s table\n",
                   loaded.instance_count, loaded.evaluable_count, loaded.skipped_count,
                   manifest->sensor_version_text);
    } else {
        fmt::print("  instances  {} (no --manifest: not checked against a sensor's table)\n",
                   loaded.instance_count);
    }
    if (args.list) {
        for (uint32_t i = 0; i < loaded.instance_count; ++i) {
            ringward_instance instance{};
            ringward_instance_at(&loaded, i, &instance);
            fmt::print("    instance {:>6}  template type {} v{}  {}\n", instance.id,
                       instance.template_type_id, instance.template_type_version,
                       manifest ? skip_reason(instance.status) : "");
        }
    }
    if (!args.state.empty()) {
        state[loaded.channel] = loaded.sequence;
        if (auto error = write_file_atomic(args.state, state_text(state))) {
            print_diagnostics(std::span(&*error, 1), sources);
            return kExitUsage;
        }
        fmt::print("  state      sequence {} recorded for channel {} in {}\n", loaded.sequence,
                   loaded.channel, args.state);
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
        "evaluate. Exit 0 accepted, 1 refused, 2 usage or I/O.");
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
    command->add_flag("--list", args->list, "List every instance");
    command->add_option("file", args->file, "Envelope (.rws) to verify")->required();
    return [args] { return run_verify(*args); };
}

}  // namespace ringward::cli
