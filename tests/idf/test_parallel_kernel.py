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
import sys
from pathlib import Path

import pytest

from wshammer import idf_env
from wshammer.linux_elf import find_sanitizer_reports, sanitizer_env
from wshammer.idf_build import parallel_platform_args

APP = Path(__file__).resolve().parents[2] / "host" / "overrides" / "freertos" / "test_apps" / "parallel_kernel"
TIMEOUT_S = 60.0  # the checks take about 1 s; the POSIX port's spin check 2 s more
BUILD_TIMEOUT_S = 900
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
    status, text = run(idf_app(APP, version, parallel_platform_args("debug")))
    assert status == 0 and results(text) == dict.fromkeys(CHECKS, "PASS") and "DONE failed=0" in text, text[-3000:]


@pytest.mark.parametrize("sanitizer", ["tsan", "asan"])
def test_the_sanitizers_see_no_report_in_the_kernel_or_esp_idf(sanitizer: str, idf_app) -> None:
    """The variant instruments ESP-IDF's components too; over them the kernel must be clean."""
    status, text = run(idf_app(APP, idf_env.DEFAULT_IDF_VERSION, parallel_platform_args(sanitizer)), sanitizer)
    assert status == 0 and results(text) == dict.fromkeys(CHECKS, "PASS"), text[-3000:]
    assert not find_sanitizer_reports(text), text[-3000:]


def test_on_esp_idfs_posix_port_a_busy_task_stops_the_lower_one(idf_app) -> None:
    """The proof that the first check can fail: the same app on ESP-IDF's own FreeRTOS."""
    status, text = run(idf_app(APP, idf_env.DEFAULT_IDF_VERSION))
    assert status != 0, text[-2000:]
    assert results(text)["busy_task_does_not_stop_lower_one"] == "FAIL", text[-2000:]


# A project that knows nothing of wshammer: two tasks count into one global without a lock.
RACY_PROJECT = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.16)\n"
                      "include($ENV{IDF_PATH}/tools/cmake/project.cmake)\n"
                      "project(racy)\n",
    "main/CMakeLists.txt": 'idf_component_register(SRCS "racy.c")\n',
    "main/racy.c": """\
#include <stdio.h>
#include <stdlib.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

static int counter;
static SemaphoreHandle_t done;

static void count_up(void *arg)
{
    for (int i = 0; i < 1000000; i++) {
        counter++;
    }
    xSemaphoreGive(done);
    vTaskDelete(NULL);
}

void app_main(void)
{
    done = xSemaphoreCreateCounting(2, 0);
    xTaskCreate(count_up, "up1", 4096, NULL, 5, NULL);
    xTaskCreate(count_up, "up2", 4096, NULL, 5, NULL);
    xSemaphoreTake(done, portMAX_DELAY);
    xSemaphoreTake(done, portMAX_DELAY);
    printf("counter=%d\\n", counter);
    exit(0);
}
""",
}


def test_wshammer_build_puts_any_esp_idf_project_on_the_parallel_platform(tmp_path) -> None:
    """Issue 10's one command for any project: its CMakeLists stay as they are, and ThreadSanitizer, over
    host/'s kernel, names the race in the project's own code (before, the project was built on ESP-IDF's POSIX
    port with no sanitizer, and the build said tsan)."""
    project = tmp_path / "racy"
    for name, text in RACY_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    build = subprocess.run(
        [sys.executable, "-m", "wshammer.cli", "build", "--app", str(project), "--platform", "parallel",
         "--variant", "tsan", "--idf-version", idf_env.DEFAULT_IDF_VERSION],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=BUILD_TIMEOUT_S)
    assert build.returncode == 0, build.stdout[-3000:]
    status, text = run(project / f"build_linux_par{idf_env.DEFAULT_IDF_VERSION}_tsan" / "racy.elf", "tsan")
    assert "counter=" in text, text[-3000:]
    assert re.search(r"^SUMMARY: ThreadSanitizer: data race .*racy\.c:13 in count_up$", text, re.MULTILINE), text[-3000:]
