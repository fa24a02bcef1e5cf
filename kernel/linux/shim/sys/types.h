#ifndef RINGWARD_SHIM_SYS_TYPES_H
#define RINGWARD_SHIM_SYS_TYPES_H
#include <linux/types.h>
#endif
