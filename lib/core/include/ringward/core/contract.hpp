// The two ways ringward stops instead of returning an error (STYLE.md,
// "Three kinds of failure"). Kernel-safe: a trap instruction, no libc.
//
// Bad input is never one of these: it is an error value with a code. These
// are for a caller that broke a documented contract (an index out of range,
// a null pointer where the API forbids one) and for ringward's own broken
// invariants (the writer made bytes the reader refuses). Both are bugs; the
// fuzzers treat reaching either as a crash. Neither may return: continuing
// past a broken contract is how an out-of-bounds read happens.
#pragma once

namespace ringward::core {

// A caller broke a documented contract.
[[noreturn, gnu::cold]] inline void contract_violation() noexcept {
    __builtin_trap();
}

// ringward broke one of its own invariants.
[[noreturn, gnu::cold]] inline void invariant_broken() noexcept {
    __builtin_trap();
}

}  // namespace ringward::core
