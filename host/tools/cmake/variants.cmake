# Build variants of host/'s own build: ../../variants.cmake names them and their sanitizer flags; here they
# are applied to every component and the ELF, with -O1 -g and ESP-IDF's warning set.
# Selected with -DWSH_VARIANT=<name> (default debug); anything else stops the configure.

include("${CMAKE_CURRENT_LIST_DIR}/../../variants.cmake")

# Sets WSH_VARIANT in the caller's scope (validated) and adds the variant's flags to the current directory,
# which every component directory added afterwards inherits.
function(__wsh_apply_variant)
    set(variant "${WSH_VARIANT}")
    if(variant STREQUAL "")
        set(variant debug)
    endif()
    wsh_variant_sanitize_flags("${variant}" sanitize)
    set(WSH_VARIANT "${variant}" CACHE STRING "host build variant: debug, tsan or asan" FORCE)
    set_property(CACHE WSH_VARIANT PROPERTY STRINGS ${WSH_VARIANTS})

    # ESP-IDF's own warning policy: -Wall -Wextra without the two it switches off for its components.
    set(common -O1 -g -fno-omit-frame-pointer -pthread
        -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)
    add_compile_options(${common} ${sanitize})
    add_link_options(-pthread ${sanitize})
    set(WSH_VARIANT "${variant}" PARENT_SCOPE)
endfunction()
