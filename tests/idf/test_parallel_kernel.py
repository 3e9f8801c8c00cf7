"""host/overrides/freertos, the parallel platform's kernel, under real ESP-IDF for its linux target.

The override replaces ESP-IDF's freertos component by ESP-IDF's own component rules and keeps ESP-IDF's FreeRTOS
headers and Kconfig, so ESP-IDF's components compile against it unchanged; underneath, every task is a thread and
all run at once. host/overrides/freertos/test_apps/parallel_kernel checks the API's semantics and ESP-IDF's
esp_event over it, and first of all that a task busy without calling FreeRTOS does not stop a lower one: the
check ESP-IDF's POSIX port (one task at a time) fails, shown by the same app built without the override.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from wshammer import idf_env
from wshammer.host_build import find_sanitizer_reports, sanitizer_env

APP = Path(__file__).resolve().parents[2] / "host" / "overrides" / "freertos" / "test_apps" / "parallel_kernel"
TIMEOUT_S = 60.0  # the checks take about 1 s; the POSIX port's spin check 2 s more
CHECKS = ("busy_task_does_not_stop_lower_one", "receive_times_out", "mutex_knows_its_holder",
          "event_group_releases_every_waiter", "delete_blocked_task", "esp_event_from_many_tasks")


def run(elf: Path, variant: str = "debug") -> tuple[int, str]:
    env = {**os.environ, **sanitizer_env(variant, os.environ)}
    done = subprocess.run([str(elf)], cwd=elf.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, timeout=TIMEOUT_S)
    return done.returncode, done.stdout.decode(errors="replace")


def results(text: str) -> dict[str, str]:
    return dict(re.findall(r"^TEST (\w+) (PASS|FAIL)", text, re.MULTILINE))


@pytest.mark.parametrize("version", idf_env.SUPPORTED_IDF_VERSIONS)
def test_the_kernel_passes_every_check(version: str, idf_app) -> None:
    status, text = run(idf_app(APP, version))
    assert status == 0 and results(text) == dict.fromkeys(CHECKS, "PASS") and "DONE failed=0" in text, text[-3000:]


@pytest.mark.parametrize("sanitizer", ["tsan", "asan"])
def test_the_sanitizers_see_no_report_in_the_kernel_or_esp_idf(sanitizer: str, idf_app) -> None:
    """The variant instruments ESP-IDF's components too; over them the kernel must be clean."""
    status, text = run(idf_app(APP, idf_env.DEFAULT_IDF_VERSION, [f"-DWSH_VARIANT={sanitizer}"]), sanitizer)
    assert status == 0 and results(text) == dict.fromkeys(CHECKS, "PASS"), text[-3000:]
    assert not find_sanitizer_reports(text), text[-3000:]


def test_on_esp_idfs_posix_port_a_busy_task_stops_the_lower_one(idf_app) -> None:
    """The proof that the first check can fail: the same app on ESP-IDF's own FreeRTOS."""
    status, text = run(idf_app(APP, idf_env.DEFAULT_IDF_VERSION, ["-DWSH_PARALLEL_KERNEL=OFF"]))
    assert status != 0, text[-2000:]
    assert results(text)["busy_task_does_not_stop_lower_one"] == "FAIL", text[-2000:]
