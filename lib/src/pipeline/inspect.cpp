// ringward inspect as a function (pipeline.hpp): a readable dump of a blob,
// an envelope's header and blob, or what a source compiles to (with the
// source line of each instance).
#include <fmt/format.h>

#include <iterator>

#include "ringward/compile.hpp"
#include "ringward/core/contract.hpp"
#include "ringward/core/envelope_layout.hpp"
#include "ringward/file.hpp"
#include "ringward/json_writer.hpp"
#include "ringward/pipeline.hpp"

namespace ringward {

std::optional<std::span<const uint8_t>> envelope_blob(std::span<const uint8_t> bytes,
                                                      const std::string& path, Report& report);

namespace {

// What is being shown: a blob, and where its instances came from when it was
// compiled from source just now.
struct Subject {
    format::BlobView view;
    std::optional<EnvelopeHeader> envelope;
    const ContentSource* source = nullptr;
    const CompiledBlob* compiled = nullptr;

    std::optional<Location> instance_source(uint32_t i) const {
        if (source == nullptr) {
            return std::nullopt;
        }
        return source->instance_location(compiled->source_instance[i]);
    }
};

std::string_view as_view(format::Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data), bytes.size};
}

std::string version_text(uint64_t packed) {
    return to_string(format::SensorVersion::unpack(packed));
}

void dump_text(std::string& out, const std::string& file, const Subject& s) {
    const format::BlobView& v = s.view;
    fmt::format_to(std::back_inserter(out), "{}: {}\n", s.source != nullptr ? "source" : "blob",
                   file);
    fmt::format_to(std::back_inserter(out), "  format version   {}\n", format::kFormatVersion);
    fmt::format_to(std::back_inserter(out), "  size             {} bytes\n", v.size());
    fmt::format_to(std::back_inserter(out), "  channel          {}\n", v.channel());
    fmt::format_to(std::back_inserter(out), "  content version  {}\n", v.content_version());
    fmt::format_to(std::back_inserter(out), "  sensor range     {} .. {}\n",
                   version_text(v.sensor_min()), version_text(v.sensor_max()));
    fmt::format_to(std::back_inserter(out), "  instances        {}\n", v.instance_count());
    fmt::format_to(std::back_inserter(out), "  criteria         {}\n", v.criterion_count());
    fmt::format_to(std::back_inserter(out), "  pool             {} bytes at 0x{:x}\n",
                   v.pool_size(), v.pool_offset());
    for (uint32_t i = 0; i < v.instance_count(); ++i) {
        const format::InstanceView instance = v.instance(i);
        std::string where = fmt::format("@0x{:x}", instance.record_offset());
        if (const auto at = s.instance_source(i); at && at->line > 0) {
            where += fmt::format(", line {}", at->line);
        }
        fmt::format_to(
            std::back_inserter(out),
            "\ninstance {}  template type {} v{}  rule {}  ({} fields, {} criteria, {} "
            "exclusions, {})\n",
            instance.id(), instance.template_type_id(), instance.template_type_version(),
            instance.rule_id() == 0 ? std::string("none") : std::to_string(instance.rule_id()),
            instance.field_count(), instance.criterion_count(), instance.exclusion_count(), where);
        size_t width = 0;
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            width = std::max(width, static_cast<size_t>(instance.criterion(k).name().size));
        }
        uint32_t group = 0;
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView c = instance.criterion(k);
            if (c.group() != group) {
                group = c.group();
                fmt::format_to(std::back_inserter(out),
                               "  exclusion {} (does not match when all "
                               "of these hold):\n",
                               group);
            }
            fmt::format_to(std::back_inserter(out), "  {}[{:>2}] {:<{}}  {:>2}  {}\n",
                           group == 0 ? "" : "  ", k, as_view(c.name()), width, c.field_index(),
                           describe_criterion(c));
        }
    }
}

// When a ring of the schedule is admitted, saturating where a header (not
// verified here) holds an offset that would overflow.
uint64_t admission_time(const EnvelopeHeader& h, const RingStage& stage) {
    return stage.offset > UINT64_MAX - h.not_before ? UINT64_MAX : h.not_before + stage.offset;
}

