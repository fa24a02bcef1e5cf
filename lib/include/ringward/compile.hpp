// Compiling content into the canonical blob (docs/format.md), and the writer
// underneath it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"
#include "ringward/regex.hpp"
#include "ringward/schema.hpp"

namespace ringward {

struct CompileOptions {
    // The blob must fit these; content that does not is refused (RW0213).
    format::Limits limits;
};

// Where blob criterion k of an instance came from in the source: `group` 0
// is the instance's own criteria, e + 1 those of exclusion e; `index` is the
// criterion's position there. The blob orders criteria by (group, field
// index), so its order is not the source's.
struct CriterionOrigin {
    uint32_t group = 0;
    uint32_t index = 0;

    friend bool operator==(const CriterionOrigin&, const CriterionOrigin&) = default;
};

struct CompiledBlob {
    std::vector<uint8_t> bytes;
    // Blob instance i came from source instance source_instance[i] (the blob
    // sorts instances by id).
    std::vector<uint32_t> source_instance;
    // Blob criterion c (counted over the whole criterion table) came from
    // source_criterion[c] of its instance.
    std::vector<CriterionOrigin> source_criterion;
};

// Compiles content into its one canonical blob. Deterministic: the same
// content and registry give the same bytes, whichever source format the
// content came in. The registry turns field names into the field indices
// and field counts the blob stores: an instance whose template type it does
// not define (RW0401), or a criterion on a field its type does not have
// (RW0404), cannot be written. Refuses what the format cannot express
// (RW02xx, each at the source location of the offending part), reporting
// every such finding, not just the first. Checks nothing else that needs the
// registry, and nothing that needs a manifest: that is validate's work, done
// on the bytes this returns. `registry` is only read during the call.
Result<CompiledBlob> compile(const ContentSource& content, const Registry& registry,
                             const CompileOptions& options = {});

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
PartialCompile compile_each(const ContentSource& content, const Registry& registry,
                            const CompileOptions& options = {});

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

// What an instance record says besides its criteria (docs/format.md,
// "Instance record").
struct BlobInstance {
    uint32_t id = 0;
    uint32_t template_type_id = 0;
    uint32_t template_type_version = 0;
    // The rule it belongs to; 0 for none.
    uint32_t rule_id = 0;
    // The number of fields the template type declares (from the registry);
    // at least 1.
    uint16_t field_count = 1;
    uint16_t exclusion_count = 0;
};

// Where a criterion goes: the field it constrains, which part of the
// instance it belongs to, and whether it is negated.
struct CriterionPlace {
    // The field's name as the content writes it.
    std::string_view field;
    // The template type's index of the field: below the instance's
    // field_count.
    uint16_t field_index = 0;
    // 0: the instance's own criteria; k (1..exclusion_count): exclusion k.
    uint16_t group = 0;
    bool negate = false;
};

// Writes the canonical encoding (docs/format.md). Instances must be added in
// strictly ascending id order; an instance's criteria in any order: the
// writer sorts them by (group, field_index), keeping the order of those on
// one field of one group, and sorts sets. Breaking a rule the caller can
// check (ids out of order, a field_index or group out of range, an exclusion
// left without criteria, an operator or kind the method does not take) is a
// contract violation (it stops the program): the compiler checks before it
// writes. Equal set members are the one refusal left to the caller: the
// methods that take several values return them.
class BlobWriter {
  public:
    explicit BlobWriter(const BlobHeaderFields& header);

    // Room for this many instances, criteria and pool bytes, so that the
    // blob is allocated once. The output is the same with or without it,
    // and with any counts; with the right ones, finish() moves the value
    // items only by the size of the name table and names, which it writes
    // in front of them.
    void reserve(size_t instances, size_t criteria, size_t pool_bytes);

    void add_instance(const BlobInstance& instance);

    // Criteria of the instance added last.
    // exists on any kind; empty on string and bytes.
    void add_valueless(const CriterionPlace& at, format::Op op, format::Kind kind);
    // eq, lt, le, gt, ge on int, uint or bool (an int as its i64 bits).
    void add_scalar(const CriterionPlace& at, format::Op op, format::Kind kind, uint64_t value);
    void add_range(const CriterionPlace& at, format::Kind kind, uint64_t low, uint64_t high);
    // Single-value operators on string, bytes or enum: eq, and the string
    // operators with one value.
    void add_bytes(const CriterionPlace& at, format::Op op, format::Kind kind,
                   std::string_view value, bool case_insensitive);
    // eq (prefix 128) and cidr_contains on ip.
    void add_ip(const CriterionPlace& at, format::Op op, const IpValue& value);
    // eq, prefix, suffix or contains on string or bytes, comparing with the
    // instance's field `ref_field` (index `ref_field_index`, not at's own).
    void add_field_ref(const CriterionPlace& at, format::Op op, format::Kind kind,
                       std::string_view ref_field, uint16_t ref_field_index, bool case_insensitive);

