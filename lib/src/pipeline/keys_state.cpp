// The pipeline's keys, signing, verifying and channel state (pipeline.hpp).
#include <sodium.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <utility>

#include "pipeline/parallel_load.hpp"
#include "ringward/file.hpp"
#include "ringward/pipeline.hpp"

namespace ringward {
namespace {

// A string that held secret bytes, wiped when it goes.
struct WipedText {
    std::string text;
    ~WipedText() { sodium_memzero(text.data(), text.size()); }
};

}  // namespace

Result<SecretKey> load_secret_key(const std::string& path,
                                  const std::function<std::optional<Passphrase>()>& ask) {
    auto text = read_file(path, 1 << 16);
    if (!text.ok()) {
        return Result<SecretKey>::failure(std::move(text.diagnostics));
    }
    const WipedText secret{std::move(*text.value)};
    return parse_secret_key(secret.text, path, ask);
}

std::optional<Diagnostic> write_key_pair(const std::string& name, const SecretKey& key,
                                         const Passphrase* passphrase, KdfStrength strength,
                                         std::string_view comment, bool overwrite) {
    const std::string secret_path = name + ".key";
    const std::string public_path = name + ".pub";
    const WipedText secret{format_secret_key(key, passphrase, strength, comment)};
    WriteOptions secret_options;
    secret_options.mode = 0600;
    secret_options.overwrite = overwrite;
    if (auto error = write_file_atomic(secret_path, secret.text, secret_options)) {
        return error;
    }
    WriteOptions public_options;
    public_options.overwrite = overwrite;
    if (auto error = write_file_atomic(public_path, format_public_key(key.public_key(), comment),
                                       public_options)) {
        // All or nothing: a secret key without its public half is no use.
        std::remove(secret_path.c_str());
        return error;
    }
    return std::nullopt;
}

std::optional<SignedEnvelope> sign_file(const SignRequest& request,
                                        const std::function<std::optional<Passphrase>()>& ask,
                                        Report& report, SourceTexts& sources) {
    // The policy first: a bad flag should not cost a validation.
    if (auto error = check_envelope_policy(request.policy)) {
        report.diagnostics.push_back(std::move(*error));
        return std::nullopt;
    }
    std::optional<ValidatedBlob> validated;
    if (const auto target = load_target(request.target, report, sources)) {
        // The hash the envelope signs is taken while the blob is validated.
        ValidateOptions validate;
        validate.take_digest = true;
        validated =
            validate_input(request.content, request.input, *target, report, sources, validate);
    }
    if (!validated || !report.passed()) {
        return std::nullopt;
    }
    // The key is asked for only now that there is something to sign.
    auto key = load_secret_key(request.key_file, ask);
    if (!key.ok()) {
        report.diagnostics.insert(report.diagnostics.end(), key.diagnostics.begin(),
                                  key.diagnostics.end());
        return std::nullopt;
    }
    // The envelope is written straight from the validated bytes (never
    // copied into a buffer of its own), the blob while it is hashed, then
    // the header and the signature around it; it takes its name only once
    // it is complete and durable.
    auto file = AtomicFile::create(request.output);
    if (!file.ok()) {
        report.diagnostics.push_back(std::move(file.diagnostics.front()));
        return std::nullopt;
    }
    const std::vector<uint8_t>& blob = validated->bytes();
    std::optional<Diagnostic> write_error;
    auto parts = sign_envelope_parts(*validated, *key.value, request.policy, [&](size_t header) {
        write_error = file.value->write_at(header, blob);
        file.value->start_writeback();
    });
    if (!parts.ok()) {
        report.diagnostics.insert(report.diagnostics.end(), parts.diagnostics.begin(),
                                  parts.diagnostics.end());
        return std::nullopt;
    }
    const std::vector<uint8_t>& header = parts.value->header;
    if (!write_error) {
        write_error = file.value->write_at(0, header);
    }
    if (!write_error) {
        write_error = file.value->write_at(header.size() + blob.size(), parts.value->signature);
    }
    if (!write_error) {
        write_error = file.value->commit();
    }
    if (write_error) {
        report.diagnostics.push_back(std::move(*write_error));
        return std::nullopt;
    }
    SignedEnvelope out;
    out.header = *peek_envelope(header);
    out.instance_count = validated->view().instance_count();
    out.size = header.size() + blob.size() + parts.value->signature.size();
    return out;
}

Result<ChannelState> load_channel_state(const std::string& path) {
    ChannelState state;
    if (::access(path.c_str(), F_OK) != 0) {
        return Result<ChannelState>::success(std::move(state));  // the first run
    }
    auto text = read_file(path, 1 << 20);
    if (!text.ok()) {
        return Result<ChannelState>::failure(std::move(text.diagnostics));
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
            !state.last_sequence.emplace(static_cast<uint32_t>(channel), sequence).second) {
            Location at;
            at.file = path;
            at.line = number;
            at.column = 1;
            return Result<ChannelState>::failure(make_diagnostic(
                Code::state_file_malformed,
                "the line is not \"channel sequence\", once per channel", at,
                "the file is written by ringward verify --state; do not edit it by hand"));
        }
    }
    return Result<ChannelState>::success(std::move(state));
}

