// The writer: the one canonical encoding of docs/format.md. Everything it
// writes, read_blob accepts, and reencode() of what read_blob accepts gives
// back the same bytes; tests/format and the fuzzers hold it to both.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "format/stable_sort_small.hpp"
#include "ringward/compile.hpp"
#include "ringward/core/contract.hpp"
#include "ringward/regex.hpp"

namespace ringward {
namespace {

using core::store_u16;
using core::store_u32;
using core::store_u64;
using format::Kind;
using format::Op;

void append_u64(std::string& out, uint64_t v) {
    uint8_t bytes[8];
    store_u64(bytes, v);
    out.append(reinterpret_cast<const char*>(bytes), 8);
}

// A size that must fit the format's u32 fields; anything larger means the
// caller skipped the limit checks that compile() makes.
uint32_t to_u32(size_t value) {
    if (value > UINT32_MAX) {
        core::contract_violation();
    }
    return static_cast<uint32_t>(value);
}

// Sorts positions 0..n-1 by `less` and returns the first pair of equal
// members, as source positions in ascending order.
template <class Less>
BlobWriter::Duplicate sort_members(std::vector<size_t>& order, size_t n, Less less) {
    order.resize(n);
    std::iota(order.begin(), order.end(), size_t{0});
    stable_sort_small(order.begin(), order.end(), less);
    for (size_t i = 1; i < n; ++i) {
        if (!less(order[i - 1], order[i])) {
            return std::pair{std::min(order[i - 1], order[i]), std::max(order[i - 1], order[i])};
        }
    }
    return std::nullopt;
}

}  // namespace

BlobWriter::BlobWriter(const BlobHeaderFields& header) : header_(header) {}

// The format's order of byte-string members (format::compare_members):
// unsigned bytes, a proper prefix first, ASCII-folded in a case-insensitive
// set. A case-insensitive set's members are folded once, into one buffer.
// Each key's first 8 bytes, read big-endian with zeros past the end, order
// two members whenever they differ (a zero past the end is below any byte
// there, as a prefix is below what extends it); only equal heads compare
// the rest. The sort is stable, so equal members stay in source order and
// the first equal pair comes out as its two source positions, ascending.
BlobWriter::Duplicate BlobWriter::sort_byte_members(std::span<const std::string_view> members,
                                                    bool fold) {
    const size_t n = members.size();
    const uint8_t* base = nullptr;
    if (fold) {
        size_t total = 0;
        for (const std::string_view member : members) {
            total += member.size();
        }
        folded_.resize(total);
        auto* out = reinterpret_cast<uint8_t*>(folded_.data());
        for (const std::string_view member : members) {
            for (const char ch : member) {
                *out++ = format::fold_ascii(static_cast<uint8_t>(ch));
            }
        }
        base = reinterpret_cast<const uint8_t*>(folded_.data());
    }
    keys_.resize(n);
    size_t at = 0;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* bytes =
            fold ? base + at : reinterpret_cast<const uint8_t*>(members[i].data());
        const size_t size = members[i].size();
        at += size;
        uint8_t head[8] = {};
        if (size > 0) {  // an empty view may hold no pointer
            std::memcpy(head, bytes, std::min<size_t>(size, 8));
        }
        uint64_t word = 0;
        for (const uint8_t byte : head) {
            word = word << 8 | byte;
        }
        keys_[i] = MemberKey{word, bytes, to_u32(size), to_u32(i)};
    }
    const auto less = [](const MemberKey& a, const MemberKey& b) {
        if (a.head != b.head) {
            return a.head < b.head;
        }
        const uint32_t common = std::min(a.size, b.size);
        if (common > 8) {
            const int order = std::memcmp(a.bytes + 8, b.bytes + 8, common - 8);
            if (order != 0) {
                return order < 0;
            }
        }
        return a.size < b.size;
    };
    stable_sort_small(keys_.begin(), keys_.end(), less);
    order_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        order_[i] = keys_[i].index;
    }
    for (size_t i = 1; i < n; ++i) {
        if (!less(keys_[i - 1], keys_[i])) {
            return std::pair{size_t{keys_[i - 1].index}, size_t{keys_[i].index}};
        }
    }
    return std::nullopt;
}

