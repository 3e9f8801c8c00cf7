"""How often each go-red case turns red for its reasons. ``python tests/suite/red_rates.py [-n 10] [-k TEXT]
[--skip TEXT]`` runs every case of test_scenarios_go_red.py (or those whose id has a -k TEXT, without those
with a --skip TEXT) N times on its mutant, one try per run, and prints a table; docs/failures.md keeps the
figures measured with it. Slow by design (a hang case waits out the rig's bound each time): by hand, not CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite_cli  # noqa: E402
from test_scenarios_go_red import CASES, run_selection, why_not_red  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="runs per case (default 10)")
    parser.add_argument("-k", action="append", help="only cases whose id contains this (repeatable: any)")
    parser.add_argument("--skip", action="append", default=[], help="leave out cases whose id contains this")
    args = parser.parse_args()
    cases = [case for case in CASES if (not args.k or any(k in case.id for k in args.k))
             and not any(skip in case.id for skip in args.skip)]
    rows = []
    for case in cases:
        copy = suite_cli.mutant_copy(case.mutant)
        red, started = 0, time.monotonic()
        for run_no in range(1, args.n + 1):
            with tempfile.TemporaryDirectory(prefix="wsh-red-") as scratch:
                run, record = run_selection(case, Path(scratch), copy)
                red += why_not_red(case, run, record) is None
            print(f"{case.id}: run {run_no}/{args.n}, red for its reasons {red}", flush=True)
        rows.append((case.id, red, args.n, (time.monotonic() - started) / args.n))
    print(f"\n{'case':<72} {'red':>7} {'s/run':>6}")
    for case_id, red, runs, seconds in rows:
        print(f"{case_id:<72} {red:>3}/{runs:<3} {seconds:>6.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
