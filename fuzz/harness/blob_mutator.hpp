// A structure-aware mutator for blobs. Byte-level mutation of a blob almost
// always breaks the header or a table offset first, so the reader's deep
// checks (sets, pool layout, IP host bits) would rarely be reached. This one
// understands the layout:
//
// - semantic edits: decode a valid blob, change what it says (a value, a set
//   member, an operator, an instance), and write it back canonically through
//   BlobWriter, giving a new valid blob;
// - field edits: set one field of one record or name table entry (at its
//   docs/format.md offset) to a boundary value, giving a blob that breaks
//   one rule deep inside;
// - pool edits: change one byte of the pool, where sets and names live;
// - and, for anything else, libFuzzer's own byte mutations.
#pragma once

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ringward/compile.hpp"
#include "ringward/format.hpp"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace ringward::fuzz {

using format::Kind;
using format::Op;

// A blob's content as values, for semantic edits.
struct ModelCriterion {
    std::string name;
    uint16_t field_index = 0;
    uint16_t group = 0;
    Op op = Op::exists;
    Kind kind = Kind::string;
    bool case_insensitive = false;
    bool negate = false;
    // A field reference: strings[0] is the other field's name.
    bool field_ref = false;
    uint16_t ref_field_index = 0;
    std::vector<uint64_t> scalars;
    std::vector<std::string> strings;
    std::vector<IpValue> ips;
};
struct ModelInstance {
    uint32_t id = 0;
    uint32_t type_id = 0;
    uint32_t type_version = 0;
    uint32_t rule_id = 0;
    uint16_t field_count = 1;
    uint16_t exclusion_count = 0;
    std::vector<ModelCriterion> criteria;
};
struct Model {
    BlobHeaderFields header;
    std::vector<ModelInstance> instances;
};

inline IpValue ip_at(const uint8_t* address, uint8_t prefix) {
    IpValue ip;
    std::memcpy(ip.address.data(), address, 16);
    ip.prefix_len = prefix;
    return ip;
}

inline std::string text_of(format::Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data), bytes.size};
}

inline Model decode(const format::BlobView& view) {
    Model model;
    model.header = {view.channel(), view.content_version(), view.sensor_min(), view.sensor_max()};
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const format::InstanceView in = view.instance(i);
        ModelInstance instance{in.id(),
                               in.template_type_id(),
                               in.template_type_version(),
                               in.rule_id(),
                               in.field_count(),
                               in.exclusion_count(),
                               {}};
        for (uint32_t k = 0; k < in.criterion_count(); ++k) {
            const format::CriterionView c = in.criterion(k);
            ModelCriterion m;
            m.name = text_of(c.name());
            m.field_index = c.field_index();
            m.group = c.group();
            m.op = c.op();
            m.kind = c.kind();
            m.case_insensitive = c.case_insensitive();
            m.negate = c.negated();
            m.field_ref = c.is_field_ref();
            m.ref_field_index = c.ref_field_index();
            const bool set =
                m.op == Op::in || (format::encoding(m.op, m.kind).any_of && c.value_count() >= 2);
            if (m.field_ref) {
                m.strings.push_back(text_of(c.data()));
            } else if (set && (m.kind == Kind::int64 || m.kind == Kind::uint64)) {
                for (uint32_t v = 0; v < c.value_count(); ++v) {
                    m.scalars.push_back(c.scalar_member(v));
                }
            } else if (set && m.kind == Kind::ip) {
                for (uint32_t v = 0; v < c.value_count(); ++v) {
                    m.ips.push_back(ip_at(c.ip_member(v), c.ip_member(v)[16]));
                }
            } else if (set) {
                format::ByteSetCursor cursor = c.byte_members();
                format::Bytes member;
                while (cursor.next(&member)) {
                    m.strings.push_back(text_of(member));
                }
            } else if (m.op == Op::range) {
                m.scalars = {c.value0(), c.value1()};
            } else if (m.op == Op::exists || m.op == Op::empty) {
            } else if (m.kind == Kind::ip) {
                m.ips.push_back(ip_at(c.ip_address(), c.prefix_len()));
            } else if (format::op_kind_uses_pool(m.op, m.kind)) {
                m.strings.push_back(text_of(c.data()));
            } else {
                m.scalars.push_back(c.value0());
            }
            instance.criteria.push_back(std::move(m));
        }
        model.instances.push_back(std::move(instance));
    }
    return model;
}

