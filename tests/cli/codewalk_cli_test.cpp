// Every code docs/diagnostics.md documents, printed by the ringward command:
// per family, the library tests' own builders make an input that has that
// code, the test writes it to files and runs the matching subcommand, and
// checks the exact `error[RWnnnn]` (or `warning[...]`, or the JSON "code")
// and the exit status README.md documents. A code the command cannot print
// by design says so in its entry ("Reported by: ..."); the walk checks that
// exactly those are the ones it does not reach.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "compile/compile_refusal_cases.hpp"
#include "content_test/content_test_fixture.hpp"
#include "format/reader_rule_cases.hpp"
#include "regex/regex_refusal_cases.hpp"
#include "ringward/compile.hpp"
#include "ringward/sign.hpp"
#include "sigma/refusal_cases.hpp"
#include "support/envelope.hpp"
#include "support/fixtures.hpp"
#include "support/run.hpp"
#include "validate/validate_cases.hpp"

using namespace ringward;
using ringward::test::read_text;
using ringward::test::run_cli;
using ringward::test::RunResult;
using ringward::test::source_path;
using ringward::test::TempDir;
using ringward::test::write_text;

namespace {

const std::string kRegistry = source_path("examples/registry.txtpb");
const std::string kManifests = source_path("examples/manifests");
const std::string kManifest = source_path("examples/manifests/sensor-7.13.18420.txtpb");
const std::string kSmall = source_path("examples/content/small.txtpb");  // channel 293
const std::string kMapping = source_path("examples/sigma/mapping.txtpb");

// A documented code: its entry's heading and, when the command cannot print
// it, the entry's "Reported by:" line.
struct Documented {
    std::string name;
    std::string reported_by;
};

// "#### RW0301 criterion-on-unsupplied-input" headings, as docs_test.cpp
// reads them, with each entry's "Reported by:" line.
std::map<std::string, Documented> documented_codes() {
    std::map<std::string, Documented> out;
    std::istringstream lines(read_text(source_path("docs/diagnostics.md")));
    std::string line;
    const std::string heading = "#### RW";
    const std::string marker = "Reported by: ";
    std::string current;
    while (std::getline(lines, line)) {
        if (line.rfind("#", 0) == 0) {
            current.clear();
        }
        if (line.rfind(heading, 0) == 0 && line.size() > heading.size() + 5 &&
            line[heading.size() + 4] == ' ') {
            current = line.substr(5, 6);
            out[current].name = line.substr(heading.size() + 5);
        } else if (!current.empty() && line.rfind(marker, 0) == 0) {
            out[current].reported_by = line.substr(marker.size());
        }
    }
    return out;
}

std::string bytes_text(const std::vector<uint8_t>& bytes) {
    return std::string(bytes.begin(), bytes.end());
}

// The exit status README.md documents for a command whose first error is
// `code`: 2 for usage and I/O (an input that cannot be read or told apart,
// an output that cannot be written), 1 for an input refused, 0 when only
// warnings are found.
int documented_exit(Code code) {
    if (code_info(code).severity != Severity::error) {
        return 0;
    }
    return code == Code::input_unreadable || code == Code::output_unwritable ||
                   code == Code::input_format_unknown
               ? 2
               : 1;
}

// What the walk saw: per code, whether one run printed it with the exit
// status expected, and the command that did.
class Walk {
  public:
    // Records a run that must print `code` and exit with `exit_code`.
    void expect(Code code, const std::string& what, const RunResult& result, int exit_code) {
        const std::string id = code_id(code);
        const std::string tag =
            std::string(severity_name(code_info(code).severity)) + "[" + id + "]";
        const bool printed = result.err.find(tag) != std::string::npos ||
                             result.out.find(tag) != std::string::npos ||
                             result.out.find("\"code\": \"" + id + "\"") != std::string::npos;
        INFO(id << ": " << what << "\nexit " << result.exit_code << "\nstderr:\n"
                << result.err << "stdout:\n"
                << result.out.substr(0, 2000));
        CHECK(printed);
        CHECK(result.exit_code == exit_code);
        if (printed && result.exit_code == exit_code) {
            walked_.emplace(id, what);
        }
    }
    void expect(Code code, const std::string& what, const RunResult& result) {
        expect(code, what, result, documented_exit(code));
    }
    bool has(Code code) const { return walked_.count(code_id(code)) != 0; }
    const std::map<std::string, std::string>& walked() const { return walked_; }

