"""Fixtures for the tests of host/ itself.

- ``host_test_app(name, variant, cmake_args=())``: builds ``host/test_apps/<name>`` (through the shared
  ``host_app`` cache) and returns the ELF.
- ``run_once(elf, stdin=None, timeout=60)``: runs an ELF once per session for that ELF and stdin and returns
  the cached (returncode, output), for modules whose tests each judge a different part of one run.
- ``run_cmocka_suite(name, expected_tests, timeout=120, chaos_seed=None)``: builds ``host/test_apps/<name>`` in
  the test's variant, runs its cmocka suites (under chaos mode when a seed is given) and fails the test on any
  failed, unfinished or missing test, sanitizer report or non-zero exit; returns the output.
- ``platform_build``: a test taking it runs on each of host/'s variants and on the parallel platform in debug
  (PARALLEL_BUILD: real ESP-IDF over host/'s kernel); the shared ``linux_app(project, platform_build)`` builds
  there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import pytest

from wshammer import host_build
from wshammer.cmocka import cmocka_failure

HOST_TEST_APPS = Path(__file__).resolve().parents[2] / "host" / "test_apps"
PARALLEL_BUILD = "parallel-debug"  # a linux_build name (tests/conftest.py)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "platform_build" in metafunc.fixturenames:
        variants = host_build.parse_variant_list(metafunc.config.getoption("variants"))
        metafunc.parametrize("platform_build", [*variants, PARALLEL_BUILD])


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


@pytest.fixture
def run_cmocka_suite(host_test_app, run_host_elf, variant, monkeypatch) -> Callable[..., str]:
    def run(name: str, expected_tests: int, timeout: float = 120.0, chaos_seed: str | None = None) -> str:
        elf = host_test_app(name, variant)
        if chaos_seed is not None:
            monkeypatch.setenv("WSH_CHAOS_SEED", chaos_seed)
        returncode, output = run_host_elf(elf, timeout=timeout)
        if chaos_seed is not None:
            assert f"wsh_chaos: chaos mode on seed={chaos_seed}" in output
        failure = cmocka_failure(returncode, output, expected_tests)
        assert failure is None, failure
        return output

    return run
