"""Pure functions over DUT log text: ESP-IDF log lines, the hammer app's ``wsh`` key=value lines, and the
fatal findings (panics, sanitizer reports, sentinel violations, host asserts) that fail a test whatever the
scenario said. No I/O: callers read the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# pytest-embedded's console copy may carry "2026-01-01 10:00:00 [dut-1] "; the log file does not, but a
# pasted log might.
_CONSOLE_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?:\[dut-\d+\] )?")
_LOG_LINE = re.compile(r"^([EWIDV]) \(([\d:.]+)\) ([^:\s][^:]*?): (.*)$")
_FIELD = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)')

WSH_TAG = "wsh"
# The app's event lines start with an upper-case word (READY, START, STATS, LATENCY, TASK, EVENT, RESULT,
# BADCMD, ...); anything else under the tag is free text.
_EVENT_WORD = re.compile(r"^[A-Z][A-Z_]+$")
EXCERPT_LINES = 12
# The frames of a sanitizer report that name the tree under test (the client component, whatever its copy).
_COMPONENT_DIR = "esp_websocket_client/"


@dataclass(frozen=True)
class LogLine:
    level: str
    time: str  # milliseconds as printed ("1234"), or a wall-clock stamp with some log configs
    tag: str
    message: str
    line_no: int

    @property
    def ms(self) -> int | None:
        return int(self.time) if self.time.isdigit() else None


@dataclass(frozen=True)
class WshEvent:
    """One ``I (ms) wsh: <EVENT> key=value ...`` line; values stay strings (see ``int_field``)."""

    event: str
    fields: dict[str, str]
    line_no: int
    ms: int | None = None

    def int_field(self, key: str, default: int | None = None) -> int:
        raw = self.fields.get(key)
        if raw is None or raw == "":
            if default is None:
                raise KeyError(f"{self.event} line {self.line_no} has no {key}=")
            return default
        try:
            return int(raw, 0) if raw.lower().startswith(("0x", "-0x")) else int(raw)
        except ValueError:
            raise ValueError(f"{self.event} line {self.line_no}: {key}={raw!r} is not an integer") from None

    def float_field(self, key: str) -> float:
        raw = self.fields.get(key)
        if raw is None:
            raise KeyError(f"{self.event} line {self.line_no} has no {key}=")
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{self.event} line {self.line_no}: {key}={raw!r} is not a number") from None


# Findings that name a row of the failure catalogue (docs/failures.md) by themselves. Races and memory errors
# are not here: which row a data race or a use-after-free belongs to depends on where it is.
_CATALOGUE = (
    (re.compile(r"VIOLATION kind=tls_concurrent\b"), "F2: a TLS read beside a TLS write on one connection"),
    (re.compile(r"VIOLATION kind=ws_write_concurrent\b"), "F15: frames of two tasks written at once"),
    (re.compile(r"VIOLATION kind=io_after_close\b"), "F3/F4: I/O on a transport already closed"),
    (re.compile(r"VIOLATION kind=close_during_io\b"), "F4: a close while another task is inside the transport"),
)
_CATALOGUE_BY_KIND = {"lsan": "F13: memory never freed"}


@dataclass(frozen=True)
class Finding:
    kind: str
    line_no: int
    excerpt: str  # the line that matched and what followed it, enough to read the report
    # Sanitizer reports: what the sanitizer says happened ("data race", "heap-use-after-free"), the frames of
    # its stacks ("func (dir/file.c:42)", innermost first), the other side of the report (the earlier access of
    # a race, the free of a use-after-free), and how many times the same report came.
    what: str = ""
    frames: tuple[str, ...] = ()
    counterpart: str = ""
    count: int = 1

    @property
    def headline(self) -> str:
        """One line: for a sanitizer report, what happened and where, in the tree under test when it shows."""
        row = self.catalogue_row
        if not self.what:
            first = self.excerpt.splitlines()[0] if self.excerpt else ""
            return f"{first} [{row}]" if row else first
        where = self.frames[0] if self.frames else "an unknown place"
        line = f"{self.what} in {where}"
        component = next((f for f in self.frames if _COMPONENT_DIR in f), None)
        if component and component != where:
            line += f", from {component}"
        if self.counterpart:
            line += f"; {self.counterpart}"
        line += f" (x{self.count})" if self.count > 1 else ""
        return f"{line} [{row}]" if row else line

    @property
    def catalogue_row(self) -> str | None:
        """The failure catalogue's row this finding is by itself, where that is clear (docs/failures.md)."""
        first = self.excerpt.splitlines()[0] if self.excerpt else ""
        return _CATALOGUE_BY_KIND.get(self.kind) or next((n for p, n in _CATALOGUE if p.search(first)), None)


