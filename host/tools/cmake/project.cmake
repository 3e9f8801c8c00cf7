# Entry point of the host platform's build system: a standard ESP-IDF project's top-level CMakeLists.txt
# includes this file and calls project(<name>), exactly as with ESP-IDF:
#
#   cmake_minimum_required(VERSION 3.16)
#   set(EXTRA_COMPONENT_DIRS ...)              # optional
#   include($ENV{IDF_PATH}/tools/cmake/project.cmake)
#   project(my_app)
#
# project() configures in this order: variant flags, component discovery, sdkconfig (kconfgen), early
# expansion of requirements, add_subdirectory of each component, requirement links, then the ELF
# <build>/<name>.elf (every component archive linked whole) and <build>/project_description.json.
# Options: -DWSH_VARIANT=debug|tsan|asan, -DWSH_IDF_VERSION=<x.y.z>, -DWSH_PYTHON=<python with kconfgen>,
# SDKCONFIG, SDKCONFIG_DEFAULTS, EXTRA_COMPONENT_DIRS, COMPONENTS (see docs/host-platform.md).
# Configure is single-threaded, so the global properties used as state need no locking.
include_guard(GLOBAL)

get_filename_component(IDF_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
# The host platform has one target; asking for another (as -DIDF_TARGET or $IDF_TARGET) is a mistake.
foreach(_wsh_requested_target "$CACHE{IDF_TARGET}" "$ENV{IDF_TARGET}")
    if(NOT _wsh_requested_target STREQUAL "" AND NOT _wsh_requested_target STREQUAL "linux")
        message(FATAL_ERROR "IDF_TARGET '${_wsh_requested_target}' requested, but ${IDF_PATH} builds only "
            "for linux; use ESP-IDF for chip targets")
    endif()
endforeach()
set(IDF_TARGET linux)

include("${CMAKE_CURRENT_LIST_DIR}/version.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/variants.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/properties.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/components.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/kconfig.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/elf.cmake")

# Python that runs kconfgen: -DWSH_PYTHON, else $PYTHON, else the first python3/python on PATH.
if(NOT WSH_PYTHON)
    if(DEFINED ENV{PYTHON})
        set(WSH_PYTHON "$ENV{PYTHON}")
    else()
        find_program(WSH_PYTHON_FOUND NAMES python3 python REQUIRED)
        set(WSH_PYTHON "${WSH_PYTHON_FOUND}")
    endif()
endif()

# Early properties, readable from the project's CMakeLists.txt before project() as in ESP-IDF.
idf_build_set_property(IDF_PATH "${IDF_PATH}")
idf_build_set_property(PYTHON "${WSH_PYTHON}")
idf_build_set_property(IDF_TARGET linux)
idf_build_set_property(IDF_VER "${IDF_VER}")
idf_build_set_property(IDF_VERSION_MAJOR "${IDF_VERSION_MAJOR}")
idf_build_set_property(IDF_VERSION_MINOR "${IDF_VERSION_MINOR}")
idf_build_set_property(IDF_VERSION_PATCH "${IDF_VERSION_PATCH}")

# Global compile settings every component shares, as ESP-IDF's build.cmake sets them.
function(__wsh_apply_global_settings build_dir)
    set(CMAKE_C_STANDARD 17 PARENT_SCOPE)
    set(CMAKE_C_EXTENSIONS ON PARENT_SCOPE)
    set(CMAKE_CXX_STANDARD 20 PARENT_SCOPE)
    set(CMAKE_CXX_EXTENSIONS ON PARENT_SCOPE)
    add_compile_definitions(ESP_PLATFORM IDF_VER="${IDF_VER}" _GNU_SOURCE
        WSH_IDF_VERSION_MAJOR=${IDF_VERSION_MAJOR}
        WSH_IDF_VERSION_MINOR=${IDF_VERSION_MINOR}
        WSH_IDF_VERSION_PATCH=${IDF_VERSION_PATCH})
    include_directories("${build_dir}/config")
    # Project-wide additions a project may make before project(), as with ESP-IDF.
    idf_build_get_property(options COMPILE_OPTIONS)
    idf_build_get_property(definitions COMPILE_DEFINITIONS)
    add_compile_options(${options})
    add_compile_definitions(${definitions})
endfunction()

function(__wsh_add_and_link_components build_dir)
    get_property(build GLOBAL PROPERTY __WSH_BUILD_COMPONENTS)
    foreach(name IN LISTS build)
        __wsh_add_component("${name}" "${build_dir}")
    endforeach()
    foreach(name IN LISTS build)
        __wsh_link_component("${name}")
    endforeach()
    idf_build_set_property(BUILD_COMPONENTS "${build}")
endfunction()

function(__wsh_early_expand_all)
    get_property(all GLOBAL PROPERTY __WSH_ALL_COMPONENTS)
    foreach(name IN LISTS all)
        __wsh_early_expand("${name}")
    endforeach()
endfunction()

# A macro, so CMake's project() (reachable as _project once overridden) and the CONFIG_* variables land in
# the top-level scope where the project's own CMakeLists.txt can see them afterwards.
macro(project project_name)
    _project(${project_name} C CXX ASM)
    __wsh_apply_variant()
    idf_build_set_property(PROJECT_NAME "${project_name}")
    idf_build_set_property(PROJECT_DIR "${CMAKE_SOURCE_DIR}")
    idf_build_set_property(BUILD_DIR "${CMAKE_BINARY_DIR}")
    idf_build_set_property(WSH_VARIANT "${WSH_VARIANT}")
    __wsh_apply_global_settings("${CMAKE_BINARY_DIR}")
    __wsh_discover_components("${CMAKE_SOURCE_DIR}" "${IDF_PATH}" "${EXTRA_COMPONENT_DIRS}")
    __wsh_generate_sdkconfig("${IDF_PATH}" "${CMAKE_SOURCE_DIR}" "${CMAKE_BINARY_DIR}" "${WSH_PYTHON}" "${WSH_VARIANT}")
    include("${CMAKE_BINARY_DIR}/config/sdkconfig.cmake")
    __wsh_early_expand_all()
    __wsh_resolve_build_components("${COMPONENTS}")
    __wsh_add_and_link_components("${CMAKE_BINARY_DIR}")
    __wsh_add_elf("${project_name}" "${CMAKE_BINARY_DIR}")
    __wsh_write_project_description("${project_name}" "${CMAKE_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
endmacro()
