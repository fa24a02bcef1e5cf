// A file system in memory for the crash tests: it records every call that
// changes something, can stop ("crash") after any number of them, and then
// says which trees of files a crash at that point may leave, under two
// persistence models:
//   issued:     every call issued is durable the moment it returns;
//   page_cache: a file's data is durable once the file is fsynced, a name
//               (create, rename, unlink) once its directory is; until then
//               each may be lost or kept, independently, and data not yet
//               synced may be kept whole, lost, or torn in half.
// One directory (the store's) holds every file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/file_system.hpp"

namespace ringward::test {

using FileTree = std::map<std::string, std::vector<uint8_t>>;

enum class Persistence { issued, page_cache };

class MemFileSystem final : public store::FileSystem {
  public:
    // A directory `root` holding `files`, all durable.
    MemFileSystem(std::string root, const FileTree& files);

    // After `calls` more changing calls, every call fails with EIO and
    // changes nothing. Negative: never.
    void crash_after(long calls) { budget_ = calls; }
    // Changing calls so far, and what they were ("rename state-b.tmp state-b").
    const std::vector<std::string>& log() const { return log_; }
    // The trees a crash now may leave.
    std::vector<FileTree> crash_states(Persistence model) const;
    // What the running program sees.
    FileTree visible() const;

    int open(const std::string& path, int flags, mode_t mode) override;
    ssize_t read(int fd, void* data, size_t size) override;
    ssize_t write(int fd, const void* data, size_t size) override;
    int fsync(int fd) override;
    int close(int fd) override;
    int rename(const std::string& from, const std::string& to) override;
    int unlink(const std::string& path) override;
    int mkdir(const std::string& path, mode_t mode) override;
    int lock(int fd) override;
    int list(const std::string& directory, std::vector<std::string>& names) override;

  private:
    struct Inode {
        std::vector<uint8_t> data;
        std::vector<uint8_t> synced;
    };
    struct NameChange {
        enum Kind { kLink, kRename, kUnlink } kind;
        std::string from;
        std::string to;
        int inode;
    };
    struct Open {
        int inode;  // -1: the directory
        size_t offset;
        bool writable;
        std::string name;
    };
    bool spend(const std::string& what);
    bool name_of(const std::string& path, std::string* name) const;

    std::string root_;
    std::map<std::string, int> names_;
    std::map<std::string, int> durable_names_;
    std::vector<NameChange> pending_;
    std::map<int, Inode> inodes_;
    std::map<int, Open> open_;
    int next_inode_ = 1;
    int next_fd_ = 3;
    long budget_ = -1;
    bool crashed_ = false;
    std::vector<std::string> log_;
};

}  // namespace ringward::test
