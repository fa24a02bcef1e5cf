// Writes every harness's seed corpus from examples/, at build time, so the
// corpora follow the examples instead of being copies that drift:
//   ringward_fuzz_seeds EXAMPLES_DIR OUTPUT_DIR
// One folder per harness under OUTPUT_DIR.
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/agent.hpp"
#include "ringward/compile.hpp"
#include "ringward/event_wire.hpp"
#include "ringward/regex.hpp"
#include "ringward/schema.hpp"
#include "ringward/sign.hpp"
#include "ringward/v1/sensor_manifest.pb.h"
#include "ringward/v1/template_type.pb.h"
#include "ringward/validate.hpp"
#include "schema/content_source.hpp"

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <array>
#include <initializer_list>

namespace fs = std::filesystem;
using namespace ringward;

namespace {

int failures = 0;

void write(const fs::path& folder, const std::string& name, const std::string& bytes) {
    fs::create_directories(folder);
    std::ofstream out(folder / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::fprintf(stderr, "seeds: cannot write %s\n", (folder / name).c_str());
        ++failures;
    }
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string as_json(const google::protobuf::Message& message) {
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(message, &json).ok()) {
        ++failures;
    }
    return json;
}

// A blob that uses every encoding the format has, so the reader's seed
// corpus reaches every check from the start.
std::vector<uint8_t> every_encoding() {
    using format::Kind;
    using format::Op;
    const auto at = [](std::string_view name, uint16_t index, uint16_t group = 0,
                       bool negate = false) {
        return CriterionPlace{name, index, group, negate};
    };
    BlobWriter w({291, 7, format::SensorVersion{7, 11, 0}.packed(),
                  format::SensorVersion{7, 13, 99999}.packed()});
    w.add_instance({.id = 1,
                    .template_type_id = 5,
                    .template_type_version = 1,
                    .rule_id = 3,
                    .field_count = 17,
                    .exclusion_count = 2});
    w.add_valueless(at("any", 0), Op::exists, Kind::string);
    w.add_scalar(at("pid", 1), Op::gt, Kind::uint64, 4);
    w.add_scalar(at("pid", 1, 0, true), Op::eq, Kind::uint64, 9);
    w.add_range(at("delta", 2), Kind::int64, static_cast<uint64_t>(int64_t{-5}), 5);
    w.add_scalar(at("flag", 3), Op::eq, Kind::boolean, 1);
    w.add_bytes(at("image", 4), Op::suffix, Kind::string, "\\cmd.exe", true);
    w.add_bytes(at("empty", 5), Op::eq, Kind::string, "", false);
    w.add_valueless(at("empty", 5, 0, true), Op::empty, Kind::string);
    w.add_bytes(at("hash", 6), Op::prefix, Kind::bytes, "\x01\x02", false);
    w.add_bytes(at("level", 7), Op::eq, Kind::enumeration, "HIGH", false);
    w.add_ip(at("addr", 8), Op::eq, *parse_ip("::1", false));
    w.add_ip(at("net", 9), Op::cidr_contains, *parse_ip("10.0.0.0/8", true));
    const uint64_t ints[] = {static_cast<uint64_t>(int64_t{-3}), 0, 9};
    const std::string_view names[] = {"a", "ab", "zz"};
    const std::string_view any_of[] = {"evil", "Bad"};
    const IpValue ips[] = {*parse_ip("::1", true), *parse_ip("192.168.0.0/16", true)};
    if (w.add_scalar_set(at("ints", 10), Kind::int64, ints) ||
        w.add_byte_set(at("names", 11), Kind::string, names, true) ||
        w.add_ip_set(at("ips", 12), ips) ||
        w.add_any_of(at("cmd", 13), Op::contains, Kind::string, any_of, true)) {
        ++failures;
    }
    w.add_field_ref(at("parent", 14), Op::eq, Kind::string, "image", 4, true);
    const std::string_view patterns[] = {"^cmd", "powershell\\.exe$"};
    if (w.add_regex(at("cmd", 13, 0, true), patterns, true)) {
        ++failures;
    }
    w.add_bytes(at("user", 15, 1), Op::eq, Kind::string, "SYSTEM", false);
    w.add_valueless(at("session", 16, 2, true), Op::exists, Kind::uint64);
    w.add_instance({.id = 2, .template_type_id = 1, .template_type_version = 1});
    return w.finish();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s EXAMPLES_DIR OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    const fs::path examples = argv[1];
    const fs::path out = argv[2];

    std::vector<fs::path> contents;
    for (const char* folder : {"content", "channel-291"}) {
        for (const auto& entry : fs::directory_iterator(examples / folder)) {
            if (entry.path().extension() == ".txtpb" || entry.path().extension() == ".json") {
                contents.push_back(entry.path());
            }
        }
    }
    std::sort(contents.begin(), contents.end());
    // test_cases: the example cases files, behind the format byte.
    for (const auto& entry : fs::directory_iterator(examples / "content" / "tests")) {
        write(out / "test_cases", entry.path().filename().string(),
              std::string(1, '\0') + read(entry.path()));
    }
    auto example_registry = load_registry((examples / "registry.txtpb").string());
    if (!example_registry.ok()) {
        std::fprintf(stderr, "seeds: the example registry does not load\n");
        return 1;
    }
    for (const fs::path& path : contents) {
        auto content = load_content(path.string());
        if (!content.ok()) {
            std::fprintf(stderr, "seeds: %s does not load\n", path.c_str());
            ++failures;
            continue;
        }
        const std::string stem = path.parent_path().filename().string() + "-" +
                                 path.stem().string() + path.extension().string();
        const v1::ContentFile& message = content.value->impl().message;
        const std::string text = read(path);
        if (path.extension() == ".txtpb") {
            write(out / "content_text", stem, text);
            write(out / "validate", stem, text);
        }
        write(out / "content_json", stem + ".json", as_json(message));
        write(out / "content_binary", stem + ".binpb", message.SerializeAsString());
        // one_meaning: the first byte picks the format, as for the loaders.
        write(out / "one_meaning", stem + ".text", std::string(1, '\0') + text);
        write(out / "one_meaning", stem + ".json", std::string(1, '\1') + as_json(message));
        write(out / "one_meaning", stem + ".binary",
              std::string(1, '\2') + message.SerializeAsString());
        auto compiled = compile(*content.value, *example_registry.value);
        if (!compiled.ok()) {
            ++failures;
            continue;
        }
        const auto& bytes = compiled.value->bytes;
        write(out / "blob_reader", stem + ".rwc", std::string(bytes.begin(), bytes.end()));
    }
    // Envelopes: each example that validates, signed with the harnesses'
    // key (fuzz/harness/agent.hpp), behind the mode byte the envelope
    // harness reads (fuzz/harness/envelope.cpp): real cryptography, and
    // permissive hooks alone and with each agent setting; the first is also
    // signed with each key the harness's keyring refuses.
    {
        auto registry = load_registry((examples / "registry.txtpb").string());
        auto manifests = load_manifests({(examples / "manifests").string()});
        auto target =
            ValidationTarget::create(std::move(*registry.value), std::move(*manifests.value));
        bool first = true;
        for (const fs::path& path : contents) {
            auto content = load_content(path.string());
            auto validated = validate_content(*content.value, *target.value);
            if (!validated.ok()) {
                continue;  // the Channel 291 files: they do not validate
            }
            EnvelopePolicy policy;
            policy.sequence = 1;
            policy.not_before = fuzz::kFuzzNow - 86'400;
            policy.expires = fuzz::kFuzzNow + 86'400;
            const std::string name = path.stem().string() + path.extension().string() + ".rws";
            const auto sign = [&](const SecretKey& key, const std::string& prefix,
                                  std::initializer_list<uint8_t> modes) {
                auto envelope = sign_envelope(*validated.value, key, policy);
                if (!envelope.ok()) {
                    ++failures;
                    return;
                }
                const std::string bytes(envelope.value->begin(), envelope.value->end());
                for (const uint8_t mode : modes) {
                    char tag[16];
                    std::snprintf(tag, sizeof(tag), "mode%02x-", mode);
                    write(out / "envelope", prefix + tag + name,
                          std::string(1, static_cast<char>(mode)) + bytes);
                }
            };
            sign(fuzz::fuzz_key(), "", {0x00, 0x01, 0x03, 0x05, 0x09, 0x11});
            // Version 2: ring 0 admitted, ring 1 (bit 2) deferred an hour,
            // and with the customer's delay (bit 5) later still.
            policy.schedule = {{0, 0}, {1, 86'400 + 3'600}};
            policy.category = RINGWARD_CATEGORY_RAPID_RESPONSE;
            sign(fuzz::fuzz_key(), "scheduled-", {0x00, 0x01, 0x05, 0x21, 0x25});
            policy.schedule.clear();
            policy.category = 0;
            if (first) {
                sign(fuzz::fuzz_key_from(fuzz::kRevokedFill), "revoked-", {0x00});
                sign(fuzz::fuzz_key_from(fuzz::kNotYetValidFill), "not-yet-valid-", {0x00});
                sign(fuzz::fuzz_key_from(fuzz::kExpiredFill), "expired-", {0x00});
                first = false;
            }
        }
    }
    // Sigma rules for the importer, as written.
    for (const auto& entry : fs::directory_iterator(examples / "sigma" / "rules")) {
        if (entry.path().extension() == ".yml") {
            write(out / "sigma_import", entry.path().filename().string(), read(entry.path()));
        }
    }
    // Events files for the events reader, as written.
    for (const auto& entry : fs::directory_iterator(examples / "sigma" / "events")) {
        if (entry.path().extension() == ".json") {
            write(out / "events", entry.path().filename().string(), read(entry.path()));
        }
    }
    const auto all = every_encoding();
    write(out / "blob_reader", "every-encoding.rwc", std::string(all.begin(), all.end()));

    // Loader harnesses take a first byte that picks the format: 0 text,
    // 1 JSON, 2 binary (fuzz/harness/targets.hpp).
    const auto loader_seeds = [&](const std::string& harness, const fs::path& path,
                                  const google::protobuf::Message& message) {
        const std::string name = path.stem().string();
        write(out / harness, name + ".text", std::string(1, '\0') + read(path));
        write(out / harness, name + ".json", std::string(1, '\1') + as_json(message));
        write(out / harness, name + ".binary", std::string(1, '\2') + message.SerializeAsString());
    };
    {
        const fs::path path = examples / "registry.txtpb";
        v1::TemplateTypeRegistry message;
        if (!google::protobuf::TextFormat::ParseFromString(read(path), &message)) {
            ++failures;
        }
        loader_seeds("registry", path, message);
    }
    for (const auto& entry : fs::directory_iterator(examples / "manifests")) {
        v1::SensorManifest message;
        if (!google::protobuf::TextFormat::ParseFromString(read(entry.path()), &message)) {
            ++failures;
        }
        loader_seeds("manifest", entry.path(), message);
    }
    // Regex harnesses (fuzz/harness/regex_differential.cpp, regex_program.cpp):
    // patterns of the kinds detection rules use, each with an input. The
    // differential harness reads a flags byte, a pattern length byte, the
    // pattern and the input; the program harness an input length byte, the
    // input and a compiled program.
    {
        const std::pair<std::string, std::string> regexes[] = {
            {"\\(A;[^;]*;(GA|GW);;;WD\\)", "D:(A;;GA;;;WD)"},
            {"(?i)\\\\windows\\\\system32\\\\[a-z]+\\.exe$", "C:\\Windows\\System32\\cmd.exe"},
            {"^[A-Za-z0-9+/]{20,}={0,2}$", "SGVsbG8sIHdvcmxkIQ=="},
            {"\\b(?:powershell|pwsh)(?:\\.exe)?\\s+-(?:e|enc|encodedcommand)\\b", "pwsh -enc AAAA"},
            {"(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaa"},
            {"[\\x{4E00}-\\x{9FFF}]+\\d{2,4}",
             "\xE4\xB8\xAD\xE6\x96\x87"
             "123"},
            {"(?m)^\\s*#", "x\n  # comment"},
            {"\\Qa.b\\E|[[:punct:]]{3}", "!?!"},
        };
        int index = 0;
        for (const auto& [pattern, input] : regexes) {
            const std::string name = "regex-" + std::to_string(index++);
            for (const char flags : {'\0', '\1'}) {
                write(out / "regex_differential", name + (flags != 0 ? "-i" : ""),
                      std::string(1, flags) + static_cast<char>(pattern.size()) + pattern + input);
            }
            auto compiled = compile_regex(pattern);
            if (!compiled.ok()) {
                ++failures;
                continue;
            }
            write(out / "regex_program", name,
                  static_cast<char>(input.size()) + input +
                      std::string(compiled.program.begin(), compiled.program.end()));
        }
    }
    // The interpreter harness (fuzz/harness/match.cpp) reads its input as a
    // stream of choices, so every byte string is a valid seed: streams from
    // a fixed splitmix64 sequence, short and long, which between them write
    // every operator (regex among them) and run events against it.
    {
        uint64_t state = 0x5eed0f12;
        const auto next = [&state] {
            uint64_t z = (state += 0x9e3779b97f4a7c15ull);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            return z ^ (z >> 31);
        };
        for (int index = 0; index < 64; ++index) {
            std::string stream(size_t{256} << (index % 5), '\0');
            for (char& ch : stream) {
                ch = static_cast<char>(next());
            }
            write(out / "match", "choices-" + std::to_string(index), stream);
        }
    }
    // The event wire harness (fuzz/harness/event_wire.cpp): its first byte is
    // the decoder's input capacity; one event of every input type, present
    // and absent.
    {
        const std::string text = "cmd.exe /c whoami";
        std::vector<ringward_input> inputs;
        for (uint32_t type = RINGWARD_TYPE_INT; type <= RINGWARD_TYPE_IP; ++type) {
            ringward_input in{};
            in.type = type;
            in.present = 1;
            in.number = type == RINGWARD_TYPE_BOOL ? 1 : 0x1122334455667788u;
            in.data = reinterpret_cast<const uint8_t*>(text.data());
            in.size = text.size();
            in.address[15] = 1;
            inputs.push_back(in);
            in.present = 0;
            inputs.push_back(in);
        }
        const ringward_event event{1, 3, inputs.data(), inputs.size()};
        const auto bytes = encode_event(event);
        if (!bytes) {
            std::fprintf(stderr, "seeds: the event wire seed does not encode\n");
            return 1;
        }
        write(out / "event_wire", "every-type",
              std::string(1, '\x0e') + std::string(bytes->begin(), bytes->end()));
        write(out / "event_wire", "too-many-inputs",
              std::string(1, '\x03') + std::string(bytes->begin(), bytes->end()));
    }
    return failures == 0 ? 0 : 1;
}
