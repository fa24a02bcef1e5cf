// The pipeline API: what the command does, as functions a content pipeline
// calls, with the same verdicts.
#include <catch2/catch.hpp>

#include <fstream>

#include "ringward/pipeline.hpp"
#include "support/run.hpp"

using namespace ringward;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const TargetPaths kTarget{source_path("examples/registry.txtpb"),
                          {source_path("examples/manifests")}};

std::vector<uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// The example registry alone: what compile_input needs to name fields.
TargetPaths registry_only() {
    TargetPaths paths;
    paths.registry = source_path("examples/registry.txtpb");
    return paths;
}

std::vector<uint8_t> example_blob() {
    Report report;
    SourceTexts sources;
    auto blob = compile_input(source_path("examples/content/small.txtpb"), {}, registry_only(),
                              report, sources);
    REQUIRE(blob.has_value());
    return *blob;
}

}  // namespace

TEST_CASE("an input's kind: the forced kind, then the magic number, then the name") {
    const auto blob = example_blob();
    const std::vector<uint8_t> text = bytes_of("channel: 1\n");
    std::vector<uint8_t> envelope_magic = blob;
    envelope_magic[3] = 'S';  // 0x89 R W S: one bit from the blob's magic
    struct Case {
        const char* path;
        const std::vector<uint8_t>* bytes;
        const char* input_format;
        std::optional<InputKind> kind;
    };
    const std::vector<Case> cases = {
        {"a.txtpb", &text, "", InputKind::source},
        {"a.json", &text, "", InputKind::source},
        {"a.binpb", &text, "", InputKind::source},
        {"a.rwc", &blob, "", InputKind::blob},
        {"blob-without-a-name", &blob, "", InputKind::blob},
        {"named.txtpb", &blob, "", InputKind::blob},  // the magic decides
        {"a.rwc", &envelope_magic, "", InputKind::envelope},
        {"a.rwc", &text, "", InputKind::blob},  // damaged: read as a blob, refused by the reader
        {"a.rws", &text, "", InputKind::envelope},
        {"content", &text, "", std::nullopt},
        {"content", &text, "text", InputKind::source},
        {"content", &text, "blob", InputKind::blob},
    };
    for (const Case& c : cases) {
        INFO(c.path << " " << c.input_format);
        const auto options = input_options(c.input_format);
        REQUIRE(options.has_value());
        CHECK(input_kind_of(c.path, *c.bytes, *options) == c.kind);
    }
    CHECK_FALSE(input_options("yaml").has_value());
}

TEST_CASE("validate_files reports every finding of every file, as the command does") {
    SourceTexts sources;
    const std::vector<std::string> files = {source_path("examples/content/detections.txtpb"),
                                            source_path("examples/channel-291/content-new.txtpb")};
    const Report report = validate_files(kTarget, files, {}, sources);
    CHECK_FALSE(report.passed());
    std::vector<uint32_t> channel_291_lines;
    for (const Diagnostic& d : report.diagnostics) {
        if (d.code == Code::criterion_on_unsupplied_input) {
            channel_291_lines.push_back(d.location.line);
            CHECK(d.location.file == files[1]);
            CHECK(d.location.column == 3);
        }
        CHECK(d.location.file != files[0]);  // the good content has no findings
    }
    // The README's example finding is the first.
    REQUIRE_FALSE(channel_291_lines.empty());
    CHECK(channel_291_lines[0] == 114);
}

TEST_CASE("a damaged blob named .rwc is refused by the reader with its own code") {
    TempDir dir;
    auto blob = example_blob();
    const std::string path = dir.file("damaged.rwc");
    SourceTexts sources;
    const ValidationTarget target = [&] {
        Report report;
        auto loaded = load_target(kTarget, report, sources);
        REQUIRE(loaded.has_value());
        return std::move(*loaded);
    }();
    // Every single-bit flip of the magic: 63 are a blob with a bad magic
    // (RW0102 at the byte flipped), one is the envelope magic, whose header
    // then fails the envelope's shape (RW0805: a blob's header has its own
    // size where an envelope's has 160).
    for (uint32_t bit = 0; bit < 64; ++bit) {
        auto flipped = blob;
        flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        write_bytes(path, flipped);
        Report report;
        CHECK_FALSE(validate_input(path, {}, target, report, sources).has_value());
        REQUIRE(report.diagnostics.size() == 1);
        const Diagnostic& d = report.diagnostics[0];
        if (bit == 3 * 8 + 4) {
            CHECK(d.code == Code::envelope_bad_header);
        } else {
            INFO("bit " << bit);
            CHECK(d.code == Code::read_bad_magic);
            CHECK(d.location.blob_offset == bit / 8);
        }
    }
    // An all-zero file of a blob's size.
    write_bytes(path, std::vector<uint8_t>(blob.size(), 0));
    Report report;
    CHECK_FALSE(validate_input(path, {}, target, report, sources).has_value());
    REQUIRE(report.diagnostics.size() == 1);
    CHECK(report.diagnostics[0].code == Code::read_bad_magic);
    CHECK(report.diagnostics[0].location.blob_offset == 0u);
}

