"""Build ESP-IDF projects against the host platform (``host/`` as IDF_PATH) and run what they produce.

``build_host_project`` configures a project with CMake only when its configuration changed, then runs
ninja, and returns the ELF; every build compiles through ccache when it is installed (compiler_cache).
``sanitizer_env`` gives the environment every host ELF should run with, so a sanitizer report always ends the
process with a failure.

The pure helpers (command lines, configure stamps, log tails, sanitizer options) are kept apart from the
functions that run processes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from .idf_env import cache_dir

VARIANTS = ("debug", "tsan", "asan")

#: Parallel jobs for ninja; the machines this runs on are small and shared.
DEFAULT_JOBS = 2

#: Lines of tool output carried by a HostBuildError.
LOG_TAIL_LINES = 60

_STAMP_NAME = "wsh_configure.json"


class HostBuildError(RuntimeError):
    """A configure or build step failed. ``log_tail`` holds the tool's last output lines."""

    def __init__(self, message: str, log_tail: str):
        super().__init__(f"{message}\n--- last output lines ---\n{log_tail}")
        self.message = message
        self.log_tail = log_tail


def default_idf_path() -> Path:
    """The repository's ``host/`` directory, which is laid out as an IDF_PATH."""
    return Path(__file__).resolve().parents[2] / "host"


# ---------------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------------


