// The writer: the one canonical encoding of docs/format.md. Everything it
// writes, read_blob accepts, and reencode() of what read_blob accepts gives
// back the same bytes; tests/format and the fuzzers hold it to both.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "ringward/compile.hpp"
#include "ringward/core/contract.hpp"

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

}  // namespace

struct BlobWriter::CriterionRecord {
    CriterionRecord(std::string_view field_name, Op op_code, Kind value_kind, uint32_t count)
        : field(field_name), op(op_code), kind(value_kind), value_count(count) {}

    std::string_view field;
    Op op = Op::wildcard;
    Kind kind = Kind::none;
    bool case_insensitive = false;
    uint8_t prefix_len = 0;
    uint32_t value_count = 0;
    uint64_t value0 = 0;
    uint64_t value1 = 0;
    // The 16 inline address bytes of a single IP value, or null.
    const uint8_t* ip = nullptr;
    bool has_data = false;
    std::string_view data;
};

BlobWriter::BlobWriter(const BlobHeaderFields& header) : header_(header) {}

void BlobWriter::reserve(size_t instances, size_t criteria, size_t pool_bytes) {
    instances_.reserve(instances * format::kInstanceRecordSize);
    criteria_.reserve(criteria * format::kCriterionRecordSize);
    pool_.reserve(pool_bytes);
}

void BlobWriter::add_instance(uint32_t id, uint32_t template_type_id,
                              uint32_t template_type_version) {
    if (has_instance_ && id <= last_id_) {
        core::contract_violation();  // Contract: ascending ids. compile() sorts and checks first.
    }
    has_instance_ = true;
    last_id_ = id;
    criteria_in_instance_ = 0;
    const size_t at = instances_.size();
    instances_.resize(at + format::kInstanceRecordSize);
    uint8_t* r = instances_.data() + at;
    store_u32(r, id);
    store_u32(r + 4, template_type_id);
    store_u32(r + 8, template_type_version);
    store_u32(r + 12, to_u32(criterion_count_));
    ++instance_count_;
}

uint32_t BlobWriter::add_pool_item(std::string_view bytes) {
    const auto start = static_cast<size_t>(format::align_up(pool_.size(), format::kPoolAlignment));
    pool_.resize(start, 0);
    pool_.insert(pool_.end(), bytes.begin(), bytes.end());
    return to_u32(start);
}

void BlobWriter::add_record(const CriterionRecord& c) {
    if (!has_instance_ || criteria_in_instance_ > UINT16_MAX) {
        core::contract_violation();  // Contract: criteria belong to an instance; field_index is a
                                     // u16.
    }
    const size_t at = criteria_.size();
    criteria_.resize(at + format::kCriterionRecordSize);
    uint8_t* r = criteria_.data() + at;
    store_u16(r, static_cast<uint16_t>(criteria_in_instance_));
    r[2] = static_cast<uint8_t>(c.op);
    r[3] = static_cast<uint8_t>(c.kind);
    r[4] = c.case_insensitive ? format::kFlagCaseInsensitive : 0;
    r[5] = c.prefix_len;
    store_u32(r + 8, add_pool_item(c.field));
    store_u32(r + 12, to_u32(c.field.size()));
    if (c.has_data) {
        store_u32(r + 16, add_pool_item(c.data));
        store_u32(r + 20, to_u32(c.data.size()));
    }
    store_u32(r + 24, c.value_count);
    if (c.ip != nullptr) {
        std::memcpy(r + 32, c.ip, format::kIpAddressSize);
    } else {
        store_u64(r + 32, c.value0);
        store_u64(r + 40, c.value1);
    }
    ++criteria_in_instance_;
    ++criterion_count_;
    store_u32(instances_.data() + instances_.size() - format::kInstanceRecordSize + 16,
              criteria_in_instance_);
}

void BlobWriter::add_wildcard(std::string_view field) {
    add_record(CriterionRecord(field, Op::wildcard, Kind::none, 0));
}

void BlobWriter::add_scalar(std::string_view field, Op op, Kind kind, uint64_t value) {
    CriterionRecord record(field, op, kind, 1);
    record.value0 = value;
    add_record(record);
}

void BlobWriter::add_range(std::string_view field, Kind kind, uint64_t low, uint64_t high) {
    CriterionRecord record(field, Op::range, kind, 2);
    record.value0 = low;
    record.value1 = high;
    add_record(record);
}

void BlobWriter::add_bytes(std::string_view field, Op op, Kind kind, std::string_view value,
                           bool case_insensitive) {
    CriterionRecord record(field, op, kind, 1);
    record.case_insensitive = case_insensitive;
    record.has_data = true;
    record.data = value;
    add_record(record);
}

void BlobWriter::add_ip(std::string_view field, Op op, const IpValue& value) {
    CriterionRecord record(field, op, Kind::ip, 1);
    record.prefix_len = value.prefix_len;
    record.ip = value.address.data();
    add_record(record);
}

void BlobWriter::add_set(std::string_view field, Kind kind, size_t count, std::string_view data,
                         bool case_insensitive) {
    CriterionRecord record(field, Op::in, kind, to_u32(count));
    record.case_insensitive = case_insensitive;
    record.has_data = true;
    record.data = data;
    add_record(record);
}

BlobWriter::Duplicate BlobWriter::add_scalar_set(std::string_view field, Kind kind,
                                                 std::span<const uint64_t> members) {
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
    add_set(field, kind, members.size(), data, false);
    return std::nullopt;
}

