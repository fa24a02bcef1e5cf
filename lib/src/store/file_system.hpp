// The file-system calls the content store makes, and nothing else: every one
// goes through this interface so that a test double can record them and
// replay any prefix of them as a crash (tests/store/crash_test.cpp). The
// calls mirror POSIX: -1 and errno on failure.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ringward::store {

class FileSystem {
  public:
    virtual ~FileSystem() = default;
    virtual int open(const std::string& path, int flags, mode_t mode) = 0;
    virtual ssize_t read(int fd, void* data, size_t size) = 0;
    virtual ssize_t write(int fd, const void* data, size_t size) = 0;
    // A file's data, or (on a directory opened O_RDONLY | O_DIRECTORY) its names.
    virtual int fsync(int fd) = 0;
    virtual int close(int fd) = 0;
    virtual int rename(const std::string& from, const std::string& to) = 0;
    virtual int unlink(const std::string& path) = 0;
    virtual int mkdir(const std::string& path, mode_t mode) = 0;
    // flock(fd, LOCK_EX | LOCK_NB).
    virtual int lock(int fd) = 0;
    // The names in a directory, without "." and "..".
    virtual int list(const std::string& directory, std::vector<std::string>& names) = 0;
};

// The real one.
FileSystem& posix_file_system();

}  // namespace ringward::store
