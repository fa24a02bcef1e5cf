// How the command tells its inputs apart, and that inspect, validate and
// verify agree on a damaged file's verdict; refusals carry their codes.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/run.hpp"

using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const std::string kRegistry = source_path("examples/registry.txtpb");
const std::string kManifests = source_path("examples/manifests");
const std::string kSmall = source_path("examples/content/small.txtpb");

void flip_bit(const std::string& path, size_t bit) {
    std::string bytes = read_text(path);
    bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
    write_text(path, bytes);
}

}  // namespace

TEST_CASE("inspect, validate and verify refuse a blob with a flipped magic bit, each with a code") {
    TempDir dir;
    const std::string blob = dir.file("small.rwc");
    REQUIRE(run_cli({"compile", "--registry", source_path("examples/registry.txtpb"), kSmall, "-o",
                     blob, "-q"})
                .exit_code == 0);
    write_text(dir.file("keyring.txtpb"), "");
    const std::string good = read_text(blob);
    for (const size_t bit : {size_t{0}, size_t{9}, size_t{3 * 8 + 4}, size_t{63}}) {
        write_text(blob, good);
        flip_bit(blob, bit);
        INFO("bit " << bit);
        // Bit 28 turns RWC into RWS: the file is then read as an envelope.
        const std::string code = bit == 3 * 8 + 4 ? "error[RW0805]" : "error[RW0103]";
        const auto inspect = run_cli({"inspect", blob});
        CHECK(inspect.exit_code == 1);
        if (bit != 28) {
            CHECK_THAT(inspect.err, Catch::Contains(blob + "@0x" + std::to_string(bit / 8) + ":"));
        }
        CHECK_THAT(inspect.err, Catch::Contains(code));
        const auto validate =
            run_cli({"validate", "--registry", kRegistry, "--manifests", kManifests, blob});
        CHECK(validate.exit_code == 1);
        CHECK_THAT(validate.err, Catch::Contains(code));
        const auto verify = run_cli({"verify", "--keyring", dir.file("keyring.txtpb"), blob});
        CHECK(verify.exit_code == 1);
        CHECK_THAT(verify.err, Catch::Contains(bit == 28 ? "error[RW0805]" : "error[RW0803]"));
    }
    // An all-zero file of a blob's size: a blob by its name, refused by the
    // reader at byte 0; an empty one, for its missing header (RW0102, the
    // example docs/diagnostics.md gives).
    write_text(blob, std::string(good.size(), '\0'));
    const auto zero =
        run_cli({"validate", "--registry", kRegistry, "--manifests", kManifests, blob});
    CHECK(zero.exit_code == 1);
    CHECK_THAT(zero.err, Catch::Contains(blob + "@0x0: error[RW0103]"));
    write_text(blob, "");
    const auto empty = run_cli({"inspect", blob});
    CHECK(empty.exit_code == 1);
    CHECK_THAT(empty.err, Catch::Contains(blob + "@0x0: error[RW0102]"));
}

TEST_CASE("a file whose kind nothing tells is a usage error with RW0003") {
    TempDir dir;
    write_text(dir.file("content"), "channel: 1\n");
    const auto result = run_cli(
        {"validate", "--registry", kRegistry, "--manifests", kManifests, dir.file("content")});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains(dir.file("content") + ": error[RW0003]"));
    const auto forced = run_cli({"validate", "--registry", kRegistry, "--manifests", kManifests,
                                 "--input-format", "text", dir.file("content")});
    CHECK(forced.exit_code == 1);  // now read as text: content that does not validate
    CHECK_THAT(forced.err, Catch::Contains("error[RW"));
}

TEST_CASE("a manifest given where content belongs is named for what it is") {
    const std::string first = source_path("examples/manifests/sensor-7.12.18300.txtpb");
    const std::string second = source_path("examples/manifests/sensor-7.13.18420.txtpb");
    const auto result =
        run_cli({"validate", "--registry", kRegistry, "--manifests", first, second, kSmall});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains(second + ": error[RW0012]: " + second +
                                           " is a sensor manifest, not a content file"));
    CHECK_THAT(result.err, Catch::Contains("--manifests takes one value per use"));
}

TEST_CASE("sign refuses a validity window it cannot sign with RW0856, before validating") {
    TempDir dir;
    REQUIRE(run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"}).exit_code == 0);
    const std::vector<std::string> base = {"sign",       "--key",      dir.file("k.key"),
                                           "--registry", kRegistry,    "--manifests",
                                           kManifests,   "--sequence", "1",
                                           kSmall,       "-o",         dir.file("out.rws")};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return run_cli(args);
    };
    const auto too_long = with({"--expires-in", "366d"});
    CHECK(too_long.exit_code == 2);
    CHECK_THAT(too_long.err, Catch::Contains("error[RW0856]"));
    CHECK_THAT(too_long.err, Catch::Contains("at most 365 days"));
    const auto backwards =
        with({"--not-before", "2030-01-02T00:00:00Z", "--expires", "2030-01-01T00:00:00Z"});
    CHECK(backwards.exit_code == 2);
    CHECK_THAT(backwards.err, Catch::Contains("error[RW0856]"));
    CHECK_THAT(backwards.err, Catch::Contains("expire"));
    CHECK(with({"--expires-in", "365d"}).exit_code == 0);
}
