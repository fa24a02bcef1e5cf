// keygen, sign and verify as a release pipeline and an agent use them, and
// the example C agent.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "ringward/schema.hpp"
#include "support/run.hpp"
#include "support/text.hpp"

using ringward::test::diagnostic_head;
using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const std::string kRegistry = source_path("examples/registry.txtpb");
const std::string kManifests = source_path("examples/manifests");
const std::string kGood = source_path("examples/content/detections.txtpb");
const std::string kChannel291 = source_path("examples/channel-291/content-new.txtpb");
const std::string kPassphrase = "RINGWARD_TEST_PASSPHRASE=hunter2 but longer";

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

// A key pair and a keyring that trusts it, in `dir`.
void make_key(const TempDir& dir, const std::string& name = "k") {
    const auto keygen = run_cli({"keygen", "-o", dir.file(name), "--unencrypted"});
    INFO(keygen.err);
    REQUIRE(keygen.exit_code == 0);
    const std::string pub = read_text(dir.file(name + ".pub"));
    const size_t at = pub.find("public-key: ") + 12;
    write_text(dir.file(name + "-keyring.txtpb"),
               "keys { public_key: \"" + pub.substr(at, pub.find('\n', at) - at) + "\" }\n");
}

ringward::test::RunResult sign(const TempDir& dir, const std::string& content, uint64_t sequence,
                               const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "sign",     "--key",      dir.file("k.key"),        "--registry", kRegistry, "--manifests",
        kManifests, "--sequence", std::to_string(sequence), content,      "-o",      out};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
}

}  // namespace

TEST_CASE("keygen writes a key pair: secret 0600, public readable, nothing overwritten") {
    TempDir dir;
    const auto result =
        run_cli({"keygen", "-o", dir.file("k"), "--unencrypted", "--comment", "ci"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("key id "));
    CHECK_THAT(result.out, Catch::Contains("keys { public_key: \""));
    CHECK(mode_of(dir.file("k.key")) == 0600);
    CHECK(mode_of(dir.file("k.pub")) == 0644);
    CHECK_THAT(read_text(dir.file("k.key")), Catch::Contains("encryption: none"));
    CHECK_THAT(read_text(dir.file("k.pub")), Catch::Contains("comment: ci"));

    const std::string before = read_text(dir.file("k.key"));
    const auto again = run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"});
    CHECK(again.exit_code == 2);
    CHECK_THAT(again.err, Catch::Contains("not overwritten"));
    CHECK(read_text(dir.file("k.key")) == before);
    CHECK(run_cli({"keygen", "-o", dir.file("k"), "--unencrypted", "--force"}).exit_code == 0);
    CHECK(read_text(dir.file("k.key")) != before);
}

TEST_CASE("keygen encrypts unless told not to, and needs a passphrase source without a terminal") {
    TempDir dir;
    // No --unencrypted, no passphrase flag, no terminal: refused, nothing written.
    const auto refused = run_cli({"keygen", "-o", dir.file("k")});
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("--passphrase-file or --passphrase-env"));
    CHECK_FALSE(std::filesystem::exists(dir.file("k.key")));

    const auto made = run_cli({"keygen", "-o", dir.file("k"), "--kdf", "interactive",
                               "--passphrase-env", "RINGWARD_TEST_PASSPHRASE"},
                              {kPassphrase});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK_THAT(read_text(dir.file("k.key")),
               Catch::Contains("encryption: argon2id13-xchacha20poly1305"));

    // Signing with it: without the variable set there is no passphrase;
    // with it, signing works; a wrong passphrase is RW0851.
    const auto no_variable =
        sign(dir, kGood, 1, dir.file("a.rws"), {"--passphrase-env", "RINGWARD_TEST_PASSPHRASE"});
    CHECK(no_variable.exit_code == 2);
    CHECK_THAT(no_variable.err, Catch::Contains("RINGWARD_TEST_PASSPHRASE"));
    CHECK_FALSE(std::filesystem::exists(dir.file("a.rws")));
    const auto signed_ok =
        run_cli({"sign", "--key", dir.file("k.key"), "--registry", kRegistry, "--manifests",
                 kManifests, "--sequence", "1", kGood, "-o", dir.file("a.rws"), "--passphrase-env",
                 "RINGWARD_TEST_PASSPHRASE"},
                {kPassphrase});
    INFO(signed_ok.err);
    CHECK(signed_ok.exit_code == 0);
    write_text(dir.file("wrong.txt"), "not it\n");
    const auto wrong = run_cli({"sign", "--key", dir.file("k.key"), "--registry", kRegistry,
                                "--manifests", kManifests, "--sequence", "2", kGood, "-o",
                                dir.file("b.rws"), "--passphrase-file", dir.file("wrong.txt")});
    CHECK(wrong.exit_code == 2);
    CHECK_THAT(wrong.err, Catch::StartsWith(diagnostic_head(dir.file("k.key"), "error[RW0851]")));
    CHECK_FALSE(std::filesystem::exists(dir.file("b.rws")));
}

