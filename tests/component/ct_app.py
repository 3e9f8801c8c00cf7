"""Running the component host test app (components/esp_websocket_client/test_apps/host_tests): where it is,
how a component directory (ours or a mutant copy) is passed to its build, and a runner that feeds it
commands with the sentinel fatal and returns its log. I/O lives here; parsing and verdicts are in
ctlog.py."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wshammer import linux_elf

import ctlog

REPO = Path(__file__).resolve().parents[2]
COMPONENT_DIR = REPO / "components" / "esp_websocket_client"
APP_DIR = COMPONENT_DIR / "test_apps" / "host_tests"


@dataclass(frozen=True)
class AppRun:
    returncode: int
    log: str

    def problems(self) -> list[str]:
        """Sanitizer reports, sentinel violations, failed checks and a non-zero exit status."""
        found = linux_elf.find_sanitizer_reports(self.log) + ctlog.sentinel_violations(self.log)
        found += ctlog.failed_checks(self.log)
        if self.returncode != 0:
            found.append(f"exit status {self.returncode}")
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems[:20]) + "\n--- log tail ---\n" + self.log[-3000:]


def app_cmake_args(component_dir: Path) -> tuple[str, ...]:
    return (f"-DWSC_COMPONENT_DIR={component_dir}",)


def run_app(elf: Path, commands: list[str], timeout_s: float = 90.0) -> AppRun:
    """Run the app with the commands on stdin (then quit) and the sentinel fatal; returns its whole log."""
    env = dict(os.environ, WSH_SENTINEL_FATAL="1")
    stdin = "".join(f"{c}\n" for c in commands) + "quit\n"
    try:
        returncode, output = linux_elf.run_linux_elf(elf, stdin=stdin, timeout=timeout_s, env=env)
    except linux_elf.LinuxRunTimeout as exc:
        raise AssertionError(f"the app hung for {timeout_s} s:\n{exc}") from exc
    return AppRun(returncode, output)
