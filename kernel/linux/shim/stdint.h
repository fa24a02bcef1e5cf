/* Libsodium's sources in a kernel build (-nostdinc): the fixed-width types
   and their limits come from the kernel's own headers. */
#ifndef RINGWARD_SHIM_STDINT_H
#define RINGWARD_SHIM_STDINT_H
#include <linux/limits.h>
#include <linux/types.h>
#define UINT64_MAX U64_MAX
#define UINT32_MAX U32_MAX
#define UINT8_MAX U8_MAX
/* verify.c's accumulator; the width glibc gives it on x86-64. */
typedef unsigned long uint_fast16_t;
#endif
