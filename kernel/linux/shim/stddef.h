#ifndef RINGWARD_SHIM_STDDEF_H
#define RINGWARD_SHIM_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
