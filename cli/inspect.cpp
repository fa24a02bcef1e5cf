// ringward inspect: a readable dump of a blob, or of the blob a source file
// compiles to (with the source line of each instance).
#include <fmt/format.h>

#include <cstring>
#include <memory>

#include "common.hpp"
#include "ringward/compile.hpp"
#include "ringward/core/contract.hpp"
#include "ringward/file.hpp"
#include "util/json_writer.hpp"

namespace ringward::cli {
namespace {

struct InspectArgs {
    std::string file;
    std::string output_format = "text";
    std::string input_format;
};

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

void dump_text(const std::string& file, const Subject& s) {
    const format::BlobView& v = s.view;
    fmt::print("{}: {}\n", s.source != nullptr ? "source" : "blob", file);
    fmt::print("  format version   {}\n", format::kFormatVersion);
    fmt::print("  size             {} bytes\n", v.size());
    fmt::print("  channel          {}\n", v.channel());
    fmt::print("  content version  {}\n", v.content_version());
    fmt::print("  sensor range     {} .. {}\n", version_text(v.sensor_min()),
               version_text(v.sensor_max()));
    fmt::print("  instances        {}\n", v.instance_count());
    fmt::print("  criteria         {}\n", v.criterion_count());
    fmt::print("  pool             {} bytes at 0x{:x}\n", v.pool_size(), v.pool_offset());
    for (uint32_t i = 0; i < v.instance_count(); ++i) {
        const format::InstanceView instance = v.instance(i);
        std::string where = fmt::format("@0x{:x}", instance.record_offset());
        if (const auto at = s.instance_source(i); at && at->line > 0) {
            where += fmt::format(", line {}", at->line);
        }
        fmt::print("\ninstance {}  template type {} v{}  ({} criteria, {})\n", instance.id(),
                   instance.template_type_id(), instance.template_type_version(),
                   instance.criterion_count(), where);
        size_t width = 0;
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            width = std::max(width, static_cast<size_t>(instance.criterion(k).name().size));
        }
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView c = instance.criterion(k);
            fmt::print("  [{:>2}] {:<{}}  {}\n", k, as_view(c.name()), width,
                       describe_criterion(c));
        }
    }
}

