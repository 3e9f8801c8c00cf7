#!/usr/bin/env bash
# The host job: everything that needs no ESP-IDF, as .ci/run does it (machine set-up, then pytest),
# with pytest's arguments passed through (e.g. ci/host.sh tests/host -k tsan).
# ThreadSanitizer cannot map its shadow memory with 32 bits of mmap ASLR (GitHub's Ubuntu runners);
# then the run goes under `setarch -R`, which turns ASLR off for pytest and every process it starts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh

run=(.venv/bin/python -m pytest "$@")
if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ]; then
    run=(setarch "$(uname -m)" -R "${run[@]}")
fi
set +e
"${run[@]}"
rc=$?
set -e
[ "$rc" -eq 5 ] && echo "ci/host.sh: pytest collected no tests" >&2
exit "$rc"
