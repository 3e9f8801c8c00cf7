"""The rule scenarios: each runs the host test app against the rig's servers and returns the list of
problems found (empty = the rule holds). The component tests require an empty list from our component;
test_mutants.py requires a non-empty one from each deliberately broken copy (tests/mutants)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve

from wshammer.servers import EchoServer, SilentServer
from wshammer.servers.background import BackgroundLoop
from wshammer.tls import TlsMaterial

import ctlog
from ct_app import run_app
from http_head import recv_head

# stop(): far below the 10 s network/reconnect timeouts a stop() that waits them out would take, generous for
# TSan on two shared cores.
STOP_BOUND_MS = 2000.0
# The app's stop_latency case connects with network_timeout_ms = 10000 (ct_cases_stop.c). esp-tls keeps the
# socket to itself until its connect returns, so stop() inside one can only be held to that timeout.
UNCUT_CONNECT_BOUND_MS = 10000.0 + STOP_BOUND_MS
# Senders: the server pushes a message every STREAM_MS; a reader holding the lock while waiting for it would
# make sends wait up to that long. BUSY_STREAM_MS keeps the reader busy beside the writers.
STREAM_MS = 1500
BUSY_STREAM_MS = 10
SEND_BOUND_MS = 400.0
# A send on a connection the server reset must fail at once, not wait out its 2 s timeout.
FAILED_SEND_BOUND_MS = 500.0
# Heap in use drifts by up to ~3 KB between runs (measured: allocations of the kernel and the C library around task
# creation and deletion); one leaked 4096-byte buffer per connection adds 24 KB over 6 reconnects and 64 KB
# over 8 cycles.
HEAP_SLACK_BYTES = 8192


def closed_port() -> int:
    """A loopback port with nothing listening (connect is refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_latency(elf: Path, tls: TlsMaterial) -> list[str]:
    """Rule 4 (F7-F11): stop() from each state, fd count after stop() equal to the count before start()."""
    with EchoServer() as ws, SilentServer() as silent, EchoServer(tls=tls) as wss:
        refused = f"ws://127.0.0.1:{closed_port()}/"
        slow = ws.uri("/slowframe?size=200000&chunk=64&interval_ms=10")
        run = run_app(elf, [
            f"stop_latency state=connected uri={ws.uri('/echo')}",
            f"stop_latency state=connected uri={wss.uri('/echo')} ca_file={tls.ca_pem}",
            f"stop_latency state=receiving uri={slow}",
            f"stop_latency state=handshake uri={silent.uri('ws')}",
            f"stop_latency state=reconnect_wait uri={refused}",
            f"stop_latency state=failed_start uri={refused}",
        ])
    problems = run.problems()
    states = [lat["state"] for lat in ctlog.records(run.log, "LATENCY")]
    expected = ["connected", "connected", "receiving", "handshake", "reconnect_wait", "failed_start"]
    if states != expected:
        problems.append(f"timed states {states}, expected {expected}")
    return problems + ctlog.stop_problems(run.log, STOP_BOUND_MS)


class UnansweredConnect:
    """A loopback port whose accept queue is full, so a new TCP connect is never answered (SYN dropped)."""

    def __enter__(self) -> "UnansweredConnect":
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fillers = []
        for _ in range(3):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.port))
            self._fillers.append(s)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for s in self._fillers:
            s.close()
        self._listener.close()


def stop_during_unanswered_connect(elf: Path) -> list[str]:
    with UnansweredConnect() as peer:
        run = run_app(elf, [f"stop_latency state=handshake uri=ws://127.0.0.1:{peer.port}/"])
    return run.problems() + ctlog.stop_problems(run.log, UNCUT_CONNECT_BOUND_MS)


def stop_during_tls_handshake(elf: Path, tls: TlsMaterial) -> list[str]:
    with SilentServer() as silent:
        run = run_app(elf, [f"stop_latency state=handshake uri={silent.uri('wss')} ca_file={tls.ca_pem}"])
    return run.problems() + ctlog.stop_problems(run.log, UNCUT_CONNECT_BOUND_MS)


