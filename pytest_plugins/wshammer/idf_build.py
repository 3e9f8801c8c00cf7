"""Build ESP-IDF projects for ESP-IDF's linux target (IDF_TARGET=linux) with a real ESP-IDF tree
(idf_env.find_idf), the way ESP-IDF's own build does it: CMake with ESP-IDF's project.cmake, then ninja. The
sdkconfig goes into the build folder so nothing is written into the project. On ESP-IDF's FreeRTOS POSIX port,
or on the parallel platform (parallel_platform_args), which joins any project from outside.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

from .idf_env import IdfInstall
from .linux_elf import LinuxBuildError, build_cmake_project

PARALLEL_PLATFORM_CMAKE = Path(__file__).resolve().parents[2] / "host" / "parallel_platform.cmake"


def parallel_platform_args(variant: str) -> list[str]:
    """-D options that put any ESP-IDF project on the parallel platform in ``variant``: CMake's own project()
    includes host/parallel_platform.cmake, so the project itself stays as it is."""
    return [f"-DCMAKE_PROJECT_INCLUDE={PARALLEL_PLATFORM_CMAKE}", f"-DWSH_VARIANT={variant}"]


def configure_command(project_dir: Path, build_dir: Path, idf: IdfInstall, cmake_args: Sequence[str]) -> list[str]:
    return [
        "cmake",
        "-S", str(project_dir),
        "-B", str(build_dir),
        "-G", "Ninja",
        "-DIDF_TARGET=linux",
        f"-DPYTHON={idf.python}",
        # ESP-IDF would check its Python packages against Espressif's constraints file: not reachable here.
        "-DPYTHON_DEPS_CHECKED=1",
        f"-DSDKCONFIG={build_dir / 'sdkconfig'}",
        *cmake_args,
    ]


def check_project(project_dir: Path) -> Path:
    project_dir = Path(project_dir).resolve()
    if not (project_dir / "CMakeLists.txt").is_file():
        raise LinuxBuildError(f"{project_dir} is not an ESP-IDF project (no CMakeLists.txt)", "")
    return project_dir


def build_idf_project(
    project_dir: Path,
    build_dir: Path,
    idf: IdfInstall,
    cmake_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Path:
    """Builds ``project_dir`` for linux with ``idf`` into ``build_dir`` and returns the ELF; LinuxBuildError with
    the failing tool's last lines when a step fails."""
    project_dir = check_project(project_dir)
    build_dir = Path(build_dir).resolve()
    tool_env = idf.tool_env(os.environ if env is None else env)
    # ESP-IDF reads both from the environment too: a stray IDF_TARGET would clash with -DIDF_TARGET=linux, and
    # SDKCONFIG_DEFAULTS would replace the project's own defaults.
    tool_env["IDF_TARGET"] = "linux"
    tool_env.pop("SDKCONFIG_DEFAULTS", None)
    command = configure_command(project_dir, build_dir, idf, cmake_args)
    return build_cmake_project(project_dir, build_dir, command, tool_env, f"{project_dir.name} (ESP-IDF v{idf.version})")
