"""Runs the Autobahn cases against a linux build of the autobahn_testee app: kosoku's fuzzing server (with a
TLS front for wss) on a background loop, the testee as a child process fed one command line, its log
followed for progress, then the server's verdicts turned into a ConformanceRun (conformance.py) and written
out: conformance.json, conformance.txt, junit.xml, and per run kosoku's own report and the testee's log.

Locking: one reader thread per testee copies its output to the log file and counts finished cases; the
calling thread only reads the counter and the file after the reader has stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .conformance import EXCLUDED, TESTEE_TAG, ConformanceRun, problems_of, render_cases, row_from_result, \
    testee_progress, to_json
from .gdb import with_stacks
from .linux_elf import elf_from_description, sanitizer_env, variant_of_build
from .logscan import describe, fatal_findings
from .report import JunitCase, write_junit_cases
from .servers.fuzzing import FuzzingPeer, FuzzingPeerError
from .tls import ca_pem_to_der_b64, make_tls_material

READY_TIMEOUT_S = 30.0
CASE_TIMEOUT_S = 60.0          # the testee stops a case after this (its case_timeout_ms)
STALL_S = CASE_TIMEOUT_S + 30  # no case ended for this long: the testee itself is stuck
RESULTS_TIMEOUT_S = 30.0
QUIT_TIMEOUT_S = 10.0
PROGRESS_EVERY_S = 10.0
BUFFER_SIZE = 4096             # the client's buffer_size in the testee: pieces of 4 KB, 16 MB in 4096 reads


class _Testee:
    """The testee process and the thread that copies its output to ``log_path``."""

    def __init__(self, elf: Path, log_path: Path) -> None:
        env = dict(os.environ)
        env.update(sanitizer_env(variant_of_build(elf.parent), env))
        self.log_path = log_path
        self._log = log_path.open("w", encoding="utf-8", errors="replace")
        self.process = subprocess.Popen(
            [str(elf)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=env, text=True, errors="replace", bufsize=1, start_new_session=True,
        )
        self.ready = threading.Event()
        self.done = threading.Event()
        self.cases_ended = 0
        self.last_end = time.monotonic()
        self._reader = threading.Thread(target=self._read, name="wsh-testee-log", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        marker = f" {TESTEE_TAG}: "
        for line in self.process.stdout:
            self._log.write(line)
            if marker not in line:
                continue
            if " READY " in line:
                self.ready.set()
            elif f"{marker}CASE " in line:
                self.cases_ended += 1
                self.last_end = time.monotonic()
            elif f"{marker}DONE " in line or f"{marker}FAILED " in line:
                self.done.set()
        self._log.flush()
        self.done.set()

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it has died: its log and exit status say why

    def finish(self) -> int | None:
        """Asks it to quit, then kills what is left; its exit status (negative: a signal)."""
        self.send("quit")
        try:
            status = self.process.wait(QUIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            status = None
            self.process.wait()
        self._reader.join(5)
        self._log.close()
        return status

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)


def _command(peer: FuzzingPeer, agent: str, tls_ca_b64: str | None, common_name: str) -> str:
    words = ["autobahn", f"base={peer.base_uri}", f"agent={agent}", f"buffer_size={BUFFER_SIZE}",
             f"case_timeout_ms={int(CASE_TIMEOUT_S * 1000)}"]
    if tls_ca_b64:
        words += [f"ca={tls_ca_b64}", f"cn={common_name}"]
    return " ".join(words)


def _follow(testee: _Testee, label: str, progress: Callable[[str], None]) -> str | None:
    """Waits for the testee's DONE; a problem text when it died or stalled instead."""
    shown = time.monotonic()
    while not testee.done.wait(1.0):
        now = time.monotonic()
        if now - testee.last_end > STALL_S:
            problem = with_stacks(
                f"no case ended for {STALL_S:.0f} s after case {testee.cases_ended}: the testee was killed",
                testee.process,
            )
            testee.kill()
            return problem
        if now - shown >= PROGRESS_EVERY_S:
            progress(f"conformance {label}: {testee.cases_ended} cases done")
            shown = now
    return None


def _write_kosoku_report(results: list, directory: Path) -> None:
    from kosoku._report import write_reports  # kosoku's own per-case HTML report with the wire log

    write_reports(results, str(directory))


def run_once(build_dir: Path, transport: str, cases: Sequence[str], label: str, agent: str, out_dir: Path,
             progress: Callable[[str], None] = print) -> ConformanceRun:
    """One conformance run of the testee in ``build_dir`` over ``transport`` (ws or wss)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run = ConformanceRun(label=label, transport=transport, build=build_dir.name, cases=tuple(cases))
    started = time.monotonic()
    tls = make_tls_material(out_dir / "tls") if transport == "wss" else None
    ca_b64 = ca_pem_to_der_b64(tls.ca_pem.read_bytes()) if tls else None
    results: list = []
    with FuzzingPeer(cases, EXCLUDED, tls=tls) as peer:
        testee = _Testee(elf_from_description(build_dir), out_dir / "testee.log")
        try:
            if not testee.ready.wait(READY_TIMEOUT_S):
                run.problems.append(f"the testee printed no READY within {READY_TIMEOUT_S:.0f} s")
            else:
                testee.send(_command(peer, agent, ca_b64, tls.common_name if tls else ""))
                stalled = _follow(testee, label, progress)
                if stalled:
                    run.problems.append(stalled)
                else:
                    try:
                        results = peer.results(RESULTS_TIMEOUT_S)
                    except FuzzingPeerError as exc:
                        run.problems.append(str(exc))
        finally:
            status = testee.finish()
    log = testee.log_path.read_text(errors="replace")
    run.rows = [row_from_result(result) for result in results]
    run.problems += problems_of(testee_progress(log), run.rows, status)
    findings = fatal_findings(log)
    if findings:
        run.problems.append(f"the testee's log holds a fatal finding: {describe(findings)}")
    if results:
        _write_kosoku_report(results, out_dir / "kosoku")
    run.duration_s = time.monotonic() - started
    return run


def junit_cases(runs: Sequence[ConformanceRun]) -> list[JunitCase]:
    cases = []
    for run in runs:
        classname = f"conformance.{run.transport}.{run.build}"
        for row in run.rows:
            failure = None if row.passed else f"{row.verdict}: {row.reason}"
            cases.append(JunitCase(classname=classname, name=row.case_id, time_s=row.duration_ms / 1000,
                                   properties={"behavior": row.behavior, "behavior_close": row.behavior_close},
                                   failure=failure, system_out=row.description))
        for problem in run.problems:
            cases.append(JunitCase(classname=classname, name="run", failure=problem))
    return cases


def write_outputs(runs: Sequence[ConformanceRun], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    summary = directory / "conformance.json"
    summary.write_text(json.dumps(to_json(runs), indent=2) + "\n")
    table = directory / "conformance.txt"
    table.write_text("".join(render_cases(run) for run in runs))
    junit = write_junit_cases(junit_cases(runs), directory / "junit.xml", suite="wshammer-conformance")
    return [summary, table, junit]
