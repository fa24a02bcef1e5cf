#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <vector>

#include "ringward/compile.hpp"
#include "ringward/json_writer.hpp"

namespace ringward {
namespace {

using format::Kind;
using format::Op;

std::string quoted(std::string_view text) {
    std::string out;
    util::append_quoted(out, text, util::EscapeStyle::c);
    return out;
}

std::string byte_value(Kind kind, format::Bytes bytes) {
    const std::string_view view(reinterpret_cast<const char*>(bytes.data), bytes.size);
    switch (kind) {
        case Kind::bytes:
            return "0x" + util::to_hex(view);
        case Kind::enumeration:
            return std::string(view);
        default:
            return quoted(view);
    }
}

std::string scalar_value(Kind kind, uint64_t value) {
    switch (kind) {
        case Kind::int64:
            return std::to_string(static_cast<int64_t>(value));
        case Kind::boolean:
            return value != 0 ? "true" : "false";
        default:
            return std::to_string(value);
    }
}

IpValue ip_value(const uint8_t* address, uint8_t prefix_len) {
    IpValue ip;
    std::memcpy(ip.address.data(), address, ip.address.size());
    ip.prefix_len = prefix_len;
    return ip;
}

}  // namespace

std::string describe_criterion(const format::CriterionView& c) {
    const Op op = c.op();
    const Kind kind = c.kind();
    // eq negated is spelled ne, as content may write it; any other negated
    // operator reads "not ...".
    std::string out = c.negated() && op == Op::eq ? std::string("ne")
                      : c.negated()               ? fmt::format("not {}", format::op_name(op))
                                                  : std::string(format::op_name(op));
    if (c.case_insensitive()) {
        out += " (case-insensitive)";
    }
    if (c.is_field_ref()) {
        const format::Bytes target = c.data();
        return fmt::format(
            "{} field {}", out,
            std::string_view(reinterpret_cast<const char*>(target.data), target.size));
    }
    switch (op) {
        case Op::exists:
        case Op::empty:
            return out;
        case Op::range:
            return out + " " + scalar_value(kind, c.value0()) + ".." +
                   scalar_value(kind, c.value1());
        default:
            break;
    }
    // in's set, or the several values of a string match (any of them).
    const bool any_of = op != Op::in && format::op_is_string_match(op) && c.value_count() >= 2;
    if (op == Op::in || any_of) {
        std::vector<std::string> members;
        if (kind == Kind::int64 || kind == Kind::uint64) {
            for (uint32_t i = 0; i < c.value_count(); ++i) {
                members.push_back(scalar_value(kind, c.scalar_member(i)));
            }
        } else if (kind == Kind::ip) {
            for (uint32_t i = 0; i < c.value_count(); ++i) {
                const uint8_t* m = c.ip_member(i);
                members.push_back(format_ip(ip_value(m, m[format::kIpAddressSize])));
            }
        } else {
            format::ByteSetCursor cursor = c.byte_members();
            format::Bytes member;
            while (cursor.next(&member)) {
                members.push_back(byte_value(kind, member));
            }
        }
        return fmt::format("{}{} {{{}}}", out, any_of ? " any of" : "", fmt::join(members, ", "));
    }
    if (kind == Kind::ip) {
        return out + " " + format_ip(ip_value(c.ip_address(), c.prefix_len()));
    }
    if (format::op_kind_uses_pool(op, kind)) {
        return out + " " + byte_value(kind, c.data());
    }
    return out + " " + scalar_value(kind, c.value0());
}

}  // namespace ringward