BlobWriter::Span BlobWriter::add_pool_item(size_t size) {
    const Span span{static_cast<size_t>(format::align_up(pool_end_, format::kPoolAlignment)), size};
    // Zeros up to the item and over it: padding stays zero, and the caller
    // writes the item.
    blob_.resize(front_ + span.at + size);
    pool_end_ = span.at + size;
    return span;
}

BlobWriter::Span BlobWriter::add_bytes_item(std::string_view bytes) {
    const Span span = add_pool_item(bytes.size());
    if (!bytes.empty()) {
        std::memcpy(blob_.data() + front_ + span.at, bytes.data(), bytes.size());
    }
    return span;
}

void BlobWriter::reserve(size_t instances, size_t criteria, size_t pool_bytes) {
    instances_.reserve(instances);
    criteria_.reserve(criteria);
    if (blob_.empty()) {
        // Nothing in the pool yet: it starts where these tables would end.
        front_ = format::kHeaderSize + instances * format::kInstanceRecordSize +
                 criteria * format::kCriterionRecordSize;
    }
    blob_.reserve(front_ + pool_bytes);
}

void BlobWriter::add_instance(const BlobInstance& instance) {
    if ((!instances_.empty() && instance.id <= instances_.back().fields.id) ||
        instance.field_count == 0) {
        core::contract_violation();  // Contract: ascending ids, a template type with fields.
                                     // compile() sorts and checks first.
    }
    instances_.push_back(Instance{instance, criteria_.size(), 0});
}

BlobWriter::Criterion& BlobWriter::add_criterion(const CriterionPlace& at, Op op, Kind kind,
                                                 uint32_t value_count) {
    if (instances_.empty()) {
        core::contract_violation();  // Contract: criteria belong to an instance.
    }
    const BlobInstance& instance = instances_.back().fields;
    if (at.field_index >= instance.field_count || at.group > instance.exclusion_count ||
        at.field.empty() || !format::op_takes_kind(op, kind)) {
        core::contract_violation();  // Contract: a field and group of the instance, an
                                     // operator the format encodes with the kind.
    }
    if (instances_.back().count > 0 &&
        std::pair(criteria_.back().group, criteria_.back().field_index) >
            std::pair(at.group, at.field_index)) {
        in_order_ = false;
    }
    Criterion& c = criteria_.emplace_back();
    c.field_index = at.field_index;
    c.group = at.group;
    c.op = op;
    c.kind = kind;
    c.flags = at.negate ? format::kFlagNegate : 0;
    c.value_count = value_count;
    ++instances_.back().count;
    c.name = name_id(at.field);
    ++name_uses_[c.name];
    return c;
}

namespace {

// A field name's slot in the name lookup: its length and its first and
// last 8 bytes, mixed. Names are short identifiers; a collision costs one
// more comparison, never a wrong answer.
uint64_t name_hash(std::string_view name) {
    constexpr uint64_t kMix = 0x9e3779b97f4a7c15;
    uint64_t first = 0;
    uint64_t last = 0;
    if (!name.empty()) {
        std::memcpy(&first, name.data(), std::min<size_t>(name.size(), 8));
        std::memcpy(&last, name.data() + name.size() - std::min<size_t>(name.size(), 8),
                    std::min<size_t>(name.size(), 8));
    }
    uint64_t h = (name.size() * kMix) ^ first;
    h = (h * kMix) ^ last;
    h *= kMix;
    return h ^ (h >> 29);
}

}  // namespace