void dump_json(std::string& out, const std::string& file, const Subject& s) {
    const format::BlobView& v = s.view;
    util::JsonWriter json;
    json.begin_object();
    json.member("file", file);
    json.member("kind", s.source != nullptr ? "source" : (s.envelope ? "envelope" : "blob"));
    if (s.envelope) {
        const EnvelopeHeader& h = *s.envelope;
        json.key("envelope").begin_object();
        json.member("verified", false);
        json.member("key_id", to_hex(h.key_id));
        json.member("channel", h.channel);
        json.member("sequence", std::to_string(h.sequence));
        json.member("not_before", std::to_string(h.not_before));
        json.member("expires", std::to_string(h.expires));
        json.member("sensor_min", to_string(format::SensorVersion::unpack(h.sensor_min)));
        json.member("sensor_max", to_string(format::SensorVersion::unpack(h.sensor_max)));
        json.member("format_version", uint32_t{h.format_version});
        json.member("ring", h.ring);
        if (h.format_version == envelope::kVersion2) {
            json.member("category", content_category_name(h.category));
            // The plan: when each ring is admitted, as offsets and as times.
            json.key("schedule").begin_array();
            for (const RingStage& stage : h.schedule) {
                json.begin_object();
                json.member("ring", stage.ring);
                json.member("offset", std::to_string(stage.offset));
                json.member("admitted_at", std::to_string(admission_time(h, stage)));
                json.member("admitted_at_utc", format_time(admission_time(h, stage)));
                json.end_object();
            }
            json.end_array();
        }
        json.member("blob_size", std::to_string(h.blob_size));
        json.end_object();
    }
    json.member("format_version", uint32_t{format::kFormatVersion});
    json.member("size", v.size());
    json.member("channel", v.channel());
    json.member("content_version", std::to_string(v.content_version()));
    json.key("sensor_range").begin_object();
    json.member("min", version_text(v.sensor_min()));
    json.member("max", version_text(v.sensor_max()));
    json.end_object();
    json.member("instance_count", v.instance_count());
    json.member("criterion_count", v.criterion_count());
    json.member("pool_offset", v.pool_offset());
    json.member("pool_size", v.pool_size());
    json.key("instances").begin_array();
    for (uint32_t i = 0; i < v.instance_count(); ++i) {
        const format::InstanceView instance = v.instance(i);
        json.begin_object();
        json.member("id", instance.id());
        json.key("template_type").begin_object();
        json.member("id", instance.template_type_id());
        json.member("version", instance.template_type_version());
        json.end_object();
        json.member("rule_id", instance.rule_id());
        json.member("field_count", uint32_t{instance.field_count()});
        json.member("exclusion_count", uint32_t{instance.exclusion_count()});
        json.member("offset", instance.record_offset());
        if (const auto at = s.instance_source(i)) {
            json.key("source").begin_object();
            if (at->line > 0) {
                json.member("line", at->line);
                json.member("column", at->column);
            }
            json.member("path", at->path);
            json.end_object();
        }
        json.key("criteria").begin_array();
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView c = instance.criterion(k);
            json.begin_object();
            json.member("group", uint32_t{c.group()});
            json.member("field_index", uint32_t{c.field_index()});
            json.member("field", as_view(c.name()));
            json.member("op", format::op_name(c.op()));
            json.member("negated", c.negated());
            json.member("kind", format::kind_name(c.kind()));
            json.member("value_count", c.value_count());
            if (c.case_insensitive()) {
                json.member("case_insensitive", true);
            }
            if (c.is_field_ref()) {
                json.key("field_ref").begin_object();
                json.member("field", as_view(c.data()));
                json.member("field_index", uint32_t{c.ref_field_index()});
                json.end_object();
            }
            json.member("text", describe_criterion(c));
            json.member("offset", c.record_offset());
            json.end_object();
        }
        json.end_array();
        json.end_object();
    }
    json.end_array();
    json.end_object();
    out += json.str();
    out += "\n";
}

void envelope_header_text(std::string& out, const std::string& file, const EnvelopeHeader& h) {
    const auto version_text = [](uint64_t packed) {
        return to_string(format::SensorVersion::unpack(packed));
    };
    fmt::format_to(std::back_inserter(out),
                   "envelope: {} (header as written, not verified: use ringward verify)\n", file);
    fmt::format_to(std::back_inserter(out), "  format version   {}\n", h.format_version);
    fmt::format_to(std::back_inserter(out), "  algorithm        {}\n",
                   h.algorithm == RINGWARD_ALGORITHM_ED25519 ? std::string("ed25519")
                                                             : std::to_string(h.algorithm));
    fmt::format_to(std::back_inserter(out), "  key id           {}\n", to_hex(h.key_id));
    fmt::format_to(std::back_inserter(out), "  channel          {}\n", h.channel);
    fmt::format_to(std::back_inserter(out), "  sequence         {}\n", h.sequence);
    fmt::format_to(std::back_inserter(out), "  valid            {} .. {}\n",
                   format_time(h.not_before), format_time(h.expires));
    fmt::format_to(std::back_inserter(out), "  sensor range     {} .. {}\n",
                   version_text(h.sensor_min), version_text(h.sensor_max));
    if (h.format_version != envelope::kVersion2) {
        fmt::format_to(std::back_inserter(out), "  ring             {} (and every ring below)\n",
                       h.ring);
    } else {
        fmt::format_to(std::back_inserter(out), "  category         {}\n",
                       content_category_name(h.category));
        fmt::format_to(std::back_inserter(out),
                       "  ring schedule    ({} rings; a ring not listed is never admitted)\n",
                       h.ring_count);
        for (const RingStage& stage : h.schedule) {
            fmt::format_to(std::back_inserter(out), "    ring {:<4} from {}  (not_before + {})\n",
                           stage.ring, format_time(admission_time(h, stage)),
                           format_duration(stage.offset));
        }
    }
    fmt::format_to(std::back_inserter(out), "  blob             {} bytes\n\n", h.blob_size);
}

}  // namespace