TEST_CASE("sign refuses content that does not validate, and writes nothing") {
    TempDir dir;
    make_key(dir);
    const auto result = sign(dir, kChannel291, 1, dir.file("291.rws"));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains(diagnostic_head(kChannel291, 114, 3, "error[RW0301]")));
    CHECK_THAT(result.err, Catch::Contains(diagnostic_head(kChannel291, 140, 3, "error[RW0301]")));
    CHECK_THAT(result.err, Catch::Contains("not signed: it does not validate"));
    CHECK_FALSE(std::filesystem::exists(dir.file("291.rws")));
}

TEST_CASE("sign refuses policies that cannot be signed") {
    TempDir dir;
    make_key(dir);
    struct Refused {
        uint64_t sequence;
        std::vector<std::string> extra;
        const char* says;
    };
    const std::string policy_refused = dir.file("x.rws") + ": error[RW0856]: ";
    const Refused cases[] = {
        {1, {"--expires-in", "400d"}, "an envelope is valid for at most 365 days"},
        {1,
         {"--not-before", "2030-01-01T00:00:00Z", "--expires", "2029-01-01T00:00:00Z"},
         "the envelope would expire before it is valid"},
        {1, {"--expires", "2030-02-30T00:00:00Z"}, "--expires takes unix seconds or a time like"},
        {0, {}, "--sequence: Value 0 not in range"},
    };
    for (const Refused& c : cases) {
        const auto result = sign(dir, kGood, c.sequence, dir.file("x.rws"), c.extra);
        INFO(result.err);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains(c.says));
        const bool policy = (c.extra.size() == 2 && c.extra[0] == "--expires-in") ||
                            (c.extra.size() == 4 && c.extra[2] == "--expires");
        if (policy) {
            CHECK_THAT(result.err, Catch::Contains(policy_refused));
        }
    }
    CHECK_FALSE(std::filesystem::exists(dir.file("x.rws")));
}

TEST_CASE("sign then verify; replays, rollbacks and expiry are refused") {
    TempDir dir;
    make_key(dir);
    const auto signed_5 = sign(dir, kGood, 5, dir.file("v5.rws"),
                               {"--not-before", "2026-01-01T00:00:00Z", "--expires-in", "30d"});
    INFO(signed_5.err);
    REQUIRE(signed_5.exit_code == 0);
    REQUIRE(sign(dir, kGood, 4, dir.file("v4.rws"),
                 {"--not-before", "2026-01-01T00:00:00Z", "--expires-in", "30d"})
                .exit_code == 0);
    const std::vector<std::string> base = {"verify", "--keyring", dir.file("k-keyring.txtpb"),
                                           "--now", "2026-01-10T00:00:00Z"};
    const auto with = [&](std::vector<std::string> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return run_cli(args);
    };

    const auto accepted =
        with({"--channel", "292", "--sensor-version", "7.13.18420", "--state", dir.file("state"),
              "--manifest", source_path("examples/manifests/sensor-7.13.18420.txtpb"),
              dir.file("v5.rws")});
    INFO(accepted.err);
    REQUIRE(accepted.exit_code == 0);
    CHECK_THAT(accepted.out, Catch::Contains("accepted " + dir.file("v5.rws")));
    CHECK_THAT(accepted.out, Catch::Contains("84 evaluable, 0 skipped"));
    CHECK_THAT(read_text(dir.file("state")), Catch::Contains("292 5\n"));
    // The counts alone, unless --list asks for every instance, each with its
    // status against the manifest's table.
    const auto count_listed = [](const std::string& out, const std::string& status) {
        size_t lines = 0;
        for (size_t at = out.find("    instance "); at != std::string::npos;
             at = out.find("    instance ", at + 1)) {
            const size_t end = out.find('\n', at);
            lines += out.compare(end - status.size(), status.size(), status) == 0 ? 1 : 0;
        }
        return lines;
    };
    CHECK(count_listed(accepted.out, "evaluable") == 0);
    const auto listed =
        with({"--list", "--manifest", source_path("examples/manifests/sensor-7.13.18420.txtpb"),
              dir.file("v5.rws")});
    INFO(listed.err);
    REQUIRE(listed.exit_code == 0);
    CHECK(count_listed(listed.out, "evaluable") == 84);

    const auto replay = with({"--state", dir.file("state"), dir.file("v5.rws")});
    CHECK(replay.exit_code == 1);
    CHECK_THAT(replay.err, Catch::StartsWith(diagnostic_head(dir.file("v5.rws"), "error[RW0815]")));
    const auto rollback = with({"--state", dir.file("state"), dir.file("v4.rws")});
    CHECK(rollback.exit_code == 1);
    CHECK_THAT(rollback.err,
               Catch::StartsWith(diagnostic_head(dir.file("v4.rws"), "error[RW0816]")));

    auto late = base;
    late[4] = "2026-03-01T00:00:00Z";
    late.push_back(dir.file("v5.rws"));
    const auto expired = run_cli(late);
    CHECK(expired.exit_code == 1);
    CHECK_THAT(expired.err,
               Catch::StartsWith(diagnostic_head(dir.file("v5.rws"), "error[RW0818]")));

    const std::pair<std::vector<std::string>, const char*> policy[] = {
        {{"--channel", "291"}, "error[RW0814]"},
        {{"--sensor-version", "7.11.18110"}, "error[RW0819]"},
        {{"--ring", "1"}, "error[RW0820]"},
    };
    for (const auto& [extra, tag] : policy) {
        auto args = extra;
        args.push_back(dir.file("v5.rws"));
        const auto refused = with(args);
        INFO(refused.err);
        CHECK(refused.exit_code == 1);
        CHECK_THAT(refused.err, Catch::StartsWith(diagnostic_head(dir.file("v5.rws"), tag)));
    }

    // Another key, not in the keyring.
    make_key(dir, "other");
    const auto unknown = run_cli({"verify", "--keyring", dir.file("other-keyring.txtpb"), "--now",
                                  "2026-01-10T00:00:00Z", dir.file("v5.rws")});
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err,
               Catch::StartsWith(diagnostic_head(dir.file("v5.rws"), "error[RW0808]")));

    // A malformed state file is refused, not overwritten.
    write_text(dir.file("bad-state"), "292 five\n");
    const auto bad_state = with({"--state", dir.file("bad-state"), dir.file("v5.rws")});
    CHECK(bad_state.exit_code == 1);
    CHECK_THAT(bad_state.err,
               Catch::StartsWith(diagnostic_head(dir.file("bad-state"), 1, 1, "error[RW0857]")));
    CHECK(read_text(dir.file("bad-state")) == "292 five\n");
}

