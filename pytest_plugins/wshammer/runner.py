"""The scenario runner behind the ``hammer`` fixture: sends ``run ...`` to the DUT, follows its STATS lines,
waits for RESULT, then judges the run against the server's ledger.

I/O lives here (the DUT, the log file, the servers); parsing and judging are logscan/outcome/verdict.
Locking: a Hammer belongs to one test's thread; the servers it reads have their own locks.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gdb import with_stacks
from .logscan import wsh_events
from .outcome import RunOutcome, collect_run
from .scenarios import ScenarioPlan, run_timeout_s, silence_timeout_s
from .servers import BlackholePeer, EchoServer, LedgerSnapshot, SilentServer
from .tls import TlsMaterial
from .verdict import Verdict, evaluate

READY = re.compile(rb"wsh: READY[^\r\n]*")
# One pattern for every line the runner reacts to, so one expect() call sees them in order.
PROGRESS = re.compile(rb"wsh: (STATS|RESULT|BADCMD)\b([^\r\n]*)")
_TOKEN = re.compile(r"^[^\s\"]+$")
SETTLE_S = 3.0  # how long the server may take to see the app's connections close after RESULT


class HammerError(RuntimeError):
    """The run could not be carried out or followed (bad parameters, no READY, a hang)."""


class HangError(HammerError):
    """The app stopped answering within a bound while its process still runs."""


@dataclass
class HammerResult:
    plan_name: str
    command: str
    outcome: RunOutcome
    ledger: LedgerSnapshot | None
    verdict: Verdict
    log_text: str
    stats: list[dict[str, str]] = field(default_factory=list)
    latencies: list[dict[str, str]] = field(default_factory=list)  # the LATENCY lines' fields

    def explain(self) -> str:
        lines = [f"{self.plan_name}: {'PASS' if self.verdict.ok else 'FAIL'}", f"command: {self.command}"]
        lines += [f"  - {reason}" for reason in self.verdict.reasons]
        figures = ", ".join(f"{k}={v}" for k, v in self.verdict.figures.items() if v is not None)
        lines.append(f"figures: {figures}")
        return "\n".join(lines)


# How often the runner checks, while it waits for progress, that a linux app is still alive.
LIVENESS_CHECK_S = 1.0


def linux_process(dut):
    """The app's own process behind a linux DUT (pytest-embedded-idf's LinuxSerial); None for a board or
    QEMU, which have no process of the app's own."""
    from pytest_embedded_idf.linux import LinuxSerial

    proc = getattr(dut, "serial", None)
    return proc if isinstance(proc, LinuxSerial) else None


def process_exit_status(dut) -> int | None:
    """The exit status of a linux DUT's process once it has ended; None while it runs, and for a board or QEMU."""
    proc = linux_process(dut)
    return proc.poll() if proc is not None else None


def format_command(scenario: str, uri: str, params: dict[str, Any]) -> str:
    """``run scenario=... uri=... k=v``; values must be single tokens (the console splits on spaces)."""
    parts = [f"scenario={scenario}", f"uri={uri}"]
    for key, value in params.items():
        text = str(int(value)) if isinstance(value, bool) else str(value)
        if not re.fullmatch(r"[a-z_]+", key):
            raise HammerError(f"bad command key {key!r}")
        if not _TOKEN.match(text):
            raise HammerError(f"value for {key} must be one token without spaces or quotes: {text!r}")
        parts.append(f"{key}={text}")
    return "run " + " ".join(parts)


