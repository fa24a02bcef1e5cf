// ringward match as scripts see it: hits as text and JSON lines, the wire
// stream for the agent, exit codes, and the interpreter's and the build's
// refusals (RW1056, RW1057).
#include <catch2/catch.hpp>

#include <string>

#include "support/run.hpp"

using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

// The example rules, imported once per test into `dir`.
std::string import_examples(const TempDir& dir) {
    const std::string content = dir.file("rules.txtpb");
    const auto imported =
        run_cli({"import", "sigma", "--mapping", source_path("examples/sigma/mapping.txtpb"),
                 source_path("examples/sigma/rules"), "-o", content});
    REQUIRE(imported.exit_code == 0);
    return content;
}

std::vector<std::string> match_args(const std::string& content,
                                    const std::vector<std::string>& events) {
    std::vector<std::string> args = {"match",
                                     "--registry",
                                     source_path("examples/registry.txtpb"),
                                     "--manifests",
                                     source_path("examples/manifests-sysmon"),
                                     "--mapping",
                                     source_path("examples/sigma/mapping.txtpb"),
                                     content};
    args.insert(args.end(), events.begin(), events.end());
    return args;
}

}  // namespace

TEST_CASE("match prints each hit with its event's place, and exits 0") {
    const TempDir dir;
    const std::string content = import_examples(dir);
    const std::string events = source_path("examples/sigma/events/sysmon.json");
    const auto result = run_cli(match_args(content, {events}));
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out == events +
                            ":2:3: event 0: rule 6 'Renamed certutil downloading a file' "
                            "instance 10 (template type 1 v3)\n" +
                            events +
                            ":33:3: event 2: rule 7 'Run key pointing into a user temp folder' "
                            "instance 11 (template type 14 v1)\n");
    CHECK(result.err ==
          "ringward: 4 events in 1 file on sensor build 7.14.18600: 3 mapped, 4 evaluations, 2 "
          "events matched (2 hits)\n");
}

TEST_CASE("match --format json writes one hit per line, and --wire-out the events") {
    const TempDir dir;
    const std::string content = import_examples(dir);
    const std::string events = source_path("examples/sigma/events/sysmon.json");
    auto args = match_args(content, {events});
    args.insert(args.end(), {"--format", "json", "--wire-out", dir.file("events.rwev")});
    const auto result = run_cli(args);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out ==
          "{\"file\":\"" + events +
              "\",\"event\":0,\"line\":2,\"column\":3,\"template_type_id\":1,"
              "\"template_type_version\":3,\"rule\":6,\"rule_name\":\"Renamed certutil "
              "downloading a file\",\"instance\":10}\n"
              "{\"file\":\"" +
              events +
              "\",\"event\":2,\"line\":33,\"column\":3,\"template_type_id\":14,"
              "\"template_type_version\":1,\"rule\":7,\"rule_name\":\"Run key pointing into a "
              "user temp folder\",\"instance\":11}\n");
    // Four evaluations: each a 4-byte length, then the event, which starts
    // with its magic.
    const std::string wire = read_text(dir.file("events.rwev"));
    size_t at = 0;
    int count = 0;
    while (at + 4 <= wire.size()) {
        const uint32_t size = static_cast<uint8_t>(wire[at]) |
                              static_cast<uint32_t>(static_cast<uint8_t>(wire[at + 1])) << 8 |
                              static_cast<uint32_t>(static_cast<uint8_t>(wire[at + 2])) << 16 |
                              static_cast<uint32_t>(static_cast<uint8_t>(wire[at + 3])) << 24;
        CHECK(wire.substr(at + 4, 4) == "RWEV");
        at += 4 + size;
        ++count;
    }
    CHECK(at == wire.size());
    CHECK(count == 4);
}

TEST_CASE("match reports a bad events file with its code and place, and exits 1") {
    const TempDir dir;
    const std::string content = import_examples(dir);
    const std::string bad = dir.file("bad.json");
    write_text(bad,
               "{\"EventID\": 1, \"Channel\": \"Microsoft-Windows-Sysmon/Operational\",\n"
               "  \"ProcessId\": \"x\"}\n");
    const auto result =
        run_cli(match_args(content, {bad, source_path("examples/sigma/events/sysmon.json")}));
    CHECK(result.exit_code == 1);
    CHECK(result.err.find(bad + ":2:16: error[RW1053]: field 'ProcessId' is uint") !=
          std::string::npos);
    // The other file still ran.
    CHECK(result.err.find("4 events in 2 files") != std::string::npos);
}

