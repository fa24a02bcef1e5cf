/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the module's C files share: the loader's crypto hooks over the
 * kernel (ringward_crypto.c). The core itself is reached through loader.h.
 */
#ifndef RINGWARD_KERNEL_H
#define RINGWARD_KERNEL_H

#include <ringward/loader.h>

struct crypto_shash;

/* The kernel crypto API's BLAKE2b-512 (module blake2b_generic), allocated
   once at module load. Returns an ERR_PTR on failure. */
struct crypto_shash* ringward_hash_alloc(void);
void ringward_hash_free(struct crypto_shash* tfm);

/* Fills the crypto hooks of a loader configuration: the hash over `tfm`,
   and the verifier, which is libsodium's Ed25519 when the module is built
   with it (RINGWARD_VERIFY=y) and none otherwise, so that the loader falls
   back to ringward_sodium_verify, which refuses. */
void ringward_set_hooks(ringward_loader_config* config, struct crypto_shash* tfm);

/* Whether this build carries a verifier; reported in the status text. */
bool ringward_has_verifier(void);

#endif
