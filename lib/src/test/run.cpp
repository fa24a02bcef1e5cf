// Running content tests: each case's event, by field name, becomes the input
// array of every targeted sensor build; the validated blob is signed with a
// throwaway key and loaded by ringward_load under that build's table, and
// ringward_match evaluates the event. So the verdict is the agent's own: the
// same loader skip logic, the same interpreter, the same limits.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "ringward/content_test.hpp"
#include "ringward/file.hpp"
#include "ringward/match.h"
#include "ringward/match_setup.hpp"
#include "ringward/sign.hpp"
#include "schema/content_source.hpp"
#include "test/near_miss.hpp"

namespace ringward {
namespace {

using test_detail::NearMissValue;

// One targeted sensor build, with the content loaded as its agent loads it.
// Held behind a pointer: `loaded` points into `table` and the envelope.
struct Build {
    const SensorManifest* manifest = nullptr;
    std::string version;
    std::vector<ringward_template_support> table;
    ringward_loaded loaded{};
    MatchSetup match;
};

// What a case is about: a rule, or an instance in no rule.
struct Unit {
    bool rule = false;
    uint32_t id = 0;
    friend auto operator<=>(const Unit&, const Unit&) = default;
};

struct ResolvedInput {
    uint16_t index = 0;
    format::Kind kind = format::Kind::none;
    uint64_t number = 0;
    std::string bytes;
    std::array<uint8_t, 16> address{};
    const TestInput* source = nullptr;
};

struct ResolvedExpectation {
    const TestExpectation* source = nullptr;
    // Set for an instance expectation: the instance, in whatever rule.
    bool instance = false;
    uint32_t id = 0;
    Unit unit;
};

struct Resolved {
    const TemplateType* type = nullptr;
    std::vector<ResolvedInput> inputs;
    std::vector<ResolvedExpectation> fires;
    std::vector<ResolvedExpectation> does_not_fire;
};

struct Outcome {
    ringward_match_status status = RINGWARD_MATCH_OK;
    uint32_t input = 0;
    std::vector<uint32_t> instances;
    std::vector<uint32_t> rules;
};

std::string kind_text(format::Kind kind) {
    return format::kind_name(kind);
}

class Runner {
  public:
    Runner(const ValidatedBlob& blob, const ContentSource* source, const std::string& file,
           const ValidationTarget& target, const ContentTestOptions& options,
           std::vector<Diagnostic>& out)
        : blob_(blob),
          view_(blob.view()),
          source_(source),
          file_(file),
          target_(target),
          options_(options),
          out_(out) {
        for (uint32_t i = 0; i < view_.instance_count(); ++i) {
            const format::InstanceView instance = view_.instance(i);
            by_id_.emplace(instance.id(), i);
            if (instance.rule_id() != 0) {
                rules_.insert(instance.rule_id());
            }
        }
        if (source_ != nullptr) {
            for (size_t i = 0; i < source_->instance_count(); ++i) {
                source_index_.emplace(source_->instance_id(i), i);
            }
            const auto& rules = source_->impl().message.rules();
            for (int r = 0; r < rules.size(); ++r) {
                rule_names_.emplace(rules.Get(r).name(), rules.Get(r).id());
                rule_label_.emplace(rules.Get(r).id(), rules.Get(r).name());
            }
        }
    }

    ContentTestSummary run(std::span<const TestFile> files) {
        if (!load_builds()) {
            return summary_;
        }
        for (const auto& build : builds_) {
            summary_.builds.push_back(build->version);
        }
        for (const TestFile& file : files) {
            for (const TestCase& one : file.cases) {
                ++summary_.cases;
                run_case(one);
            }
        }
        coverage();
        return summary_;
    }

  private:
    Severity coverage_severity() const {
        return options_.require_coverage ? Severity::error : Severity::warning;
    }

