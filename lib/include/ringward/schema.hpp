// Loading template type registries, sensor manifests and content files
// (schemas/ringward/v1/) from protobuf text, JSON or binary, with the source
// position of everything later diagnostics point at.
//
// Registries and manifests are small and load into the plain structs below.
// Content can be large; it stays in its parsed protobuf form behind
// ContentSource and is compiled from there without a copy (compile.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"

namespace ringward {

enum class InputFormat : uint8_t { text, json, binary };

// "text", "json", "binary".
const char* input_format_name(InputFormat format) noexcept;
// From the file name: .txtpb .textproto .pbtxt are text, .json JSON, .binpb
// .pb binary. nullopt for anything else.
std::optional<InputFormat> input_format_from_path(std::string_view path) noexcept;
// From a flag value: "text", "json", "binary".
std::optional<InputFormat> input_format_from_name(std::string_view name) noexcept;

struct LoadOptions {
    // nullopt: from the file name.
    std::optional<InputFormat> format;
    // A larger file is refused before it is parsed (RW0002). A 256 MiB blob
    // compiles from about that much source; past 1 GiB is not content.
    uint64_t max_input_size_incl = uint64_t{1} << 30;
    // Message nesting depth for all three parsers. The schemas nest at most
    // five deep, so anything near this is hostile input.
    int max_nesting_depth_incl = 32;
};

// The strict form "major.minor.build": decimal, no signs, no leading zeros
// (except "0"), major and minor below 2^16, build below 2^32.
std::optional<format::SensorVersion> parse_sensor_version(std::string_view text) noexcept;
// "7.11.0".
std::string to_string(format::SensorVersion version);

// One field of a template type, as the registry wrote it. Enumerated values
// are kept as written, so that the validator can name values it does not
// know.
struct FieldSpec {
    std::string name;
    std::string description;
    format::Kind type = format::Kind::none;
    std::vector<format::Op> operators;
    bool wildcard_allowed = false;
    bool case_insensitive_allowed = false;
    // Set when the registry gives int_bounds / uint_bounds at all.
    bool has_int_bounds = false;
    std::optional<int64_t> int_min_incl;
    std::optional<int64_t> int_max_incl;
    bool has_uint_bounds = false;
    std::optional<uint64_t> uint_min_incl;
    std::optional<uint64_t> uint_max_incl;
    std::optional<uint32_t> max_length_incl;
    std::vector<std::string> enum_members;
    Location location;
};

struct TemplateType {
    uint32_t id = 0;
    uint32_t version = 0;
    std::string name;
    std::string description;
    std::vector<FieldSpec> fields;
    Location location;
};

struct Registry {
    std::string file;
    // The source text (text and JSON formats), for showing lines.
    std::string text;
    std::vector<TemplateType> template_types;

    // The first template type with this id and version, or null.
    const TemplateType* find(uint32_t id, uint32_t version) const noexcept;
};

struct SuppliedTemplateType {
    uint32_t id = 0;
    uint32_t version = 0;
    std::vector<format::Kind> input_types;
    Location location;
};

struct SensorManifest {
    std::string file;
    std::string text;
    // As written; `version` is set when it parses (parse_sensor_version).
    std::string sensor_version_text;
    std::optional<format::SensorVersion> version;
    std::string description;
    std::vector<SuppliedTemplateType> template_types;
    // Where sensor_version is written.
    Location location;

    // The first entry with this template type id and version, or null.
    const SuppliedTemplateType* find(uint32_t id, uint32_t template_version) const noexcept;
};

// A parsed content file and the source positions of its parts. Move-only.
class ContentSource {
  public:
    struct Impl;

    explicit ContentSource(std::unique_ptr<Impl> impl) noexcept;
    ContentSource(ContentSource&&) noexcept;
    ContentSource& operator=(ContentSource&&) noexcept;
    ~ContentSource();

    const std::string& file() const noexcept;
    InputFormat format() const noexcept;
    // The source text for text and JSON; empty for binary.
    std::string_view text() const noexcept;

    uint32_t channel() const noexcept;
    uint64_t content_version() const noexcept;
    size_t instance_count() const noexcept;
    uint32_t instance_id(size_t instance) const noexcept;

    // Where the parts are. Text sources give line and column, all give the
    // field path. Indices are source order and must be in range.
    Location file_location() const;
    Location sensor_range_location() const;
    // "channel", "content_version" or "sensor_range".
    Location header_location(std::string_view field) const;
    Location instance_location(size_t instance) const;
    Location criterion_location(size_t instance, size_t criterion) const;
    Location value_location(size_t instance, size_t criterion, size_t value) const;
    Location exclusion_location(size_t instance, size_t exclusion) const;
    Location exclusion_criterion_location(size_t instance, size_t exclusion,
                                          size_t criterion) const;
    Location exclusion_value_location(size_t instance, size_t exclusion, size_t criterion,
                                      size_t value) const;
    Location rule_location(size_t rule) const;

    // For the library's own compiler; opaque to everyone else.
    const Impl& impl() const noexcept { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

// Reads and parses a file. Every failure is a diagnostic: RW0001 unreadable,
// RW0002 too large, RW0003 format unknown, RW0004-RW0006 parse errors with
// their position, RW0008-RW0011 a file that could be read two ways (a key
// or field given twice, a binary field the schema does not have). Enumerated values outside the
// schema are kept (they are the validator's to report), except where noted on the struct.
Result<Registry> load_registry(const std::string& path, const LoadOptions& options = {});
Result<SensorManifest> load_manifest(const std::string& path, const LoadOptions& options = {});
Result<ContentSource> load_content(const std::string& path, const LoadOptions& options = {});

// The same over bytes already in memory; `file` names them in diagnostics.
// `options.format` must be set.
Result<Registry> parse_registry(std::string_view bytes, std::string file,
                                const LoadOptions& options);
Result<SensorManifest> parse_manifest(std::string_view bytes, std::string file,
                                      const LoadOptions& options);
Result<ContentSource> parse_content(std::string_view bytes, std::string file,
                                    const LoadOptions& options);

// Loads every manifest named: a file, or a folder whose *.txtpb, *.textproto,
// *.pbtxt, *.json, *.binpb and *.pb files are loaded in name order (not
// recursively). All are attempted; diagnostics from all are returned, and the
// value is set only when every one loaded.
Result<std::vector<SensorManifest>> load_manifests(const std::vector<std::string>& paths,
                                                   const LoadOptions& options = {});

}  // namespace ringward
