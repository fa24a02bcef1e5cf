// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The helpers of libsodium's utils.c that its verification path calls,
 * over the kernel's own primitives: the rest of utils.c (locked memory,
 * guard pages, hex and base64) has no place in a kernel.
 */
#include <crypto/algapi.h>
#include <linux/compiler.h>
#include <linux/string.h>

#include "utils.h"

void sodium_memzero(void* const pnt, const size_t len) {
    memzero_explicit(pnt, len);
}

/* Constant time, as libsodium's: 0 when equal, -1 otherwise. */
int sodium_memcmp(const void* const b1_, const void* const b2_, size_t len) {
    return crypto_memneq(b1_, b2_, len) ? -1 : 0;
}

/* 1 when all nlen bytes are zero; in time independent of where a non-zero
   byte is, as libsodium's. */
int sodium_is_zero(const unsigned char* n, const size_t nlen) {
    unsigned char d = 0;
    size_t i;

    for (i = 0; i < nlen; i++)
        d |= READ_ONCE(n[i]);
    return d == 0;
}