def sends_beside_stream(elf: Path, tls: TlsMaterial | None, busy: bool = False, tasks: int = 8) -> list[str]:
    """Rules 1-2 (F1, F2): tasks send while the server echoes and streams; no send stalls behind the reader,
    and the sentinel (fatal) sees no read beside a write. A slow stream with paced sends shows a reader that
    waits for the peer under the lock; a busy stream with back-to-back sends keeps reads and writes going at
    once."""
    stream_ms, msgs, gap_ms = (BUSY_STREAM_MS, 60, 2) if busy else (STREAM_MS, 25, 100)
    with EchoServer(tls=tls) as srv:
        uri = srv.uri(f"/stream?size=2048&interval_ms={stream_ms}")
        extra = f" ca_file={tls.ca_pem}" if tls else ""
        run = run_app(elf, [f"multi_send uri={uri} tasks={tasks} msgs={msgs} size=300 gap_ms={gap_ms}{extra}"])
        snap = srv.ledger.snapshot()
    problems = run.problems()
    if problems:
        return problems
    stats = ctlog.send_stats(run.log)
    if stats["failed"] or stats["sent"] != tasks * msgs:
        problems.append(f"{stats['failed']:.0f} sends failed, {stats['sent']:.0f} of {tasks * msgs} sent")
    if stats["max_ms"] >= SEND_BOUND_MS:
        problems.append(f"a send waited {stats['max_ms']} ms (bound {SEND_BOUND_MS} ms)")
    if ctlog.session(run.log)["disconnected"]:
        problems.append("the connection dropped")
    if snap.messages != tasks * msgs or snap.corrupt or snap.out_of_order:
        problems.append(
            f"server got {snap.messages} messages, {snap.corrupt} corrupt, {snap.out_of_order} out of order"
        )
    return problems


def _echoed_sends(elf: Path, path: str, size: int, args: str) -> tuple[list[str], dict[str, float]]:
    """multi_send of ``size``-byte messages to the echo server at ``path``; the problems every such run must
    not have (the one connection dropped, a message lost, corrupt or broken on the wire, an echo missing) and
    the app's send figures, for the caller's own checks."""
    with EchoServer() as srv:
        run = run_app(elf, [f"multi_send uri={srv.uri(path)} size={size} gap_ms=0 {args}"])
        snap = srv.ledger.snapshot()
    problems = run.problems()
    if problems:
        return problems, {}
    stats = ctlog.send_stats(run.log)
    sess = ctlog.session(run.log)
    if sess["disconnected"] or sess["connected"] != 1 or len(snap.connections) != 1:
        problems.append(f"the connection dropped: {sess}, {len(snap.connections)} connections")
    if snap.messages != stats["sent"] or snap.corrupt or snap.protocol_errors:
        problems.append(f"server got {snap.messages}/{stats['sent']:.0f} messages, {snap.corrupt} corrupt, "
                        f"errors {snap.protocol_errors}")
    if sess["rx_bytes"] != size * stats["sent"]:
        problems.append(f"echoed {sess['rx_bytes']} bytes, expected {size * stats['sent']:.0f}")
    return problems, stats


def lock_timeouts(elf: Path, tasks: int = 8, msgs: int = 15, size: int = 20000) -> list[str]:
    """Rule 6 (F12, F15): 40-frame messages from 8 tasks with a zero send timeout (try the lock once): lock
    timeouts fail alone, the connection stays up, and frames of two messages never interleave (the server
    checks every CRC)."""
    problems, stats = _echoed_sends(
        elf, "/echo", size, f"tasks={tasks} msgs={msgs} buffer=512 timeout_ms=0 settle_ms=1000"
    )
    if stats and (not stats["failed"] or not stats["sent"]):
        problems.append(f"scenario did not provoke lock timeouts beside successful sends: {stats}")
    return problems


def partial_messages_keep_the_turn(elf: Path, tasks: int = 4, msgs: int = 15, size: int = 3000) -> list[str]:
    """Rule 6 for the partial API (F15): tasks send each message in 1000-byte calls (first, continuations,
    FIN, a tick apart) with no lock of their own; the client keeps the turn from a message's first call to its
    FIN, so the server sees every message whole and no frame of another in between."""
    problems, stats = _echoed_sends(
        elf, "/echo", size, f"tasks={tasks} msgs={msgs} fragment=1000 timeout_ms=5000 settle_ms=1000"
    )
    if stats and (stats["failed"] or stats["sent"] != tasks * msgs):
        problems.append(f"{stats['failed']:.0f} sends failed, {stats['sent']:.0f} of {tasks * msgs} sent")
    return problems


