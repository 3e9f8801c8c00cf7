"""Reports of a hammer session: a table per scenario (rich) with a legend, report.json, junit.xml and a PNG:
free heap and throughput over each run, stop() latency by state. Rows are built by the plugin; the writers
only format them.
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
    skipped: str | None = None  # the app did not run it: why (the tree lacks what it needs)
    figures: dict[str, float | int | str | None] = field(default_factory=dict)
    stats: list[dict[str, str]] = field(default_factory=list)  # the STATS lines' fields, in order
    latencies: list[dict[str, str]] = field(default_factory=list)  # the LATENCY lines' fields
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


# Short headings so the table fits a 120-column terminal; the legend under it says what each means.
_COLUMNS = (
    ("scenario", "left"),
    ("target", "left"),
    ("verdict", "left"),
    ("sent", "right"),
    ("errors", "right"),
    ("reconn", "right"),
    ("stop p50/p99", "right"),
    ("heap kept", "right"),
    ("why", "left"),
)
_TITLE = "wshammer"
_LEGEND = (
    "sent: messages the client's send calls accepted. errors: send calls that failed (expected where the "
    "server cuts connections or sends time out; every message is still accounted for by the server). "
    "reconn: reconnects the client made. stop p50/p99: stop() in ms over the states it can cut, <= the bound. "
    "heap kept: free heap at the start minus at the end, in bytes, <= the bound. why: every reason the run "
    "failed, its first line (the whole of each in report.json and the test's failure), or why it was skipped."
)


def _bounded(value: str, bound: float | int | str | None) -> str:
    return value if bound is None or value == "-" else f"{value} <={_fmt(bound, 0)}"


def _row(rec: ScenarioRecord) -> list[str]:
    fig = rec.figures
    stop = "-" if fig.get("stop_p50_ms") is None else f"{_fmt(fig.get('stop_p50_ms'))}/{_fmt(fig.get('stop_p99_ms'))}"
    return [
        rec.name,
        f"{rec.target}/{rec.variant}",
        _verdict(rec),
        _fmt(fig.get("sent")),
        _fmt(fig.get("send_err")),
        _fmt(fig.get("reconnects")),
        _bounded(stop, fig.get("stop_bound_ms")),
        _bounded(_fmt(fig.get("heap_delta")), fig.get("heap_bound")),
        # A reason's first line is its summary (a hang's carries every task's backtrace after it).
        _why([rec.skipped] if rec.skipped and rec.ok else rec.reasons),
    ]


def _verdict(rec: ScenarioRecord) -> str:
    return "FAIL" if not rec.ok else "SKIP" if rec.skipped else "PASS"


def _why(reasons: Sequence[str]) -> str:
    firsts = [reason.splitlines()[0] for reason in reasons if reason]
    return "\n".join(f"- {line}" for line in firsts) if len(firsts) > 1 else "".join(firsts)


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
    table = Table(title=_TITLE, caption=_LEGEND, caption_justify="left", show_lines=False)
    rows = [_row(rec) for rec in records]
    widths = _figure_widths(rows)
    # A long reason must not squeeze the figures away: "why" gets only what they leave, and wraps in it.
    why_width = max(_MIN_WHY, width - sum(widths[:-1]) - 3 * len(_COLUMNS) - 1)
    for index, (column, justify) in enumerate(_COLUMNS):
        if column == "why":
            table.add_column(column, justify=justify, overflow="fold", max_width=why_width)  # type: ignore[arg-type]
        else:
            table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        verdict = {"PASS": "[green]PASS[/green]", "SKIP": "[yellow]SKIP[/yellow]"}.get(row[2], "[red]FAIL[/red]")
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
    skipped: str | None = None
    system_out: str = ""


def write_junit_cases(cases: Sequence[JunitCase], path: Path, suite: str) -> Path:
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.failure is not None)),
        errors="0",
        skipped=str(sum(1 for c in cases if c.skipped is not None and c.failure is None)),
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
        elif case.skipped is not None:
            ET.SubElement(element, "skipped", message=case.skipped[:500])
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
            skipped=rec.skipped,
            system_out=rec.command,
        )
        for rec in records
    ]
    return write_junit_cases(cases, path, suite)


def _series(stats: list[dict[str, str]]) -> tuple[list[float], list[float], list[float]]:
    """(t in s, free heap in kB, sends per second since the previous line) from STATS lines; the first rate
    counts from the run's start (t=0, nothing sent). Unusable lines are skipped."""
    t, heap, rate = [], [], []
    prev_t, prev_sent = 0.0, 0
    for line in stats:
        try:
            now, sent, free = int(line["t_ms"]) / 1000, int(line["sent"]), int(line["free_heap"]) / 1024
        except (KeyError, ValueError):
            continue
        if now <= prev_t:
            continue
        t.append(now)
        heap.append(free if free >= 0 else math.nan)  # -1: the platform cannot tell; matplotlib leaves a gap
        rate.append((sent - prev_sent) / (now - prev_t))
        prev_t, prev_sent = now, sent
    return t, heap, rate


