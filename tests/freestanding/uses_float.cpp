// Must fail tests/freestanding/check.cmake on x86_64: floating point.
double half(int n) {
    return n / 2.0;
}
