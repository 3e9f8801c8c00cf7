"""gdb in batch mode against a live linux process: where each of its threads stands.

I/O only (gdb as a subprocess); stacks.py parses and summarises what it prints.
Locking: none; each call runs its own gdb.
"""

from __future__ import annotations

import shutil
import subprocess

from .stacks import parse_gdb_threads, render_stacks

# gdb needs a few seconds to attach to and walk ~20 threads; a gdb that takes longer is itself stuck.
STACKS_TIMEOUT_S = 60.0


def thread_stacks(pid: int) -> str:
    """A one-line-per-thread summary of process ``pid``, then gdb's full backtraces; or why there are none."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return "no thread stacks: gdb is not installed (apt-get install gdb)"
    command = [gdb, "-p", str(pid), "-batch", "-nx", "-ex", "set pagination off", "-ex", "thread apply all bt"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=STACKS_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"no thread stacks: gdb did not finish within {STACKS_TIMEOUT_S:g} s"
    threads = parse_gdb_threads(done.stdout)
    if not threads:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"no thread stacks: gdb could not attach to pid {pid} ({reason})"
    return f"{render_stacks(threads)}\n\ngdb's backtraces:\n{done.stdout.strip()}"


def with_stacks(problem: str, process: subprocess.Popen | None) -> str:
    """``problem``, then where each thread of ``process`` stands; taken while it still runs, so call it before
    the kill. ``problem`` alone for no process (a board, QEMU) or one that has ended."""
    if process is None or process.poll() is not None:
        return problem
    return f"{problem}\n\nwhere each task stood:\n{thread_stacks(process.pid)}"