    bool load_builds() {
        std::vector<const SensorManifest*> targeted;
        for (const SensorManifest& manifest : target_.manifests()) {
            if (manifest.version && manifest.version->packed() >= view_.sensor_min() &&
                manifest.version->packed() <= view_.sensor_max()) {
                targeted.push_back(&manifest);
            }
        }
        if (targeted.empty()) {
            return true;  // every case then reports RW1006
        }
        // A key of its own for this run: the envelope exists only so that
        // ringward_load takes the blob exactly as an agent does.
        auto local = sign_for_local_load(blob_, now_seconds());
        if (!local.ok()) {
            out_.insert(out_.end(), local.diagnostics.begin(), local.diagnostics.end());
            return false;
        }
        envelope_ = std::move(local.value->bytes);
        trusted_ = local.value->trusted;
        for (const SensorManifest* manifest : targeted) {
            auto build = std::make_unique<Build>();
            build->manifest = manifest;
            build->version = to_string(*manifest->version);
            build->table = to_loader_table(*manifest);
            ringward_loader_config config{};
            config.keys = &trusted_;
            config.key_count = 1;
            config.sensor_version = manifest->version->packed();
            config.now = local.value->now;
            config.templates = build->table.data();
            config.template_count = build->table.size();
            config.blob_limits = &blob_.limits();
            const ringward_status status =
                ringward_load(&config, envelope_.data(), envelope_.size(), &build->loaded);
            if (status != RINGWARD_OK) {
                out_.push_back(loader_diagnostic(status, build->loaded, file_,
                                                 envelope_header_size(envelope_)));
                return false;
            }
            prepare_match(build->loaded, build->match);
            builds_.push_back(std::move(build));
        }
        return true;
    }

    Diagnostic finding(Code code, std::string message, Location location, std::string help = {}) {
        return make_diagnostic(code, std::move(message), std::move(location), std::move(help));
    }

    static std::string label(const TestCase& one) {
        return one.name.empty() ? std::string("a case") : fmt::format("case '{}'", one.name);
    }

    std::string unit_text(const Unit& unit) const {
        if (!unit.rule) {
            return fmt::format("instance {}", unit.id);
        }
        const auto it = rule_label_.find(unit.id);
        return it == rule_label_.end() || it->second.empty()
                   ? fmt::format("rule {}", unit.id)
                   : fmt::format("rule {} '{}'", unit.id, it->second);
    }

    Unit unit_of(uint32_t instance_index) const {
        const format::InstanceView instance = view_.instance(instance_index);
        return instance.rule_id() != 0 ? Unit{true, instance.rule_id()}
                                       : Unit{false, instance.id()};
    }

