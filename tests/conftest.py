"""Fixtures shared by every test of the rig that builds or runs linux ELFs.

- ``--variants`` (default ``debug,tsan,asan``): the parallel platform's build variants C-backed tests run in.
- ``--idf-versions`` (default ``5.5.5``; ``none`` for none): the real ESP-IDF versions that tests taking
  ``linux_build`` also run on with ESP-IDF's own linux target (its FreeRTOS POSIX port; scripts/setup.sh
  installs them).
- ``variant``: a test that takes it runs once per selected variant (tests of host/ itself, on the parallel
  platform), except those its ``without_linux_builds`` marker names.
- ``linux_build``: a test that takes it runs once per selected variant on the parallel platform
  (``parallel-<variant>``, on the default ESP-IDF version) and once per selected ESP-IDF version on its own
  linux target (``idf-<version>``), except the builds its ``without_linux_builds(*builds, reason=...)`` marker
  names; ``linux_app(project_dir, linux_build, cmake_args=())`` builds for it.
- ``parallel_app(project_dir, variant, cmake_args=())``: builds an ESP-IDF project on the parallel platform.
- ``idf_app(project_dir, version, cmake_args=())``: builds an ESP-IDF project with real ESP-IDF ``version`` for
  its linux target. Builds are cached per (project, build, args) for the session and kept on disk under
  ``WSH_BUILD_ROOT`` (default ``tests/.build``), so later sessions rebuild incrementally.
- ``run_linux_elf(elf, args=(), stdin=None, timeout=60, env=None)``: runs an ELF with its variant's
  sanitizer options and returns (returncode, output); see wshammer.linux_elf.run_linux_elf.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable, Sequence

import pytest

from wshammer import idf_build, idf_env, linux_elf

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--variants",
        default=",".join(linux_elf.VARIANTS),
        help="comma-separated parallel-platform build variants for C-backed tests (debug, tsan, asan)",
    )
    parser.addoption(
        "--idf-versions",
        default=idf_env.DEFAULT_IDF_VERSION,
        help="comma-separated ESP-IDF versions that platform-independent C-backed tests also run on, or none",
    )


IDF_BUILD_PREFIX = "idf-"
PARALLEL_BUILD_PREFIX = "parallel-"

# A test whose fixtures reach one of these builds or runs firmware: `slow`, out of the fast lane (README).
FIRMWARE_FIXTURES = frozenset({"parallel_app", "idf_app", "linux_app", "run_linux_elf", "dut"})


def idf_versions(config: pytest.Config) -> list[str]:
    text = config.getoption("idf_versions")
    versions = [] if text.strip() == "none" else [v.strip() for v in text.split(",") if v.strip()]
    for version in versions:
        try:
            idf_env.check_version(version)
        except idf_env.IdfMissing as exc:
            raise pytest.UsageError(f"--idf-versions: {exc}") from None
    return versions


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "variant" in metafunc.fixturenames:
        try:
            variants = linux_elf.parse_variant_list(metafunc.config.getoption("variants"))
        except ValueError as exc:
            raise pytest.UsageError(f"--variants: {exc}") from exc
        metafunc.parametrize("variant", builds_taken(metafunc, variants))
    if "linux_build" in metafunc.fixturenames:
        variants = linux_elf.parse_variant_list(metafunc.config.getoption("variants"))
        builds = [*(PARALLEL_BUILD_PREFIX + v for v in variants),
                  *(IDF_BUILD_PREFIX + v for v in idf_versions(metafunc.config))]
        metafunc.parametrize("linux_build", builds_taken(metafunc, builds))


def builds_taken(metafunc: pytest.Metafunc, builds: list[str]) -> list[str]:
    """builds without those the test's ``without_linux_builds`` marker names."""
    left_out = metafunc.definition.get_closest_marker("without_linux_builds")
    return [build for build in builds if left_out is None or build not in left_out.args]


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FIRMWARE_FIXTURES.intersection(item.fixturenames):
            item.add_marker(pytest.mark.slow)


