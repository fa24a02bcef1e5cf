// Content as protobuf json: parse, compile, read back, re-encode.
#include "harness/content.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return ringward::fuzz::fuzz_content(data, size, ringward::InputFormat::json);
}