    std::optional<Resolved> resolve(const TestCase& one) {
        Resolved r;
        bool ok = true;
        const Registry& registry = target_.registry();
        if (one.by_name) {
            std::vector<const TemplateType*> named;
            for (const TemplateType& t : registry.template_types) {
                if (t.name == one.template_type_name &&
                    (one.template_type_version == 0 || t.version == one.template_type_version)) {
                    named.push_back(&t);
                }
            }
            if (named.size() == 1) {
                r.type = named.front();
            } else if (named.empty()) {
                out_.push_back(finding(
                    Code::test_template_unknown,
                    one.template_type_version == 0
                        ? fmt::format("{}: the registry has no template type '{}'", label(one),
                                      one.template_type_name)
                        : fmt::format("{}: the registry has no template type '{}' version {}",
                                      label(one), one.template_type_name,
                                      one.template_type_version),
                    one.location, "name a template type of the registry, as its name field says"));
                return std::nullopt;
            } else {
                std::string versions;
                for (const TemplateType* t : named) {
                    versions += fmt::format("{}{}", versions.empty() ? "" : ", ", t->version);
                }
                out_.push_back(
                    finding(Code::test_template_unknown,
                            fmt::format("{}: the registry has template type '{}' at versions {}",
                                        label(one), one.template_type_name, versions),
                            one.location, "give template_type_version"));
                return std::nullopt;
            }
        } else {
            r.type = registry.find(one.template_type_id, one.template_type_version);
            if (r.type == nullptr) {
                out_.push_back(finding(
                    Code::test_template_unknown,
                    fmt::format("{}: the registry has no template type {} "
                                "version {}",
                                label(one), one.template_type_id, one.template_type_version),
                    one.location));
                return std::nullopt;
            }
        }
        const TemplateType& type = *r.type;
        const auto index_of = [&](const std::string& name) -> std::optional<uint16_t> {
            for (size_t f = 0; f < type.fields.size(); ++f) {
                if (type.fields[f].name == name) {
                    return static_cast<uint16_t>(f);
                }
            }
            return std::nullopt;
        };
        std::map<uint16_t, const Location*> given;
        const auto once = [&](uint16_t index, const std::string& field, const Location& at) {
            const auto [it, inserted] = given.emplace(index, &at);
            if (!inserted) {
                out_.push_back(
                    finding(Code::test_field_duplicate,
                            fmt::format("{}: field '{}' is given twice", label(one), field), at,
                            "give each field once: a value, or absent"));
                ok = false;
            }
            return inserted;
        };
        for (const TestInput& input : one.inputs) {
            const auto index = index_of(input.field);
            if (!index) {
                out_.push_back(
                    finding(Code::test_field_unknown,
                            fmt::format("{}: template type '{}' v{} has no field '{}'", label(one),
                                        type.name, type.version, input.field),
                            input.location));
                ok = false;
                continue;
            }
            if (!once(*index, input.field, input.location)) {
                continue;
            }
            const FieldSpec& spec = type.fields[*index];
            if (spec.type != input.kind) {
                out_.push_back(finding(
                    Code::test_value_invalid,
                    fmt::format("{}: field '{}' is {}, and the case gives it an {} value",
                                label(one), input.field, kind_text(spec.type),
                                kind_text(input.kind)),
                    input.location, fmt::format("write {} {{ ... }}", kind_text(spec.type))));
                ok = false;
                continue;
            }
            ResolvedInput value;
            value.index = *index;
            value.kind = input.kind;
            value.number = input.number;
            value.source = &input;
            if (input.kind == format::Kind::ip) {
                const auto ip = parse_ip(input.text, false);
                if (!ip) {
                    out_.push_back(finding(
                        Code::test_value_invalid,
                        fmt::format("{}: \"{}\" is not an IP address", label(one), input.text),
                        input.location,
                        "write one address, e.g. \"192.0.2.7\" or "
                        "\"2001:db8::1\""));
                    ok = false;
                    continue;
                }
                value.address = ip->address;
            } else if (input.kind == format::Kind::enumeration &&
                       std::find(spec.enum_members.begin(), spec.enum_members.end(), input.text) ==
                           spec.enum_members.end()) {
                out_.push_back(finding(Code::test_value_invalid,
                                       fmt::format("{}: '{}' is not a member of field '{}'",
                                                   label(one), input.text, input.field),
                                       input.location));
                ok = false;
                continue;
            } else {
                value.bytes = input.text;
            }
            r.inputs.push_back(std::move(value));
        }
        for (const TestAbsent& absent : one.absent) {
            const auto index = index_of(absent.field);
            if (!index) {
                out_.push_back(
                    finding(Code::test_field_unknown,
                            fmt::format("{}: template type '{}' v{} has no field '{}'", label(one),
                                        type.name, type.version, absent.field),
                            absent.location));
                ok = false;
                continue;
            }
            once(*index, absent.field, absent.location);
        }
        const auto expect = [&](const std::vector<TestExpectation>& list,
                                std::vector<ResolvedExpectation>& into) {
            for (const TestExpectation& e : list) {
                ResolvedExpectation resolved;
                resolved.source = &e;
                switch (e.target) {
                    case TestExpectation::Target::rule_name: {
                        const auto it = rule_names_.find(e.name);
                        if (it == rule_names_.end() || e.name.empty()) {
                            out_.push_back(finding(
                                Code::test_target_unknown,
                                source_ == nullptr
                                    ? fmt::format("{}: rule names are in the content's source, "
                                                  "and {} is a blob",
                                                  label(one), file_)
                                    : fmt::format("{}: the content has no rule named '{}'",
                                                  label(one), e.name),
                                e.location, "name the rule by its id: rule: N"));
                            ok = false;
                            continue;
                        }
                        resolved.unit = Unit{true, it->second};
                        break;
                    }
                    case TestExpectation::Target::rule:
                        resolved.unit = Unit{true, e.id};
                        break;
                    case TestExpectation::Target::instance: {
                        const auto it = by_id_.find(e.id);
                        if (it == by_id_.end()) {
                            out_.push_back(finding(
                                Code::test_target_unknown,
                                fmt::format("{}: the content has no instance {}", label(one), e.id),
                                e.location));
                            ok = false;
                            continue;
                        }
                        resolved.instance = true;
                        resolved.id = e.id;
                        resolved.unit = unit_of(it->second);
                        break;
                    }
                }
                if (resolved.unit.rule && rules_.count(resolved.unit.id) == 0) {
                    out_.push_back(finding(
                        Code::test_target_unknown,
                        fmt::format("{}: the content has no rule {}", label(one), resolved.unit.id),
                        e.location,
                        rules_.empty() ? "the content puts its instances in no rule: name them "
                                         "with instance: N"
                                       : ""));
                    ok = false;
                    continue;
                }
                into.push_back(resolved);
            }
        };
        expect(one.fires, r.fires);
        expect(one.does_not_fire, r.does_not_fire);
        if (!ok) {
            return std::nullopt;
        }
        return r;
    }

