"""Peers for the transport and sentinel tests that the hammer's EchoServer does not play.

- ``ScriptedPeer``: a websockets server whose paths script what the hammer never needs: ``/inspect``
  (records the upgrade request, offers subprotocols ``chat``/``superchat``), ``/ping`` (pings the client
  and reports whether the PONG matched), ``/redirect`` (302 to ``/elsewhere``), ``/fragments`` (sends
  one text message in three fragments).
- ``RawWsPeer``: a raw-socket WebSocket peer: it answers the upgrade by hand, then either checks that
  the client's frames carry distinct masks (``mode="masks"``), never reads again (``mode="hold"``,
  with a small receive buffer, so a large client write blocks), or sends a text frame in the same
  segment as the 101 response (``mode="greet"``, sending ``GREETING``).
- ``HalfRecordTlsPeer``: a TLS server that, once the handshake is done, sends all of one TLS record but its last
  byte and then reads nothing: a client reading there stays inside Mbed TLS, waiting for the record's end.
- ``backlog_full_listener``: a listening socket whose backlog is full, so a further connect gets no
  answer at all (a connect timeout, not a refusal).

Echo, sizes, close codes, status 500, wss and client certificates use wshammer.servers.EchoServer.

Locking: ScriptedPeer's records are appended on its loop thread and read by the test thread under
``_lock``; RawWsPeer's results likewise under its own lock; each peer thread owns its sockets
(HalfRecordTlsPeer's too, with its TLS state).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import http
import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from wshammer.servers.background import BackgroundServer

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PING_PAYLOAD = b"hello"
GREETING = b"greetings"


def accept_value(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def parse_client_frame(data: bytes) -> tuple[int, bytes, bytes, int] | None:
    """(opcode byte, mask, unmasked payload, frame length) of the first complete frame in data, or None."""
    if len(data) < 2:
        return None
    length = data[1] & 0x7F
    pos = 2
    if length == 126:
        if len(data) < 4:
            return None
        (length,) = struct.unpack("!H", data[2:4])
        pos = 4
    elif length == 127:
        if len(data) < 10:
            return None
        (length,) = struct.unpack("!Q", data[2:10])
        pos = 10
    masked = bool(data[1] & 0x80)
    mask = data[pos : pos + 4] if masked else b""
    pos += len(mask)
    if len(data) < pos + length:
        return None
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(data[pos : pos + length])) if masked else data[pos : pos + length]
    return data[0], mask, payload, pos + length


OFFERED_SUBPROTOCOLS = ("chat", "superchat")


def _pick_subprotocol(conn: ServerConnection, offered: list[str]) -> str | None:
    # Unlike ``subprotocols=``, this lets clients that offer none connect too.
    return next((p for p in offered if p in OFFERED_SUBPROTOCOLS), None)


class ScriptedPeer(BackgroundServer):
    _loop_name = "transport-scripted-peer"

    def __init__(self) -> None:
        self.port = 0
        self._lock = threading.Lock()
        self._requests: list[Headers] = []  # guarded by _lock
        self._server = None

    @property
    def requests(self) -> list[Headers]:
        with self._lock:
            return list(self._requests)

    async def _start(self) -> None:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            select_subprotocol=_pick_subprotocol,
            process_request=self._process_request,
            compression=None,
            ping_interval=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        with self._lock:
            self._requests.append(request.headers)
        if request.path == "/redirect":
            response = conn.respond(http.HTTPStatus.FOUND, "moved\n")
            response.headers["Location"] = f"ws://127.0.0.1:{self.port}/elsewhere"
            return response
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path
        if path == "/ping":
            waiter = await ws.ping(PING_PAYLOAD)
            try:
                await asyncio.wait_for(waiter, 3)
                await ws.send("pong-ok")
            except TimeoutError:
                await ws.send("pong-missing")
        elif path == "/fragments":
            await ws.send(["abc", "defg", "hijkl"])
        with contextlib.suppress(Exception):
            await ws.wait_closed()


class _ThreadedPeer:
    """A listener on 127.0.0.1 that accepts on one thread and serves each connection on a thread of its own
    (``_serve_one``, which owns the connection)."""

    def __init__(self, name: str, listener: socket.socket) -> None:
        self._listener = listener
        self._listener.listen(4)
        self.port = self._listener.getsockname()[1]
        self._name = name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def __enter__(self) -> _ThreadedPeer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_one, args=(conn,), name=f"{self._name}-conn", daemon=True).start()

    def _serve_one(self, conn: socket.socket) -> None:
        raise NotImplementedError


class RawWsPeer(_ThreadedPeer):
    def __init__(self, mode: str, frames: int = 4) -> None:
        if mode not in ("masks", "hold", "greet"):
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.frames = frames
        self._lock = threading.Lock()
        self.masks: list[bytes] = []  # guarded by _lock
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if mode == "hold":
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", 0))
        super().__init__(f"raw-ws-{mode}", listener)

    def recorded_masks(self) -> list[bytes]:
        with self._lock:
            return list(self.masks)

    def _serve_one(self, conn: socket.socket) -> None:
        with conn:
            try:
                self._session(conn)
            except OSError:
                pass

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        response = (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept_value(key)}\r\n\r\n".encode()
        )
        if self.mode == "greet":
            response += bytes([0x81, len(GREETING)]) + GREETING
        conn.sendall(response)
        if self.mode in ("hold", "greet"):
            self._stop.wait(10)
            return
        self._check_masks(conn, rest)

    def _check_masks(self, conn: socket.socket, data: bytes) -> None:
        masks = []
        while len(masks) < self.frames:
            frame = parse_client_frame(data)
            if frame is None:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
                continue
            masks.append(frame[1])
            data = data[frame[3] :]
        with self._lock:
            self.masks = masks
        verdict = f"distinct={len(set(masks))}".encode()
        conn.sendall(bytes([0x81, len(verdict)]) + verdict)
        conn.recv(1)


class HalfRecordTlsPeer(_ThreadedPeer):
    """The TLS runs over memory BIOs so that the bytes of a record can be sent in part."""

    HOLD_S = 10

    def __init__(self, cert_pem: Path, key_pem: Path) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert_pem, key_pem)
        # TLS 1.2: the record sent in part is the first after the handshake (TLS 1.3 would send tickets first).
        self._context.maximum_version = ssl.TLSVersion.TLSv1_2
        super().__init__("half-record-tls", socket.create_server(("127.0.0.1", 0)))

    def _serve_one(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError, ssl.SSLError):
            conn.settimeout(5)
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = self._context.wrap_bio(incoming, outgoing, server_side=True)
            self._handshake(conn, tls, incoming, outgoing)
            tls.write(b"x" * 64)
            record = outgoing.read()
            conn.sendall(record[:-1])
            self._stop.wait(self.HOLD_S)

    @staticmethod
    def _handshake(conn: socket.socket, tls: ssl.SSLObject, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO) -> None:
        while True:
            try:
                tls.do_handshake()
                conn.sendall(outgoing.read())
                return
            except ssl.SSLWantReadError:
                conn.sendall(outgoing.read())
                data = conn.recv(16384)
                if not data:
                    raise OSError("the client left during the handshake")
                incoming.write(data)


@contextlib.contextmanager
def backlog_full_listener() -> Iterator[int]:
    """A port that accepts no more connections and answers no SYN: yields the port."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
