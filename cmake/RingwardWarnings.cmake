# Warning flags, applied PRIVATE to ringward's own targets only.
function(ringward_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4)
    return()
  endif()
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wcast-align -Wformat=2
    -Wimplicit-fallthrough -Wundef
    $<$<COMPILE_LANGUAGE:CXX>:-Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual>)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
    # GCC 12 at -O2/-O3 reports -Wrestrict and -Wstringop-overflow inside
    # libstdc++'s own string and vector code (GCC bugs 105329, 105651).
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow)
  endif()
  if(RINGWARD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