  private:
    std::map<std::string, std::string> walked_;
};

// RW0001-RW0099: files the reading commands cannot read, or read two ways.
void walk_input(Walk& walk) {
    TempDir dir;
    const auto validate = [&](const std::string& content, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"validate", "--registry", kRegistry, "--manifests",
                                         kManifests};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back(content);
        return run_cli(args);
    };
    walk.expect(Code::input_unreadable, "validate a missing file", validate(dir.file("no.txtpb")));
    {
        // Sparse: one byte past the 1 GiB input limit, on no disk space.
        const std::string big = dir.file("big.txtpb");
        write_text(big, "");
        std::filesystem::resize_file(big, (uint64_t{1} << 30) + 1);
        walk.expect(Code::input_too_large, "validate a file past the input limit", validate(big));
        std::filesystem::remove(big);
    }
    write_text(dir.file("c.data"), "channel: 1\n");
    walk.expect(Code::input_format_unknown, "validate a file of no known kind",
                validate(dir.file("c.data")));
    write_text(dir.file("syntax.txtpb"), "channel: {\n");
    walk.expect(Code::syntax_error, "validate text that is not protobuf text",
                validate(dir.file("syntax.txtpb")));
    write_text(dir.file("schema.json"), "{\"channel\": \"x\"}\n");
    walk.expect(Code::json_error, "validate JSON that does not fit the schema",
                validate(dir.file("schema.json")));
    write_text(dir.file("bad.binpb"), "\xff\xff\xff");
    walk.expect(Code::binary_malformed, "validate bytes that are not protobuf",
                validate(dir.file("bad.binpb")));
    write_text(dir.file("dup.json"), "{\"channel\": 1, \"channel\": 2}\n");
    walk.expect(Code::json_key_duplicate, "validate JSON with a key twice",
                validate(dir.file("dup.json")));
    write_text(dir.file("twice.txtpb"), "channel: 1\nchannel: 2\n");
    walk.expect(Code::text_field_repeated, "validate text with a singular field twice",
                validate(dir.file("twice.txtpb")));
    // Field 99, varint 1: a field content.proto does not have.
    write_text(dir.file("unknown.binpb"), std::string("\x98\x06\x01", 3));
    walk.expect(Code::binary_field_unknown, "validate binary with an unknown field",
                validate(dir.file("unknown.binpb")));
    // Field 1 (channel), varint, twice.
    write_text(dir.file("repeated.binpb"), std::string("\x08\x01\x08\x02", 4));
    walk.expect(Code::binary_field_repeated, "validate binary with a singular field twice",
                validate(dir.file("repeated.binpb")));
    walk.expect(Code::input_kind_mismatch, "validate a manifest as content", validate(kManifest));
    walk.expect(Code::output_unwritable, "compile into a folder that does not exist",
                run_cli({"compile", "--registry", kRegistry, kSmall, "-o",
                         dir.file("no/such/folder/c.rwc")}));
}

// RW0101-RW0199: the reader's rule table (tests/format/reader_rule_cases.hpp),
// each case's blob written to a file and given to inspect. The first case of
// each code that breaks the blob under the default limits, the CLI's.
void walk_reader(Walk& walk) {
    TempDir dir;
    using namespace ringward::test::reader_rules;
    for (const RuleCase& c : rule_cases()) {
        const Code code = code_for(c.error);
        if (walk.has(code)) {
            continue;
        }
        BlobBytes blob = fixture();
        Limits limits;
        (void)c.apply(blob, limits);
        if (!(limits == Limits{})) {
            continue;  // a case that lowers a limit: not the command's limits
        }
        const std::string file = dir.file("blob.rwc");
        write_text(file, bytes_text(blob.bytes));
        walk.expect(code, std::string("inspect: ") + c.name, run_cli({"inspect", file}));
    }
}

// RW0200-RW0299: compile's refusal table (tests/compile/
// compile_refusal_cases.hpp) through ringward compile with its registry.
void walk_compile(Walk& walk) {
    TempDir dir;
    using namespace ringward::test::compile_cases;
    // compile() reads only field indices from its registry; the command
    // loads a registry in full, which refuses a field nothing can match
    // (RW0514), so each field here allows a wildcard.
    std::string registry = ringward::test::compile_cases::kRegistry;
    for (size_t at = registry.find("fields { "); at != std::string::npos;
         at = registry.find("fields { ", at + 1)) {
        registry.insert(at + 9, "wildcard_allowed: true ");
    }
    write_text(dir.file("registry.txtpb"), registry);
    const auto compile = [&](const std::string& text) {
        write_text(dir.file("c.txtpb"), text);
        return run_cli({"compile", "--registry", dir.file("registry.txtpb"), dir.file("c.txtpb"),
                        "-o", dir.file("c.rwc")});
    };
    for (const CompileRefusal& c : compile_refusals()) {
        if (!walk.has(c.code)) {
            walk.expect(c.code, std::string("compile: ") + c.name, compile(c.text));
        }
    }
    walk.expect(Code::sensor_range_missing, "compile: no sensor range",
                compile("channel: 1\ncontent_version: 1\n"));
    // The reader's value length limit, the command's: one byte past it.
    walk.expect(Code::format_limit, "compile: a value one byte longer than a blob holds",
                compile(one_instance("  criteria { field: \"a\" op: OP_EQ values { string: \"" +
                                     std::string(format::Limits{}.max_value_length_incl + 1, 'x') +
                                     "\" } }\n")));
    walk.expect(Code::text_nul, "compile: a string value with a NUL",
                compile(one_instance(
                    "  criteria { field: \"a\" op: OP_EQ values { string: \"a\\000b\" } }\n")));
}

// RW0520 and RW0521: a blob compiled against another registry than the one
// validate is given (validate_cases.hpp's registry_with_three).
void walk_blob_elsewhere(Walk& walk) {
    TempDir dir;
    using namespace ringward::test::validate_cases;
    Fixture f;
    f.only_new_build();
    write_text(dir.file("registry.txtpb"), f.registry);
    write_text(dir.file("new.txtpb"), f.manifest_new);
    write_text(dir.file("content.txtpb"), f.content);
    const std::pair<Code, const std::string*> cases[] = {
        {Code::field_count_disagrees, &kThreeWithFour},
        {Code::field_index_mismatch, &kThreeReordered},
    };
    for (const auto& [code, three] : cases) {
        write_text(dir.file("other.txtpb"), registry_with_three(*three));
        const RunResult compiled = run_cli({"compile", "--registry", dir.file("other.txtpb"),
                                            dir.file("content.txtpb"), "-o", dir.file("c.rwc")});
        INFO(compiled.err);
        REQUIRE(compiled.exit_code == 0);
        walk.expect(code, "validate a blob compiled against another registry",
                    run_cli({"validate", "--registry", dir.file("registry.txtpb"), "--manifests",
                             dir.file("new.txtpb"), dir.file("c.rwc")}));
    }
}

