/* A hosted header before loader.h, as a kernel build would see it: no
   <stddef.h> under -nostdinc. Must fail the kernel-header probe. */
#include <stddef.h>

#include "ringward/loader.h"
int ringward_probe(void);
int ringward_probe(void) {
    return RINGWARD_OK;
}