// Whether the writer's contract holds for `c` in `instance`: what an edit
// may break and the writer would stop the program over.
inline bool encodable(const ModelInstance& instance, const ModelCriterion& c) {
    const format::Encoding e = format::encoding(c.op, c.kind);
    if (c.name.empty() || !e.valid || c.field_index >= instance.field_count ||
        c.group > instance.exclusion_count || (c.case_insensitive && !e.case_flag_allowed)) {
        return false;
    }
    if (c.field_ref) {
        return format::op_takes_field_ref(c.op, c.kind) && c.strings.size() == 1 &&
               !c.strings[0].empty() && c.ref_field_index != c.field_index &&
               c.ref_field_index < instance.field_count;
    }
    return true;
}

// Writes the model canonically; false when an edit made it unencodable
// (duplicate set members, a wrong value count, an exclusion left empty), so
// the caller tries another.
inline bool encode(Model& model, std::vector<uint8_t>* out) {
    std::sort(model.instances.begin(), model.instances.end(),
              [](const ModelInstance& a, const ModelInstance& b) { return a.id < b.id; });
    for (size_t i = 1; i < model.instances.size(); ++i) {
        if (model.instances[i].id == model.instances[i - 1].id) {
            return false;
        }
    }
    BlobWriter writer(model.header);
    for (const ModelInstance& instance : model.instances) {
        if (instance.field_count == 0) {
            return false;
        }
        std::vector<bool> group_used(size_t{instance.exclusion_count} + 1, false);
        writer.add_instance({instance.id, instance.type_id, instance.type_version, instance.rule_id,
                             instance.field_count, instance.exclusion_count});
        for (const ModelCriterion& c : instance.criteria) {
            if (!encodable(instance, c)) {
                return false;
            }
            group_used[c.group] = true;
            const CriterionPlace at{c.name, c.field_index, c.group, c.negate};
            const format::Encoding e = format::encoding(c.op, c.kind);
            if (c.field_ref) {
                writer.add_field_ref(at, c.op, c.kind, c.strings[0], c.ref_field_index,
                                     c.case_insensitive);
            } else if (c.op == Op::exists || c.op == Op::empty) {
                writer.add_valueless(at, c.op, c.kind);
            } else if (c.op == Op::regex) {
                // The program is compiled afresh from the edited patterns.
                std::vector<std::string_view> views(c.strings.begin(), c.strings.end());
                if (views.empty() || writer.add_regex(at, views, c.case_insensitive)) {
                    return false;
                }
            } else if (c.op == Op::in || e.any_of) {
                std::vector<std::string_view> views(c.strings.begin(), c.strings.end());
                const bool scalar = c.kind == Kind::int64 || c.kind == Kind::uint64;
                const size_t count = scalar               ? c.scalars.size()
                                     : c.kind == Kind::ip ? c.ips.size()
                                                          : views.size();
                if (count == 0) {
                    return false;
                }
                const auto duplicate =
                    e.any_of ? writer.add_any_of(at, c.op, c.kind, views, c.case_insensitive)
                    : scalar ? writer.add_scalar_set(at, c.kind, c.scalars)
                    : c.kind == Kind::ip
                        ? writer.add_ip_set(at, c.ips)
                        : writer.add_byte_set(at, c.kind, views, c.case_insensitive);
                if (duplicate) {
                    return false;
                }
            } else if (c.op == Op::range) {
                if (c.scalars.size() != 2) {
                    return false;
                }
                writer.add_range(at, c.kind, c.scalars[0], c.scalars[1]);
            } else if (c.kind == Kind::ip) {
                if (c.ips.size() != 1 ||
                    (c.op != Op::cidr_contains && c.ips[0].prefix_len != 128)) {
                    return false;
                }
                writer.add_ip(at, c.op, c.ips[0]);
            } else if (e.uses_pool) {
                if (c.strings.size() != 1) {
                    return false;
                }
                writer.add_bytes(at, c.op, c.kind, c.strings[0], c.case_insensitive);
            } else {
                if (c.scalars.size() != 1 || (c.kind == Kind::boolean && c.scalars[0] > 1)) {
                    return false;
                }
                writer.add_scalar(at, c.op, c.kind, c.scalars[0]);
            }
        }
        for (size_t g = 1; g < group_used.size(); ++g) {
            if (!group_used[g]) {
                return false;  // the writer requires each exclusion to have a criterion
            }
        }
    }
    *out = writer.finish();
    return true;
}

