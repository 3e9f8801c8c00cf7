"""Peers for the sentinel's tests that the hammer's EchoServer does not play.

- ``HoldingWsPeer``: a raw-socket WebSocket peer that answers the upgrade by hand, then never reads again, with
  a small receive buffer, so a large client write blocks inside the transport.
- ``HalfRecordTlsPeer``: a TLS server that, once the handshake is done, sends all of one TLS record but its last
  byte and then reads nothing: a client reading there stays inside Mbed TLS, waiting for the record's end.

Locking: each peer thread owns its sockets (HalfRecordTlsPeer's too, with its TLS state).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import ssl
import threading
from pathlib import Path

from http_head import recv_head

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_value(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


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


class HoldingWsPeer(_ThreadedPeer):
    HOLD_S = 10

    def __init__(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", 0))
        super().__init__("holding-ws", listener)

    def _serve_one(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            head, _ = recv_head(conn)
            key = next(
                line.split(b":", 1)[1].strip().decode()
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"sec-websocket-key:")
            )
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + f"Sec-WebSocket-Accept: {accept_value(key)}\r\n\r\n".encode()
            )
            self._stop.wait(self.HOLD_S)


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
