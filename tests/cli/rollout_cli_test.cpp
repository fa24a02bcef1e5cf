// Staged rollout from the command line: sign --ring-schedule/--category,
// inspect showing the plan as wall-clock times, verify deferring (exit 3)
// then accepting with --now moved forward, a customer's --policy, and the
// example agent doing the same.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/json.hpp"
#include "support/run.hpp"

using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const std::string kRegistry = source_path("examples/registry.txtpb");
const std::string kManifests = source_path("examples/manifests");
const std::string kGood = source_path("examples/content/detections.txtpb");
const std::string kStart = "2027-01-01T00:00:00Z";
const std::string kFiveStages = "0:0,1:1h,2:4h,3:12h,4:24h";

void make_key(const TempDir& dir) {
    const auto keygen = run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"});
    REQUIRE(keygen.exit_code == 0);
    const std::string pub = read_text(dir.file("k.pub"));
    const size_t at = pub.find("public-key: ") + 12;
    write_text(dir.file("keyring.txtpb"),
               "keys { public_key: \"" + pub.substr(at, pub.find('\n', at) - at) + "\" }\n");
}

ringward::test::RunResult sign(const TempDir& dir, uint64_t sequence, const std::string& out,
                               std::vector<std::string> extra) {
    std::vector<std::string> args = {"sign",
                                     "--key",
                                     dir.file("k.key"),
                                     "--registry",
                                     kRegistry,
                                     "--manifests",
                                     kManifests,
                                     "--sequence",
                                     std::to_string(sequence),
                                     "--not-before",
                                     kStart,
                                     "--expires-in",
                                     "2d",
                                     kGood,
                                     "-o",
                                     out};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
}

ringward::test::RunResult verify(const TempDir& dir, const std::string& ring,
                                 const std::string& now, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "verify", "--keyring", dir.file("keyring.txtpb"), "--ring", ring, "--now", now};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir.file("s.rws"));
    return run_cli(args);
}

}  // namespace

TEST_CASE("sign --ring-schedule writes the plan; inspect shows it as wall-clock times") {
    TempDir dir;
    make_key(dir);
    const auto signed_ = sign(dir, 7, dir.file("s.rws"),
                              {"--ring-schedule", kFiveStages, "--category", "rapid-response"});
    INFO(signed_.err);
    REQUIRE(signed_.exit_code == 0);
    CHECK_THAT(signed_.err, Catch::Contains("rapid-response, rings 0:0,1:1h,2:4h,3:12h,4:1d"));

    const auto text = run_cli({"inspect", dir.file("s.rws")});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("  format version   2\n"));
    CHECK_THAT(text.out, Catch::Contains("  category         rapid-response\n"));
    CHECK_THAT(text.out,
               Catch::Contains("    ring 0    from 2027-01-01T00:00:00Z  (not_before + 0)\n"));
    CHECK_THAT(text.out,
               Catch::Contains("    ring 2    from 2027-01-01T04:00:00Z  (not_before + 4h)\n"));
    CHECK_THAT(text.out,
               Catch::Contains("    ring 4    from 2027-01-02T00:00:00Z  (not_before + 1d)\n"));

    // validate reads the blob after the longer header, like every command.
    CHECK(
        run_cli({"validate", "--registry", kRegistry, "--manifests", kManifests, dir.file("s.rws")})
            .exit_code == 0);

    const auto json = run_cli({"inspect", "--format", "json", dir.file("s.rws")});
    REQUIRE(json.exit_code == 0);
    const auto report = ringward::test::parse_json(json.out);
    const auto& envelope = report.fields().at("envelope").struct_value().fields();
    CHECK(envelope.at("format_version").number_value() == 2);
    CHECK(envelope.at("ring").number_value() == 4);
    CHECK(envelope.at("category").string_value() == "rapid-response");
    const auto& schedule = envelope.at("schedule").list_value();
    REQUIRE(schedule.values_size() == 5);
    const auto& ring3 = schedule.values(3).struct_value().fields();
    CHECK(ring3.at("ring").number_value() == 3);
    CHECK(ring3.at("offset").string_value() == "43200");
    CHECK(ring3.at("admitted_at").string_value() == "1798804800");
    CHECK(ring3.at("admitted_at_utc").string_value() == "2027-01-01T12:00:00Z");
}

