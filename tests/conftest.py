"""Fixtures shared by every test of the rig that builds or runs host ELFs.

- ``--variants`` (default ``debug,tsan,asan``): the host build variants C-backed tests run in.
- ``--idf-versions`` (default ``5.5.5``; ``none`` for none): the real ESP-IDF versions that tests taking
  ``linux_build`` also run on (ESP-IDF's own linux target; scripts/setup.sh installs them).
- ``variant``: a test that takes it runs once per selected variant (host/ only: tests of host/ itself), except
  those its ``without_linux_builds`` marker names.
- ``linux_build``: a test that takes it runs once per selected variant and once per selected ESP-IDF version
  (``idf-5.5.5``), except the builds its ``without_linux_builds(*builds, reason=...)`` marker names;
  ``linux_app(project_dir, linux_build, cmake_args=())`` builds for it, and for ``parallel-<variant>`` (the
  parallel platform on the default ESP-IDF version, which tests of host/ itself take).
- ``idf_app(project_dir, version, cmake_args=())``: builds an ESP-IDF project with real ESP-IDF ``version`` for
  its linux target, cached like host_app.
- ``host_app(project_dir, variant, cmake_args=())``: builds an ESP-IDF project against host/ and returns
  the ELF path. Builds are cached per (project, variant, args) for the session and kept on disk under
  ``WSH_BUILD_ROOT`` (default ``tests/.build``), so later sessions rebuild incrementally.
- ``run_host_elf(elf, args=(), stdin=None, timeout=60, env=None)``: runs an ELF with its variant's
  sanitizer options and returns (returncode, output); see wshammer.host_build.run_host_elf.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable, Sequence

import pytest

from wshammer import host_build, idf_build, idf_env

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--variants",
        default=",".join(host_build.VARIANTS),
        help="comma-separated host build variants for C-backed tests (debug, tsan, asan)",
    )
    parser.addoption(
        "--idf-versions",
        default=idf_env.DEFAULT_IDF_VERSION,
        help="comma-separated ESP-IDF versions that platform-independent C-backed tests also run on, or none",
    )


IDF_BUILD_PREFIX = "idf-"
PARALLEL_BUILD_PREFIX = "parallel-"

# A test whose fixtures reach one of these builds or runs firmware: `slow`, out of the fast lane (README).
FIRMWARE_FIXTURES = frozenset({"host_app", "idf_app", "linux_app", "run_host_elf", "dut"})


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
            variants = host_build.parse_variant_list(metafunc.config.getoption("variants"))
        except ValueError as exc:
            raise pytest.UsageError(f"--variants: {exc}") from exc
        metafunc.parametrize("variant", builds_taken(metafunc, variants))
    if "linux_build" in metafunc.fixturenames:
        variants = host_build.parse_variant_list(metafunc.config.getoption("variants"))
        builds = [*variants, *(IDF_BUILD_PREFIX + v for v in idf_versions(metafunc.config))]
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


def build_dir_for(project_dir: Path, variant: str, cmake_args: Sequence[str]) -> Path:
    """A stable build directory per (project, variant, args): readable name plus a short hash."""
    key = "\0".join([str(project_dir.resolve()), variant, *cmake_args])
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return build_root() / f"{project_dir.name}-{variant}-{digest}"


@pytest.fixture(scope="session")
def host_app() -> Callable[..., Path]:
    """Factory: ``host_app(project_dir, variant, cmake_args=())`` -> path of the built ELF."""
    built: dict[tuple, Path] = {}

    def build(project_dir: Path | str, variant: str, cmake_args: Sequence[str] = ()) -> Path:
        project_dir = Path(project_dir).resolve()
        key = (project_dir, variant, tuple(cmake_args))
        if key not in built:
            build_dir = build_dir_for(project_dir, variant, cmake_args)
            built[key] = host_build.build_host_project(project_dir, build_dir, variant, cmake_args)
        return built[key]

    return build


@pytest.fixture
def on_esp_idf(linux_build: str) -> bool:
    """True when this ``linux_build`` is ESP-IDF's own linux target (not host/)."""
    return linux_build.startswith(IDF_BUILD_PREFIX)


@pytest.fixture
def linux_build_args(linux_build: str) -> list[str]:
    """The ``wshammer`` options that select this ``linux_build``."""
    if linux_build.startswith(IDF_BUILD_PREFIX):
        return ["--platform", "idf", "--idf-version", linux_build.removeprefix(IDF_BUILD_PREFIX)]
    return ["--variant", linux_build]


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
def linux_app(host_app, idf_app) -> Callable[..., Path]:
    """Factory: ``linux_app(project_dir, linux_build, cmake_args=())`` -> ELF, on host/ for a variant or with
    real ESP-IDF for ``idf-<version>``."""

    def build(project_dir: Path | str, linux_build: str, cmake_args: Sequence[str] = ()) -> Path:
        if linux_build.startswith(IDF_BUILD_PREFIX):
            return idf_app(project_dir, linux_build.removeprefix(IDF_BUILD_PREFIX), cmake_args)
        if linux_build.startswith(PARALLEL_BUILD_PREFIX):
            variant = linux_build.removeprefix(PARALLEL_BUILD_PREFIX)
            return idf_app(project_dir, idf_env.DEFAULT_IDF_VERSION,
                           (*cmake_args, *idf_build.parallel_platform_args(variant)))
        return host_app(project_dir, linux_build, cmake_args)

    return build


@pytest.fixture(scope="session")
def run_host_elf() -> Callable[..., tuple[int, str]]:
    """``run_host_elf(elf, args=(), stdin=None, timeout=60, env=None)`` -> (returncode, output)."""
    return host_build.run_host_elf