// RW0200-RW0799: the validator's cases (tests/validate/validate_cases.hpp),
// each case's registry, two manifests and content written out and given to
// validate. Cases that lower a validator limit are the library's alone.
void walk_validate(Walk& walk) {
    TempDir dir;
    using namespace ringward::test::validate_cases;
    const ValidateOptions defaults;
    for (const Case& c : cases()) {
        if (walk.has(c.expected.at(0))) {
            continue;
        }
        Fixture f;
        apply_case(c, f);
        if (f.options.limits.max_template_types_incl != defaults.limits.max_template_types_incl ||
            f.options.limits.max_fields_per_template_type_incl !=
                defaults.limits.max_fields_per_template_type_incl ||
            f.options.limits.max_content_set_size_incl !=
                defaults.limits.max_content_set_size_incl) {
            continue;
        }
        write_text(dir.file("registry.txtpb"), f.registry);
        write_text(dir.file("old.txtpb"), f.manifest_old);
        write_text(dir.file("new.txtpb"), f.manifest_new);
        write_text(dir.file("content.txtpb"), f.content);
        const RunResult result = run_cli(
            {"validate", "--registry", dir.file("registry.txtpb"), "--manifests",
             dir.file("old.txtpb") + "," + dir.file("new.txtpb"), dir.file("content.txtpb")});
        int exit_code = 0;
        for (const Code code : c.expected) {
            exit_code = std::max(exit_code, documented_exit(code));
        }
        walk.expect(c.expected[0], std::string("validate: ") + c.name, result, exit_code);
    }
}

// RW0701-RW0703: the validator's limits at their defaults, one past each,
// on the validator's fixture (its cases lower the limits instead).
void walk_limits(Walk& walk) {
    TempDir dir;
    using namespace ringward::test::validate_cases;
    const ValidationLimits defaults;
    const auto validate = [&](const Fixture& f) {
        write_text(dir.file("registry.txtpb"), f.registry);
        write_text(dir.file("new.txtpb"), f.manifest_new);
        write_text(dir.file("content.txtpb"), f.content);
        return run_cli({"validate", "--registry", dir.file("registry.txtpb"), "--manifests",
                        dir.file("new.txtpb"), dir.file("content.txtpb")});
    };
    {
        Fixture f;
        f.only_new_build();
        for (uint32_t i = 0; i + 3 < defaults.max_template_types_incl + 1; ++i) {
            f.registry += "template_types { id: " + std::to_string(100 + i) +
                          " version: 1 name: \"t" + std::to_string(i) +
                          "\" fields { name: \"x\" type: TYPE_UINT operators: OP_EQ } }\n";
        }
        walk.expect(Code::too_many_template_types, "validate against one template type too many",
                    validate(f));
    }
    {
        Fixture f;
        f.only_new_build();
        f.registry += "template_types { id: 99 version: 1 name: \"wide\"\n";
        for (uint32_t i = 0; i < defaults.max_fields_per_template_type_incl + 1; ++i) {
            f.registry += "  fields { name: \"f" + std::to_string(i) +
                          "\" type: TYPE_UINT operators: OP_EQ wildcard_allowed: true }\n";
        }
        f.registry += "}\n";
        walk.expect(Code::too_many_fields, "validate against a template type one field too wide",
                    validate(f));
    }
    {
        Fixture f;
        f.only_new_build();
        std::string values;
        for (uint32_t i = 0; i < defaults.max_content_set_size_incl + 1; ++i) {
            values += " values { string: \"v" + std::to_string(i) + "\" }";
        }
        Fixture::replace(f.content,
                         "criteria { field: \"s\" op: OP_EQ values { string: \"cmd.exe\" } }",
                         "criteria { field: \"s\" op: OP_IN" + values + " }");
        walk.expect(Code::set_too_large, "validate an in-set one member too large", validate(f));
    }
}