inline uint64_t interesting(std::minstd_rand& rng, uint64_t current) {
    static constexpr uint64_t kValues[] = {0,
                                           1,
                                           2,
                                           7,
                                           8,
                                           0x7f,
                                           0x80,
                                           0xff,
                                           0x100,
                                           0x7fff,
                                           0x8000,
                                           0xffff,
                                           0x10000,
                                           0x7fffffff,
                                           0x80000000,
                                           0xfffffff0,
                                           0xffffffff,
                                           0x100000000,
                                           UINT64_MAX,
                                           UINT64_MAX - 1,
                                           0x8000000000000000};
    switch (rng() % 4) {
        case 0:
            return current + 1;
        case 1:
            return current - 1;
        case 2:
            return rng();
        default:
            return kValues[rng() % (sizeof(kValues) / sizeof(kValues[0]))];
    }
}

// One semantic edit of the model.
inline void edit(Model& model, std::minstd_rand& rng) {
    if (model.instances.empty() || rng() % 16 == 0) {
        switch (rng() % 4) {
            case 0:
                model.header.channel =
                    static_cast<uint32_t>(interesting(rng, model.header.channel));
                break;
            case 1:
                model.header.content_version = interesting(rng, model.header.content_version);
                break;
            case 2:
                model.header.sensor_min = interesting(rng, model.header.sensor_min);
                break;
            default:
                model.header.sensor_max = interesting(rng, model.header.sensor_max);
        }
        if (!model.instances.empty()) {
            return;
        }
        model.instances.push_back({1, 1, 1, 0, 1, 0, {}});
        return;
    }
    ModelInstance& instance = model.instances[rng() % model.instances.size()];
    const unsigned what = rng() % 17;
    if (what == 0) {
        ModelInstance copy = instance;
        copy.id = static_cast<uint32_t>(interesting(rng, copy.id));
        model.instances.push_back(std::move(copy));
        return;
    }
    if (what == 1 && model.instances.size() > 1) {
        model.instances.erase(model.instances.begin() +
                              static_cast<long>(&instance - model.instances.data()));
        return;
    }
    if (what == 2) {
        instance.type_version = static_cast<uint32_t>(interesting(rng, instance.type_version));
        return;
    }
    if (what == 12) {
        instance.field_count = static_cast<uint16_t>(interesting(rng, instance.field_count));
        return;
    }
    if (what == 13) {
        instance.rule_id = static_cast<uint32_t>(interesting(rng, instance.rule_id));
        return;
    }
    if (instance.criteria.empty() || what == 3) {
        ModelCriterion c;
        c.field_index = static_cast<uint16_t>(rng() % instance.field_count);
        c.name = "f" + std::to_string(c.field_index);
        if (rng() % 4 == 0) {
            // A new exclusion, with this criterion its first.
            c.group = ++instance.exclusion_count;
        }
        instance.criteria.push_back(std::move(c));
        return;
    }
    const size_t k = rng() % instance.criteria.size();
    ModelCriterion& c = instance.criteria[k];
    switch (what) {
        case 4:
            instance.criteria.erase(instance.criteria.begin() + static_cast<long>(k));
            return;
        case 5:
            c.op = static_cast<Op>(rng() % format::kOpCount);
            return;
        case 6:
            c.kind = static_cast<Kind>(rng() % format::kKindCount);
            return;
        case 7:
            c.case_insensitive = !c.case_insensitive;
            return;
        case 14:
            c.negate = !c.negate;
            return;
        case 15:
            c.field_ref = !c.field_ref;
            c.ref_field_index = static_cast<uint16_t>(rng() % instance.field_count);
            if (c.strings.empty()) {
                c.strings.push_back("f" + std::to_string(c.ref_field_index));
            }
            return;
        case 16:
            c.field_index = static_cast<uint16_t>(interesting(rng, c.field_index));
            return;
        case 8:
            if (!c.scalars.empty()) {
                uint64_t& v = c.scalars[rng() % c.scalars.size()];
                v = interesting(rng, v);
            } else if (!c.ips.empty()) {
                IpValue& ip = c.ips[rng() % c.ips.size()];
                ip.address[rng() % 16] = static_cast<uint8_t>(rng());
            }
            return;
        case 9:
            if (!c.strings.empty()) {
                std::string& s = c.strings[rng() % c.strings.size()];
                if (s.empty() || rng() % 2 == 0) {
                    s.push_back(static_cast<char>(rng()));
                } else {
                    s[rng() % s.size()] = static_cast<char>(rng());
                }
            }
            return;
        case 10:
            if (c.op == Op::in || format::encoding(c.op, c.kind).any_of) {
                if (!c.scalars.empty()) {
                    c.scalars.push_back(interesting(rng, c.scalars.back()));
                } else if (!c.strings.empty()) {
                    c.strings.push_back(c.strings.back() + static_cast<char>(rng()));
                } else if (!c.ips.empty()) {
                    IpValue ip = c.ips.back();
                    ip.address[15] = static_cast<uint8_t>(ip.address[15] + 1);
                    c.ips.push_back(ip);
                }
            }
            return;
        default:
            c.name.push_back(static_cast<char>('a' + rng() % 26));
    }
}

