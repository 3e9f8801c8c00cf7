# Build and component properties with ESP-IDF's accessor names. Both live in CMake global properties,
# so they are visible from every directory scope: build properties as __IDF_BUILD_<prop>, component
# properties as __IDF_COMPONENT_<component>_<prop>.

function(idf_build_set_property property value)
    cmake_parse_arguments(_ "APPEND" "" "" ${ARGN})
    if(__APPEND)
        set_property(GLOBAL APPEND PROPERTY __IDF_BUILD_${property} "${value}")
    else()
        set_property(GLOBAL PROPERTY __IDF_BUILD_${property} "${value}")
    endif()
endfunction()

function(idf_build_get_property var property)
    cmake_parse_arguments(_ "GENERATOR_EXPRESSION" "" "" ${ARGN})
    if(__GENERATOR_EXPRESSION)
        message(FATAL_ERROR "idf_build_get_property(... GENERATOR_EXPRESSION) is not supported on the host platform")
    endif()
    get_property(value GLOBAL PROPERTY __IDF_BUILD_${property})
    set(${var} "${value}" PARENT_SCOPE)
endfunction()

# Fails with a clear message for a component that was never discovered, because a typo here would
# otherwise yield an empty value and a confusing error much later.
function(__wsh_check_component_known component)
    get_property(known GLOBAL PROPERTY __WSH_ALL_COMPONENTS)
    if(NOT component IN_LIST known)
        message(FATAL_ERROR "Unknown component '${component}' (known: ${known})")
    endif()
endfunction()

function(idf_component_set_property component property value)
    __wsh_check_component_known("${component}")
    cmake_parse_arguments(_ "APPEND" "" "" ${ARGN})
    if(__APPEND)
        set_property(GLOBAL APPEND PROPERTY __IDF_COMPONENT_${component}_${property} "${value}")
    else()
        set_property(GLOBAL PROPERTY __IDF_COMPONENT_${component}_${property} "${value}")
    endif()
endfunction()

function(idf_component_get_property var component property)
    __wsh_check_component_known("${component}")
    get_property(value GLOBAL PROPERTY __IDF_COMPONENT_${component}_${property})
    set(${var} "${value}" PARENT_SCOPE)
endfunction()
