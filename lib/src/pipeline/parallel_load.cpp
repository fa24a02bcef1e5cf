// ringward_load with the hash on a second thread (parallel_load.hpp).
#include "pipeline/parallel_load.hpp"

#include <cstring>

#include "ringward/core/endian.hpp"
#include "ringward/core/envelope_layout.hpp"

namespace ringward {
namespace {

using namespace envelope;

// The hash function of a run: for the blob's own bytes it returns `digest`
// (the claimed hash in the early run, the real one in the run again),
// anything else it hashes with the real function. The loader hashes only
// the blob; the fallback keeps the answer right if that ever changes.
struct GivenHash {
    const uint8_t* blob;
    size_t size;
    const uint8_t* digest;
    int status;
    ringward_hash_fn real;
    void* real_context;
};

int given_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data, size_t length,
               void* context) {
    const auto* given = static_cast<const GivenHash*>(context);
    if (data == given->blob && length == given->size) {
        if (given->status != 0) {
            return given->status;
        }
        std::memcpy(out, given->digest, RINGWARD_HASH_BYTES);
        return 0;
    }
    return given->real(out, data, length, given->real_context);
}

}  // namespace

ParallelLoad::ParallelLoad(std::span<const uint8_t> envelope, ringward_hash_fn hash,
                           void* hash_context, size_t parallel_from_bytes)
    : envelope_(envelope),
      hash_(hash != nullptr ? hash : ringward_sodium_hash),
      hash_context_(hash_context) {
    const uint8_t* e = envelope.data();
    if (envelope.size() < kHeaderSizeV1 || std::memcmp(e, kMagic, sizeof(kMagic)) != 0) {
        return;
    }
    const size_t header = header_size(core::load_u16(e + kAtVersion));
    if (header == 0 || envelope.size() - kSignatureSize < header ||
        core::load_u64(e + kAtBlobSize) != envelope.size() - kSignatureSize - header) {
        return;  // the loader refuses the shape before it hashes anything
    }
    if (envelope.size() - kSignatureSize - header < parallel_from_bytes) {
        return;
    }
    blob_ = e + header;
    blob_size_ = envelope.size() - kSignatureSize - header;
    claimed_ = e + kAtBlobHash;
    if (!thread_.start([this] { real_status_ = hash_(real_, blob_, blob_size_, hash_context_); })) {
        blob_ = nullptr;  // no second thread: load() runs as ringward_load
    }
}

ParallelLoad::~ParallelLoad() {
    thread_.join();
}

ringward_status ParallelLoad::load(const ringward_loader_config& config, ringward_loaded* out) {
    ringward_loader_config run = config;
    used_early_ = false;
    if (blob_ == nullptr) {
        run.hash = hash_;
        run.hash_context = hash_context_;
        return ringward_load(&run, envelope_.data(), envelope_.size(), out);
    }
    GivenHash claimed{blob_, blob_size_, claimed_, 0, hash_, hash_context_};
    run.hash = given_hash;
    run.hash_context = &claimed;
    const ringward_status early = ringward_load(&run, envelope_.data(), envelope_.size(), out);
    thread_.join();
    if (real_status_ == 0 && std::memcmp(real_, claimed_, RINGWARD_HASH_BYTES) == 0) {
        used_early_ = true;
        return early;
    }
    // The header lies about the blob (or the hash failed): the early verdict
    // was reached on a hash that is not the blob's and says nothing.
    GivenHash real{blob_, blob_size_, real_, real_status_, hash_, hash_context_};
    run.hash_context = &real;
    return ringward_load(&run, envelope_.data(), envelope_.size(), out);
}

}  // namespace ringward
