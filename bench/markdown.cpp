#include "markdown.hpp"

#include <fmt/format.h>

#include "ringward/file.hpp"

namespace ringward::bench {

bool write_marked_section(const std::string& path, std::string_view begin, std::string_view end,
                          const std::string& body) {
    auto doc = read_file(path, 1 << 22);
    if (!doc.ok()) {
        fmt::print(stderr, "bench: cannot read {}\n", path);
        return false;
    }
    const size_t from = doc.value->find(begin);
    const size_t to = doc.value->find(end);
    if (from == std::string::npos || to == std::string::npos || to < from) {
        fmt::print(stderr, "bench: {} has no {} ... {} markers\n", path, begin, end);
        return false;
    }
    const std::string out = doc.value->substr(0, from) + std::string(begin) + "\n\n" + body +
                            std::string(end) + doc.value->substr(to + end.size());
    if (write_file_atomic(path, out)) {
        fmt::print(stderr, "bench: {} cannot be written\n", path);
        return false;
    }
    return true;
}

}  // namespace ringward::bench
