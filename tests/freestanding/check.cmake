cmake_minimum_required(VERSION 3.20)
# Compiles each kernel-safe source as a freestanding object and fails if the
# set needs any symbol beyond memcpy, memset and memcmp (and the loader's
# crypto hooks), or uses floating point. Symbols one of these sources defines
# for another (the loader calls the reader) are fine.
#
# -mgeneral-regs-only (x86) makes any floating-point or vector register use a
# compile error (GCC) or a soft-float call nm then catches (clang), so "no
# floating point" is checked, not hoped for. -fno-stack-protector and
# -fno-asynchronous-unwind-tables keep the compiler's own runtime hooks
# (__stack_chk_fail) out, as a kernel build does.
# Inputs: COMPILER, INCLUDE_DIRS (;-list), SOURCES (;-list), OPT, WORK_DIR.
file(MAKE_DIRECTORY ${WORK_DIR})
# memcpy, memset and memcmp, and the loader's two cryptography defaults,
# which a freestanding build without libsodium defines itself (loader.h).
# Taking their addresses may go through the GOT, whose symbol the linker
# itself defines.
set(allowed memcpy memset memcmp ringward_sodium_verify ringward_sodium_hash
            _GLOBAL_OFFSET_TABLE_)
set(flags -std=c++20 ${OPT} -ffreestanding -fno-exceptions -fno-rtti -nostdlib
          -fno-stack-protector -fno-asynchronous-unwind-tables -fno-threadsafe-statics
          -Wall -Wextra -Werror)
foreach(dir IN LISTS INCLUDE_DIRS)
  list(APPEND flags -I${dir})
endforeach()
execute_process(COMMAND uname -m OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
if(arch STREQUAL "x86_64")
  list(APPEND flags -mgeneral-regs-only)
endif()

set(objects)
foreach(source IN LISTS SOURCES)
  get_filename_component(name ${source} NAME_WE)
  set(object ${WORK_DIR}/${name}.o)
  # Space-free tokens: CMake wraps long messages at spaces, and the tests
  # that prove this check can fail match on them.
  execute_process(COMMAND ${COMPILER} ${flags} -c ${source} -o ${object}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "freestanding-check:compile-failed ${source}\n${err}")
  endif()
  list(APPEND objects ${object})
endforeach()

execute_process(COMMAND nm -g --defined-only --format=just-symbols ${objects}
                OUTPUT_VARIABLE defined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm --defined-only failed")
endif()
string(REGEX MATCHALL "[^\n]+" defined "${defined}")
list(APPEND allowed ${defined})

foreach(object IN LISTS objects)
  execute_process(COMMAND nm -u --format=just-symbols ${object}
                  OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm -u ${object} failed")
  endif()
  string(REGEX MATCHALL "[^\n]+" symbols "${undefined}")
  foreach(symbol IN LISTS symbols)
    if(NOT symbol IN_LIST allowed)
      message(FATAL_ERROR "freestanding-check:needs-symbol=${symbol} ${object} needs a symbol "
                          "a freestanding build does not have (allowed: memcpy, memset, memcmp)")
    endif()
  endforeach()
  string(REPLACE "\n" " " symbols_line "${undefined}")
  message(STATUS "${object}: freestanding at ${OPT}; needs: ${symbols_line}")
endforeach()
