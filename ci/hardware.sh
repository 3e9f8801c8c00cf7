#!/usr/bin/env bash
# The hammer suite on a board attached to this machine (a self-hosted runner, or a desk):
#   ci/hardware.sh TARGET CONFIG        e.g. ci/hardware.sh esp32c3 wifi
# Builds sdkconfig.ci.CONFIG here (for wifi, WSH_WIFI_SSID/WSH_WIFI_PASSWORD must be in the
# environment: they are compiled in, so this build is never uploaded), flashes through
# pytest-embedded-serial-esp (services esp,idf; ESPPORT picks the port, else it is auto-detected) and
# runs the suite. The board must reach this machine's servers: at WSH_SERVER_HOST when set, else at
# the address the rig finds for it (--wsh-server-host auto: the address of the default route).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -eq 2 ] || { echo "usage: ci/hardware.sh TARGET CONFIG" >&2; exit 2; }
target=$1 config=$2
if [ "$config" = wifi ] && [ -z "${WSH_WIFI_SSID:-}" ]; then
    echo "ci/hardware.sh: config wifi needs WSH_WIFI_SSID (and WSH_WIFI_PASSWORD) in the environment" >&2
    exit 2
fi

bash ci/build.sh "$target" "$config"
. ci/idf_env.sh
idf_env_install_rig

args=(--wsh-server-host "${WSH_SERVER_HOST:-auto}")
[ -n "${ESPPORT:-}" ] && args+=(--port "$ESPPORT")
run_suite "$target" "$config" esp,idf "${args[@]}"
