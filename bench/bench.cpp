// The benchmark: everything measured in one run, on the same bytes, at
// several blob sizes, as ratios against hashing the blob once with BLAKE2b
// (the floor: loading a signed blob cannot cost less than hashing it) and
// against peer tools on the same files. Prints a table, checks the targets of
// docs/performance.md, and writes the figures as JSON.
//
//   ringward_bench [--sizes 1,16,256] [--json FILE] [--work DIR] [--cli PATH] [--minisign PATH]
//                  [--quick]
#include <fcntl.h>
#include <fmt/format.h>
#include <google/protobuf/text_format.h>
#include <re2/re2.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>

#include "alloc_counter.hpp"
#include "generator.hpp"
#include "ringward/compile.hpp"
#include "ringward/file.hpp"
#include "ringward/json_writer.hpp"
#include "ringward/loader.h"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"

extern char** environ;

namespace ringward::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The fastest of `reps` runs: the least disturbed by the rest of the machine.
double best_seconds(int reps, const std::function<void()>& run) {
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto start = Clock::now();
        run();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
    }
    return best;
}

struct Process {
    double seconds = 0;
    long max_rss_kib = 0;
    int exit_code = -1;
};

// Whole processes are started by a spawner forked at startup, before the
// benchmark allocates its inputs: a child's peak RSS (ru_maxrss) includes the
// memory of the process it was cloned from, so children of the big benchmark
// process itself would all report the benchmark's size.
class Spawner {
  public:
    void start() {
        int requests[2];
        int replies[2];
        if (pipe(requests) != 0 || pipe(replies) != 0) {
            std::exit(1);
        }
        const pid_t pid = fork();
        if (pid == 0) {
            close(requests[1]);
            close(replies[0]);
            serve(requests[0], replies[1]);
            _exit(0);
        }
        close(requests[0]);
        close(replies[1]);
        to_ = requests[1];
        from_ = replies[0];
    }

    Process run(const std::vector<std::string>& args) const {
        std::string request;
        for (const std::string& a : args) {
            request += a;
            request.push_back('\0');
        }
        request.push_back('\0');
        const uint64_t size = request.size();
        write_all(to_, &size, sizeof(size));
        write_all(to_, request.data(), request.size());
        Process p;
        read_all(from_, &p, sizeof(p));
        return p;
    }

  private:
    static void write_all(int fd, const void* data, size_t size) {
        const auto* p = static_cast<const char*>(data);
        while (size > 0) {
            const ssize_t n = write(fd, p, size);
            if (n <= 0) {
                std::exit(1);
            }
            p += n;
            size -= static_cast<size_t>(n);
        }
    }
    static bool read_all(int fd, void* data, size_t size) {
        auto* p = static_cast<char*>(data);
        while (size > 0) {
            const ssize_t n = read(fd, p, size);
            if (n <= 0) {
                return false;
            }
            p += n;
            size -= static_cast<size_t>(n);
        }
        return true;
    }
    [[noreturn]] static void serve(int in, int out) {
        for (;;) {
            uint64_t size = 0;
            if (!read_all(in, &size, sizeof(size))) {
                _exit(0);
            }
            std::string request(size, '\0');
            read_all(in, request.data(), size);
            std::vector<char*> argv;
            for (size_t i = 0; i < request.size() && request[i] != '\0';) {
                argv.push_back(request.data() + i);
                i += std::strlen(request.data() + i) + 1;
            }
            argv.push_back(nullptr);
            posix_spawn_file_actions_t actions;
            posix_spawn_file_actions_init(&actions);
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
            // Dirty pages of files written before (ext4 commits them with
            // the next fsync of any file) must not be charged to this run.
            ::sync();
            Process p;
            const auto start = Clock::now();
            pid_t pid = 0;
            if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
                int status = 0;
                struct rusage usage {};
                wait4(pid, &status, 0, &usage);
                p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
                p.max_rss_kib = usage.ru_maxrss;
                p.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            posix_spawn_file_actions_destroy(&actions);
            write_all(out, &p, sizeof(p));
        }
    }

    int to_ = -1;
    int from_ = -1;
};

Spawner spawner;

Process run_process(const std::vector<std::string>& args) {
    return spawner.run(args);
}

