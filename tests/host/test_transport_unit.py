"""Unit tests of tcp_transport's and esp-tls's pure parts (frame headers, the opening handshake, error
handles, base64), client sockets' lwIP-sized buffers, transport lists and the sentinel's single-thread rules: the cmocka suite in
host/test_apps/transport_unit, in every variant.
"""

from __future__ import annotations

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN

SUITE_TESTS = 19


def test_transport_unit_suite(run_cmocka_suite):
    run_cmocka_suite("transport_unit", SUITE_TESTS)
