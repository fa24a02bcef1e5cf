/* What the freestanding test needs of a Linux kernel's <linux/types.h>: the
   fixed-width integer and size types, defined from the compiler's own
   predefined macros, with no other header. A loader.h that reached for
   <stddef.h> or <stdint.h> under __KERNEL__ fails to compile against it. */
#ifndef RINGWARD_TEST_LINUX_TYPES_H
#define RINGWARD_TEST_LINUX_TYPES_H
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __INT64_TYPE__ int64_t;
typedef __SIZE_TYPE__ size_t;
#define NULL ((void*)0)
#endif
