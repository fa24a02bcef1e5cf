// The benchmark: everything measured in one run, on the same bytes, at
// several blob sizes, as ratios against hashing the blob once with BLAKE2b
// (the floor: loading a signed blob cannot cost less than hashing it) and
// against peer tools on the same files. Prints a table, checks the targets of
// docs/performance.md, and writes the figures as JSON.
//
//   ringward_bench [--sizes 1,16,256] [--json FILE] [--work DIR] [--cli PATH] [--minisign PATH]
//                  [--quick] [--sigma DIR] [--only match|import]
#include <fcntl.h>
#include <fmt/format.h>
#include <google/protobuf/text_format.h>
#include <re2/re2.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "alloc_counter.hpp"
#include "generator.hpp"
#include "import_rows.hpp"
#include "markdown.hpp"
#include "match_rows.hpp"
#include "pipeline/parallel_load.hpp"
#include "ringward/compile.hpp"
#include "ringward/file.hpp"
#include "ringward/json_writer.hpp"
#include "ringward/loader.h"
#include "ringward/sign.hpp"
#include "ringward/validate.hpp"
#include "timing.hpp"

extern char** environ;

namespace ringward::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Process {
    double seconds = 0;
    // User plus system time, and minor page faults (rusage).
    double cpu_seconds = 0;
    long minor_faults = 0;
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
                p.cpu_seconds =
                    static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
                p.minor_faults = usage.ru_minflt;
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

// `reps` runs of a process: the median wall time with its spread, and
// the medians of its CPU time, page faults and peak RSS.
struct ProcessTiming {
    Timing wall;
    double cpu_seconds = 0;
    long minor_faults = 0;
    long max_rss_kib = 0;
};

ProcessTiming time_process(int reps, const std::vector<std::string>& args) {
    std::vector<double> wall;
    std::vector<double> cpu;
    std::vector<double> faults;
    std::vector<double> rss;
    for (int i = 0; i < reps; ++i) {
        const Process p = run_process(args);
        if (p.exit_code != 0) {
            fmt::print(stderr, "bench: {} exited {}\n", fmt::join(args, " "), p.exit_code);
            std::exit(1);
        }
        wall.push_back(p.seconds);
        cpu.push_back(p.cpu_seconds);
        faults.push_back(static_cast<double>(p.minor_faults));
        rss.push_back(static_cast<double>(p.max_rss_kib));
    }
    ProcessTiming t;
    t.wall = timing_of(wall);
    t.cpu_seconds = timing_of(cpu).median;
    t.minor_faults = static_cast<long>(timing_of(faults).median);
    t.max_rss_kib = static_cast<long>(timing_of(rss).median);
    return t;
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
    Timing time;
    // What the row is compared with, and the target ratio (0: none).
    std::string versus;
    double target = 0;
    // Rows beside the table's (start-up, peers) are not held to linearity.
    bool linear = true;
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
    long sign_rss_kib = 0;
    long sign_baseline_rss_kib = 0;
    uint64_t envelope_bytes = 0;
    // The baseline's blob and envelope (see Setup::baseline_blob_bytes).
    uint64_t baseline_blob_bytes = 0;
    uint64_t baseline_envelope_bytes = 0;
    uint64_t loader_allocations = 0;

    const Row* row(const std::string& name) const {
        for (const Row& r : rows) {
            if (r.name == name) {
                return &r;
            }
        }
        return nullptr;
    }
    double seconds(const std::string& name) const {
        const Row* r = row(name);
        return r != nullptr ? r->time.median : 0;
    }
    // The least a check + walk can cost, over the floor: the walk, and one
    // plain read of every byte (a 64-bit sum) in place of every check.
    double least_check_walk_x() const {
        return (seconds("walk alone") + seconds("one read of every byte")) /
               seconds("blake2b-512 (floor)");
    }
    // Peak RSS above the baseline process's, over the blob (validate) and
    // over the envelope (sign) above the baseline's: what each further byte
    // of content costs in memory.
    double validate_rss_x() const {
        return static_cast<double>(validate_rss_kib - baseline_rss_kib) * 1024 /
               static_cast<double>(blob_bytes - baseline_blob_bytes);
    }
    double sign_rss_x() const {
        return static_cast<double>(sign_rss_kib - sign_baseline_rss_kib) * 1024 /
               static_cast<double>(envelope_bytes - baseline_envelope_bytes);
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
    // The peak-RSS rows' baseline: a small blob of the same generated content
    // (every template type and operator, so the process runs the same code
    // and faults in the same pages of the binary), at baseline_path.
    std::string baseline_path;
    uint64_t baseline_blob_bytes = 0;
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
    return mib <= 1 ? 21 : (mib <= 16 ? 7 : 5);
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
    auto compiled = compile(*source.value, *setup.registry);
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
    const Timing floor = time_runs(reps, [&] {
        crypto_generichash(hash, sizeof(hash), blob.data(), blob.size(), nullptr, 0);
    });
    result.rows.push_back({"blake2b-512 (floor)", floor, "", 0});

    volatile uint64_t sink = 0;
    const auto checked_view = [&] {
        format::BlobView view;
        if (!format::read_blob(blob.data(), blob.size(), format::Limits{}, &view).ok()) {
            std::exit(1);
        }
        return view;
    };
    result.rows.push_back({"reader: check + walk",
                           time_runs(reps, [&] { sink = sink + walk(checked_view()); }), "floor",
                           0.15});
    // The reader row's two parts, and one plain read of every byte: the walk
    // and a pass over the bytes are what any check + walk costs at least.
    result.rows.push_back({"reader: check alone",
                           time_runs(reps, [&] { sink = sink + checked_view().size(); }), "floor",
                           0});
    const format::BlobView accepted = checked_view();
    result.rows.push_back(
        {"walk alone", time_runs(reps, [&] { sink = sink + walk(accepted); }), "floor", 0});
    result.rows.push_back(
        {"one read of every byte",
         time_runs(reps, [&] { sink = sink + read_every_byte(blob.data(), blob.size()); }), "floor",
         0});

    // Validation takes the bytes by value; copies are made before timing.
    std::vector<std::vector<uint8_t>> copies(static_cast<size_t>(reps), blob);
    size_t next = 0;
    result.rows.push_back({"validate: blob, 3 builds",
                           time_runs(reps,
                                     [&] {
                                         auto v = validate_blob(std::move(copies[next++]),
                                                                "bench.rwc", *setup.target);
                                         if (!v.ok() || !v.diagnostics.empty()) {
                                             fmt::print(stderr, "bench: content has findings: {}",
                                                        render_text(v.diagnostics[0], nullptr));
                                             std::exit(1);
                                         }
                                     }),
                           "floor", 1.5});

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
    const auto check_loaded = [&](ringward_status status, const ringward_loaded& loaded) {
        if (status != RINGWARD_OK || loaded.evaluable_count != loaded.instance_count) {
            fmt::print(stderr, "bench: the loader refused the envelope\n");
            std::exit(1);
        }
        sink = sink + loaded.evaluable_count;
    };
    const auto load = [&] {
        ringward_loaded loaded{};
        check_loaded(ringward_load(&setup.agent, envelope.data(), envelope.size(), &loaded),
                     loaded);
    };
    result.rows.push_back({"loader: signed envelope", time_runs(reps, load), "floor", 1.1});
    // The same with the hash on the second core (what verify runs): for a
    // user-space agent; a kernel's loader runs on one.
    result.rows.push_back({"loader, hash on 2nd core",
                           time_runs(reps,
                                     [&] {
                                         ParallelLoad parallel(envelope);
                                         ringward_loaded loaded{};
                                         check_loaded(parallel.load(setup.agent, &loaded), loaded);
                                     }),
                           "floor", 1.1});
    start_counting_allocations();
    load();
    result.loader_allocations = stop_counting_allocations();
    const std::string envelope_path = prefix.string() + ".rws";
    if (write_file_atomic(envelope_path, envelope)) {
        std::exit(1);
    }
    result.envelope_bytes = envelope.size();
    result.baseline_blob_bytes = setup.baseline_blob_bytes;
    // Every envelope adds the same header and signature to its blob.
    result.baseline_envelope_bytes = setup.baseline_blob_bytes + (envelope.size() - blob.size());

    const Timing pb_binary = time_runs(reps, [&] {
        v1::ContentFile m;
        if (!m.ParseFromString(binary)) {
            std::exit(1);
        }
    });
    result.rows.push_back({"protobuf: parse binary", pb_binary, "", 0});
    result.rows.push_back({"compile from binary",
                           time_runs(reps,
                                     [&] {
                                         auto s = parse_content(binary, "b.binpb", binary_load);
                                         auto c = compile(*s.value, *setup.registry);
                                         sink = sink + c.value->bytes.size();
                                     }),
                           "protobuf: parse binary", 2.0});
    // Text is slow to parse: fewer runs, still an odd number for a median.
    const int text_reps = setup.quick ? 1 : std::max(3, reps / 4) | 1;
    const Timing pb_text = time_runs(text_reps, [&] {
        v1::ContentFile m;
        if (!google::protobuf::TextFormat::ParseFromString(text, &m)) {
            std::exit(1);
        }
    });
    result.rows.push_back({"protobuf: parse text", pb_text, "", 0});
    LoadOptions text_load;
    text_load.format = InputFormat::text;
    result.rows.push_back({"compile from text",
                           time_runs(text_reps,
                                     [&] {
                                         auto s = parse_content(text, "b.txtpb", text_load);
                                         auto c = compile(*s.value, *setup.registry);
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
    auto baseline = validate_args;
    baseline.push_back(setup.baseline_path);

    // Signing and verifying as whole processes, beside minisign on the same
    // blob; both with unencrypted secret keys, so no password hashing is
    // timed. Signing validates in full first, so its peer is minisign plus
    // our validate of the same file. The runs of each are interleaved, so
    // that a disturbance of the machine falls on both sides of a ratio.
    const int process_reps = setup.quick ? 1 : (std::max(5, reps) | 1);
    const std::string minisig_path = prefix.string() + ".minisig";
    std::vector<std::string> sign_args = {setup.cli,      "sign",       "--key",
                                          setup.key_path, "--registry", setup.registry_path};
    for (const auto& m : setup.manifest_paths) {
        sign_args.push_back("--manifests");
        sign_args.push_back(m);
    }
    const std::string signed_path = prefix.string() + "-cli.rws";
    auto sign_baseline = sign_args;
    for (const std::string& a :
         {std::string("--sequence"), std::string("1"), blob_path, std::string("-o"), signed_path}) {
        sign_args.push_back(a);
    }
    for (const std::string& a : {std::string("--sequence"), std::string("1"), setup.baseline_path,
                                 std::string("-o"), prefix.string() + "-baseline.rws"}) {
        sign_baseline.push_back(a);
    }
    const std::vector<std::string> minisign_sign_args = {
        setup.minisign, "-S",      "-q", "-s",        setup.minisign_key_path,
        "-m",           blob_path, "-x", minisig_path};
    const std::vector<std::string> minisign_verify_args = {
        setup.minisign, "-V",      "-q", "-p",        setup.minisign_public_path,
        "-m",           blob_path, "-x", minisig_path};
    const std::vector<std::string> verify_args = {setup.cli,    "verify",
                                                  "--keyring",  setup.keyring_path,
                                                  "--manifest", setup.manifest_paths[1],
                                                  signed_path};
    std::vector<double> validate_runs, minisign_sign_runs, peers_runs, sign_runs,
        minisign_verify_runs, verify_runs;
    // The baselines too are medians of runs taken in turn with the others:
    // one run's peak RSS moves by hundreds of KiB (page-cache fault-around
    // of the binary's pages), as much as a 1 MiB envelope.
    std::vector<double> validate_rss, sign_rss, baseline_rss, sign_baseline_rss;
    for (int i = 0; i < process_reps; ++i) {
        baseline_rss.push_back(static_cast<double>(time_process(1, baseline).max_rss_kib));
        sign_baseline_rss.push_back(
            static_cast<double>(time_process(1, sign_baseline).max_rss_kib));
        const ProcessTiming v = time_process(1, with_blob);
        const ProcessTiming m = time_process(1, minisign_sign_args);
        const ProcessTiming sg = time_process(1, sign_args);
        validate_runs.push_back(v.wall.median);
        minisign_sign_runs.push_back(m.wall.median);
        peers_runs.push_back(v.wall.median + m.wall.median);
        sign_runs.push_back(sg.wall.median);
        validate_rss.push_back(static_cast<double>(v.max_rss_kib));
        sign_rss.push_back(static_cast<double>(sg.max_rss_kib));
        minisign_verify_runs.push_back(time_process(1, minisign_verify_args).wall.median);
        verify_runs.push_back(time_process(1, verify_args).wall.median);
    }
    result.validate_rss_kib = static_cast<long>(timing_of(validate_rss).median);
    result.sign_rss_kib = static_cast<long>(timing_of(sign_rss).median);
    result.baseline_rss_kib = static_cast<long>(timing_of(baseline_rss).median);
    result.sign_baseline_rss_kib = static_cast<long>(timing_of(sign_baseline_rss).median);
    result.rows.push_back({"validate (process)", timing_of(validate_runs), "", 0});
    result.rows.push_back({"minisign -S", timing_of(minisign_sign_runs), "", 0});
    result.rows.push_back({"minisign -S + validate", timing_of(peers_runs), "", 0});
    result.rows.push_back(
        {"ringward sign (process)", timing_of(sign_runs), "minisign -S + validate", 1.0});
    result.rows.push_back({"minisign -V", timing_of(minisign_verify_runs), "", 0});
    result.rows.push_back(
        {"ringward verify (process)", timing_of(verify_runs), "minisign -V", mib <= 1 ? 1.5 : 1.0});
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

// A row against what it is compared with: the ratio of the medians, and
// the row's fastest and slowest runs over the same median of its base.
struct Ratio {
    double base = 0;
    double median = 0;
    double low = 0;
    double high = 0;
    bool met = true;
    std::string text() const { return fmt::format("{:.3f}x ({:.2f}-{:.2f})", median, low, high); }
};

Ratio ratio_against(const Row& row, double base) {
    Ratio r;
    r.base = base;
    if (base > 0) {
        r.median = row.time.median / base;
        r.low = row.time.min / base;
        r.high = row.time.max / base;
    }
    r.met = row.target == 0 || (base > 0 && r.median <= row.target);
    return r;
}

Ratio ratio_of(const SizeResult& result, const Row& row) {
    const double base = row.versus.empty()      ? 0
                        : row.versus == "floor" ? result.seconds("blake2b-512 (floor)")
                                                : result.seconds(row.versus);
    return ratio_against(row, base);
}

struct Startup {
    std::vector<Row> rows;
    std::vector<double> version_cpu;
    std::vector<double> minisign_cpu;
    std::vector<double> version_faults;
    std::vector<double> minisign_faults;
    Ratio ratio_of(const Row& row) const {
        for (const Row& r : rows) {
            if (r.name == row.versus) {
                return ratio_against(row, r.time.median);
            }
        }
        return ratio_against(row, 0);
    }
};

struct LinearityRow {
    std::string name;
    double ratio = 0;
    bool held = false;
};

// The machine the figures are from, printed beside them.
struct Machine {
    std::string cpu;
    unsigned cores = 0;
    std::string kernel;
    std::string text() const { return fmt::format("{}, {} cores, Linux {}", cpu, cores, kernel); }
};

Machine this_machine() {
    Machine m;
    m.cores = std::thread::hardware_concurrency();
    struct utsname name {};
    if (::uname(&name) == 0) {
        m.kernel = name.release;
    }
    auto cpuinfo = read_file("/proc/cpuinfo", 1 << 24);
    m.cpu = "unknown CPU";
    if (cpuinfo.ok()) {
        const std::string& text = *cpuinfo.value;
        const size_t at = text.find("model name");
        if (at != std::string::npos) {
            const size_t colon = text.find(':', at);
            const size_t end = text.find('\n', at);
            if (colon != std::string::npos && colon < end) {
                m.cpu = text.substr(colon + 2, end - colon - 2);
            }
        }
    }
    return m;
}

std::string today() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[16];
    std::strftime(out, sizeof(out), "%Y-%m-%d", &tm);
    return out;
}

std::string size_heading(const SizeResult& r) {
    return fmt::format("{} MiB", r.mib);
}

// Rewrites the part of `path` between the two markers with the figures:
// the document's results are the bench's own output, never typed in.
bool write_markdown(const std::string& path, const Machine& machine,
                    const std::vector<SizeResult>& results, const Startup& startup,
                    const std::vector<LinearityRow>& linearity, const std::string& command) {
    constexpr std::string_view kBegin =
        "<!-- bench:begin (written by scripts/bench --markdown) -->";
    constexpr std::string_view kEnd = "<!-- bench:end -->";
    std::string md;
    md += fmt::format("{}; {}. Command: `{}`. Each figure is the median of its runs; in\n",
                      machine.text(), today(), command);
    md += "brackets, the fastest and the slowest run over the same median of what it is\n";
    md += "compared with.\n\n";
    md += "| measurement |";
    for (const SizeResult& r : results) {
        md += fmt::format(" {} |", size_heading(r));
    }
    md += " target |\n| --- |";
    for (size_t i = 0; i < results.size(); ++i) {
        md += " ---: |";
    }
    md += " --- |\n";
    const SizeResult& first = results.front();
    for (const Row& row : first.rows) {
        md += fmt::format("| {} |", row.name);
        bool met = true;
        for (const SizeResult& r : results) {
            const Row* at = r.row(row.name);
            const Ratio ratio = ratio_of(r, *at);
            met = met && ratio.met;
            md += ratio.base > 0 ? fmt::format(" {} |", ratio.text())
                                 : fmt::format(" {} |", human(at->time.median));
        }
        std::string target;
        if (row.target > 0) {
            if (row.name == "ringward verify (process)") {
                target = "<= 1.5x at 1 MiB, <= 1x above";
            } else {
                target = fmt::format("<= {}x {}", row.target,
                                     row.versus == "floor" ? "the floor" : row.versus);
            }
            target += met ? ": met" : ": MISSED";
        }
        md += fmt::format(" {} |\n", target);
    }
    md += "| validate peak RSS above baseline, x blob |";
    bool rss_met = true;
    for (const SizeResult& r : results) {
        md += fmt::format(" {:.2f}x |", r.validate_rss_x());
        rss_met = rss_met && r.validate_rss_x() <= 3;
    }
    md += fmt::format(" <= 3x: {} |\n", rss_met ? "met" : "MISSED");
    md += "| sign peak RSS above baseline, x envelope |";
    rss_met = true;
    for (const SizeResult& r : results) {
        md += fmt::format(" {:.2f}x |", r.sign_rss_x());
        rss_met = rss_met && r.sign_rss_x() <= 1.1;
    }
    md += fmt::format(" <= 1.1x: {} |\n", rss_met ? "met" : "MISSED");
    md += "| loader heap allocations |";
    bool none = true;
    for (const SizeResult& r : results) {
        md += fmt::format(" {} |", r.loader_allocations);
        none = none && r.loader_allocations == 0;
    }
    md += fmt::format(" 0: {} |\n\n", none ? "met" : "MISSED");
    md += "The least a check + walk can cost, the walk alone plus one read of every byte:";
    for (size_t i = 0; i < results.size(); ++i) {
        md += fmt::format("{} {:.3f}x", i == 0 ? "" : " /", results[i].least_check_walk_x());
    }
    md += " the floor, against the reader row's target of 0.15x.\n\n";

    md +=
        "Start-up, whole processes:\n\n| measurement | median | fastest - slowest | ratio | target "
        "|\n";
    md += "| --- | ---: | ---: | ---: | --- |\n";
    for (const Row& row : startup.rows) {
        const Ratio ratio = startup.ratio_of(row);
        md += fmt::format(
            "| {} | {} | {} - {} | {} | {} |\n", row.name, human(row.time.median),
            human(row.time.min), human(row.time.max), ratio.base > 0 ? ratio.text() : "",
            row.target > 0 ? fmt::format("<= {}x: {}", row.target, ratio.met ? "met" : "MISSED")
                           : "");
    }
    md += fmt::format(
        "\n`ringward --version` takes {} of CPU and {:.0f} page faults; `minisign -v` {} and "
        "{:.0f}.\n",
        human(timing_of(startup.version_cpu).median), timing_of(startup.version_faults).median,
        human(timing_of(startup.minisign_cpu).median), timing_of(startup.minisign_faults).median);

    if (!linearity.empty()) {
        md +=
            fmt::format("\nTime per MiB at {} over {} (target <= 1.25 for the rows with a target):",
                        size_heading(results.back()), size_heading(results.front()));
        for (size_t i = 0; i < linearity.size(); ++i) {
            md += fmt::format("{} {} {:.2f}{}", i == 0 ? "" : ";", linearity[i].name,
                              linearity[i].ratio,
                              linearity[i].held && linearity[i].ratio > 1.25 ? " (MISSED)" : "");
        }
        md += ".\n";
    }
    md += "\nAbsolute medians:\n\n| measurement |";
    for (const SizeResult& r : results) {
        md += fmt::format(" {} |", size_heading(r));
    }
    md += "\n| --- |";
    for (size_t i = 0; i < results.size(); ++i) {
        md += " ---: |";
    }
    md += "\n";
    for (const Row& row : first.rows) {
        md += fmt::format("| {} |", row.name);
        for (const SizeResult& r : results) {
            md += fmt::format(" {} |", human(r.row(row.name)->time.median));
        }
        md += "\n";
    }
    md += "| blob bytes / instances |";
    for (const SizeResult& r : results) {
        md += fmt::format(" {} / {} |", r.blob_bytes, r.instances);
    }
    md += "\n\n";
    return write_marked_section(path, kBegin, kEnd, md);
}

}  // namespace
}  // namespace ringward::bench

int main(int argc, char** argv) {
    using namespace ringward;
    using namespace ringward::bench;
    std::string sizes_text = "1,16,256";
    std::string json_path;
    std::string markdown_path;
    Setup setup;
    setup.work = "out/bench";
    CLI::App app{"ringward's benchmark: ratios against BLAKE2b and peer tools, in one run",
                 "ringward_bench"};
    app.add_option("--sizes", sizes_text, "Blob sizes in MiB, comma-separated (default 1,16,256)");
    app.add_option("--json", json_path, "Also write the figures to this file");
    app.add_option("--markdown", markdown_path,
                   "Rewrite the results between the bench markers of this Markdown file "
                   "(docs/performance.md)");
    std::string command_line = "scripts/bench";
    app.add_option("--work", setup.work, "Folder for generated files (default out/bench)");
    app.add_option("--cli", setup.cli, "The ringward command (default: beside this program)");
    setup.minisign = "minisign";
    app.add_option("--minisign", setup.minisign, "The minisign command (default: minisign)");
    app.add_flag("--quick", setup.quick, "One repetition each: a smoke run, not a measurement");
    std::string sigma_dir;
    std::string only;
    app.add_option("--sigma", sigma_dir,
                   "Sigma checkout for the import and interpreter rows (default "
                   "../shared/sigma beside the source, when there; else generated "
                   "Sigma-shaped rules, and no SigmaHQ interpreter rows)");
    app.add_option(
           "--only", only,
           "Run only these rows: match (the interpreter's) or import (the imported Sigma set)")
        ->check(CLI::IsMember({"match", "import"}));
    CLI11_PARSE(app, argc, argv);
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        // The figures' own command, without where this run put its files.
        if (arg == "--work" || arg == "--json" || arg == "--markdown" || arg == "--cli" ||
            arg == "--minisign" || arg == "--sigma") {
            ++i;
            continue;
        }
        command_line += fmt::format(" {}", arg);
    }
    if (sodium_init() < 0) {
        return 1;
    }
    spawner.start();
    const fs::path self = fs::canonical("/proc/self/exe");
    const fs::path root = fs::path(RINGWARD_SOURCE_DIR);
    if (sigma_dir.empty() && fs::is_directory(root / "../shared/sigma")) {
        sigma_dir = (root / "../shared/sigma").lexically_normal().string();
    }
    if (only == "match") {
        return run_match_rows(root, setup.quick, markdown_path, sigma_dir) ? 0 : 1;
    }
    if (setup.cli.empty()) {
        setup.cli = (self.parent_path().parent_path() / "cli" / "ringward").string();
    }
    fs::create_directories(setup.work);
    ImportRowsOptions import_rows{root.string(), sigma_dir, markdown_path, command_line,
                                  setup.quick};
    if (import_rows.sigma_dir.empty() && fs::is_directory(root / "../shared/sigma")) {
        import_rows.sigma_dir = (root / "../shared/sigma").lexically_normal().string();
    }
    if (only == "import") {
        return run_import_rows(import_rows) ? 0 : 1;
    }

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
    // The content draws only on template types every benchmarked build
    // supplies (the registry also holds newer ones, such as 7.14.18600's),
    // so that it validates against all three.
    Registry generated_types = *registry.value;
    std::erase_if(generated_types.template_types, [&](const TemplateType& type) {
        return std::any_of(
            manifests.value->begin(), manifests.value->end(),
            [&](const SensorManifest& m) { return m.find(type.id, type.version) == nullptr; });
    });
    setup.registry = &generated_types;
    setup.target = &*target.value;

    // Keys: ours, made by the CLI as a pipeline would, and minisign's.
    const fs::path work(setup.work);
    setup.key_path = (work / "bench-key.key").string();
    setup.keyring_path = (work / "keyring.txtpb").string();
    setup.minisign_key_path = (work / "minisign.key").string();
    setup.minisign_public_path = (work / "minisign.pub").string();
    time_process(
        1, {setup.cli, "keygen", "-o", (work / "bench-key").string(), "--unencrypted", "--force"});
    time_process(1, {setup.minisign, "-G", "-W", "-f", "-p", setup.minisign_public_path, "-s",
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
        GeneratorOptions small;
        small.seed = 2024;
        small.blob_bytes = 32 * 1024;
        small.sensor_max = "7.14.99999";
        LoadOptions load;
        load.format = InputFormat::binary;
        auto source =
            parse_content(generate(generated_types, small).SerializeAsString(), "baseline", load);
        const std::vector<uint8_t> bytes = compile(*source.value, *registry.value).value->bytes;
        setup.baseline_path = (fs::path(setup.work) / "baseline.rwc").string();
        setup.baseline_blob_bytes = bytes.size();
        if (write_file_atomic(setup.baseline_path, bytes)) {
            return 1;
        }
    }

    std::vector<SizeResult> results;
    for (const auto& part : CLI::detail::split(sizes_text, ',')) {
        const double mib = std::stod(part);
        fmt::print(stderr, "bench: {} MiB...\n", mib);
        results.push_back(measure(setup, mib));
    }

    // Start-up: the whole process for almost nothing, against minisign's.
    // A 1 KiB envelope, signed by the CLI, and minisign's signature of the
    // same blob.
    Startup startup;
    {
        const fs::path small = fs::path(setup.work) / "startup";
        GeneratorOptions options;
        options.seed = 2024;
        options.blob_bytes = 1024;
        options.sensor_max = "7.14.99999";
        LoadOptions load;
        load.format = InputFormat::binary;
        auto source =
            parse_content(generate(generated_types, options).SerializeAsString(), "startup", load);
        const std::string blob = small.string() + ".rwc";
        if (write_file_atomic(blob, compile(*source.value, *registry.value).value->bytes)) {
            return 1;
        }
        std::vector<std::string> sign_args = {setup.cli,
                                              "sign",
                                              "--key",
                                              setup.key_path,
                                              "--registry",
                                              setup.registry_path,
                                              "--manifests",
                                              setup.manifest_paths[1],
                                              "--sequence",
                                              "1",
                                              blob,
                                              "-o",
                                              small.string() + ".rws"};
        time_process(1, sign_args);
        time_process(1, {setup.minisign, "-S", "-q", "-s", setup.minisign_key_path, "-m", blob,
                         "-x", small.string() + ".minisig"});
        const int reps = setup.quick ? 1 : 31;
        std::vector<double> version, minisign_version, verify, minisign_verify;
        for (int i = 0; i < reps; ++i) {
            const auto a = time_process(1, {setup.cli, "--version"});
            const auto b = time_process(1, {setup.minisign, "-v"});
            const auto c =
                time_process(1, {setup.cli, "verify", "--keyring", setup.keyring_path, "--manifest",
                                 setup.manifest_paths[1], small.string() + ".rws"});
            const auto d =
                time_process(1, {setup.minisign, "-V", "-q", "-p", setup.minisign_public_path, "-m",
                                 blob, "-x", small.string() + ".minisig"});
            version.push_back(a.wall.median);
            minisign_version.push_back(b.wall.median);
            verify.push_back(c.wall.median);
            minisign_verify.push_back(d.wall.median);
            startup.version_cpu.push_back(a.cpu_seconds);
            startup.minisign_cpu.push_back(b.cpu_seconds);
            startup.version_faults.push_back(static_cast<double>(a.minor_faults));
            startup.minisign_faults.push_back(static_cast<double>(b.minor_faults));
        }
        startup.rows.push_back({"minisign -v", timing_of(minisign_version), "", 0, false});
        startup.rows.push_back(
            {"ringward --version", timing_of(version), "minisign -v", 2.0, false});
        startup.rows.push_back({"minisign -V, 1 KiB", timing_of(minisign_verify), "", 0, false});
        startup.rows.push_back(
            {"ringward verify, 1 KiB", timing_of(verify), "minisign -V, 1 KiB", 2.0, false});
    }

    // The table.
    const Machine machine = this_machine();
    fmt::print("\nmachine: {}\n", machine.text());
    bool all_met = true;
    for (const SizeResult& r : results) {
        fmt::print("\n{} MiB blob: {} bytes, {} instances (text {} bytes, binary {} bytes)\n",
                   r.mib, r.blob_bytes, r.instances, r.text_bytes, r.binary_bytes);
        fmt::print("  {:<28} {:>10} {:>21} {:>9} {:>22} {:>7}  {}\n", "measurement", "median",
                   "min - max", "MiB/s", "ratio (spread)", "target", "");
        for (const Row& row : r.rows) {
            const Ratio ratio = ratio_of(r, row);
            all_met = all_met && ratio.met;
            fmt::print("  {:<28} {:>10} {:>21} {:>9.0f} {:>22} {:>7}  {}\n", row.name,
                       human(row.time.median),
                       fmt::format("{} - {}", human(row.time.min), human(row.time.max)),
                       (static_cast<double>(r.blob_bytes) / 1048576.0) / row.time.median,
                       ratio.base > 0 ? ratio.text() : "",
                       row.target > 0 ? fmt::format("<= {}x", row.target) : "",
                       row.target == 0 ? "" : (ratio.met ? "met" : "MISSED"));
        }
        fmt::print(
            "  the least a check + walk can cost (walk alone + one read of every byte): "
            "{:.3f}x the floor\n",
            r.least_check_walk_x());
        const double validate_rss = r.validate_rss_x();
        const double sign_rss = r.sign_rss_x();
        fmt::print(
            "  validate peak RSS: {} KiB; above the baseline's ({} KiB, a {}-byte blob): {:.2f}x "
            "the blob's bytes above its; target <= 3x: {}\n",
            r.validate_rss_kib, r.baseline_rss_kib, r.baseline_blob_bytes, validate_rss,
            validate_rss <= 3 ? "met" : "MISSED");
        fmt::print(
            "  sign peak RSS: {} KiB; above the baseline's ({} KiB): {:.2f}x the envelope's "
            "bytes above its; target <= 1.1x: {}\n",
            r.sign_rss_kib, r.sign_baseline_rss_kib, sign_rss, sign_rss <= 1.1 ? "met" : "MISSED");
        all_met = all_met && validate_rss <= 3 && sign_rss <= 1.1;
        fmt::print("  loader heap allocations: {}; target 0: {}\n", r.loader_allocations,
                   r.loader_allocations == 0 ? "met" : "MISSED");
        all_met = all_met && r.loader_allocations == 0;
    }
    fmt::print("\nstart-up (whole processes, {} runs each)\n", startup.version_cpu.size());
    for (const Row& row : startup.rows) {
        const Ratio ratio = startup.ratio_of(row);
        all_met = all_met && ratio.met;
        fmt::print("  {:<28} {:>10} {:>21} {:>22} {:>7}  {}\n", row.name, human(row.time.median),
                   fmt::format("{} - {}", human(row.time.min), human(row.time.max)),
                   ratio.base > 0 ? ratio.text() : "",
                   row.target > 0 ? fmt::format("<= {}x", row.target) : "",
                   row.target == 0 ? "" : (ratio.met ? "met" : "MISSED"));
    }
    fmt::print(
        "  ringward --version: {} CPU, {:.0f} page faults; minisign -v: {} CPU, {:.0f}\n",
        human(timing_of(startup.version_cpu).median), timing_of(startup.version_faults).median,
        human(timing_of(startup.minisign_cpu).median), timing_of(startup.minisign_faults).median);
    std::vector<LinearityRow> linearity;
    if (results.size() > 1) {
        const SizeResult& small = results.front();
        const SizeResult& large = results.back();
        fmt::print("\nlinearity: time per MiB at {} MiB over {} MiB (target <= 1.25)\n", large.mib,
                   small.mib);
        for (const Row& row : large.rows) {
            const double per_large =
                row.time.median / (static_cast<double>(large.blob_bytes) / 1048576.0);
            const double per_small =
                small.seconds(row.name) / (static_cast<double>(small.blob_bytes) / 1048576.0);
            const double ratio = per_large / per_small;
            const bool held = row.target > 0 && row.linear;
            fmt::print("  {:<28} {:.3f}{}\n", row.name, ratio,
                       held && ratio > 1.25 ? "  MISSED" : "");
            all_met = all_met && !(held && ratio > 1.25);
            linearity.push_back({row.name, ratio, held});
        }
    }
    if (!markdown_path.empty()) {
        if (!write_markdown(markdown_path, machine, results, startup, linearity, command_line)) {
            return 1;
        }
    }
    all_met = run_import_rows(import_rows) && all_met;

    // Each distinct regex pattern, compiled once as validation does.
    fmt::print("\nregex patterns (each distinct pattern is compiled once per validation)\n");
    for (const std::string& pattern : regex_patterns(16)) {
        int size = 0;
        const double seconds = time_runs(5, [&] {
                                   RE2::Options o;
                                   o.set_log_errors(false);
                                   o.set_max_mem(int64_t{8} << 20);
                                   RE2 re(pattern, o);
                                   size = re.ProgramSize();
                               }).median;
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
            json.member("sign_rss_kib", static_cast<int64_t>(r.sign_rss_kib));
            json.member("sign_baseline_rss_kib", static_cast<int64_t>(r.sign_baseline_rss_kib));
            json.member("envelope_bytes", r.envelope_bytes);
            json.member("baseline_blob_bytes", r.baseline_blob_bytes);
            json.member("baseline_envelope_bytes", r.baseline_envelope_bytes);
            json.member("loader_allocations", r.loader_allocations);
            json.key("seconds").begin_object();
            for (const Row& row : r.rows) {
                json.key(row.name).begin_object();
                json.member("median", fmt::format("{:.6g}", row.time.median));
                json.member("min", fmt::format("{:.6g}", row.time.min));
                json.member("max", fmt::format("{:.6g}", row.time.max));
                json.end_object();
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
    all_met = run_match_rows(root, setup.quick, markdown_path, sigma_dir) && all_met;
    fmt::print("\n{}\n", all_met ? "all targets met" : "some targets MISSED (see above)");
    return 0;
}
