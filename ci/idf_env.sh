# shellcheck shell=bash
# Sourced by the ci/*.sh scripts that need ESP-IDF (build, qemu, hardware): exports ESP-IDF's
# environment (the espressif/idf container has it at $IDF_PATH, but a GitHub container job skips the
# image's entrypoint) and offers to install this repository's pinned Python tools into ESP-IDF's
# virtualenv.
# Not for host builds: ci/host.sh needs no ESP-IDF. The caller sets $repo to the repository root.

if [ -z "${IDF_PATH:-}" ] || [ ! -f "$IDF_PATH/export.sh" ]; then
    echo "ci: IDF_PATH does not point at an ESP-IDF checkout (run inside an espressif/idf container)" >&2
    exit 2
fi
# export.sh is not written for `set -u`.
set +u
# shellcheck disable=SC1091
. "$IDF_PATH/export.sh" >/dev/null
set -u

# idf-build-apps alone, at the version pyproject.toml pins: a build must run with ESP-IDF's own tools
# (the rig's newer esptool would change what idf.py build prints and runs).
idf_env_install_build_tools() {
    local pin
    pin=$(grep -o '"idf-build-apps==[^"]*"' "${repo:?}/pyproject.toml" | tr -d '"')
    python -m pip install --quiet --disable-pip-version-check "$pin"
}

# The rig and the pytest-embedded plugins at the versions pyproject.toml pins, for the test run.
idf_env_install_rig() {
    python -m pip install --quiet --disable-pip-version-check -e "${repo:?}[dev]"
}

# Where a target's ESP-IDF build of ws_hammer lands for one sdkconfig.ci.<config> (.idf_build_apps.toml).
build_dir_of() {
    echo "test_apps/ws_hammer/build_$1_$2"
}

# Runs the hammer suite against the ESP-IDF build of one target/config on the pytest-embedded services
# given (idf,qemu or esp,idf), then decodes any panic in the logs. JUnit and logs go to
# report/<target>-<config>/. Extra arguments go to pytest. Returns pytest's status.
run_suite() {
    local target=$1 config=$2 services=$3
    shift 3
    local build out elf rc
    build=$(build_dir_of "$target" "$config")
    out="report/${target}-${config}"
    elf=$(find "$build" -maxdepth 1 -name '*.elf' | head -n 1)
    [ -n "$elf" ] || { echo "ci: no ELF in $build: build it first (ci/build.sh $target $config)" >&2; return 2; }
    mkdir -p "$out"
    set +e
    python -m pytest test_apps/ws_hammer --target "$target" --embedded-services "$services" \
        --app-path test_apps/ws_hammer --build-dir "$(basename "$build")" \
        --root-logdir "$out/logs" --junitxml "$out/junit.xml" "$@"
    rc=$?
    set -e
    bash ci/decode_logs.sh "$out/logs" "$elf" "$target" "$out/junit.xml"
    return "$rc"
}
