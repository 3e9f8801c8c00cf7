"""RFC 6455 conformance by the Autobahn TestSuite's cases (run by kosoku's fuzzing server): which cases run,
what a case's result says, which results pass and why the few that are not OK still do, and the run's
verdict, table, conformance.json and JUnit cases. Pure functions over the results and the testee's log
text; the run itself (server, TLS front, testee process) is conformance_run.py.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from rich.console import Console
from rich.table import Table

from .logscan import clean_lines, parse_fields, parse_log_line

#: Autobahn's sections 1-10 (framing, pings, reserved bits, opcodes, fragmentation, UTF-8, close handling,
#: limits, auto-fragmentation). 12 and 13 test permessage-deflate, which the client does not offer.
CASES = ("1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*")
EXCLUDED = ("12.*", "13.*")
TRANSPORTS = ("ws", "wss")
TESTEE_TAG = "testee"

#: Verdicts of the message exchange and of the closing handshake that conform (Autobahn's own reading:
#: NON-STRICT breaks a SHOULD, INFORMATIONAL probes what the RFC leaves open).
PASSING_BEHAVIOR = frozenset({"OK", "NON-STRICT", "INFORMATIONAL"})
PASSING_CLOSE = frozenset({"OK", "INFORMATIONAL"})

#: Why a case that passes without being OK does so: each glob with the reason, written down once. A passing
#: case that is not OK and matches none of them makes the run fail, so a new divergence gets a reason too.
EXPLAINED: tuple[tuple[str, str], ...] = (
    ("7.1.6", "a 256 KB message and a CLOSE come back to back; RFC 6455 leaves open whether the echo goes "
              "out before the CLOSE is answered (INFORMATIONAL by design); this client reads in order, so it "
              "echoes the message, then answers the CLOSE"),
    ("7.13.*", "close codes 5000 and 65535 are outside every range RFC 6455 names (INFORMATIONAL by design); "
               "this client fails the connection with 1002"),
)


@dataclass(frozen=True)
class CaseRow:
    """One case of a run as the fuzzing server judged it."""

    case_id: str
    description: str
    behavior: str        # Autobahn's verdict of the exchange: OK, NON-STRICT, INFORMATIONAL, FAILED, ...
    behavior_close: str  # and of the closing handshake: OK, INFORMATIONAL, WRONG CODE, UNCLEAN, FAILED, ...
    reason: str          # kosoku's prose for both
    duration_ms: int = 0
    remote_close_code: int | None = None  # the code the client sent in its CLOSE, if any

    @property
    def passed(self) -> bool:
        return self.behavior in PASSING_BEHAVIOR and self.behavior_close in PASSING_CLOSE

    @property
    def verdict(self) -> str:
        """One word for the table: the exchange's verdict, or the close's when only that fails."""
        if self.behavior in PASSING_BEHAVIOR and self.behavior_close not in PASSING_CLOSE:
            return self.behavior_close
        return self.behavior

    @property
    def explanation(self) -> str | None:
        return explanation(self.case_id) if self.passed and self.verdict != "OK" else None


def case_key(case_id: str) -> tuple[int, ...]:
    """Sort key of an Autobahn case id: 9.10.1 after 9.2.1."""
    return tuple(int(part) for part in case_id.split(".") if part.isdigit())


def explanation(case_id: str) -> str | None:
    for pattern, reason in EXPLAINED:
        if fnmatch.fnmatchcase(case_id, pattern):
            return reason
    return None


def select_cases(include: Sequence[str] | None) -> tuple[str, ...]:
    """The case globs to run: the default set, or the user's (each must name a case id or glob)."""
    if not include:
        return CASES
    bad = [glob for glob in include if not re.fullmatch(r"[0-9*]+(\.[0-9*]+)*", glob)]
    if bad:
        raise ValueError(f"not an Autobahn case id or glob: {', '.join(bad)} (e.g. 5.* or 6.4.1)")
    return tuple(include)


def row_from_result(result: object) -> CaseRow:
    """A CaseRow from one of kosoku's CaseResult objects (read by attribute: any object with them will do)."""
    reason = getattr(result, "result", "")
    close = getattr(result, "result_close", "")
    return CaseRow(
        case_id=result.case_id,  # type: ignore[attr-defined]
        description=_plain(getattr(result, "description", "")),
        behavior=result.behavior.value,  # type: ignore[attr-defined]
        behavior_close=result.behavior_close.value,  # type: ignore[attr-defined]
        reason=" / ".join(part for part in (reason, close) if part),
        duration_ms=int(getattr(result, "duration", 0) or 0),
        remote_close_code=getattr(result, "remote_close_code", None),
    )


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@dataclass(frozen=True)
class TesteeProgress:
    """What the testee's log says: the case count the server gave, each case's end, and whether it finished."""

    count: int | None
    ends: dict[int, str]  # case number (1-based, the server's order) -> closed, error, timeout, not_started
    done: bool
    failure: str | None   # the testee's FAILED reason, if it logged one


