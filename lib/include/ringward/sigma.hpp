// Sigma rules into ringward content: `ringward import sigma`.
//
// Each rule is converted exactly, under docs/semantics.md, or refused with a
// stable code (RW0901-RW0999) and the rule file's line and column; nothing
// is approximated. What is converted and how: docs/sigma.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward::sigma {

// A loaded mapping (schemas/ringward/v1/mapping.proto): logsources to
// template types, Sigma fields to template fields. Cheap to copy.
class Mapping {
  public:
    struct Impl;
    explicit Mapping(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    const Impl& impl() const noexcept { return *impl_; }

  private:
    std::shared_ptr<const Impl> impl_;
};

// Reads a mapping from protobuf text, JSON or binary (by its name, as
// content files are). On failure the diagnostics say why: the loader's
// RW0001-RW0011, or RW0912 sigma-mapping-invalid.
[[nodiscard]] Result<Mapping> load_mapping(const std::string& path);
// The same from text already read; `file` names it in diagnostics.
[[nodiscard]] Result<Mapping> parse_mapping_text(std::string_view text, const std::string& file);

struct ImportOptions {
    // Written into the content file.
    uint32_t channel = 1;
    uint64_t content_version = 1;
    // A condition whose instances-and-exclusions form needs more instances
    // than this is refused (RW0908): the form can grow as the product of
    // its ORs, and a rule that needs hundreds of instances is better
    // rewritten than shipped. Large enough for every `1 of` shape in
    // practice.
    size_t max_instances_per_rule_incl = 64;
    // windash multiplies a value by 5 for each dash it rewrites, and
    // base64offset by 3: past this many operands in one criterion the rule
    // is refused (RW0911) rather than grown without bound. The blob's set
    // limit is larger; this one keeps one rule's criteria readable.
    size_t max_values_per_criterion_incl = 1024;
};

// One rule file to import: its name (as diagnostics and `origin` give it)
// and its text.
struct RuleSource {
    std::string file;
    std::string text;
};

// What became of one rule file.
struct RuleStatus {
    std::string file;
    // The Sigma title and id, when the file got that far.
    std::string title;
    std::string sigma_id;
    // Whether the rule was converted exactly; when not, `findings` says why
    // (every finding of the file, not only the first).
    bool imported = false;
    // The rule id and instance count in the content file, when imported.
    uint32_t rule_id = 0;
    size_t instances = 0;
    std::vector<Diagnostic> findings;
};

struct ImportResult {
    // The content file in protobuf text (content.proto), holding every
    // imported rule; rules and instances are numbered from 1 in input order,
    // so the same inputs always give the same file.
    std::string content_text;
    std::vector<RuleStatus> rules;
    size_t imported_count() const noexcept;
};

// Converts each rule; a refused rule is left out and reported, the others
// are still converted (one bad rule never stops a batch).
[[nodiscard]] ImportResult import_rules(const Mapping& mapping, std::span<const RuleSource> rules,
                                        const ImportOptions& options = {});

// The rule files named: a file as given, a folder by every *.yml and *.yaml
// beneath it, sorted by path so that imports are deterministic. An entry
// that cannot be read becomes an RW0001 diagnostic in `errors`.
[[nodiscard]] std::vector<std::string> collect_rule_files(std::span<const std::string> paths,
                                                          std::vector<Diagnostic>& errors);

}  // namespace ringward::sigma
