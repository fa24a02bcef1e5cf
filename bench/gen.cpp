// bench/gen: writes generated content as protobuf text (PREFIX.txtpb),
// protobuf binary (PREFIX.binpb) and its compiled blob (PREFIX.rwc).
//
//   gen --registry R --seed S (--instances N | --blob-mib M) --out PREFIX
//
// The same arguments always give the same files.
#include <fmt/format.h>
#include <google/protobuf/text_format.h>
#include <CLI/CLI.hpp>

#include "generator.hpp"
#include "ringward/compile.hpp"
#include "ringward/file.hpp"

int main(int argc, char** argv) {
    using namespace ringward;
    std::string registry_path;
    std::string prefix;
    bench::GeneratorOptions options;
    double blob_mib = 0;
    CLI::App app{"Generate realistic content for benchmarks, deterministically", "gen"};
    app.add_option("--registry", registry_path, "Template type registry")->required();
    app.add_option("--seed", options.seed, "Seed (default 1)");
    auto* instances = app.add_option("--instances", options.instances, "Number of instances");
    auto* size = app.add_option("--blob-mib", blob_mib, "Stop once the blob reaches this size");
    instances->excludes(size);
    app.add_option("--regexes", options.distinct_regexes, "Distinct regex patterns (default 16)");
    app.add_option("--out", prefix, "Output prefix")->required();
    CLI11_PARSE(app, argc, argv);
    if (options.instances == 0 && blob_mib <= 0) {
        fmt::print(stderr, "gen: give --instances or --blob-mib\n");
        return 2;
    }
    options.blob_bytes = static_cast<uint64_t>(blob_mib * 1024 * 1024);

    auto registry = load_registry(registry_path);
    if (!registry.ok()) {
        fmt::print(stderr, "gen: {}\n", registry.diagnostics[0].message);
        return 2;
    }
    const v1::ContentFile content = bench::generate(*registry.value, options);
    std::string text;
    google::protobuf::TextFormat::PrintToString(content, &text);
    const std::string binary = content.SerializeAsString();

    LoadOptions load;
    load.format = InputFormat::binary;
    auto source = parse_content(binary, prefix + ".binpb", load);
    if (!source.ok()) {
        fmt::print(stderr, "gen: generated content does not load\n");
        return 1;
    }
    auto blob = compile(*source.value, *registry.value);
    if (!blob.ok()) {
        fmt::print(stderr, "gen: generated content does not compile: {}\n",
                   blob.diagnostics[0].message);
        return 1;
    }
    for (const auto& [name, bytes] :
         {std::pair{prefix + ".txtpb", std::string_view(text)},
          std::pair{prefix + ".binpb", std::string_view(binary)},
          std::pair{prefix + ".rwc",
                    std::string_view(reinterpret_cast<const char*>(blob.value->bytes.data()),
                                     blob.value->bytes.size())}}) {
        if (auto error = write_file_atomic(name, bytes)) {
            fmt::print(stderr, "gen: {}\n", error->message);
            return 2;
        }
    }
    fmt::print("{}: {} instances, blob {} bytes, text {} bytes, binary {} bytes\n", prefix,
               content.instances_size(), blob.value->bytes.size(), text.size(), binary.size());
    return 0;
}
