// ringward store, and the example watchdog agent playing a boot loop over
// envelopes made with keygen and sign.
#include <catch2/catch.hpp>

#include "support/run.hpp"

using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const std::string kRegistry = source_path("examples/registry.txtpb");
const std::string kManifests = source_path("examples/manifests");
const std::string kManifest = source_path("examples/manifests/sensor-7.13.18420.txtpb");
const std::string kGood = source_path("examples/content/detections.txtpb");  // channel 292

// A key, its keyring, and envelopes of the example content at `sequences`.
void make_envelopes(const TempDir& dir, std::initializer_list<int> sequences) {
    REQUIRE(run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"}).exit_code == 0);
    const std::string pub = read_text(dir.file("k.pub"));
    const size_t at = pub.find("public-key: ") + 12;
    write_text(dir.file("keyring.txtpb"),
               "keys { public_key: \"" + pub.substr(at, pub.find('\n', at) - at) + "\" }\n");
    for (const int s : sequences) {
        const auto signed_envelope =
            run_cli({"sign", "--key", dir.file("k.key"), "--registry", kRegistry, "--manifests",
                     kManifests, "--sequence", std::to_string(s), kGood, "-o",
                     dir.file("v" + std::to_string(s) + ".rws")});
        INFO(signed_envelope.err);
        REQUIRE(signed_envelope.exit_code == 0);
    }
}

ringward::test::RunResult store(const TempDir& dir, std::vector<std::string> args) {
    args.insert(args.begin(), "store");
    args.insert(args.begin() + 2, {"--channel", "292", dir.file("store")});
    return run_cli(args);
}

ringward::test::RunResult stage(const TempDir& dir, int sequence) {
    return store(dir, {"stage", "--keyring", dir.file("keyring.txtpb"), "--manifest", kManifest,
                       "--tries", "3", dir.file("v" + std::to_string(sequence) + ".rws")});
}

}  // namespace

TEST_CASE("ringward store stages, reports, refuses and rolls back with stable codes") {
    TempDir dir;
    make_envelopes(dir, {3, 4});
    const auto staged = stage(dir, 4);
    INFO(staged.err);
    REQUIRE(staged.exit_code == 0);
    CHECK_THAT(staged.out, Catch::Contains("stage done"));
    CHECK_THAT(staged.out, Catch::Contains("trial            4 (3 of 3 tries left, 0 begun)"));

    const auto json = store(dir, {"status", "--format", "json"});
    CHECK(json.exit_code == 0);
    CHECK_THAT(json.out, Catch::Contains("\"last_sequence\": 4"));
    CHECK_THAT(json.out, Catch::Contains("\"lkg\": null"));
    CHECK_THAT(json.out, Catch::Contains("\"tries_left\": 3"));

    // Content that never ran cannot be marked good.
    const auto not_begun = store(dir, {"mark-good"});
    CHECK(not_begun.exit_code == 1);
    CHECK_THAT(not_begun.err, Catch::Contains("error[RW0868] store-attempt-not-begun"));
    // A lower sequence is the loader's rollback refusal, inside the store's.
    const auto lower = stage(dir, 3);
    CHECK(lower.exit_code == 1);
    CHECK_THAT(lower.err, Catch::Contains("error[RW0860] store-envelope-refused"));
    CHECK_THAT(lower.err, Catch::Contains("error[RW0816] envelope-rollback"));

    const auto rolled_back = store(dir, {"rollback"});
    CHECK(rolled_back.exit_code == 0);
    CHECK_THAT(rolled_back.out, Catch::Contains("last fallback    sequence 4: rollback"));
    const auto again = store(dir, {"rollback", "--format", "json"});
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.out, Catch::Contains("\"code\": \"RW0866\""));
    // The rollback kept the sequence: 4 cannot be staged again.
    const auto replay = stage(dir, 4);
    CHECK(replay.exit_code == 1);
    CHECK_THAT(replay.err, Catch::Contains("error[RW0815] envelope-replayed"));

    const auto other_channel = run_cli({"store", "status", "--channel", "291", dir.file("store")});
    CHECK(other_channel.exit_code == 1);
    CHECK_THAT(other_channel.err, Catch::Contains("error[RW0863] store-state-wrong-channel"));
    write_text(dir.file("store/state-a"), std::string(224, '\0'));
    write_text(dir.file("store/state-b"), "short");
    const auto corrupt = store(dir, {"status"});
    CHECK(corrupt.exit_code == 1);
    CHECK_THAT(corrupt.err, Catch::Contains("error[RW0862] store-state-corrupt"));

    CHECK(run_cli({"store", "status", dir.file("store")}).exit_code == 2);  // no --channel
    CHECK(run_cli({"store"}).exit_code == 2);
    CHECK(run_cli({"store", "status", "--help"}).exit_code == 0);
}

