"""test_apps/linux_compat/components/linux_pthread on the linux target of real ESP-IDF.

On ESP-IDF's POSIX port every task is a pthread and the idle task reaps a deleted one with pthread_join, which
takes glibc's stack cache lock; the tick parks the running thread wherever it is, so an idle task parked inside
that lock stops the next task that creates a task (pthread_create takes the same lock) while the scheduler
counts that one as running: the process stops for good (conformance on v5.5.5 hung so in .ci/run).
test_apps/linux_compat/test_pthread makes that happen on purpose: a task creates, every tick, a short task
that ends just before the next tick. Built with linux_pthread it ends with DONE; built without it, it never
ends.
"""

from __future__ import annotations

import re
from pathlib import Path

from linux_runs import run

from wshammer import idf_env

APP = Path(__file__).resolve().parents[2] / "test_apps" / "linux_compat" / "test_pthread"
ROUNDS = 500             # the app's ROUNDS, one tick (10 ms) each: about 5 s
FINISH_TIMEOUT_S = 40.0
HUNG_AFTER_S = 15.0      # without linux_pthread: still running three times as long as it needs
HANG_ATTEMPTS = 4


def test_tasks_created_while_the_idle_task_reaps_others(idf_app) -> None:
    """On the default version: the port's code is the same on every version, and the main jobs build the
    component on each (the hammer app takes every linux_compat component)."""
    status, text = run(idf_app(APP, idf_env.DEFAULT_IDF_VERSION), FINISH_TIMEOUT_S)
    done = re.search(rf"DONE rounds={ROUNDS} created=(\d+) spun=(\d+)", text)
    assert status == 0 and done, f"exit {status}:\n{text[-3000:]}"
    assert int(done.group(1)) == ROUNDS and int(done.group(2)) == ROUNDS, text[-2000:]


def test_without_linux_pthread_the_app_stops_for_good(idf_app) -> None:
    """The proof that the test above can fail: the same app without the component hangs, in most runs at once
    (one fresh-clone run of .ci/run got through all 500 rounds, so the proof takes up to HANG_ATTEMPTS runs)."""
    elf = idf_app(APP, idf_env.DEFAULT_IDF_VERSION, ["-DWSH_LINUX_PTHREAD=OFF"])
    for _ in range(HANG_ATTEMPTS):
        status, text = run(elf, HUNG_AFTER_S)
        if status is None and "DONE" not in text:
            return
    raise AssertionError(f"the app ended (exit {status}) within {HUNG_AFTER_S:.0f} s in each of {HANG_ATTEMPTS} "
                         f"runs:\n{text[-2000:]}")