    // The event as `build` hands it: one input per input the build supplies
    // for the template type, typed as the build's table says, absent unless
    // the case gives a value.
    std::vector<ringward_input> inputs_for(const Build& build,
                                           const ringward_template_support& support,
                                           const TestCase& one, const Resolved& r) {
        std::vector<ringward_input> inputs(support.input_count);
        for (uint32_t i = 0; i < support.input_count; ++i) {
            inputs[i].type = support.input_types[i];
        }
        for (const ResolvedInput& value : r.inputs) {
            if (value.index >= support.input_count ||
                support.input_types[value.index] != static_cast<uint8_t>(value.kind)) {
                const bool beyond = value.index >= support.input_count;
                out_.push_back(finding(
                    Code::test_field_unsupplied,
                    beyond
                        ? fmt::format("{}: sensor build {} supplies {} inputs for '{}' v{}, "
                                      "so its interpreter never sees field '{}' (index {})",
                                      label(one), build.version, support.input_count, r.type->name,
                                      r.type->version, value.source->field, value.index)
                        : fmt::format("{}: sensor build {} supplies field '{}' as {}, not {}: "
                                      "its interpreter gets it absent",
                                      label(one), build.version, value.source->field,
                                      kind_text(static_cast<format::Kind>(
                                          support.input_types[value.index])),
                                      kind_text(value.kind)),
                    value.source->location));
                out_.back().sensor_version = build.version;
                continue;
            }
            set(inputs[value.index], value);
        }
        return inputs;
    }

    static void set(ringward_input& input, const ResolvedInput& value) {
        input.present = 1;
        input.number = value.number;
        input.data = reinterpret_cast<const uint8_t*>(value.bytes.data());
        input.size = value.bytes.size();
        std::copy(value.address.begin(), value.address.end(), input.address);
    }

    Outcome match(Build& build, const TemplateType& type,
                  const std::vector<ringward_input>& inputs) {
        instance_buffer_.resize(std::max<size_t>(1, view_.instance_count()));
        rule_buffer_.resize(std::max<size_t>(1, view_.instance_count()));
        ringward_match_result result{};
        result.instances = instance_buffer_.data();
        result.instance_capacity = instance_buffer_.size();
        result.rules = rule_buffer_.data();
        result.rule_capacity = rule_buffer_.size();
        const ringward_event event{type.id, type.version, inputs.data(), inputs.size()};
        Outcome out;
        out.status =
            ringward_match(&build.loaded, &build.match.plan, &event, build.match.scratch.data(),
                           build.match.scratch.size() * sizeof(uint64_t), &result);
        out.input = result.input;
        out.instances.assign(result.instances, result.instances + result.instance_count);
        out.rules.assign(result.rules, result.rules + result.rule_count);
        return out;
    }

    static bool fires(const Outcome& outcome, const Unit& unit) {
        const auto& list = unit.rule ? outcome.rules : outcome.instances;
        return std::binary_search(list.begin(), list.end(), unit.id);
    }
    static bool fires(const Outcome& outcome, const ResolvedExpectation& e) {
        return e.instance
                   ? std::binary_search(outcome.instances.begin(), outcome.instances.end(), e.id)
                   : fires(outcome, e.unit);
    }

