"""Pure parsing and verdicts over the component host-test app's log (components/esp_websocket_client/
test_apps/host_tests). Lines look like ``I (123) ct: KIND key=value key="quoted value"``. No I/O here."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

_LINE = re.compile(r"^[EWIDV] \(\d+\) ct: (?P<kind>[A-Z_]+)(?P<rest>.*)$")
_VIOLATION = re.compile(r"wsh_sentinel: VIOLATION")


def parse_line(line: str) -> tuple[str, dict[str, str]] | None:
    """``(kind, fields)`` of one app line, or None for any other line."""
    m = _LINE.match(line.strip())
    if not m:
        return None
    fields: dict[str, str] = {}
    for token in shlex.split(m.group("rest")):
        key, sep, value = token.partition("=")
        if sep:
            fields[key] = value
    return m.group("kind"), fields


def records(log: str, kind: str) -> list[dict[str, str]]:
    """Fields of every line of the given kind, in order."""
    out = []
    for line in log.splitlines():
        parsed = parse_line(line)
        if parsed and parsed[0] == kind:
            out.append(parsed[1])
    return out


def sentinel_violations(log: str) -> list[str]:
    """Lines where the sentinel reported a transport-contract violation."""
    return [line for line in log.splitlines() if _VIOLATION.search(line)]


def failed_checks(log: str) -> list[str]:
    """CHECK lines with ok=0, and cases that ended with ok=0."""
    bad = [f"{c['name']}: {c.get('detail', '')}" for c in records(log, "CHECK") if c.get("ok") != "1"]
    bad += [f"case {d['case']} failed" for d in records(log, "DONE") if d.get("ok") != "1"]
    return bad


def event_names(events: Iterable[dict[str, str]]) -> list[str]:
    return [e["name"] for e in events]


def collapse_data(names: list[str]) -> list[str]:
    """The event order with each run of DATA events shown once."""
    out: list[str] = []
    for name in names:
        if not (name == "DATA" and out and out[-1] == "DATA"):
            out.append(name)
    return out


def stop_problems(log: str, bound_ms: float) -> list[str]:
    """Rule 4 and F11: every timed stop() returned ESP_OK within bound_ms, and the fd count after stop()
    equals the count before start()."""
    problems = []
    latencies = records(log, "LATENCY")
    fds = records(log, "FDS")
    if not latencies:
        problems.append("no LATENCY line")
    for lat in latencies:
        if lat.get("stop") != "ESP_OK":
            problems.append(f"stop() in state {lat['state']} returned {lat.get('stop')}")
        if float(lat["ms"]) > bound_ms:
            problems.append(f"stop() in state {lat['state']} took {lat['ms']} ms (bound {bound_ms} ms)")
    for lat, fd in zip(latencies, fds):
        if fd["before"] != fd["after"]:
            problems.append(f"state {lat['state']}: {fd['before']} fds before start(), {fd['after']} after stop()")
    return problems


def send_stats(log: str) -> dict[str, float]:
    stats = records(log, "SENDSTATS")
    if not stats:
        raise AssertionError("no SENDSTATS line")
    return {k: float(v) for k, v in stats[-1].items()}


def session(log: str) -> dict[str, int]:
    sessions = records(log, "SESSION")
    if not sessions:
        raise AssertionError("no SESSION line")
    return {k: int(v) for k, v in sessions[-1].items()}


def data_frames(log: str) -> list[tuple[int, int, int]]:
    """The received frames as (opcode, payload_len, fin), rebuilt from the DATA events (one per buffer-full or
    per arrival). Raises AssertionError when a frame's pieces are not contiguous or do not add up."""
    frames: list[tuple[int, int, int]] = []
    received = 0
    for e in records(log, "EV"):
        if e["name"] != "DATA":
            continue
        op, length, off, plen, fin = (int(e[k]) for k in ("op", "len", "off", "plen", "fin"))
        if off != received:
            raise AssertionError(f"DATA at offset {off}, expected {received}: {e}")
        received += length
        if received > plen:
            raise AssertionError(f"DATA beyond the frame's {plen} bytes: {e}")
        if received == plen:
            frames.append((op, plen, fin))
            received = 0
    if received:
        raise AssertionError(f"last frame incomplete: {received} bytes")
    return frames
