"""Where each task of a hung app stood: gdb's ``thread apply all bt`` output, parsed and summarised.

Pure: text in, data and text out. The capture itself (running gdb against the app's process) is in runner.py.
Every FreeRTOS task is a thread of the app on both linux platforms, but only host/'s kernel names its threads,
so a thread is told by its frames: the task's function (the outermost frame built here, under the thread
launchers), the line that made the blocking call (the innermost frame built here that is not the kernel's),
and the call it blocks in (the frame just inside that line: vTaskDelay, xQueueSemaphoreTake, select...).
Frames "built here" have absolute source paths (the app, ESP-IDF, host/); the C library's are relative
(``./nptl/...``) or have none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .logscan import short_location

# "Thread 4 (Thread 0x7f.. (LWP 11996) "name"):"; the LWP and the name are each optional.
_THREAD = re.compile(r"^Thread (\d+) \((.*)\):\s*$")
_LWP = re.compile(r"\(LWP (\d+)\)")
_NAME = re.compile(r'"([^"]*)"$')
# "#3  0x00005555 in func (args) at /path/file.c:42", "#0  func (args) at ...", "... from /lib/libc.so.6"
_FRAME = re.compile(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\)(?: at (\S+):(\d+)| from \S+)?\s*$")
# Functions that start a thread or a task rather than being the task: ESP-IDF's POSIX port, host/'s kernel, glibc.
_LAUNCHERS = frozenset({"prvWaitForStart", "main_task", "task_thread", "start_thread", "clone3", "clone"})
# Source folders of the kernel: its frames say that a task waits, not where.
_KERNEL_DIR = "/freertos/"


@dataclass(frozen=True)
class Frame:
    function: str
    path: str = ""  # the source file when gdb knows it
    line: int = 0

    @property
    def built_here(self) -> bool:
        return self.path.startswith("/")

    @property
    def in_kernel(self) -> bool:
        return _KERNEL_DIR in self.path

    def where(self) -> str:
        """``func (folder/file.c:42)``: enough to find the line, short enough to read."""
        if not self.path:
            return self.function
        return f"{self.function} ({short_location(self.path)}:{self.line})"


@dataclass(frozen=True)
class ThreadStack:
    number: int
    lwp: int | None
    name: str
    frames: tuple[Frame, ...]  # innermost first

    @property
    def task_function(self) -> Frame | None:
        own = [f for f in self.frames if f.built_here and f.function not in _LAUNCHERS]
        return own[-1] if own else None

    def _caller_index(self) -> int | None:
        """The innermost frame built here outside the kernel; the kernel's own for a kernel task."""
        built = [i for i, f in enumerate(self.frames) if f.built_here]
        return next((i for i in built if not self.frames[i].in_kernel), built[0] if built else None)

    @property
    def caller(self) -> Frame | None:
        """The line that waits: the app's or ESP-IDF's (or the kernel's, for the kernel's own tasks)."""
        index = self._caller_index()
        return self.frames[index] if index is not None else None

    @property
    def blocked_in(self) -> Frame | None:
        """The call ``caller`` made: the kernel or C library function the thread blocks in."""
        index = self._caller_index()
        if index is None:
            return self.frames[0] if self.frames else None
        return self.frames[index - 1] if index > 0 else None


def parse_gdb_threads(text: str) -> list[ThreadStack]:
    """Each thread in ``thread apply all bt`` output, lowest number first, frames innermost first."""
    threads: list[ThreadStack] = []
    header: tuple[int, int | None, str] | None = None
    frames: list[Frame] = []

    def close() -> None:
        if header is not None:
            threads.append(ThreadStack(header[0], header[1], header[2], tuple(frames)))

    for raw in text.splitlines():
        line = raw.strip()
        thread = _THREAD.match(line)
        if thread:
            close()
            lwp, name = _LWP.search(thread.group(2)), _NAME.search(thread.group(2))
            header = (int(thread.group(1)), int(lwp.group(1)) if lwp else None, name.group(1) if name else "")
            frames = []
            continue
        frame = _FRAME.match(line)
        if frame and header is not None:
            frames.append(Frame(frame.group(1), frame.group(2) or "", int(frame.group(3) or 0)))
    close()
    return sorted(threads, key=lambda t: t.number)


def render_stacks(threads: list[ThreadStack]) -> str:
    """One line per thread: the task, the line it stands at, and the call it blocks in."""
    if not threads:
        return "no thread stacks (gdb printed none)"
    lines = [f"{len(threads)} threads: task function | the line it stands at | the call it blocks in"]
    named = len({thread.name for thread in threads}) > 1  # not when every thread has the process's name
    for thread in threads:
        label = f"thread {thread.number}" + (f" '{thread.name}'" if named and thread.name else "")
        task = thread.task_function.function if thread.task_function else "?"
        at = thread.caller.where() if thread.caller else "?"
        blocked = thread.blocked_in.function if thread.blocked_in else "-"
        lines.append(f"  {label}: {task} | {at} | {blocked}")
    return "\n".join(lines)
