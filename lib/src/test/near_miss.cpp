// Near-miss values (docs/testing.md, "Near misses"). Nothing here decides
// whether a criterion holds: the interpreter does, on the event each value
// makes. These are only the places worth looking, so that a criterion that
// matters is shown to matter within a few interpreter runs.
#include "test/near_miss.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <string_view>

namespace ringward::test_detail {
namespace {

using format::Kind;
using format::Op;

// A byte that differs from `b` also after ASCII folding, and is no letter,
// so that a case-insensitive comparison sees the change too.
char changed(char b) {
    return b == '#' ? '%' : '#';
}

std::string as_string(format::Bytes bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data), bytes.size);
}

class Collector {
  public:
    Collector(Kind kind, const ringward_input& current, uint32_t limit)
        : kind_(kind), current_(current), limit_(limit) {}

    bool full() const { return out_.size() >= limit_; }

    void absent() { add(NearMissValue{}); }
    void number(uint64_t n) {
        NearMissValue v;
        v.present = true;
        v.number = n;
        add(std::move(v));
    }
    void bytes(std::string b) {
        NearMissValue v;
        v.present = true;
        v.bytes = std::move(b);
        add(std::move(v));
    }
    void address(const std::array<uint8_t, 16>& a) {
        NearMissValue v;
        v.present = true;
        v.address = a;
        add(std::move(v));
    }
    std::vector<NearMissValue> take() { return std::move(out_); }

  private:
    bool numeric() const {
        return kind_ == Kind::int64 || kind_ == Kind::uint64 || kind_ == Kind::boolean;
    }
    std::string key(const NearMissValue& v) const {
        if (!v.present) {
            return "-";
        }
        if (numeric()) {
            return "n" + std::to_string(v.number);
        }
        if (kind_ == Kind::ip) {
            return "a" + std::string(v.address.begin(), v.address.end());
        }
        return "b" + v.bytes;
    }
    std::string current_key() const {
        NearMissValue v;
        v.present = current_.present != 0;
        v.number = current_.number;
        if (current_.size > 0) {
            v.bytes.assign(reinterpret_cast<const char*>(current_.data), current_.size);
        }
        std::copy(std::begin(current_.address), std::end(current_.address), v.address.begin());
        return key(v);
    }
    void add(NearMissValue v) {
        if (full()) {
            return;
        }
        std::string k = key(v);
        if (k == current_key() || !seen_.insert(std::move(k)).second) {
            return;
        }
        out_.push_back(std::move(v));
    }

    Kind kind_;
    const ringward_input& current_;
    uint32_t limit_;
    std::set<std::string> seen_;
    std::vector<NearMissValue> out_;
};

// Set members looked at: the first few are enough to step just inside and
// just outside the set.
constexpr uint32_t kMembersLooked = 16;