uint32_t BlobWriter::name_id(std::string_view field) {
    // Criteria on one field come together: the name before is the likely one.
    if (!names_.empty() && names_[last_name_] == field) {
        return last_name_;
    }
    if (2 * (names_.size() + 1) > name_slots_.size()) {
        // Grow to keep the table at most half full, and place every name again.
        std::vector<uint32_t> slots(std::max<size_t>(64, 2 * name_slots_.size()), 0);
        const size_t mask = slots.size() - 1;
        for (size_t id = 0; id < names_.size(); ++id) {
            size_t at = name_hash(names_[id]) & mask;
            while (slots[at] != 0) {
                at = (at + 1) & mask;
            }
            slots[at] = to_u32(id + 1);
        }
        name_slots_ = std::move(slots);
    }
    const size_t mask = name_slots_.size() - 1;
    size_t at = name_hash(field) & mask;
    while (name_slots_[at] != 0) {
        const uint32_t id = name_slots_[at] - 1;
        if (names_[id] == field) {
            last_name_ = id;
            return id;
        }
        at = (at + 1) & mask;
    }
    const uint32_t id = to_u32(names_.size());
    names_.push_back(name_storage_.emplace_back(field));
    name_uses_.push_back(0);
    name_slots_[at] = id + 1;
    last_name_ = id;
    return id;
}

size_t BlobWriter::names_size() const noexcept {
    size_t count = 0;
    size_t bytes = 0;
    for (size_t id = 0; id < names_.size(); ++id) {
        if (name_uses_[id] > 0) {
            ++count;
            bytes +=
                static_cast<size_t>(format::align_up(names_[id].size(), format::kPoolAlignment));
        }
    }
    return static_cast<size_t>(
               format::align_up(count * format::kNameEntrySize, format::kPoolAlignment)) +
           bytes;
}

size_t BlobWriter::pool_size() const noexcept {
    return names_size() + static_cast<size_t>(format::align_up(pool_end_, format::kPoolAlignment));
}

void BlobWriter::add_valueless(const CriterionPlace& at, Op op, Kind kind) {
    if (op != Op::exists && op != Op::empty) {
        core::contract_violation();  // Contract: a valueless operator.
    }
    add_criterion(at, op, kind, 0);
}

void BlobWriter::add_scalar(const CriterionPlace& at, Op op, Kind kind, uint64_t value) {
    const format::Encoding e = format::encoding(op, kind);
    if (!e.uses_value0 || e.set || e.count != 1 || e.ip_single) {
        core::contract_violation();  // Contract: an inline single value.
    }
    Criterion& c = add_criterion(at, op, kind, 1);
    store_u64(c.inline_values.data(), value);
}

void BlobWriter::add_range(const CriterionPlace& at, Kind kind, uint64_t low, uint64_t high) {
    Criterion& c = add_criterion(at, Op::range, kind, 2);
    store_u64(c.inline_values.data(), low);
    store_u64(c.inline_values.data() + 8, high);
}

void BlobWriter::add_bytes(const CriterionPlace& at, Op op, Kind kind, std::string_view value,
                           bool case_insensitive) {
    const format::Encoding e = format::encoding(op, kind);
    if (!e.uses_pool || e.set || op == Op::regex || (case_insensitive && !e.case_flag_allowed)) {
        core::contract_violation();  // Contract: a single value in the pool; regex has
                                     // add_regex.
    }
    Criterion& c = add_criterion(at, op, kind, 1);
    if (case_insensitive) {
        c.flags |= format::kFlagCaseInsensitive;
    }
    c.data = add_bytes_item(value);
}

void BlobWriter::add_ip(const CriterionPlace& at, Op op, const IpValue& value) {
    const format::Encoding e = format::encoding(op, Kind::ip);
    if (!e.ip_single || (e.ip_exact && value.prefix_len != format::kIpMaxPrefix)) {
        core::contract_violation();  // Contract: eq on an address, or cidr_contains.
    }
    Criterion& c = add_criterion(at, op, Kind::ip, 1);
    c.prefix_len = value.prefix_len;
    std::memcpy(c.inline_values.data(), value.address.data(), format::kIpAddressSize);
}

