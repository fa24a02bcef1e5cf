# install(EXPORT) with a package config and version file, plus pkg-config
# files, so that consumers can find_package(ringward) or pkg-config ringward.
include(CMakePackageConfigHelpers)

set(RINGWARD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ringward)

install(TARGETS ringward ringward_loader ringward_store ringward_schemas
  EXPORT ringwardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/ringward ${RINGWARD_CORE_INCLUDE_DIR}/ringward
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/ringward
  DESTINATION ${CMAKE_INSTALL_DATADIR}/ringward/schemas
  FILES_MATCHING PATTERN "*.proto")
if(TARGET ringward_cli)
  install(TARGETS ringward_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT ringwardTargets
  NAMESPACE ringward::
  DESTINATION ${RINGWARD_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/ringwardConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ringwardConfig.cmake
  INSTALL_DESTINATION ${RINGWARD_CMAKE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/ringwardConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/ringwardConfig.cmake
  ${PROJECT_BINARY_DIR}/ringwardConfigVersion.cmake
  DESTINATION ${RINGWARD_CMAKE_DIR})

# Relocatable: the prefix is found from the .pc file's own folder, so the
# package works wherever it is installed or copied.
file(RELATIVE_PATH RINGWARD_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" RINGWARD_PC_TO_PREFIX "${RINGWARD_PC_TO_PREFIX}")
foreach(pc ringward ringward-loader)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