def check_variant(variant: str) -> str:
    """Returns ``variant`` if it is one of VARIANTS, else raises ValueError naming the choices."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown host build variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    return variant


def configure_command(
    project_dir: Path, build_dir: Path, variant: str, cmake_args: Sequence[str], python: str
) -> list[str]:
    """The CMake configure command line for one project, build directory and variant."""
    return [
        "cmake",
        "-S", str(project_dir),
        "-B", str(build_dir),
        "-G", "Ninja",
        f"-DWSH_VARIANT={check_variant(variant)}",
        f"-DWSH_PYTHON={python}",
        *cmake_args,
    ]


def build_command(build_dir: Path, jobs: int = DEFAULT_JOBS) -> list[str]:
    return ["ninja", "-C", str(build_dir), f"-j{jobs}"]


def configure_stamp(command: Sequence[str], idf_path: Path) -> dict:
    """What a configured build directory was configured with; a different stamp means re-configure."""
    return {"command": list(command), "idf_path": str(idf_path)}


def needs_configure(build_dir: Path, stamp: Mapping) -> bool:
    """True when ``build_dir`` has no ninja file or was configured with something else."""
    if not (build_dir / "build.ninja").is_file():
        return True
    try:
        previous = json.loads((build_dir / _STAMP_NAME).read_text())
    except (OSError, ValueError):
        return True
    return previous != dict(stamp)


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


def elf_from_description(build_dir: Path) -> Path:
    """The ELF named by ``<build_dir>/project_description.json``; HostBuildError when it is missing."""
    description_path = build_dir / "project_description.json"
    try:
        description = json.loads(description_path.read_text())
        elf = build_dir / description["app_elf"]
    except (OSError, ValueError, KeyError) as exc:
        raise HostBuildError(f"cannot read the ELF name from {description_path}", str(exc)) from exc
    if not elf.is_file() or not os.access(elf, os.X_OK):
        raise HostBuildError(f"the build finished but {elf} is not an executable file", "")
    return elf


def parse_variant_list(text: str) -> tuple[str, ...]:
    """``"debug,tsan"`` -> ("debug", "tsan"); ValueError on an unknown or empty list."""
    variants = tuple(part.strip() for part in text.split(",") if part.strip())
    if not variants:
        raise ValueError(f"no build variant in {text!r}; choose from {', '.join(VARIANTS)}")
    return tuple(check_variant(v) for v in variants)


# One report line per sanitizer finding; UBSan has no banner, only "<file>:<line>:<col>: runtime error:".
_SANITIZER_REPORT = re.compile(
    r"WARNING: ThreadSanitizer:|ERROR: AddressSanitizer:|ERROR: LeakSanitizer:|"
    r"SUMMARY: UndefinedBehaviorSanitizer:|: runtime error: "
)


def find_sanitizer_reports(output: str) -> list[str]:
    """The lines of ``output`` that start a TSan, ASan, LSan or UBSan report."""
    return [line for line in output.splitlines() if _SANITIZER_REPORT.search(line)]


def variant_of_build(build_dir: Path) -> str:
    """The variant a build directory was built with: ``wsh_variant`` of project_description.json on host/; in a
    build by real ESP-IDF (no such key), the CMake cache's ``WSH_VARIANT`` (the parallel platform), else a plain
    debug build."""
    description_path = Path(build_dir) / "project_description.json"
    try:
        description = json.loads(description_path.read_text())
        variant = description.get("wsh_variant") or _cached_variant(Path(build_dir) / "CMakeCache.txt")
        return check_variant(variant or "debug")
    except (OSError, ValueError, AttributeError) as exc:
        raise ValueError(f"{description_path}: not a build directory ({exc})") from exc


def _cached_variant(cache: Path) -> str | None:
    if not cache.is_file():
        return None
    found = re.search(r"^WSH_VARIANT(?::\w+)?=(.*)$", cache.read_text(errors="replace"), re.MULTILINE)
    return found.group(1).strip() if found else None


def _merge_options(ours: str, inherited: str | None) -> str:
    # Options given later win in the sanitizer runtimes, so the caller's own settings still apply.
    return f"{ours}:{inherited}" if inherited else ours


def sanitizer_env(variant: str, inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment variables a host ELF of ``variant`` must run with (to be merged into its environment).

    In debug, glibc's malloc caches are off so heap figures are exact. The sanitizers report and go on, so
    one run names every defect it meets (the log guard fails the test on each report): TSan keeps running
    and exits 66 at the end; UBSan (built recoverable) prints each report site once with its stack; ASan
    still stops at its first error, since memory it has seen corrupted proves nothing after, and
    LeakSanitizer checks at exit. The user's options (``inherited``, e.g. os.environ) come after ours, so
    they win.
    """
    check_variant(variant)
    inherited = inherited or {}
    options: dict[str, str] = {}
    if variant == "debug":
        # glibc's per-thread caches and fast bins hold freed blocks that mallinfo2 still counts as in use;
        # without them the debug heap figure moves with real allocations only, so leak checks over
        # connection cycles see leaks rather than caches filling up.
        options["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"
    elif variant == "tsan":
        options["TSAN_OPTIONS"] = "halt_on_error=0:second_deadlock_stack=1"
    elif variant == "asan":
        options["ASAN_OPTIONS"] = (
            "abort_on_error=1:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:"
            "check_initialization_order=1:strict_init_order=1"
        )
        options["UBSAN_OPTIONS"] = "halt_on_error=0:print_stacktrace=1"
    return {name: _merge_options(value, inherited.get(name)) for name, value in options.items()}


# ---------------------------------------------------------------------------------------------------
# Process-running functions
# ---------------------------------------------------------------------------------------------------


def _run(command: Sequence[str], env: Mapping[str, str], what: str) -> None:
    try:
        result = subprocess.run(
            list(command), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    except FileNotFoundError as exc:
        raise HostBuildError(f"{what}: {command[0]} is not installed", str(exc)) from exc
    if result.returncode != 0:
        raise HostBuildError(f"{what} failed (exit {result.returncode}): {' '.join(command)}", tail(result.stdout))


@contextmanager
def _build_dir_lock(build_dir: Path) -> Iterator[None]:
    # Several pytest sessions may build the same project into the same directory; ninja must not run
    # twice at once on one directory.
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{build_dir}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def compiler_cache(tool_env: Mapping[str, str], build_dir: Path) -> tuple[list[str], dict[str, str]]:
    """CMake options and environment that compile through ccache, or nothing when it is not installed (ccache's
    own CCACHE_DISABLE=1 turns it off). The rig builds the same ESP-IDF sources with the same flags into many
    build folders (one per component tree, variant and version), which differ only in the folder's own paths
    (-I<build>/config): base_dir, the build folder, makes those relative so the folders share objects, while
    every source keeps its absolute path in the debug information (the rig's stack reader tells its own frames
    by it); nohashdir leaves the folder's name out of the key."""
    if shutil.which("ccache", path=tool_env.get("PATH")) is None:
        return [], {}
    env = {
        "CCACHE_DIR": tool_env.get("CCACHE_DIR") or str(cache_dir(tool_env) / "ccache"),
        "CCACHE_BASEDIR": tool_env.get("CCACHE_BASEDIR") or str(build_dir),
        "CCACHE_NOHASHDIR": tool_env.get("CCACHE_NOHASHDIR") or "true",
    }
    return ["-DCMAKE_C_COMPILER_LAUNCHER=ccache", "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"], env


def build_cmake_project(
    project_dir: Path, build_dir: Path, command: Sequence[str], tool_env: Mapping[str, str], what: str,
    jobs: int = DEFAULT_JOBS,
) -> Path:
    """Configures ``project_dir`` into ``build_dir`` with ``command`` (only when the directory is new or was
    configured otherwise), runs ninja and returns the ELF. Shared by host/ and real ESP-IDF builds."""
    launcher_args, launcher_env = compiler_cache(tool_env, Path(build_dir).resolve())
    command = [*command, *launcher_args]
    tool_env = {**tool_env, **launcher_env}
    stamp = configure_stamp(command, Path(tool_env["IDF_PATH"]))
    with _build_dir_lock(build_dir):
        if needs_configure(build_dir, stamp):
            build_dir.mkdir(parents=True, exist_ok=True)
            (build_dir / _STAMP_NAME).unlink(missing_ok=True)
            _run(command, tool_env, f"configure of {what}")
            (build_dir / _STAMP_NAME).write_text(json.dumps(stamp, indent=2))
        _run(build_command(build_dir, jobs), tool_env, f"build of {what}")
        return elf_from_description(build_dir)


def check_project(project_dir: Path) -> Path:
    project_dir = Path(project_dir).resolve()
    if not (project_dir / "CMakeLists.txt").is_file():
        raise HostBuildError(f"{project_dir} is not an ESP-IDF project (no CMakeLists.txt)", "")
    return project_dir


def build_host_project(
    project_dir: Path,
    build_dir: Path,
    variant: str,
    cmake_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    idf_path: Path | None = None,
    jobs: int = DEFAULT_JOBS,
) -> Path:
    """Builds ``project_dir`` into ``build_dir`` for ``variant`` and returns the ELF's path.

    CMake configures only when the build directory is new or was configured with other arguments (ninja
    re-runs CMake by itself when a CMakeLists.txt, Kconfig or sdkconfig.defaults changes). ``env`` is the
    environment for the tools (default: os.environ); IDF_PATH is set to ``idf_path`` (default: the
    repository's host/). Raises HostBuildError with the failing tool's last lines.
    """
    project_dir = check_project(project_dir)
    build_dir = Path(build_dir).resolve()
    idf_path = Path(idf_path).resolve() if idf_path else default_idf_path()
    tool_env = dict(os.environ if env is None else env)
    tool_env["IDF_PATH"] = str(idf_path)
    command = configure_command(project_dir, build_dir, variant, cmake_args, sys.executable)
    return build_cmake_project(project_dir, build_dir, command, tool_env, f"{project_dir.name} ({variant})", jobs)


class HostRunTimeout(AssertionError):
    """A host ELF ran longer than allowed; it was killed. ``output`` is what it wrote until then."""

    def __init__(self, elf: Path, timeout: float, output: str):
        super().__init__(f"{elf.name} still running after {timeout} s; killed. Last output:\n{tail(output)}")
        self.output = output


def run_host_elf(
    elf: Path,
    args: Sequence[str] = (),
    stdin: str | None = None,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Runs a host ELF to completion and returns (returncode, stdout and stderr interleaved).

    The environment is ``env`` (default os.environ) plus the sanitizer options of the ELF's variant
    (read from its build directory). ``stdin`` is written to the process, then closed. After ``timeout``
    seconds the process group is killed and HostRunTimeout raised. A negative returncode is a signal.
    """
    elf = Path(elf)
    base_env = dict(os.environ if env is None else env)
    run_env = {**base_env, **sanitizer_env(variant_of_build(elf.parent), base_env)}
    process = subprocess.Popen(
        [str(elf), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=run_env,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise HostRunTimeout(elf, timeout, output) from None
    return process.returncode, output