TEST_CASE("match: RW1056 for an event the interpreter refuses") {
    const TempDir dir;
    const std::string content = import_examples(dir);
    const std::string events = dir.file("long.json");
    write_text(events,
               "{\"EventID\": 1, \"Channel\": \"Microsoft-Windows-Sysmon/Operational\", "
               "\"CommandLine\": \"" +
                   std::string(40000, 'a') + "\"}\n");
    const auto result = run_cli(match_args(content, {events}));
    CHECK(result.exit_code == 1);
    CHECK(result.out.empty());
    CHECK(result.err.find(events +
                          ":1:1: error[RW1056]: event 0 (windows/process_creation): the "
                          "interpreter refused it as input-too-long: input 1 is longer than "
                          "32768 bytes") != std::string::npos);
    CHECK(result.err.find("1 evaluation, 0 events matched (0 hits); 1 refused") !=
          std::string::npos);
}

TEST_CASE("match: RW1057 when --sensor-version names no targeted build") {
    const TempDir dir;
    const std::string content = import_examples(dir);
    auto args = match_args(content, {source_path("examples/sigma/events/sysmon.json")});
    args.insert(args.end(), {"--sensor-version", "7.13.18420"});
    const auto result = run_cli(args);
    CHECK(result.exit_code == 1);
    CHECK(result.out.empty());
    CHECK(result.err.find("error[RW1057]: --sensor-version 7.13.18420 is none of the builds " +
                          content + " targets: 7.14.18600") != std::string::npos);
}

TEST_CASE("match refuses content that does not validate, and needs its options") {
    const TempDir dir;
    const std::string events = source_path("examples/sigma/events/sysmon.json");
    const auto rejected =
        run_cli(match_args(source_path("examples/channel-291/content-new.txtpb"), {events}));
    CHECK(rejected.exit_code == 1);
    CHECK(rejected.out.empty());
    const auto usage = run_cli({"match", source_path("examples/content/small.txtpb"), events});
    CHECK(usage.exit_code == 2);
    const auto help = run_cli({"match", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--mapping") != std::string::npos);
    CHECK(help.out.find("--wire-out") != std::string::npos);
    CHECK(help.out.find("--sensor-version") != std::string::npos);
    const auto version = run_cli({"match", "--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("ringward 0.", 0) == 0);
}

#ifdef RINGWARD_AGENT_PATH
TEST_CASE("the example C agent evaluates the events match --wire-out writes, and shows hits") {
    const TempDir dir;
    const std::string registry = source_path("examples/registry.txtpb");
    const std::string manifests = source_path("examples/manifests");
    const std::string content = source_path("examples/content/detections.txtpb");
    const auto mapped = run_cli(
        {"match", "--registry", registry, "--manifests", manifests, "--sensor-version",
         "7.13.18420", "--mapping", source_path("examples/agent/mapping.txtpb"), "--wire-out",
         dir.file("events.rwev"), content, source_path("examples/sigma/events/sysmon.json")});
    INFO(mapped.err);
    REQUIRE(mapped.exit_code == 0);
    CHECK(mapped.out.find(":22:3: event 1: instance 1002 (template type 1 v1)\n") !=
          std::string::npos);
    REQUIRE(run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"}).exit_code == 0);
    REQUIRE(run_cli({"sign", "--key", dir.file("k.key"), "--registry", registry, "--manifests",
                     manifests, "--sequence", "8", "--ring", "0", content, "-o", dir.file("d.rws")})
                .exit_code == 0);
    const auto agent = ringward::test::run(
        RINGWARD_AGENT_PATH, {"--trust", dir.file("k.pub"), "--channel", "292", "--events",
                              dir.file("events.rwev"), dir.file("d.rws")});
    INFO(agent.err);
    CHECK(agent.exit_code == 0);
    CHECK_THAT(agent.out, Catch::Contains("event 1: instance 1002 (template type 1 v1, "));
    CHECK_THAT(agent.out, Catch::EndsWith("2 events, 1 hits\n"));
    // A stream cut inside an event's length: refused, exit 1.
    write_text(dir.file("cut.rwev"), std::string("\x10\x00", 2));
    const auto cut = ringward::test::run(
        RINGWARD_AGENT_PATH, {"--trust", dir.file("k.pub"), "--channel", "292", "--events",
                              dir.file("cut.rwev"), dir.file("d.rws")});
    CHECK(cut.exit_code == 1);
    CHECK_THAT(cut.err, Catch::Contains("event 0: its length is cut short"));
}
#endif