def large_messages_echoed(
    elf: Path, tasks: int = 2, msgs: int = 40, size: int = 49152, sockbuf: int = 65536
) -> list[str]:
    """Rule 6 (F15) under back-pressure: tasks send 48 kB messages (48 frames each) back to back to an echoing
    server with device-sized buffers (64 kB). Its echoes back up while the senders still write, and it stops
    reading until they drain. Every send succeeds, the connection stays up, every message comes back intact.
    A sender holding the lock for its whole message (mutant message_holds_lock) would starve the reader on a
    chip, but the client's socket buffers on linux are Linux's (hundreds of kB, growing), which absorb such a
    backlog in most runs: the suite's multi_send large shows that mutant instead."""
    problems, stats = _echoed_sends(
        elf, f"/echo?sockbuf={sockbuf}", size, f"tasks={tasks} msgs={msgs} timeout_ms=2000 settle_ms=3000"
    )
    if stats and (stats["failed"] or stats["sent"] != tasks * msgs):
        problems.append(f"{stats['failed']:.0f} sends failed, {stats['sent']:.0f} of {tasks * msgs} sent")
    return problems


def abort_storm(elf: Path) -> list[str]:
    """Rule 3 (F3-F5): tasks send 20 KB messages (20 frames each) while the server resets every connection
    after its first message, so resets land mid-write; sends on the dead connection fail fast, only the client task
    closes (the sentinel reports I/O on a closed transport), the client reconnects."""
    with EchoServer() as srv:
        run = run_app(elf, [
            f"abort_storm uri={srv.uri('/reset?after=1')} tasks=4 msgs=200 size=20000 gap_ms=2 "
            "timeout_ms=2000 reconnect_timeout_ms=20"
        ])
    problems = run.problems()
    if problems:
        return problems
    stats = ctlog.send_stats(run.log)
    sess = ctlog.session(run.log)
    if sess["disconnected"] < 1 or sess["connected"] < 2:
        problems.append(f"the resets were not survived by reconnecting: {sess}")
    if not stats["failed"]:
        problems.append("no send met a dead connection")
    if stats["max_fail_ms"] >= FAILED_SEND_BOUND_MS:
        problems.append(f"a send on a dead connection took {stats['max_fail_ms']} ms")
    return problems + ctlog.stop_problems(run.log, STOP_BOUND_MS)


def cycles(elf: Path, n_cycles: int = 8, reconnects: int = 6) -> list[str]:
    """Rule 7 (F13): no fd or heap growth over init/start/stop/start/stop/destroy cycles and reconnects."""
    with EchoServer() as srv:
        run = run_app(elf, [
            f"cycles uri={srv.uri('/echo')} cycles={n_cycles} reconnects={reconnects} close_reconnect=1 "
            f"reconnect_timeout_ms=50 buffer=4096 reconnect_uri={srv.uri('/close?after=1&code=1001')}"
        ], timeout_s=180)
    problems = run.problems()
    cyc = ctlog.records(run.log, "CYCLES")
    rec = ctlog.records(run.log, "RECONNECTS")
    if problems or not cyc or not rec:
        return problems or ["no CYCLES/RECONNECTS line"]
    if int(rec[0]["connected"]) < reconnects + 1:
        problems.append(f"only {rec[0]['connected']} connections over {reconnects} reconnects")
    if cyc[0]["fds_before"] != cyc[0]["fds_after"]:
        problems.append(f"fds {cyc[0]['fds_before']} -> {cyc[0]['fds_after']} over the cycles")
    for what, fields in (("cycles", cyc[0]), ("reconnects", rec[0])):
        before, after = int(fields["heap_before"]), int(fields["heap_after"])
        if before >= 0 and after - before >= HEAP_SLACK_BYTES:  # -1 under a sanitizer: LeakSanitizer judges
            problems.append(f"heap grew {after - before} bytes over the {what}")
    return problems


REDIRECT_LIMIT = 5  # WS_MAX_REDIRECTS: consecutive redirects the client follows in one round


class PushServer:
    """A websockets server on a background loop whose ``handler(connection, index)`` pushes what a test needs;
    ``index`` counts the connections from 0."""

    def __init__(self, handler: Callable[[ServerConnection, int], Awaitable[None]]) -> None:
        self._handler = handler
        self._connections = 0

    def __enter__(self) -> "PushServer":
        self._loop = BackgroundLoop("ct-push-server")
        self._server = self._loop.run(self._start())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.close()
        self._loop.run(self._server.wait_closed())
        self._loop.close()

    async def _start(self):
        return await serve(self._handle, "127.0.0.1", 0, compression=None, ping_interval=None)

    async def _handle(self, ws: ServerConnection) -> None:
        index = self._connections
        self._connections += 1
        await self._handler(ws, index)