def clean_lines(text: str) -> list[str]:
    """Lines without ANSI colours, CRs or console prefixes; index i is line i+1 of the text."""
    return [_CONSOLE_PREFIX.sub("", _ANSI.sub("", line)).rstrip("\r") for line in text.splitlines()]


def parse_log_line(line: str, line_no: int = 0) -> LogLine | None:
    match = _LOG_LINE.match(line)
    if not match:
        return None
    level, time, tag, message = match.groups()
    return LogLine(level=level, time=time, tag=tag.strip(), message=message, line_no=line_no)


def parse_fields(text: str) -> dict[str, str]:
    """``a=1 b="x y" c=`` -> {'a': '1', 'b': 'x y', 'c': ''}; quoted values may hold ``\\"`` and ``\\\\``."""
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _FIELD.match(text, pos)
        if not match:
            break
        key, value = match.groups()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        fields[key] = value
        pos = match.end()
    return fields


def wsh_events(text: str, tag: str = WSH_TAG) -> list[WshEvent]:
    events = []
    for number, line in enumerate(clean_lines(text), start=1):
        parsed = parse_log_line(line, number)
        if parsed is None or parsed.tag != tag:
            continue
        event, _, rest = parsed.message.partition(" ")
        if _EVENT_WORD.match(event):
            events.append(WshEvent(event=event, fields=parse_fields(rest), line_no=number, ms=parsed.ms))
    return events


# --- fatal findings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    after_ready_only: bool = False  # a ROM banner counts only once the app said READY (flashing resets twice)


_RULES = (
    _Rule("panic", re.compile(r"Guru Meditation Error")),
    # ESP-IDF: "abort() was called at PC 0x... on core 0"; host esp_system_abort(): "abort() was called: ..."
    _Rule("abort", re.compile(r"abort\(\) was called(?: at PC 0x[0-9a-fA-F]+|: )")),
    _Rule("assert", re.compile(r"assert failed: \S.*:\d+")),
    _Rule("assert", re.compile(r"^\S+: \S+:\d+: .*: Assertion [`'].*' failed\.$")),  # glibc, host code
    # Not ESP_ERROR_CHECK_WITHOUT_ABORT: the application chose to carry on.
    _Rule("esp_error_check", re.compile(r"ESP_ERROR_CHECK failed: esp_err_t 0x")),
    _Rule("stack_overflow", re.compile(r"\*\*\*ERROR\*\*\* A stack overflow in task")),
    _Rule("stack_overflow", re.compile(r"Stack canary watchpoint triggered")),
    _Rule("heap_corruption", re.compile(r"CORRUPT HEAP:")),
    _Rule("task_watchdog", re.compile(r"Task watchdog got triggered")),
    _Rule("interrupt_watchdog", re.compile(r"Interrupt wdt timeout on CPU")),
    _Rule("brownout", re.compile(r"Brownout detector was triggered")),
    _Rule("backtrace", re.compile(r"^Backtrace: ?0x[0-9a-fA-F]+")),
    _Rule("reset", re.compile(r"^(?:rst:0x[0-9a-fA-F]+ \(|ESP-ROM:|ets [A-Z][a-z]{2} +\d+ \d{4})"), after_ready_only=True),
    _Rule("tsan", re.compile(r"(?:WARNING|ERROR): ThreadSanitizer:")),
    _Rule("asan", re.compile(r"ERROR: AddressSanitizer:")),
    _Rule("lsan", re.compile(r"ERROR: LeakSanitizer:")),
    # UBSan: "<file>:<line>:<col>: runtime error: ..." - the spaceless location keeps app messages out.
    _Rule("ubsan", re.compile(r"^\S+: runtime error: ")),
    _Rule("sentinel", re.compile(r"wsh_sentinel: VIOLATION\b")),
    # host/overrides/freertos: wsh_kernel_fatal() logs "E (ms) freertos: ..." and aborts.
    _Rule("freertos_fatal", re.compile(r"^E \([\d:.]+\) freertos: ")),
)

