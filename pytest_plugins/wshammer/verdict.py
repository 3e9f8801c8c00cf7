"""The rig's verdict on one run: the app's RESULT/TASK/LATENCY lines cross-checked with the server's ledger.
Pure: inputs are a RunOutcome and a LedgerSnapshot, output a Verdict.

Accounting (docs/hammer-protocol.md). Every send has a sequence number, taken by failed sends too; a send
that returned success counts in ``sent``, one that returned -1 in ``send_err``. With ``R`` the messages the
server received from the app's tasks:
- nothing invented: ``R <= sent + send_err``, and nothing corrupted or out of order anywhere.
- nothing lost while a connection lives: a seq missing in the middle of a connection (the server saw a
  later one on the same connection) can only be a failed send, so per task the missing seqs are at most its
  ``send_err``. This holds in every scenario.
- without cuts (no faults, no client stop/close): ``R == sent`` exactly, and the app counted every echo the
  server sent.
- with cuts, a message accepted by the client's socket can die with its connection. When the app paces its
  senders (at most ``in_flight_per_task`` unechoed messages per task), each cut may swallow at most that many
  per task: ``sent - R <= cuts * tasks * in_flight_per_task``, ``cuts`` being the larger of the faults the
  server fired and the connections it saw minus one. Unpaced senders (``in_flight_per_task`` None) can lose
  whatever the sockets held at a cut; the loss is then reported as a figure, not bounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .message import PUSH_TASK
from .outcome import RunOutcome
from .servers.ledger import LedgerSnapshot


@dataclass(frozen=True)
class Expectation:
    """What a correct run of one scenario looks like; built by the suite from the scenario's parameters."""

    scenario: str
    tasks: int = 1
    faults: bool = False  # connections get cut (server faults, client stop/close): in-flight losses allowed
    echoes: bool = True  # the path echoes (not /sink)
    compare_ledger: bool = True  # the run talks to the echo server whose ledger is passed
    in_flight_per_task: int | None = 1  # None: unpaced senders, losses at cuts are not bounded
    max_heap_delta: int | None = 8192  # bytes the run may keep (heap_start - heap_end)
    max_fd_delta: int | None = 0  # fds the run may leave open; skipped where the app reports -1
    stop_latency_bound_ms: float | None = None  # every LATENCY line must be below it
    max_send_ms: float | None = None  # no send call (TASK max_send_ms) may take longer (F1: sends beside a read)
    min_reconnects: int = 0
    min_latencies: int = 0  # LATENCY lines the scenario must produce
    fragmented: bool = False  # messages must reach the server in several frames (the partial API)
    no_skips: bool = False  # the app may not skip any part (RESULT ``skipped=``): the rig gave it every peer


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]
    figures: dict[str, float | int | str | None] = field(default_factory=dict)
    skipped: str | None = None  # why the app did not run the scenario (the tree lacks what it needs)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def _int(outcome: RunOutcome, key: str) -> int:
    assert outcome.result is not None
    return outcome.result.int_field(key)


def _device_checks(outcome: RunOutcome, expect: Expectation, reasons: list[str], figures: dict) -> None:
    result = outcome.result
    assert result is not None
    if result.fields.get("verdict") != "PASS":
        reasons.append(f"app verdict {result.fields.get('verdict')!r}: {result.fields.get('reason', '')}")
    for key in ("corrupt", "out_of_order"):
        if _int(outcome, key):
            reasons.append(f"app counted {key}={_int(outcome, key)}")
    if outcome.tasks:
        task_sent = sum(t.int_field("sent") for t in outcome.tasks)
        task_err = sum(t.int_field("send_err") for t in outcome.tasks)
        if (task_sent, task_err) != (figures["sent"], figures["send_err"]):
            reasons.append(
                f"TASK lines sum to sent={task_sent} send_err={task_err}, RESULT says "
                f"sent={figures['sent']} send_err={figures['send_err']}"
            )
        for task in outcome.tasks:
            attempted = task.fields.get("attempted")
            if attempted is not None and task.int_field("attempted") != task.int_field("sent") + task.int_field("send_err"):
                reasons.append(f"task {task.fields.get('id')}: attempted={attempted} is not sent + send_err")
        if len(outcome.tasks) != expect.tasks:
            reasons.append(f"{len(outcome.tasks)} TASK lines for {expect.tasks} tasks")
        _send_stall_check(outcome, expect, reasons, figures)
    skipped = result.fields.get("skipped", "none")
    if expect.no_skips and skipped not in ("", "none"):
        reasons.append(f"the app skipped {skipped}")
    if figures["reconnects"] < expect.min_reconnects:
        reasons.append(f"reconnects={figures['reconnects']}, expected at least {expect.min_reconnects}")


