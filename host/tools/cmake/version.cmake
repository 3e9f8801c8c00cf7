# The ESP-IDF version the host platform presents (IDF_VERSION_MAJOR/MINOR/PATCH), as ESP-IDF's own
# tools/cmake/version.cmake does. idf-build-apps reads the three literal set() lines below with a regex
# (digits only), so they stay literal; -DWSH_IDF_VERSION=<major>.<minor>.<patch> overrides them per build.
set(IDF_VERSION_MAJOR 5)
set(IDF_VERSION_MINOR 5)
set(IDF_VERSION_PATCH 5)

if(DEFINED WSH_IDF_VERSION AND NOT WSH_IDF_VERSION STREQUAL "")
    if(NOT WSH_IDF_VERSION MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+$")
        message(FATAL_ERROR "WSH_IDF_VERSION='${WSH_IDF_VERSION}' is not <major>.<minor>.<patch> (e.g. 5.5.0)")
    endif()
    string(REPLACE "." ";" _wsh_version_parts "${WSH_IDF_VERSION}")
    list(GET _wsh_version_parts 0 _wsh_major)
    list(GET _wsh_version_parts 1 _wsh_minor)
    list(GET _wsh_version_parts 2 _wsh_patch)
    set(IDF_VERSION_MAJOR ${_wsh_major})
    set(IDF_VERSION_MINOR ${_wsh_minor})
    set(IDF_VERSION_PATCH ${_wsh_patch})
endif()

set(IDF_VER "v${IDF_VERSION_MAJOR}.${IDF_VERSION_MINOR}.${IDF_VERSION_PATCH}")
