# What an ESP-IDF app's CMakeLists.txt hands to ESP-IDF's configure step, read without a compiler:
# ci/check_sdkconfig_names.py runs
#   cmake -D IDF_TARGET=<chip> [-D SDKCONFIG_DEFAULTS=<files>] -D WSH_APP=<app dir> -D WSH_OUT=<file> -P <this>
# in the app folder with the real IDF_PATH in the environment. The app's CMakeLists.txt runs in script
# mode as far as project(): the include of ESP-IDF's project.cmake is skipped, and project() writes the
# variables that ESP-IDF's project.cmake reads (and the tree's version), so whatever CMake logic the app
# uses to pick its defaults files and components is the one that counts.
cmake_minimum_required(VERSION 3.16)
include("$ENV{IDF_PATH}/tools/cmake/version.cmake")

macro(include)
    if(NOT "${ARGV0}" STREQUAL "$ENV{IDF_PATH}/tools/cmake/project.cmake")
        _include(${ARGV})
    endif()
endmacro()

# Between the include and project() an app may set build properties; MINIMAL_BUILD is the one that
# changes which components (hence which Kconfig files) are in the build.
macro(idf_build_set_property name value)
    set(__wsh_build_property_${name} "${value}")
endmacro()

macro(project)
    set(__wsh_settings "IDF_VERSION=${IDF_VERSION_MAJOR}.${IDF_VERSION_MINOR}.${IDF_VERSION_PATCH}\n")
    foreach(__wsh_name SDKCONFIG_DEFAULTS COMPONENT_DIRS EXTRA_COMPONENT_DIRS COMPONENTS EXCLUDE_COMPONENTS)
        if(DEFINED ${__wsh_name})
            string(APPEND __wsh_settings "${__wsh_name}=${${__wsh_name}}\n")
        endif()
    endforeach()
    string(APPEND __wsh_settings "MINIMAL_BUILD=${__wsh_build_property_MINIMAL_BUILD}\n")
    file(WRITE "${WSH_OUT}" "${__wsh_settings}")
    # Ends the app's CMakeLists.txt: what follows project() needs a real configure step.
    return()
endmacro()

_include("${WSH_APP}/CMakeLists.txt")
