#include "store/mem_file_system.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

namespace ringward::test {

MemFileSystem::MemFileSystem(std::string root, const FileTree& files) : root_(std::move(root)) {
    for (const auto& [name, data] : files) {
        const int inode = next_inode_++;
        inodes_[inode] = Inode{data, data};
        names_[name] = inode;
    }
    durable_names_ = names_;
}

bool MemFileSystem::spend(const std::string& what) {
    if (crashed_ || budget_ == 0) {
        crashed_ = true;
        errno = EIO;
        return false;
    }
    if (budget_ > 0) {
        --budget_;
    }
    log_.push_back(what);
    return true;
}

bool MemFileSystem::name_of(const std::string& path, std::string* name) const {
    if (path.size() <= root_.size() + 1 || path.compare(0, root_.size(), root_) != 0 ||
        path[root_.size()] != '/') {
        return false;
    }
    *name = path.substr(root_.size() + 1);
    return name->find('/') == std::string::npos;
}

int MemFileSystem::open(const std::string& path, int flags, mode_t) {
    if (crashed_) {
        errno = EIO;
        return -1;
    }
    const int fd = next_fd_++;
    if (path == root_) {
        open_[fd] = Open{-1, 0, false, root_};
        return fd;
    }
    std::string name;
    if (!name_of(path, &name)) {
        errno = ENOENT;
        return -1;
    }
    auto it = names_.find(name);
    if (it == names_.end()) {
        if ((flags & O_CREAT) == 0) {
            errno = ENOENT;
            return -1;
        }
        if (!spend("create " + name)) {
            return -1;
        }
        const int inode = next_inode_++;
        inodes_[inode] = Inode{};
        it = names_.emplace(name, inode).first;
        pending_.push_back({NameChange::kLink, "", name, inode});
    } else if ((flags & O_TRUNC) != 0 && !inodes_[it->second].data.empty()) {
        if (!spend("truncate " + name)) {
            return -1;
        }
        inodes_[it->second].data.clear();
    }
    open_[fd] = Open{it->second, 0, (flags & O_ACCMODE) != O_RDONLY, name};
    return fd;
}

ssize_t MemFileSystem::read(int fd, void* data, size_t size) {
    const auto it = open_.find(fd);
    if (crashed_ || it == open_.end() || it->second.inode < 0) {
        errno = crashed_ ? EIO : EBADF;
        return -1;
    }
    const std::vector<uint8_t>& bytes = inodes_[it->second.inode].data;
    const size_t n =
        it->second.offset >= bytes.size() ? 0 : std::min(size, bytes.size() - it->second.offset);
    std::memcpy(data, bytes.data() + it->second.offset, n);
    it->second.offset += n;
    return static_cast<ssize_t>(n);
}

ssize_t MemFileSystem::write(int fd, const void* data, size_t size) {
    const auto it = open_.find(fd);
    if (it == open_.end() || it->second.inode < 0 || !it->second.writable) {
        errno = EBADF;
        return -1;
    }
    if (!spend("write " + it->second.name + " " + std::to_string(size))) {
        return -1;
    }
    std::vector<uint8_t>& bytes = inodes_[it->second.inode].data;
    if (bytes.size() < it->second.offset + size) {
        bytes.resize(it->second.offset + size);
    }
    std::memcpy(bytes.data() + it->second.offset, data, size);
    it->second.offset += size;
    return static_cast<ssize_t>(size);
}

int MemFileSystem::fsync(int fd) {
    const auto it = open_.find(fd);
    if (it == open_.end()) {
        errno = EBADF;
        return -1;
    }
    if (!spend("fsync " + it->second.name)) {
        return -1;
    }
    if (it->second.inode < 0) {
        durable_names_ = names_;
        pending_.clear();
    } else {
        Inode& inode = inodes_[it->second.inode];
        inode.synced = inode.data;
    }
    return 0;
}

int MemFileSystem::close(int fd) {
    return open_.erase(fd) == 1 ? 0 : (errno = EBADF, -1);
}

int MemFileSystem::rename(const std::string& from, const std::string& to) {
    std::string a;
    std::string b;
    if (!name_of(from, &a) || !name_of(to, &b) || names_.count(a) == 0) {
        errno = crashed_ ? EIO : ENOENT;
        return -1;
    }
    if (!spend("rename " + a + " " + b)) {
        return -1;
    }
    const int inode = names_[a];
    names_.erase(a);
    names_[b] = inode;
    pending_.push_back({NameChange::kRename, a, b, inode});
    return 0;
}

int MemFileSystem::unlink(const std::string& path) {
    std::string name;
    if (!name_of(path, &name) || names_.count(name) == 0) {
        errno = crashed_ ? EIO : ENOENT;
        return -1;
    }
    if (!spend("unlink " + name)) {
        return -1;
    }
    names_.erase(name);
    pending_.push_back({NameChange::kUnlink, name, "", 0});
    return 0;
}

int MemFileSystem::mkdir(const std::string& path, mode_t) {
    errno = path == root_ ? EEXIST : EACCES;
    return -1;
}

int MemFileSystem::lock(int) {
    return 0;
}

int MemFileSystem::list(const std::string& directory, std::vector<std::string>& names) {
    if (crashed_ || directory != root_) {
        errno = crashed_ ? EIO : ENOENT;
        return -1;
    }
    for (const auto& entry : names_) {
        names.push_back(entry.first);
    }
    return 0;
}

FileTree MemFileSystem::visible() const {
    FileTree tree;
    for (const auto& [name, inode] : names_) {
        tree[name] = inodes_.at(inode).data;
    }
    return tree;
}

std::vector<FileTree> MemFileSystem::crash_states(Persistence model) const {
    if (model == Persistence::issued) {
        return {visible()};
    }
    // Every subset of the name changes not yet made durable, applied in
    // order; then for each file whose data is not synced: synced, whole, or
    // the first half of what was written.
    if (pending_.size() > 16) {
        throw std::logic_error("too many pending name changes to enumerate");
    }
    std::set<FileTree> trees;
    for (uint32_t mask = 0; mask < (1u << pending_.size()); ++mask) {
        std::map<std::string, int> names = durable_names_;
        for (size_t i = 0; i < pending_.size(); ++i) {
            if ((mask & (1u << i)) == 0) {
                continue;
            }
            const NameChange& change = pending_[i];
            if (change.kind == NameChange::kLink) {
                names[change.to] = change.inode;
            } else if (change.kind == NameChange::kRename) {
                names.erase(change.from);
                names[change.to] = change.inode;
            } else {
                names.erase(change.from);
            }
        }
        std::vector<std::pair<std::string, const Inode*>> files;
        std::vector<size_t> unsynced;
        for (const auto& [name, inode] : names) {
            const Inode& i = inodes_.at(inode);
            if (i.data != i.synced) {
                unsynced.push_back(files.size());
            }
            files.emplace_back(name, &i);
        }
        size_t combinations = 1;
        for (size_t k = 0; k < unsynced.size(); ++k) {
            combinations *= 3;
        }
        for (size_t c = 0; c < combinations; ++c) {
            FileTree tree;
            for (const auto& [name, inode] : files) {
                tree[name] = inode->synced;
            }
            size_t rest = c;
            for (const size_t index : unsynced) {
                const auto& [name, inode] = files[index];
                const size_t choice = rest % 3;
                rest /= 3;
                if (choice == 1) {
                    tree[name] = inode->data;
                } else if (choice == 2) {
                    tree[name].assign(
                        inode->data.begin(),
                        inode->data.begin() + static_cast<std::ptrdiff_t>(inode->data.size() / 2));
                }
            }
            trees.insert(std::move(tree));
        }
    }
    return {trees.begin(), trees.end()};
}

}  // namespace ringward::test