def _send_stall_check(outcome: RunOutcome, expect: Expectation, reasons: list[str], figures: dict) -> None:
    stalls = [task.float_field("max_send_ms") for task in outcome.tasks if "max_send_ms" in task.fields]
    figures["max_send_ms"] = max(stalls) if stalls else None
    if expect.max_send_ms is not None and stalls and max(stalls) > expect.max_send_ms:
        slow = sum(1 for ms in stalls if ms > expect.max_send_ms)
        reasons.append(
            f"a send took {max(stalls):g} ms (bound {expect.max_send_ms:g} ms; {slow} of {len(stalls)} tasks): "
            "sends stalled beside the server's stream, as behind a read that holds the lock (F1)"
        )


def _resource_checks(outcome: RunOutcome, expect: Expectation, reasons: list[str], figures: dict) -> None:
    # The app writes -1 for a figure the platform cannot tell: such a check is skipped, never compared.
    heap_start, heap_end = _int(outcome, "heap_start"), _int(outcome, "heap_end")
    heap_delta = heap_start - heap_end if heap_start >= 0 and heap_end >= 0 else None
    figures["heap_delta"] = heap_delta
    figures["heap_start"] = heap_start if heap_start >= 0 else None
    figures["heap_bound"] = expect.max_heap_delta
    if expect.max_heap_delta is not None and heap_delta is not None and heap_delta > expect.max_heap_delta:
        reasons.append(f"heap kept {heap_delta} bytes (bound {expect.max_heap_delta})")
    fds_start, fds_end = _int(outcome, "fds_start"), _int(outcome, "fds_end")
    figures["fd_delta"] = fds_end - fds_start if fds_start >= 0 and fds_end >= 0 else None
    if expect.max_fd_delta is not None and figures["fd_delta"] is not None and figures["fd_delta"] > expect.max_fd_delta:
        reasons.append(f"{figures['fd_delta']} file descriptors left open (fds {fds_start} -> {fds_end})")


def _latency_checks(outcome: RunOutcome, expect: Expectation, reasons: list[str], figures: dict) -> None:
    # A state the app marks uncut (stop() cannot cut ESP-IDF's esp-tls connect short) is held to its own
    # bound by the app; it is named in the figures apart, not judged by the rig's bound.
    uncut = [e for e in outcome.latencies if e.fields.get("uncut") == "1"]
    cut = [e for e in outcome.latencies if e not in uncut]
    values = [event.float_field("ms") for event in cut]
    figures["stop_p50_ms"] = percentile(values, 0.50)
    figures["stop_p99_ms"] = percentile(values, 0.99)
    figures["stop_max_ms"] = max(values) if values else None
    figures["uncut_states"] = ",".join(e.fields.get("state", "?") for e in uncut) or None
    figures["uncut_max_ms"] = max(e.float_field("ms") for e in uncut) if uncut else None
    figures["stop_bound_ms"] = expect.stop_latency_bound_ms
    if len(outcome.latencies) < expect.min_latencies:
        reasons.append(f"{len(outcome.latencies)} LATENCY lines, expected at least {expect.min_latencies}")
    if expect.stop_latency_bound_ms is not None:
        slow = [(e.fields.get("state", "?"), e.float_field("ms")) for e in cut]
        slow = [(state, ms) for state, ms in slow if ms >= expect.stop_latency_bound_ms]
        if slow:
            worst = max(slow, key=lambda item: item[1])
            states = sorted({state for state, _ in slow})
            reasons.append(
                f"{len(slow)} stop(s) took >= {expect.stop_latency_bound_ms:g} ms; worst {worst[1]:g} ms in state "
                f"{worst[0]} (slow in: {', '.join(states)})"
            )