// Offsets (within a record) and widths of every field, from docs/format.md.
struct FieldSpot {
    uint8_t offset;
    uint8_t width;
};
inline constexpr FieldSpot kHeaderFields[] = {{8, 2},  {10, 2}, {12, 4}, {16, 4}, {20, 4}, {24, 8},
                                              {32, 8}, {40, 8}, {48, 4}, {52, 4}, {56, 4}, {60, 4},
                                              {64, 4}, {68, 4}, {72, 4}, {76, 4}};
inline constexpr FieldSpot kInstanceFields[] = {{0, 4},  {4, 4},  {8, 4},  {12, 4}, {16, 4},
                                                {20, 4}, {24, 2}, {26, 2}, {28, 4}};
inline constexpr FieldSpot kCriterionFields[] = {{0, 2},  {2, 1},  {3, 1},  {4, 1},  {5, 1},
                                                 {6, 2},  {8, 4},  {12, 4}, {16, 4}, {20, 4},
                                                 {24, 4}, {28, 2}, {30, 2}, {32, 8}, {40, 8}};
inline constexpr FieldSpot kNameEntryFields[] = {{0, 4}, {4, 4}, {8, 4}};

inline void store(uint8_t* at, uint8_t width, uint64_t value) {
    for (uint8_t i = 0; i < width; ++i) {
        at[i] = static_cast<uint8_t>(value >> (8 * i));
    }
}
inline uint64_t load(const uint8_t* at, uint8_t width) {
    uint64_t value = 0;
    for (uint8_t i = 0; i < width; ++i) {
        value |= uint64_t{at[i]} << (8 * i);
    }
    return value;
}

// Sets one field of one record of a valid blob to a boundary value.
inline void corrupt_field(std::vector<uint8_t>& blob, const format::BlobView& view,
                          std::minstd_rand& rng) {
    const FieldSpot* spot = nullptr;
    size_t record = 0;
    const unsigned where = rng() % 8;
    if (where == 0 || view.instance_count() == 0) {
        spot = &kHeaderFields[rng() % std::size(kHeaderFields)];
    } else if (where == 7 && view.name_count() > 0) {
        record =
            size_t{view.pool_offset()} + size_t{rng() % view.name_count()} * format::kNameEntrySize;
        spot = &kNameEntryFields[rng() % std::size(kNameEntryFields)];
    } else if (where < 3 || view.criterion_count() == 0) {
        record = format::kHeaderSize +
                 size_t{rng() % view.instance_count()} * format::kInstanceRecordSize;
        spot = &kInstanceFields[rng() % std::size(kInstanceFields)];
    } else {
        const format::InstanceView instance = view.instance(rng() % view.instance_count());
        if (instance.criterion_count() == 0) {
            return;
        }
        record = instance.criterion(rng() % instance.criterion_count()).record_offset();
        spot = &kCriterionFields[rng() % std::size(kCriterionFields)];
    }
    uint8_t* at = blob.data() + record + spot->offset;
    store(at, spot->width, interesting(rng, load(at, spot->width)));
}

inline size_t mutate_blob(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
    std::minstd_rand rng(seed);
    format::BlobView view;
    if (!format::read_blob(data, size, format::Limits{}, &view).ok() || rng() % 8 == 0) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    std::vector<uint8_t> out(data, data + size);
    switch (rng() % 3) {
        case 0: {
            Model model = decode(view);
            for (unsigned tries = 0; tries < 8; ++tries) {
                Model edited = model;
                edit(edited, rng);
                if (encode(edited, &out)) {
                    break;
                }
                out.assign(data, data + size);
            }
            break;
        }
        case 1:
            corrupt_field(out, view, rng);
            break;
        default:
            if (view.pool_size() > 0) {
                out[view.pool_offset() + rng() % view.pool_size()] = static_cast<uint8_t>(rng());
            }
    }
    if (out.size() > max_size) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    std::memcpy(data, out.data(), out.size());
    return out.size();
}

}  // namespace ringward::fuzz
