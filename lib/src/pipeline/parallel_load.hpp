// ringward_load on two cores: the blob's hash on a second thread while the
// calling thread runs everything else the loader does (key, signature,
// policy, the reader, the sensor table) against the hash the header claims.
//
// Why it is sound: ringward_load is a function of its inputs alone, and the
// hash enters it only as the 64 bytes its hash function returns. When the
// real hash equals the claimed one, the early run saw exactly what a run
// with the real hash would have seen, so its verdict is that run's verdict.
// Otherwise the early verdict is dropped and the envelope is loaded again
// with the real hash, which refuses it as ringward_load does
// (RINGWARD_E_HASH_MISMATCH, or whatever comes first). Reading bytes that
// turn out unsigned is safe because the reader is safe on any bytes.
#pragma once

#include <cstdint>
#include <span>

#include "ringward/loader.h"
#include "util/side_thread.hpp"

namespace ringward {

class ParallelLoad {
  public:
    // Starts hashing the blob that the envelope's shape says it holds,
    // with `hash` (NULL: libsodium's, ringward_sodium_hash). `envelope` must
    // stay valid and unchanged until load() returns. When the envelope is
    // too malformed to tell where its blob is, or no thread can be started,
    // nothing starts and load() is ringward_load.
    // Below `parallel_from_bytes` of blob the hash is too short to pay for
    // a thread (tens of microseconds to start), and load() is ringward_load
    // on this thread.
    static constexpr size_t kParallelFromBytes = util::kHashOnSideThreadFromBytes;
    explicit ParallelLoad(std::span<const uint8_t> envelope, ringward_hash_fn hash = nullptr,
                          void* hash_context = nullptr,
                          size_t parallel_from_bytes = kParallelFromBytes);
    ParallelLoad(const ParallelLoad&) = delete;
    ParallelLoad& operator=(const ParallelLoad&) = delete;
    ~ParallelLoad();

    // ringward_load(&config, envelope, ...) with the hash function given at
    // construction in place of config.hash: the same status and the same
    // *out. Call once.
    [[nodiscard]] ringward_status load(const ringward_loader_config& config, ringward_loaded* out);

    // Whether the last load() used the verdict of the early run (false: it
    // loaded again with the real hash, or ran without a second thread).
    bool used_early_verdict() const noexcept { return used_early_; }

  private:
    std::span<const uint8_t> envelope_;
    ringward_hash_fn hash_;
    void* hash_context_;
    // The blob, as the header's shape places it; null when not started.
    const uint8_t* blob_ = nullptr;
    size_t blob_size_ = 0;
    const uint8_t* claimed_ = nullptr;
    uint8_t real_[RINGWARD_HASH_BYTES] = {};
    int real_status_ = -1;
    util::SideThread thread_;
    bool used_early_ = false;
};

}  // namespace ringward