TEST_CASE("a manifest or a registry given as content says so") {
    Report report;
    SourceTexts sources;
    auto target = load_target(kTarget, report, sources);
    REQUIRE(target.has_value());
    const std::string manifest = source_path("examples/manifests/sensor-7.12.18300.txtpb");
    CHECK_FALSE(validate_input(manifest, {}, *target, report, sources).has_value());
    REQUIRE(report.diagnostics.size() == 1);
    CHECK(report.diagnostics[0].code == Code::input_kind_mismatch);
    CHECK(report.diagnostics[0].location.file == manifest);
    CHECK_THAT(report.diagnostics[0].message, Catch::Contains("is a sensor manifest"));
    Report again;
    CHECK_FALSE(validate_input(kTarget.registry, {}, *target, again, sources).has_value());
    REQUIRE(again.diagnostics.size() == 1);
    CHECK(again.diagnostics[0].code == Code::input_kind_mismatch);
    CHECK_THAT(again.diagnostics[0].message, Catch::Contains("is a template type registry"));
}

TEST_CASE("channel state round-trips through its file, atomically written") {
    TempDir dir;
    const std::string path = dir.file("state");
    auto empty = load_channel_state(path);
    REQUIRE(empty.ok());
    CHECK(empty.value->last_sequence.empty());
    ChannelState state;
    state.last_sequence = {{292, 7}, {291, 12}};
    REQUIRE_FALSE(save_channel_state(path, state).has_value());
    auto read = load_channel_state(path);
    REQUIRE(read.ok());
    CHECK(read.value->last_sequence == state.last_sequence);
    write_text(path, "291 12\n291 13\n");
    auto twice = load_channel_state(path);
    REQUIRE(twice.diagnostics.size() == 1);
    CHECK(twice.diagnostics[0].code == Code::state_file_malformed);
    CHECK(twice.diagnostics[0].location.line == 2);
    CHECK(twice.diagnostics[0].location.column == 1);
}

TEST_CASE("times and durations as the command's flags take them") {
    CHECK(parse_time("2024-07-19T04:09:00Z") == 1721362140u);
    CHECK(parse_time("1721362140") == 1721362140u);
    CHECK_FALSE(parse_time("2024-02-30T00:00:00Z").has_value());
    CHECK(format_time(1721362140) == "2024-07-19T04:09:00Z");
    CHECK(parse_duration("7d") == 7u * 86400);
    CHECK(parse_duration("36h") == 36u * 3600);
    CHECK(parse_duration("90") == 90u);
    CHECK_FALSE(parse_duration("d").has_value());
    CHECK_FALSE(parse_duration("1w").has_value());
}

TEST_CASE("a source compiles only against a registry (RW0229)") {
    Report report;
    SourceTexts sources;
    const std::string path = source_path("examples/content/small.txtpb");
    CHECK_FALSE(compile_input(path, {}, TargetPaths{}, report, sources).has_value());
    REQUIRE(report.diagnostics.size() == 1);
    CHECK(report.diagnostics[0].code == Code::registry_missing);
    CHECK(report.diagnostics[0].location.file == path);
    Report inspected;
    CHECK_FALSE(inspect_file(path, {}, InspectFormat::text, "", inspected, sources).has_value());
    REQUIRE(inspected.diagnostics.size() == 1);
    CHECK(inspected.diagnostics[0].code == Code::registry_missing);
    // A blob needs none.
    TempDir dir;
    write_bytes(dir.file("small.rwc"), example_blob());
    Report blob_report;
    CHECK(inspect_file(dir.file("small.rwc"), {}, InspectFormat::text, "", blob_report, sources)
              .has_value());
    CHECK(blob_report.diagnostics.empty());
}

TEST_CASE("a NUL in a string value or a field name is refused at its source (RW0217)") {
    TempDir dir;
    const std::string path = dir.file("nul.txtpb");
    const std::string head =
        "channel: 293\ncontent_version: 1\nsensor_range { min: \"7.12.0\" max: \"7.13.0\" }\n"
        "instances {\n  id: 1\n  template_type { id: 1 version: 1 }\n";
    struct Case {
        const char* name;
        std::string criterion;
        uint32_t column;
    };
    const std::vector<Case> cases = {
        {"string value",
         "  criteria { field: \"image_path\" op: OP_EQ values { string: \"a\\000b\" } }\n", 44},
        {"regex pattern",
         "  criteria { field: \"image_path\" op: OP_REGEX values { string: \"x\\000\" } }\n", 47},
        {"field name", "  criteria { field: \"image\\000path\" wildcard: true }\n", 3},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        write_text(path, head + c.criterion + "}\n");
        Report report;
        SourceTexts sources;
        CHECK_FALSE(compile_input(path, {}, registry_only(), report, sources).has_value());
        REQUIRE(report.diagnostics.size() == 1);
        CHECK(report.diagnostics[0].code == Code::text_nul);
        CHECK(report.diagnostics[0].location.line == 7);
        CHECK(report.diagnostics[0].location.column == c.column);
    }
    // A bytes value may hold NULs: it is compared by length.
    write_text(path,
               head +
                   "  criteria { field: \"image_sha256\" op: OP_EQ values { bytes: \"\\000\\001\" "
                   "} }\n}\n");
    Report report;
    SourceTexts sources;
    static_cast<void>(compile_input(path, {}, registry_only(), report, sources));
    for (const Diagnostic& d : report.diagnostics) {
        CHECK(d.code != Code::text_nul);
    }
}