void BlobWriter::add_field_ref(const CriterionPlace& at, Op op, Kind kind,
                               std::string_view ref_field, uint16_t ref_field_index,
                               bool case_insensitive) {
    if (instances_.empty() || !format::op_takes_field_ref(op, kind) ||
        ref_field_index == at.field_index ||
        ref_field_index >= instances_.back().fields.field_count || ref_field.empty() ||
        (case_insensitive && kind != Kind::string)) {
        core::contract_violation();  // Contract: another field of the instance, an operator
                                     // that compares two fields.
    }
    Criterion& c = add_criterion(at, op, kind, 1);
    c.flags |= format::kFlagFieldRef;
    if (case_insensitive) {
        c.flags |= format::kFlagCaseInsensitive;
    }
    c.ref_field_index = ref_field_index;
    c.data = add_bytes_item(ref_field);
}

void BlobWriter::add_set(const CriterionPlace& at, Op op, Kind kind, size_t count,
                         std::string_view data, bool case_insensitive) {
    Criterion& c = add_criterion(at, op, kind, to_u32(count));
    if (case_insensitive) {
        c.flags |= format::kFlagCaseInsensitive;
    }
    c.data = add_bytes_item(data);
}

BlobWriter::Duplicate BlobWriter::add_scalar_set(const CriterionPlace& at, Kind kind,
                                                 std::span<const uint64_t> members) {
    if ((kind != Kind::int64 && kind != Kind::uint64) || members.empty()) {
        core::contract_violation();  // Contract: a numeric set of one or more.
    }
    const bool is_signed = kind == Kind::int64;
    const auto duplicate = sort_members(order_, members.size(), [&](size_t a, size_t b) {
        return is_signed ? static_cast<int64_t>(members[a]) < static_cast<int64_t>(members[b])
                         : members[a] < members[b];
    });
    if (duplicate) {
        return duplicate;
    }
    std::string data;
    data.reserve(members.size() * 8);
    for (const size_t i : order_) {
        append_u64(data, members[i]);
    }
    add_set(at, Op::in, kind, members.size(), data, false);
    return std::nullopt;
}

BlobWriter::Duplicate BlobWriter::add_byte_members(const CriterionPlace& at, Op op, Kind kind,
                                                   std::span<const std::string_view> members,
                                                   bool case_insensitive) {
    // The format's order; a case-insensitive set in folded order, so two
    // members that differ only in case are a duplicate.
    const auto duplicate = sort_byte_members(members, case_insensitive);
    if (duplicate) {
        return duplicate;
    }
    // Each member a u32 length, its bytes, zeros to a multiple of 4: laid
    // out straight into the pool item, which comes zero-filled.
    Criterion& c = add_criterion(at, op, kind, to_u32(members.size()));
    if (case_insensitive) {
        c.flags |= format::kFlagCaseInsensitive;
    }
    size_t size = 0;
    for (const std::string_view member : members) {
        size += 4 + static_cast<size_t>(format::align_up(member.size(), format::kByteSetAlignment));
    }
    c.data = add_pool_item(size);
    uint8_t* out = blob_.data() + front_ + c.data.at;
    for (const size_t i : order_) {
        store_u32(out, to_u32(members[i].size()));
        if (!members[i].empty()) {
            std::memcpy(out + 4, members[i].data(), members[i].size());
        }
        out += 4 + format::align_up(members[i].size(), format::kByteSetAlignment);
    }
    return std::nullopt;
}

BlobWriter::Duplicate BlobWriter::add_byte_set(const CriterionPlace& at, Kind kind,
                                               std::span<const std::string_view> members,
                                               bool case_insensitive) {
    const format::Encoding e = format::encoding(Op::in, kind);
    if (!e.set || !e.uses_pool || kind == Kind::ip || kind == Kind::int64 || kind == Kind::uint64 ||
        members.empty() || (case_insensitive && !e.case_flag_allowed)) {
        core::contract_violation();  // Contract: a byte-string set of one or more.
    }
    return add_byte_members(at, Op::in, kind, members, case_insensitive);
}

BlobWriter::Duplicate BlobWriter::add_any_of(const CriterionPlace& at, Op op, Kind kind,
                                             std::span<const std::string_view> values,
                                             bool case_insensitive) {
    const format::Encoding e = format::encoding(op, kind);
    if (!e.any_of || op == Op::regex || values.empty() ||
        (case_insensitive && !e.case_flag_allowed)) {
        core::contract_violation();  // Contract: a string operator with one or more values;
                                     // regex has add_regex.
    }
    if (values.size() == 1) {
        add_bytes(at, op, kind, values[0], case_insensitive);
        return std::nullopt;
    }
    return add_byte_members(at, op, kind, values, case_insensitive);
}