// Protobuf text's string literal for any bytes.
std::string text_literal(const std::string& bytes) {
    std::string out = "\"";
    for (const char ch : bytes) {
        const auto byte = static_cast<unsigned char>(ch);
        if (ch == '\\' || ch == '"') {
            out += '\\';
            out += ch;
        } else if (byte < 0x20 || byte >= 0x7f) {
            const char digits[] = {'\\', static_cast<char>('0' + (byte >> 6)),
                                   static_cast<char>('0' + ((byte >> 3) & 7)),
                                   static_cast<char>('0' + (byte & 7)), '\0'};
            out += digits;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

// RW0720-RW0769: the regex compiler's refusal table
// (tests/regex/regex_refusal_cases.hpp), each pattern the value of the
// validator fixture's regex criterion, through validate.
void walk_regex(Walk& walk) {
    TempDir dir;
    using namespace ringward::test::validate_cases;
    const auto validate = [&](const std::string& pattern, bool case_insensitive) {
        Fixture f;
        f.only_new_build();
        Fixture::replace(f.content,
                         "criteria { field: \"s\" op: OP_EQ values { string: \"cmd.exe\" } }",
                         std::string("criteria { field: \"s\" op: OP_REGEX ") +
                             (case_insensitive ? "case_insensitive: true " : "") +
                             "values { string: " + text_literal(pattern) + " } }");
        write_text(dir.file("registry.txtpb"), f.registry);
        write_text(dir.file("new.txtpb"), f.manifest_new);
        write_text(dir.file("content.txtpb"), f.content);
        return run_cli({"validate", "--registry", dir.file("registry.txtpb"), "--manifests",
                        dir.file("new.txtpb"), dir.file("content.txtpb")});
    };
    for (const ringward::test::regex_cases::Refusal& r : ringward::test::regex_cases::refusals) {
        if (walk.has(r.code)) {
            continue;
        }
        walk.expect(r.code, std::string("validate a regex: ") + r.pattern,
                    validate(r.pattern, r.case_insensitive));
    }
    // As regex_test.cpp's limits case: nested deeper than the default allows.
    walk.expect(Code::regex_nesting_too_deep, "validate a regex nested 512 deep",
                validate(std::string(512, '(') + std::string(512, ')'), false));
}

// RW0900-RW0999: the importer's refusal table (tests/sigma/refusal_cases.hpp)
// through import sigma with the example mapping.
void walk_sigma(Walk& walk) {
    TempDir dir;
    const sigma::ImportOptions defaults;
    for (const ringward::test::Refusal& r : ringward::test::refusals()) {
        if (walk.has(r.code) ||
            r.options.max_instances_per_rule_incl != defaults.max_instances_per_rule_incl ||
            r.options.max_values_per_criterion_incl != defaults.max_values_per_criterion_incl) {
            continue;
        }
        write_text(dir.file("rule.yml"), r.yaml);
        walk.expect(r.code, std::string("import sigma: ") + r.what,
                    run_cli({"import", "sigma", dir.file("rule.yml"), "--mapping", kMapping, "-o",
                             dir.file("out.txtpb")}));
    }
    const auto import = [&](const std::string& yaml) {
        write_text(dir.file("rule.yml"), yaml);
        return run_cli({"import", "sigma", dir.file("rule.yml"), "--mapping", kMapping, "-o",
                        dir.file("out.txtpb")});
    };
    // The table's limit cases lower the limits; these pass the defaults.
    {
        std::string detection = "    s:\n";
        for (size_t i = 0; i <= defaults.max_instances_per_rule_incl; ++i) {
            detection += "        - Image: 'a" + std::to_string(i) + "'\n          User: 'b'\n";
        }
        walk.expect(Code::sigma_instance_limit, "import sigma: one instance past the limit",
                    import(ringward::test::process_rule(detection + "    condition: s\n")));
    }
    walk.expect(Code::sigma_expansion_limit, "import sigma: windash of five dashes",
                import(ringward::test::process_rule(
                    "    s:\n        CommandLine|windash: ' -a -b -c -d -e'\n    condition: s\n")));
    // As mapping_test.cpp's: one logsource mapped twice.
    write_text(
        dir.file("map.txtpb"),
        "sensor_range { min: \"7.14.0\" max: \"7.14.9\" }\n"
        "logsources { product: \"windows\" category: \"a\" template_type { id: 1 version: 1 } }\n"
        "logsources { product: \"windows\" category: \"a\" template_type { id: 2 version: 1 } }\n");
    write_text(dir.file("rule.yml"),
               ringward::test::process_rule("    s:\n        Image: 'a'\n    condition: s\n"));
    walk.expect(Code::sigma_mapping_invalid,
                "import sigma with a mapping that maps one logsource twice",
                run_cli({"import", "sigma", dir.file("rule.yml"), "--mapping",
                         dir.file("map.txtpb"), "-o", dir.file("out.txtpb")}));
}

// RW0800-RW0899: envelopes signed in this process with a fixed test key (as
// tests/loader/loader_test.cpp signs them), broken the ways the loader's
// refusal table breaks them, written out and given to verify; keys,
// keyrings, state files and signing policies through keygen, sign and verify.
constexpr uint64_t kNow = 1'800'000'000;  // 2027-01-15

std::vector<uint8_t> signed_small(const SecretKey& key, EnvelopePolicy policy) {
    auto content = load_content(kSmall);
    REQUIRE(content.ok());
    auto validated = validate_content(*content.value, ringward::test::example_target());
    REQUIRE(validated.ok());
    auto envelope = sign_envelope(*validated.value, key, policy);
    REQUIRE(envelope.ok());
    return std::move(*envelope.value);
}

EnvelopePolicy small_policy() {
    EnvelopePolicy p;
    p.sequence = 12;
    p.not_before = kNow - 3600;
    p.expires = kNow + 3600;
    p.ring = 1;
    return p;
}

std::string keyring_entry(const SecretKey& key, const std::string& extra = "") {
    return "keys { public_key: \"" + to_base64(key.public_key()) + "\" " + extra + "}\n";
}

void walk_envelopes(Walk& walk) {
    TempDir dir;
    const SecretKey key = ringward::test::test_key(1);
    const SecretKey other = ringward::test::test_key(2);
    const std::vector<uint8_t> good = signed_small(key, small_policy());
    write_text(dir.file("keyring.txtpb"), keyring_entry(key));
    const std::string envelope = dir.file("e.rws");
    const auto verify = [&](const std::vector<uint8_t>& bytes, std::vector<std::string> extra = {},
                            const std::string& keyring = "keyring.txtpb") {
        write_text(envelope, bytes_text(bytes));
        std::vector<std::string> args = {"verify", "--keyring", dir.file(keyring), "--now",
                                         std::to_string(kNow)};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back(envelope);
        return run_cli(args);
    };
    {
        const RunResult accepted = verify(good);
        INFO(accepted.err);
        REQUIRE(accepted.exit_code == 0);
    }
    using Edit = std::function<void(std::vector<uint8_t>&)>;
    const std::vector<std::tuple<Code, const char*, Edit>> edits = {
        {Code::envelope_truncated, "cut to 100 bytes", [](auto& e) { e.resize(100); }},
        {Code::envelope_bad_magic, "magic changed", [](auto& e) { e[1] = 'X'; }},
        {Code::envelope_unsupported_version, "format version 3", [](auto& e) { e[8] = 3; }},
        {Code::envelope_bad_header, "a reserved field set", [](auto& e) { e[152] = 1; }},
        {Code::envelope_size_mismatch, "a byte appended", [](auto& e) { e.push_back(0); }},
        {Code::envelope_unknown_algorithm, "another algorithm id", [](auto& e) { e[12] = 2; }},
        {Code::envelope_bad_signature, "a signature bit flipped",
         [](auto& e) { e[e.size() - 5] ^= 0x40; }},
        {Code::envelope_hash_mismatch, "a blob bit flipped",
         [](auto& e) { e[RINGWARD_ENVELOPE_HEADER_BYTES + 100] ^= 1; }},
        {Code::envelope_blob_malformed, "a malformed blob, signed",
         [&](auto& e) {
             e[RINGWARD_ENVELOPE_HEADER_BYTES + 72] = 1;  // the blob header's reserved field
             ringward::test::resign(e, key, true);
         }},
        {Code::envelope_blob_mismatch, "a blob under another channel's header, signed",
         [&](auto& e) {
             ringward::test::put_u32(e, 32, 294);
             ringward::test::resign(e, key, false);
         }},
        {Code::envelope_sequence_zero, "sequence 0, signed by a forger holding the key",
         [&](auto& e) {
             ringward::test::put_u64(e, 40, 0);
             ringward::test::resign(e, key, false);
         }},
    };
    for (const auto& [code, what, edit] : edits) {
        std::vector<uint8_t> bytes = good;
        edit(bytes);
        walk.expect(code, std::string("verify: ") + what, verify(bytes));
    }
    {
        // Sparse: one byte past the loader's 1 GiB cap.
        const std::string big = dir.file("big.rws");
        write_text(big, "");
        std::filesystem::resize_file(big, uint64_t{RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES} + 1);
        walk.expect(Code::envelope_too_large, "verify an envelope past the cap",
                    run_cli({"verify", "--keyring", dir.file("keyring.txtpb"), big}));
        std::filesystem::remove(big);
    }
    const auto with_keyring = [&](Code code, const char* what, const std::string& text) {
        write_text(dir.file("k2.txtpb"), text);
        walk.expect(code, std::string("verify with a keyring: ") + what,
                    verify(good, {}, "k2.txtpb"));
    };
    with_keyring(Code::envelope_unknown_key, "another key", keyring_entry(other));
    with_keyring(Code::envelope_key_revoked, "the key revoked",
                 keyring_entry(key, "revoked: true "));
    with_keyring(Code::envelope_key_not_yet_valid, "the key valid later",
                 keyring_entry(key, "not_before: " + std::to_string(kNow + 1) + " "));
    with_keyring(Code::envelope_key_expired, "the key expired",
                 keyring_entry(key, "not_after: " + std::to_string(kNow - 1) + " "));
    with_keyring(Code::keyring_entry_malformed, "a public key that is not one",
                 "keys { public_key: \"AAAA\" }\n");
    with_keyring(Code::keyring_key_id_mismatch, "a key id of another key",
                 keyring_entry(key, "key_id: \"" + to_hex(other.id()) + "\" "));
    with_keyring(Code::keyring_key_duplicate, "the key twice",
                 keyring_entry(key) + keyring_entry(key));

    walk.expect(Code::envelope_wrong_channel, "verify --channel 291",
                verify(good, {"--channel", "291"}));
    write_text(dir.file("state"), "293 12\n");
    walk.expect(Code::envelope_replayed, "verify a sequence the state has",
                verify(good, {"--state", dir.file("state")}));
    write_text(dir.file("state"), "293 13\n");
    walk.expect(Code::envelope_rollback, "verify a sequence below the state's",
                verify(good, {"--state", dir.file("state")}));
    write_text(dir.file("state"), "293 five\n");
    walk.expect(Code::state_file_malformed, "verify with a malformed state file",
                verify(good, {"--state", dir.file("state")}));
    {
        write_text(envelope, bytes_text(good));
        walk.expect(Code::envelope_not_yet_valid, "verify before not_before",
                    run_cli({"verify", "--keyring", dir.file("keyring.txtpb"), "--now",
                             std::to_string(kNow - 3601), envelope}));
        walk.expect(Code::envelope_expired, "verify at the expiry",
                    run_cli({"verify", "--keyring", dir.file("keyring.txtpb"), "--now",
                             std::to_string(kNow + 3600), envelope}));
    }
    walk.expect(Code::envelope_sensor_out_of_range, "verify on a build below the range",
                verify(good, {"--sensor-version", "7.11.18110"}));
    walk.expect(Code::sensor_version_malformed, "verify --sensor-version 7.x",
                verify(good, {"--sensor-version", "7.x"}), 2);
    walk.expect(Code::envelope_ring_not_admitted, "verify in ring 2",
                verify(good, {"--ring", "2"}));

    // Version 2: a schedule, and a customer's rollout policy.
    EnvelopePolicy scheduled = small_policy();
    scheduled.ring = 0;
    scheduled.schedule = {{0, 0}, {1, 0}};
    scheduled.category = RINGWARD_CATEGORY_RAPID_RESPONSE;
    const std::vector<uint8_t> v2 = signed_small(key, scheduled);
    {
        std::vector<uint8_t> swapped = v2;
        ringward::test::put_u32(swapped, 160, 1);  // rings 1, 0: not ascending
        ringward::test::put_u32(swapped, 176, 0);
        ringward::test::resign(swapped, key, false);
        walk.expect(Code::envelope_bad_schedule, "verify a signed schedule out of order",
                    verify(swapped));
    }
    write_text(dir.file("slow.txtpb"),
               "categories { category: RAPID_RESPONSE ring: 1 delay_seconds: 7200 }\n");
    walk.expect(Code::envelope_admitted_after_expiry, "verify with a delay past the expiry",
                verify(v2, {"--policy", dir.file("slow.txtpb")}));
    walk.expect(Code::envelope_schedule_required, "verify a version 1 envelope under a policy",
                verify(good, {"--policy", dir.file("slow.txtpb")}));
    write_text(
        dir.file("twice.txtpb"),
        "categories { category: RAPID_RESPONSE }\ncategories { category: RAPID_RESPONSE }\n");
    walk.expect(Code::rollout_policy_category_duplicate, "verify with a category given twice",
                verify(v2, {"--policy", dir.file("twice.txtpb")}));
    write_text(dir.file("ring.txtpb"),
               "categories { category: RAPID_RESPONSE delay_seconds: 99999999 }\n");
    walk.expect(Code::rollout_policy_entry_invalid, "verify with a policy entry out of range",
                verify(v2, {"--policy", dir.file("ring.txtpb")}));
}

// Keys and signing policies, through keygen and sign.
void walk_signing(Walk& walk) {
    TempDir dir;
    REQUIRE(run_cli({"keygen", "-o", dir.file("k"), "--unencrypted"}).exit_code == 0);
    write_text(dir.file("pass"), "right horse battery\n");
    write_text(dir.file("wrong"), "wrong horse battery\n");
    REQUIRE(run_cli({"keygen", "-o", dir.file("enc"), "--kdf", "interactive", "--passphrase-file",
                     dir.file("pass")})
                .exit_code == 0);
    write_text(dir.file("bad.key"), "not a key\n");
    const auto sign = [&](const std::string& key, std::vector<std::string> extra) {
        std::vector<std::string> args = {"sign",
                                         "--key",
                                         key,
                                         "--registry",
                                         kRegistry,
                                         "--manifests",
                                         kManifests,
                                         "--sequence",
                                         "1",
                                         "--not-before",
                                         "2027-01-01T00:00:00Z"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {kSmall, "-o", dir.file("s.rws")});
        return run_cli(args);
    };
    walk.expect(Code::key_file_malformed, "sign with a file that is no key",
                sign(dir.file("bad.key"), {}), 2);
    walk.expect(Code::key_passphrase_wrong, "sign with the wrong passphrase",
                sign(dir.file("enc.key"), {"--passphrase-file", dir.file("wrong")}), 2);
    walk.expect(Code::key_passphrase_missing, "sign an encrypted key without a passphrase",
                sign(dir.file("enc.key"), {}), 2);
    walk.expect(Code::signing_policy_invalid, "sign --expires-in 366d",
                sign(dir.file("k.key"), {"--expires-in", "366d"}), 2);
    const std::vector<std::pair<Code, std::string>> schedules = {
        {Code::ring_schedule_malformed, "0-0,1-1h"},
        {Code::ring_schedule_not_canonical, "0:0,2:4h,1:1h"},
        {Code::ring_schedule_past_expiry, "0:0,1:1h,2:8d"},
    };
    for (const auto& [code, schedule] : schedules) {
        walk.expect(
            code, "sign --ring-schedule " + schedule,
            sign(dir.file("k.key"), {"--ring-schedule", schedule, "--category", "rapid-response"}),
            2);
    }
    walk.expect(Code::content_category_unknown, "sign --ring-schedule without --category",
                sign(dir.file("k.key"), {"--ring-schedule", "0:0,1:1h"}), 2);

    // RW0013: a command line that CLI11 refuses, or a value ringward cannot read.
    const auto sign_at = [&](const std::string& flag, const std::string& value) {
        return run_cli({"sign", "--key", dir.file("k.key"), "--registry", kRegistry, "--manifests",
                        kManifests, "--sequence", "1", flag, value, kSmall, "-o",
                        dir.file("s.rws")});
    };
    walk.expect(Code::command_line_invalid, "sign --not-before soon",
                sign_at("--not-before", "soon"), 2);
    walk.expect(Code::command_line_invalid, "sign --expires later", sign_at("--expires", "later"),
                2);
    walk.expect(Code::command_line_invalid, "sign --expires-in 7w", sign_at("--expires-in", "7w"),
                2);
    walk.expect(Code::command_line_invalid, "sign --sequence x", sign_at("--sequence", "x"), 2);
    walk.expect(Code::command_line_invalid, "sign without --key",
                run_cli({"sign", kSmall, "-o", dir.file("s.rws")}), 2);
    walk.expect(Code::command_line_invalid, "an unknown command", run_cli({"sing", kSmall}), 2);
    write_text(dir.file("keyring.txtpb"), keyring_entry(ringward::test::test_key(1)));
    walk.expect(
        Code::command_line_invalid, "verify --now soon",
        run_cli({"verify", "--keyring", dir.file("keyring.txtpb"), "--now", "soon", kSmall}), 2);

    // RW0858: keygen cannot get a passphrase it can use.
    walk.expect(Code::passphrase_unavailable, "keygen with a missing passphrase file",
                run_cli({"keygen", "-o", dir.file("k2"), "--passphrase-file", dir.file("none")}),
                2);
    write_text(dir.file("empty"), "");
    walk.expect(Code::passphrase_unavailable, "keygen with an empty passphrase",
                run_cli({"keygen", "-o", dir.file("k3"), "--passphrase-file", dir.file("empty")}),
                2);
    walk.expect(Code::passphrase_unavailable, "sign with a missing passphrase file",
                sign(dir.file("enc.key"), {"--passphrase-file", dir.file("none")}), 2);
}

// RW0860-RW0870: ringward store on a store it stages into, then damages.
void walk_store(Walk& walk) {
    TempDir dir;
    const SecretKey key = ringward::test::test_key(1);
    write_text(dir.file("keyring.txtpb"), keyring_entry(key));
    EnvelopePolicy policy = small_policy();
    policy.not_before = 1'700'000'000;
    policy.expires = policy.not_before + 86400 * 30;
    policy.ring = 0;
    write_text(dir.file("v12.rws"), bytes_text(signed_small(key, policy)));
    policy.sequence = 11;
    write_text(dir.file("v11.rws"), bytes_text(signed_small(key, policy)));
    const std::string now = std::to_string(policy.not_before + 60);
    const auto store = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "store");
        args.insert(args.begin() + 2, {"--channel", "293", dir.file("store")});
        return run_cli(args);
    };
    const auto stage = [&](const std::string& file) {
        return store(
            {"stage", "--keyring", dir.file("keyring.txtpb"), "--now", now, dir.file(file)});
    };
    REQUIRE(stage("v12.rws").exit_code == 0);
    walk.expect(Code::store_attempt_not_begun, "store mark-good right after stage",
                store({"mark-good"}));
    walk.expect(Code::store_not_trial, "store mark-good --sequence of no trial",
                store({"mark-good", "--sequence", "5"}));
    walk.expect(Code::store_envelope_refused, "store stage a lower sequence", stage("v11.rws"));
    REQUIRE(store({"rollback"}).exit_code == 0);
    walk.expect(Code::store_no_trial, "store rollback without a trial", store({"rollback"}));
    walk.expect(Code::store_state_wrong_channel, "store status on another channel",
                run_cli({"store", "status", "--channel", "291", dir.file("store")}));
    {
        // Another process holds the store's lock.
        std::string lock;
        for (const auto& entry : std::filesystem::directory_iterator(dir.file("store"))) {
            if (entry.path().filename().string().find("lock") != std::string::npos) {
                lock = entry.path().string();
            }
        }
        REQUIRE_FALSE(lock.empty());
        const int fd = ::open(lock.c_str(), O_RDWR);
        REQUIRE(fd >= 0);
        REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
        walk.expect(Code::store_locked, "store status while the store is locked", store({"status"}),
                    2);
        ::close(fd);
    }
    write_text(dir.file("store/state-a"), std::string(224, '\0'));
    write_text(dir.file("store/state-b"), "short");
    walk.expect(Code::store_state_corrupt, "store status with both state records damaged",
                store({"status"}));
    write_text(dir.file("file"), "");
    walk.expect(Code::store_io_failed, "store status on a path under a file",
                run_cli({"store", "status", "--channel", "293", dir.file("file/store")}), 2);
}

// RW1000-RW1049: the content tests' fixture (tests/content_test/
// content_test_fixture.hpp) and cases through ringward test.
void walk_content_tests(Walk& walk) {
    TempDir dir;
    namespace fixture = ringward::test::content_tests;
    write_text(dir.file("registry.txtpb"), fixture::kRegistry);
    write_text(dir.file("old.txtpb"), fixture::kManifestOld);
    write_text(dir.file("new.txtpb"), fixture::kManifestNew);
    const auto test = [&](const std::string& cases, std::vector<std::string> extra = {},
                          const std::string& content = fixture::kContent) {
        write_text(dir.file("content.txtpb"), content);
        write_text(dir.file("cases.txtpb"), cases);
        std::vector<std::string> args = {"test", "--registry", dir.file("registry.txtpb"),
                                         "--manifests",
                                         dir.file("old.txtpb") + "," + dir.file("new.txtpb")};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {dir.file("content.txtpb"), dir.file("cases.txtpb")});
        return run_cli(args);
    };
    const auto one = [](const std::string& event, const std::string& expect) {
        return "cases {\n  name: \"c\"\n  event { " + event + " }\n  " + expect + "\n}\n";
    };
    walk.expect(Code::test_expectation_failed, "test: a case that must fire and does not",
                test(one("template_type_name: \"proc\" fields { field: \"pid\" uint: 7 }",
                         "fires { rule: 1 }")));
    const std::vector<std::tuple<Code, std::string, std::string>> rows = {
        {Code::test_template_unknown, R"(template_type_name: "nope")", "fires { rule: 1 }"},
        {Code::test_field_unknown, R"(template_type_name: "proc" fields { field: "nope" uint: 1 })",
         "fires { rule: 1 }"},
        {Code::test_value_invalid, R"(template_type_name: "proc" fields { field: "pid" int: 1 })",
         "fires { rule: 1 }"},
        {Code::test_field_duplicate,
         R"(template_type_name: "proc" fields { field: "pid" uint: 1 } absent: "pid")",
         "fires { rule: 1 }"},
        {Code::test_target_unknown, R"(template_type_name: "proc")", "fires { rule: 9 }"},
        {Code::test_event_refused,
         R"(template_type_name: "proc" fields { field: "path" string: ")" +
             std::string(40000, 'a') + R"(" })",
         "does_not_fire { rule: 1 }"},
    };
    for (const auto& [code, event, expect] : rows) {
        walk.expect(code, std::string("test: ") + code_info(code).name, test(one(event, expect)));
    }
    walk.expect(Code::test_case_malformed, "test: a case that expects nothing",
                test("cases { name: \"a\" event { template_type_name: \"proc\" } }\n"));
    walk.expect(Code::test_file_empty, "test: an empty cases file", test(""));
    {
        // Content that targets build 1.0.0 alone, which does not supply net.
        std::string old_only = fixture::kContent;
        old_only.replace(old_only.find("max: \"2.0.0\""), 12, "max: \"1.0.0\"");
        walk.expect(Code::test_template_untargeted, "test: a net case for content on 1.0.0",
                    test(one(R"(template_type_name: "net" fields { field: "ip" ip: "10.1.2.3" })",
                             "does_not_fire { rule: 1 }"),
                         {}, old_only));
    }
    {
        // Build 1.0.0 evaluates net with no inputs: the case's value never
        // reaches its interpreter.
        write_text(dir.file("old.txtpb"),
                   fixture::kManifestOld + "template_types { id: 2 version: 1 }\n");
        walk.expect(Code::test_field_unsupplied, "test: a net value on a build without the input",
                    test(one(R"(template_type_name: "net" fields { field: "ip" ip: "10.1.2.3" })",
                             "does_not_fire { rule: 1 }")));
        write_text(dir.file("old.txtpb"), fixture::kManifestOld);
    }
    walk.expect(Code::near_miss_unchanged, "test: a glob that holds on every value",
                test("cases {\n  name: \"a.exe\"\n  event {\n    template_type_name: \"proc\"\n"
                     "    fields { field: \"path\" string: \"a.exe\" }\n"
                     "    fields { field: \"user\" string: \"alice\" }\n  }\n"
                     "  fires { rule_name: \"any_user\" }\n}\n"));
    const RunResult coverage = test(fixture::kShellCase, {"--coverage"});
    walk.expect(Code::coverage_rule_untested, "test --coverage: rules no case fires", coverage);
    walk.expect(Code::coverage_criterion_unshown, "test --coverage: criteria never shown",
                coverage);
}

