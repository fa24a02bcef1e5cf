// The loader's default cryptography: libsodium's Ed25519 verification and
// BLAKE2b-512. The only hosted part of ringward::loader.
#include <sodium.h>

#include "ringward/loader.h"

static_assert(RINGWARD_PUBLIC_KEY_BYTES == crypto_sign_PUBLICKEYBYTES);
static_assert(RINGWARD_SIGNATURE_BYTES == crypto_sign_BYTES);
static_assert(RINGWARD_HASH_BYTES <= crypto_generichash_BYTES_MAX);

namespace {

// sodium_init() picks the fastest implementations for this CPU; it is
// idempotent and thread-safe, so every entry point calls it.
bool sodium_ready() {
    return sodium_init() >= 0;
}

}  // namespace

extern "C" int ringward_sodium_verify(const uint8_t signature[RINGWARD_SIGNATURE_BYTES],
                                      const uint8_t* message, size_t length,
                                      const uint8_t public_key[RINGWARD_PUBLIC_KEY_BYTES],
                                      void* /*context*/) {
    if (!sodium_ready()) {
        return -1;
    }
    return crypto_sign_verify_detached(signature, message, length, public_key) == 0 ? 0 : -1;
}

extern "C" int ringward_sodium_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data,
                                    size_t length, void* /*context*/) {
    if (!sodium_ready()) {
        return -1;
    }
    return crypto_generichash(out, RINGWARD_HASH_BYTES, data, length, nullptr, 0) == 0 ? 0 : -1;
}