    std::string fired_text(const Outcome& outcome) const {
        if (outcome.instances.empty()) {
            return "nothing fired";
        }
        std::string rules;
        for (uint32_t rule : outcome.rules) {
            rules += fmt::format("{}{}", rules.empty() ? "" : ", ", rule);
        }
        std::string instances;
        for (uint32_t id : outcome.instances) {
            instances += fmt::format("{}{}", instances.empty() ? "" : ", ", id);
        }
        return rules.empty() ? fmt::format("fired: instances {}", instances)
                             : fmt::format("fired: rules {} (instances {})", rules, instances);
    }

    void run_case(const TestCase& one) {
        const std::optional<Resolved> resolved = resolve(one);
        if (!resolved) {
            return;
        }
        const TemplateType& type = *resolved->type;
        bool ran = false;
        bool passed = true;
        std::set<const TestExpectation*> failed;
        for (const auto& build : builds_) {
            const ringward_template_support* support = nullptr;
            for (const ringward_template_support& s : build->table) {
                if (s.id == type.id && s.version == type.version) {
                    support = &s;
                    break;
                }
            }
            if (support == nullptr) {
                continue;
            }
            ran = true;
            ++summary_.runs;
            const std::vector<ringward_input> inputs = inputs_for(*build, *support, one, *resolved);
            const Outcome outcome = match(*build, type, inputs);
            if (outcome.status != RINGWARD_MATCH_OK) {
                out_.push_back(finding(
                    Code::test_event_refused,
                    fmt::format(
                        "{}: the interpreter of sensor build {} refuses the event: {}{}",
                        label(one), build->version, ringward_match_status_name(outcome.status),
                        outcome.status == RINGWARD_MATCH_E_INPUT_TOO_LONG
                            ? fmt::format(" (input {}, longer than {} bytes)", outcome.input,
                                          build->match.plan.limits.max_input_bytes_incl)
                            : std::string()),
                    one.location));
                out_.back().sensor_version = build->version;
                passed = false;
                continue;
            }
            const auto check = [&](const ResolvedExpectation& e, bool must_fire) {
                if (fires(outcome, e) == must_fire) {
                    return;
                }
                const std::string what =
                    e.instance ? fmt::format("instance {}", e.id) : unit_text(e.unit);
                out_.push_back(finding(
                    Code::test_expectation_failed,
                    fmt::format("{}: {} must {}fire on the event, and on sensor build {} it {}",
                                label(one), what, must_fire ? "" : "not ", build->version,
                                must_fire ? "does not" : "does"),
                    e.source->location, fired_text(outcome)));
                out_.back().sensor_version = build->version;
                if (e.instance) {
                    out_.back().instance_id = e.id;
                }
                failed.insert(e.source);
                passed = false;
            };
            for (const ResolvedExpectation& e : resolved->fires) {
                check(e, true);
            }
            for (const ResolvedExpectation& e : resolved->does_not_fire) {
                check(e, false);
            }
            for (uint32_t id : outcome.instances) {
                near_misses(*build, one, type, inputs, by_id_.at(id), outcome);
            }
        }
        if (!ran) {
            out_.push_back(
                finding(Code::test_template_untargeted,
                        fmt::format("{}: no sensor build the content targets supplies '{}' v{}",
                                    label(one), type.name, type.version),
                        one.location, "test template types the content's sensor_range covers"));
            return;
        }
        if (passed) {
            ++summary_.cases_passed;
            for (const ResolvedExpectation& e : resolved->fires) {
                covered_.insert(e.unit);
            }
        }
    }

