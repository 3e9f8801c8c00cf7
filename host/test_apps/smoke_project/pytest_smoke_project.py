"""Runs the smoke project as ESP-IDF's target ``linux`` under pytest-embedded (``--embedded-services idf``):
the FreeRTOS/esp_event checks, then a ws and a wss round trip against the rig's echo servers, then a
clean exit. Started by tests/host/test_smoke_project.py with ``--app-path`` and ``--build-dir``.
"""

from __future__ import annotations

import re

from wshammer.servers import EchoServer
from wshammer.tls import make_tls_material

SANITIZER_REPORT = re.compile(r"WARNING: ThreadSanitizer:|ERROR: AddressSanitizer:|ERROR: LeakSanitizer:|runtime error:")


def test_smoke_project(dut, tmp_path):
    dut.expect_exact("SMOKE mutex ok", timeout=30)
    dut.expect_exact("SMOKE event_group ok")
    dut.expect_exact("SMOKE event_loop ok")
    dut.expect_exact("SMOKE ready for uris")
    pki = make_tls_material(tmp_path / "pki")
    with EchoServer() as ws, EchoServer(tls=pki) as wss:
        dut.write(f"ws {ws.uri('/echo')}")
        dut.expect_exact("SMOKE ws ok")
        dut.write(f"wss {wss.uri('/echo')} {pki.ca_der_b64}")
        dut.expect_exact("SMOKE wss ok")
        dut.write("quit")
        dut.expect_exact("SMOKE done ok=1 round_trips=2")
        # pytest-embedded never checks how the process ended: a zero exit is asserted here.
        assert dut.serial.wait(timeout=30) == 0
    with open(dut.logfile, errors="replace") as log:
        assert not SANITIZER_REPORT.search(log.read())
