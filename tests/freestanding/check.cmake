cmake_minimum_required(VERSION 3.20)
# Compiles the kernel-safe core with the flags a Linux x86-64 kernel build
# uses and inspects the objects as a kernel build (and modpost, objtool and
# the module loader) would. Fails, naming each violation with a space-free
# token that the negative tests match, on:
#   needs-symbol=NAME      an undefined symbol beyond memcpy, memset, memcmp,
#                          __stack_chk_fail and the loader's two crypto hooks
#   section=NAME           any byte of .data or .bss (global state), .tdata or
#                          .tbss, or an .init_array, .ctors, .eh_frame or
#                          .gcc_except_table at all
#   guard-variable=NAME    a function-local static's guard (hidden by
#                          -fno-threadsafe-statics, still global state)
#   runtime-symbol=NAME    typeinfo, __cxa_* or the unwinder: the C++ runtime
#                          a kernel does not have
#   instruction=sse|x87    a vector or x87 instruction: kernel code may not
#                          touch FPU state without kernel_fpu_begin
#   relocation=TYPE        a relocation a kernel module may not carry
#                          (GOT, TLS): only absolute and PC-relative ones
#   frame-too-large        a stack frame over 1024 bytes
#   compile-failed         anything else the kernel's flags refuse
#   kernel-header-failed   loader.h does not compile as C under __KERNEL__
#                          with -nostdinc (it must take <linux/types.h>)
#
# Inputs: COMPILER (C++), C_COMPILER, INCLUDE_DIR (the core's headers only:
# a hosted include in the core fails to compile), SOURCES (comma-separated), OPT,
# WORK_DIR, KERNEL_STUB (a folder with linux/types.h), and for the negative
# tests SNIPPET (appended to a copy of the first source), EXTRA_FLAGS and
# HEADER_PROBE (a C file to compile in place of the loader.h probe).
string(REPLACE "," ";" SOURCES "${SOURCES}")
separate_arguments(EXTRA_FLAGS UNIX_COMMAND "${EXTRA_FLAGS}")
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

execute_process(COMMAND uname -m OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT arch STREQUAL "x86_64")
  message(FATAL_ERROR "freestanding-check:unsupported-host the kernel flags checked here are "
                      "x86-64's; this host is ${arch}")
endif()
execute_process(COMMAND ${COMPILER} -print-file-name=include
                OUTPUT_VARIABLE compiler_include OUTPUT_STRIP_TRAILING_WHITESPACE)

# What KBUILD_CFLAGS on x86-64 holds that decides code generation (Linux
# 6.1, arch/x86/Makefile and the top Makefile), plus the C++ rules: no
# exceptions, RTTI, thread-safe statics or atexit destructors.
set(kernel_flags
  -nostdinc -isystem ${compiler_include} -ffreestanding
  -fno-PIE -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
  -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -mno-80387 -mno-fp-ret-in-387
  -fno-asynchronous-unwind-tables -fno-common -fno-strict-aliasing -fno-delete-null-pointer-checks
  -fstack-protector-strong -Wframe-larger-than=1024 -Werror)
set(cxx_flags -std=gnu++20 ${OPT} ${kernel_flags}
  -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit -Wall -Wextra
  -I${INCLUDE_DIR} ${EXTRA_FLAGS})

set(violations "")
macro(violation token detail)
  list(APPEND violations "freestanding-check:${token} ${detail}")
endmacro()