void numbers(const format::CriterionView& c, const ringward_input& current, Collector& out) {
    const bool is_signed = c.kind() == Kind::int64;
    const auto neighbours = [&](uint64_t x) {
        out.number(x);
        if (is_signed) {
            const auto s = static_cast<int64_t>(x);
            if (s != std::numeric_limits<int64_t>::min()) {
                out.number(static_cast<uint64_t>(s - 1));
            }
            if (s != std::numeric_limits<int64_t>::max()) {
                out.number(static_cast<uint64_t>(s + 1));
            }
        } else {
            if (x != 0) {
                out.number(x - 1);
            }
            if (x != std::numeric_limits<uint64_t>::max()) {
                out.number(x + 1);
            }
        }
    };
    switch (c.op()) {
        case Op::eq:
        case Op::lt:
        case Op::le:
        case Op::gt:
        case Op::ge:
            neighbours(c.value0());
            break;
        case Op::range:
            neighbours(c.value0());
            neighbours(c.value1());
            break;
        case Op::in:
            for (uint32_t i = 0; i < std::min(c.value_count(), kMembersLooked); ++i) {
                neighbours(c.scalar_member(i));
            }
            break;
        default:
            break;
    }
    if (current.present != 0) {
        neighbours(current.number);
    }
    out.number(0);
    if (is_signed) {
        out.number(static_cast<uint64_t>(std::numeric_limits<int64_t>::min()));
        out.number(static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
    } else {
        out.number(std::numeric_limits<uint64_t>::max());
    }
}

// 128-bit big-endian increment and decrement, wrapping.
std::array<uint8_t, 16> step(std::array<uint8_t, 16> a, bool up) {
    for (size_t i = a.size(); i-- > 0;) {
        const uint8_t before = a[i];
        a[i] = static_cast<uint8_t>(up ? before + 1 : before - 1);
        if ((up && before != 0xFF) || (!up && before != 0x00)) {
            break;
        }
    }
    return a;
}

void network(const uint8_t* address, uint8_t prefix, Collector& out) {
    std::array<uint8_t, 16> start{};
    std::array<uint8_t, 16> end{};
    for (size_t i = 0; i < 16; ++i) {
        const int bits = std::clamp(static_cast<int>(prefix) - static_cast<int>(8 * i), 0, 8);
        const auto mask = static_cast<uint8_t>(bits == 0 ? 0 : (0xFF << (8 - bits)) & 0xFF);
        start[i] = static_cast<uint8_t>(address[i] & mask);
        end[i] = static_cast<uint8_t>(address[i] | static_cast<uint8_t>(~mask));
    }
    out.address(start);
    out.address(end);
    out.address(step(start, false));
    out.address(step(end, true));
}

void ips(const format::CriterionView& c, const ringward_input& current, Collector& out) {
    if (c.op() == Op::eq || c.op() == Op::cidr_contains) {
        network(c.ip_address(), c.op() == Op::eq ? format::kIpMaxPrefix : c.prefix_len(), out);
    } else if (c.op() == Op::in) {
        for (uint32_t i = 0; i < std::min(c.value_count(), kMembersLooked); ++i) {
            const uint8_t* member = c.ip_member(i);
            network(member, member[format::kIpAddressSize], out);
        }
    }
    if (current.present != 0) {
        std::array<uint8_t, 16> a{};
        std::copy(std::begin(current.address), std::end(current.address), a.begin());
        a[15] = static_cast<uint8_t>(a[15] ^ 1);
        out.address(a);
    }
}

// A value the glob pattern matches: '*' as nothing, '?' and a class as one
// character of it, escapes as the character.
std::string glob_example(std::string_view pattern) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char ch = pattern[i];
        if (ch == '\\' && i + 1 < pattern.size()) {
            out += pattern[++i];
        } else if (ch == '*') {
            continue;
        } else if (ch == '?') {
            out += 'a';
        } else if (ch == '[') {
            const size_t close = pattern.find(']', i + 2);
            if (close == std::string_view::npos) {
                out += ch;
                continue;
            }
            const bool negated = pattern[i + 1] == '!';
            out += negated ? '#' : pattern[i + 1];
            i = close;
        } else {
            out += ch;
        }
    }
    return out;
}

bool equal_at(std::string_view value, size_t at, std::string_view operand, bool fold) {
    for (size_t k = 0; k < operand.size(); ++k) {
        const auto a = static_cast<uint8_t>(value[at + k]);
        const auto b = static_cast<uint8_t>(operand[k]);
        if ((fold ? format::fold_ascii(a) : a) != (fold ? format::fold_ascii(b) : b)) {
            return false;
        }
    }
    return true;
}

// `value` with the first byte of every occurrence of `operand` changed.
std::string broken(std::string value, std::string_view operand, bool fold) {
    if (operand.empty()) {
        return value;
    }
    for (size_t at = 0; at + operand.size() <= value.size(); ++at) {
        if (equal_at(value, at, operand, fold)) {
            value[at] = changed(value[at]);
        }
    }
    return value;
}

std::string swapped_case(std::string value) {
    for (char& ch : value) {
        if (ch >= 'a' && ch <= 'z') {
            ch = static_cast<char>(ch - 'a' + 'A');
        } else if (ch >= 'A' && ch <= 'Z') {
            ch = static_cast<char>(ch - 'A' + 'a');
        }
    }
    return value;
}