def testee_progress(text: str) -> TesteeProgress:
    count, failure, done = None, None, False
    ends: dict[int, str] = {}
    for number, line in enumerate(clean_lines(text), start=1):
        parsed = parse_log_line(line, number)
        if parsed is None or parsed.tag != TESTEE_TAG:
            continue
        word, _, rest = parsed.message.partition(" ")
        if word == "CASES":
            count = int(parse_fields(rest).get("count", "0") or 0)
        elif word == "CASE":
            index, _, fields = rest.partition(" ")
            ends[int(index.split("/")[0])] = parse_fields(fields).get("end", "")
        elif word == "DONE":
            done = True
        elif word == "FAILED":
            failure = parse_fields(rest).get("reason", rest)
    return TesteeProgress(count=count, ends=ends, done=done, failure=failure)


@dataclass
class ConformanceRun:
    """One run: a client tree on one platform over one transport."""

    label: str          # e.g. "ws linux/par5.5.5_tsan" or "wss linux/idf5.5.5"
    transport: str
    build: str
    cases: tuple[str, ...]
    rows: list[CaseRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what makes the run fail besides a case's verdict
    duration_s: float = 0.0

    @property
    def failing(self) -> list[CaseRow]:
        return [row for row in self.rows if not row.passed]

    @property
    def unexplained(self) -> list[CaseRow]:
        return [row for row in self.rows if row.passed and row.verdict != "OK" and row.explanation is None]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.failing and not self.unexplained and not self.problems

    def counts(self) -> Counter[str]:
        return Counter(row.verdict for row in self.rows)

    def reasons(self) -> list[str]:
        """Why the run fails, one line each: the cases first (by section), then the rest."""
        lines = [f"{row.case_id} {row.verdict}: {row.reason}" for row in self.failing]
        lines += [f"{row.case_id} {row.verdict} with no reason written in conformance.EXPLAINED"
                  for row in self.unexplained]
        return lines + self.problems


def problems_of(progress: TesteeProgress, rows: Sequence[CaseRow], exit_status: int | None) -> list[str]:
    """What the testee's log and exit say went wrong beyond the server's verdicts."""
    problems = []
    if progress.failure:
        problems.append(f"the testee could not run: {progress.failure}")
    if progress.count is None:
        problems.append("the testee never got the case count from the fuzzing server")
    elif not progress.done:
        problems.append(f"the testee stopped after {len(progress.ends)} of {progress.count} cases")
    timeouts = sorted(number for number, end in progress.ends.items() if end == "timeout")
    if timeouts:
        ids = ", ".join(rows[n - 1].case_id if n <= len(rows) else f"#{n}" for n in timeouts[:10])
        problems.append(f"{len(timeouts)} case(s) timed out in the testee: {ids}")
    if progress.count is not None and progress.done and len(rows) != progress.count:
        problems.append(f"the fuzzing server judged {len(rows)} of {progress.count} cases")
    if exit_status not in (0, None):
        problems.append(f"the testee exited with status {exit_status}")
    return problems


def summary_line(run: ConformanceRun) -> str:
    counts = run.counts()
    parts = [f"{counts[v]} {v}" for v in ("OK", "NON-STRICT", "INFORMATIONAL") if counts[v]]
    parts += [f"{n} {v}" for v, n in sorted(counts.items()) if v not in ("OK", "NON-STRICT", "INFORMATIONAL")]
    verdict = "PASS" if run.ok else "FAIL"
    return f"conformance {run.label}: {verdict} - {len(run.rows)} cases: {', '.join(parts) or 'none judged'}"


def _table(run: ConformanceRun, rows: Iterable[CaseRow], width: int) -> str:
    table = Table(title=f"Autobahn cases, {run.label}", show_lines=False)
    table.add_column("case", no_wrap=True)
    table.add_column("description", max_width=48, overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("close", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for row in rows:
        why = row.reason if not row.passed else (row.explanation or "")
        table.add_row(row.case_id, row.description, row.verdict, row.behavior_close, why)
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def render_cases(run: ConformanceRun, width: int = 160) -> str:
    """Every case, one row each (for conformance.txt)."""
    return _table(run, sorted(run.rows, key=lambda r: case_key(r.case_id)), width)


def render_findings(run: ConformanceRun, width: int = 160) -> str:
    """The summary line, then the cases a person should read: every one that is not OK, with its reason."""
    notable = [row for row in sorted(run.rows, key=lambda r: case_key(r.case_id)) if row.verdict != "OK"]
    text = summary_line(run) + "\n"
    if notable:
        text += _table(run, notable, width)
    for problem in run.problems:
        text += f"  {problem}\n"
    return text


def to_json(runs: Sequence[ConformanceRun]) -> dict:
    return {
        "ok": bool(runs) and all(run.ok for run in runs),
        "runs": [
            {
                "label": run.label, "transport": run.transport, "build": run.build, "cases": list(run.cases),
                "ok": run.ok, "counts": dict(run.counts()), "problems": run.problems,
                "duration_s": round(run.duration_s, 1),
                "results": [dict(asdict(row), passed=row.passed, explanation=row.explanation) for row in run.rows],
            }
            for run in runs
        ],
    }
