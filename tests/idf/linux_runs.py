"""Running an app of test_apps/linux_compat that may hang: shared by the tests of its components."""

from __future__ import annotations

import subprocess
from pathlib import Path


def run(elf: Path, timeout_s: float) -> tuple[int | None, str]:
    """Runs ``elf``; (exit status or None if still running after ``timeout_s``, output)."""
    process = subprocess.Popen([str(elf)], cwd=elf.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        output, _ = process.communicate(timeout=timeout_s)
        status = process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        status = None
    return status, output.decode(errors="replace")