TEST_CASE("verify defers a ring whose time has not come (exit 3), then accepts it") {
    TempDir dir;
    make_key(dir);
    REQUIRE(sign(dir, 7, dir.file("s.rws"),
                 {"--ring-schedule", kFiveStages, "--category", "rapid-response"})
                .exit_code == 0);
    const auto early = verify(dir, "2", "2027-01-01T01:00:00Z", {"--state", dir.file("state")});
    INFO(early.err);
    CHECK(early.exit_code == 3);
    CHECK_THAT(early.out, Catch::Contains("not yet admitted " + dir.file("s.rws") +
                                          ": ring 2 is admitted at 2027-01-01T04:00:00Z (in 3h)"));
    CHECK_THAT(early.out,
               Catch::Contains("    ring 2    admitted at 2027-01-01T04:00:00Z  <- this agent"));
    CHECK_THAT(early.out, Catch::Contains("    ring 3    admitted at 2027-01-01T12:00:00Z\n"));
    // A deferral is not an acceptance: nothing recorded, so it is no replay later.
    CHECK_FALSE(ringward::test::read_text(dir.file("state")).find("292 7") != std::string::npos);

    const auto later = verify(dir, "2", "2027-01-01T04:00:00Z", {"--state", dir.file("state")});
    CHECK(later.exit_code == 0);
    CHECK_THAT(later.out, Catch::StartsWith("accepted "));
    CHECK_THAT(read_text(dir.file("state")), Catch::Contains("292 7"));

    // A ring the schedule does not list: refused (RW0820), not deferred.
    const auto unlisted = verify(dir, "5", "2027-01-02T00:00:00Z");
    CHECK(unlisted.exit_code == 1);
    CHECK_THAT(unlisted.err, Catch::Contains("error[RW0820]"));
}

TEST_CASE("verify --policy applies the customer's ring and delay per category") {
    TempDir dir;
    make_key(dir);
    REQUIRE(sign(dir, 7, dir.file("s.rws"),
                 {"--ring-schedule", kFiveStages, "--category", "rapid-response"})
                .exit_code == 0);
    write_text(dir.file("policy.txtpb"),
               "# rapid response content goes to the general ring, six hours late\n"
               "categories { category: RAPID_RESPONSE ring: 4 delay_seconds: 21600 }\n"
               "categories { category: SENSOR_OPERATIONS ring: 1 }\n");
    const auto deferred =
        verify(dir, "0", "2027-01-01T05:00:00Z", {"--policy", dir.file("policy.txtpb")});
    INFO(deferred.err);
    CHECK(deferred.exit_code == 3);
    CHECK_THAT(deferred.out, Catch::Contains("ring 4 is admitted at 2027-01-02T06:00:00Z"));
    CHECK_THAT(deferred.out,
               Catch::Contains("category   rapid-response (customer policy: ring 4, delay 6h)"));
    CHECK_THAT(deferred.out, Catch::Contains("with the customer's delay"));
    CHECK(verify(dir, "0", "2027-01-02T06:00:00Z", {"--policy", dir.file("policy.txtpb")})
              .exit_code == 0);

    // A delay past the expiry: its own code, refused.
    write_text(dir.file("slow.txtpb"),
               "categories { category: RAPID_RESPONSE ring: 4 delay_seconds: 86400 }\n");
    const auto never =
        verify(dir, "0", "2027-01-01T05:00:00Z", {"--policy", dir.file("slow.txtpb")});
    CHECK(never.exit_code == 1);
    CHECK_THAT(never.err, Catch::Contains("error[RW0827]"));

    // A bad policy file names the entry.
    write_text(
        dir.file("twice.txtpb"),
        "categories { category: RAPID_RESPONSE }\ncategories { category: RAPID_RESPONSE }\n");
    const auto twice =
        verify(dir, "0", "2027-01-01T05:00:00Z", {"--policy", dir.file("twice.txtpb")});
    CHECK(twice.exit_code == 1);
    CHECK_THAT(twice.err, Catch::Contains(dir.file("twice.txtpb") + ":2:1: error[RW0876]"));

    // With a policy, a version 1 envelope (no category to delay) is refused.
    REQUIRE(sign(dir, 8, dir.file("s.rws"), {"--ring", "4"}).exit_code == 0);
    const auto v1 =
        verify(dir, "0", "2027-01-01T05:00:00Z", {"--policy", dir.file("policy.txtpb")});
    CHECK(v1.exit_code == 1);
    CHECK_THAT(v1.err, Catch::Contains("error[RW0828]"));
    CHECK(verify(dir, "0", "2027-01-01T05:00:00Z").exit_code == 0);
}