Process best_process(int reps, const std::vector<std::string>& args) {
    Process best;
    best.seconds = 1e300;
    for (int i = 0; i < reps; ++i) {
        const Process p = run_process(args);
        if (p.exit_code != 0) {
            fmt::print(stderr, "bench: {} exited {}\n", args[0], p.exit_code);
            std::exit(1);
        }
        if (p.seconds < best.seconds) {
            best = p;
        }
    }
    return best;
}

// Touches every criterion and value the way an interpreter setting up would.
uint64_t walk(const format::BlobView& view) {
    uint64_t sum = 0;
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const format::InstanceView instance = view.instance(i);
        sum += instance.template_type_id();
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView c = instance.criterion(k);
            sum += static_cast<uint64_t>(c.op()) + c.value0() + c.name().size + c.data().size;
            if (c.op() == format::Op::in &&
                (c.kind() == format::Kind::int64 || c.kind() == format::Kind::uint64)) {
                for (uint32_t m = 0; m < c.value_count(); ++m) {
                    sum += c.scalar_member(m);
                }
            } else if (c.op() == format::Op::in && c.kind() != format::Kind::ip) {
                format::ByteSetCursor cursor = c.byte_members();
                format::Bytes member;
                while (cursor.next(&member)) {
                    sum += member.size;
                }
            }
        }
    }
    return sum;
}

// Keeps an allocation from being optimized away.
volatile uint64_t* volatile allocation_sink = nullptr;
void sink_allocation(volatile uint64_t* p) {
    allocation_sink = p;
}

struct Row {
    std::string name;
    double seconds = 0;
    // What the row is compared with, and the target ratio (0: none).
    std::string versus;
    double target = 0;
};

struct SizeResult {
    double mib = 0;
    uint64_t blob_bytes = 0;
    uint64_t instances = 0;
    uint64_t text_bytes = 0;
    uint64_t binary_bytes = 0;
    std::vector<Row> rows;
    long validate_rss_kib = 0;
    long baseline_rss_kib = 0;
    uint64_t loader_allocations = 0;

    double seconds(const std::string& name) const {
        for (const Row& r : rows) {
            if (r.name == name) {
                return r.seconds;
            }
        }
        return 0;
    }
};

struct Setup {
    std::string cli;
    std::string minisign;
    std::string work;
    std::string registry_path;
    std::vector<std::string> manifest_paths;
    const ValidationTarget* target = nullptr;
    const Registry* registry = nullptr;
    bool quick = false;
    // The agent the loader rows load as: build 7.13.18420, trusting `key`.
    const SecretKey* key = nullptr;
    ringward_loader_config agent{};
    // Key files for the whole-process rows.
    std::string key_path;
    std::string keyring_path;
    std::string minisign_key_path;
    std::string minisign_public_path;
};

// A fixed time inside every envelope's validity window.
constexpr uint64_t kNow = 1'800'000'000;

int reps_for(double mib, bool quick) {
    if (quick) {
        return 1;
    }
    return mib <= 1 ? 20 : (mib <= 16 ? 5 : 3);
}