// RW1050-RW1057: events files and `ringward match` (docs/events.md).
void walk_events(Walk& walk) {
    TempDir dir;
    const std::string mapping = source_path("examples/sigma/mapping.txtpb");
    const std::string content = dir.file("rules.txtpb");
    REQUIRE(run_cli({"import", "sigma", "--mapping", mapping, source_path("examples/sigma/rules"),
                     "-o", content})
                .exit_code == 0);
    const auto match = [&](const std::string& events, const std::string& map,
                           std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"match",
                                         "--registry",
                                         source_path("examples/registry.txtpb"),
                                         "--manifests",
                                         source_path("examples/manifests-sysmon"),
                                         "--mapping",
                                         map,
                                         content,
                                         events};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_cli(args);
    };
    const std::string sysmon = "\"Channel\": \"Microsoft-Windows-Sysmon/Operational\"";
    const auto events_file = [&](const std::string& name, const std::string& text) {
        const std::string path = dir.file(name);
        write_text(path, text);
        return path;
    };
    walk.expect(Code::events_json_malformed, "match an events file that is not JSON",
                match(events_file("comma.json", "{\"EventID\": 1,\n  }"), mapping));
    walk.expect(Code::events_key_duplicate, "match an event with a key twice",
                match(events_file("twice.json", "{\"EventID\": 1,\n \"EventID\": 3}"), mapping));
    walk.expect(Code::event_malformed, "match an event whose EventID is not a number",
                match(events_file("shape.json", "{\"EventID\": \"one\"}"), mapping));
    walk.expect(Code::event_value_invalid, "match an event whose ProcessId is not a number",
                match(events_file("value.json",
                                  "{\"EventID\": 1, " + sysmon + ", \"ProcessId\": \"12a\"}\n"),
                      mapping));
    walk.expect(Code::events_file_empty, "match an events file without events",
                match(events_file("empty.json", "[]"), mapping));
    walk.expect(
        Code::match_event_refused, "match an event with an input over the interpreter's limit",
        match(events_file("long.json", "{\"EventID\": 1, " + sysmon + ", \"CommandLine\": \"" +
                                           std::string(40000, 'a') + "\"}\n"),
              mapping));
    const std::string good = source_path("examples/sigma/events/sysmon.json");
    walk.expect(Code::match_build_untargeted, "match --sensor-version of no targeted build",
                match(good, mapping, {"--sensor-version", "7.13.18420"}));
    std::string bad_map = read_text(mapping);
    const size_t at = bad_map.find("template_type { id: 1 version: 3 }");
    REQUIRE(at != std::string::npos);
    bad_map.replace(at, 34, "template_type { id: 1 version: 9 }");
    walk.expect(Code::events_mapping_invalid, "match with a mapping to an unknown template type",
                match(good, events_file("map.txtpb", bad_map)));
}

