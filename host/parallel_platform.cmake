# parallel_platform.cmake: the parallel linux platform, i.e. ESP-IDF's own build and components for
# IDF_TARGET=linux with the components of host/ that replace or add to ESP-IDF's (docs/host-platform.md):
#
#   include(<repo>/host/parallel_platform.cmake)
#   wsh_parallel_platform(dirs components)       # before project.cmake; reads -DWSH_VARIANT=debug|tsan|asan
#   list(APPEND EXTRA_COMPONENT_DIRS ${dirs})
#   include($ENV{IDF_PATH}/tools/cmake/project.cmake)
#
# dirs are single component folders, never host/components as a whole: host/'s own build still keeps
# re-implementations of ESP-IDF components there, which must not replace ESP-IDF's. components are the ones
# a project lists in COMPONENTS when it cuts that list short: the kernel, chaos mode and the sentinel (which
# wraps ESP-IDF's transport calls, and so brings tcp_transport and esp-tls into the build). A sanitizer
# variant instruments every object of the build, ESP-IDF's components and Mbed TLS's libraries included,
# through CMAKE_<LANG>_FLAGS: ESP-IDF's linux toolchain file sets none, and component options would miss the
# libraries Mbed TLS adds itself.

get_filename_component(__wsh_host_dir "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)
include("${__wsh_host_dir}/variants.cmake")

function(wsh_parallel_platform dirs_var components_var)
    if(NOT EXISTS "$ENV{IDF_PATH}/tools/idf.py")
        message(FATAL_ERROR "the parallel linux platform builds with a real ESP-IDF: IDF_PATH is '$ENV{IDF_PATH}'")
    endif()
    if(NOT WSH_VARIANT)
        set(WSH_VARIANT debug)
    endif()
    wsh_variant_sanitize_flags("${WSH_VARIANT}" sanitize)
    if(sanitize)
        string(JOIN " " flags ${sanitize} -fno-omit-frame-pointer)
        foreach(lang C CXX)
            set(CMAKE_${lang}_FLAGS "${CMAKE_${lang}_FLAGS} ${flags}" PARENT_SCOPE)
        endforeach()
        set(CMAKE_EXE_LINKER_FLAGS "${CMAKE_EXE_LINKER_FLAGS} ${flags}" PARENT_SCOPE)
    endif()
    set(${dirs_var} "${__wsh_host_dir}/overrides/freertos" "${__wsh_host_dir}/components/wsh_chaos"
                    "${__wsh_host_dir}/components/wsh_sentinel" PARENT_SCOPE)
    set(${components_var} freertos wsh_chaos wsh_sentinel PARENT_SCOPE)
endfunction()