std::optional<BlobWriter::RegexRefusal> BlobWriter::add_regex(
    const CriterionPlace& at, std::span<const std::string_view> patterns, bool case_insensitive) {
    if (patterns.empty()) {
        core::contract_violation();  // Contract: one or more patterns.
    }
    const auto duplicate = sort_byte_members(patterns, case_insensitive);
    if (duplicate) {
        return RegexRefusal{duplicate, std::nullopt};
    }
    std::vector<std::string_view> sorted;
    sorted.reserve(patterns.size());
    for (const size_t i : order_) {
        sorted.push_back(patterns[i]);
    }
    RegexOptions options;
    options.case_insensitive = case_insensitive;
    RegexCompileResult compiled = compile_regex(regex_union(sorted), options);
    if (!compiled.ok()) {
        return RegexRefusal{std::nullopt, std::move(compiled.error)};
    }
    add_regex_program(at, sorted, case_insensitive, compiled.program);
    return std::nullopt;
}

void BlobWriter::add_regex_program(const CriterionPlace& at,
                                   std::span<const std::string_view> patterns,
                                   bool case_insensitive, std::span<const uint8_t> program) {
    if (patterns.empty() || program.empty()) {
        core::contract_violation();  // Contract: one or more patterns, and their program.
    }
    if (patterns.size() == 1) {
        Criterion& c = add_criterion(at, Op::regex, Kind::string, 1);
        if (case_insensitive) {
            c.flags |= format::kFlagCaseInsensitive;
        }
        c.data = add_bytes_item(patterns[0]);
    } else if (add_byte_members(at, Op::regex, Kind::string, patterns, case_insensitive)) {
        core::contract_violation();  // Contract: distinct patterns.
    }
    criteria_.back().program = add_bytes_item(
        std::string_view(reinterpret_cast<const char*>(program.data()), program.size()));
}

BlobWriter::Duplicate BlobWriter::add_ip_set(const CriterionPlace& at,
                                             std::span<const IpValue> members) {
    if (members.empty()) {
        core::contract_violation();  // Contract: a set of one or more.
    }
    const auto key_less = [&](size_t a, size_t b) {
        const int order = std::memcmp(members[a].address.data(), members[b].address.data(),
                                      format::kIpAddressSize);
        return order != 0 ? order < 0 : members[a].prefix_len < members[b].prefix_len;
    };
    const auto duplicate = sort_members(order_, members.size(), key_less);
    if (duplicate) {
        return duplicate;
    }
    std::string data;
    data.reserve(members.size() * format::kIpSetEntrySize);
    for (const size_t i : order_) {
        data.append(reinterpret_cast<const char*>(members[i].address.data()),
                    format::kIpAddressSize);
        data.push_back(static_cast<char>(members[i].prefix_len));
        data.append(format::kIpSetEntrySize - format::kIpAddressSize - 1, '\0');
    }
    add_set(at, Op::in, Kind::ip, members.size(), data, false);
    return std::nullopt;
}

BlobWriter::Mark BlobWriter::mark() const noexcept {
    return Mark{instances_.size(), criteria_.size(), pool_end_, in_order_};
}

void BlobWriter::rollback(const Mark& m) {
    if (m.instance_count > instances_.size() || m.criterion_count > criteria_.size() ||
        m.pool_end > pool_end_ ||
        (m.instance_count > 0 &&
         instances_[m.instance_count - 1].first + instances_[m.instance_count - 1].count <
             m.criterion_count)) {
        core::contract_violation();  // Contract: a mark of this writer, not rolled back past.
    }
    for (size_t k = m.criterion_count; k < criteria_.size(); ++k) {
        --name_uses_[criteria_[k].name];
    }
    instances_.resize(m.instance_count);
    criteria_.resize(m.criterion_count);
    pool_end_ = m.pool_end;
    in_order_ = m.in_order;
    if (!blob_.empty()) {
        blob_.resize(front_ + pool_end_);
    }
    if (!instances_.empty()) {
        Instance& last = instances_.back();
        last.count = m.criterion_count - last.first;
    }
}