SizeResult measure(const Setup& setup, double mib) {
    SizeResult result;
    result.mib = mib;
    GeneratorOptions options;
    options.seed = 2024;
    options.blob_bytes = static_cast<uint64_t>(mib * 1024 * 1024);
    options.sensor_max = "7.14.99999";
    const v1::ContentFile content = generate(*setup.registry, options);
    std::string text;
    google::protobuf::TextFormat::PrintToString(content, &text);
    const std::string binary = content.SerializeAsString();
    LoadOptions binary_load;
    binary_load.format = InputFormat::binary;
    auto source = parse_content(binary, "bench.binpb", binary_load);
    auto compiled = compile(*source.value);
    if (!compiled.ok()) {
        fmt::print(stderr, "bench: generated content does not compile\n");
        std::exit(1);
    }
    const std::vector<uint8_t> blob = std::move(compiled.value->bytes);
    result.blob_bytes = blob.size();
    result.instances = static_cast<uint64_t>(content.instances_size());
    result.text_bytes = text.size();
    result.binary_bytes = binary.size();
    const int reps = reps_for(mib, setup.quick);
    const fs::path prefix = fs::path(setup.work) / fmt::format("content-{}mib", mib);
    const std::string blob_path = prefix.string() + ".rwc";
    if (write_file_atomic(blob_path, blob)) {
        std::exit(1);
    }

    // The floor.
    uint8_t hash[crypto_generichash_BYTES_MAX];
    const double floor = best_seconds(reps, [&] {
        crypto_generichash(hash, sizeof(hash), blob.data(), blob.size(), nullptr, 0);
    });
    result.rows.push_back({"blake2b-512 (floor)", floor, "", 0});

    volatile uint64_t sink = 0;
    result.rows.push_back(
        {"reader: check + walk",
         best_seconds(
             reps,
             [&] {
                 format::BlobView view;
                 if (!format::read_blob(blob.data(), blob.size(), format::Limits{}, &view).ok()) {
                     std::exit(1);
                 }
                 sink = sink + walk(view);
             }),
         "floor", 0.1});

    // Validation takes the bytes by value; copies are made before timing.
    std::vector<std::vector<uint8_t>> copies(static_cast<size_t>(reps), blob);
    size_t next = 0;
    result.rows.push_back({"validate: blob, 3 builds",
                           best_seconds(reps,
                                        [&] {
                                            auto v = validate_blob(std::move(copies[next++]),
                                                                   "bench.rwc", *setup.target);
                                            if (!v.ok() || !v.diagnostics.empty()) {
                                                fmt::print(stderr,
                                                           "bench: content has findings: {}",
                                                           render_text(v.diagnostics[0], nullptr));
                                                std::exit(1);
                                            }
                                        }),
                           "floor", 2.0});

    // The loader, as an agent loads at boot: a signed envelope of the same
    // blob, with the sensor table of build 7.13.18420.
    std::vector<uint8_t> envelope;
    {
        auto validated = validate_blob(blob, "bench.rwc", *setup.target);
        EnvelopePolicy policy;
        policy.sequence = 1;
        policy.not_before = kNow - 3600;
        policy.expires = kNow + 3600;
        auto signed_envelope = sign_envelope(*validated.value, *setup.key, policy);
        if (!signed_envelope.ok()) {
            fmt::print(stderr, "bench: the blob could not be signed\n");
            std::exit(1);
        }
        envelope = std::move(*signed_envelope.value);
    }
    const auto load = [&] {
        ringward_loaded loaded{};
        if (ringward_load(&setup.agent, envelope.data(), envelope.size(), &loaded) != RINGWARD_OK ||
            loaded.evaluable_count != loaded.instance_count) {
            fmt::print(stderr, "bench: the loader refused the envelope\n");
            std::exit(1);
        }
        sink = sink + loaded.evaluable_count;
    };
    result.rows.push_back({"loader: signed envelope", best_seconds(reps, load), "floor", 1.15});
    start_counting_allocations();
    load();
    result.loader_allocations = stop_counting_allocations();
    const std::string envelope_path = prefix.string() + ".rws";
    if (write_file_atomic(envelope_path, envelope)) {
        std::exit(1);
    }

    const double pb_binary = best_seconds(reps, [&] {
        v1::ContentFile m;
        if (!m.ParseFromString(binary)) {
            std::exit(1);
        }
    });
    result.rows.push_back({"protobuf: parse binary", pb_binary, "", 0});
    result.rows.push_back({"compile from binary",
                           best_seconds(reps,
                                        [&] {
                                            auto s = parse_content(binary, "b.binpb", binary_load);
                                            auto c = compile(*s.value);
                                            sink = sink + c.value->bytes.size();
                                        }),
                           "protobuf: parse binary", 2.0});
    const int text_reps = std::max(1, reps / 2);
    const double pb_text = best_seconds(text_reps, [&] {
        v1::ContentFile m;
        if (!google::protobuf::TextFormat::ParseFromString(text, &m)) {
            std::exit(1);
        }
    });
    result.rows.push_back({"protobuf: parse text", pb_text, "", 0});
    LoadOptions text_load;
    text_load.format = InputFormat::text;
    result.rows.push_back({"compile from text",
                           best_seconds(text_reps,
                                        [&] {
                                            auto s = parse_content(text, "b.txtpb", text_load);
                                            auto c = compile(*s.value);
                                            sink = sink + c.value->bytes.size();
                                        }),
                           "protobuf: parse text", 1.3});

    // Peak memory of validating the blob as a whole process, beside the same
    // process validating an almost empty blob (the fixed cost).
    std::vector<std::string> validate_args = {setup.cli, "validate", "--registry",
                                              setup.registry_path};
    for (const auto& m : setup.manifest_paths) {
        validate_args.push_back("--manifests");
        validate_args.push_back(m);
    }
    auto with_blob = validate_args;
    with_blob.push_back(blob_path);
    result.validate_rss_kib = best_process(1, with_blob).max_rss_kib;
    auto baseline = validate_args;
    baseline.push_back(fs::path(setup.work) / "tiny.rwc");
    result.baseline_rss_kib = best_process(1, baseline).max_rss_kib;

    // Signing and verifying as whole processes, beside minisign on the same
    // blob; both with unencrypted secret keys, so no password hashing is
    // timed. Signing validates in full first, so its peer is minisign plus
    // our validate of the same file.
    const int process_reps = setup.quick ? 1 : std::max(3, reps);
    const double validate_process = best_process(process_reps, with_blob).seconds;
    result.rows.push_back({"validate (process)", validate_process, "", 0});
    const std::string minisig_path = prefix.string() + ".minisig";
    const double minisign_sign =
        best_process(process_reps, {setup.minisign, "-S", "-q", "-s", setup.minisign_key_path, "-m",
                                    blob_path, "-x", minisig_path})
            .seconds;
    result.rows.push_back({"minisign -S", minisign_sign, "", 0});
    result.rows.push_back({"minisign -S + validate", minisign_sign + validate_process, "", 0});
    std::vector<std::string> sign_args = {setup.cli,      "sign",       "--key",
                                          setup.key_path, "--registry", setup.registry_path};
    for (const auto& m : setup.manifest_paths) {
        sign_args.push_back("--manifests");
        sign_args.push_back(m);
    }
    const std::string signed_path = prefix.string() + "-cli.rws";
    for (const std::string& a :
         {std::string("--sequence"), std::string("1"), blob_path, std::string("-o"), signed_path}) {
        sign_args.push_back(a);
    }
    result.rows.push_back({"ringward sign (process)", best_process(process_reps, sign_args).seconds,
                           "minisign -S + validate", 1.0});
    result.rows.push_back(
        {"minisign -V",
         best_process(process_reps, {setup.minisign, "-V", "-q", "-p", setup.minisign_public_path,
                                     "-m", blob_path, "-x", minisig_path})
             .seconds,
         "", 0});
    result.rows.push_back(
        {"ringward verify (process)",
         best_process(process_reps, {setup.cli, "verify", "--keyring", setup.keyring_path,
                                     "--manifest", setup.manifest_paths[1], signed_path})
             .seconds,
         "minisign -V", 1.0});
    return result;
}

