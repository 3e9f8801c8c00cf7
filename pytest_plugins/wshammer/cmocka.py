"""Reading the output of cmocka suites run inside host test apps (pure functions over text).

The host test apps run cmocka suites inside app_main and exit with the number of failed tests.
``cmocka_failure`` turns one run (exit status and output) into None (passed) or a message naming every failed
test with cmocka's own explanation, any test that never finished, and any sanitizer or FreeRTOS fatal report.
"""


from __future__ import annotations

import re
from dataclasses import dataclass

from wshammer import logscan

_STATUS = re.compile(r"^\[\s*(RUN|OK|FAILED|ERROR|LINE|SKIPPED|PASSED)\s*\] (.*)$")


@dataclass(frozen=True)
class CmockaRun:
    started: tuple[str, ...]      # every test that began, in order
    passed: tuple[str, ...]
    failed: tuple[str, ...]
    details: tuple[str, ...]      # cmocka's ERROR and LINE lines: what failed, and where


def parse_cmocka(output: str) -> CmockaRun:
    started, passed, failed, details = [], [], [], []
    for line in logscan.clean_lines(output):
        match = _STATUS.match(line.strip())
        if not match:
            continue
        status, rest = match.groups()
        if status == "RUN":
            started.append(rest.strip())
        elif status == "OK":
            passed.append(rest.strip())
        elif status == "FAILED" and rest.strip() in started and rest.strip() not in failed:
            failed.append(rest.strip())
        elif status in ("ERROR", "LINE"):
            details.append(line.strip())
    return CmockaRun(tuple(started), tuple(passed), tuple(failed), tuple(details))


def cmocka_failure(returncode: int, output: str, expected_tests: int) -> str | None:
    """None when every one of ``expected_tests`` tests ran and passed in a clean, zero-status run."""
    run = parse_cmocka(output)
    problems = []
    unfinished = [t for t in run.started if t not in run.passed and t not in run.failed]
    if run.failed:
        problems.append("failed tests: " + ", ".join(run.failed))
        problems.extend(run.details)
    if unfinished:
        problems.append("tests that started and never finished (crash or hang): " + ", ".join(unfinished))
    if len(run.passed) != expected_tests and not run.failed:
        problems.append(f"{len(run.passed)} tests passed, expected {expected_tests}")
    findings = logscan.fatal_findings(output)
    if findings:
        problems.append(logscan.describe(findings))
    if returncode != 0:
        problems.append(f"exit status {returncode}")
    if not problems:
        return None
    return "\n".join(problems) + "\n--- last output ---\n" + "\n".join(output.splitlines()[-40:])
