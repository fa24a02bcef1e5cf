#include "ringward/file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

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

// Reads the open file `fd` (whose fstat is `st`) to its end.
template <class Container>
Result<Container> read_open(int fd, const struct stat& st, const std::string& path,
                            uint64_t max_size_incl) {
    Location location;
    location.file = path;
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
        const ssize_t n = ::read(fd, data.data() + used, data.size() - used);
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

template <class Container>
Result<Container> read_into(const std::string& path, uint64_t max_size_incl) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
        Location location;
        location.file = path;
        return Result<Container>::failure(
            make_diagnostic(Code::input_unreadable,
                            fmt::format("cannot open {}: {}", path, reason(errno)), location));
    }
    return read_open<Container>(fd.get(), st, path, max_size_incl);
}

// The SIGBUS guard. A page of a mapping whose file was truncated under it
// raises SIGBUS when read, which would kill the process in the middle of a
// hash or the reader. Every live mapping of map_file holds a slot here; the
// handler puts zero pages in place of the rest of a slot's mapping and marks
// the slot, so the reads go on (over zeros: the hash and the reader are safe
// on any bytes) and check_unchanged() reports RW0091. A fault outside every
// slot is not ours: the previous disposition is restored and the faulting
// instruction runs again under it.
struct GuardSlot {
    std::atomic<bool> used{false};
    std::atomic<uintptr_t> begin{0};
    std::atomic<uintptr_t> end{0};
    std::atomic<bool> faulted{false};
};
// Mappings open at once; past this many, files are read instead of mapped.
constexpr int kGuardSlots = 64;
GuardSlot guard_slots[kGuardSlots];
std::atomic<uintptr_t> guard_page_size{4096};
struct sigaction previous_sigbus {};

static_assert(std::atomic<uintptr_t>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "the SIGBUS handler needs lock-free atomics");

void on_sigbus(int signal, siginfo_t* info, void* context) {
    const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    for (GuardSlot& slot : guard_slots) {
        const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
        const uintptr_t end = slot.end.load(std::memory_order_acquire);
        if (begin == 0 || address < begin || address >= end) {
            continue;
        }
        const uintptr_t page = address & ~(guard_page_size.load(std::memory_order_relaxed) - 1);
        // mmap is a plain system call on Linux, safe in a signal handler.
        if (::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
            ::_exit(2);  // Nothing readable can be put there: stop rather than loop.
        }
        slot.faulted.store(true, std::memory_order_release);
        return;
    }
    if ((previous_sigbus.sa_flags & SA_SIGINFO) != 0 && previous_sigbus.sa_sigaction != nullptr) {
        previous_sigbus.sa_sigaction(signal, info, context);
        return;
    }
    ::sigaction(SIGBUS, &previous_sigbus, nullptr);
}

// Installs the handler unless it is the one in place: something else (a
// test framework, a runtime) may have put its own there since.
bool install_guard() {
    static std::mutex mutex;
    const std::lock_guard<std::mutex> lock(mutex);
    struct sigaction current {};
    if (::sigaction(SIGBUS, nullptr, &current) != 0) {
        return false;
    }
    if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == on_sigbus) {
        return true;
    }
    guard_page_size.store(static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE)));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return ::sigaction(SIGBUS, &action, &previous_sigbus) == 0;
}

// A free slot for [begin, end), or -1.
int claim_slot(const uint8_t* begin, size_t size) {
    if (!install_guard()) {
        return -1;
    }
    for (int i = 0; i < kGuardSlots; ++i) {
        bool expected = false;
        if (guard_slots[i].used.compare_exchange_strong(expected, true)) {
            guard_slots[i].faulted.store(false);
            guard_slots[i].end.store(reinterpret_cast<uintptr_t>(begin) + size);
            guard_slots[i].begin.store(reinterpret_cast<uintptr_t>(begin),
                                       std::memory_order_release);
            return i;
        }
    }
    return -1;
}

void free_slot(int i) {
    guard_slots[i].begin.store(0, std::memory_order_release);
    guard_slots[i].end.store(0);
    guard_slots[i].used.store(false, std::memory_order_release);
}

}  // namespace

