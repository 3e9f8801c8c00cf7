"""host/'s FreeRTOS kernel (host/overrides/freertos), through its test app freertos_api on the parallel platform
in every variant:

- the cmocka suites: timeouts expire on time, a take blocks until the holder gives, recursive depth,
  binary/counting semaphores, event-group all/any/clear-on-exit/sync, queue order and timeouts, deletion of
  blocked tasks, self-deletion, names, notifications, delays, stack scaling, true parallelism;
- the same suites under chaos mode (seeded yields and sleeps at every synchronisation point);
- the parallelism test has teeth: confined to one CPU, it fails;
- misuse that must be reported (ESP-IDF-format error line or failed-assert line) and abort, one process each;
- calls on unrelated objects do not synchronise: TSan reports a race that only such a false edge could hide.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from wshammer.cmocka import parse_cmocka
from wshammer import linux_elf

APP = Path(__file__).resolve().parents[2] / "host" / "overrides" / "freertos" / "test_apps" / "freertos_api"
SUITE_TESTS = 10 + 5 + 10

# case name -> the line that must explain the abort
FATAL_CASES = {
    "give_foreign_mutex":
        r'^E \(\d+\) freertos: xSemaphoreGive: task "main" gives mutex 0x[0-9a-f]+ held by task "holder"$',
    "give_foreign_recursive_mutex":
        r'^E \(\d+\) freertos: xSemaphoreGiveRecursive: task "main" gives mutex 0x[0-9a-f]+ that no task holds$',
    "delete_running_task":
        r'^E \(\d+\) freertos: vTaskDelete: task "main" deletes task "spinner" while it runs application code',
    "take_own_mutex_forever":
        r'^E \(\d+\) freertos: xSemaphoreTake: task "main" takes mutex 0x[0-9a-f]+ it already holds, waiting '
        r"forever: deadlock$",
    "task_returns":
        r'^E \(\d+\) freertos: task "returner" returned from its function; a FreeRTOS task must end with '
        r"vTaskDelete\(NULL\)$",
    "delete_semaphore_with_waiter":
        r'^E \(\d+\) freertos: vQueueDelete: queue/semaphore 0x[0-9a-f]+ deleted by task "main" while 1 task\(s\) '
        r"wait on it$",
    # ESP-IDF's configASSERT on linux is the C library's assert(): glibc's line.
    "set_reserved_bits":
        r"^\S+: \S+/event_groups\.c:\d+: xEventGroupSetBits: Assertion `.*0xff000000UL.*' failed\.$",
}


def test_freertos_suite(run_cmocka_suite):
    run_cmocka_suite(APP, SUITE_TESTS, timeout=240)


def test_freertos_suite_under_chaos(run_cmocka_suite):
    run_cmocka_suite(APP, SUITE_TESTS, timeout=240, chaos_seed="4242")


def test_parallelism_check_fails_on_one_cpu(parallel_app, run_linux_elf, variant, monkeypatch):
    elf = parallel_app(APP, variant)
    monkeypatch.setenv("WSH_TEST_FILTER", "test_tasks_run_in_parallel")
    monkeypatch.setenv("WSH_TEST_ONE_CPU", "1")
    monkeypatch.setenv("WSH_PARALLEL_PATIENCE_MS", "1500")
    returncode, output = run_linux_elf(elf, timeout=120)
    run = parse_cmocka(output)
    assert run.failed == ("test_tasks_run_in_parallel",), output
    assert returncode == 1, output
    assert not linux_elf.find_sanitizer_reports(output), output


def test_unrelated_objects_do_not_hide_races(parallel_app, run_linux_elf, variant, monkeypatch):
    elf = parallel_app(APP, variant)
    monkeypatch.setenv("WSH_TEST_CASE", "race_through_unrelated_objects")
    returncode, output = run_linux_elf(elf, timeout=60)
    reports = linux_elf.find_sanitizer_reports(output)
    if variant == "tsan":
        assert any("ThreadSanitizer: data race" in r for r in reports), f"TSan missed the race:\n{output}"
        assert returncode != 0, output
    else:
        # Only TSan can see this race: elsewhere the case runs to its end (exit status 3, "did not abort").
        assert not reports and returncode == 3, f"exit status {returncode}:\n{output}"
        assert re.search(r"^I \(\d+\) freertos_test: read 42$", output, re.MULTILINE), output


@pytest.mark.parametrize("case", sorted(FATAL_CASES))
def test_misuse_is_reported_and_aborts(parallel_app, run_linux_elf, variant, case, monkeypatch):
    elf = parallel_app(APP, variant)
    monkeypatch.setenv("WSH_TEST_CASE", case)
    returncode, output = run_linux_elf(elf, timeout=60)
    assert re.search(FATAL_CASES[case], output, re.MULTILINE), f"no report line for {case}:\n{output}"
    assert returncode == -signal.SIGABRT, f"{case}: expected an abort, got exit status {returncode}:\n{output}"
    reports = linux_elf.find_sanitizer_reports(output)
    assert not reports, f"{case}: sanitizer reports:\n{output}"
