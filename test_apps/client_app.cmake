# client_app.cmake: what every wshammer test app built on esp_websocket_client does in its top-level
# CMakeLists, on every target (devices; linux on ESP-IDF's own linux target or the parallel platform):
#
#   include(<repo>/test_apps/client_app.cmake)
#   wsh_client_app_begin()                  # before project.cmake
#   include($ENV{IDF_PATH}/tools/cmake/project.cmake)
#   project(<name>)
#   wsh_client_app_end()                    # after project()
#
# begin: SDKCONFIG_DEFAULTS becomes <repo>/sdkconfig.defaults, then the app's own, then whatever the caller
# passed (idf-build-apps gives -DSDKCONFIG_DEFAULTS=<app>/sdkconfig.ci.<config>): later files override earlier
# ones. The client comes from WSH_COMPONENT_DIR (-D or environment; default: this repository's), so the rig
# can build another tree, e.g. a pull request's, without touching the app. On ESP-IDF's linux target the
# components of linux_compat join (linux_compat.cmake says why) and COMPONENTS is cut to main and them; on the
# parallel platform (host/parallel_platform.cmake as CMAKE_PROJECT_INCLUDE) the POSIX port's workarounds stay out.
# end: our own component must build without a warning on every ESP-IDF we claim; another tree is built as it is.

get_filename_component(WSH_TEST_APPS_DIR "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)
include("${WSH_TEST_APPS_DIR}/linux_compat/linux_compat.cmake")

macro(wsh_client_app_begin)
    set(wsh_defaults "${WSH_TEST_APPS_DIR}/../sdkconfig.defaults")
    if(EXISTS "${CMAKE_SOURCE_DIR}/sdkconfig.defaults")
        list(APPEND wsh_defaults "${CMAKE_SOURCE_DIR}/sdkconfig.defaults")
    endif()
    if(SDKCONFIG_DEFAULTS)
        list(APPEND wsh_defaults ${SDKCONFIG_DEFAULTS})
    endif()
    set(SDKCONFIG_DEFAULTS "${wsh_defaults}")

    get_filename_component(wsh_own_component "${WSH_TEST_APPS_DIR}/../components/esp_websocket_client" ABSOLUTE)
    if(NOT WSH_COMPONENT_DIR)
        if(DEFINED ENV{WSH_COMPONENT_DIR} AND NOT "$ENV{WSH_COMPONENT_DIR}" STREQUAL "")
            set(WSH_COMPONENT_DIR "$ENV{WSH_COMPONENT_DIR}")
        else()
            set(WSH_COMPONENT_DIR "${wsh_own_component}")
        endif()
    endif()
    get_filename_component(WSH_COMPONENT_DIR "${WSH_COMPONENT_DIR}" ABSOLUTE)
    if(NOT EXISTS "${WSH_COMPONENT_DIR}/CMakeLists.txt")
        message(FATAL_ERROR "WSH_COMPONENT_DIR=${WSH_COMPONENT_DIR} is not an ESP-IDF component (no CMakeLists.txt)")
    endif()
    message(STATUS "esp_websocket_client from ${WSH_COMPONENT_DIR}")

    wsh_linux_compat_component_dirs(wsh_compat_dirs)
    set(EXTRA_COMPONENT_DIRS "${WSH_TEST_APPS_DIR}/components" "${WSH_COMPONENT_DIR}" ${wsh_compat_dirs})
    if(wsh_compat_dirs)
        # On its linux target nearly every ESP-IDF component registers and would only cost build time. A chip
        # keeps the full set: some components join only if present (espcoredump for the UART core dump).
        wsh_linux_compat_components(wsh_compat_components)
        set(COMPONENTS main ${wsh_compat_components})
    endif()
endmacro()

macro(wsh_client_app_end)
    if(WSH_COMPONENT_DIR STREQUAL wsh_own_component)
        idf_component_get_property(wsh_client_lib esp_websocket_client COMPONENT_LIB)
        target_compile_options(${wsh_client_lib} PRIVATE -Werror)
    endif()
endmacro()
