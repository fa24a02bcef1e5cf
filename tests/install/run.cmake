cmake_minimum_required(VERSION 3.20)
# Installs the build tree into a temporary prefix, then builds and runs two
# consumers against it: one through find_package(ringward), one through
# pkg-config. Inputs: BUILD_DIR, CONSUMER_DIR, WORK_DIR, GENERATOR,
# CXX_COMPILER.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# find_package(ringward 0.1) from a separate project.
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run(${WORK_DIR}/consumer/consumer)
set(expected "empty: blob-truncated-header\ncode: RW0004\nblob: ok, 1 instance, channel 9\n")
if(NOT run_output STREQUAL expected)
  message(FATAL_ERROR "find_package consumer printed:\n${run_output}\nexpected:\n${expected}")
endif()

# The same program built with nothing but pkg-config's flags.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run(${PKG_CONFIG} --cflags --libs --static ringward)
string(STRIP "${run_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CXX_COMPILER} -std=c++20 ${CONSUMER_DIR}/main.cpp -o ${WORK_DIR}/pkgconfig-consumer ${flags})
run(${WORK_DIR}/pkgconfig-consumer)
if(NOT run_output STREQUAL expected)
  message(FATAL_ERROR "pkg-config consumer printed:\n${run_output}\nexpected:\n${expected}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "installed package works through find_package and pkg-config")
