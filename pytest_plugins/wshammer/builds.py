"""Where the hammer app's builds live and how the rig gets one: linux builds on one of two platforms (built or
refreshed on demand), device builds made by idf-build-apps (found, never made here).

The linux platforms (PLATFORMS): ``host``, host/'s parallel layer (every task a thread, all at once; variants
debug, tsan, asan), and ``idf``, ESP-IDF's own linux target built by a real ESP-IDF (its FreeRTOS POSIX port
runs one task at a time; debug only).
Build folders: ``<app>/build_linux_<variant>[_<component hash>]`` on host/, ``<app>/build_linux_idf<version>
[_<component hash>]`` on ESP-IDF (a separate folder per component tree given with --component; nothing is
copied, the app's CMakeLists reads ``-DWSH_COMPONENT_DIR=``), and idf-build-apps' ``build_<target>_<config>``
for devices. Errors are BuildProblem with a message meant for
the person at the terminal. No shared state.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .host_build import HostBuildError, build_host_project
from .idf_build import build_idf_project
from .idf_env import DEFAULT_IDF_VERSION, IdfMissing, find_idf, is_real_idf

REPO_ROOT = Path(__file__).resolve().parents[2]
HAMMER_APP = REPO_ROOT / "test_apps" / "ws_hammer"
TESTEE_APP = REPO_ROOT / "test_apps" / "autobahn_testee"  # the Autobahn testee (conformance_run)
HOST_IDF_PATH = REPO_ROOT / "host"
COMPONENT_HEADER = Path("include") / "esp_websocket_client.h"

#: The linux platforms, the default first: host/ (parallel tasks, sanitizers) and ESP-IDF's own linux target.
PLATFORMS = ("host", "idf")


class BuildProblem(Exception):
    """Something the user must fix before the suite can run; the message says what and how."""


@dataclass(frozen=True)
class BuildRequest:
    app_dir: Path
    target: str
    variant: str = "debug"
    component: Path | None = None
    config: str | None = None  # sdkconfig.ci.<config> for device builds
    platform: str = "host"  # linux only: one of PLATFORMS
    idf_version: str | None = None  # platform idf: the ESP-IDF version (None: the user's IDF_PATH or the default)


def component_tag(component: Path) -> str:
    return hashlib.sha1(str(component.resolve()).encode()).hexdigest()[:8]


def check_component(path: Path, option: str = "--component") -> Path:
    """An esp_websocket_client source tree: a directory with CMakeLists.txt and the public header."""
    path = Path(path).expanduser()
    if not path.exists():
        raise BuildProblem(f"{option} {path}: no such directory")
    if not path.is_dir():
        raise BuildProblem(f"{option} {path}: not a directory")
    missing = [name for name in ("CMakeLists.txt", str(COMPONENT_HEADER)) if not (path / name).is_file()]
    if missing:
        raise BuildProblem(
            f"{option} {path}: not an esp_websocket_client tree (missing {', '.join(missing)}); "
            "point it at the directory that holds the component's CMakeLists.txt"
        )
    return path.resolve()


def check_app(app_dir: Path) -> Path:
    app_dir = Path(app_dir).expanduser()
    if not (app_dir / "CMakeLists.txt").is_file():
        raise BuildProblem(f"--app {app_dir}: not an ESP-IDF project (no CMakeLists.txt)")
    return app_dir.resolve()


def check_platform(platform: str, variant: str) -> str:
    if platform not in PLATFORMS:
        raise BuildProblem(f"unknown linux platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
    if platform == "idf" and variant != "debug":
        raise BuildProblem(
            f"variant {variant} needs the host platform: the rig builds ESP-IDF's own linux target in debug only"
        )
    return platform


def linux_build_dir(request: BuildRequest) -> Path:
    if request.platform == "idf":
        name = f"build_linux_idf{request.idf_version or DEFAULT_IDF_VERSION}"
    else:
        name = f"build_linux_{request.variant}"
    if request.component is not None:
        name += f"_{component_tag(request.component)}"
    return request.app_dir / name


def device_build_candidates(request: BuildRequest) -> list[Path]:
    """idf-build-apps' folder names, most specific first (the order idf-ci searches)."""
    names = []
    if request.config:
        names.append(f"build_{request.target}_{request.config}")
    names += [f"build_{request.target}", "build"]
    return [request.app_dir / n for n in names]


def find_device_build(request: BuildRequest) -> Path:
    for candidate in device_build_candidates(request):
        if (candidate / "flasher_args.json").is_file() or (candidate / "config" / "sdkconfig.json").is_file():
            return candidate
    tried = ", ".join(p.name for p in device_build_candidates(request))
    raise BuildProblem(
        f"no {request.target} build of {request.app_dir.name} (looked for {tried}); build it first with "
        f"`wshammer build --target {request.target}` (needs a real ESP-IDF in IDF_PATH) or pass --build-dir"
    )


def build_linux(request: BuildRequest) -> Path:
    """Configure and build (ninja makes it a no-op when nothing changed); returns the build folder."""
    check_platform(request.platform, request.variant)
    cmake_args = (f"-DWSH_COMPONENT_DIR={request.component}",) if request.component is not None else ()
    try:
        if request.platform == "idf":
            idf = find_idf(request.idf_version)
            request = replace(request, idf_version=idf.version)
            build_idf_project(request.app_dir, linux_build_dir(request), idf, cmake_args=cmake_args)
        else:
            build_host_project(request.app_dir, linux_build_dir(request), request.variant, cmake_args=cmake_args)
    except IdfMissing as exc:
        raise BuildProblem(str(exc)) from None
    except HostBuildError as exc:
        where = f"ESP-IDF v{request.idf_version}" if request.platform == "idf" else f"host/{request.variant}"
        raise BuildProblem(f"building {request.app_dir.name} for linux on {where} failed:\n{exc}") from None
    return linux_build_dir(request)


def real_idf_path(environ: dict[str, str] | None = None) -> Path | None:
    """IDF_PATH when it points at a real ESP-IDF (tools/idf.py), not at this repo's host/ platform."""
    env = os.environ if environ is None else environ
    value = env.get("IDF_PATH")
    if not value:
        return None
    return Path(value) if is_real_idf(Path(value)) else None
