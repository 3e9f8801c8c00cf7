#!/usr/bin/env bash
# Builds every app of the matrix for one target with ESP-IDF (run in an espressif/idf container):
#   ci/build.sh TARGET [CONFIG]
# TARGET: esp32, esp32s3, esp32c3, esp32c6 or linux; CONFIG narrows to one sdkconfig.ci.<CONFIG>.
# Which app/config pairs exist is .build-test-rules.yml's decision (pinned in
# ci/expected_build_matrix.txt). Build folders follow .idf_build_apps.toml: <app>/build_<target>_<config>.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -ge 1 ] || { echo "usage: ci/build.sh TARGET [CONFIG]" >&2; exit 2; }
target=$1
config=${2:-}

. ci/idf_env.sh
idf_env_install_build_tools
# The checkout belongs to another user than the container's root: let git describe it (PROJECT_VER)
# without a "dubious ownership" warning, which check_warnings would turn into a failed build.
git config --global --add safe.directory "$repo"

# ESP-IDF's linux target links against libbsd on the build machine.
if [ "$target" = linux ] && ! dpkg-query -W libbsd-dev >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends libbsd-dev
fi

args=(build --config-file .idf_build_apps.toml --target "$target")
[ -n "$config" ] && args+=(--config-rules "sdkconfig.ci.${config}=${config}")
python -m idf_build_apps "${args[@]}"
