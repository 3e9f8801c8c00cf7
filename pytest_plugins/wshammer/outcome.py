"""What one ``run`` of the hammer app reported: its START, STATS, LATENCY, TASK and RESULT lines, picked out
of the wsh events of a log (logscan.wsh_events). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .logscan import WshEvent


@dataclass(frozen=True)
class RunOutcome:
    scenario: str
    start: WshEvent | None = None
    stats: tuple[WshEvent, ...] = ()
    latencies: tuple[WshEvent, ...] = ()
    tasks: tuple[WshEvent, ...] = ()
    result: WshEvent | None = None
    badcmd: WshEvent | None = None


def collect_run(events: Sequence[WshEvent], scenario: str) -> RunOutcome:
    """The last run of ``scenario`` in ``events``: from its START up to its RESULT (or the end, if the run
    never finished). With no START, the last BADCMD (the app's refusal of the command) is returned."""
    starts = [i for i, e in enumerate(events) if e.event == "START" and e.fields.get("scenario") == scenario]
    if not starts:
        refusals = [e for e in events if e.event == "BADCMD"]
        return RunOutcome(scenario=scenario, badcmd=refusals[-1] if refusals else None)
    start_index = starts[-1]

    stats, latencies, tasks = [], [], []
    result = None
    for event in events[start_index + 1 :]:
        if event.fields.get("scenario") not in (None, scenario):
            continue
        if event.event == "STATS":
            stats.append(event)
        elif event.event == "LATENCY":
            latencies.append(event)
        elif event.event == "TASK":
            tasks.append(event)
        elif event.event == "RESULT":
            result = event
            break
        elif event.event == "START":
            break
    return RunOutcome(
        scenario=scenario,
        start=events[start_index],
        stats=tuple(stats),
        latencies=tuple(latencies),
        tasks=tuple(tasks),
        result=result,
    )
