"""Where the hammer app's builds live and how the rig gets one: linux builds on one of two platforms (built or
refreshed on demand), device builds made by idf-build-apps (found, never made here).

The linux platforms are platforms.PLATFORMS (parallel, idf; platforms.py says what each is).
Build folders: ``<app>/build_linux_par<version>_<variant>[_<component hash>]`` on parallel,
``<app>/build_linux_idf<version>[_<component hash>]`` on ESP-IDF's own linux target
(a separate folder per component tree given with --component; nothing is copied, the app's CMakeLists reads
``-DWSH_COMPONENT_DIR=``), and idf-build-apps' ``build_<target>_<config>`` for devices. Errors are BuildProblem
with a message meant for the person at the terminal. No shared state.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .idf_build import build_idf_project, parallel_platform_args
from .idf_env import DEFAULT_IDF_VERSION, IdfMissing, find_idf, is_real_idf
from .linux_elf import LinuxBuildError
from .platforms import PLATFORMS, VARIANT_PLATFORMS
from .sdkconfig import (
    Setting,
    SdkconfigError,
    kconfig_includes,
    kconfig_names,
    merged,
    not_taken,
    parse_defaults,
    parse_setting,
    render_defaults,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
HAMMER_APP = REPO_ROOT / "test_apps" / "ws_hammer"
TESTEE_APP = REPO_ROOT / "test_apps" / "autobahn_testee"  # the Autobahn testee (conformance_run)
COMPONENT_HEADER = Path("include") / "esp_websocket_client.h"



class BuildProblem(Exception):
    """Something the user must fix before the suite can run; the message says what and how."""


@dataclass(frozen=True)
class BuildRequest:
    app_dir: Path
    target: str
    variant: str = "debug"
    component: Path | None = None
    config: str | None = None  # sdkconfig.ci.<config> for device builds
    platform: str = PLATFORMS[0]  # linux only: one of PLATFORMS
    idf_version: str | None = None  # linux: the ESP-IDF version (None: the user's IDF_PATH or the default)
    sdkconfig: tuple[Setting, ...] = ()  # the user's Kconfig options (sdkconfig.merged), after the app's defaults


def build_tag(request: BuildRequest) -> str:
    """Names the tree and the options a build was made with: another tree or other options, another folder."""
    key = str(request.component.resolve()) if request.component is not None else ""
    if request.sdkconfig:
        key += "\n" + "\n".join(f"{name}={value}" for name, value in request.sdkconfig)
    return hashlib.sha1(key.encode()).hexdigest()[:8]


def user_sdkconfig(settings: list[str] | None, defaults_files: list[Path] | None, option: str = "--sdkconfig") -> tuple[Setting, ...]:
    """The options of ``--sdkconfig-defaults FILE`` (in order), then ``--sdkconfig KEY=VALUE`` (which win)."""
    groups = []
    try:
        for path in defaults_files or ():
            path = Path(path).expanduser()
            try:
                text = path.read_text()
            except OSError as exc:
                raise BuildProblem(f"{option}-defaults {path}: cannot read it ({exc.strerror or exc})") from None
            groups.append(parse_defaults(text, str(path)))
        groups.append([parse_setting(text, option) for text in settings or ()])
    except SdkconfigError as exc:
        raise BuildProblem(str(exc)) from None
    return merged(*groups)


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
    if platform not in VARIANT_PLATFORMS and variant != "debug":
        raise BuildProblem(
            f"variant {variant} needs the parallel platform: the rig builds ESP-IDF's own linux target "
            "in debug only"
        )
    return platform


def linux_build_dir(request: BuildRequest) -> Path:
    if request.platform == "idf":
        name = f"build_linux_idf{request.idf_version or DEFAULT_IDF_VERSION}"
    else:
        name = f"build_linux_par{request.idf_version or DEFAULT_IDF_VERSION}_{request.variant}"
    if request.component is not None or request.sdkconfig:
        name += f"_{build_tag(request)}"
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
    try:
        idf = find_idf(request.idf_version)
        request = replace(request, idf_version=idf.version)
        build_dir = linux_build_dir(request)
        build_idf_project(request.app_dir, build_dir, idf, cmake_args=linux_cmake_args(request, build_dir))
    except IdfMissing as exc:
        raise BuildProblem(str(exc)) from None
    except LinuxBuildError as exc:
        raise BuildProblem(f"building {request.app_dir.name} for linux on {platform_label(request)} failed:\n{exc}") from None
    check_sdkconfig_taken(request, build_dir, idf.path)
    return build_dir


def platform_label(request: BuildRequest) -> str:
    if request.platform == "idf":
        return f"ESP-IDF v{request.idf_version}"
    return f"ESP-IDF v{request.idf_version} on host/'s parallel kernel, {request.variant}"


def linux_cmake_args(request: BuildRequest, build_dir: Path) -> tuple[str, ...]:
    """-D options of the platform and the tree under test; the user's Kconfig options go into a defaults file in the build folder,
    listed after the project's own: ESP-IDF reads a project's sdkconfig.defaults only while SDKCONFIG_DEFAULTS is
    unset, and test_apps/client_app.cmake lists the repository's first (a file listed twice changes nothing)."""
    args = []
    if request.platform == "parallel":
        args += parallel_platform_args(request.variant)
    if request.component is not None:
        args.append(f"-DWSH_COMPONENT_DIR={request.component}")
    if request.sdkconfig:
        own = request.app_dir / "sdkconfig.defaults"
        defaults = build_dir / "wsh_sdkconfig.defaults"
        text = render_defaults(request.sdkconfig)
        if not defaults.is_file() or defaults.read_text() != text:  # rewritten, it would make CMake configure again
            build_dir.mkdir(parents=True, exist_ok=True)
            defaults.write_text(text)
        listed = [own, defaults] if own.is_file() else [defaults]
        args.append("-DSDKCONFIG_DEFAULTS=" + ";".join(str(path) for path in listed))
    return tuple(args)