    // Several values. Each sorts them as the format requires. When two are
    // equal (after folding, when case-insensitive) it writes nothing and
    // returns the source positions (indices into the argument) of the first
    // equal pair.
    using Duplicate = std::optional<std::pair<size_t, size_t>>;
    // in-sets.
    [[nodiscard]] Duplicate add_scalar_set(const CriterionPlace& at, format::Kind kind,
                                           std::span<const uint64_t> members);
    [[nodiscard]] Duplicate add_byte_set(const CriterionPlace& at, format::Kind kind,
                                         std::span<const std::string_view> members,
                                         bool case_insensitive);
    [[nodiscard]] Duplicate add_ip_set(const CriterionPlace& at, std::span<const IpValue> members);
    // prefix, suffix, contains or glob on string or bytes (glob: string)
    // matching any of one or more values; one value is written as
    // add_bytes() writes it. (regex: add_regex.)
    [[nodiscard]] Duplicate add_any_of(const CriterionPlace& at, format::Op op, format::Kind kind,
                                       std::span<const std::string_view> values,
                                       bool case_insensitive);

    // regex on a string field, any of one or more patterns, with the
    // compiled program of their union (docs/format.md, "Regex programs"):
    // regex_union() compiled by compile_regex with the criterion's
    // case-insensitive flag. Writes nothing and returns why when the
    // patterns repeat (duplicate) or compile_regex refuses the union
    // (error, a RW07xx code).
    struct RegexRefusal {
        Duplicate duplicate;
        std::optional<RegexError> error;
    };
    [[nodiscard]] std::optional<RegexRefusal> add_regex(const CriterionPlace& at,
                                                        std::span<const std::string_view> patterns,
                                                        bool case_insensitive);
    // add_regex with the program given rather than compiled: for reencode(),
    // which copies what the reader verified. The patterns must be distinct
    // (a contract violation otherwise).
    void add_regex_program(const CriterionPlace& at, std::span<const std::string_view> patterns,
                           bool case_insensitive, std::span<const uint8_t> program);

    size_t instance_count() const noexcept { return instances_.size(); }
    size_t criterion_count() const noexcept { return criteria_.size(); }
    // The pool's size so far, as the blob will have it: the name table and
    // the names that criteria name, then the value items.
    size_t pool_size() const noexcept;

    // Where the writer stands: rollback(mark()) undoes everything added
    // since, so a compiler can leave out an instance it finds wrong half way
    // through its criteria and go on with the next one.
    struct Mark {
        size_t instance_count = 0;
        size_t criterion_count = 0;
        size_t pool_end = 0;
        bool in_order = true;
    };
    Mark mark() const noexcept;
    // `m` must come from this writer, with nothing rolled back past it since
    // (a contract violation otherwise).
    void rollback(const Mark& m);

    // The finished blob. The writer is spent afterwards. A contract
    // violation when an exclusion of an instance has no criterion.
    std::vector<uint8_t> finish();

