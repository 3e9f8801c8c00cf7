"""Fixtures shared by every test of the rig that builds or runs host ELFs.

- ``--variants`` (default ``debug,tsan,asan``): the host build variants C-backed tests run in.
- ``variant``: a test that takes it runs once per selected variant.
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

from wshammer import host_build

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--variants",
        default=",".join(host_build.VARIANTS),
        help="comma-separated host build variants for C-backed tests (debug, tsan, asan)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "variant" in metafunc.fixturenames:
        try:
            variants = host_build.parse_variant_list(metafunc.config.getoption("variants"))
        except ValueError as exc:
            raise pytest.UsageError(f"--variants: {exc}") from exc
        metafunc.parametrize("variant", variants)


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


@pytest.fixture(scope="session")
def run_host_elf() -> Callable[..., tuple[int, str]]:
    """``run_host_elf(elf, args=(), stdin=None, timeout=60, env=None)`` -> (returncode, output)."""
    return host_build.run_host_elf