def _ledger_checks(
    outcome: RunOutcome, ledger: LedgerSnapshot, expect: Expectation, reasons: list[str], figures: dict
) -> None:
    per_task = ledger.per_task(exclude=frozenset({PUSH_TASK}))
    received = sum(per_task.values())
    faults = ledger.faults_fired
    cuts = max(faults, len(ledger.connections) - 1)
    if not expect.faults:
        bound: int | None = 0
    elif expect.in_flight_per_task is None:
        bound = None
    else:
        bound = cuts * max(expect.tasks, 1) * expect.in_flight_per_task
    sent, send_err, echoed = figures["sent"], figures["send_err"], figures["echoed"]
    figures.update(
        server_received=received,
        server_echoed=ledger.echoed,
        server_corrupt=ledger.corrupt,
        server_out_of_order=ledger.out_of_order,
        faults=faults,
        connections=len(ledger.connections),
        frames=sum(c.frames for c in ledger.connections),
        lost=sent - received,
        loss_bound=bound,
    )
    if ledger.corrupt:
        samples = [s for c in ledger.connections for s in c.corrupt_samples][:3]
        reasons.append(f"server saw {ledger.corrupt} corrupt message(s): {'; '.join(samples)}")
    if ledger.out_of_order:
        reasons.append(f"server saw {ledger.out_of_order} message(s) out of order within a task")
    errors = [
        err for c in ledger.connections for err in c.protocol_errors if not (expect.faults and c.faults_fired)
    ]
    if errors:
        reasons.append(f"server protocol error(s) (interleaved or broken frames): {'; '.join(errors[:3])}")
    if bound is not None and sent - received > bound:
        reasons.append(f"lost {sent - received} message(s): app sent {sent}, server received {received} (bound {bound})")
    if received > sent + send_err:
        reasons.append(f"server received {received} message(s), more than the {sent + send_err} the app attempted")
    if expect.echoes:
        unseen = ledger.echoed - echoed
        if unseen < 0 or (bound is not None and unseen > bound):
            reasons.append(f"app counted {echoed} echo(es), server sent {ledger.echoed} (bound {bound})")
    elif echoed:
        reasons.append(f"app counted {echoed} echo(es) from a path that never echoes")
    if expect.fragmented and received and figures["frames"] <= ledger.messages:
        reasons.append(f"{ledger.messages} message(s) arrived in {figures['frames']} frame(s): nothing was fragmented")
    _per_task_checks(outcome, per_task, ledger.missing_per_task(), bound, expect, reasons)


def _per_task_checks(
    outcome: RunOutcome,
    per_task: dict[int, int],
    missing: dict[int, int],
    bound: int | None,
    expect: Expectation,
    reasons: list[str],
) -> None:
    per_task_bound = None if bound is None else bound // max(expect.tasks, 1)
    for task in outcome.tasks:
        task_id, task_sent, task_err = task.int_field("id"), task.int_field("sent"), task.int_field("send_err")
        got = per_task.get(task_id, 0)
        if (per_task_bound is not None and task_sent - got > per_task_bound) or got > task_sent + task_err:
            reasons.append(f"task {task_id}: app sent {task_sent}, server received {got} (bound {per_task_bound})")
        if missing.get(task_id, 0) > task_err:
            reasons.append(
                f"task {task_id}: {missing[task_id]} message(s) missing in the middle of a connection, "
                f"but only {task_err} send(s) failed"
            )


def evaluate(outcome: RunOutcome, ledger: LedgerSnapshot | None, expect: Expectation) -> Verdict:
    """Cross-check one run. Every failed check adds a reason; ``ok`` means no reasons."""
    if outcome.result is None:
        why = (
            f"app refused the command: {outcome.badcmd.fields.get('reason', '')}"
            if outcome.badcmd is not None
            else "no START line: the app never began the run"
            if outcome.start is None
            else "no RESULT line: the run did not finish"
        )
        return Verdict(ok=False, reasons=(why,), figures={"scenario": outcome.scenario})
    if outcome.result.fields.get("verdict") == "SKIP":
        why = outcome.result.fields.get("reason") or "the app gave no reason"
        return Verdict(ok=True, reasons=(), figures={"scenario": outcome.scenario, "app_verdict": "SKIP"}, skipped=why)
    reasons: list[str] = []
    try:
        figures: dict = {
            "scenario": outcome.scenario,
            "app_verdict": outcome.result.fields.get("verdict"),
            "sent": _int(outcome, "sent"),
            "send_err": _int(outcome, "send_err"),
            "echoed": _int(outcome, "echoed"),
            "reconnects": _int(outcome, "reconnects"),
            "elapsed_ms": _int(outcome, "elapsed_ms"),
            "pushed": _int(outcome, "pushed") if "pushed" in outcome.result.fields else None,
            "min_free_heap": _int(outcome, "min_free_heap") if _int(outcome, "min_free_heap") >= 0 else None,
        }
        _device_checks(outcome, expect, reasons, figures)
        _resource_checks(outcome, expect, reasons, figures)
        _latency_checks(outcome, expect, reasons, figures)
        if expect.compare_ledger and ledger is not None:
            _ledger_checks(outcome, ledger, expect, reasons, figures)
        elif expect.echoes and not expect.faults and figures["echoed"] != figures["sent"]:
            reasons.append(f"app sent {figures['sent']} but counted {figures['echoed']} echo(es)")
    except (KeyError, ValueError) as exc:
        return Verdict(ok=False, reasons=(f"malformed app output: {exc}",), figures={"scenario": outcome.scenario})
    return Verdict(ok=not reasons, reasons=tuple(reasons), figures=figures)