class Redirector:
    """Answers upgrade requests with HTTP 301: the first ``loops`` back to itself, the next to ``location``."""

    def __init__(self, location: str, loops: int = 0) -> None:
        self._location = location
        self._loops = loops
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self._sock.settimeout(20)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        for answer in range(self._loops + 1):
            location = f"ws://127.0.0.1:{self.port}/again{answer}" if answer < self._loops else self._location
            conn, _ = self._sock.accept()
            with conn:
                head, _ = recv_head(conn)
                if not head.endswith(b"\r\n\r\n"):
                    return
                conn.sendall(f"HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\n"
                             "Content-Length: 0\r\n\r\n".encode())

    def close(self) -> None:
        self._thread.join(20)
        self._sock.close()


def _events_through_redirector(elf: Path, loops: int, extra: str = "") -> tuple[list[str], list[str]]:
    """The `events` case started on a Redirector (``loops`` answers back to itself, then to an echo server):
    (the problems found: the case's own and a server that did not see exactly one connection to /echo,
    the event names in order)."""
    with EchoServer() as srv:
        redirector = Redirector(srv.uri("/echo"), loops=loops)
        try:
            run = run_app(elf, [f"events uri=ws://127.0.0.1:{redirector.port}/old buffer=1024 {extra}"])
        finally:
            redirector.close()
        srv.ledger.wait_until(lambda snap: all(not c.is_open for c in snap.connections), timeout=5)
        snap = srv.ledger.snapshot()
    problems = run.problems()
    if [c.path for c in snap.connections] != ["/echo"]:
        problems.append(f"the echo server saw {[c.path for c in snap.connections]}, not one connection to /echo")
    return problems, ctlog.collapse_data(ctlog.event_names(ctlog.records(run.log, "EV")))


def redirect_followed(elf: Path) -> list[str]:
    """An upgrade answered 301 is followed to its Location (ESP-IDF from v5.5.1 returns the HTTP status from
    esp_transport_connect, a positive number: that is a redirect, never a connection)."""
    problems, names = _events_through_redirector(elf, loops=0)
    expected = ["BEGIN", "BEFORE_CONNECT", "BEFORE_CONNECT", "CONNECTED", "DATA", "DISCONNECTED", "CLOSED", "FINISH"]
    if names != expected:
        problems.append(f"events {names}, expected {expected}")
    return problems


def redirects_followed_after_a_failed_round(elf: Path) -> list[str]:
    """More redirects in a row than the client follows (WS_MAX_REDIRECTS, 5) fail that connect; the reconnect
    after it starts a new round and follows the next redirect to the server."""
    problems, names = _events_through_redirector(elf, loops=REDIRECT_LIMIT + 1, extra="reconnect_timeout_ms=100")
    connected_after_failure = "ERROR" in names and "CONNECTED" in names and names.index("ERROR") < names.index("CONNECTED")
    if not connected_after_failure:
        problems.append(f"events {names}: expected the failed round's ERROR, then CONNECTED after the reconnect")
    return problems


BROKEN_TEXT_LEN = 4000


async def _text_broken_early_then_hello(ws: ServerConnection, index: int) -> None:
    """The first connection gets a TEXT frame of BROKEN_TEXT_LEN bytes whose first byte is no UTF-8, so the client
    fails the connection (1007) with most of the frame unread; the next one gets "hello"."""
    if index == 0:
        header = bytes([0x81, 126]) + BROKEN_TEXT_LEN.to_bytes(2, "big")
        ws.transport.write(header + b"\xff" + b"a" * (BROKEN_TEXT_LEN - 1))
    else:
        await ws.send("hello")
    await ws.wait_closed()


def connection_failed_inside_a_frame(elf: Path) -> list[str]:
    """ESP-IDF's ws transport keeps its place in the frame being read across connections (it resets it on a read
    error only): when the client drops a connection inside a frame (a protocol error, an abort, a stop), it must
    reset that place, or the next connection reads its first header ("hello"'s) as the rest of the old payload."""
    with PushServer(_text_broken_early_then_hello) as srv:
        run = run_app(elf, [f"receive uri=ws://127.0.0.1:{srv.port}/ buffer=1024 reconnect_timeout_ms=100 "
                            "connections=2 bytes=5"])
    problems = run.problems()
    events = ctlog.records(run.log, "EV")
    connected = [i for i, e in enumerate(events) if e["name"] == "CONNECTED"]
    after = [e for e in events[connected[1]:] if e["name"] == "DATA"] if len(connected) >= 2 else []
    first = {k: after[0][k] for k in ("op", "len", "off", "plen", "fin")} if after else None
    if first != {"op": "1", "len": "5", "off": "0", "plen": "5", "fin": "1"}:
        problems.append(f"the second connection's first DATA is not the server's \"hello\": "
                        f"{after[0] if after else ctlog.event_names(events)}")
    return problems