std::optional<std::string> inspect_file(const std::string& path, const InputOptions& options,
                                        InspectFormat format, const std::string& registry,
                                        Report& report, SourceTexts& sources) {
    report.files.push_back(path);
    auto bytes = read_file_bytes(path, options.load.max_input_size_incl);
    if (!bytes.ok()) {
        report.diagnostics.insert(report.diagnostics.end(), bytes.diagnostics.begin(),
                                  bytes.diagnostics.end());
        return std::nullopt;
    }
    const std::vector<uint8_t>& data = *bytes.value;
    const std::optional<InputKind> kind = input_kind_of(path, data, options);
    std::string out;
    Subject subject;
    std::optional<ContentSource> content;
    std::optional<CompiledBlob> compiled;
    std::span<const uint8_t> blob(data);
    uint32_t blob_at = 0;
    if (kind == InputKind::envelope) {
        // What the header claims, shown before (and without) any check: the
        // blob inside is read by the reader like any blob; verify checks the
        // signature and policy.
        const auto inner = envelope_blob(data, path, report);
        if (!inner) {
            return std::nullopt;
        }
        subject.envelope = peek_envelope(data);
        if (format == InspectFormat::text) {
            envelope_header_text(out, path, *subject.envelope);
        }
        blob = *inner;
        blob_at = static_cast<uint32_t>(envelope_header_size(data));
    }
    if (kind == InputKind::blob || kind == InputKind::envelope) {
        const format::ReadResult read =
            format::read_blob(blob.data(), blob.size(), format::Limits{}, &subject.view);
        if (!read.ok()) {
            Diagnostic d = blob_diagnostic(read, path);
            *d.location.blob_offset += blob_at;
            report.diagnostics.push_back(std::move(d));
            return std::nullopt;
        }
    } else {
        InputOptions source_options = options;
        source_options.kind = InputKind::source;
        TargetPaths target;
        target.registry = registry;
        auto blob_bytes = compile_input(path, source_options, target, report, sources);
        if (!blob_bytes) {
            return std::nullopt;
        }
        // compile_input loaded it a moment ago; a file that changed since is
        // reported, not trusted.
        auto loaded = load_registry(registry);
        if (!loaded.ok()) {
            report.diagnostics.insert(report.diagnostics.end(), loaded.diagnostics.begin(),
                                      loaded.diagnostics.end());
            return std::nullopt;
        }
        // compile_input parsed the source once to compile it; inspect parses
        // it again for the instances' source positions.
        LoadOptions load = options.load;
        if (!load.format) {
            load.format =
                options.source_format ? options.source_format : input_format_from_path(path);
        }
        auto parsed = parse_content(
            std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), path, load);
        auto result = parsed.ok() ? compile(*parsed.value, *loaded.value) : Result<CompiledBlob>{};
        if (!parsed.ok() || !result.ok()) {
            // It compiled a moment ago: only a file changed since gets here.
            report.diagnostics.insert(report.diagnostics.end(), result.diagnostics.begin(),
                                      result.diagnostics.end());
            return std::nullopt;
        }
        content.emplace(std::move(*parsed.value));
        compiled.emplace(std::move(*result.value));
        if (!format::read_blob(compiled->bytes.data(), compiled->bytes.size(), format::Limits{},
                               &subject.view)
                 .ok()) {
            core::invariant_broken();  // compile() output the reader refuses.
        }
        subject.source = &*content;
        subject.compiled = &*compiled;
    }
    if (format == InspectFormat::json) {
        dump_json(out, path, subject);
    } else {
        dump_text(out, path, subject);
    }
    return out;
}

}  // namespace ringward
