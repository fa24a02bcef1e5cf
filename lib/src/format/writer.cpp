// The writer: the one canonical encoding of docs/format.md. Everything it
// writes, read_blob accepts, and reencode() of what read_blob accepts gives
// back the same bytes; tests/format and the fuzzers hold it to both.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

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

void append_u32(std::string& out, uint32_t v) {
    uint8_t bytes[4];
    store_u32(bytes, v);
    out.append(reinterpret_cast<const char*>(bytes), 4);
}
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
    std::stable_sort(order.begin(), order.end(), less);
    for (size_t i = 1; i < n; ++i) {
        if (!less(order[i - 1], order[i])) {
            return std::pair{std::min(order[i - 1], order[i]), std::max(order[i - 1], order[i])};
        }
    }
    return std::nullopt;
}

// sort_members in the format's order of byte-string members
// (format::compare_members): unsigned bytes, a prefix first, ASCII-folded in
// a case-insensitive set. The folded keys are made once, so each comparison
// is one memcmp rather than a fold per byte, and all of them live in one
// buffer.
BlobWriter::Duplicate sort_byte_members(std::vector<size_t>& order, std::string& folded,
                                        std::vector<std::string_view>& keys,
                                        std::span<const std::string_view> members, bool fold) {
    if (!fold) {
        return sort_members(order, members.size(),
                            [&](size_t a, size_t b) { return members[a] < members[b]; });
    }
    folded.clear();
    for (const std::string_view member : members) {
        for (const char ch : member) {
            folded.push_back(static_cast<char>(format::fold_ascii(static_cast<uint8_t>(ch))));
        }
    }
    keys.clear();
    size_t at = 0;
    for (const std::string_view member : members) {
        keys.emplace_back(folded.data() + at, member.size());
        at += member.size();
    }
    return sort_members(order, members.size(),
                        [&](size_t a, size_t b) { return keys[a] < keys[b]; });
}

}  // namespace

BlobWriter::BlobWriter(const BlobHeaderFields& header) : header_(header) {}

void BlobWriter::reserve(size_t instances, size_t criteria, size_t /*pool_bytes*/) {
    instances_.reserve(instances);
    criteria_.reserve(criteria);
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
    Criterion& c = criteria_.emplace_back();
    c.field_index = at.field_index;
    c.group = at.group;
    c.op = op;
    c.kind = kind;
    c.flags = at.negate ? format::kFlagNegate : 0;
    c.value_count = value_count;
    c.name.assign(at.field);
    ++instances_.back().count;
    pool_size_ += static_cast<size_t>(format::align_up(c.name.size(), format::kPoolAlignment));
    return c;
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
    c.data.assign(value);
    pool_size_ += static_cast<size_t>(format::align_up(c.data.size(), format::kPoolAlignment));
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
    c.data.assign(ref_field);
    pool_size_ += static_cast<size_t>(format::align_up(c.data.size(), format::kPoolAlignment));
}

void BlobWriter::add_set(const CriterionPlace& at, Op op, Kind kind, size_t count, std::string data,
                         bool case_insensitive) {
    Criterion& c = add_criterion(at, op, kind, to_u32(count));
    if (case_insensitive) {
        c.flags |= format::kFlagCaseInsensitive;
    }
    c.data = std::move(data);
    pool_size_ += static_cast<size_t>(format::align_up(c.data.size(), format::kPoolAlignment));
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
    add_set(at, Op::in, kind, members.size(), std::move(data), false);
    return std::nullopt;
}

BlobWriter::Duplicate BlobWriter::add_byte_members(const CriterionPlace& at, Op op, Kind kind,
                                                   std::span<const std::string_view> members,
                                                   bool case_insensitive) {
    // The format's order; a case-insensitive set in folded order, so two
    // members that differ only in case are a duplicate.
    const auto duplicate = sort_byte_members(order_, folded_, keys_, members, case_insensitive);
    if (duplicate) {
        return duplicate;
    }
    std::string data;
    for (const size_t i : order_) {
        append_u32(data, to_u32(members[i].size()));
        data.append(members[i]);
        data.resize(static_cast<size_t>(format::align_up(data.size(), format::kByteSetAlignment)),
                    '\0');
    }
    add_set(at, op, kind, members.size(), std::move(data), case_insensitive);
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
    const auto duplicate = sort_byte_members(order_, folded_, keys_, patterns, case_insensitive);
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
        c.data.assign(patterns[0]);
        pool_size_ += static_cast<size_t>(format::align_up(c.data.size(), format::kPoolAlignment));
    } else if (add_byte_members(at, Op::regex, Kind::string, patterns, case_insensitive)) {
        core::contract_violation();  // Contract: distinct patterns.
    }
    Criterion& c = criteria_.back();
    c.program.assign(reinterpret_cast<const char*>(program.data()), program.size());
    pool_size_ += static_cast<size_t>(format::align_up(c.program.size(), format::kPoolAlignment));
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
    add_set(at, Op::in, Kind::ip, members.size(), std::move(data), false);
    return std::nullopt;
}