def check_sdkconfig_taken(request: BuildRequest, build_dir: Path, idf_path: Path) -> None:
    """Kconfig drops an option it does not know without a word: a build that lacks one the user set is refused."""
    if not request.sdkconfig:
        return
    config_json = build_dir / "config" / "sdkconfig.json"
    try:
        values = json.loads(config_json.read_text())
    except (OSError, ValueError) as exc:
        raise BuildProblem(f"{config_json}: cannot read the build's configuration ({exc})") from None
    problems = not_taken(request.sdkconfig, values, defined_kconfig_names(build_dir, idf_path))
    if problems:
        raise BuildProblem(
            f"the {platform_label(request)} build of {request.app_dir.name} did not take the options given:\n  "
            + "\n  ".join(problems)
        )


def defined_kconfig_names(build_dir: Path, idf_path: Path) -> set[str]:
    """Every option the build's Kconfig files define: ESP-IDF's root Kconfig and the components' (listed in
    ``kconfigs*.in`` in the build folder), following their sources."""
    env = {"IDF_PATH": str(idf_path), "IDF_TARGET": "linux"}
    pending = [str(idf_path / "Kconfig")]
    for listing in ("kconfigs.in", "kconfigs_projbuild.in"):
        if (build_dir / listing).is_file():
            pending += kconfig_includes((build_dir / listing).read_text(), str(build_dir), env)
    names: set[str] = set()
    seen: set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue  # an osource of a file this target lacks
        names |= kconfig_names(text)
        pending += kconfig_includes(text, str(Path(path).parent), env)
    return names


def real_idf_path(environ: dict[str, str] | None = None) -> Path | None:
    """IDF_PATH when it points at a real ESP-IDF (tools/idf.py)."""
    env = os.environ if environ is None else environ
    value = env.get("IDF_PATH")
    if not value:
        return None
    return Path(value) if is_real_idf(Path(value)) else None