void byte_strings(const format::CriterionView& c, const ringward_input& current,
                  const ringward_input* reference, const FieldSpec* field, Collector& out) {
    std::vector<std::string> operands;
    if (c.is_field_ref()) {
        if (reference != nullptr && reference->present != 0 && reference->size > 0) {
            operands.emplace_back(reinterpret_cast<const char*>(reference->data), reference->size);
        } else if (reference != nullptr && reference->present != 0) {
            operands.emplace_back();
        }
    } else if (c.op() == Op::in || c.value_count() >= 2) {
        format::ByteSetCursor members = c.byte_members();
        format::Bytes member;
        while (operands.size() < kMembersLooked && members.next(&member)) {
            operands.push_back(as_string(member));
        }
    } else if (c.value_count() == 1) {
        operands.push_back(as_string(c.data()));
    }
    if (c.kind() == Kind::enumeration && field != nullptr) {
        for (const std::string& member : field->enum_members) {
            out.bytes(member);
        }
    }
    if (c.op() == Op::empty) {
        out.bytes("");
        out.bytes("#");
    }
    const bool fold = c.case_insensitive();
    for (const std::string& o : operands) {
        if (c.op() == Op::glob) {
            out.bytes(glob_example(o));
        } else if (c.op() != Op::regex) {
            out.bytes(o);
        }
    }
    for (const std::string& o : operands) {
        if (!o.empty()) {
            std::string last = o;
            last.back() = changed(last.back());
            out.bytes(std::move(last));
            std::string first = o;
            first.front() = changed(first.front());
            out.bytes(std::move(first));
        }
    }
    if (current.present != 0) {
        const std::string value =
            current.size > 0
                ? std::string(reinterpret_cast<const char*>(current.data), current.size)
                : std::string();
        std::string all = value;
        for (const std::string& o : operands) {
            out.bytes(broken(value, o, fold));
            all = broken(std::move(all), o, fold);
        }
        out.bytes(all);
        if (!value.empty()) {
            std::string first = value;
            first.front() = changed(first.front());
            out.bytes(std::move(first));
            std::string last = value;
            last.back() = changed(last.back());
            out.bytes(std::move(last));
            out.bytes(value.substr(0, value.size() - 1));
            out.bytes(value.substr(1));
        }
        out.bytes(value + "#");
        out.bytes("#" + value);
        out.bytes(swapped_case(value));
        for (const std::string& o : operands) {
            out.bytes(value + o);
            out.bytes(o + value);
        }
        out.bytes("");
        // What is left of the budget goes to one changed byte at a time:
        // where a regular expression's match lies is not known from here.
        for (size_t i = 0; i < value.size() && !out.full(); ++i) {
            std::string one = value;
            one[i] = changed(one[i]);
            out.bytes(std::move(one));
        }
    } else {
        out.bytes("");
    }
}

}  // namespace

std::vector<NearMissValue> near_miss_values(const format::CriterionView& criterion,
                                            const ringward_input& current,
                                            const ringward_input* reference, const FieldSpec* field,
                                            uint32_t limit) {
    Collector out(criterion.kind(), current, limit);
    if (criterion.op() == Op::exists) {
        // Presence is what exists tests; its flip is the input coming or
        // going, whatever its value.
        if (current.present != 0) {
            out.absent();
        }
    }
    switch (criterion.kind()) {
        case Kind::int64:
        case Kind::uint64:
            numbers(criterion, current, out);
            break;
        case Kind::boolean:
            out.number(0);
            out.number(1);
            break;
        case Kind::ip:
            ips(criterion, current, out);
            out.address({});
            break;
        case Kind::string:
        case Kind::bytes:
        case Kind::enumeration:
            byte_strings(criterion, current, reference, field, out);
            break;
        case Kind::none:
            break;
    }
    return out.take();
}

}  // namespace ringward::test_detail