void BlobWriter::lay_out_again() {
    // The canonical order: by (group, field_index), the caller's order
    // within one; stable_sort keeps it.
    for (const Instance& instance : instances_) {
        const auto first = criteria_.begin() + static_cast<std::ptrdiff_t>(instance.first);
        stable_sort_small(first, first + static_cast<std::ptrdiff_t>(instance.count),
                          [](const Criterion& a, const Criterion& b) {
                              return std::pair(a.group, a.field_index) <
                                     std::pair(b.group, b.field_index);
                          });
    }
    std::vector<uint8_t> old = std::move(blob_);
    const size_t old_front = front_;
    blob_.clear();
    blob_.reserve(old.size());
    pool_end_ = 0;
    const auto again = [&](Span& item) {
        item = add_bytes_item(std::string_view(
            reinterpret_cast<const char*>(old.data() + old_front + item.at), item.size));
    };
    for (Criterion& c : criteria_) {
        if (format::encoding(c.op, c.kind).uses_pool) {
            again(c.data);
        }
        if (c.op == Op::regex) {
            again(c.program);
        }
    }
    in_order_ = true;
}

std::vector<uint8_t> BlobWriter::finish() {
    if (!in_order_) {
        lay_out_again();
    }
    const size_t criteria_offset =
        format::kHeaderSize + instances_.size() * format::kInstanceRecordSize;
    const size_t pool_offset = criteria_offset + criteria_.size() * format::kCriterionRecordSize;
    const size_t names_size = this->names_size();
    const size_t pool_size =
        names_size + static_cast<size_t>(format::align_up(pool_end_, format::kPoolAlignment));
    const size_t total = pool_offset + pool_size;

    // The names in use, in byte order (std::string_view compares as
    // unsigned bytes, a prefix first: compare_members' order), and each
    // one's first criterion in the table's order.
    std::vector<uint32_t> sorted;
    for (uint32_t id = 0; id < names_.size(); ++id) {
        if (name_uses_[id] > 0) {
            sorted.push_back(id);
        }
    }
    std::sort(sorted.begin(), sorted.end(),
              [this](uint32_t a, uint32_t b) { return names_[a] < names_[b]; });
    std::vector<uint32_t> rank(names_.size());
    for (uint32_t i = 0; i < sorted.size(); ++i) {
        rank[sorted[i]] = i;
    }
    std::vector<uint32_t> first(sorted.size(), UINT32_MAX);
    for (size_t k = 0; k < criteria_.size(); ++k) {
        uint32_t& f = first[rank[criteria_[k].name]];
        f = std::min(f, to_u32(k));
    }

    // The value items are laid out; they move to where the names end, and
    // the bytes after the last item, up to pool_size, are zero.
    if (blob_.size() < front_) {
        blob_.resize(front_);  // no pool item at all
    }
    const size_t values_offset = pool_offset + names_size;
    if (values_offset < front_) {
        std::memmove(blob_.data() + values_offset, blob_.data() + front_, pool_end_);
        blob_.resize(values_offset + pool_end_);
        blob_.resize(total);
    } else {
        blob_.resize(total);
        if (values_offset > front_) {
            std::memmove(blob_.data() + values_offset, blob_.data() + front_, pool_end_);
        }
    }
    std::memset(blob_.data(), 0, values_offset);

    // The name table, then the names, each at the next multiple of 8.
    uint8_t* pool = blob_.data() + pool_offset;
    size_t name_at = static_cast<size_t>(
        format::align_up(sorted.size() * format::kNameEntrySize, format::kPoolAlignment));
    for (size_t i = 0; i < sorted.size(); ++i) {
        const std::string_view name = names_[sorted[i]];
        uint8_t* entry = pool + i * format::kNameEntrySize;
        store_u32(entry, to_u32(name_at));
        store_u32(entry + 4, to_u32(name.size()));
        store_u32(entry + 8, first[i]);
        std::memcpy(pool + name_at, name.data(), name.size());
        name_at += static_cast<size_t>(format::align_up(name.size(), format::kPoolAlignment));
    }

    uint8_t* h = blob_.data();
    std::memcpy(h, format::kMagic, sizeof(format::kMagic));
    store_u16(h + 8, format::kFormatVersion);
    store_u16(h + 10, format::kHeaderSize);
    store_u32(h + 16, to_u32(total));
    store_u32(h + 20, header_.channel);
    store_u64(h + 24, header_.content_version);
    store_u64(h + 32, header_.sensor_min);
    store_u64(h + 40, header_.sensor_max);
    store_u32(h + 48, format::kHeaderSize);
    store_u32(h + 52, to_u32(instances_.size()));
    store_u32(h + 56, to_u32(criteria_offset));
    store_u32(h + 60, to_u32(criteria_.size()));
    store_u32(h + 64, to_u32(pool_offset));
    store_u32(h + 68, to_u32(pool_size));
    store_u32(h + 72, to_u32(sorted.size()));

    for (size_t i = 0; i < instances_.size(); ++i) {
        const Instance& instance = instances_[i];
        uint8_t* r = blob_.data() + format::kHeaderSize + i * format::kInstanceRecordSize;
        store_u32(r, instance.fields.id);
        store_u32(r + 4, instance.fields.template_type_id);
        store_u32(r + 8, instance.fields.template_type_version);
        store_u32(r + 12, instance.fields.rule_id);
        store_u32(r + 16, to_u32(instance.first));
        store_u32(r + 20, to_u32(instance.count));
        store_u16(r + 24, instance.fields.field_count);
        store_u16(r + 26, instance.fields.exclusion_count);
        uint16_t next_group = 1;
        for (size_t k = instance.first; k < instance.first + instance.count; ++k) {
            const Criterion& c = criteria_[k];
            if (c.group > next_group) {
                core::contract_violation();  // Contract: every exclusion has a criterion.
            }
            if (c.group == next_group) {
                ++next_group;
            }
            uint8_t* cr = blob_.data() + criteria_offset + k * format::kCriterionRecordSize;
            store_u16(cr, c.field_index);
            cr[2] = static_cast<uint8_t>(c.op);
            cr[3] = static_cast<uint8_t>(c.kind);
            cr[4] = c.flags;
            cr[5] = c.prefix_len;
            store_u16(cr + 6, c.group);
            store_u32(cr + 8, rank[c.name]);
            if (format::encoding(c.op, c.kind).uses_pool) {
                store_u32(cr + 16, to_u32(names_size + c.data.at));
                store_u32(cr + 20, to_u32(c.data.size));
            }
            store_u32(cr + 24, c.value_count);
            store_u16(cr + 28, c.ref_field_index);
            std::memcpy(cr + 32, c.inline_values.data(), c.inline_values.size());
        }
        if (next_group <= instance.fields.exclusion_count) {
            core::contract_violation();  // Contract: every exclusion has a criterion.
        }
    }
    std::vector<uint8_t> blob = std::move(blob_);
    instances_ = {};
    criteria_ = {};
    blob_ = {};
    front_ = format::kHeaderSize;
    pool_end_ = 0;
    in_order_ = true;
    name_storage_ = {};
    name_slots_ = {};
    names_ = {};
    name_uses_ = {};
    last_name_ = 0;
    return blob;
}