std::string human(double seconds) {
    if (seconds < 1e-3) {
        return fmt::format("{:.1f} us", seconds * 1e6);
    }
    if (seconds < 1) {
        return fmt::format("{:.2f} ms", seconds * 1e3);
    }
    return fmt::format("{:.2f} s", seconds);
}

}  // namespace
}  // namespace ringward::bench

int main(int argc, char** argv) {
    using namespace ringward;
    using namespace ringward::bench;
    std::string sizes_text = "1,16,256";
    std::string json_path;
    Setup setup;
    setup.work = "out/bench";
    CLI::App app{"ringward's benchmark: ratios against BLAKE2b and peer tools, in one run",
                 "ringward_bench"};
    app.add_option("--sizes", sizes_text, "Blob sizes in MiB, comma-separated (default 1,16,256)");
    app.add_option("--json", json_path, "Also write the figures to this file");
    app.add_option("--work", setup.work, "Folder for generated files (default out/bench)");
    app.add_option("--cli", setup.cli, "The ringward command (default: beside this program)");
    setup.minisign = "minisign";
    app.add_option("--minisign", setup.minisign, "The minisign command (default: minisign)");
    app.add_flag("--quick", setup.quick, "One repetition each: a smoke run, not a measurement");
    CLI11_PARSE(app, argc, argv);
    if (sodium_init() < 0) {
        return 1;
    }
    spawner.start();
    const fs::path self = fs::canonical("/proc/self/exe");
    const fs::path root = fs::path(RINGWARD_SOURCE_DIR);
    if (setup.cli.empty()) {
        setup.cli = (self.parent_path().parent_path() / "cli" / "ringward").string();
    }
    fs::create_directories(setup.work);

    // Three sensor builds: the example 7.12 and 7.13 manifests and a 7.14
    // build with the same table, so validation checks every instance
    // against three builds.
    setup.registry_path = (root / "examples/registry.txtpb").string();
    auto registry = load_registry(setup.registry_path);
    auto manifest_713 =
        read_file((root / "examples/manifests/sensor-7.13.18420.txtpb").string(), 1 << 20);
    if (!manifest_713.ok()) {
        return 1;
    }
    std::string manifest_714 = *manifest_713.value;
    manifest_714.replace(manifest_714.find("7.13.18420\""), 11, "7.14.100\"");
    const std::string path_714 = (fs::path(setup.work) / "sensor-7.14.100.txtpb").string();
    if (write_file_atomic(path_714, manifest_714)) {
        return 1;
    }
    setup.manifest_paths = {(root / "examples/manifests/sensor-7.12.18300.txtpb").string(),
                            (root / "examples/manifests/sensor-7.13.18420.txtpb").string(),
                            path_714};
    auto manifests = load_manifests(setup.manifest_paths);
    if (!registry.ok() || !manifests.ok()) {
        fmt::print(stderr, "bench: the example registry or manifests do not load\n");
        return 1;
    }
    auto target = ValidationTarget::create(*registry.value, *manifests.value);
    setup.registry = &*registry.value;
    setup.target = &*target.value;

    // Keys: ours, made by the CLI as a pipeline would, and minisign's.
    const fs::path work(setup.work);
    setup.key_path = (work / "bench-key.key").string();
    setup.keyring_path = (work / "keyring.txtpb").string();
    setup.minisign_key_path = (work / "minisign.key").string();
    setup.minisign_public_path = (work / "minisign.pub").string();
    best_process(
        1, {setup.cli, "keygen", "-o", (work / "bench-key").string(), "--unencrypted", "--force"});
    best_process(1, {setup.minisign, "-G", "-W", "-f", "-p", setup.minisign_public_path, "-s",
                     setup.minisign_key_path});
    auto key_text = read_file(setup.key_path, 1 << 16);
    auto key = parse_secret_key(*key_text.value, setup.key_path,
                                [] { return std::optional<Passphrase>(); });
    if (!key.ok()) {
        fmt::print(stderr, "bench: ringward keygen's key does not load\n");
        return 1;
    }
    setup.key = &*key.value;
    if (write_file_atomic(setup.keyring_path, fmt::format("keys {{ public_key: \"{}\" }}\n",
                                                          to_base64(key.value->public_key())))) {
        return 1;
    }
    const SensorManifest& agent_manifest = (*manifests.value)[1];
    const std::vector<ringward_template_support> agent_table = to_loader_table(agent_manifest);
    TrustedKey trusted;
    trusted.key = key.value->public_key();
    trusted.id = key.value->id();
    const std::vector<ringward_trusted_key> agent_keys = to_loader_keys({&trusted, 1});
    setup.agent.keys = agent_keys.data();
    setup.agent.key_count = agent_keys.size();
    setup.agent.sensor_version = agent_manifest.version->packed();
    setup.agent.now = kNow;
    setup.agent.templates = agent_table.data();
    setup.agent.template_count = agent_table.size();

    // The allocation counter must see an allocation it is shown, or its zero
    // for the loader would mean nothing.
    start_counting_allocations();
    {
        auto probe = std::make_unique<volatile uint64_t>(1);
        sink_allocation(probe.get());
    }
    if (stop_counting_allocations() == 0) {
        fmt::print(stderr, "bench: the allocation counter does not count\n");
        return 1;
    }
    {
        GeneratorOptions tiny;
        tiny.instances = 1;
        tiny.sensor_max = "7.14.99999";
        LoadOptions load;
        load.format = InputFormat::binary;
        auto source =
            parse_content(generate(*registry.value, tiny).SerializeAsString(), "tiny", load);
        if (write_file_atomic((fs::path(setup.work) / "tiny.rwc").string(),
                              compile(*source.value).value->bytes)) {
            return 1;
        }
    }

    std::vector<SizeResult> results;
    for (const auto& part : CLI::detail::split(sizes_text, ',')) {
        const double mib = std::stod(part);
        fmt::print(stderr, "bench: {} MiB...\n", mib);
        results.push_back(measure(setup, mib));
    }

    // The table.
    bool all_met = true;
    for (const SizeResult& r : results) {
        fmt::print("\n{} MiB blob: {} bytes, {} instances (text {} bytes, binary {} bytes)\n",
                   r.mib, r.blob_bytes, r.instances, r.text_bytes, r.binary_bytes);
        fmt::print("  {:<28} {:>10} {:>11} {:>10} {:>9}  {}\n", "measurement", "time", "MiB/s",
                   "ratio", "target", "");
        const double floor = r.seconds("blake2b-512 (floor)");
        for (const Row& row : r.rows) {
            const double base = row.versus.empty()      ? 0
                                : row.versus == "floor" ? floor
                                                        : r.seconds(row.versus);
            const double ratio = base > 0 ? row.seconds / base : 0;
            const bool met = row.target == 0 || ratio <= row.target;
            all_met = all_met && met;
            fmt::print("  {:<28} {:>10} {:>11.0f} {:>10} {:>9}  {}\n", row.name, human(row.seconds),
                       (static_cast<double>(r.blob_bytes) / 1048576.0) / row.seconds,
                       base > 0 ? fmt::format("{:.3f}x", ratio) : "",
                       row.target > 0 ? fmt::format("<= {}x", row.target) : "",
                       row.target == 0 ? "" : (met ? "met" : "MISSED"));
        }
        const long rss_limit = static_cast<long>((3 * r.blob_bytes) / 1024) + 1;
        const long above = r.validate_rss_kib - r.baseline_rss_kib;
        fmt::print(
            "  validate peak RSS: {} KiB; above the tiny-blob baseline ({} KiB): {} KiB "
            "= {:.2f}x the blob; target <= 3x: {}\n",
            r.validate_rss_kib, r.baseline_rss_kib, above,
            static_cast<double>(above) * 1024 / static_cast<double>(r.blob_bytes),
            above <= rss_limit ? "met" : "MISSED");
        all_met = all_met && above <= rss_limit;
        fmt::print("  loader heap allocations: {}; target 0: {}\n", r.loader_allocations,
                   r.loader_allocations == 0 ? "met" : "MISSED");
        all_met = all_met && r.loader_allocations == 0;
    }
    if (results.size() > 1) {
        const SizeResult& small = results.front();
        const SizeResult& large = results.back();
        fmt::print("\nlinearity: time per MiB at {} MiB over {} MiB (target <= 1.25)\n", large.mib,
                   small.mib);
        for (const Row& row : large.rows) {
            const double per_large =
                row.seconds / (static_cast<double>(large.blob_bytes) / 1048576.0);
            const double per_small =
                small.seconds(row.name) / (static_cast<double>(small.blob_bytes) / 1048576.0);
            const double ratio = per_large / per_small;
            fmt::print("  {:<28} {:.3f}{}\n", row.name, ratio,
                       row.target > 0 && ratio > 1.25 ? "  MISSED" : "");
            all_met = all_met && !(row.target > 0 && ratio > 1.25);
        }
    }

    // Each distinct regex pattern, compiled once as validation does.
    fmt::print("\nregex patterns (each distinct pattern is compiled once per validation)\n");
    for (const std::string& pattern : regex_patterns(16)) {
        int size = 0;
        const double seconds = best_seconds(5, [&] {
            RE2::Options o;
            o.set_log_errors(false);
            o.set_max_mem(int64_t{8} << 20);
            RE2 re(pattern, o);
            size = re.ProgramSize();
        });
        fmt::print("  {:>10}  program {:>4}  {}\n", human(seconds), size, pattern);
    }

    if (!json_path.empty()) {
        util::JsonWriter json;
        json.begin_object();
        json.key("sizes").begin_array();
        for (const SizeResult& r : results) {
            json.begin_object();
            json.member("mib", static_cast<uint64_t>(r.mib));
            json.member("blob_bytes", r.blob_bytes);
            json.member("instances", r.instances);
            json.member("validate_rss_kib", static_cast<int64_t>(r.validate_rss_kib));
            json.member("baseline_rss_kib", static_cast<int64_t>(r.baseline_rss_kib));
            json.member("loader_allocations", r.loader_allocations);
            json.key("seconds").begin_object();
            for (const Row& row : r.rows) {
                json.key(row.name).value(fmt::format("{:.6g}", row.seconds));
            }
            json.end_object();
            json.end_object();
        }
        json.end_array();
        json.member("all_targets_met", all_met);
        json.end_object();
        if (write_file_atomic(json_path, json.str() + "\n")) {
            return 1;
        }
    }
    fmt::print("\n{}\n", all_met ? "all targets met" : "some targets MISSED (see above)");
    return 0;
}
