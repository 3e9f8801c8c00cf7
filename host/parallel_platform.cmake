# parallel_platform.cmake: the parallel linux platform, i.e. ESP-IDF's own build and components for
# IDF_TARGET=linux with the components of host/ that replace or add to ESP-IDF's (docs/host-platform.md).
# Any ESP-IDF project joins from outside, unchanged:
#
#   cmake -S <project> -B <build> -G Ninja -DIDF_TARGET=linux \
#         -DCMAKE_PROJECT_INCLUDE=<repo>/host/parallel_platform.cmake -DWSH_VARIANT=debug|tsan|asan
#
# (what `wshammer build --app <project> --platform parallel` passes). CMake's own project() includes this file
# as its last step, from inside ESP-IDF's project() macro (tools/cmake/project.cmake, the same in v5.3 to v6.0):
# after ESP-IDF has registered the project's components and before it resolves the build, so the components
# added here come last and replace ESP-IDF's of the same name (freertos) by ESP-IDF's own override rule.
# The later project() calls of components (Mbed TLS's) include it again: the guard makes those no-ops.
#
# The components: the kernel, chaos mode and the sentinel (which wraps ESP-IDF's transport calls and so brings
# tcp_transport and esp-tls into the build; a project with no transport may set WSH_PARALLEL_SENTINEL OFF
# to build faster). A project that cuts COMPONENTS short gets them appended to its list.
#
# A sanitizer variant instruments every object of the build, ESP-IDF's components and Mbed TLS's libraries
# included, through CMAKE_<LANG>_FLAGS: ESP-IDF's linux toolchain file sets none, and component options would
# miss the libraries Mbed TLS adds itself. The languages are enabled by now and no target exists yet.

include_guard(GLOBAL)
get_filename_component(__wsh_host_dir "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)

if(NOT COMMAND idf_build_component OR NOT EXISTS "$ENV{IDF_PATH}/tools/idf.py")
    message(FATAL_ERROR "host/parallel_platform.cmake joins an ESP-IDF project (CMAKE_PROJECT_INCLUDE, "
                        "with a real ESP-IDF in IDF_PATH); IDF_PATH is '$ENV{IDF_PATH}'")
endif()
if(NOT IDF_TARGET STREQUAL "linux")
    message(FATAL_ERROR "the parallel linux platform builds for IDF_TARGET=linux, not '${IDF_TARGET}'")
endif()

# The variants:
#   debug  the build's own debug flags
#   tsan   plus ThreadSanitizer
#   asan   plus AddressSanitizer and UBSan; UBSan reports and goes on (each report fails the test through the
#          rig's log guard, and one run names every site), ASan stops at its first error
if(NOT WSH_VARIANT)
    set(WSH_VARIANT debug)
endif()
if(WSH_VARIANT STREQUAL "tsan")
    set(__wsh_sanitize -fsanitize=thread)
elseif(WSH_VARIANT STREQUAL "asan")
    set(__wsh_sanitize -fsanitize=address,undefined)
elseif(WSH_VARIANT STREQUAL "debug")
    set(__wsh_sanitize)
else()
    message(FATAL_ERROR "Unknown WSH_VARIANT '${WSH_VARIANT}': choose one of debug, tsan, asan")
endif()
if(__wsh_sanitize)
    string(JOIN " " __wsh_flags ${__wsh_sanitize} -fno-omit-frame-pointer)
    foreach(__wsh_lang C CXX)
        string(APPEND CMAKE_${__wsh_lang}_FLAGS " ${__wsh_flags}")
    endforeach()
    string(APPEND CMAKE_EXE_LINKER_FLAGS " ${__wsh_flags}")
endif()
# The CMake cache keeps the variant for the rig (linux_elf.variant_of_build) and for a later reconfigure.
set(WSH_VARIANT "${WSH_VARIANT}" CACHE STRING "parallel platform variant: debug, tsan or asan" FORCE)

set(__wsh_components freertos wsh_chaos)
if(NOT DEFINED WSH_PARALLEL_SENTINEL OR WSH_PARALLEL_SENTINEL)
    list(APPEND __wsh_components wsh_sentinel)
endif()
foreach(__wsh_component ${__wsh_components})
    if(__wsh_component STREQUAL "freertos")
        set(__wsh_dir "${__wsh_host_dir}/overrides/freertos")
    else()
        set(__wsh_dir "${__wsh_host_dir}/components/${__wsh_component}")
    endif()
    idf_build_component("${__wsh_dir}" "project_extra_components")
endforeach()
# `components` is the list ESP-IDF's project() macro gathered from COMPONENTS (empty: every component).
if(components)
    list(APPEND components ${__wsh_components})
endif()
message(STATUS "parallel linux platform: host/'s kernel under ESP-IDF's components, variant ${WSH_VARIANT}")