  private:
    // A value item: its offset among the value items laid out so far, and
    // its size.
    struct Span {
        size_t at = 0;
        size_t size = 0;
    };
    // A criterion as it will be written, but for its position in the
    // table, which finish() gives it once the instance's order is known.
    struct Criterion {
        uint16_t field_index = 0;
        uint16_t group = 0;
        format::Op op = format::Op::eq;
        format::Kind kind = format::Kind::none;
        uint8_t flags = 0;
        uint8_t prefix_len = 0;
        uint16_t ref_field_index = 0;
        uint32_t value_count = 0;
        // value0 then value1, or a single IP value's 16 address bytes.
        std::array<uint8_t, 16> inline_values{};
        // Its field name: an index into names_.
        uint32_t name = 0;
        // Its pool items: the value data, and a regex criterion's compiled
        // program, at offsets counted from the first value item (finish()
        // adds the size of the name table and names).
        Span data;
        Span program;
    };
    Criterion& add_criterion(const CriterionPlace& at, format::Op op, format::Kind kind,
                             uint32_t value_count);
    // The index in names_ of `field`, added when it is new.
    uint32_t name_id(std::string_view field);
    // The bytes the name table and the names in use (those name_uses_
    // counts for) take at the start of the pool (docs/format.md, "Name
    // table").
    size_t names_size() const noexcept;
    // A pool item of `size` bytes after the last, zero-filled; and one
    // holding `bytes`.
    Span add_pool_item(size_t size);
    Span add_bytes_item(std::string_view bytes);
    // finish() for criteria that came out of the blob's order: sorts each
    // instance's and lays the pool out again in that order.
    void lay_out_again();
    // Sorts byte-string members into order_ in the format's order
    // (format::compare_members), folded when `fold`, and returns the first
    // pair of equal members as source positions in ascending order.
    [[nodiscard]] Duplicate sort_byte_members(std::span<const std::string_view> members, bool fold);
    void add_set(const CriterionPlace& at, format::Op op, format::Kind kind, size_t count,
                 std::string_view data, bool case_insensitive);
    [[nodiscard]] Duplicate add_byte_members(const CriterionPlace& at, format::Op op,
                                             format::Kind kind,
                                             std::span<const std::string_view> members,
                                             bool case_insensitive);

    struct Instance {
        BlobInstance fields;
        // Its criteria are criteria_[first, first + count).
        size_t first = 0;
        size_t count = 0;
    };

    BlobHeaderFields header_;
    std::vector<Instance> instances_;
    std::vector<Criterion> criteria_;
    // The blob being written: room for the header and the two tables
    // (front_ bytes, as reserve() foresaw them), then the pool's value
    // items, laid out as they were added, each at the next multiple of 8
    // (pool-relative offsets here count from the first value item). When
    // every instance's criteria came in the blob's order, those are the
    // value items as they ship, and finish() only moves them to where the
    // names end; otherwise finish() lays them out again.
    std::vector<uint8_t> blob_;
    size_t front_ = format::kHeaderSize;
    // Where the last item ends, pool-relative; the pool's size so far is
    // that end rounded up to a multiple of 8.
    size_t pool_end_ = 0;
    // Whether every instance's criteria came in (group, field_index) order.
    bool in_order_ = true;
    // Every field name added, in the order first added (kept in
    // name_storage_, whose elements never move), with how many criteria name
    // it; the blob's name table holds those named, sorted. name_slots_ is an
    // open-addressing table of index + 1 (0: empty), at most half full.
    std::deque<std::string> name_storage_;
    std::vector<std::string_view> names_;
    std::vector<uint32_t> name_uses_;
    std::vector<uint32_t> name_slots_;
    uint32_t last_name_ = 0;
    std::vector<size_t> order_;
    // A set member as sort_byte_members sees it: its first 8 bytes as a
    // big-endian word (zero past its end), all its bytes, its source index.
    struct MemberKey {
        uint64_t head = 0;
        const uint8_t* bytes = nullptr;
        uint32_t size = 0;
        uint32_t index = 0;
    };
    // While a set is sorted: the members of a case-insensitive one folded,
    // in one buffer, and the key of each.
    std::string folded_;
    std::vector<MemberKey> keys_;
};

// The one pattern a regex criterion's program is compiled from: the pattern
// itself when there is one, else `(?:p1)|(?:p2)|...` in the order given
// (the blob's: ascending, folded when case-insensitive).
std::string regex_union(std::span<const std::string_view> patterns);

// A criterion's operator and value(s) for people: `eq 4`, `ne 4`,
// `suffix (case-insensitive) "\\cmd.exe"`, `not contains any of {"a", "b"}`,
// `range 1..1024`, `in {22, 23}`, `cidr_contains 10.0.0.0/8`, `exists`,
// `eq field ParentImage` (a field reference). Strings are quoted with C
// escapes; bytes are hex.
std::string describe_criterion(const format::CriterionView& criterion);

// Writes the canonical encoding of what `blob` says, through BlobWriter. For
// a blob that read_blob accepted, this gives back the identical bytes: the
// round trip the tests and fuzzers use to prove the encoding canonical.
std::vector<uint8_t> reencode(const format::BlobView& blob);

}  // namespace ringward