def build_root() -> Path:
    return Path(os.environ.get("WSH_BUILD_ROOT", REPO_ROOT / "tests" / ".build"))


def build_dir_for(project_dir: Path, label: str, cmake_args: Sequence[str]) -> Path:
    """A stable build directory per (project, build, args): readable name plus a short hash."""
    key = "\0".join([str(project_dir.resolve()), label, *cmake_args])
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return build_root() / f"{project_dir.name}-{label}-{digest}"


@pytest.fixture
def on_esp_idf(linux_build: str) -> bool:
    """True when this ``linux_build`` is ESP-IDF's own linux target (its POSIX port, not the parallel platform)."""
    return linux_build.startswith(IDF_BUILD_PREFIX)


@pytest.fixture
def linux_build_args(linux_build: str) -> list[str]:
    """The ``wshammer`` options that select this ``linux_build``."""
    if linux_build.startswith(IDF_BUILD_PREFIX):
        return ["--platform", "idf", "--idf-version", linux_build.removeprefix(IDF_BUILD_PREFIX)]
    return ["--platform", "parallel", "--idf-version", idf_env.DEFAULT_IDF_VERSION,
            "--variant", linux_build.removeprefix(PARALLEL_BUILD_PREFIX)]


@pytest.fixture(scope="session")
def idf_app() -> Callable[..., Path]:
    """Factory: ``idf_app(project_dir, version, cmake_args=())`` -> ELF built with real ESP-IDF ``version`` for
    its linux target (a missing ESP-IDF fails the test with what to run)."""
    built: dict[tuple, Path] = {}

    def build(project_dir: Path | str, version: str, cmake_args: Sequence[str] = ()) -> Path:
        project_dir = Path(project_dir).resolve()
        key = (project_dir, version, tuple(cmake_args))
        if key not in built:
            try:
                idf = idf_env.find_idf(version)
            except idf_env.IdfMissing as exc:
                pytest.fail(str(exc), pytrace=False)
            build_dir = build_dir_for(project_dir, IDF_BUILD_PREFIX + version, cmake_args)
            built[key] = idf_build.build_idf_project(project_dir, build_dir, idf, cmake_args)
        return built[key]

    return build


@pytest.fixture(scope="session")
def parallel_app(idf_app) -> Callable[..., Path]:
    """Factory: ``parallel_app(project_dir, variant, cmake_args=())`` -> ELF built on the parallel platform (real
    ESP-IDF of the default version, host/'s kernel) in ``variant``."""

    def build(project_dir: Path | str, variant: str, cmake_args: Sequence[str] = ()) -> Path:
        return idf_app(project_dir, idf_env.DEFAULT_IDF_VERSION,
                       (*cmake_args, *idf_build.parallel_platform_args(linux_elf.check_variant(variant))))

    return build


@pytest.fixture(scope="session")
def linux_app(parallel_app, idf_app) -> Callable[..., Path]:
    """Factory: ``linux_app(project_dir, linux_build, cmake_args=())`` -> ELF, on the parallel platform for
    ``parallel-<variant>`` or on ESP-IDF's own linux target for ``idf-<version>``."""

    def build(project_dir: Path | str, linux_build: str, cmake_args: Sequence[str] = ()) -> Path:
        if linux_build.startswith(IDF_BUILD_PREFIX):
            return idf_app(project_dir, linux_build.removeprefix(IDF_BUILD_PREFIX), cmake_args)
        if not linux_build.startswith(PARALLEL_BUILD_PREFIX):
            raise ValueError(f"linux build {linux_build!r}: neither {IDF_BUILD_PREFIX}<version> nor "
                             f"{PARALLEL_BUILD_PREFIX}<variant>")
        return parallel_app(project_dir, linux_build.removeprefix(PARALLEL_BUILD_PREFIX), cmake_args)

    return build


@pytest.fixture(scope="session")
def run_linux_elf() -> Callable[..., tuple[int, str]]:
    """``run_linux_elf(elf, args=(), stdin=None, timeout=60, env=None)`` -> (returncode, output)."""
    return linux_elf.run_linux_elf