void dump_json(const std::string& file, const Subject& s) {
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
        json.member("ring", h.ring);
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
            json.member("field_index", uint32_t{c.field_index()});
            json.member("field", as_view(c.name()));
            json.member("op", format::op_name(c.op()));
            if (!c.is_wildcard()) {
                json.member("kind", format::kind_name(c.kind()));
                json.member("value_count", c.value_count());
                if (c.case_insensitive()) {
                    json.member("case_insensitive", true);
                }
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
    fmt::print("{}\n", json.str());
}

void print_envelope_header(const std::string& file, const EnvelopeHeader& h) {
    const auto version_text = [](uint64_t packed) {
        return to_string(format::SensorVersion::unpack(packed));
    };
    fmt::print("envelope: {} (header as written, not verified: use ringward verify)\n", file);
    fmt::print("  format version   {}\n", h.format_version);
    fmt::print("  algorithm        {}\n", h.algorithm == RINGWARD_ALGORITHM_ED25519
                                              ? std::string("ed25519")
                                              : std::to_string(h.algorithm));
    fmt::print("  key id           {}\n", to_hex(h.key_id));
    fmt::print("  channel          {}\n", h.channel);
    fmt::print("  sequence         {}\n", h.sequence);
    fmt::print("  valid            {} .. {}\n", format_time(h.not_before), format_time(h.expires));
    fmt::print("  sensor range     {} .. {}\n", version_text(h.sensor_min),
               version_text(h.sensor_max));
    fmt::print("  ring             {}\n", h.ring);
    fmt::print("  blob             {} bytes\n\n", h.blob_size);
}

int run_inspect(const InspectArgs& args) {
    const LoadOptions options = load_options(args.input_format);
    auto bytes = read_file(args.file, options.max_input_size_incl);
    SourceTexts sources;
    if (!bytes.ok()) {
        print_diagnostics(bytes.diagnostics, sources);
        return exit_code_for(bytes.diagnostics);
    }
    std::string data = std::move(*bytes.value);
    Subject subject;
    std::optional<ContentSource> content;
    std::optional<CompiledBlob> compiled;
    const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    const std::optional<EnvelopeHeader> envelope =
        args.input_format.empty() ? peek_envelope(raw) : std::nullopt;
    if (envelope) {
        // What the header claims, shown before (and without) any check: the
        // blob inside is read by the reader like any blob; use verify to
        // check the signature and policy.
        if (envelope->blob_size > data.size() - RINGWARD_ENVELOPE_HEADER_BYTES) {
            fmt::print(stderr, "ringward: {}: the envelope's blob length runs past its end\n",
                       args.file);
            return kExitRejected;
        }
        if (args.output_format != "json") {
            print_envelope_header(args.file, *envelope);
        }
        subject.envelope = envelope;
        data = data.substr(RINGWARD_ENVELOPE_HEADER_BYTES, envelope->blob_size);
    }
    const bool is_blob = args.input_format.empty() && data.size() >= sizeof(format::kMagic) &&
                         std::memcmp(data.data(), format::kMagic, sizeof(format::kMagic)) == 0;
    if (is_blob) {
        const format::ReadResult read =
            format::read_blob(reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                              format::Limits{}, &subject.view);
        if (!read.ok()) {
            const Diagnostic d = blob_diagnostic(read, args.file);
            print_diagnostics(std::span(&d, 1), sources);
            return kExitRejected;
        }
    } else {
        LoadOptions source_options = options;
        if (!source_options.format) {
            source_options.format = input_format_from_path(args.file);
        }
        if (!source_options.format) {
            Location at;
            at.file = args.file;
            const Diagnostic d = make_diagnostic(
                Code::input_format_unknown,
                fmt::format("{} is neither a blob nor a source file ringward can tell by its "
                            "name",
                            args.file),
                at, "name it .txtpb, .json or .binpb, or pass --input-format");
            print_diagnostics(std::span(&d, 1), sources);
            return kExitUsage;
        }
        auto parsed = parse_content(data, args.file, source_options);
        if (!parsed.ok()) {
            print_diagnostics(parsed.diagnostics, sources);
            return exit_code_for(parsed.diagnostics);
        }
        content.emplace(std::move(*parsed.value));
        sources.add(args.file, std::string(content->text()));
        auto result = compile(*content);
        print_diagnostics(result.diagnostics, sources);
        if (!result.ok()) {
            return exit_code_for(result.diagnostics);
        }
        compiled.emplace(std::move(*result.value));
        const format::ReadResult read = format::read_blob(
            compiled->bytes.data(), compiled->bytes.size(), format::Limits{}, &subject.view);
        if (!read.ok()) {
            core::invariant_broken();  // compile() output the reader refuses: a broken invariant.
        }
        subject.source = &*content;
        subject.compiled = &*compiled;
    }
    if (args.output_format == "json") {
        dump_json(args.file, subject);
    } else {
        dump_text(args.file, subject);
    }
    return kExitOk;
}

}  // namespace

Runner add_inspect(CLI::App& app) {
    auto args = std::make_shared<InspectArgs>();
    CLI::App* command = app.add_subcommand(
        "inspect",
        "Show what a blob (.rwc) or an envelope (.rws) says, or what a content source compiles\n"
        "to, instance by instance. Blobs and envelopes are recognised by their magic numbers,\n"
        "sources by their names. An envelope's header is shown as written: verify checks it.");
    add_version_flag(*command);
    command->add_option("file", args->file, "Blob or content source to show")->required();
    command->add_option("--format", args->output_format, "Output: text or json (default text)")
        ->check(CLI::IsMember({"text", "json"}));
    add_input_format_option(*command, args->input_format);
    return [args] { return run_inspect(*args); };
}

}  // namespace ringward::cli