std::optional<Diagnostic> save_channel_state(const std::string& path, const ChannelState& state) {
    std::string out =
        "# ringward verify --state: the last sequence accepted per channel. Envelopes with the\n"
        "# same or a lower sequence are refused as replays and rollbacks.\n";
    for (const auto& [channel, sequence] : state.last_sequence) {
        out += fmt::format("{} {}\n", channel, sequence);
    }
    return write_file_atomic(path, out);
}

const char* instance_status_text(ringward_instance_status status) noexcept {
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

namespace {

Diagnostic usage_error(Code code, std::string message, std::string help) {
    return make_diagnostic(code, std::move(message), {}, std::move(help));
}

}  // namespace

Result<Verification> verify_file(const VerifyRequest& request) {
    // The envelope first, and its hash started on the second core at once:
    // reading the keyring, the policy and the manifest, and then the reader
    // and the sensor table, all run while the blob is hashed. A problem with
    // the envelope file is still reported after the others, as before.
    auto bytes = map_file(request.envelope, RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES + 1);
    std::optional<ParallelLoad> parallel;
    if (bytes.ok()) {
        parallel.emplace(bytes.value->bytes());
    }
    auto keyring = load_keyring(request.keyring);
    if (!keyring.ok()) {
        return Result<Verification>::failure(std::move(keyring.diagnostics));
    }
    const std::vector<ringward_trusted_key> keys = to_loader_keys(*keyring.value);
    ringward_loader_config config{};
    config.keys = keys.data();
    config.key_count = keys.size();
    config.expected_channel = request.channel;
    config.ring = request.ring;
    config.now = request.now;

    // The customer's policy, as an agent that has one applies it.
    std::vector<ringward_category_policy> customer;
    if (!request.policy.empty()) {
        auto policy = load_rollout_policy(request.policy);
        if (!policy.ok()) {
            return Result<Verification>::failure(std::move(policy.diagnostics));
        }
        customer = std::move(*policy.value);
        config.category_policies = customer.data();
        config.category_policy_count = customer.size();
        config.flags |= RINGWARD_CONFIG_REQUIRE_SCHEDULE;
    }

    Verification out;
    // A sensor's table from its manifest: what this build would evaluate.
    std::optional<SensorManifest> manifest;
    std::vector<ringward_template_support> table;
    if (!request.manifest.empty()) {
        auto loaded = load_manifest(request.manifest);
        if (!loaded.ok()) {
            return Result<Verification>::failure(std::move(loaded.diagnostics));
        }
        manifest = std::move(*loaded.value);
        table = to_loader_table(*manifest);
        config.templates = table.data();
        config.template_count = table.size();
        out.manifest_build = manifest->sensor_version_text;
    }
    out.sensor_version =
        !request.sensor_version.empty() ? request.sensor_version : out.manifest_build;
    if (out.sensor_version.empty()) {
        config.flags |= RINGWARD_CONFIG_ANY_SENSOR;
    } else {
        const auto version = parse_sensor_version(out.sensor_version);
        if (!version) {
            return Result<Verification>::failure(usage_error(
                Code::sensor_version_malformed,
                fmt::format("sensor version \"{}\" is not major.minor.build", out.sensor_version),
                "write it as 7.13.18420"));
        }
        config.sensor_version = version->packed();
    }

    ChannelState state;
    std::vector<ringward_channel_state> channels;
    if (!request.state.empty()) {
        auto read = load_channel_state(request.state);
        if (!read.ok()) {
            return Result<Verification>::failure(std::move(read.diagnostics));
        }
        state = std::move(*read.value);
        for (const auto& [channel, sequence] : state.last_sequence) {
            channels.push_back({channel, sequence});
        }
        config.channels = channels.data();
        config.channel_count = channels.size();
    }

    if (!bytes.ok()) {
        return Result<Verification>::failure(std::move(bytes.diagnostics));
    }
    const std::span<const uint8_t> envelope = bytes.value->bytes();
    ringward_loaded loaded{};
    const ringward_status status = parallel->load(config, &loaded);
    // A file written while it was read is reported as that, not as whatever
    // the loader made of bytes that were neither the old nor the new file.
    if (auto changed = bytes.value->check_unchanged()) {
        return Result<Verification>::failure(std::move(*changed));
    }
    if (status != RINGWARD_OK && status != RINGWARD_E_NOT_YET_ADMITTED) {
        return Result<Verification>::failure(
            loader_diagnostic(status, loaded, request.envelope, envelope_header_size(envelope)));
    }
    out.deferred = status == RINGWARD_E_NOT_YET_ADMITTED;
    out.format_version = loaded.format_version;
    out.category = loaded.category;
    out.admission_ring = loaded.admission_ring;
    out.admit_at = loaded.admit_at;
    if (const auto header = peek_envelope(envelope)) {
        out.schedule = header->schedule;
    }
    for (const ringward_category_policy& entry : customer) {
        if (entry.category == loaded.category) {
            out.customer = entry;
        }
    }
    std::copy(std::begin(loaded.key_id), std::end(loaded.key_id), out.key_id.begin());
    out.channel = loaded.channel;
    out.sequence = loaded.sequence;
    out.not_before = loaded.not_before;
    out.expires = loaded.expires;
    out.sensor_min = loaded.sensor_min;
    out.sensor_max = loaded.sensor_max;
    out.ring = loaded.ring;
    out.instance_count = loaded.instance_count;
    out.evaluable_count = loaded.evaluable_count;
    out.skipped_count = loaded.skipped_count;
    if (request.list_instances) {
        out.instances.reserve(loaded.instance_count);
        for (uint32_t i = 0; i < loaded.instance_count; ++i) {
            ringward_instance instance{};
            ringward_instance_at(&loaded, i, &instance);
            out.instances.push_back({instance.id, instance.template_type_id,
                                     instance.template_type_version, instance.status});
        }
        // The listing read the blob again: it too must have read the file
        // as it was checked.
        if (auto changed = bytes.value->check_unchanged()) {
            return Result<Verification>::failure(std::move(*changed));
        }
    }
    if (!request.state.empty() && !out.deferred) {
        state.last_sequence[loaded.channel] = loaded.sequence;
        if (auto error = save_channel_state(request.state, state)) {
            return Result<Verification>::failure(std::move(*error));
        }
        out.state_recorded = true;
    }
    return Result<Verification>::success(std::move(out));
}

uint64_t now_seconds() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::optional<uint64_t> parse_time(std::string_view text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos &&
        text.size() <= 19) {
        return std::stoull(std::string(text));
    }
    std::tm tm{};
    const std::string s(text);
    char trailing = 0;
    if (s.size() != 20 ||
        std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &trailing) != 6) {
        return std::nullopt;
    }
    const int year = tm.tm_year;
    const int month = tm.tm_mon;
    const int day = tm.tm_mday;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const time_t t = timegm(&tm);
    // timegm normalises 2024-02-30 into March: refuse what it had to change.
    std::tm back{};
    if (t < 0 || gmtime_r(&t, &back) == nullptr || back.tm_year + 1900 != year ||
        back.tm_mon + 1 != month || back.tm_mday != day) {
        return std::nullopt;
    }
    return static_cast<uint64_t>(t);
}

