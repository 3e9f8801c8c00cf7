"""The servers' ledger: what every connection received, echoed and how it ended.

Locking: the server's event-loop thread writes, test threads read. Every field of every ConnectionRecord and
the ``_rejected`` list are guarded by ``Ledger._cond`` (a Condition over one lock); readers get deep copies
from ``snapshot()``, never live records. ``wait_until`` sleeps on the same condition, woken by every write.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..message import MessageError, verify

MAX_SAMPLES = 8  # examples kept per connection for corruption and protocol errors


@dataclass
class ConnectionRecord:
    conn_id: int
    path: str
    fault: str  # FaultPlan.kind of the path it connected to
    peer: str
    is_open: bool = True
    frames: int = 0
    messages: int = 0
    per_task: dict[int, int] = field(default_factory=dict)
    frames_per_task: dict[int, int] = field(default_factory=dict)
    last_seq: dict[int, int] = field(default_factory=dict)
    out_of_order: int = 0  # a task's seq not above the previous one seen on this connection
    gaps: int = 0  # times a task's seq skipped ahead on this connection
    missing: dict[int, int] = field(default_factory=dict)  # per task: seqs skipped over mid-connection
    corrupt: int = 0  # header, length or CRC wrong
    corrupt_samples: list[str] = field(default_factory=list)
    echoed: int = 0
    pushed: int = 0  # messages the server sent by itself (/stream, /slowframe)
    faults_fired: int = 0
    fault_notes: list[str] = field(default_factory=list)
    protocol_errors: list[str] = field(default_factory=list)
    close_code_received: int | None = None
    close_code_sent: int | None = None
    close_reason: str = ""


@dataclass(frozen=True)
class Rejected:
    path: str
    reason: str


@dataclass(frozen=True)
class LedgerSnapshot:
    connections: tuple[ConnectionRecord, ...]
    rejected: tuple[Rejected, ...]

    def _sum(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.connections)

    @property
    def messages(self) -> int:
        return self._sum("messages")

    @property
    def echoed(self) -> int:
        return self._sum("echoed")

    @property
    def corrupt(self) -> int:
        return self._sum("corrupt")

    @property
    def out_of_order(self) -> int:
        return self._sum("out_of_order")

    @property
    def faults_fired(self) -> int:
        return self._sum("faults_fired")

    @property
    def open_connections(self) -> int:
        return sum(1 for c in self.connections if c.is_open)

    @property
    def protocol_errors(self) -> list[str]:
        return [e for c in self.connections for e in c.protocol_errors]

    def missing_per_task(self) -> dict[int, int]:
        """Seqs skipped in the middle of connections (not at their ends), summed per task."""
        totals: dict[int, int] = {}
        for conn in self.connections:
            for task, count in conn.missing.items():
                totals[task] = totals.get(task, 0) + count
        return totals

    def per_task(self, *, exclude: frozenset[int] = frozenset()) -> dict[int, int]:
        totals: dict[int, int] = {}
        for conn in self.connections:
            for task, count in conn.per_task.items():
                if task not in exclude:
                    totals[task] = totals.get(task, 0) + count
        return totals


class Ledger:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._records: dict[int, ConnectionRecord] = {}  # guarded by _cond
        self._rejected: list[Rejected] = []  # guarded by _cond
        self._next_id = 1  # guarded by _cond

    def _update(self, conn_id: int, change: Callable[[ConnectionRecord], None]) -> None:
        # A record dropped by reset() belongs to an earlier run: its late events are ignored.
        with self._cond:
            record = self._records.get(conn_id)
            if record is not None:
                change(record)
                self._cond.notify_all()

    def open_connection(self, path: str, fault: str, peer: str) -> int:
        with self._cond:
            conn_id = self._next_id
            self._next_id += 1
            self._records[conn_id] = ConnectionRecord(conn_id=conn_id, path=path, fault=fault, peer=peer)
            self._cond.notify_all()
            return conn_id

    def record_message(self, conn_id: int, data: bytes | str, frames: int) -> None:
        try:
            header = verify(data)
        except MessageError as exc:
            header, problem = None, str(exc)

        def change(rec: ConnectionRecord) -> None:
            rec.frames += frames
            rec.messages += 1
            if header is None:
                rec.corrupt += 1
                if len(rec.corrupt_samples) < MAX_SAMPLES:
                    rec.corrupt_samples.append(problem)
                return
            rec.per_task[header.task] = rec.per_task.get(header.task, 0) + 1
            rec.frames_per_task[header.task] = rec.frames_per_task.get(header.task, 0) + frames
            last = rec.last_seq.get(header.task)
            if last is not None and header.seq <= last:
                rec.out_of_order += 1
            elif last is not None and header.seq > last + 1:
                rec.gaps += 1
                rec.missing[header.task] = rec.missing.get(header.task, 0) + header.seq - last - 1
            rec.last_seq[header.task] = max(header.seq, last if last is not None else header.seq)

        self._update(conn_id, change)

    def record_echo(self, conn_id: int) -> None:
        self._update(conn_id, lambda rec: setattr(rec, "echoed", rec.echoed + 1))

    def record_push(self, conn_id: int) -> None:
        self._update(conn_id, lambda rec: setattr(rec, "pushed", rec.pushed + 1))

    def record_fault(self, conn_id: int, note: str) -> None:
        def change(rec: ConnectionRecord) -> None:
            rec.faults_fired += 1
            if len(rec.fault_notes) < MAX_SAMPLES:
                rec.fault_notes.append(note)

        self._update(conn_id, change)

    def record_protocol_error(self, conn_id: int, text: str) -> None:
        def change(rec: ConnectionRecord) -> None:
            if len(rec.protocol_errors) < MAX_SAMPLES:
                rec.protocol_errors.append(text)

        self._update(conn_id, change)

    def record_close(self, conn_id: int, received: int | None, sent: int | None, reason: str) -> None:
        def change(rec: ConnectionRecord) -> None:
            rec.is_open = False
            rec.close_code_received = received
            rec.close_code_sent = sent
            rec.close_reason = reason

        self._update(conn_id, change)

    def record_rejected(self, path: str, reason: str) -> None:
        with self._cond:
            self._rejected.append(Rejected(path, reason))
            self._cond.notify_all()

    def reset(self) -> None:
        """Forget everything (start of a run); connections still open stop being recorded."""
        with self._cond:
            self._records.clear()
            self._rejected.clear()
            self._cond.notify_all()

    def snapshot(self) -> LedgerSnapshot:
        with self._cond:
            return LedgerSnapshot(
                connections=tuple(copy.deepcopy(r) for r in self._records.values()),
                rejected=tuple(self._rejected),
            )

    def wait_until(self, predicate: Callable[[LedgerSnapshot], bool], timeout: float) -> bool:
        """Block until ``predicate(snapshot)`` holds or ``timeout`` seconds pass; returns whether it held."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if predicate(self.snapshot()):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