# Compile, with the snippet of a negative test appended to the first source.
set(objects)
set(first TRUE)
foreach(source IN LISTS SOURCES)
  get_filename_component(name ${source} NAME_WE)
  if(first AND SNIPPET)
    file(READ ${source} text)
    file(READ ${SNIPPET} snippet)
    set(source ${WORK_DIR}/${name}.broken.cpp)
    file(WRITE ${source} "${text}\n${snippet}")
  endif()
  set(first FALSE)
  set(object ${WORK_DIR}/${name}.o)
  execute_process(COMMAND ${COMPILER} ${cxx_flags} -c ${source} -o ${object}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    if(err MATCHES "frame-larger-than|exceeds limit|is larger than")
      message(FATAL_ERROR "freestanding-check:frame-too-large ${source}\n${err}")
    endif()
    message(FATAL_ERROR "freestanding-check:compile-failed ${source}\n${err}")
  endif()
  list(APPEND objects ${object})
endforeach()

# Symbols: what is needed from outside, and what the C++ runtime would be.
execute_process(COMMAND nm -g --defined-only --format=just-symbols ${objects}
                OUTPUT_VARIABLE defined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm --defined-only failed")
endif()
string(REGEX MATCHALL "[^\n]+" defined "${defined}")
set(allowed memcpy memset memcmp __stack_chk_fail ringward_sodium_verify ringward_sodium_hash
            ${defined})
foreach(object IN LISTS objects)
  execute_process(COMMAND nm --format=posix ${object} OUTPUT_VARIABLE table RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm ${object} failed")
  endif()
  string(REGEX MATCHALL "[^\n]+" lines "${table}")
  set(needs "")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^([^ ]+) ([A-Za-z])" _ "${line}")
    set(symbol ${CMAKE_MATCH_1})
    set(type ${CMAKE_MATCH_2})
    if(type STREQUAL "U" AND NOT symbol IN_LIST allowed)
      violation("needs-symbol=${symbol}" "${object} needs a symbol a kernel does not have")
    elseif(type STREQUAL "U")
      list(APPEND needs ${symbol})
    endif()
    if(type MATCHES "^[Cc]$")
      violation("section=COMMON" "${symbol} is a common (global) variable")
    endif()
    if(symbol MATCHES "^_ZGV")
      violation("guard-variable=${symbol}" "a function-local static with a run-time initialiser")
    endif()
    if(symbol MATCHES "^(_ZTI|_ZTS|__cxa_|__gxx_personality|_Unwind_|__dso_handle|atexit$)")
      violation("runtime-symbol=${symbol}" "the C++ runtime, which a kernel does not have")
    endif()
  endforeach()
  string(REPLACE ";" " " needs "${needs}")
  message(STATUS "${object}: needs ${needs}")
endforeach()

# Sections: no global state, no constructors, no unwind tables.
foreach(object IN LISTS objects)
  execute_process(COMMAND readelf -S -W ${object} OUTPUT_VARIABLE sections RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -S ${object} failed")
  endif()
  # CMake lists do not split inside square brackets: take them out first.
  string(REPLACE "[" "<" sections "${sections}")
  string(REPLACE "]" ">" sections "${sections}")
  string(REGEX MATCHALL "> [^\n]+" rows "${sections}")
  foreach(row IN LISTS rows)
    # "> NAME TYPE ADDRESS OFFSET SIZE ..."
    string(REGEX MATCH "^> +([^ ]+) +[^ ]+ +[0-9a-f]+ +[0-9a-f]+ +([0-9a-f]+)" _ "${row}")
    set(section ${CMAKE_MATCH_1})
    set(size ${CMAKE_MATCH_2})
    if(section MATCHES "^\\.(data|bss|tdata|tbss)(\\.|$)" AND NOT section MATCHES "^\\.data\\.rel\\.ro"
       AND NOT size MATCHES "^0+$")
      string(REGEX REPLACE "^(\\.[a-z]+).*" "\\1" family ${section})
      violation("section=${family}" "${object}: ${section} holds 0x${size} bytes of global state")
    endif()
    if(section MATCHES "^\\.(init_array|fini_array|preinit_array|ctors|dtors|eh_frame|gcc_except_table)")
      string(REGEX REPLACE "^(\\.[a-z_]+).*" "\\1" family ${section})
      violation("section=${family}" "${object}: ${section} needs a runtime a kernel does not have")
    endif()
  endforeach()
endforeach()

# Instructions: general registers only.
foreach(object IN LISTS objects)
  execute_process(COMMAND objdump -d --no-show-raw-insn ${object}
                  OUTPUT_VARIABLE code RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objdump -d ${object} failed")
  endif()
  if(code MATCHES "%[xyz]mm[0-9]|%mm[0-7]|\t(ld|st)mxcsr|\temms")
    string(REGEX MATCH "[^\n]*(%[xyz]mm[0-9]|%mm[0-7]|(ld|st)mxcsr|emms)[^\n]*" line "${code}")
    violation("instruction=sse" "${object}: ${line}")
  endif()
  if(code MATCHES "\n *[0-9a-f]+:\t(f[a-z0-9]+|wait|fwait)[ \n]")
    string(REGEX MATCH "\n *[0-9a-f]+:\tf[a-z0-9]+[^\n]*" line "${code}")
    if(NOT line MATCHES ":\tfs[ \n]")
      violation("instruction=x87" "${object}: ${line}")
    endif()
  endif()
endforeach()

# Relocations: what a module built with -mcmodel=kernel may carry.
set(allowed_relocations R_X86_64_64 R_X86_64_32 R_X86_64_32S R_X86_64_PC32 R_X86_64_PLT32
                        R_X86_64_PC64)
foreach(object IN LISTS objects)
  execute_process(COMMAND readelf -r -W ${object} OUTPUT_VARIABLE relocations RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -r ${object} failed")
  endif()
  string(REGEX MATCHALL "R_X86_64_[A-Z0-9_]+" types "${relocations}")
  list(REMOVE_DUPLICATES types)
  foreach(type IN LISTS types)
    if(NOT type IN_LIST allowed_relocations)
      violation("relocation=${type}" "${object} carries a relocation a kernel module may not")
    endif()
  endforeach()
endforeach()

# loader.h as C in a kernel build: -nostdinc without even the compiler's own
# headers, __KERNEL__ defined, <linux/types.h> from KERNEL_STUB (the qemu
# test builds against Debian's real headers).
if(NOT HEADER_PROBE)
  set(HEADER_PROBE ${WORK_DIR}/loader_h_probe.c)
  file(WRITE ${HEADER_PROBE} "#include \"ringward/loader.h\"\nint ringward_probe(void);\n"
                             "int ringward_probe(void) { return RINGWARD_OK; }\n")
endif()
execute_process(COMMAND ${C_COMPILER} -std=gnu11 -D__KERNEL__ -nostdinc -I${KERNEL_STUB}
                        -I${INCLUDE_DIR} -Wall -Wextra -Werror -c ${HEADER_PROBE}
                        -o ${WORK_DIR}/loader_h_probe.o
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  violation("kernel-header-failed" "${HEADER_PROBE}: ${err}")
endif()

if(violations)
  string(REPLACE ";" "\n" text "${violations}")
  message(FATAL_ERROR "${text}")
endif()
message(STATUS "the core is kernel-safe at ${OPT}")