    // The blob's criterion k of an instance, in the source: the j-th
    // non-wildcard source criterion on the same field, as the blob keeps the
    // source order within a field (docs/format.md).
    std::optional<size_t> source_criterion(size_t source_instance,
                                           const format::InstanceView& instance, uint32_t k) const {
        const format::CriterionView criterion = instance.criterion(k);
        const std::string name(reinterpret_cast<const char*>(criterion.name().data),
                               criterion.name().size);
        uint32_t before = 0;
        for (uint32_t j = 0; j < k; ++j) {
            const format::CriterionView other = instance.criterion(j);
            if (other.group() == 0 && other.field_index() == criterion.field_index()) {
                ++before;
            }
        }
        const auto& criteria =
            source_->impl().message.instances(static_cast<int>(source_instance)).criteria();
        for (int c = 0; c < criteria.size(); ++c) {
            if (!criteria.Get(c).wildcard() && criteria.Get(c).field() == name) {
                if (before == 0) {
                    return static_cast<size_t>(c);
                }
                --before;
            }
        }
        return std::nullopt;
    }

    Location criterion_location(uint32_t instance_index, uint32_t k) const {
        const format::InstanceView instance = view_.instance(instance_index);
        if (source_ != nullptr) {
            const auto it = source_index_.find(instance.id());
            if (it != source_index_.end()) {
                if (const auto c = source_criterion(it->second, instance, k)) {
                    Location at = source_->criterion_location(it->second, *c);
                    at.blob_offset = instance.criterion(k).record_offset();
                    return at;
                }
            }
        }
        Location at;
        at.file = file_;
        at.blob_offset = instance.criterion(k).record_offset();
        return at;
    }

    Location instance_location(uint32_t instance_index) const {
        const format::InstanceView instance = view_.instance(instance_index);
        if (source_ != nullptr) {
            const auto it = source_index_.find(instance.id());
            if (it != source_index_.end()) {
                Location at = source_->instance_location(it->second);
                at.blob_offset = instance.record_offset();
                return at;
            }
        }
        Location at;
        at.file = file_;
        at.blob_offset = instance.record_offset();
        return at;
    }

    static std::string field_name(const format::CriterionView& c) {
        return std::string(reinterpret_cast<const char*>(c.name().data), c.name().size);
    }

    // For each criterion of a matching instance, events that change only its
    // field: the criterion matters in this case when one of them changes
    // whether the instance's rule fires.
    void near_misses(Build& build, const TestCase& one, const TemplateType& type,
                     const std::vector<ringward_input>& inputs, uint32_t instance_index,
                     const Outcome& original) {
        matched_.insert(instance_index);
        const format::InstanceView instance = view_.instance(instance_index);
        const Unit unit = unit_of(instance_index);
        // When another instance of the rule matches the event too, the rule
        // fires without this one: nothing about this instance's criteria is
        // shown by the case, whatever a near miss does.
        std::string others;
        for (uint32_t id : original.instances) {
            if (id != instance.id() && unit.rule && unit_of(by_id_.at(id)) == unit) {
                others += fmt::format("{}{}", others.empty() ? "" : ", ", id);
            }
        }
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView criterion = instance.criterion(k);
            if (criterion.group() != 0) {
                break;  // exclusions come after the instance's own criteria
            }
            const auto key = std::make_pair(instance_index, k);
            const uint16_t field = criterion.field_index();
            const ringward_input* reference =
                criterion.is_field_ref() && criterion.ref_field_index() < inputs.size()
                    ? &inputs[criterion.ref_field_index()]
                    : nullptr;
            const FieldSpec* spec = field < type.fields.size() ? &type.fields[field] : nullptr;
            const std::vector<NearMissValue> values =
                others.empty()
                    ? test_detail::near_miss_values(criterion, inputs[field], reference, spec,
                                                    options_.max_near_misses_per_criterion_incl)
                    : std::vector<NearMissValue>{};
            bool mattered = false;
            std::vector<ringward_input> changed = inputs;
            for (const NearMissValue& value : values) {
                ringward_input& input = changed[field];
                input.present = value.present ? 1 : 0;
                input.number = value.number;
                input.data = reinterpret_cast<const uint8_t*>(value.bytes.data());
                input.size = value.bytes.size();
                std::copy(value.address.begin(), value.address.end(), input.address);
                ++summary_.near_misses;
                const Outcome outcome = match(build, type, changed);
                if (outcome.status == RINGWARD_MATCH_OK && !fires(outcome, unit)) {
                    mattered = true;
                    break;
                }
            }
            if (mattered) {
                shown_.insert(key);
                continue;
            }
            if (!reported_.insert({&one, key}).second) {
                continue;  // one finding per case, whatever the builds
            }
            const std::string why =
                others.empty()
                    ? fmt::format(
                          "none of {} near-miss events (only '{}' changed) stops {} firing "
                          "on sensor build {}",
                          values.size(), field_name(criterion), unit_text(unit), build.version)
                    : fmt::format("{} fires through instance {} as well on sensor build {}",
                                  unit_text(unit), others, build.version);
            Diagnostic d = finding(
                Code::near_miss_unchanged,
                fmt::format("criterion '{}' {}{} of instance {} did not matter in {}: {}",
                            field_name(criterion), criterion.negated() ? "not " : "",
                            format::op_name(criterion.op()), instance.id(), label(one), why),
                criterion_location(instance_index, k),
                fmt::format("the criterion is dead (another criterion or instance decides "
                            "without it) or mistaken; the case is at {}",
                            place_text(one.location)));
            d.severity = coverage_severity();
            d.instance_id = instance.id();
            d.field = field_name(criterion);
            d.field_index = field;
            d.sensor_version = build.version;
            out_.push_back(std::move(d));
        }
    }