namespace {

std::string_view as_view(format::Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data), bytes.size};
}

IpValue ip_from(const uint8_t* address, uint8_t prefix_len) {
    IpValue ip;
    std::memcpy(ip.address.data(), address, format::kIpAddressSize);
    ip.prefix_len = prefix_len;
    return ip;
}

std::vector<std::string_view> values_of(const format::CriterionView& c) {
    if (c.value_count() == 1) {
        return {as_view(c.data())};
    }
    std::vector<std::string_view> members;
    format::ByteSetCursor cursor = c.byte_members();
    format::Bytes member;
    while (cursor.next(&member)) {
        members.push_back(as_view(member));
    }
    return members;
}

std::vector<std::string_view> byte_members(const format::CriterionView& c) {
    std::vector<std::string_view> members;
    format::ByteSetCursor cursor = c.byte_members();
    format::Bytes member;
    while (cursor.next(&member)) {
        members.push_back(as_view(member));
    }
    return members;
}

void reencode_criterion(BlobWriter& writer, const format::CriterionView& c) {
    const CriterionPlace at{.field = as_view(c.name()),
                            .field_index = c.field_index(),
                            .group = c.group(),
                            .negate = c.negated()};
    const Op op = c.op();
    const Kind kind = c.kind();
    const format::Encoding e = format::encoding(op, kind);
    BlobWriter::Duplicate duplicate;
    if (c.is_field_ref()) {
        writer.add_field_ref(at, op, kind, as_view(c.data()), c.ref_field_index(),
                             c.case_insensitive());
    } else if (op == Op::exists || op == Op::empty) {
        writer.add_valueless(at, op, kind);
    } else if (op == Op::regex) {
        const format::Bytes program = c.regex_program();
        writer.add_regex_program(at, values_of(c), c.case_insensitive(),
                                 std::span<const uint8_t>(program.data, program.size));
    } else if (op == Op::range) {
        writer.add_range(at, kind, c.value0(), c.value1());
    } else if (op == Op::in && kind == Kind::ip) {
        std::vector<IpValue> members;
        for (uint32_t i = 0; i < c.value_count(); ++i) {
            const uint8_t* m = c.ip_member(i);
            members.push_back(ip_from(m, m[format::kIpAddressSize]));
        }
        duplicate = writer.add_ip_set(at, members);
    } else if (op == Op::in && (kind == Kind::int64 || kind == Kind::uint64)) {
        std::vector<uint64_t> members;
        for (uint32_t i = 0; i < c.value_count(); ++i) {
            members.push_back(c.scalar_member(i));
        }
        duplicate = writer.add_scalar_set(at, kind, members);
    } else if (op == Op::in) {
        duplicate = writer.add_byte_set(at, kind, byte_members(c), c.case_insensitive());
    } else if (e.any_of && c.value_count() >= 2) {
        duplicate = writer.add_any_of(at, op, kind, byte_members(c), c.case_insensitive());
    } else if (kind == Kind::ip) {
        writer.add_ip(at, op, ip_from(c.ip_address(), c.prefix_len()));
    } else if (e.uses_pool) {
        writer.add_bytes(at, op, kind, as_view(c.data()), c.case_insensitive());
    } else {
        writer.add_scalar(at, op, kind, c.value0());
    }
    if (duplicate) {
        core::invariant_broken();  // read_blob accepted strictly ascending sets: a broken
                                   // invariant.
    }
}

}  // namespace

std::string regex_union(std::span<const std::string_view> patterns) {
    if (patterns.size() == 1) {
        return std::string(patterns[0]);
    }
    std::string pattern;
    for (size_t i = 0; i < patterns.size(); ++i) {
        pattern += i == 0 ? "(?:" : "|(?:";
        pattern += patterns[i];
        pattern += ')';
    }
    return pattern;
}

std::vector<uint8_t> reencode(const format::BlobView& blob) {
    BlobWriter writer({.channel = blob.channel(),
                       .content_version = blob.content_version(),
                       .sensor_min = blob.sensor_min(),
                       .sensor_max = blob.sensor_max()});
    writer.reserve(blob.instance_count(), blob.criterion_count(), blob.pool_size());
    for (uint32_t i = 0; i < blob.instance_count(); ++i) {
        const format::InstanceView instance = blob.instance(i);
        writer.add_instance({.id = instance.id(),
                             .template_type_id = instance.template_type_id(),
                             .template_type_version = instance.template_type_version(),
                             .rule_id = instance.rule_id(),
                             .field_count = instance.field_count(),
                             .exclusion_count = instance.exclusion_count()});
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            reencode_criterion(writer, instance.criterion(k));
        }
    }
    return writer.finish();
}

}  // namespace ringward