FileBytes::FileBytes(FileBytes&& other) noexcept {
    *this = std::move(other);
}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
    if (this != &other) {
        release();
        const bool was_copy = other.slot_ < 0;
        copy_ = std::move(other.copy_);
        data_ = was_copy ? copy_.data() : other.data_;
        size_ = other.size_;
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        slot_ = std::exchange(other.slot_, -1);
        mtime_sec_ = other.mtime_sec_;
        mtime_nsec_ = other.mtime_nsec_;
        other.data_ = nullptr;
        other.size_ = 0;
    }
    return *this;
}

FileBytes::~FileBytes() {
    release();
}

void FileBytes::release() noexcept {
    if (slot_ >= 0) {
        // Out of the guard before the range can be mapped by anything else.
        free_slot(slot_);
        ::munmap(const_cast<uint8_t*>(data_), size_);
        slot_ = -1;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    copy_.clear();
    data_ = nullptr;
    size_ = 0;
}

std::optional<Diagnostic> FileBytes::check_unchanged() const {
    if (slot_ < 0) {
        return std::nullopt;
    }
    Location location;
    location.file = path_;
    struct stat st {};
    const bool stat_ok = ::fstat(fd_, &st) == 0;
    if (guard_slots[slot_].faulted.load(std::memory_order_acquire) ||
        (stat_ok && static_cast<uint64_t>(st.st_size) < size_)) {
        return make_diagnostic(
            Code::input_truncated_while_read,
            fmt::format("{} shrank while it was read (from {} bytes{}); what was read is not "
                        "the file",
                        path_, size_, stat_ok ? fmt::format(" to {}", st.st_size) : ""),
            location, "let whatever writes it finish, then run again");
    }
    if (!stat_ok || static_cast<uint64_t>(st.st_size) != size_ || st.st_mtim.tv_sec != mtime_sec_ ||
        st.st_mtim.tv_nsec != mtime_nsec_) {
        return make_diagnostic(
            Code::input_changed_while_read,
            fmt::format("{} was written while it was read; what was read may be neither the old "
                        "file nor the new one",
                        path_),
            location, "let whatever writes it finish, then run again");
    }
    return std::nullopt;
}

Result<FileBytes> map_file(const std::string& path, uint64_t max_size_incl) {
    Location location;
    location.file = path;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        const int error = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        return Result<FileBytes>::failure(
            make_diagnostic(Code::input_unreadable,
                            fmt::format("cannot open {}: {}", path, reason(error)), location));
    }
    FileBytes out;
    out.path_ = path;
    out.fd_ = fd;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        if (static_cast<uint64_t>(st.st_size) > max_size_incl) {
            return Result<FileBytes>::failure(make_diagnostic(
                Code::input_too_large,
                fmt::format("{} is {} bytes; the limit is {}", path, st.st_size, max_size_incl),
                location));
        }
        const auto size = static_cast<size_t>(st.st_size);
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            const int slot = claim_slot(static_cast<const uint8_t*>(map), size);
            if (slot >= 0) {
                out.data_ = static_cast<const uint8_t*>(map);
                out.size_ = size;
                out.slot_ = slot;
                out.mtime_sec_ = st.st_mtim.tv_sec;
                out.mtime_nsec_ = st.st_mtim.tv_nsec;
                return Result<FileBytes>::success(std::move(out));
            }
            ::munmap(map, size);
        }
        // No mapping (a file system that cannot, or no guard slot left):
        // read it instead.
    }
    // From the descriptor already open: the file read is the file stat'ed.
    auto read = read_open<std::vector<uint8_t>>(fd, st, path, max_size_incl);
    ::close(std::exchange(out.fd_, -1));
    if (!read.ok()) {
        return Result<FileBytes>::failure(std::move(read.diagnostics));
    }
    out.copy_ = std::move(*read.value);
    out.data_ = out.copy_.data();
    out.size_ = out.copy_.size();
    return Result<FileBytes>::success(std::move(out));
}

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

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_(std::move(other.temp_)),
      options_(other.options_),
      fd_(std::exchange(other.fd_, -1)) {}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(temp_.c_str());
    }
}