    static std::string place_text(const Location& at) {
        if (at.line != 0) {
            return fmt::format("{}:{}:{}", at.file, at.line, at.column);
        }
        return at.path.empty() ? at.file : fmt::format("{} ({})", at.file, at.path);
    }

    void coverage() {
        std::map<Unit, uint32_t> units;  // the first instance of each
        for (uint32_t i = 0; i < view_.instance_count(); ++i) {
            units.emplace(unit_of(i), i);
            const format::InstanceView instance = view_.instance(i);
            for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
                if (instance.criterion(k).group() != 0) {
                    break;
                }
                ++summary_.criteria;
                if (shown_.count({i, k}) != 0) {
                    ++summary_.criteria_shown;
                }
            }
        }
        summary_.rules = units.size();
        for (const auto& [unit, first] : units) {
            if (covered_.count(unit) != 0) {
                ++summary_.rules_covered;
            } else if (options_.coverage) {
                Diagnostic d = finding(
                    Code::coverage_rule_untested,
                    fmt::format("{} has no positive case: no passing case expects it to fire",
                                unit_text(unit)),
                    instance_location(first),
                    "add a case whose event it must fire on (fires { ... })");
                d.severity = coverage_severity();
                if (!unit.rule) {
                    d.instance_id = unit.id;
                }
                out_.push_back(std::move(d));
            }
        }
        if (!options_.coverage) {
            return;
        }
        for (uint32_t i = 0; i < view_.instance_count(); ++i) {
            const format::InstanceView instance = view_.instance(i);
            uint32_t own = 0;
            while (own < instance.criterion_count() && instance.criterion(own).group() == 0) {
                ++own;
            }
            if (own == 0) {
                continue;
            }
            if (matched_.count(i) == 0) {
                Diagnostic d = finding(
                    Code::coverage_criterion_unshown,
                    fmt::format("none of the {} criteria of instance {} was shown to matter: no "
                                "case's event matches the instance",
                                own, instance.id()),
                    instance_location(i), "add a case whose event the instance matches");
                d.severity = coverage_severity();
                d.instance_id = instance.id();
                out_.push_back(std::move(d));
                continue;
            }
            for (uint32_t k = 0; k < own; ++k) {
                if (shown_.count({i, k}) != 0) {
                    continue;
                }
                const format::CriterionView criterion = instance.criterion(k);
                Diagnostic d = finding(
                    Code::coverage_criterion_unshown,
                    fmt::format("criterion '{}' {}{} of instance {} was never shown to matter",
                                field_name(criterion), criterion.negated() ? "not " : "",
                                format::op_name(criterion.op()), instance.id()),
                    criterion_location(i, k),
                    "add a case whose event the instance matches and which this criterion "
                    "decides");
                d.severity = coverage_severity();
                d.instance_id = instance.id();
                d.field = field_name(criterion);
                d.field_index = criterion.field_index();
                out_.push_back(std::move(d));
            }
        }
    }

