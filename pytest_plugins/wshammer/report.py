"""Reports of a hammer session: a table per scenario (rich), report.json, junit.xml and a PNG of STATS over
time (free heap and throughput per scenario). Rows are built by the plugin; the writers only format them.
Nothing here is shared between threads.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table


@dataclass
class ScenarioRecord:
    nodeid: str
    name: str
    target: str
    variant: str
    ok: bool
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, float | int | str | None] = field(default_factory=dict)
    stats: list[dict[str, str]] = field(default_factory=list)  # the STATS lines' fields, in order
    command: str = ""
    duration_s: float = 0.0

    def fail(self, reason: str) -> None:
        self.ok = False
        self.reasons.append(reason)


def _fmt(value: float | int | str | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


# Short headings so the table fits a 120-column terminal; units are in the title.
_COLUMNS = (
    ("scenario", "left"),
    ("target", "left"),
    ("verdict", "left"),
    ("sent", "right"),
    ("errors", "right"),
    ("reconn", "right"),
    ("stop p50/p99", "right"),
    ("heap delta", "right"),
    ("why", "left"),
)
_TITLE = "wshammer (sent: messages; stop latency in ms; heap delta in bytes)"


def _row(rec: ScenarioRecord) -> list[str]:
    fig = rec.figures
    stop = "-" if fig.get("stop_p50_ms") is None else f"{_fmt(fig.get('stop_p50_ms'))}/{_fmt(fig.get('stop_p99_ms'))}"
    return [
        rec.name,
        f"{rec.target}/{rec.variant}",
        "PASS" if rec.ok else "FAIL",
        _fmt(fig.get("sent")),
        _fmt(fig.get("send_err")),
        _fmt(fig.get("reconnects")),
        stop,
        _fmt(fig.get("heap_delta")),
        # A reason's first line is its summary (a hang's carries every task's backtrace after it).
        "; ".join(reason.splitlines()[0] for reason in rec.reasons if reason)[:160],
    ]


# Each column costs 3 characters of padding and border, plus the closing border; "why" keeps at least this.
_MIN_WHY = 24


def _figure_widths(rows: list[list[str]]) -> list[int]:
    return [max([len(column)] + [len(row[i]) for row in rows]) for i, (column, _) in enumerate(_COLUMNS)]


def table_width(records: Sequence[ScenarioRecord], terminal: int) -> int:
    """The terminal's width, or more where the figures and a readable reason need it: a narrow terminal then
    wraps the table, never cuts a figure or a name."""
    widths = _figure_widths([_row(rec) for rec in records])
    return max(terminal, sum(widths[:-1]) + 3 * len(_COLUMNS) + 1 + _MIN_WHY)


def summary_table(records: Sequence[ScenarioRecord], width: int = 160) -> Table:
    table = Table(title=_TITLE, show_lines=False)
    rows = [_row(rec) for rec in records]
    widths = _figure_widths(rows)
    # A long reason must not squeeze the figures away: "why" gets only what they leave.
    why_width = max(len("why"), width - sum(widths[:-1]) - 3 * len(_COLUMNS) - 1)
    for index, (column, justify) in enumerate(_COLUMNS):
        if column == "why":
            # One line per scenario; the whole reasons are in report.json and the test's failure.
            table.add_column(column, justify=justify, no_wrap=True, overflow="ellipsis",  # type: ignore[arg-type]
                             max_width=why_width)
        else:
            table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        verdict = "[green]PASS[/green]" if row[2] == "PASS" else "[red]FAIL[/red]"
        table.add_row(*row[:2], verdict, *row[3:])
    return table


def tree_line(component: Path | None, sdkconfig: Sequence[tuple[str, str]]) -> str:
    """What was hammered: the client tree and the Kconfig options the user gave it."""
    options = " ".join(f"{name}={value}" for name, value in sdkconfig) or "the app's defaults"
    return f"client: {component if component is not None else 'wshammer components/esp_websocket_client'}; sdkconfig: {options}"


def render_table(records: Sequence[ScenarioRecord], width: int = 160) -> str:
    width = table_width(records, width)
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(summary_table(records, width))
    return capture.get()


def write_json(records: Sequence[ScenarioRecord], path: Path) -> Path:
    payload = {
        "ok": all(r.ok for r in records),
        "scenarios": [asdict(r) for r in records],
    }
    path.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n")
    return path


def _json_default(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


@dataclass(frozen=True)
class JunitCase:
    """One <testcase> of a JUnit file."""

    classname: str
    name: str
    time_s: float = 0.0
    properties: dict[str, str] = field(default_factory=dict)
    failure: str | None = None  # the whole reason; its first 500 characters are the message
    system_out: str = ""


def write_junit_cases(cases: Sequence[JunitCase], path: Path, suite: str) -> Path:
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.failure is not None)),
        errors="0",
        time=f"{sum(c.time_s for c in cases):.3f}",
    )
    for case in cases:
        element = ET.SubElement(root, "testcase", classname=case.classname, name=case.name, time=f"{case.time_s:.3f}")
        if case.properties:
            props = ET.SubElement(element, "properties")
            for key, value in case.properties.items():
                ET.SubElement(props, "property", name=key, value=value)
        if case.failure is not None:
            failure = ET.SubElement(element, "failure", message=case.failure.splitlines()[0][:500] if case.failure else "failed")
            failure.text = case.failure
        if case.system_out:
            ET.SubElement(element, "system-out").text = case.system_out
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def write_junit(records: Sequence[ScenarioRecord], path: Path, suite: str = "wshammer") -> Path:
    cases = [
        JunitCase(
            classname=f"{suite}.{rec.target}.{rec.variant}",
            name=rec.name,
            time_s=rec.duration_s,
            properties={key: _fmt(value, 3) for key, value in rec.figures.items()},
            failure=None if rec.ok else ("\n".join(rec.reasons) or "failed"),
            system_out=rec.command,
        )
        for rec in records
    ]
    return write_junit_cases(cases, path, suite)


def _series(stats: list[dict[str, str]]) -> tuple[list[float], list[float], list[float]]:
    """(t in s, free heap in kB, sends per second) from STATS lines; unusable lines are skipped."""
    t, heap, rate = [], [], []
    prev_t = prev_sent = None
    for line in stats:
        try:
            now, sent, free = int(line["t_ms"]) / 1000, int(line["sent"]), int(line["free_heap"]) / 1024
        except (KeyError, ValueError):
            continue
        t.append(now)
        heap.append(free if free >= 0 else math.nan)  # -1: the platform cannot tell; matplotlib leaves a gap
        rate.append((sent - prev_sent) / (now - prev_t) if prev_t is not None and now > prev_t else 0.0)
        prev_t, prev_sent = now, sent
    return t, heap, rate


def write_plot(records: Sequence[ScenarioRecord], path: Path) -> Path | None:
    """Free heap and throughput over each run; None when no scenario has two STATS lines to draw."""
    drawable = [(r, _series(r.stats)) for r in records]
    drawable = [(r, s) for r, s in drawable if len(s[0]) >= 2]
    if not drawable:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display on CI
    from matplotlib import pyplot as plt

    fig, (ax_heap, ax_rate) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for rec, (t, heap, rate) in drawable:
        ax_heap.plot(t, heap, label=rec.name)
        ax_rate.plot(t, rate, label=rec.name)
    ax_heap.set_ylabel("free heap (kB)")
    ax_rate.set_ylabel("sends / s")
    ax_rate.set_xlabel("time in run (s)")
    ax_heap.legend(fontsize="small", loc="best")
    ax_heap.grid(True, alpha=0.3)
    ax_rate.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_all(records: Sequence[ScenarioRecord], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [write_json(records, directory / "report.json"), write_junit(records, directory / "junit.xml")]
    plot = write_plot(records, directory / "stats.png")
    if plot is not None:
        written.append(plot)
    (directory / "summary.txt").write_text(render_table(records))
    written.append(directory / "summary.txt")
    return written
