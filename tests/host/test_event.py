"""The host esp_event (host/components/esp_event), through host/test_apps/event_loop's cmocka suite in every
variant: dispatch with and without a loop task, registration order, copies of posted data, unregistration
from a handler and from another task during dispatch, post timeouts, run time limits, argument checks and
the default loop; also under chaos mode. ASan's leak check covers events left in a deleted loop.
"""

from __future__ import annotations

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN

SUITE_TESTS = 11


def test_event_loop_suite(run_cmocka_suite):
    run_cmocka_suite("event_loop", SUITE_TESTS)


def test_event_loop_suite_under_chaos(run_cmocka_suite):
    run_cmocka_suite("event_loop", SUITE_TESTS, chaos_seed="777")
