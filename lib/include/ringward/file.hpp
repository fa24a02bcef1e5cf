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

}  // namespace ringward
