// The pipeline: what the ringward command does, as functions, so that every
// program that links the library (a vendor's content pipeline, the bench,
// the fuzzers) behaves exactly as the command does. The command only parses
// flags and prints what these return.
//
// Each function adds what it read to a Report (files) and what it found to
// the Report's diagnostics, and the text of every source it parsed to a
// SourceTexts, so findings can be shown with their source line. No
// exception crosses this API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"
#include "ringward/report.hpp"
#include "ringward/schema.hpp"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"

namespace ringward {

// Quiets protobuf's own log lines (invalid UTF-8 in binary input and the
// like): ringward reports every input problem itself, with a code and a
// place. Call once at start-up.
void quiet_protobuf_logging();

// What a file holds.
enum class InputKind : uint8_t { source, blob, envelope };

// "source", "blob", "envelope".
const char* input_kind_name(InputKind kind) noexcept;

// How an input is told apart and read.
struct InputOptions {
    // Set by --input-format: text, json or binary make it a source of that
    // format; blob makes it a blob whatever its name or first bytes.
    std::optional<InputKind> kind;
    std::optional<InputFormat> source_format;
    LoadOptions load;
};

// The options for an --input-format value: "" (from the file), text, json,
// binary or blob. nullopt for anything else.
std::optional<InputOptions> input_options(std::string_view input_format);

// What kind `path` is, from its first bytes and its name, in this order: the
// kind the options force; a blob's or an envelope's exact magic number; the
// name (.rwc a blob, .rws an envelope, .txtpb .textproto .pbtxt .json .binpb
// .pb a source). So a damaged blob named .rwc is read as a blob and refused
// by the reader (RW0102), never taken for something else. nullopt when none
// of them tells (RW0003).
std::optional<InputKind> input_kind_of(std::string_view path, std::span<const uint8_t> bytes,
                                       const InputOptions& options = {});

// The registry and the sensor manifests content is validated against.
struct TargetPaths {
    std::string registry;
    // Files or folders of manifests.
    std::vector<std::string> manifests;
};

// Loads the registry and manifests and checks them. nullopt when there is
// no usable target; the report says why.
[[nodiscard]] std::optional<ValidationTarget> load_target(const TargetPaths& paths, Report& report,
                                                          SourceTexts& sources);

// Validates one content file: a source (compiled first, every finding mapped
// back to its line), a blob, or an envelope (the blob it carries, after the
// envelope's own shape is checked). The validated blob when it passes;
// nullopt otherwise, with the findings in the report. A registry or a sensor
// manifest given where content is expected is RW0012 input-kind-mismatch.
// `validate` is what the blob is validated with (a signer takes the digest
// beside it).
[[nodiscard]] std::optional<ValidatedBlob> validate_input(const std::string& path,
                                                          const InputOptions& options,
                                                          const ValidationTarget& target,
                                                          Report& report, SourceTexts& sources,
                                                          const ValidateOptions& validate = {});

// The content source at `path`, read again as validate_input read it: where
// a report after validation takes rule names and source lines from. nullopt
// when `path` is a blob or an envelope, or no longer reads as a source.
std::optional<ContentSource> reread_source(const std::string& path, const InputOptions& options);

// Validates every file against one target: what `ringward validate` does.
// Every finding of every file is in the report.
Report validate_files(const TargetPaths& paths, std::span<const std::string> files,
                      const InputOptions& options, SourceTexts& sources);

// Compiles a source into its blob against target.registry, which names its
// fields (RW0229 when it is empty); when target.manifests are given too,
// validates it and returns the blob only when it passes. nullopt with the
// findings otherwise.
[[nodiscard]] std::optional<std::vector<uint8_t>> compile_input(const std::string& path,
                                                                const InputOptions& options,
                                                                const TargetPaths& target,
                                                                Report& report,
                                                                SourceTexts& sources);

// The last sequence accepted per channel: what refuses replays and
// rollbacks when an agent or `ringward verify --state` keeps it.
struct ChannelState {
    std::map<uint32_t, uint64_t> last_sequence;
};
// A state file ("channel sequence" lines, '#' comments). A missing file is
// an empty state (the first run). RW0857 for a malformed line, with its line.
[[nodiscard]] Result<ChannelState> load_channel_state(const std::string& path);
// Writes the state atomically. RW0007 when it cannot be written.
[[nodiscard]] std::optional<Diagnostic> save_channel_state(const std::string& path,
                                                           const ChannelState& state);

// Reads and decrypts a secret key file; `ask` supplies the passphrase of an
// encrypted one. The file's text is wiped from memory before returning.
[[nodiscard]] Result<SecretKey> load_secret_key(
    const std::string& path, const std::function<std::optional<Passphrase>()>& ask);

// Writes a new key pair as NAME.key (mode 0600; encrypted unless
// `passphrase` is null) and NAME.pub, all or nothing, and wipes the secret
// text. RW0007 when either cannot be written (or exists and !overwrite).
[[nodiscard]] std::optional<Diagnostic> write_key_pair(const std::string& name,
                                                       const SecretKey& key,
                                                       const Passphrase* passphrase,
                                                       KdfStrength strength,
                                                       std::string_view comment, bool overwrite);

// What `ringward sign` does: checks the policy, validates the content in
// full, and only then asks for the key, signs (sign_envelope_parts: the
// hash on a second core while the blob is written out), checks the new
// signature, and writes the envelope atomically (temporary file, fsync,
// rename, fsync of the folder). What was written on success; nullopt with
// every finding in the report otherwise.
struct SignRequest {
    TargetPaths target;
    std::string content;
    InputOptions input;
    std::string key_file;
    EnvelopePolicy policy;
    std::string output;
};
struct SignedEnvelope {
    EnvelopeHeader header;
    uint32_t instance_count = 0;
    // The envelope file's size in bytes.
    uint64_t size = 0;
};
[[nodiscard]] std::optional<SignedEnvelope> sign_file(
    const SignRequest& request, const std::function<std::optional<Passphrase>()>& ask,
    Report& report, SourceTexts& sources);

// What `ringward verify` checks an envelope against: the agent's view.
struct VerifyRequest {
    std::string keyring;
    std::string envelope;
    // 0: any channel.
    uint32_t channel = 0;
    // major.minor.build; "" takes the manifest's, and without a manifest the
    // sensor range is not checked.
    std::string sensor_version;
    uint32_t ring = 0;
    // A state file: replays and rollbacks are refused, and an accepted
    // sequence is recorded in it.
    std::string state;
    // The sensor build's manifest, as its table.
    std::string manifest;
    // A customer's rollout policy file (schemas/ringward/v1/rollout_policy.proto):
    // its delays and rings apply, and a version 1 envelope is refused
    // (RINGWARD_CONFIG_REQUIRE_SCHEDULE), as on an agent that has one.
    std::string policy;
    uint64_t now = 0;
    // Fill Verification::instances, for a listing. Off, only the counts: a
    // large blob's listing costs more than reading its instances did.
    bool list_instances = false;
};

struct VerifiedInstance {
    uint32_t id = 0;
    uint32_t template_type_id = 0;
    uint32_t template_type_version = 0;
    ringward_instance_status status = RINGWARD_EVALUABLE;
};

struct Verification {
    KeyId key_id{};
    uint32_t channel = 0;
    uint64_t sequence = 0;
    uint64_t not_before = 0;
    uint64_t expires = 0;
    uint64_t sensor_min = 0;
    uint64_t sensor_max = 0;
    uint32_t ring = 0;
    uint32_t format_version = 0;
    // Version 2: the category, the signed schedule, and for this agent the
    // ring it is judged for and when that ring admits the content (with the
    // customer's delay).
    uint32_t category = 0;
    std::vector<RingStage> schedule;
    uint32_t admission_ring = 0;
    uint64_t admit_at = 0;
    // The customer's policy for the category, when the policy file has one.
    std::optional<ringward_category_policy> customer;
    // RINGWARD_E_NOT_YET_ADMITTED: valid, but this ring's time has not come
    // (admit_at); nothing was recorded in the state file.
    bool deferred = false;
    uint32_t instance_count = 0;
    uint32_t evaluable_count = 0;
    uint32_t skipped_count = 0;
    // The sensor version checked against ("" when none) and the manifest's
    // build ("" without one).
    std::string sensor_version;
    std::string manifest_build;
    bool state_recorded = false;
    // With VerifyRequest::list_instances: every instance, in blob order.
    std::vector<VerifiedInstance> instances;
};

// Loads the envelope exactly as an agent's loader does and, when it is
// accepted and a state file is named, records its sequence there. A
// deferral (RW0825) is a success with `deferred` set and no instances. The
// refusal (RW08nn) or the problem with an input otherwise.
[[nodiscard]] Result<Verification> verify_file(const VerifyRequest& request);

// "evaluable", "skipped: the sensor has no such template type version", ...
const char* instance_status_text(ringward_instance_status status) noexcept;

// What `ringward inspect` shows: a blob, an envelope's header and blob, or
// what a source compiles to, instance by instance.
enum class InspectFormat : uint8_t { text, json };
// The rendering to print on success; nullopt with the findings in the report.
// A source is compiled against the registry at `registry` (RW0229 when it
// is empty); blobs and envelopes need none.
[[nodiscard]] std::optional<std::string> inspect_file(const std::string& path,
                                                      const InputOptions& options,
                                                      InspectFormat format,
                                                      const std::string& registry, Report& report,
                                                      SourceTexts& sources);

// Unix seconds, or UTC time as 2024-07-19T04:09:00Z.
std::optional<uint64_t> parse_time(std::string_view text);
// "2024-07-19T04:09:00Z".
std::string format_time(uint64_t seconds);
// A duration: a number with s, m, h or d (plain seconds without a unit).
std::optional<uint64_t> parse_duration(std::string_view text);
// The system clock, unix seconds.
uint64_t now_seconds();
// A duration as parse_duration reads it, in the largest unit that divides
// it: "0", "90m", "4h", "2d", "3601s".
std::string format_duration(uint64_t seconds);
// `ringward sign --ring-schedule`: comma-separated ring:offset pairs, each
// offset a duration ("0:0,1:1h,2:4h,3:12h,4:24h"), in the order given.
// RW0871 when the text is not that; the schedule's rules are
// check_envelope_policy's (RW0872-RW0874).
[[nodiscard]] Result<std::vector<RingStage>> parse_ring_schedule(std::string_view text);

}  // namespace ringward
