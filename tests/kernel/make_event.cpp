// tests/kernel/run's host tool: writes one event in the wire encoding
// (docs/event-wire.md) with ringward::encode_event, for the guest to hand
// to /dev/ringward-eval.
//
//   make-event OUT TEMPLATE_ID TEMPLATE_VERSION INPUT...
//
// INPUT is TYPE:VALUE for a present input (uint:42, int:-3, bool:1,
// string:TEXT, enum:NAME, bytes:HEX, ip:ADDRESS) or TYPE:- for an absent
// one. OUT is written whole or not at all (a temporary file, renamed).
// Exit status 0, or 2 with a message for a bad argument or a failed write.
#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "ringward/event_wire.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "make-event: %s\n", what.c_str());
    std::exit(2);
}

uint64_t number(const std::string& text, bool is_signed) {
    char* end = nullptr;
    errno = 0;
    const uint64_t v = is_signed ? static_cast<uint64_t>(std::strtoll(text.c_str(), &end, 10))
                                 : std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || (!is_signed && text[0] == '-')) {
        fail("not a number: " + text);
    }
    return v;
}

std::string from_hex(const std::string& hex) {
    if (hex.size() % 2 != 0) {
        fail("odd number of hex digits: " + hex);
    }
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
        const std::string byte = hex.substr(i, 2);
        char* end = nullptr;
        const unsigned long v = std::strtoul(byte.c_str(), &end, 16);
        if (*end != '\0') {
            fail("not hex: " + hex);
        }
        out.push_back(static_cast<char>(v));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        fail("usage: make-event OUT TEMPLATE_ID TEMPLATE_VERSION [TYPE:VALUE|TYPE:-]...");
    }
    const std::string out = argv[1];
    ringward_event event{};
    event.template_type_id = static_cast<uint32_t>(number(argv[2], false));
    event.template_type_version = static_cast<uint32_t>(number(argv[3], false));
    std::deque<std::string> values;  // stable addresses for the inputs' data
    std::vector<ringward_input> inputs;
    for (int i = 4; i < argc; ++i) {
        const std::string arg = argv[i];
        const size_t colon = arg.find(':');
        if (colon == std::string::npos) {
            fail("an input is TYPE:VALUE or TYPE:-: " + arg);
        }
        const std::string type = arg.substr(0, colon);
        const std::string value = arg.substr(colon + 1);
        ringward_input in{};
        if (type == "int") {
            in.type = RINGWARD_TYPE_INT;
        } else if (type == "uint") {
            in.type = RINGWARD_TYPE_UINT;
        } else if (type == "bool") {
            in.type = RINGWARD_TYPE_BOOL;
        } else if (type == "string") {
            in.type = RINGWARD_TYPE_STRING;
        } else if (type == "bytes") {
            in.type = RINGWARD_TYPE_BYTES;
        } else if (type == "enum") {
            in.type = RINGWARD_TYPE_ENUM;
        } else if (type == "ip") {
            in.type = RINGWARD_TYPE_IP;
        } else {
            fail("unknown input type: " + type);
        }
        in.present = value == "-" ? 0 : 1;
        if (in.present != 0) {
            switch (in.type) {
                case RINGWARD_TYPE_INT:
                    in.number = number(value, true);
                    break;
                case RINGWARD_TYPE_UINT:
                case RINGWARD_TYPE_BOOL:
                    in.number = number(value, false);
                    break;
                case RINGWARD_TYPE_IP: {
                    in_addr v4{};
                    if (inet_pton(AF_INET, value.c_str(), &v4) == 1) {
                        in.address[10] = 0xff;
                        in.address[11] = 0xff;
                        std::memcpy(in.address + 12, &v4, 4);
                    } else if (inet_pton(AF_INET6, value.c_str(), in.address) != 1) {
                        fail("not an IP address: " + value);
                    }
                    break;
                }
                default:
                    values.push_back(in.type == RINGWARD_TYPE_BYTES ? from_hex(value) : value);
                    in.data = reinterpret_cast<const uint8_t*>(values.back().data());
                    in.size = values.back().size();
                    break;
            }
        }
        inputs.push_back(in);
    }
    event.inputs = inputs.data();
    event.input_count = inputs.size();
    const auto bytes = ringward::encode_event(event);
    if (!bytes) {
        fail("the event has no wire encoding");
    }
    const std::string temporary = out + ".tmp";
    std::FILE* f = std::fopen(temporary.c_str(), "wb");
    if (f == nullptr) {
        fail("cannot write " + temporary);
    }
    const bool written = std::fwrite(bytes->data(), 1, bytes->size(), f) == bytes->size();
    if (std::fclose(f) != 0 || !written || std::rename(temporary.c_str(), out.c_str()) != 0) {
        std::remove(temporary.c_str());
        fail("cannot write " + out);
    }
    return 0;
}
