"""Fixtures for the tests of host/ itself (the kernel, the sentinel, chaos mode), built on the parallel platform
in each selected ``variant`` (tests/conftest.py).

- ``run_once(elf, stdin=None, timeout=60)``: runs an ELF once per session for that ELF and stdin and returns
  the cached (returncode, output), for modules whose tests each judge a different part of one run.
- ``run_cmocka_suite(project_dir, expected_tests, timeout=120, chaos_seed=None)``: builds the project in the
  test's variant, runs its cmocka suites (under chaos mode when a seed is given) and fails the test on any
  failed, unfinished or missing test, sanitizer report or non-zero exit; returns the output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from wshammer.cmocka import cmocka_failure


@pytest.fixture(scope="session")
def run_once(run_linux_elf) -> Callable[..., tuple[int, str]]:
    runs: dict[tuple, tuple[int, str]] = {}

    def run(elf: Path, stdin: str | None = None, timeout: float = 60.0) -> tuple[int, str]:
        key = (Path(elf), stdin)
        if key not in runs:
            runs[key] = run_linux_elf(elf, stdin=stdin, timeout=timeout)
        return runs[key]

    return run


@pytest.fixture
def run_cmocka_suite(parallel_app, run_linux_elf, variant, monkeypatch) -> Callable[..., str]:
    def run(project_dir: Path, expected_tests: int, timeout: float = 120.0, chaos_seed: str | None = None) -> str:
        elf = parallel_app(project_dir, variant)
        if chaos_seed is not None:
            monkeypatch.setenv("WSH_CHAOS_SEED", chaos_seed)
        returncode, output = run_linux_elf(elf, timeout=timeout)
        if chaos_seed is not None:
            assert f"wsh_chaos: chaos mode on seed={chaos_seed}" in output
        failure = cmocka_failure(returncode, output, expected_tests)
        assert failure is None, failure
        return output

    return run
