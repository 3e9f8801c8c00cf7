"""Reading the cmocka output of host test apps (pure functions), and tests of that reading.

The host test apps (host/test_apps/freertos_api, event_loop) run cmocka suites inside app_main and exit with
the number of failed tests. ``cmocka_failure`` turns one run (exit status and output) into None (passed) or
a message naming every failed test with cmocka's own explanation, any test that never finished, and any
sanitizer or FreeRTOS fatal report.
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


# --- tests of the reading itself --------------------------------------------------------------------

_PASSING = """\
[==========] Running 2 test(s).
[ RUN      ] test_a
[       OK ] test_a
[ RUN      ] test_b
[       OK ] test_b
[==========] 2 test(s) run.
[  PASSED  ] 2 test(s).
"""

_FAILING = """\
[ RUN      ] test_a
[  ERROR   ] --- 0x1 != 0x2
[   LINE   ] --- main/test_x.c:42: error: Failure!
[  FAILED  ] test_a
[ RUN      ] test_b
[       OK ] test_b
[  FAILED  ] 1 test(s), listed below:
[  FAILED  ] test_a
"""


def test_passing_run_has_no_failure():
    assert cmocka_failure(0, _PASSING, expected_tests=2) is None


def test_failed_test_is_named_with_its_line():
    message = cmocka_failure(1, _FAILING, expected_tests=2)
    assert message is not None
    assert "failed tests: test_a" in message
    assert "main/test_x.c:42" in message
    assert parse_cmocka(_FAILING).failed == ("test_a",)


def test_crash_inside_a_test_is_reported():
    message = cmocka_failure(-11, "[ RUN      ] test_a\n", expected_tests=1)
    assert message is not None
    assert "never finished" in message and "test_a" in message and "exit status -11" in message


def test_missing_tests_and_sanitizer_reports_fail():
    assert "1 tests passed, expected 2" in cmocka_failure(0, "[ RUN      ] t\n[       OK ] t\n", 2)
    tsan = _PASSING + "WARNING: ThreadSanitizer: data race (pid=1)\n"
    assert "tsan" in cmocka_failure(0, tsan, expected_tests=2)
