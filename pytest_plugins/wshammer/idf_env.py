"""Where the real ESP-IDF for linux builds is, and the environment its tools run with.

A user's own ESP-IDF (``IDF_PATH`` at a real tree) always wins. Otherwise the trees that
``scripts/setup_idf.sh`` put in the cache are used: ``<cache>/esp-idf-v<version>`` for each version and
``<cache>/idf-python`` for ESP-IDF's Python requirements. Pure lookups over paths and an environment
mapping; nothing here runs a process.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

SUPPORTED_IDF_VERSIONS = ("5.3.5", "5.5.5", "6.0.2")
DEFAULT_IDF_VERSION = "5.5.5"
SETUP_HINT = "run scripts/setup.sh (it provides ESP-IDF; WSH_IDF_VERSION chooses versions), or set IDF_PATH"


class IdfMissing(Exception):
    """No usable ESP-IDF for the request; the message says what to do."""


@dataclass(frozen=True)
class IdfInstall:
    path: Path  # IDF_PATH
    version: str  # "5.5.5"
    python_env: Path | None  # IDF_PYTHON_ENV_PATH, None: the tools run with ``python3`` on PATH

    @property
    def python(self) -> str:
        return str(self.python_env / "bin" / "python") if self.python_env else "python3"

    def tool_env(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` plus what ESP-IDF's build needs to run its tools from this install."""
        env = dict(base)
        env["IDF_PATH"] = str(self.path)
        if self.python_env is not None:
            env["IDF_PYTHON_ENV_PATH"] = str(self.python_env)
        # ESP-IDF checks its Python packages against a constraints file only Espressif's servers have.
        env["IDF_PYTHON_CHECK_CONSTRAINTS"] = "no"
        # The component manager would write dependencies.lock into the app folder and may go online.
        env.setdefault("IDF_COMPONENT_MANAGER", "0")
        return env


def cache_dir(environ: Mapping[str, str]) -> Path:
    if environ.get("WSH_CACHE_DIR"):
        return Path(environ["WSH_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME", "~")).expanduser() / ".cache")
    return Path(base) / "wshammer"


def is_real_idf(path: Path) -> bool:
    """A real ESP-IDF tree (tools/idf.py), not this repository's host/ platform."""
    return (Path(path) / "tools" / "idf.py").is_file()


_VERSION_CMAKE = re.compile(r"set\(IDF_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)\)")


def idf_version_of(path: Path) -> str:
    """The x.y.z of an ESP-IDF tree, from tools/cmake/version.cmake (present in every release)."""
    try:
        text = (Path(path) / "tools" / "cmake" / "version.cmake").read_text()
    except OSError as exc:
        raise IdfMissing(f"{path}: cannot read tools/cmake/version.cmake ({exc.strerror})") from None
    parts = dict(_VERSION_CMAKE.findall(text))
    if set(parts) != {"MAJOR", "MINOR", "PATCH"}:
        raise IdfMissing(f"{path}: tools/cmake/version.cmake names no IDF_VERSION_MAJOR/MINOR/PATCH")
    return f"{parts['MAJOR']}.{parts['MINOR']}.{parts['PATCH']}"


def check_version(version: str) -> str:
    if version not in SUPPORTED_IDF_VERSIONS:
        raise IdfMissing(f"ESP-IDF {version} is not supported; choose one of {', '.join(SUPPORTED_IDF_VERSIONS)}")
    return version


def _python_env(environ: Mapping[str, str], cache: Path) -> Path | None:
    if environ.get("IDF_PYTHON_ENV_PATH"):
        return Path(environ["IDF_PYTHON_ENV_PATH"])
    cached = cache / "idf-python"
    return cached if (cached / "bin" / "python").exists() else None


def find_idf(version: str | None = None, environ: Mapping[str, str] | None = None) -> IdfInstall:
    """The ESP-IDF to build with: the user's IDF_PATH when it is a real tree (and, if ``version`` is given,
    of that version), else the cached tree of ``version`` (default DEFAULT_IDF_VERSION)."""
    env = os.environ if environ is None else environ
    cache = cache_dir(env)
    user = env.get("IDF_PATH")
    if user and is_real_idf(Path(user)):
        found = idf_version_of(Path(user))
        if version is None or version == found:
            return IdfInstall(Path(user), found, _python_env(env, cache))
    wanted = check_version(version or DEFAULT_IDF_VERSION)
    tree = cache / f"esp-idf-v{wanted}"
    if not is_real_idf(tree):
        raise IdfMissing(f"no ESP-IDF v{wanted} at {tree}: {SETUP_HINT}")
    return IdfInstall(tree, idf_version_of(tree), _python_env(env, cache))


def installed_versions(environ: Mapping[str, str] | None = None) -> list[str]:
    """The supported versions the cache holds, in SUPPORTED_IDF_VERSIONS order."""
    cache = cache_dir(os.environ if environ is None else environ)
    return [v for v in SUPPORTED_IDF_VERSIONS if is_real_idf(cache / f"esp-idf-v{v}")]
