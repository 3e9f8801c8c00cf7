# Build variants of the host platform: compile and link flags applied to every component and the ELF.
#   debug  -O1 -g, ESP-IDF's warning set
#   tsan   the same plus ThreadSanitizer
#   asan   the same plus AddressSanitizer and UBSan; UBSan reports and goes on (each report fails the test
#          through the rig's log guard, and one run names every site), ASan stops at its first error
# Selected with -DWSH_VARIANT=<name> (default debug); anything else stops the configure.

set(WSH_VARIANTS debug tsan asan)

# Sets WSH_VARIANT in the caller's scope (validated) and adds the variant's flags to the current directory,
# which every component directory added afterwards inherits.
function(__wsh_apply_variant)
    set(variant "${WSH_VARIANT}")
    if(variant STREQUAL "")
        set(variant debug)
    endif()
    if(NOT variant IN_LIST WSH_VARIANTS)
        string(REPLACE ";" ", " known "${WSH_VARIANTS}")
        message(FATAL_ERROR "Unknown WSH_VARIANT '${variant}': choose one of ${known}")
    endif()
    set(WSH_VARIANT "${variant}" CACHE STRING "host build variant: debug, tsan or asan" FORCE)
    set_property(CACHE WSH_VARIANT PROPERTY STRINGS ${WSH_VARIANTS})

    # ESP-IDF's own warning policy: -Wall -Wextra without the two it switches off for its components.
    set(common -O1 -g -fno-omit-frame-pointer -pthread
        -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)
    if(variant STREQUAL "tsan")
        set(sanitize -fsanitize=thread)
    elseif(variant STREQUAL "asan")
        set(sanitize -fsanitize=address,undefined)
    else()
        set(sanitize)
    endif()
    add_compile_options(${common} ${sanitize})
    add_link_options(-pthread ${sanitize})
    set(WSH_VARIANT "${variant}" PARENT_SCOPE)
endfunction()
