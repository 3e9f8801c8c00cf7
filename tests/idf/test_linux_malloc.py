"""test_apps/linux_compat/components/linux_malloc on the linux target of real ESP-IDF, for every supported version.

On ESP-IDF's POSIX port the tick parks the running task wherever it is; a task parked inside malloc() or
free() keeps a glibc arena lock, and a task of higher priority that then allocates from that arena blocks on
it while the scheduler counts it as running: the process stops for good (the hammer's wss_reconnect hung so
on v5.3.5, its idle task parked in free()). test_apps/linux_compat/test_malloc makes that happen on purpose:
a high task frees, every tick, blocks that a low task allocates in a tight loop. Built with linux_malloc it
ends with DONE; built without it, it never ends.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from linux_runs import run

from wshammer import idf_env

APP = Path(__file__).resolve().parents[2] / "test_apps" / "linux_compat" / "test_malloc"
FINISH_TIMEOUT_S = 30.0  # the app needs about 2 s: 200 ticks of the high task
HUNG_AFTER_S = 6.0       # without linux_malloc: still running three times as long as it needs


@pytest.mark.parametrize("version", idf_env.SUPPORTED_IDF_VERSIONS)
def test_a_task_frees_what_a_lower_one_allocates(version: str, idf_app) -> None:
    status, text = run(idf_app(APP, version), FINISH_TIMEOUT_S)
    done = re.search(r"DONE ticks=200 frees=(\d+) rounds=(\d+)", text)
    assert status == 0 and done, f"exit {status}:\n{text[-3000:]}"
    frees, rounds = int(done.group(1)), int(done.group(2))
    # the two tasks met in the allocator: the high one freed a block of the low one at most ticks
    assert frees >= 150 and rounds >= frees, text[-2000:]


def test_without_linux_malloc_the_app_stops_for_good(idf_app) -> None:
    """The proof that the test above can fail: the same app without the component hangs."""
    status, text = run(idf_app(APP, idf_env.DEFAULT_IDF_VERSION, ["-DWSH_LINUX_MALLOC=OFF"]), HUNG_AFTER_S)
    assert status is None, f"the app ended (exit {status}) within {HUNG_AFTER_S:.0f} s:\n{text[-2000:]}"
    assert "DONE" not in text
