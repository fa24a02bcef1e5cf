#include "ringward/file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ringward {
namespace {

std::string reason(int error) {
    return std::strerror(error);
}

Diagnostic unwritable(const std::string& path, const std::string& what, int error) {
    Location location;
    location.file = path;
    return make_diagnostic(Code::output_unwritable,
                           fmt::format("cannot write {}: {}: {}", path, what, reason(error)),
                           std::move(location));
}

std::string parent_folder(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Closes the descriptor when it goes out of scope, keeping errno intact.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            const int saved = errno;
            ::close(fd_);
            errno = saved;
        }
    }
    int get() const { return fd_; }
    // Closes now and reports close's own failure (NFS reports write errors
    // there).
    int close() {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

  private:
    int fd_;
};

template <class Container>
Result<Container> read_into(const std::string& path, uint64_t max_size_incl) {
    Location location;
    location.file = path;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
        return Result<Container>::failure(
            make_diagnostic(Code::input_unreadable,
                            fmt::format("cannot open {}: {}", path, reason(errno)), location));
    }
    if (S_ISDIR(st.st_mode)) {
        return Result<Container>::failure(make_diagnostic(
            Code::input_unreadable, fmt::format("cannot read {}: it is a folder", path), location));
    }
    if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_size_incl) {
        return Result<Container>::failure(make_diagnostic(
            Code::input_too_large,
            fmt::format("{} is {} bytes; the limit is {}", path, st.st_size, max_size_incl),
            location));
    }
    // Read straight into the result, sized from st_size plus one byte to see
    // the end without growing; read to the end rather than trusting st_size:
    // pipes and files that grow still stop at the limit.
    const auto too_large = [&] {
        return Result<Container>::failure(make_diagnostic(
            Code::input_too_large,
            fmt::format("{} is larger than the limit of {} bytes", path, max_size_incl), location));
    };
    Container data;
    data.resize(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : size_t{1} << 16);
    size_t used = 0;
    for (;;) {
        if (used == data.size()) {
            if (used > max_size_incl) {
                return too_large();
            }
            // used <= max_size_incl here, so this grows, and cannot wrap.
            data.resize(static_cast<size_t>(std::min<uint64_t>(2 * used, max_size_incl) + 1));
        }
        const ssize_t n = ::read(fd.get(), data.data() + used, data.size() - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return Result<Container>::failure(
                make_diagnostic(Code::input_unreadable,
                                fmt::format("cannot read {}: {}", path, reason(errno)), location));
        }
        if (n == 0) {
            break;
        }
        used += static_cast<size_t>(n);
    }
    if (used > max_size_incl) {
        return too_large();
    }
    data.resize(used);
    return Result<Container>::success(std::move(data));
}

}  // namespace

Result<std::string> read_file(const std::string& path, uint64_t max_size_incl) {
    return read_into<std::string>(path, max_size_incl);
}

Result<std::vector<uint8_t>> read_file_bytes(const std::string& path, uint64_t max_size_incl) {
    return read_into<std::vector<uint8_t>>(path, max_size_incl);
}

std::optional<Diagnostic> write_file_atomic(const std::string& path, std::string_view text,
                                            const WriteOptions& options) {
    return write_file_atomic(
        path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), options);
}

std::optional<Diagnostic> write_file_atomic(const std::string& path, std::span<const uint8_t> bytes,
                                            const WriteOptions& options) {
    if (path.empty()) {
        return make_diagnostic(Code::output_unwritable, "no output file name given");
    }
    std::string temp = path + ".tmp.XXXXXX";
    // mkostemp creates the file 0600: nothing can read a secret before the
    // final mode is set.
    Fd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0) {
        return unwritable(path, "cannot create a temporary file beside it", errno);
    }
    const auto fail = [&](const char* what) {
        const int error = errno;
        ::unlink(temp.c_str());
        return unwritable(path, what, error);
    };
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail("write failed");
        }
        written += static_cast<size_t>(n);
    }
    if (::fchmod(fd.get(), options.mode) != 0) {
        return fail("cannot set its mode");
    }
    if (::fsync(fd.get()) != 0) {
        return fail("fsync failed");
    }
    if (fd.close() != 0) {
        return fail("close failed");
    }
    if (options.overwrite) {
        if (::rename(temp.c_str(), path.c_str()) != 0) {
            return fail("rename failed");
        }
    } else {
        // link() fails with EEXIST instead of replacing: the existence check
        // and the write are one step, with no window between them.
        if (::link(temp.c_str(), path.c_str()) != 0) {
            const int error = errno;
            ::unlink(temp.c_str());
            if (error == EEXIST) {
                Location location;
                location.file = path;
                return make_diagnostic(
                    Code::output_unwritable,
                    fmt::format("{} exists already; it is not overwritten", path),
                    std::move(location), "remove it, choose another name, or pass --force");
            }
            return unwritable(path, "link failed", error);
        }
        ::unlink(temp.c_str());
    }
    // The rename is durable only once the folder entry is.
    Fd folder(::open(parent_folder(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() >= 0) {
        ::fsync(folder.get());
    }
    return std::nullopt;
}

}  // namespace ringward