    const ValidatedBlob& blob_;
    const format::BlobView& view_;
    const ContentSource* source_;
    const std::string& file_;
    const ValidationTarget& target_;
    const ContentTestOptions& options_;
    std::vector<Diagnostic>& out_;

    ContentTestSummary summary_;
    std::vector<uint8_t> envelope_;
    ringward_trusted_key trusted_{};
    std::vector<std::unique_ptr<Build>> builds_;
    std::map<uint32_t, uint32_t> by_id_;
    std::map<uint32_t, size_t> source_index_;
    std::set<uint32_t> rules_;
    std::map<std::string, uint32_t> rule_names_;
    std::map<uint32_t, std::string> rule_label_;
    std::vector<uint32_t> instance_buffer_;
    std::vector<uint32_t> rule_buffer_;
    std::set<Unit> covered_;
    std::set<uint32_t> matched_;
    std::set<std::pair<uint32_t, uint32_t>> shown_;
    std::set<std::pair<const TestCase*, std::pair<uint32_t, uint32_t>>> reported_;
};

}  // namespace

ContentTestSummary run_content_tests(const ValidatedBlob& blob, const ContentSource* source,
                                     const std::string& content_file,
                                     const ValidationTarget& target,
                                     std::span<const TestFile> files,
                                     const ContentTestOptions& options,
                                     std::vector<Diagnostic>& diagnostics) {
    Runner runner(blob, source, content_file, target, options, diagnostics);
    return runner.run(files);
}

std::optional<ContentTestSummary> test_content(const ContentTestRequest& request, Report& report,
                                               SourceTexts& sources) {
    const std::optional<ValidationTarget> target = load_target(request.target, report, sources);
    if (!target) {
        report.files.push_back(request.content);
        report.files.insert(report.files.end(), request.cases.begin(), request.cases.end());
        return std::nullopt;
    }
    std::optional<ValidatedBlob> blob =
        validate_input(request.content, request.input, *target, report, sources);
    // Tests run on content that may ship, and on nothing else.
    bool usable = blob.has_value() && !has_errors(report.diagnostics);
    // Rule names and source lines come from the source, read again as the
    // validator read it.
    std::optional<ContentSource> source;
    if (usable) {
        source = reread_source(request.content, request.input);
    }
    std::vector<TestFile> files;
    for (const std::string& path : request.cases) {
        report.files.push_back(path);
        LoadOptions load = request.input.load;
        load.format = input_format_from_path(path);
        if (!load.format) {
            Location at;
            at.file = path;
            report.diagnostics.push_back(
                make_diagnostic(Code::input_format_unknown,
                                fmt::format("cannot tell the format of {} from its name", path), at,
                                "name a cases file .txtpb (protobuf text) or .json"));
            usable = false;
            continue;
        }
        auto text = read_file(path, load.max_input_size_incl);
        if (!text.ok()) {
            report.diagnostics.insert(report.diagnostics.end(), text.diagnostics.begin(),
                                      text.diagnostics.end());
            usable = false;
            continue;
        }
        sources.add(path, *text.value);
        auto parsed = parse_test_file(*text.value, path, load);
        report.diagnostics.insert(report.diagnostics.end(), parsed.diagnostics.begin(),
                                  parsed.diagnostics.end());
        if (!parsed.ok()) {
            usable = false;
            continue;
        }
        files.push_back(std::move(*parsed.value));
    }
    if (!usable) {
        return std::nullopt;
    }
    return run_content_tests(*blob, source ? &*source : nullptr, request.content, *target, files,
                             request.options, report.diagnostics);
}

std::string test_summary_line(const ContentTestSummary& summary, bool coverage) {
    std::string line = fmt::format("{} case{} on {} build{}: {} passed, {} failed", summary.cases,
                                   summary.cases == 1 ? "" : "s", summary.builds.size(),
                                   summary.builds.size() == 1 ? "" : "s", summary.cases_passed,
                                   summary.cases - summary.cases_passed);
    if (coverage) {
        line += fmt::format(
            "; rules with a positive case {}/{}, criteria shown to matter {}/{} ({} near-miss "
            "events)",
            summary.rules_covered, summary.rules, summary.criteria_shown, summary.criteria,
            summary.near_misses);
    }
    return line;
}

}  // namespace ringward
