/*
 * A customer's rollout policy file (schemas/ringward/v1/rollout_policy.proto,
 * docs/rollout.md) for an agent written in C: the file read with the same
 * parser and the same one-meaning rules as ringward's other inputs, into the
 * loader's ringward_category_policy entries (loader.h). Part of
 * ringward::ringward (user space: it allocates and uses protobuf), not of
 * the kernel-safe loader.
 */
#ifndef RINGWARD_ROLLOUT_POLICY_H
#define RINGWARD_ROLLOUT_POLICY_H

#include <stddef.h>

#include "ringward/loader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the policy file at `path` (protobuf text, JSON or binary, by its
   name) into out[0 .. *count): at most one entry per category, so
   RINGWARD_CATEGORY_MAX entries always fit. Returns 0 on success; 1 when the
   file is not a valid policy, 2 when it cannot be read, with the
   diagnostics ("file:line:col: error[RW0875]: ...") in `message` (NUL
   terminated, cut to message_size). Contract: no pointer is NULL,
   message_size > 0. */
RINGWARD_NODISCARD int ringward_read_rollout_policy(
    const char* path, ringward_category_policy out[RINGWARD_CATEGORY_MAX], size_t* count,
    char* message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif /* RINGWARD_ROLLOUT_POLICY_H */
