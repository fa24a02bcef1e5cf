#ifndef RINGWARD_SHIM_LIMITS_H
#define RINGWARD_SHIM_LIMITS_H
#include <linux/limits.h>
#endif
