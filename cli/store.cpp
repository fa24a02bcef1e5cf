// ringward store: the endpoint's content store (docs/recovery.md), for
// operators and fleet tooling. Flag parsing and printing only: every state
// change is the library's (ringward/store.h).
#include <fmt/format.h>

#include <cstring>
#include <memory>

#include "common.hpp"
#include "ringward/file.hpp"
#include "ringward/json_writer.hpp"
#include "ringward/store.h"

namespace ringward::cli {
namespace {

struct StoreArgs {
    std::string directory;
    uint32_t channel = 0;
    std::string format = "text";
    // stage
    std::string keyring;
    std::string file;
    std::string sensor_version;
    std::string manifest;
    uint32_t ring = 0;
    std::string now;
    uint32_t tries = 0;
    // mark-good
    uint64_t sequence = 0;
};

// An I/O error or a lock held elsewhere is the environment's (2); anything
// else the store refuses is 1.
int exit_code_for(ringward_store_status status) {
    return status == RINGWARD_STORE_OK ? kExitOk
           : status == RINGWARD_STORE_E_IO_FAILED || status == RINGWARD_STORE_E_LOCKED
               ? kExitUsage
               : kExitRejected;
}

std::string code_of(ringward_store_status status) {
    return code_id(static_cast<Code>(800 + static_cast<int>(status)));
}

void write_info(util::JsonWriter& json, const ringward_store_info& info) {
    json.member("channel", info.channel).member("generation", info.generation);
    json.member("last_sequence", info.last_sequence);
    json.key("lkg");
    if (info.has_lkg) {
        json.begin_object().member("sequence", info.lkg_sequence).end_object();
    } else {
        json.null();
    }
    json.key("trial");
    if (info.has_trial) {
        json.begin_object()
            .member("sequence", info.trial_sequence)
            .member("tries_left", info.trial_tries_left)
            .member("attempts", info.trial_attempts)
            .member("max_tries", info.max_tries)
            .end_object();
    } else {
        json.null();
    }
    json.key("last_fallback").begin_object();
    json.member("reason", ringward_store_reason_name(info.last_fallback_reason));
    json.member("sequence", info.last_fallback_sequence);
    json.member("status", info.last_fallback_status == RINGWARD_STORE_OK
                              ? "ok"
                              : code_of(info.last_fallback_status));
    json.member("loader_status", ringward_status_name(info.last_fallback_loader_status));
    json.end_object();
    json.member("fallbacks", info.fallback_count).member("rollbacks", info.rollback_count);
    json.member("promotions", info.promotion_count).member("recovered", info.recovered != 0);
}

void print_info(const std::string& directory, const ringward_store_info& info) {
    fmt::print("store {} (channel {})\n", directory, info.channel);
    fmt::print("  generation       {}\n", info.generation);
    fmt::print("  last sequence    {}\n", info.last_sequence);
    fmt::print("  last known good  {}\n",
               info.has_lkg ? std::to_string(info.lkg_sequence) : std::string("none"));
    if (info.has_trial) {
        fmt::print("  trial            {} ({} of {} tries left, {} begun)\n", info.trial_sequence,
                   info.trial_tries_left, info.max_tries, info.trial_attempts);
    } else {
        fmt::print("  trial            none\n");
    }
    if (info.last_fallback_reason != RINGWARD_STORE_REASON_NONE) {
        std::string why;
        if (info.last_fallback_status != RINGWARD_STORE_OK) {
            why = fmt::format(", {} {}", code_of(info.last_fallback_status),
                              ringward_store_status_name(info.last_fallback_status));
        }
        if (info.last_fallback_loader_status != RINGWARD_OK) {
            why += fmt::format(" ({})", ringward_status_name(info.last_fallback_loader_status));
        }
        fmt::print("  last fallback    sequence {}: {}{}\n", info.last_fallback_sequence,
                   ringward_store_reason_name(info.last_fallback_reason), why);
    }
    fmt::print("  counters         {} fallbacks ({} rollbacks), {} promotions\n",
               info.fallback_count, info.rollback_count, info.promotion_count);
    if (info.recovered) {
        fmt::print(
            "  recovered        a damaged state record was set aside; this is the one "
            "before it\n");
    }
}

// Prints the outcome of one store call, and the state after it.
int report(const StoreArgs& args, const char* action, ringward_store_status status,
           ringward_status loader_status, ringward_store* store, int io_errno) {
    ringward_store_info info{};
    if (store != nullptr) {
        ringward_store_get_info(store, &info);
    }
    if (args.format == "json") {
        util::JsonWriter json;
        json.begin_object().member("action", action).member("ok", status == RINGWARD_STORE_OK);
        if (status != RINGWARD_STORE_OK) {
            json.key("error")
                .begin_object()
                .member("code", code_of(status))
                .member("name", ringward_store_status_name(status))
                .member("message", ringward_store_status_message(status));
            if (loader_status != RINGWARD_OK) {
                json.member("loader_code", code_id(static_cast<Code>(800 + loader_status)))
                    .member("loader_name", ringward_status_name(loader_status));
            }
            if (io_errno != 0) {
                json.member("errno", io_errno);
            }
            json.end_object();
        }
        if (status == RINGWARD_STORE_OK && loader_status == RINGWARD_E_NOT_YET_ADMITTED) {
            // Staged, waiting for its ring's time (docs/rollout.md).
            json.member("deferred", true);
        }
        json.member("directory", args.directory);
        if (store != nullptr) {
            json.key("state").begin_object();
            write_info(json, info);
            json.end_object();
        }
        json.end_object();
        fmt::print("{}\n", json.str());
        return exit_code_for(status);
    }
    if (status != RINGWARD_STORE_OK) {
        fmt::print(stderr, "{}: error[{}] {}: {}", args.directory, code_of(status),
                   ringward_store_status_name(status), ringward_store_status_message(status));
        if (loader_status != RINGWARD_OK) {
            fmt::print(stderr, " (error[{}] {}: {})",
                       code_id(static_cast<Code>(800 + loader_status)),
                       ringward_status_name(loader_status), ringward_status_message(loader_status));
        }
        if (io_errno != 0) {
            fmt::print(stderr, " ({})", std::strerror(io_errno));
        }
        fmt::print(stderr, "\nringward: store {} refused\n", action);
    } else if (loader_status == RINGWARD_E_NOT_YET_ADMITTED) {
        fmt::print(
            "{}: {} done: staged, not yet admitted for this ring (the agent's select "
            "loads it once its time has come)\n",
            args.directory, action);
    } else if (std::string_view(action) != "status") {
        fmt::print("{}: {} done\n", args.directory, action);
    }
    if (store != nullptr && (status == RINGWARD_STORE_OK || args.format == "text")) {
        print_info(args.directory, info);
    }
    return exit_code_for(status);
}

// The loader configuration for stage, from the same flags as verify.
struct LoaderSetup {
    std::vector<ringward_trusted_key> keys;
    std::vector<ringward_template_support> table;
    std::optional<SensorManifest> manifest;
    ringward_loader_config config{};
};

int run_store(const std::string& action, StoreArgs& args) {
    ringward_store_options options{};
    if (args.tries > RINGWARD_STORE_MAX_TRIES_INCL) {
        return usage_error(fmt::format("--tries is at most {}", RINGWARD_STORE_MAX_TRIES_INCL));
    }
    options.max_tries = args.tries;
    LoaderSetup setup;
    std::vector<uint8_t> envelope;
    if (action == "stage") {
        SourceTexts sources;
        auto keyring = load_keyring(args.keyring);
        if (!keyring.ok()) {
            print_diagnostics(keyring.diagnostics, sources);
            return cli::exit_code_for(keyring.diagnostics);
        }
        setup.keys = to_loader_keys(*keyring.value);
        setup.config.keys = setup.keys.data();
        setup.config.key_count = setup.keys.size();
        setup.config.ring = args.ring;
        setup.config.now = now_seconds();
        if (!args.now.empty()) {
            const auto now = parse_time(args.now);
            if (!now) {
                return usage_error("--now takes unix seconds or a time like 2024-07-19T04:09:00Z");
            }
            setup.config.now = *now;
        }
        if (!args.manifest.empty()) {
            auto loaded = load_manifest(args.manifest);
            if (!loaded.ok()) {
                print_diagnostics(loaded.diagnostics, sources);
                return cli::exit_code_for(loaded.diagnostics);
            }
            setup.manifest = std::move(*loaded.value);
            setup.table = to_loader_table(*setup.manifest);
            setup.config.templates = setup.table.data();
            setup.config.template_count = setup.table.size();
        }
        std::string sensor = args.sensor_version;
        if (sensor.empty() && setup.manifest) {
            sensor = setup.manifest->sensor_version_text;
        }
        if (sensor.empty()) {
            setup.config.flags |= RINGWARD_CONFIG_ANY_SENSOR;
        } else {
            const auto version = parse_sensor_version(sensor);
            if (!version) {
                fail_with(make_diagnostic(
                    Code::sensor_version_malformed,
                    fmt::format("sensor version \"{}\" is not major.minor.build", sensor), {},
                    "write it as 7.13.18420"));
                return kExitUsage;
            }
            setup.config.sensor_version = version->packed();
        }
        auto bytes = read_file_bytes(args.file, RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES + 1);
        if (!bytes.ok()) {
            print_diagnostics(bytes.diagnostics, sources);
            return cli::exit_code_for(bytes.diagnostics);
        }
        envelope = std::move(*bytes.value);
    }

    ringward_store* store = nullptr;
    ringward_store_status status =
        ringward_store_open(args.directory.c_str(), args.channel, &options, &store);
    std::unique_ptr<ringward_store, void (*)(ringward_store*)> owned(store, ringward_store_close);
    if (status != RINGWARD_STORE_OK) {
        return report(args, action.c_str(), status, RINGWARD_OK, nullptr, 0);
    }
    ringward_status loader_status = RINGWARD_OK;
    if (action == "stage") {
        status = ringward_store_stage(store, &setup.config, envelope.data(), envelope.size(),
                                      &loader_status);
    } else if (action == "mark-good") {
        ringward_store_info info{};
        ringward_store_get_info(store, &info);
        const uint64_t sequence = args.sequence != 0 ? args.sequence
                                  : info.has_trial   ? info.trial_sequence
                                                     : 0;
        status = ringward_store_mark_good(store, sequence);
    } else if (action == "rollback") {
        status = ringward_store_rollback(store);
    }
    const int io_errno = status == RINGWARD_STORE_E_IO_FAILED ? ringward_store_errno(store) : 0;
    return report(args, action.c_str(), status, loader_status, store, io_errno);
}

}  // namespace

Runner add_store(CLI::App& app) {
    auto args = std::make_shared<StoreArgs>();
    auto action = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand(
        "store",
        "The content store an endpoint keeps per channel: the last known good envelope, a trial\n"
        "with a budget of boot attempts, and the last accepted sequence (docs/recovery.md).\n"
        "Exit 0 ok, 1 refused, 2 usage or I/O.");
    add_version_flag(*command);
    command->require_subcommand(1);
    const auto common = [&](CLI::App* sub) {
        add_version_flag(*sub);
        sub->add_option("--channel", args->channel, "The store's channel")
            ->required()
            ->check(CLI::Range(1u, UINT32_MAX));
        sub->add_option("--format", args->format, "text or json")
            ->check(CLI::IsMember({"text", "json"}));
        sub->add_option("dir", args->directory, "The store's directory")->required();
        sub->callback([action, sub] { *action = sub->get_name(); });
    };
    common(command->add_subcommand("status", "Print the store's state"));
    CLI::App* stage = command->add_subcommand(
        "stage", "Verify an envelope as the agent's loader does, then make it the trial content");
    common(stage);
    stage->add_option("--keyring", args->keyring, "Keyring of trusted keys")
        ->required()
        ->check(CLI::ExistingFile);
    stage->add_option("--sensor-version", args->sensor_version,
                      "This sensor's version, major.minor.build (default: the --manifest's)");
    stage->add_option("--manifest", args->manifest, "This sensor build's manifest")
        ->check(CLI::ExistingFile);
    stage->add_option("--ring", args->ring, "This agent's rollout ring (default 0)");
    stage->add_option("--now", args->now, "The time to check against (default: the clock)");
    stage->add_option(
        "--tries", args->tries,
        fmt::format("Boot attempts the trial gets (default {})", RINGWARD_STORE_DEFAULT_MAX_TRIES));
    stage->add_option("envelope", args->file, "Envelope (.rws) to stage")->required();
    CLI::App* good = command->add_subcommand(
        "mark-good", "Make the trial the last known good (an attempt must have been begun)");
    common(good);
    good->add_option("--sequence", args->sequence, "The trial's sequence (default: the trial)");
    common(command->add_subcommand(
        "rollback", "Drop the trial and go back to the last known good; the sequence stays"));
    return [args, action] { return run_store(*action, *args); };
}

}  // namespace ringward::cli
