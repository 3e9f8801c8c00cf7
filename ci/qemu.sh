#!/usr/bin/env bash
# The hammer suite in Espressif's QEMU (run in an espressif/idf container): ci/qemu.sh esp32|esp32c3
# Builds sdkconfig.ci.qemu (OpenCores Ethernet), installs ESP-IDF's QEMU, and runs pytest with the
# idf,qemu services. QEMU's user-mode network puts the host (where the rig's servers listen) at
# 10.0.2.2 as seen from the guest; the rig hands the app that address (--wsh-server-host auto).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -eq 1 ] || { echo "usage: ci/qemu.sh esp32|esp32c3" >&2; exit 2; }
target=$1
case $target in esp32|esp32c3) ;; *) echo "ci/qemu.sh: QEMU runs esp32 and esp32c3 only" >&2; exit 2 ;; esac

bash ci/build.sh "$target" qemu
. ci/idf_env.sh
idf_env_install_rig
python "$IDF_PATH/tools/idf_tools.py" install qemu-xtensa qemu-riscv32
set +u   # export.sh is not written for set -u; it puts the freshly installed QEMU on PATH
# shellcheck disable=SC1091
. "$IDF_PATH/export.sh" >/dev/null
set -u

run_suite "$target" qemu idf,qemu --qemu-extra-args="-nic user,model=open_eth"