# One event prints several matching lines: a panic's Backtrace belongs to it, and a reboot prints both an
# "ets ..."/"ESP-ROM:" line and a "rst:" line. kind -> (kinds it belongs to, window in lines).
_PART_OF = {
    "backtrace": (frozenset({"panic", "abort", "assert", "stack_overflow", "task_watchdog", "interrupt_watchdog"}), 40),
    "reset": (frozenset({"reset"}), 6),
}
_READY = re.compile(r"^I \([\d:.]+\) wsh: READY\b")


def _excerpt(lines: list[str], index: int) -> str:
    return "\n".join(lines[index : index + EXCERPT_LINES]).rstrip()


# --- sanitizer reports: what, where, and the same report only once ------------------------------------

_SANITIZER_KINDS = frozenset({"tsan", "asan", "lsan", "ubsan"})
# "SUMMARY: ThreadSanitizer: data race /src/x.c:9 in sender"; LeakSanitizer's has no place.
_SUMMARY = re.compile(r"^SUMMARY: \w+Sanitizer: (.+?)(?: (\S+:\d+(?::\d+)?) in (\S+))?$")
_UBSAN = re.compile(r"^(\S+?:\d+)(?::\d+)?: runtime error: (.*)$")
# TSan: "#0 worker /src/race.c:5 (race+0x11e7)"; ASan/UBSan: "#0 0x5603 in main /src/uaf.c:13"
_SAN_FRAME = re.compile(r"^\s*#\d+ (?:0x[0-9a-f]+ in )?(\S+) (\S+?:\d+)(?::\d+)?\b")
# The second stack of a report and how the headline names it: TSan's earlier access, ASan's free.
_COUNTERPART = ((re.compile(r"^\s*Previous (?:read|write|atomic)"), "against"), (re.compile(r"^freed by thread"), "freed in"))
# Where a thread was created says nothing about the defect and differs from run to run.
_CREATION = re.compile(r"^\s*Thread T\d+ .*created by")
_REPORT_END = re.compile(r"^(?:={10,}|SUMMARY: )")
# Frames of the sanitizer runtime and of libc say how it was caught, not where.
_RUNTIME_PATH = re.compile(r"(?:/libsanitizer/|^\.\./sysdeps/|^\.\./csu/|^\./)")
_REPORT_SPAN = 400  # lines a sanitizer report may take before its SUMMARY


def _finding(kind: str, lines: list[str], index: int) -> Finding:
    excerpt = _excerpt(lines, index)
    if kind not in _SANITIZER_KINDS:
        return Finding(kind=kind, line_no=index + 1, excerpt=excerpt)
    return replace(_sanitizer_report(kind, lines, index), line_no=index + 1, excerpt=excerpt)


