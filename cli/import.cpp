// ringward import sigma: Sigma rules into a content file, exactly or refused.
#include <fmt/format.h>

#include <map>
#include <memory>

#include "common.hpp"
#include "ringward/file.hpp"
#include "ringward/json_writer.hpp"
#include "ringward/sigma.hpp"

namespace ringward::cli {
namespace {

struct ImportArgs {
    std::vector<std::string> rules;
    std::string mapping;
    std::string output;
    std::string format = "text";
    uint32_t channel = 1;
    uint64_t content_version = 1;
};

// The size limit for one rule file: Sigma rules are a few KiB; past this a
// file is not a rule.
constexpr uint64_t kMaxRuleFileSizeIncl = uint64_t{1} << 20;

std::string render_json(const sigma::ImportResult& result) {
    util::JsonWriter json;
    std::map<std::string, uint64_t> by_code;
    json.begin_object();
    json.key("rules").begin_array();
    for (const sigma::RuleStatus& rule : result.rules) {
        json.begin_object();
        json.member("file", rule.file);
        json.member("title", rule.title);
        json.member("sigma_id", rule.sigma_id);
        json.member("status", rule.imported ? "imported" : "refused");
        if (rule.imported) {
            json.member("rule_id", rule.rule_id);
            json.member("instances", uint64_t{rule.instances});
        }
        json.key("findings").begin_array();
        std::map<std::string, bool> codes;
        for (const Diagnostic& finding : rule.findings) {
            json.begin_object();
            json.member("code", code_id(finding.code));
            json.member("name", code_info(finding.code).name);
            json.member("message", finding.message);
            json.member("line", finding.location.line);
            json.member("column", finding.location.column);
            if (!finding.help.empty()) {
                json.member("help", finding.help);
            }
            json.end_object();
            codes[code_id(finding.code)] = true;
        }
        for (const auto& [code, unused] : codes) {
            ++by_code[code];
        }
        json.end_array();
        json.end_object();
    }
    json.end_array();
    json.key("summary").begin_object();
    json.member("rules", uint64_t{result.rules.size()});
    json.member("imported", uint64_t{result.imported_count()});
    json.member("refused", uint64_t{result.rules.size() - result.imported_count()});
    // Rules refused with each code (a rule with several codes counts under each).
    json.key("refused_by_code").begin_object();
    for (const auto& [code, count] : by_code) {
        json.member(code, count);
    }
    json.end_object();
    json.end_object();
    json.end_object();
    return json.str() + "\n";
}

int run_import(const ImportArgs& args) {
    auto mapping = sigma::load_mapping(args.mapping);
    if (!mapping.ok()) {
        print_diagnostics(mapping.diagnostics, SourceTexts{});
        return exit_code_for(mapping.diagnostics);
    }
    std::vector<Diagnostic> unread;
    const std::vector<std::string> files = sigma::collect_rule_files(args.rules, unread);
    std::vector<sigma::RuleSource> sources;
    SourceTexts texts;
    for (const std::string& file : files) {
        auto text = read_file(file, kMaxRuleFileSizeIncl);
        if (!text.ok()) {
            unread.insert(unread.end(), text.diagnostics.begin(), text.diagnostics.end());
            continue;
        }
        texts.add(file, *text.value);
        sources.push_back(sigma::RuleSource{file, std::move(*text.value)});
    }
    if (!unread.empty()) {
        // An input that could not be read makes the batch incomplete: the
        // output keeps what it had rather than a set missing rules.
        print_diagnostics(unread, SourceTexts{});
        fmt::print(stderr, "ringward: {} not written: {} input(s) unreadable\n", args.output,
                   unread.size());
        return kExitUsage;
    }
    sigma::ImportOptions options;
    options.channel = args.channel;
    options.content_version = args.content_version;
    const sigma::ImportResult result = sigma::import_rules(*mapping.value, sources, options);
    if (auto error = write_file_atomic(args.output, result.content_text)) {
        print_diagnostics(std::span(&*error, 1), SourceTexts{});
        return kExitUsage;
    }
    const size_t imported = result.imported_count();
    if (args.format == "json") {
        fmt::print("{}", render_json(result));
    } else {
        for (const sigma::RuleStatus& rule : result.rules) {
            print_diagnostics(rule.findings, texts);
        }
    }
    fmt::print(stderr, "ringward: imported {} of {} rule(s) into {}; {} refused\n", imported,
               result.rules.size(), args.output, result.rules.size() - imported);
    if (imported != result.rules.size()) {
        // Per code, the rules it refused (a rule with several codes counts
        // under each): what scripts/sigma-conformance tabulates.
        std::map<Code, size_t> by_code;
        for (const sigma::RuleStatus& rule : result.rules) {
            std::map<Code, bool> codes;
            for (const Diagnostic& finding : rule.findings) {
                codes[finding.code] = true;
            }
            for (const auto& [code, unused] : codes) {
                ++by_code[code];
            }
        }
        std::string line;
        for (const auto& [code, count] : by_code) {
            line += fmt::format("{}{} {} {}", line.empty() ? "" : ", ", code_id(code),
                                code_info(code).name, count);
        }
        fmt::print(stderr, "ringward: refused by code: {}\n", line);
    }
    return imported == result.rules.size() ? kExitOk : kExitRejected;
}

}  // namespace

Runner add_import(CLI::App& app) {
    auto args = std::make_shared<ImportArgs>();
    CLI::App* command = app.add_subcommand(
        "import", "Convert detection rules written for other tools into content source.");
    add_version_flag(*command);
    command->require_subcommand(1);
    CLI::App* sigma = command->add_subcommand(
        "sigma",
        "Convert Sigma rules (YAML) into one content file (.txtpb): each rule exactly, as\n"
        "docs/sigma.md says, or refused with a code (RW09xx), its line and column and the\n"
        "reason; nothing is approximated. The imported rules are written even when others are\n"
        "refused; nothing is written when an input cannot be read. Exit 0 all imported, 1 some\n"
        "refused, 2 usage or I/O error.");
    add_version_flag(*sigma);
    sigma->add_option("rules", args->rules, "Rule files, or folders of *.yml and *.yaml rules")
        ->required();
    sigma
        ->add_option("--mapping", args->mapping,
                     "Mapping of logsources and fields to template types (mapping.proto)")
        ->required();
    sigma->add_option("-o,--output", args->output, "Content file to write (atomically)")
        ->required();
    sigma->add_option("--format", args->format, "Per-rule status: text (stderr) or json (stdout)")
        ->check(CLI::IsMember({"text", "json"}));
    sigma->add_option("--channel", args->channel, "Channel of the content file (default 1)")
        ->check(CLI::Range(uint32_t{1}, UINT32_MAX));
    sigma
        ->add_option("--content-version", args->content_version,
                     "Content version of the content file (default 1)")
        ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
    return [args] { return run_import(*args); };
}

}  // namespace ringward::cli
