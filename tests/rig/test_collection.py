"""The hammer suite collects the same tests for every target, keeping only the selected target's items."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from wshammer.builds import HAMMER_APP, REPO_ROOT

SUITE = str(HAMMER_APP / "pytest_ws_hammer.py")


def collected(*args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", SUITE, *args],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [line for line in proc.stdout.splitlines() if "::" in line]


def without_target(nodeid: str, target: str) -> str:
    return re.sub(rf"\[{target}-?", "[", nodeid).replace("[]", "")


@pytest.fixture(scope="module")
def linux_items():
    return collected()


def test_plain_pytest_collects_linux_only(linux_items):
    assert linux_items and all("[linux" in item for item in linux_items)
    names = {item.split("::")[1].split("[")[0] for item in linux_items}
    assert names == {
        f"test_{s}"
        for s in ("echo", "multi_send", "multi_send_large", "multi_send_stream", "multi_send_short_timeouts",
                  "partial", "abort_storm", "abort_storm_wss", "server_faults", "wss_reconnect",
                  "wss_reconnect_reset_large", "lifecycle",
                  "stop_latency")
    }


@pytest.mark.parametrize("target,services", [("esp32", "esp,idf"), ("esp32c3", "idf,qemu")])
def test_device_targets_collect_the_same_tests(linux_items, target, services):
    items = collected("--target", target, "--embedded-services", services)
    assert sorted(without_target(i, target) for i in items) == sorted(without_target(i, "linux") for i in linux_items)