BlobWriter::Mark BlobWriter::mark() const noexcept {
    return Mark{instances_.size(), criteria_.size(), pool_size_};
}

void BlobWriter::rollback(const Mark& m) {
    if (m.instance_count > instances_.size() || m.criterion_count > criteria_.size() ||
        m.pool_size > pool_size_ ||
        (m.instance_count > 0 &&
         instances_[m.instance_count - 1].first + instances_[m.instance_count - 1].count <
             m.criterion_count)) {
        core::contract_violation();  // Contract: a mark of this writer, not rolled back past.
    }
    instances_.resize(m.instance_count);
    criteria_.resize(m.criterion_count);
    pool_size_ = m.pool_size;
    if (!instances_.empty()) {
        Instance& last = instances_.back();
        last.count = m.criterion_count - last.first;
    }
}

std::vector<uint8_t> BlobWriter::finish() {
    const size_t criteria_offset =
        format::kHeaderSize + instances_.size() * format::kInstanceRecordSize;
    const size_t pool_offset = criteria_offset + criteria_.size() * format::kCriterionRecordSize;
    const size_t total = pool_offset + pool_size_;

    std::vector<uint8_t> blob(total, 0);
    uint8_t* h = blob.data();
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
    store_u32(h + 68, to_u32(pool_size_));

    uint8_t* const pool = blob.data() + pool_offset;
    size_t pool_at = 0;
    const auto pool_item = [&](const std::string& bytes) {
        const auto start = static_cast<size_t>(format::align_up(pool_at, format::kPoolAlignment));
        std::memcpy(pool + start, bytes.data(), bytes.size());
        pool_at = start + bytes.size();
        return to_u32(start);
    };
    size_t record_index = 0;
    for (size_t i = 0; i < instances_.size(); ++i) {
        const Instance& instance = instances_[i];
        uint8_t* r = blob.data() + format::kHeaderSize + i * format::kInstanceRecordSize;
        store_u32(r, instance.fields.id);
        store_u32(r + 4, instance.fields.template_type_id);
        store_u32(r + 8, instance.fields.template_type_version);
        store_u32(r + 12, instance.fields.rule_id);
        store_u32(r + 16, to_u32(record_index));
        store_u32(r + 20, to_u32(instance.count));
        store_u16(r + 24, instance.fields.field_count);
        store_u16(r + 26, instance.fields.exclusion_count);

        // The canonical order: by (group, field_index), the caller's order
        // within one; stable_sort keeps it.
        order_.resize(instance.count);
        std::iota(order_.begin(), order_.end(), instance.first);
        std::stable_sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
            return std::pair(criteria_[a].group, criteria_[a].field_index) <
                   std::pair(criteria_[b].group, criteria_[b].field_index);
        });
        uint16_t next_group = 1;
        for (const size_t k : order_) {
            const Criterion& c = criteria_[k];
            if (c.group > next_group) {
                core::contract_violation();  // Contract: every exclusion has a criterion.
            }
            if (c.group == next_group) {
                ++next_group;
            }
            uint8_t* cr =
                blob.data() + criteria_offset + record_index * format::kCriterionRecordSize;
            store_u16(cr, c.field_index);
            cr[2] = static_cast<uint8_t>(c.op);
            cr[3] = static_cast<uint8_t>(c.kind);
            cr[4] = c.flags;
            cr[5] = c.prefix_len;
            store_u16(cr + 6, c.group);
            store_u32(cr + 8, pool_item(c.name));
            store_u32(cr + 12, to_u32(c.name.size()));
            if (format::encoding(c.op, c.kind).uses_pool) {
                store_u32(cr + 16, pool_item(c.data));
                store_u32(cr + 20, to_u32(c.data.size()));
            }
            if (c.op == Op::regex) {
                // Its place follows from the data's end; no field names it.
                static_cast<void>(pool_item(c.program));
            }
            store_u32(cr + 24, c.value_count);
            store_u16(cr + 28, c.ref_field_index);
            std::memcpy(cr + 32, c.inline_values.data(), c.inline_values.size());
            ++record_index;
        }
        if (next_group <= instance.fields.exclusion_count) {
            core::contract_violation();  // Contract: every exclusion has a criterion.
        }
    }
    if (static_cast<size_t>(format::align_up(pool_at, format::kPoolAlignment)) != pool_size_) {
        core::invariant_broken();  // pool_size_ counts what finish() lays out.
    }
    instances_ = {};
    criteria_ = {};
    pool_size_ = 0;
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
