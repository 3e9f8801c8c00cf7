"""The host esp_event (host/components/esp_event), through host/test_apps/event_loop's cmocka suite in every
variant: dispatch with and without a loop task, registration order, copies of posted data, unregistration
from a handler and from another task during dispatch, post timeouts, run time limits, argument checks and
the default loop; also under chaos mode. ASan's leak check covers events left in a deleted loop.
"""

from __future__ import annotations

from pathlib import Path

from wshammer.cmocka import cmocka_failure

APP = Path(__file__).resolve().parents[2] / "host" / "test_apps" / "event_loop"
SUITE_TESTS = 11


def test_event_loop_suite(host_app, run_host_elf, variant):
    elf = host_app(APP, variant)
    returncode, output = run_host_elf(elf, timeout=120)
    failure = cmocka_failure(returncode, output, SUITE_TESTS)
    assert failure is None, failure


def test_event_loop_suite_under_chaos(host_app, run_host_elf, variant, monkeypatch):
    elf = host_app(APP, variant)
    monkeypatch.setenv("WSH_CHAOS_SEED", "777")
    returncode, output = run_host_elf(elf, timeout=120)
    assert "wsh_chaos: chaos mode on seed=777" in output
    failure = cmocka_failure(returncode, output, SUITE_TESTS)
    assert failure is None, failure
