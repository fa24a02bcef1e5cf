#include "ringward/report.hpp"

#include <fmt/format.h>

#include <map>

#include "ringward/json_writer.hpp"

namespace ringward {
namespace {

constexpr int kJsonReportVersion = 1;

void write_location(util::JsonWriter& json, const Location& at) {
    json.key("location").begin_object();
    json.member("file", at.file);
    if (at.line > 0) {
        json.member("line", at.line);
        json.member("column", at.column);
    }
    if (!at.path.empty()) {
        json.member("path", at.path);
    }
    if (at.blob_offset) {
        json.member("blob_offset", *at.blob_offset);
    }
    json.end_object();
}

const char* sarif_level(Severity severity) {
    switch (severity) {
        case Severity::error:
            return "error";
        case Severity::warning:
            return "warning";
        case Severity::note:
            break;
    }
    return "note";
}

// SARIF wants a URI: relative paths stay as they are (with '/' separators),
// absolute ones become file:// URIs.
std::string artifact_uri(const std::string& file) {
    std::string uri;
    for (const char c : file) {
        if (c == ' ') {
            uri += "%20";
        } else if (c == '%') {
            uri += "%25";
        } else {
            uri.push_back(c);
        }
    }
    return !uri.empty() && uri[0] == '/' ? "file://" + uri : uri;
}

}  // namespace

bool Report::passed() const noexcept {
    return !has_errors(diagnostics) &&
           !(warnings_are_errors && count_severity(diagnostics, Severity::warning) > 0);
}

std::string summary_line(const Report& report) {
    const size_t errors = count_severity(report.diagnostics, Severity::error);
    const size_t warnings = count_severity(report.diagnostics, Severity::warning);
    return fmt::format("{} error{}, {} warning{} in {} file{}: {}", errors, errors == 1 ? "" : "s",
                       warnings, warnings == 1 ? "" : "s", report.files.size(),
                       report.files.size() == 1 ? "" : "s",
                       report.passed() ? "passed" : "rejected");
}

std::string render_json(const Report& report) {
    util::JsonWriter json;
    json.begin_object();
    json.member("version", kJsonReportVersion);
    json.key("tool").begin_object();
    json.member("name", "ringward");
    json.member("version", RINGWARD_VERSION);
    json.end_object();
    json.member("result", report.passed() ? "passed" : "rejected");
    json.key("summary").begin_object();
    json.member("files", static_cast<uint64_t>(report.files.size()));
    json.member("errors",
                static_cast<uint64_t>(count_severity(report.diagnostics, Severity::error)));
    json.member("warnings",
                static_cast<uint64_t>(count_severity(report.diagnostics, Severity::warning)));
    json.member("notes", static_cast<uint64_t>(count_severity(report.diagnostics, Severity::note)));
    json.end_object();

    std::map<std::string, std::pair<size_t, size_t>> per_file;
    for (const Diagnostic& d : report.diagnostics) {
        auto& counts = per_file[d.location.file];
        counts.first += d.severity == Severity::error ? 1 : 0;
        counts.second += d.severity == Severity::warning ? 1 : 0;
    }
    json.key("files").begin_array();
    for (const std::string& file : report.files) {
        const auto counts = per_file[file];
        json.begin_object();
        json.member("file", file);
        json.member("errors", static_cast<uint64_t>(counts.first));
        json.member("warnings", static_cast<uint64_t>(counts.second));
        json.end_object();
    }
    json.end_array();

    json.key("diagnostics").begin_array();
    for (const Diagnostic& d : report.diagnostics) {
        json.begin_object();
        json.member("code", code_id(d.code));
        json.member("name", code_info(d.code).name);
        json.member("severity", severity_name(d.severity));
        json.member("message", d.message);
        if (!d.help.empty()) {
            json.member("help", d.help);
        }
        write_location(json, d.location);
        if (d.instance_id) {
            json.member("instance_id", *d.instance_id);
        }
        if (!d.field.empty()) {
            json.member("field", d.field);
        }
        if (d.field_index) {
            json.member("field_index", *d.field_index);
        }
        if (!d.sensor_version.empty()) {
            json.member("sensor_version", d.sensor_version);
        }
        json.end_object();
    }
    json.end_array();
    json.end_object();
    return json.str() + "\n";
}

namespace {

// tool.driver.rules: every code, so that a result's ruleIndex is stable
// whatever a run found. Returns each code's index.
std::map<Code, size_t> write_sarif_rules(util::JsonWriter& json) {
    const auto codes = all_codes();
    std::map<Code, size_t> rule_index;
    json.key("rules").begin_array();
    for (size_t i = 0; i < codes.size(); ++i) {
        const CodeInfo& info = codes[i];
        rule_index[info.code] = i;
        json.begin_object();
        json.member("id", code_id(info.code));
        json.member("name", info.name);
        json.key("shortDescription").begin_object().member("text", info.summary).end_object();
        json.key("fullDescription")
            .begin_object()
            .member("text", fmt::format("{} {}: {}.", code_id(info.code), info.name, info.summary))
            .end_object();
        json.key("help")
            .begin_object()
            .member("text", fmt::format("See docs/diagnostics.md, {}.", code_id(info.code)))
            .end_object();
        json.key("defaultConfiguration")
            .begin_object()
            .member("level", sarif_level(info.severity))
            .end_object();
        json.end_object();
    }
    json.end_array();
    return rule_index;
}

// A result's one location: the file, with line and column for a source or
// the byte offset for a blob, and the field path where there is one.
void write_sarif_location(util::JsonWriter& json, const Location& at) {
    json.key("locations").begin_array().begin_object();
    json.key("physicalLocation").begin_object();
    json.key("artifactLocation").begin_object().member("uri", artifact_uri(at.file)).end_object();
    if (at.line > 0 || at.blob_offset) {
        json.key("region").begin_object();
        if (at.line > 0) {
            json.member("startLine", at.line);
            if (at.column > 0) {
                json.member("startColumn", at.column);
            }
        } else {
            json.member("byteOffset", *at.blob_offset);
        }
        json.end_object();
    }
    json.end_object();
    if (!at.path.empty()) {
        json.key("logicalLocations")
            .begin_array()
            .begin_object()
            .member("fullyQualifiedName", at.path)
            .end_object()
            .end_array();
    }
    json.end_object().end_array();
}

void write_sarif_result(util::JsonWriter& json, const Diagnostic& d, size_t rule_index) {
    json.begin_object();
    json.member("ruleId", code_id(d.code));
    json.member("ruleIndex", static_cast<uint64_t>(rule_index));
    json.member("level", sarif_level(d.severity));
    json.key("message")
        .begin_object()
        .member("text", d.help.empty() ? d.message : d.message + ". " + d.help)
        .end_object();
    write_sarif_location(json, d.location);
    json.key("properties").begin_object();
    json.member("name", code_info(d.code).name);
    if (d.instance_id) {
        json.member("instanceId", *d.instance_id);
    }
    if (!d.field.empty()) {
        json.member("field", d.field);
    }
    if (d.field_index) {
        json.member("fieldIndex", *d.field_index);
    }
    if (!d.sensor_version.empty()) {
        json.member("sensorVersion", d.sensor_version);
    }
    if (d.location.blob_offset) {
        json.member("blobOffset", *d.location.blob_offset);
    }
    json.end_object();
    json.end_object();
}

}  // namespace

std::string render_sarif(const Report& report) {
    util::JsonWriter json;
    json.begin_object();
    json.member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    json.member("version", "2.1.0");
    json.key("runs").begin_array().begin_object();
    json.key("tool").begin_object().key("driver").begin_object();
    json.member("name", "ringward");
    json.member("semanticVersion", RINGWARD_VERSION);
    std::map<Code, size_t> rule_index = write_sarif_rules(json);
    json.end_object().end_object();
    json.key("results").begin_array();
    for (const Diagnostic& d : report.diagnostics) {
        write_sarif_result(json, d, rule_index[d.code]);
    }
    json.end_array();
    json.end_object().end_array();
    json.end_object();
    return json.str() + "\n";
}

}  // namespace ringward
