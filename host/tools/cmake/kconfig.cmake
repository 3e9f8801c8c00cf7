# sdkconfig generation through esp-idf-kconfig's kconfgen, at configure time.
#
# host/Kconfig sources two generated files (paths passed in the environment, as ESP-IDF does):
# <build>/config/kconfigs.in lists every component's Kconfig, kconfigs_projbuild.in every Kconfig.projbuild.
# Inputs are SDKCONFIG_DEFAULTS (later files override earlier; each file's ".linux" sibling follows it when
# present, as ESP-IDF's per-target defaults do) and, only when the project names one with SDKCONFIG, an
# existing sdkconfig file, which is then kept up to date like ESP-IDF's. Without SDKCONFIG the config lives in
# <build>/sdkconfig and is regenerated from the defaults on every configure, so editing a defaults file always
# takes effect. Every input is a CMake configure dependency, so ninja re-runs the configure when one changes.

# Resolves SDKCONFIG_DEFAULTS into absolute paths in the caller's ${out}; a named file that is missing is an error.
function(__wsh_resolve_sdkconfig_defaults out project_dir defaults)
    if(NOT defaults AND EXISTS "${project_dir}/sdkconfig.defaults")
        set(defaults "${project_dir}/sdkconfig.defaults")
    endif()
    set(result)
    foreach(file IN LISTS defaults)
        # Empty entries are skipped, as ESP-IDF does: idf-build-apps passes ";" for an app without defaults.
        if(file STREQUAL "")
            continue()
        endif()
        get_filename_component(file "${file}" ABSOLUTE BASE_DIR "${project_dir}")
        if(NOT EXISTS "${file}")
            message(FATAL_ERROR "SDKCONFIG_DEFAULTS names '${file}', which does not exist")
        endif()
        list(APPEND result "${file}")
        if(EXISTS "${file}.linux")
            list(APPEND result "${file}.linux")
        endif()
    endforeach()
    set(${out} ${result} PARENT_SCOPE)
endfunction()

# Writes the two source-list files for host/Kconfig from the components' Kconfig files.
function(__wsh_write_kconfig_sources config_dir out_deps)
    get_property(all GLOBAL PROPERTY __WSH_ALL_COMPONENTS)
    set(kconfigs "")
    set(projbuilds "")
    set(deps)
    foreach(name IN LISTS all)
        get_property(dir GLOBAL PROPERTY __IDF_COMPONENT_${name}_COMPONENT_DIR)
        if(EXISTS "${dir}/Kconfig")
            string(APPEND kconfigs "source \"${dir}/Kconfig\"\n")
            list(APPEND deps "${dir}/Kconfig")
        endif()
        if(EXISTS "${dir}/Kconfig.projbuild")
            string(APPEND projbuilds "source \"${dir}/Kconfig.projbuild\"\n")
            list(APPEND deps "${dir}/Kconfig.projbuild")
        endif()
    endforeach()
    file(WRITE "${config_dir}/kconfigs.in" "${kconfigs}")
    file(WRITE "${config_dir}/kconfigs_projbuild.in" "${projbuilds}")
    set(${out_deps} ${deps} PARENT_SCOPE)
endfunction()

# kconfgen reports an unknown symbol in a defaults file only as a NOTE; a typo there would silently keep
# the default. One CMake warning lists every such symbol with its file (options of components or chips the
# host lacks show up here too, legitimately, in defaults files shared with device builds). kconfgen repeats
# the notes of earlier files when it loads a later one, so each symbol is listed once, with its first file.
function(__wsh_warn_unknown_symbols output)
    string(REPLACE "\n" ";" lines "${output}")
    set(symbols)
    set(unknown)
    foreach(line IN LISTS lines)
        if(line MATCHES "unknown kconfig symbol '([^']+)' assigned to .* in (.+)$"
           AND NOT CMAKE_MATCH_1 IN_LIST symbols)
            list(APPEND symbols "${CMAKE_MATCH_1}")
            list(APPEND unknown "${CMAKE_MATCH_1} (${CMAKE_MATCH_2})")
        endif()
    endforeach()
    if(unknown)
        list(JOIN unknown "\n  " listed)
        message(WARNING "sdkconfig defaults set options that no Kconfig here defines; they are ignored:\n  ${listed}")
    endif()
endfunction()

# Runs kconfgen; leaves CONFIG_* variables to the caller's include of <build>/config/sdkconfig.cmake.
function(__wsh_generate_sdkconfig idf_path project_dir build_dir python variant)
    set(config_dir "${build_dir}/config")
    file(MAKE_DIRECTORY "${config_dir}")
    __wsh_write_kconfig_sources("${config_dir}" kconfig_deps)
    __wsh_resolve_sdkconfig_defaults(defaults "${project_dir}" "${SDKCONFIG_DEFAULTS}")

    set(args -m kconfgen --kconfig "${idf_path}/Kconfig")
    foreach(file IN LISTS defaults)
        list(APPEND args --defaults "${file}")
    endforeach()
    if(SDKCONFIG)
        get_filename_component(sdkconfig "${SDKCONFIG}" ABSOLUTE BASE_DIR "${project_dir}")
        if(EXISTS "${sdkconfig}")
            list(APPEND args --config "${sdkconfig}")
            list(APPEND kconfig_deps "${sdkconfig}")
        endif()
    else()
        set(sdkconfig "${build_dir}/sdkconfig")
        file(REMOVE "${sdkconfig}")
    endif()
    list(APPEND args
        --env "COMPONENT_KCONFIGS_SOURCE_FILE=${config_dir}/kconfigs.in"
        --env "COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE=${config_dir}/kconfigs_projbuild.in"
        --env "IDF_TARGET=linux"
        --env "WSH_VARIANT=${variant}"
        --output header "${config_dir}/sdkconfig.h"
        --output cmake "${config_dir}/sdkconfig.cmake"
        --output json "${config_dir}/sdkconfig.json"
        --output config "${sdkconfig}")
    execute_process(COMMAND "${python}" ${args}
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "kconfgen failed (exit ${rc}) using Python '${python}' "
            "(needs esp-idf-kconfig; choose another with -DWSH_PYTHON=...):\n${out}${err}")
    endif()
    __wsh_warn_unknown_symbols("${out}${err}")
    set_property(DIRECTORY "${project_dir}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
        "${idf_path}/Kconfig" ${kconfig_deps} ${defaults})
    idf_build_set_property(SDKCONFIG "${sdkconfig}")
    idf_build_set_property(SDKCONFIG_DEFAULTS "${defaults}")
    idf_build_set_property(SDKCONFIG_HEADER "${config_dir}/sdkconfig.h")
    idf_build_set_property(SDKCONFIG_JSON "${config_dir}/sdkconfig.json")
    idf_build_set_property(SDKCONFIG_CMAKE "${config_dir}/sdkconfig.cmake")
endfunction()
