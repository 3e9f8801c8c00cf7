# variants.cmake: the linux build variants, shared by both parallel builds (host/'s own build system,
# tools/cmake/variants.cmake, and ESP-IDF's, parallel_platform.cmake):
#   debug  the build's own debug flags
#   tsan   plus ThreadSanitizer
#   asan   plus AddressSanitizer and UBSan; UBSan reports and goes on (each report fails the test through the
#          rig's log guard, and one run names every site), ASan stops at its first error

set(WSH_VARIANTS debug tsan asan)

# Sets out_var to the variant's sanitizer flags (the same for compiling and linking); stops the configure on a
# name that is not a variant.
function(wsh_variant_sanitize_flags variant out_var)
    if(NOT variant IN_LIST WSH_VARIANTS)
        string(REPLACE ";" ", " known "${WSH_VARIANTS}")
        message(FATAL_ERROR "Unknown WSH_VARIANT '${variant}': choose one of ${known}")
    endif()
    if(variant STREQUAL "tsan")
        set(flags -fsanitize=thread)
    elseif(variant STREQUAL "asan")
        set(flags -fsanitize=address,undefined)
    else()
        set(flags)
    endif()
    set(${out_var} ${flags} PARENT_SCOPE)
endfunction()
