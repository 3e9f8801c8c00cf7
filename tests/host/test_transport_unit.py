"""Unit tests of tcp_transport's and esp-tls's pure parts (frame headers, the opening handshake, error
handles, base64), transport lists and the sentinel's single-thread rules: the cmocka suite in
host/test_apps/transport_unit, in every variant.
"""

from __future__ import annotations

from pathlib import Path

from wshammer.cmocka import cmocka_failure

APP = Path(__file__).resolve().parents[2] / "host" / "test_apps" / "transport_unit"
SUITE_TESTS = 18


def test_transport_unit_suite(host_app, run_host_elf, variant):
    elf = host_app(APP, variant)
    returncode, output = run_host_elf(elf, timeout=120)
    failure = cmocka_failure(returncode, output, SUITE_TESTS)
    assert failure is None, failure