#ifdef RINGWARD_WATCHDOG_PATH
TEST_CASE("the watchdog falls back after exactly N crashed boots, then takes a good update") {
    TempDir dir;
    make_envelopes(dir, {1, 2, 3, 4});
    const std::vector<std::string> agent = {"--store",
                                            dir.file("store"),
                                            "--channel",
                                            "292",
                                            "--trust",
                                            dir.file("k.pub"),
                                            "--tries",
                                            "3",
                                            "--health-ms",
                                            "10",
                                            "--crash-on-sequence",
                                            "2"};
    const auto boot = [&](std::vector<std::string> extra = {}) {
        auto args = agent;
        args.insert(args.end(), extra.begin(), extra.end());
        return ringward::test::run(RINGWARD_WATCHDOG_PATH, args);
    };

    const auto first = boot();
    CHECK(first.exit_code == 0);
    CHECK_THAT(first.out, Catch::Contains("no content yet"));

    REQUIRE(stage(dir, 1).exit_code == 0);
    const auto good = boot();
    INFO(good.err);
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Catch::Contains("trying sequence 1: attempt 1 of 3"));
    CHECK_THAT(good.out, Catch::Contains("marked sequence 1 good"));

    // Sequence 2 crashes the machine as soon as it is loaded.
    const auto staged = boot({"--stage", dir.file("v2.rws")});
    REQUIRE(staged.exit_code == 0);
    CHECK_THAT(staged.out, Catch::Contains("staged sequence 2: 3 tries"));
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const auto crashed = boot();
        INFO("boot " << attempt);
        CHECK(crashed.exit_code == 128 + 6);  // SIGABRT
        CHECK_THAT(crashed.out, Catch::Contains("trying sequence 2: attempt " +
                                                std::to_string(attempt) + " of 3"));
        CHECK_THAT(crashed.err, Catch::Contains("sequence 2 crashes this machine"));
    }
    const auto recovered = boot();
    CHECK(recovered.exit_code == 0);
    CHECK_THAT(recovered.out, Catch::Contains("fell back from sequence 2: tries-exhausted"));
    CHECK_THAT(recovered.out, Catch::Contains("loading last known good sequence 1"));
    // And it stays there.
    CHECK_THAT(boot().out, Catch::Contains("loading last known good sequence 1"));
    const auto status = store(dir, {"status", "--format", "json"});
    CHECK_THAT(status.out, Catch::Contains("\"reason\": \"tries-exhausted\""));
    CHECK_THAT(status.out, Catch::Contains("\"last_sequence\": 2"));
    CHECK(stage(dir, 2).exit_code == 1);  // the bad sequence cannot return

    // A good update: staged, tried once, promoted.
    REQUIRE(stage(dir, 3).exit_code == 0);
    const auto updated = boot();
    CHECK(updated.exit_code == 0);
    CHECK_THAT(updated.out, Catch::Contains("trying sequence 3: attempt 1 of 3"));
    CHECK_THAT(updated.out, Catch::Contains("marked sequence 3 good"));
    CHECK_THAT(store(dir, {"status"}).out, Catch::Contains("last known good  3"));

    // An operator marks a trial good after a crash the content did not cause.
    REQUIRE(stage(dir, 4).exit_code == 0);
    CHECK(boot({"--crash-on-sequence", "4"}).exit_code == 128 + 6);
    const auto operator_good = store(dir, {"mark-good", "--sequence", "4"});
    CHECK(operator_good.exit_code == 0);
    CHECK_THAT(operator_good.out, Catch::Contains("last known good  4"));
}
#endif