def _sanitizer_report(kind: str, lines: list[str], start: int) -> Finding:
    """What the report at ``start`` says happened, its own frames, and the first frame of its second stack."""
    ubsan = _UBSAN.match(lines[start])
    what = ubsan.group(2) if ubsan else ""
    frames: list[str] = []
    counterpart, pending_word = "", ""
    in_creation = False  # inside a "Thread T2 ... created by" block, which a blank line ends
    for line in lines[start + 1 : start + _REPORT_SPAN]:
        summary = _SUMMARY.match(line)
        if summary:
            what = what or summary.group(1).rstrip(".")
            if not frames and summary.group(2):
                frames.append(f"{summary.group(3)} ({short_location(summary.group(2))})")  # a report without stacks
            break
        if ubsan and (_UBSAN.match(line) or _REPORT_END.match(line) or parse_log_line(line)):
            break  # UBSan prints no SUMMARY per report: the next report or log line ends it
        if _CREATION.match(line) or not line.strip():
            in_creation = bool(line.strip())
            continue
        word = next((w for pattern, w in _COUNTERPART if pattern.match(line)), None)
        if word and not counterpart:
            pending_word = word
            continue
        frame = _SAN_FRAME.match(line)
        if frame and not in_creation and not _RUNTIME_PATH.search(frame.group(2)):
            frames.append(f"{frame.group(1)} ({short_location(frame.group(2))})")
            if pending_word:
                counterpart, pending_word = f"{pending_word} {frames[-1]}", ""
    if ubsan and not frames:
        frames.append(short_location(ubsan.group(1)))  # built without print_stacktrace: the report's own place
    return Finding(kind, 0, "", what=what or kind, frames=tuple(frames), counterpart=counterpart)


def short_location(location: str) -> str:
    """``/src/components/esp_websocket_client/ws_client_task.c:120`` -> ``esp_websocket_client/ws_client_task.c:120``"""
    return "/".join(location.split("/")[-2:])


def _distinct(findings: list[Finding]) -> list[Finding]:
    """Each sanitizer report once, counted (a board that reboots, or a second process in the same log, repeats
    them); every other finding as it came."""
    seen: dict[tuple[str, str, tuple[str, ...]], int] = {}
    distinct: list[Finding] = []
    for finding in findings:
        if finding.kind not in _SANITIZER_KINDS:
            distinct.append(finding)
            continue
        key = (finding.kind, finding.what, finding.frames)
        if key in seen:
            first = distinct[seen[key]]
            distinct[seen[key]] = replace(first, count=first.count + 1)
            continue
        seen[key] = len(distinct)
        distinct.append(finding)
    return distinct


def fatal_findings(text: str) -> list[Finding]:
    """Every sign in ``text`` that the DUT crashed, raced, leaked, corrupted memory or broke a contract; each
    distinct sanitizer report once."""
    lines = clean_lines(text)
    findings: list[Finding] = []
    ready = False
    last_seen: dict[str, int] = {}  # kind -> index of its latest finding
    for index, line in enumerate(lines):
        for rule in _RULES:
            if not rule.pattern.search(line):
                continue
            if rule.after_ready_only and not ready:
                continue
            owners, window = _PART_OF.get(rule.kind, (frozenset(), 0))
            if any(index - last_seen.get(owner, -(10**9)) <= window for owner in owners):
                last_seen[rule.kind] = index
                break
            last_seen[rule.kind] = index
            findings.append(_finding(rule.kind, lines, index))
            break
        ready = ready or bool(_READY.match(line))
    return _distinct(findings)


def describe(findings: list[Finding], limit: int = 5) -> str:
    """A failure message: every finding's headline, then the first few with their excerpts."""
    parts = [f"{len(findings)} fatal finding(s) in the DUT log:"]
    parts += [f"  {finding.kind} at line {finding.line_no}: {finding.headline}" for finding in findings]
    for finding in findings[:limit]:
        parts.append(f"--- {finding.kind} at line {finding.line_no}:\n{finding.excerpt}")
    if len(findings) > limit:
        parts.append(f"... and {len(findings) - limit} more excerpts in the DUT log")
    return "\n".join(parts)
