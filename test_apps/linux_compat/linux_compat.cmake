# linux_compat.cmake: tells a project whether to build the components of test_apps/linux_compat/components,
# which override ESP-IDF components that the linux target of real ESP-IDF ships as headers only (esp_timer).
# A project's top-level CMakeLists includes it BEFORE project.cmake, then:
#
#   include(<repo>/test_apps/linux_compat/linux_compat.cmake)
#   wsh_linux_compat_component_dirs(compat_dirs)
#   list(APPEND EXTRA_COMPONENT_DIRS ${compat_dirs})
#   include($ENV{IDF_PATH}/tools/cmake/project.cmake)
#
# compat_dirs is components/ beside this file only for ESP-IDF's linux target, and empty otherwise: device
# targets have ESP-IDF's own esp_timer.

set_property(GLOBAL PROPERTY WSH_LINUX_COMPAT_DIR "${CMAKE_CURRENT_LIST_DIR}/components")

# The CONFIG_IDF_TARGET of the first of `configs` that has one, else empty; as ESP-IDF reads it.
function(__wsh_target_from_sdkconfigs out_var)
    foreach(config ${ARGN})
        get_filename_component(config "${config}" ABSOLUTE)
        if(NOT EXISTS "${config}" OR IS_DIRECTORY "${config}")
            continue()
        endif()
        file(STRINGS "${config}" lines REGEX "^CONFIG_IDF_TARGET=\"[^\"]+\"$")
        if(lines)
            list(GET lines 0 line)
            string(REGEX REPLACE "^CONFIG_IDF_TARGET=\"([^\"]+)\"$" "\\1" target "${line}")
            set(${out_var} "${target}" PARENT_SCOPE)
            return()
        endif()
    endforeach()
    set(${out_var} "" PARENT_SCOPE)
endfunction()

# The target project.cmake will pick, found the way ESP-IDF does before it runs (tools/cmake/targets.cmake,
# __target_init and __target_guess): the IDF_TARGET environment variable, else the IDF_TARGET CMake
# variable (-DIDF_TARGET=linux), else CONFIG_IDF_TARGET in the sdkconfig file (SDKCONFIG, else
# <project>/sdkconfig), else in the sdkconfig defaults, else ESP-IDF's default, esp32. ESP-IDF stops with
# an error when the environment and the CMake cache disagree, so their order never decides a build.
function(__wsh_idf_target out_var)
    if(NOT "$ENV{IDF_TARGET}" STREQUAL "")
        set(target "$ENV{IDF_TARGET}")
    elseif(IDF_TARGET)
        set(target "${IDF_TARGET}")
    else()
        if(SDKCONFIG_DEFAULTS)
            set(defaults "${SDKCONFIG_DEFAULTS}")
        elseif(NOT "$ENV{SDKCONFIG_DEFAULTS}" STREQUAL "")
            set(defaults "$ENV{SDKCONFIG_DEFAULTS}")
        else()
            set(defaults "${CMAKE_SOURCE_DIR}/sdkconfig.defaults")
        endif()
        __wsh_target_from_sdkconfigs(target "${SDKCONFIG}" "${CMAKE_SOURCE_DIR}/sdkconfig" ${defaults})
        if(NOT target)
            set(target esp32)
        endif()
    endif()
    set(${out_var} "${target}" PARENT_SCOPE)
endfunction()

# Sets out_var to the absolute path of test_apps/linux_compat/components for ESP-IDF's linux target, else to "".
function(wsh_linux_compat_component_dirs out_var)
    __wsh_idf_target(target)
    set(dirs "")
    if(target STREQUAL "linux")
        get_property(dirs GLOBAL PROPERTY WSH_LINUX_COMPAT_DIR)
    endif()
    set(${out_var} "${dirs}" PARENT_SCOPE)
endfunction()

# Sets out_var to the linux_compat components a project must add to COMPONENTS (ESP-IDF builds a component of
# EXTRA_COMPONENT_DIRS only when something requires it): linux_select, whose select() lets the other tasks run
# and sees readiness within a tick on every version; linux_idle, an idle hook that sleeps one tick;
# linux_stdout, log output under a lock the scheduler sees; linux_malloc, glibc's heap entered with the tick
# held off; and linux_pthread, the idle task's reaping of deleted tasks likewise (each CMakeLists.txt says what
# ESP-IDF does instead). All five work around ESP-IDF's FreeRTOS
# POSIX port, so on the parallel platform (host/parallel_platform.cmake given as CMAKE_PROJECT_INCLUDE, host/'s
# kernel in the port's place: nothing preempts a thread with a signal there) they stay out.
# Empty where wsh_linux_compat_component_dirs is.
function(wsh_linux_compat_components out_var)
    wsh_linux_compat_component_dirs(dirs)
    set(names "")
    if(dirs AND NOT CMAKE_PROJECT_INCLUDE MATCHES "parallel_platform\\.cmake$")
        list(APPEND names linux_select linux_idle linux_stdout linux_malloc linux_pthread)
    endif()
    set(${out_var} "${names}" PARENT_SCOPE)
endfunction()

# For the apps that prove a component of linux_compat (test_esp_timer, test_stdout, test_malloc): stops unless
# this is the linux target of a real ESP-IDF, and sets the caller's EXTRA_COMPONENT_DIRS and COMPONENTS to
# build `main`, test_common's parts and `component`. With a third argument, an option of that name (ON by
# default) leaves the component out when OFF: the build whose test must fail. A macro: it sets the caller's
# variables, as ESP-IDF reads them from the project's scope.
macro(wsh_linux_compat_test_app app component)
    wsh_linux_compat_component_dirs(__wsh_test_dirs)
    if(NOT __wsh_test_dirs)
        message(FATAL_ERROR "${app} is for the linux target of a real ESP-IDF "
            "(-DIDF_TARGET=linux, IDF_PATH=<esp-idf>); IDF_PATH is '$ENV{IDF_PATH}'")
    endif()
    get_filename_component(__wsh_test_common "${__wsh_test_dirs}/../test_common" ABSOLUTE)
    list(APPEND EXTRA_COMPONENT_DIRS ${__wsh_test_dirs} "${__wsh_test_common}")
    set(COMPONENTS main)
    set(__wsh_test_switch "${ARGN}")
    set(__wsh_test_with ON)
    if(__wsh_test_switch)
        option(${__wsh_test_switch} "build ${app} with ${component}" ON)
        set(__wsh_test_with ${${__wsh_test_switch}})
    endif()
    if(__wsh_test_with)
        list(APPEND COMPONENTS ${component})
    endif()
endmacro()

# After project(): the component an app proves must build without a warning on every ESP-IDF we claim.
function(wsh_linux_compat_test_werror component)
    idf_build_get_property(built BUILD_COMPONENTS)
    if(component IN_LIST built)
        idf_component_get_property(lib ${component} COMPONENT_LIB)
        target_compile_options(${lib} PRIVATE -Werror)
    endif()
endfunction()
