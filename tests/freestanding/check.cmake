cmake_minimum_required(VERSION 3.20)
# Compiles each kernel-safe source as a freestanding object and fails if it
# needs any symbol beyond memcpy, memset and memcmp, or uses floating point.
#
# -mgeneral-regs-only (x86) makes any floating-point or vector register use a
# compile error, so "no floating point" is checked, not hoped for.
# -fno-stack-protector and -fno-asynchronous-unwind-tables keep the compiler's
# own runtime hooks (__stack_chk_fail) out, as a kernel build does.
# Inputs: COMPILER, INCLUDE_DIR, SOURCES (;-list), OPT, WORK_DIR.
file(MAKE_DIRECTORY ${WORK_DIR})
set(allowed memcpy memset memcmp)
set(flags -std=c++20 ${OPT} -ffreestanding -fno-exceptions -fno-rtti -nostdlib
          -fno-stack-protector -fno-asynchronous-unwind-tables -fno-threadsafe-statics
          -Wall -Wextra -Werror -I${INCLUDE_DIR})
execute_process(COMMAND uname -m OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
if(arch STREQUAL "x86_64")
  list(APPEND flags -mgeneral-regs-only)
endif()
foreach(source IN LISTS SOURCES)
  get_filename_component(name ${source} NAME_WE)
  set(object ${WORK_DIR}/${name}.o)
  execute_process(COMMAND ${COMPILER} ${flags} -c ${source} -o ${object}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    # Space-free tokens: CMake wraps long messages at spaces, and the tests
    # that prove this check can fail match on them.
    message(FATAL_ERROR "freestanding-check:compile-failed ${source}\n${err}")
  endif()
  execute_process(COMMAND nm -u ${object} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm -u ${object} failed")
  endif()
  string(REGEX MATCHALL "[^ \n\t]+\n" lines "${undefined}")
  foreach(line IN LISTS lines)
    string(STRIP "${line}" symbol)
    if(symbol STREQUAL "U" OR symbol STREQUAL "")
      continue()
    endif()
    if(NOT symbol IN_LIST allowed)
      message(FATAL_ERROR "freestanding-check:needs-symbol=${symbol} ${source} needs a symbol "
                          "a freestanding build does not have (allowed: ${allowed})")
    endif()
  endforeach()
  message(STATUS "${name}: freestanding at ${OPT}; undefined symbols: ${undefined}")
endforeach()
