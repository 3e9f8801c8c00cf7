"""Fixtures for the tests of host/ itself.

- ``host_test_app(name, variant, cmake_args=())``: builds ``host/test_apps/<name>`` (through the shared
  ``host_app`` cache) and returns the ELF.
- ``run_once(elf, stdin=None, timeout=60)``: runs an ELF once per session for that ELF and stdin and returns
  the cached (returncode, output), for modules whose tests each judge a different part of one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import pytest

HOST_TEST_APPS = Path(__file__).resolve().parents[2] / "host" / "test_apps"


@pytest.fixture(scope="session")
def host_test_app(host_app) -> Callable[..., Path]:
    def build(name: str, variant: str, cmake_args: Sequence[str] = ()) -> Path:
        project = HOST_TEST_APPS / name
        if not (project / "CMakeLists.txt").is_file():
            raise ValueError(f"no test app {name!r} under {HOST_TEST_APPS}")
        return host_app(project, variant, cmake_args)

    return build


@pytest.fixture(scope="session")
def run_once(run_host_elf) -> Callable[..., tuple[int, str]]:
    runs: dict[tuple, tuple[int, str]] = {}

    def run(elf: Path, stdin: str | None = None, timeout: float = 60.0) -> tuple[int, str]:
        key = (Path(elf), stdin)
        if key not in runs:
            runs[key] = run_host_elf(elf, stdin=stdin, timeout=timeout)
        return runs[key]

    return run
