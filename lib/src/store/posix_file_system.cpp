// FileSystem over the POSIX calls themselves.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/file_system.hpp"

namespace ringward::store {
namespace {

class PosixFileSystem final : public FileSystem {
  public:
    int open(const std::string& path, int flags, mode_t mode) override {
        int fd;
        do {
            fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
        } while (fd < 0 && errno == EINTR);
        return fd;
    }
    ssize_t read(int fd, void* data, size_t size) override {
        ssize_t n;
        do {
            n = ::read(fd, data, size);
        } while (n < 0 && errno == EINTR);
        return n;
    }
    ssize_t write(int fd, const void* data, size_t size) override {
        ssize_t n;
        do {
            n = ::write(fd, data, size);
        } while (n < 0 && errno == EINTR);
        return n;
    }
    int fsync(int fd) override { return ::fsync(fd); }
    // close is not retried on EINTR: on Linux the descriptor is gone either way.
    int close(int fd) override { return ::close(fd); }
    int rename(const std::string& from, const std::string& to) override {
        return ::rename(from.c_str(), to.c_str());
    }
    int unlink(const std::string& path) override { return ::unlink(path.c_str()); }
    int mkdir(const std::string& path, mode_t mode) override { return ::mkdir(path.c_str(), mode); }
    int lock(int fd) override { return ::flock(fd, LOCK_EX | LOCK_NB); }
    int list(const std::string& directory, std::vector<std::string>& names) override {
        DIR* dir = ::opendir(directory.c_str());
        if (dir == nullptr) {
            return -1;
        }
        errno = 0;
        while (const dirent* entry = ::readdir(dir)) {
            if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
                names.emplace_back(entry->d_name);
            }
        }
        const int error = errno;
        ::closedir(dir);
        errno = error;
        return error == 0 ? 0 : -1;
    }
};

}  // namespace

FileSystem& posix_file_system() {
    static PosixFileSystem fs;
    return fs;
}

}  // namespace ringward::store