def read_from(path: Path, offset: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def wait_for_text(path: Path, offset: int, needle: str, timeout: float) -> str:
    """The log file from ``offset``, once it holds the whole line with ``needle`` (the DUT's output reaches the
    file through a listener process, slightly after expect() saw it, and a line may come in two writes)."""
    deadline = time.monotonic() + timeout
    while True:
        text = read_from(path, offset)
        found = text.find(needle)
        if (found >= 0 and "\n" in text[found:]) or time.monotonic() >= deadline:
            return text
        time.sleep(0.05)


class Hammer:
    def __init__(
        self,
        dut: Any,
        *,
        ws_server: EchoServer,
        wss_server: EchoServer,
        silent_server: SilentServer,
        blackhole: BlackholePeer,
        tls: TlsMaterial,
        variant: str,
        boot_timeout_s: float,
        progress: Callable[[str], None] = lambda line: None,
        record: Callable[[HammerResult], None] = lambda result: None,
    ) -> None:
        self._dut = dut
        self._servers = {"ws": ws_server, "wss": wss_server}
        self._silent = silent_server
        self._blackhole = blackhole
        self._tls = tls
        self._variant = variant
        self._boot_timeout_s = boot_timeout_s
        self._progress = progress
        self._record = record
        self._ready = False

    def _logfile(self) -> Path:
        return Path(self._dut.logfile)

    def wait_ready(self) -> None:
        if self._ready:
            return
        try:
            self._dut.expect(READY, timeout=self._boot_timeout_s)
        except Exception as exc:  # pexpect's TIMEOUT/EOF: name what was missing, not the pexpect internals
            raise HammerError(
                f"the app printed no 'wsh: READY' within {self._boot_timeout_s:g} s ({type(exc).__name__})"
            ) from None
        self._ready = True

    def command_for(self, plan: ScenarioPlan) -> str:
        server = self._servers[plan.server]
        params: dict[str, Any] = dict(plan.params)
        if plan.server == "wss" or plan.needs_ca:
            params.setdefault("ca", self._tls.ca_der_b64)
            params.setdefault("cn", self._tls.common_name)
        if plan.needs_stall_peers:
            params.setdefault("stall_uri", self._silent.uri("ws"))
            params.setdefault("blackhole_uri", self._blackhole.uri("ws"))
        return format_command(plan.scenario, server.uri(plan.path), params)

    def run(self, plan: ScenarioPlan, *, name: str | None = None) -> HammerResult:
        """Run ``plan`` on the DUT and judge it. Raises HammerError if the app never answers."""
        self.wait_ready()
        server = self._servers[plan.server]
        command = self.command_for(plan)
        server.ledger.reset()
        offset = self._logfile().stat().st_size if self._logfile().exists() else 0
        self._dut.write(command)
        try:
            finished = self._follow(plan)
        except HangError as exc:
            text = read_from(self._logfile(), offset)
            last = last_line(text) or "(none since the command)"
            problem = with_stacks(f"{exc}\nthe app's last line: {last}", linux_process(self._dut))
            self._record(self._judge(plan, name, command, text, problem=problem))
            raise HangError(problem) from None
        except HammerError as exc:
            self._record(self._judge(plan, name, command, read_from(self._logfile(), offset), problem=str(exc)))
            raise
        text = wait_for_text(self._logfile(), offset, "wsh: RESULT" if finished else "wsh: BADCMD", 5.0)
        server.ledger.wait_until(lambda snap: snap.open_connections == 0, SETTLE_S)
        result = self._judge(plan, name, command, text)
        if result.outcome.result is not None and result.outcome.result.fields.get("wedged") == "1":
            # The app gave up on a call that never returned; the task is still stuck in it: say where.
            stuck = with_stacks(f"{plan.scenario}: a task is stuck inside the client", linux_process(self._dut))
            result = self._judge(plan, name, command, text, problem=stuck)
        self._record(result)
        return result

    def _judge(self, plan: ScenarioPlan, name: str | None, command: str, text: str, problem: str = "") -> HammerResult:
        outcome = collect_run(wsh_events(text), plan.scenario)
        ledger = self._servers[plan.server].ledger.snapshot()
        verdict = evaluate(outcome, ledger if plan.expect.compare_ledger else None, plan.expect)
        if problem:
            verdict = Verdict(ok=False, reasons=(problem, *verdict.reasons), figures=verdict.figures)
        return HammerResult(
            plan_name=name or plan.scenario,
            command=command,
            outcome=outcome,
            ledger=ledger,
            verdict=verdict,
            log_text=text,
            stats=[dict(e.fields) for e in outcome.stats],
            latencies=[dict(e.fields) for e in outcome.latencies],
        )

    def _follow(self, plan: ScenarioPlan) -> bool:
        """Read progress until RESULT (True) or BADCMD (False); a hang raises HammerError."""
        total = run_timeout_s(plan.scenario, plan.params, self._variant)
        silence = silence_timeout_s(self._variant)
        deadline = time.monotonic() + total
        heard = time.monotonic()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HangError(f"{plan.scenario}: no RESULT within {total:.0f} s (bound from its parameters)")
            try:
                # Short slices, so an app that died is noticed at once rather than after the silence bound.
                match = self._dut.expect(PROGRESS, timeout=min(LIVENESS_CHECK_S, remaining))
            except Exception as exc:
                status = process_exit_status(self._dut)
                if status is not None:
                    raise HammerError(f"{plan.scenario}: the app ended (exit status {status}) before its RESULT") from None
                if time.monotonic() - heard >= silence:
                    raise HangError(
                        f"{plan.scenario}: the app went silent for {silence:.0f} s "
                        f"(no STATS/RESULT; {type(exc).__name__})"
                    ) from None
                continue
            heard = time.monotonic()
            kind, rest = match.group(1), match.group(2)
            if kind != b"STATS":
                return kind == b"RESULT"
            self._progress(f"{plan.scenario}: {rest.decode(errors='replace').strip()}")
