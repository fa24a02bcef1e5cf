// IP text to the blob's 16-byte form and back. inet_pton does the address
// syntax (strict dotted quad for IPv4, RFC 4291 text for IPv6); the prefix
// and the host-bit rule are ours.
#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "ringward/compile.hpp"

namespace ringward {
namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr uint8_t kV4MappedBits = 96;

bool is_v4_mapped(const std::array<uint8_t, 16>& address) {
    return std::memcmp(address.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0;
}

// Decimal without sign or leading zeros, at most `max`.
std::optional<uint8_t> parse_prefix(std::string_view text, unsigned max) {
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > max) {
        return std::nullopt;
    }
    return static_cast<uint8_t>(value);
}

bool host_bits_zero(const std::array<uint8_t, 16>& address, unsigned prefix) {
    for (unsigned bit = prefix; bit < 128; ++bit) {
        if ((address[bit / 8] >> (7 - bit % 8)) & 1) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<IpValue> parse_ip(std::string_view text, bool allow_network) noexcept {
    // INET6_ADDRSTRLEN (46) covers the longest address text; refuse longer
    // input before copying it into the NUL-terminated buffer inet_pton needs.
    // inet_pton stops at a NUL, so one inside the text would let whatever
    // follows it through unread ("10.0.0.1\0junk"): refuse that too.
    const size_t slash = text.find('/');
    const std::string_view address_text = text.substr(0, slash);
    if (address_text.empty() || address_text.size() >= INET6_ADDRSTRLEN ||
        address_text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    char buffer[INET6_ADDRSTRLEN] = {};
    std::memcpy(buffer, address_text.data(), address_text.size());

    IpValue ip;
    bool v4 = false;
    uint8_t v4_bytes[4];
    if (inet_pton(AF_INET, buffer, v4_bytes) == 1) {
        v4 = true;
        std::memcpy(ip.address.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix));
        std::memcpy(ip.address.data() + 12, v4_bytes, sizeof(v4_bytes));
    } else if (inet_pton(AF_INET6, buffer, ip.address.data()) != 1) {
        return std::nullopt;
    }
    ip.prefix_len = 128;
    if (slash != std::string_view::npos) {
        if (!allow_network) {
            return std::nullopt;
        }
        const auto prefix = parse_prefix(text.substr(slash + 1), v4 ? 32 : 128);
        if (!prefix) {
            return std::nullopt;
        }
        ip.prefix_len = static_cast<uint8_t>(v4 ? *prefix + kV4MappedBits : *prefix);
        if (!host_bits_zero(ip.address, ip.prefix_len)) {
            return std::nullopt;
        }
    }
    return ip;
}

std::string format_ip(const IpValue& ip) {
    char buffer[INET6_ADDRSTRLEN] = {};
    const bool v4 = is_v4_mapped(ip.address) && ip.prefix_len >= kV4MappedBits;
    if (v4) {
        inet_ntop(AF_INET, ip.address.data() + 12, buffer, sizeof(buffer));
    } else {
        inet_ntop(AF_INET6, ip.address.data(), buffer, sizeof(buffer));
    }
    std::string out(buffer);
    if (ip.prefix_len != 128) {
        out += '/';
        out += std::to_string(v4 ? ip.prefix_len - kV4MappedBits : ip.prefix_len);
    }
    return out;
}

}  // namespace ringward
