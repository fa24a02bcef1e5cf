#ifndef RINGWARD_SHIM_STRING_H
#define RINGWARD_SHIM_STRING_H
#include <linux/string.h>
#endif