TEST_CASE("sign refuses a schedule it cannot sign, each with its code, and writes nothing") {
    TempDir dir;
    make_key(dir);
    struct Case {
        std::vector<std::string> flags;
        const char* code;
    };
    const Case cases[] = {
        {{"--ring-schedule", "0-0,1-1h", "--category", "rapid-response"}, "RW0871"},
        {{"--ring-schedule", "0:0,2:4h,1:1h", "--category", "rapid-response"}, "RW0872"},
        {{"--ring-schedule", "0:0,1:1h,1:4h", "--category", "rapid-response"}, "RW0872"},
        {{"--ring-schedule", "0:0,1:1h,2:2d", "--category", "rapid-response"}, "RW0873"},
        {{"--ring-schedule", kFiveStages}, "RW0874"},
    };
    for (const Case& c : cases) {
        INFO(c.flags[1]);
        const auto refused = sign(dir, 7, dir.file("x.rws"), c.flags);
        CHECK(refused.exit_code == 2);
        CHECK_THAT(refused.err, Catch::Contains(std::string("error[") + c.code + "]"));
        CHECK_FALSE(ringward::test::read_text(dir.file("x.rws")).size() > 0);
    }
    CHECK(sign(dir, 7, dir.file("x.rws"), {"--ring", "1", "--ring-schedule", kFiveStages})
              .exit_code == 2);
    CHECK(sign(dir, 7, dir.file("x.rws"), {"--category", "rapid-response"}).exit_code == 2);
    CHECK(
        sign(dir, 7, dir.file("x.rws"), {"--ring-schedule", kFiveStages, "--category", "fast-lane"})
            .exit_code == 2);
}

#ifdef RINGWARD_AGENT_PATH
TEST_CASE("the example agent in ring 2 defers, then accepts, and takes a policy file") {
    TempDir dir;
    make_key(dir);
    REQUIRE(sign(dir, 7, dir.file("s.rws"),
                 {"--ring-schedule", kFiveStages, "--category", "rapid-response"})
                .exit_code == 0);
    const auto agent = [&](const std::string& now, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--trust", dir.file("k.pub"), "--channel", "292", "--ring",
                                         "2",       "--now",           now};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back(dir.file("s.rws"));
        return ringward::test::run(RINGWARD_AGENT_PATH, args);
    };
    const uint64_t start = 1798761600;  // 2027-01-01T00:00:00Z
    const auto early = agent(std::to_string(start + 3600));
    CHECK(early.exit_code == 3);
    CHECK_THAT(early.out, Catch::Contains("deferred " + dir.file("s.rws") +
                                          ": sequence 7, ring 2 admitted at 1798776000 "
                                          "(in 10800 s)"));
    const auto later = agent(std::to_string(start + 4 * 3600));
    CHECK(later.exit_code == 0);
    CHECK_THAT(later.out, Catch::Contains("ring 2 admitted since 1798776000"));

    write_text(dir.file("policy.txtpb"),
               "categories { category: RAPID_RESPONSE delay_seconds: 7200 }\n");
    const auto delayed =
        agent(std::to_string(start + 4 * 3600), {"--policy", dir.file("policy.txtpb")});
    CHECK(delayed.exit_code == 3);
    CHECK_THAT(delayed.out, Catch::Contains("admitted at 1798783200"));
    write_text(dir.file("bad.txtpb"), "categories { ring: 2 }\n");
    const auto bad = agent(std::to_string(start), {"--policy", dir.file("bad.txtpb")});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::Contains("bad.txtpb:1:1: error[RW0875]"));
}
#endif

TEST_CASE("ringward store stage keeps a deferred envelope staged, and says so") {
    TempDir dir;
    make_key(dir);
    REQUIRE(sign(dir, 7, dir.file("s.rws"),
                 {"--ring-schedule", kFiveStages, "--category", "rapid-response"})
                .exit_code == 0);
    const auto staged = run_cli({"store", "stage", "--channel", "292", dir.file("store"),
                                 "--keyring", dir.file("keyring.txtpb"), "--ring", "2", "--now",
                                 "2027-01-01T01:00:00Z", dir.file("s.rws")});
    INFO(staged.err);
    CHECK(staged.exit_code == 0);
    CHECK_THAT(staged.out, Catch::Contains("stage done: staged, not yet admitted for this ring"));
    CHECK_THAT(staged.out, Catch::Contains("trial"));
    const auto json = run_cli({"store", "stage", "--channel", "292", dir.file("store2"),
                               "--keyring", dir.file("keyring.txtpb"), "--ring", "2", "--now",
                               "2027-01-01T01:00:00Z", "--format", "json", dir.file("s.rws")});
    CHECK(json.exit_code == 0);
    const auto report = ringward::test::parse_json(json.out);
    CHECK(report.fields().at("deferred").bool_value());
    CHECK(report.fields()
              .at("state")
              .struct_value()
              .fields()
              .at("trial")
              .struct_value()
              .fields()
              .at("sequence")
              .number_value() == 7);
}