std::string format_time(uint64_t seconds) {
    const auto t = static_cast<time_t>(seconds);
    std::tm tm{};
    char out[32] = "?";
    if (gmtime_r(&t, &tm) != nullptr) {
        std::strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return out;
}

std::string format_duration(uint64_t seconds) {
    if (seconds == 0) {
        return "0";
    }
    constexpr std::pair<uint64_t, char> kUnits[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}};
    for (const auto& [unit, suffix] : kUnits) {
        if (seconds % unit == 0) {
            return fmt::format("{}{}", seconds / unit, suffix);
        }
    }
    return fmt::format("{}s", seconds);
}

Result<std::vector<RingStage>> parse_ring_schedule(std::string_view text) {
    std::vector<RingStage> schedule;
    std::string_view rest = text;
    while (true) {
        const size_t comma = rest.find(',');
        const std::string_view pair = rest.substr(0, comma);
        const size_t colon = pair.find(':');
        const std::string_view ring = pair.substr(0, colon == std::string_view::npos ? 0 : colon);
        const auto offset =
            colon == std::string_view::npos ? std::nullopt : parse_duration(pair.substr(colon + 1));
        if (ring.empty() || ring.size() > 10 ||
            ring.find_first_not_of("0123456789") != std::string_view::npos ||
            std::stoull(std::string(ring)) > UINT32_MAX || !offset) {
            return Result<std::vector<RingStage>>::failure(make_diagnostic(
                Code::ring_schedule_malformed,
                fmt::format("\"{}\" in ring schedule \"{}\" is not ring:offset", pair, text), {},
                "write ring:offset pairs separated by commas, each offset a duration: "
                "0:0,1:1h,2:4h,3:12h,4:24h"));
        }
        schedule.push_back({static_cast<uint32_t>(std::stoull(std::string(ring))), *offset});
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    return Result<std::vector<RingStage>>::success(std::move(schedule));
}

std::optional<uint64_t> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    uint64_t unit = 0;
    switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            break;
    }
    if (unit != 0) {
        text.remove_suffix(1);
    } else {
        unit = 1;
    }
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    return std::stoull(std::string(text)) * unit;
}

}  // namespace ringward