// What the families above do not reach through their tables.
void walk_misc(Walk& walk) {
    walk.expect(Code::registry_missing, "inspect a source without --registry",
                run_cli({"inspect", kSmall}));
}

}  // namespace

TEST_CASE("every documented code is printed by the ringward command, or says why not") {
    Walk walk;
    walk_input(walk);
    walk_reader(walk);
    walk_compile(walk);
    walk_validate(walk);
    walk_blob_elsewhere(walk);
    walk_limits(walk);
    walk_regex(walk);
    walk_sigma(walk);
    walk_envelopes(walk);
    walk_signing(walk);
    walk_store(walk);
    walk_content_tests(walk);
    walk_events(walk);
    walk_misc(walk);

    const std::map<std::string, Documented> documented = documented_codes();
    REQUIRE(documented.size() == all_codes().size());
    std::string missing;
    size_t marked = 0;
    for (const auto& [id, entry] : documented) {
        INFO(id << " " << entry.name);
        const bool walked = walk.walked().count(id) != 0;
        if (entry.reported_by.empty()) {
            if (!walked) {
                missing += id + " " + entry.name + "\n";
            }
        } else {
            ++marked;
            // A marked code is one the walk does not reach: a mark on a code
            // the command prints is out of date.
            CHECK_FALSE(walked);
        }
    }
    for (const auto& [id, what] : walk.walked()) {
        CHECK(documented.count(id) == 1);
    }
    INFO("walked " << walk.walked().size() << ", marked " << marked << "; neither:\n" << missing);
    CHECK(missing.empty());
}

TEST_CASE("refusals that printed only a sentence print their code") {
    TempDir dir;
    write_text(dir.file("k.key"), "");
    const RunResult category =
        run_cli({"sign", "--key", dir.file("k.key"), "--registry", kRegistry, "--manifests",
                 kManifests, "--sequence", "1", "--ring-schedule", "0:0,1:1h", "--category",
                 "fast-lane", kSmall, "-o", dir.file("s.rws")});
    CHECK(category.exit_code == 2);
    CHECK_THAT(category.err, Catch::Contains("error[RW0874]"));
    CHECK_THAT(category.err, Catch::Contains("fast-lane"));

    write_text(dir.file("keyring.txtpb"), keyring_entry(ringward::test::test_key(1)));
    write_text(dir.file("e.rws"), "");
    const RunResult sensor =
        run_cli({"store", "stage", "--channel", "293", "--keyring", dir.file("keyring.txtpb"),
                 "--sensor-version", "7.x", dir.file("store"), dir.file("e.rws")});
    CHECK(sensor.exit_code == 2);
    CHECK_THAT(sensor.err, Catch::Contains("error[RW0201]"));
    CHECK_THAT(sensor.err, Catch::Contains("7.x"));
}
