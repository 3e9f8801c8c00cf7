"""Tests of wshammer.cmocka, the reading of cmocka output from host test apps."""

from __future__ import annotations

from wshammer.cmocka import cmocka_failure, parse_cmocka

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
