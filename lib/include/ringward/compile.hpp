// Compiling content into the canonical blob (docs/format.md), and the writer
// underneath it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"
#include "ringward/schema.hpp"

namespace ringward {

struct CompileOptions {
    // The blob must fit these; content that does not is refused (RW0213).
    format::Limits limits;
};

struct CompiledBlob {
    std::vector<uint8_t> bytes;
    // Blob instance i came from source instance source_instance[i] (the blob
    // sorts instances by id).
    std::vector<uint32_t> source_instance;
};

// Compiles content into its one canonical blob. Deterministic: the same
// content gives the same bytes, whichever source format it came in. Refuses
// what the format cannot express (RW02xx, each at the source location of the
// offending part), reporting every such finding, not just the first. Checks
// nothing that needs a registry or manifest: that is validate's work, done on
// the bytes this returns.
Result<CompiledBlob> compile(const ContentSource& content, const CompileOptions& options = {});

// What compile_each() gives: the findings, and the blob of the instances
// that had none.
struct PartialCompile {
    // Every instance without a finding of its own, in id order, as compile()
    // would write it (source_instance maps it back). Nullopt when a finding
    // about the file as a whole (its header, its size, its instance or
    // criterion count) leaves no blob to write.
    std::optional<CompiledBlob> blob;
    // Every finding, in source order, as compile() reports them.
    std::vector<Diagnostic> diagnostics;
};
// compile() without stopping at a refused instance: an instance that the
// format cannot express (a value too long, a duplicate set member, ...) is
// left out of the blob and reported, and the other instances are compiled,
// so that validation can go on checking them (validate_content does). When
// there are no findings the blob equals compile()'s.
PartialCompile compile_each(const ContentSource& content, const CompileOptions& options = {});

// An IP address or network in the blob's form: 16 bytes in network order
// (IPv4 mapped into ::ffff:0:0/96) and a prefix length in bits (128 for a
// single address).
struct IpValue {
    std::array<uint8_t, 16> address{};
    uint8_t prefix_len = 128;

    friend bool operator==(const IpValue&, const IpValue&) = default;
};

// Parses "192.0.2.7", "2001:db8::1", and, when `allow_network`, also
// "10.0.0.0/8" and "2001:db8::/32". Host bits past the prefix must be zero.
// nullopt when malformed.
std::optional<IpValue> parse_ip(std::string_view text, bool allow_network) noexcept;
// "192.0.2.7", "10.0.0.0/8", "2001:db8::/32": IPv4-mapped addresses print as
// IPv4, and the prefix only when it is not 128.
std::string format_ip(const IpValue& ip);

struct BlobHeaderFields {
    uint32_t channel = 0;
    uint64_t content_version = 0;
    uint64_t sensor_min = 0;
    uint64_t sensor_max = 0;
};

// Writes the canonical encoding. Instances must be added in strictly
// ascending id order and criteria in field order; sets are sorted here.
// Breaking either order is a contract violation (it stops the program): the
// compiler sorts and checks before it writes.
class BlobWriter {
  public:
    explicit BlobWriter(const BlobHeaderFields& header);

    void reserve(size_t instances, size_t criteria, size_t pool_bytes);

    void add_instance(uint32_t id, uint32_t template_type_id, uint32_t template_type_version);

    // Criteria of the instance added last.
    void add_wildcard(std::string_view field);
    // eq, ne, lt, le, gt, ge on int, uint or bool (an int as its i64 bits).
    void add_scalar(std::string_view field, format::Op op, format::Kind kind, uint64_t value);
    void add_range(std::string_view field, format::Kind kind, uint64_t low, uint64_t high);
    // Single-value operators on string, bytes or enum.
    void add_bytes(std::string_view field, format::Op op, format::Kind kind, std::string_view value,
                   bool case_insensitive);
    // eq, ne (prefix 128) and cidr_contains on ip.
    void add_ip(std::string_view field, format::Op op, const IpValue& value);

    // in-sets. Each sorts its members as the format requires. When two are
    // equal it writes nothing and returns the source positions (indices into
    // the argument) of the first equal pair.
    using Duplicate = std::optional<std::pair<size_t, size_t>>;
    [[nodiscard]] Duplicate add_scalar_set(std::string_view field, format::Kind kind,
                                           std::span<const uint64_t> members);
    [[nodiscard]] Duplicate add_byte_set(std::string_view field, format::Kind kind,
                                         std::span<const std::string_view> members,
                                         bool case_insensitive);
    [[nodiscard]] Duplicate add_ip_set(std::string_view field, std::span<const IpValue> members);

    size_t instance_count() const noexcept { return instance_count_; }
    size_t criterion_count() const noexcept { return criterion_count_; }
    size_t pool_size() const noexcept { return pool_.size(); }

    // Where the writer stands: rollback(mark()) undoes everything added
    // since, so a compiler can leave out an instance it finds wrong half way
    // through its criteria and go on with the next one.
    struct Mark {
        size_t instance_bytes = 0;
        size_t criterion_bytes = 0;
        size_t pool_bytes = 0;
        size_t instance_count = 0;
        size_t criterion_count = 0;
        bool has_instance = false;
        uint32_t last_id = 0;
        uint32_t criteria_in_instance = 0;
    };
    Mark mark() const noexcept;
    // `m` must come from this writer, with nothing rolled back past it since
    // (a contract violation otherwise).
    void rollback(const Mark& m);

    // The finished blob. The writer is spent afterwards.
    std::vector<uint8_t> finish();

  private:
    struct CriterionRecord;
    void add_record(const CriterionRecord& record);
    void add_set(std::string_view field, format::Kind kind, size_t count, std::string_view data,
                 bool case_insensitive);
    uint32_t add_pool_item(std::string_view bytes);

    BlobHeaderFields header_;
    std::vector<uint8_t> instances_;
    std::vector<uint8_t> criteria_;
    std::vector<uint8_t> pool_;
    size_t instance_count_ = 0;
    size_t criterion_count_ = 0;
    bool has_instance_ = false;
    uint32_t last_id_ = 0;
    uint32_t criteria_in_instance_ = 0;
    std::vector<size_t> order_;
};

// A criterion's operator and value(s) for people: `wildcard`, `eq 4`,
// `suffix (case-insensitive) "\\cmd.exe"`, `range 1..1024`,
// `in {22, 23}`, `cidr_contains 10.0.0.0/8`. Strings are quoted with C
// escapes; bytes are hex.
std::string describe_criterion(const format::CriterionView& criterion);

// Writes the canonical encoding of what `blob` says, through BlobWriter. For
// a blob that read_blob accepted, this gives back the identical bytes: the
// round trip the tests and fuzzers use to prove the encoding canonical.
std::vector<uint8_t> reencode(const format::BlobView& blob);

}  // namespace ringward
