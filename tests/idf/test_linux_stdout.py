"""test_apps/linux_compat/components/linux_stdout on the linux target of real ESP-IDF, for every supported version.

On ESP-IDF's POSIX port a task switched out inside vprintf() keeps glibc's stdout lock, and a task of higher
priority that logs then blocks on it while the scheduler counts it as running: the process stops for good
(the hammer's abort_storm hung so). test_apps/linux_compat/test_stdout makes that happen on purpose: a low
task fills the pipe while the reader is late, a high task logs every tick. Built with linux_stdout it ends
with DONE once the reader reads; built without it, it never ends.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from wshammer import idf_env

APP = Path(__file__).resolve().parents[2] / "test_apps" / "linux_compat" / "test_stdout"
READER_LATE_S = 1.5  # long enough for the low task to fill the 64 kB pipe and wait in write()
# The app needs about 2 s once its output is read (4,000 lines behind a pipe, 400 ticks of the high task).
FINISH_TIMEOUT_S = 30.0
HUNG_AFTER_S = 10.0  # without linux_stdout: still running this long after the reader started reading


def run_with_late_reader(elf: Path, timeout_s: float) -> tuple[int | None, bytes]:
    """Runs ``elf`` with stdout read only after READER_LATE_S; (exit status or None if still running, output)."""
    process = subprocess.Popen([str(elf)], cwd=elf.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    time.sleep(READER_LATE_S)
    try:
        output, _ = process.communicate(timeout=timeout_s)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output


@pytest.mark.parametrize("version", idf_env.SUPPORTED_IDF_VERSIONS)
def test_tasks_of_two_priorities_log_behind_a_late_reader(version: str, idf_app) -> None:
    elf = idf_app(APP, version)
    status, output = run_with_late_reader(elf, FINISH_TIMEOUT_S)
    text = output.decode(errors="replace")
    assert status == 0 and "DONE low=4000 high=400" in text, f"exit {status}:\n{text[-3000:]}"
    assert text.count("test_stdout: low ") == 4000 and text.count("test_stdout: high ") == 400


def test_without_linux_stdout_the_app_stops_for_good(idf_app) -> None:
    """The proof that the test above can fail: the same app without the component hangs."""
    elf = idf_app(APP, idf_env.DEFAULT_IDF_VERSION, ["-DWSH_LINUX_STDOUT=OFF"])
    started = time.monotonic()
    status, output = run_with_late_reader(elf, HUNG_AFTER_S)
    text = output.decode(errors="replace")
    assert status is None, f"the app ended (exit {status}) after {time.monotonic() - started:.1f} s:\n{text[-2000:]}"
    assert "DONE" not in text