BlobWriter::Duplicate BlobWriter::add_byte_set(std::string_view field, Kind kind,
                                               std::span<const std::string_view> members,
                                               bool case_insensitive) {
    // The format's order; a case-insensitive set in folded order, so two
    // members that differ only in case are a duplicate.
    const auto as_bytes = [](std::string_view s) {
        return reinterpret_cast<const uint8_t*>(s.data());
    };
    const auto duplicate = sort_members(order_, members.size(), [&](size_t a, size_t b) {
        return format::compare_members(as_bytes(members[a]), to_u32(members[a].size()),
                                       as_bytes(members[b]), to_u32(members[b].size()),
                                       case_insensitive) < 0;
    });
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
    add_set(field, kind, members.size(), data, case_insensitive);
    return std::nullopt;
}

BlobWriter::Duplicate BlobWriter::add_ip_set(std::string_view field,
                                             std::span<const IpValue> members) {
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
    add_set(field, Kind::ip, members.size(), data, false);
    return std::nullopt;
}

BlobWriter::Mark BlobWriter::mark() const noexcept {
    return Mark{instances_.size(), criteria_.size(), pool_.size(), instance_count_,
                criterion_count_,  has_instance_,    last_id_,     criteria_in_instance_};
}

void BlobWriter::rollback(const Mark& m) {
    if (m.instance_bytes > instances_.size() || m.criterion_bytes > criteria_.size() ||
        m.pool_bytes > pool_.size() || m.instance_count > instance_count_ ||
        m.criterion_count > criterion_count_) {
        core::contract_violation();  // Contract: a mark of this writer, not rolled back past.
    }
    instances_.resize(m.instance_bytes);
    criteria_.resize(m.criterion_bytes);
    pool_.resize(m.pool_bytes);
    instance_count_ = m.instance_count;
    criterion_count_ = m.criterion_count;
    has_instance_ = m.has_instance;
    last_id_ = m.last_id;
    criteria_in_instance_ = m.criteria_in_instance;
}

std::vector<uint8_t> BlobWriter::finish() {
    pool_.resize(static_cast<size_t>(format::align_up(pool_.size(), format::kPoolAlignment)), 0);
    const size_t criteria_offset = format::kHeaderSize + instances_.size();
    const size_t pool_offset = criteria_offset + criteria_.size();
    const size_t total = pool_offset + pool_.size();

    std::vector<uint8_t> blob(format::kHeaderSize);
    blob.reserve(total);
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
    store_u32(h + 52, to_u32(instance_count_));
    store_u32(h + 56, to_u32(criteria_offset));
    store_u32(h + 60, to_u32(criterion_count_));
    store_u32(h + 64, to_u32(pool_offset));
    store_u32(h + 68, to_u32(pool_.size()));
    blob.insert(blob.end(), instances_.begin(), instances_.end());
    blob.insert(blob.end(), criteria_.begin(), criteria_.end());
    blob.insert(blob.end(), pool_.begin(), pool_.end());
    instances_ = {};
    criteria_ = {};
    pool_ = {};
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

void reencode_criterion(BlobWriter& writer, const format::CriterionView& c) {
    const std::string_view name = as_view(c.name());
    const Op op = c.op();
    const Kind kind = c.kind();
    BlobWriter::Duplicate duplicate;
    if (op == Op::wildcard) {
        writer.add_wildcard(name);
    } else if (op == Op::range) {
        writer.add_range(name, kind, c.value0(), c.value1());
    } else if (op == Op::in && kind == Kind::ip) {
        std::vector<IpValue> members;
        for (uint32_t i = 0; i < c.value_count(); ++i) {
            const uint8_t* m = c.ip_member(i);
            members.push_back(ip_from(m, m[format::kIpAddressSize]));
        }
        duplicate = writer.add_ip_set(name, members);
    } else if (op == Op::in && (kind == Kind::int64 || kind == Kind::uint64)) {
        std::vector<uint64_t> members;
        for (uint32_t i = 0; i < c.value_count(); ++i) {
            members.push_back(c.scalar_member(i));
        }
        duplicate = writer.add_scalar_set(name, kind, members);
    } else if (op == Op::in) {
        std::vector<std::string_view> members;
        format::ByteSetCursor cursor = c.byte_members();
        format::Bytes member;
        while (cursor.next(&member)) {
            members.push_back(as_view(member));
        }
        duplicate = writer.add_byte_set(name, kind, members, c.case_insensitive());
    } else if (kind == Kind::ip) {
        writer.add_ip(name, op, ip_from(c.ip_address(), c.prefix_len()));
    } else if (format::op_kind_uses_pool(op, kind)) {
        writer.add_bytes(name, op, kind, as_view(c.data()), c.case_insensitive());
    } else {
        writer.add_scalar(name, op, kind, c.value0());
    }
    if (duplicate) {
        core::invariant_broken();  // read_blob accepted strictly ascending sets: a broken
                                   // invariant.
    }
}

}  // namespace

std::vector<uint8_t> reencode(const format::BlobView& blob) {
    BlobWriter writer({.channel = blob.channel(),
                       .content_version = blob.content_version(),
                       .sensor_min = blob.sensor_min(),
                       .sensor_max = blob.sensor_max()});
    writer.reserve(blob.instance_count(), blob.criterion_count(), blob.pool_size());
    for (uint32_t i = 0; i < blob.instance_count(); ++i) {
        const format::InstanceView instance = blob.instance(i);
        writer.add_instance(instance.id(), instance.template_type_id(),
                            instance.template_type_version());
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            reencode_criterion(writer, instance.criterion(k));
        }
    }
    return writer.finish();
}

}  // namespace ringward
