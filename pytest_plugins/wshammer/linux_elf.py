"""Build linux ELFs with CMake and ninja, and run them with their variant's sanitizer options.

``build_cmake_project`` configures a project only when its configuration changed, then runs ninja, and returns
the ELF; every build compiles through ccache when it is installed (compiler_cache). idf_build gives it ESP-IDF's
configure command. ``sanitizer_env`` gives the environment every linux ELF should run with, so a sanitizer
report always ends the process with a failure.

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
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from .idf_env import cache_dir

VARIANTS = ("debug", "tsan", "asan")

#: Parallel jobs for ninja; the machines this runs on are small and shared.
DEFAULT_JOBS = 2

#: Lines of tool output carried by a LinuxBuildError.
LOG_TAIL_LINES = 60

_STAMP_NAME = "wsh_configure.json"


class LinuxBuildError(RuntimeError):
    """A configure or build step failed. ``log_tail`` holds the tool's last output lines."""

    def __init__(self, message: str, log_tail: str):
        super().__init__(f"{message}\n--- last output lines ---\n{log_tail}")
        self.message = message
        self.log_tail = log_tail


# ---------------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------------


def check_variant(variant: str) -> str:
    """Returns ``variant`` if it is one of VARIANTS, else raises ValueError naming the choices."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown build variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    return variant


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
    """The ELF named by ``<build_dir>/project_description.json``; LinuxBuildError when it is missing."""
    description_path = build_dir / "project_description.json"
    try:
        description = json.loads(description_path.read_text())
        elf = build_dir / description["app_elf"]
    except (OSError, ValueError, KeyError) as exc:
        raise LinuxBuildError(f"cannot read the ELF name from {description_path}", str(exc)) from exc
    if not elf.is_file() or not os.access(elf, os.X_OK):
        raise LinuxBuildError(f"the build finished but {elf} is not an executable file", "")
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
    """The variant a build directory was built with: the CMake cache's ``WSH_VARIANT`` on the parallel platform,
    else (ESP-IDF's own linux target) a plain debug build."""
    cache = Path(build_dir) / "CMakeCache.txt"
    try:
        found = re.search(r"^WSH_VARIANT(?::\w+)?=(.*)$", cache.read_text(errors="replace"), re.MULTILINE)
        return check_variant(found.group(1).strip() if found else "debug")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{cache}: not a build directory ({exc})") from exc


def _merge_options(ours: str, inherited: str | None) -> str:
    # Options given later win in the sanitizer runtimes, so the caller's own settings still apply.
    return f"{ours}:{inherited}" if inherited else ours


def sanitizer_env(variant: str, inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment variables a linux ELF of ``variant`` must run with (to be merged into its environment).

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
        raise LinuxBuildError(f"{what}: {command[0]} is not installed", str(exc)) from exc
    if result.returncode != 0:
        raise LinuxBuildError(f"{what} failed (exit {result.returncode}): {' '.join(command)}", tail(result.stdout))


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
    configured otherwise), runs ninja and returns the ELF."""
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


class LinuxRunTimeout(AssertionError):
    """A linux ELF ran longer than allowed; it was killed. ``output`` is what it wrote until then."""

    def __init__(self, elf: Path, timeout: float, output: str):
        super().__init__(f"{elf.name} still running after {timeout} s; killed. Last output:\n{tail(output)}")
        self.output = output


def run_linux_elf(
    elf: Path,
    args: Sequence[str] = (),
    stdin: str | None = None,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Runs a linux ELF to completion and returns (returncode, stdout and stderr interleaved).

    The environment is ``env`` (default os.environ) plus the sanitizer options of the ELF's variant
    (read from its build directory). ``stdin`` is written to the process, then closed. After ``timeout``
    seconds the process group is killed and LinuxRunTimeout raised. A negative returncode is a signal.
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
        raise LinuxRunTimeout(elf, timeout, output) from None
    return process.returncode, output
