#!/usr/bin/env bash
# After a device run (QEMU or a board): decode every panic in the pytest-embedded logs under LOGDIR
# with the app's ELF, write <log>.panic.txt beside each log that has one, append it to its test case in
# JUNIT (when given and present), and add it to the GitHub job summary when there is one.
# Exit 0 always: the tests already failed or passed on their own.
#   ci/decode_logs.sh LOGDIR ELF TARGET [JUNIT]   (PYTHON: the interpreter with the rig; default python)
set -uo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: ci/decode_logs.sh LOGDIR ELF TARGET [JUNIT]" >&2
    exit 2
fi
logdir=$1 elf=$2 target=$3 junit=${4:-}
junit_args=()
[ -n "$junit" ] && [ -f "$junit" ] && junit_args=(--junit "$junit")
here=$(cd "$(dirname "$0")" && pwd)

found=0
while IFS= read -r -d '' log; do
    "${PYTHON:-python}" "$here/decode_panic.py" --elf "$elf" --target "$target" --output "$log.panic.txt" "${junit_args[@]}" "$log" >/dev/null
    case $? in
        1) found=$((found + 1))
           if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
               # shellcheck disable=SC2016  # the backquotes are Markdown, not shell
               printf '### Panic in %s\n```\n%s\n```\n' "$log" "$(cat "$log.panic.txt")" >>"$GITHUB_STEP_SUMMARY"
           fi ;;
        0) rm -f "$log.panic.txt" ;;
        *) echo "ci/decode_logs.sh: could not decode $log" >&2 ;;
    esac
done < <(find "$logdir" -name '*.log' -type f -print0 2>/dev/null)
echo "ci/decode_logs.sh: $found log(s) with a panic under $logdir"
