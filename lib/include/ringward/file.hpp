// Reading and writing files the way a pipeline can trust: reads are bounded
// before they start, and writes are atomic (temp file, fsync, rename), so an
// output is either the old file or the complete new one, never half written.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ringward/diagnostic.hpp"

namespace ringward {

// Reads the whole file. RW0001 input-unreadable when it cannot be opened or
// read (the message carries the system's reason), RW0002 input-too-large
// when it is larger than max_size_incl (checked before reading).
[[nodiscard]] Result<std::string> read_file(const std::string& path, uint64_t max_size_incl);
// The same, as bytes: a blob read with this moves into validate_blob()
// without a second copy.
[[nodiscard]] Result<std::vector<uint8_t>> read_file_bytes(const std::string& path,
                                                           uint64_t max_size_incl);

// The bytes of a file, owned: a read-only mapping of a regular file, or
// the file read to its end into memory for anything else (pipes, devices,
// /proc files, whose st_size says nothing). Move-only; the mapping goes when
// the object does.
//
// WARNING: a mapping shows the file as it is, not as it was: a writer that
// changes or truncates the file while it is mapped changes what `bytes()`
// reads. A truncated page reads as zeros instead of raising SIGBUS (map_file
// installs a handler for that), and check_unchanged() tells either case
// afterwards. Call it after the last read of the bytes and before acting on
// what they said.
class FileBytes {
  public:
    FileBytes() = default;
    FileBytes(FileBytes&& other) noexcept;
    FileBytes& operator=(FileBytes&& other) noexcept;
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;
    ~FileBytes();

    std::span<const uint8_t> bytes() const noexcept { return {data_, size_}; }
    const uint8_t* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }
    // Whether the bytes are a mapping of the file (false: read into memory).
    bool mapped() const noexcept { return slot_ >= 0; }

    // nullopt when the file is as it was mapped: same size, same
    // modification time, and no page of the mapping found missing. RW0091
    // input-truncated-while-read when it shrank (or a read met a page that
    // was gone), RW0090 input-changed-while-read when it grew or was
    // written. Always nullopt for bytes read into memory: they are a copy.
    [[nodiscard]] std::optional<Diagnostic> check_unchanged() const;

  private:
    friend Result<FileBytes> map_file(const std::string& path, uint64_t max_size_incl);
    void release() noexcept;

    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    std::string path_;
    // Mapped: the open descriptor (fstat after), the file's size and
    // modification time when it was mapped, and the SIGBUS guard's slot.
    int fd_ = -1;
    int slot_ = -1;
    int64_t mtime_sec_ = 0;
    int64_t mtime_nsec_ = 0;
    // Read into memory.
    std::vector<uint8_t> copy_;
};

// Opens `path` to be read through: a regular file of at least one byte is
// mapped (no copy, no zero-filled buffer, pages shared with the page cache);
// anything else is read as read_file_bytes reads it. The same failures as
// read_file_bytes (RW0001, RW0002).
[[nodiscard]] Result<FileBytes> map_file(const std::string& path, uint64_t max_size_incl);

struct WriteOptions {
    // Permission bits of the new file. Secrets use 0600.
    mode_t mode = 0644;
    // When false, an existing file is never replaced (the check and the
    // write are one atomic step).
    bool overwrite = true;
};

// Writes `bytes` to `path` atomically: a temporary file in the same folder,
// written in full, fsync'd, given `mode`, then renamed over `path` (or linked
// to it when !overwrite), then the folder fsync'd. On failure `path` is
// unchanged, the temporary file is gone, and the result is RW0007
// output-unwritable with the reason. nullopt on success.
[[nodiscard]] std::optional<Diagnostic> write_file_atomic(const std::string& path,
                                                          std::span<const uint8_t> bytes,
                                                          const WriteOptions& options = {});
[[nodiscard]] std::optional<Diagnostic> write_file_atomic(const std::string& path,
                                                          std::string_view text,
                                                          const WriteOptions& options = {});
// The same, for a file written in parts, one after the other (an envelope's
// header, blob and signature, without joining them in memory first).
[[nodiscard]] std::optional<Diagnostic> write_file_atomic(
    const std::string& path, std::span<const std::span<const uint8_t>> parts,
    const WriteOptions& options = {});

// What write_file_atomic does, in steps, for a file written out of order or
// while something else runs: created as a temporary file beside `path`,
// written with write_at, and only commit() (fsync, mode, rename or link,
// fsync of the folder) puts it in place. Destroyed uncommitted, or after any
// failure, the temporary file is removed and `path` is unchanged. Every
// failure is RW0007 output-unwritable with the reason.
class AtomicFile {
  public:
    [[nodiscard]] static Result<AtomicFile> create(const std::string& path,
                                                   const WriteOptions& options = {});
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    [[nodiscard]] std::optional<Diagnostic> write_at(uint64_t offset,
                                                     std::span<const uint8_t> bytes);
    // Starts the disk writing what is written so far, without waiting:
    // commit's fsync then has less left to wait for.
    void start_writeback();
    [[nodiscard]] std::optional<Diagnostic> commit();

  private:
    AtomicFile() = default;
    Diagnostic fail(const char* what);

    std::string path_;
    std::string temp_;
    WriteOptions options_;
    int fd_ = -1;
};

}  // namespace ringward
