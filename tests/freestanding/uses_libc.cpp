// Must fail tests/freestanding/check.cmake: proves the check can fail.
#include <stddef.h>
extern "C" void* malloc(size_t);
void* allocate(size_t n) {
    return malloc(n);
}
