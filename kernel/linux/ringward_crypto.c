// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The loader's crypto hooks in the kernel: BLAKE2b-512 from the kernel's
 * crypto API, Ed25519 verification from libsodium's own code (compiled into
 * this module from Debian's source package, see Kbuild).
 */
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/module.h>

#include "ringward_kernel.h"

#ifdef RINGWARD_KERNEL_VERIFY
#include "crypto_sign_ed25519.h"
#endif

struct crypto_shash* ringward_hash_alloc(void) {
    struct crypto_shash* tfm = crypto_alloc_shash("blake2b-512", 0, 0);

    if (!IS_ERR(tfm) && crypto_shash_digestsize(tfm) != RINGWARD_HASH_BYTES) {
        crypto_free_shash(tfm);
        return ERR_PTR(-EINVAL);
    }
    return tfm;
}

void ringward_hash_free(struct crypto_shash* tfm) {
    crypto_free_shash(tfm);
}

static int ringward_kernel_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data,
                                size_t length, void* context) {
    struct crypto_shash* tfm = context;
    int ret;
    SHASH_DESC_ON_STACK(desc, tfm);

    desc->tfm = tfm;
    ret = crypto_shash_digest(desc, data, length, out);
    shash_desc_zero(desc);
    return ret == 0 ? 0 : -1;
}

#ifdef RINGWARD_KERNEL_VERIFY
static int ringward_kernel_verify(const uint8_t signature[RINGWARD_SIGNATURE_BYTES],
                                  const uint8_t* message, size_t length,
                                  const uint8_t public_key[RINGWARD_PUBLIC_KEY_BYTES],
                                  void* context) {
    return crypto_sign_ed25519_verify_detached(signature, message, length, public_key) == 0 ? 0
                                                                                            : -1;
}
#endif

void ringward_set_hooks(ringward_loader_config* config, struct crypto_shash* tfm) {
    config->hash = ringward_kernel_hash;
    config->hash_context = tfm;
#ifdef RINGWARD_KERNEL_VERIFY
    config->verify = ringward_kernel_verify;
#else
    config->verify = NULL;
#endif
    config->verify_context = NULL;
}

bool ringward_has_verifier(void) {
    return IS_ENABLED(RINGWARD_KERNEL_VERIFY);
}

/*
 * The loader's defaults when a hook is left NULL (loader.h): libsodium's
 * crypto_sign_verify_detached and crypto_generichash in a hosted build. This
 * module links no hosted libsodium, so both fail, and a configuration
 * without a verifier refuses every envelope (RW0812) instead of accepting.
 */
int ringward_sodium_verify(const uint8_t signature[RINGWARD_SIGNATURE_BYTES],
                           const uint8_t* message, size_t length,
                           const uint8_t public_key[RINGWARD_PUBLIC_KEY_BYTES], void* context) {
    return -1;
}

int ringward_sodium_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data, size_t length,
                         void* context) {
    return -1;
}