Result<AtomicFile> AtomicFile::create(const std::string& path, const WriteOptions& options) {
    if (path.empty()) {
        return Result<AtomicFile>::failure(
            make_diagnostic(Code::output_unwritable, "no output file name given"));
    }
    AtomicFile file;
    file.path_ = path;
    file.temp_ = path + ".tmp.XXXXXX";
    file.options_ = options;
    // mkostemp creates the file 0600: nothing can read a secret before the
    // final mode is set.
    file.fd_ = ::mkostemp(file.temp_.data(), O_CLOEXEC);
    if (file.fd_ < 0) {
        return Result<AtomicFile>::failure(
            unwritable(path, "cannot create a temporary file beside it", errno));
    }
    return Result<AtomicFile>::success(std::move(file));
}

Diagnostic AtomicFile::fail(const char* what) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
    return unwritable(path_, what, error);
}

std::optional<Diagnostic> AtomicFile::write_at(uint64_t offset, std::span<const uint8_t> bytes) {
    if (fd_ < 0) {
        errno = EBADF;
        return unwritable(path_, "write after a failure", errno);
    }
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + written, bytes.size() - written,
                                   static_cast<off_t>(offset + written));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail("write failed");
        }
        written += static_cast<size_t>(n);
    }
    return std::nullopt;
}

void AtomicFile::start_writeback() {
    // Only a hint: commit's fsync is what makes the bytes durable, and it
    // finds less left to do.
    if (fd_ >= 0) {
        static_cast<void>(::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE));
    }
}

std::optional<Diagnostic> AtomicFile::commit() {
    if (fd_ < 0) {
        errno = EBADF;
        return unwritable(path_, "commit after a failure", errno);
    }
    if (::fchmod(fd_, options_.mode) != 0) {
        return fail("cannot set its mode");
    }
    if (::fsync(fd_) != 0) {
        return fail("fsync failed");
    }
    const int rc = ::close(fd_);  // NFS reports write errors here
    fd_ = -1;
    if (rc != 0) {
        const int error = errno;
        ::unlink(temp_.c_str());
        return unwritable(path_, "close failed", error);
    }
    if (options_.overwrite) {
        if (::rename(temp_.c_str(), path_.c_str()) != 0) {
            const int error = errno;
            ::unlink(temp_.c_str());
            return unwritable(path_, "rename failed", error);
        }
    } else {
        // link() fails with EEXIST instead of replacing: the existence check
        // and the write are one step, with no window between them.
        if (::link(temp_.c_str(), path_.c_str()) != 0) {
            const int error = errno;
            ::unlink(temp_.c_str());
            if (error == EEXIST) {
                Location location;
                location.file = path_;
                return make_diagnostic(
                    Code::output_unwritable,
                    fmt::format("{} exists already; it is not overwritten", path_),
                    std::move(location), "remove it, choose another name, or pass --force");
            }
            return unwritable(path_, "link failed", error);
        }
        ::unlink(temp_.c_str());
    }
    // The rename is durable only once the folder entry is.
    Fd folder(::open(parent_folder(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() >= 0) {
        ::fsync(folder.get());
    }
    return std::nullopt;
}

std::optional<Diagnostic> write_file_atomic(const std::string& path, std::span<const uint8_t> bytes,
                                            const WriteOptions& options) {
    const std::span<const uint8_t> parts[] = {bytes};
    return write_file_atomic(path, std::span<const std::span<const uint8_t>>(parts), options);
}

std::optional<Diagnostic> write_file_atomic(const std::string& path,
                                            std::span<const std::span<const uint8_t>> parts,
                                            const WriteOptions& options) {
    auto file = AtomicFile::create(path, options);
    if (!file.ok()) {
        return std::move(file.diagnostics.front());
    }
    uint64_t offset = 0;
    for (const std::span<const uint8_t> part : parts) {
        if (auto error = file.value->write_at(offset, part)) {
            return error;
        }
        offset += part.size();
    }
    return file.value->commit();
}

}  // namespace ringward