def _stop_latencies(records: Sequence[ScenarioRecord]) -> list[tuple[ScenarioRecord, dict[str, list[float]]]]:
    """Per record with LATENCY lines: stop() ms by state."""
    drawn = []
    for rec in records:
        by_state: dict[str, list[float]] = {}
        for line in rec.latencies:
            try:
                by_state.setdefault(line.get("state", "?"), []).append(float(line["ms"]))
            except (KeyError, ValueError):
                continue
        if by_state:
            drawn.append((rec, by_state))
    return drawn


def write_plot(records: Sequence[ScenarioRecord], path: Path) -> Path | None:
    """One row per scenario that ran long enough to report STATS: free heap (with the lowest the bound on
    heap kept allows) and sends per second over the run; then stop() latency by state for each scenario that
    measured it, with its bound. None when there is nothing to draw."""
    timed = [(r, _series(r.stats)) for r in records]
    timed = [(r, s) for r, s in timed if s[0]]
    stops = _stop_latencies(records)
    if not timed and not stops:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display on CI
    from matplotlib import pyplot as plt

    rows = len(timed) + len(stops)
    fig, axes = plt.subplots(rows, 2, figsize=(11, 2.4 * rows), squeeze=False)
    for (rec, (t, heap, rate)), (ax_heap, ax_rate) in zip(timed, axes):
        _draw_heap(ax_heap, rec, t, heap)
        _draw_rate(ax_rate, rec, t, rate)
    for (rec, by_state), (ax, spare) in zip(stops, axes[len(timed):]):
        _draw_stops(ax, rec, by_state)
        spare.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _time_axis(ax, t: list[float]) -> None:
    ax.set_xlim(0, t[-1] * 1.02)  # from the run's start
    ax.set_xlabel("time in run (s)", fontsize="small")
    ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    ax.grid(True, alpha=0.3)


def _draw_heap(ax, rec: ScenarioRecord, t: list[float], heap: list[float]) -> None:
    start, bound = rec.figures.get("heap_start"), rec.figures.get("heap_bound")
    if isinstance(start, int):
        t, heap = [0.0, *t], [start / 1024, *heap]
    ax.plot(t, heap, marker="o", markersize=3, label="free heap")
    kept, elapsed = rec.figures.get("heap_delta"), rec.figures.get("elapsed_ms")
    if isinstance(start, int) and isinstance(kept, int) and isinstance(elapsed, int):
        ax.plot([elapsed / 1000], [(start - kept) / 1024], "s", color="black", label="at the end (RESULT)")
        t = [*t, elapsed / 1000]
    if isinstance(start, int) and isinstance(bound, int):
        ax.axhline((start - bound) / 1024, color="red", linestyle="--", linewidth=1,
                   label="the lowest the bound allows at the end")
        ax.legend(fontsize="x-small", loc="lower left")
    ax.set_ylabel("free heap (kB)")
    ax.set_title(f"{rec.name} ({rec.target}/{rec.variant}): heap", fontsize="small")
    _time_axis(ax, t)


def _draw_rate(ax, rec: ScenarioRecord, t: list[float], rate: list[float]) -> None:
    if not any(rate):
        ax.text(0.5, 0.5, "no sends in this scenario", ha="center", va="center", transform=ax.transAxes)
    # Each rate holds from the line before it (or the start) to its own line.
    ax.step([0.0, *t], [rate[0], *rate], where="pre")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("sends / s")
    ax.set_title(f"{rec.name}: throughput", fontsize="small")
    _time_axis(ax, t)


def _draw_stops(ax, rec: ScenarioRecord, by_state: dict[str, list[float]]) -> None:
    states = list(by_state)
    for index, state in enumerate(states):
        values = [max(ms, 0.01) for ms in by_state[state]]  # a log axis cannot show 0
        ax.plot([index] * len(values), values, "o", markersize=4, alpha=0.7)
    bound = rec.figures.get("stop_bound_ms")
    if isinstance(bound, (int, float)):
        ax.axhline(bound, color="red", linestyle="--", linewidth=1, label=f"bound {bound:g} ms")
        ax.legend(fontsize="x-small", loc="upper left")
    ax.set_yscale("log")
    ax.set_xticks(range(len(states)), states, rotation=30, ha="right", fontsize="x-small")
    ax.set_ylabel("stop() (ms)")
    ax.set_title(f"{rec.name} ({rec.target}/{rec.variant}): stop() latency by state", fontsize="small")
    ax.grid(True, alpha=0.3, axis="y")


def write_all(records: Sequence[ScenarioRecord], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [write_json(records, directory / "report.json"), write_junit(records, directory / "junit.xml")]
    plot = write_plot(records, directory / "stats.png")
    if plot is not None:
        written.append(plot)
    (directory / "summary.txt").write_text(render_table(records))
    written.append(directory / "summary.txt")
    return written