TEST_CASE("inspect shows an envelope's header and its blob") {
    TempDir dir;
    make_key(dir);
    REQUIRE(sign(dir, kGood, 9, dir.file("e.rws")).exit_code == 0);
    const auto shown = run_cli({"inspect", dir.file("e.rws")});
    INFO(shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("envelope: " + dir.file("e.rws")));
    CHECK_THAT(shown.out, Catch::Contains("not verified"));
    CHECK_THAT(shown.out, Catch::Contains("sequence         9"));
    CHECK_THAT(shown.out, Catch::Contains("instance 1001"));
}

TEST_CASE("help and version for keygen, sign and verify") {
    for (const char* command : {"keygen", "sign", "verify"}) {
        INFO(command);
        const auto help = run_cli({command, "--help"});
        CHECK(help.exit_code == 0);
        CHECK_THAT(help.out, Catch::Contains("Usage"));
        const auto version = run_cli({command, "--version"});
        CHECK(version.exit_code == 0);
        CHECK_THAT(version.out, Catch::StartsWith("ringward 0."));
    }
}

#ifdef RINGWARD_AGENT_PATH
TEST_CASE("the example C agent prints the manifest of its build, and loads signed content") {
    TempDir dir;
    const auto manifest = ringward::test::run(RINGWARD_AGENT_PATH, {"--print-manifest"});
    REQUIRE(manifest.exit_code == 0);
    ringward::LoadOptions options;
    options.format = ringward::InputFormat::text;
    auto printed = ringward::parse_manifest(manifest.out, "agent", options);
    auto example =
        ringward::load_manifest(source_path("examples/manifests/sensor-7.13.18420.txtpb"));
    REQUIRE(printed.ok());
    REQUIRE(example.ok());
    CHECK(printed.value->sensor_version_text == example.value->sensor_version_text);
    REQUIRE(printed.value->template_types.size() == example.value->template_types.size());
    for (size_t i = 0; i < example.value->template_types.size(); ++i) {
        CHECK(printed.value->template_types[i].id == example.value->template_types[i].id);
        CHECK(printed.value->template_types[i].version == example.value->template_types[i].version);
        CHECK(printed.value->template_types[i].input_types ==
              example.value->template_types[i].input_types);
    }
    // What it prints is a manifest validate reads: content passes against it.
    write_text(dir.file("agent-manifest.txtpb"), manifest.out);
    CHECK(run_cli({"validate", "--registry", kRegistry, "--manifests",
                   dir.file("agent-manifest.txtpb"), kGood})
              .exit_code == 0);

    make_key(dir);
    REQUIRE(sign(dir, kGood, 7, dir.file("d.rws")).exit_code == 0);
    const auto loaded = ringward::test::run(
        RINGWARD_AGENT_PATH, {"--trust", dir.file("k.pub"), "--channel", "292", dir.file("d.rws")});
    INFO(loaded.err);
    CHECK(loaded.exit_code == 0);
    CHECK_THAT(loaded.out, Catch::Contains("will evaluate 84, skip 0"));
    CHECK_THAT(loaded.out,
               Catch::Contains("instance 1001  template type 1 v1  2 criteria  evaluate"));
    const auto replayed =
        ringward::test::run(RINGWARD_AGENT_PATH, {"--trust", dir.file("k.pub"), "--channel", "292",
                                                  "--last-sequence", "7", dir.file("d.rws")});
    CHECK(replayed.exit_code == 1);
    CHECK_THAT(replayed.err, Catch::Contains("envelope-replayed"));
}
#endif
