"""The ws/wss echo server with the fault paths of docs/hammer-protocol.md.

Built on websockets' asyncio server; the faults the library would never commit (RST, half a frame header,
malformed frames, slow chunks, a wrong handshake) are done through its hooks (process_request /
process_response) or by writing raw bytes on the connection's transport. Raw writes never overlap a library
write: they happen only from the connection's own handler coroutine, while that handler does not echo.

Locking: the server runs on its own BackgroundLoop thread; all connection state lives on that thread. The
only state shared with test threads is the Ledger (own lock) and ``port``, written once before ``__enter__``
returns. ``_plans`` is touched only on the loop thread.
"""

from __future__ import annotations

import asyncio
import http
import socket
import struct
import weakref
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .. import message
from ..tls import TlsMaterial, server_ssl_context
from . import frames
from .background import BackgroundServer
from .faults import FaultPathError, FaultPlan, parse_fault_path
from .ledger import Ledger

MAX_MESSAGE = 16 * 1024 * 1024
CLOSE_TIMEOUT_S = 1.0
# Close codes that mean the server found the client's frames or payload invalid.
_PROTOCOL_CLOSE_CODES = frozenset({1002, 1003, 1007, 1009})


class _MutedTransport:
    """Wraps a transport so the library's own writes (pongs, close frames) vanish after a stall fault: a
    stalled peer must stay silent, or the half header it sent would be completed by unrelated bytes."""

    def __init__(self, inner: asyncio.Transport) -> None:
        self._inner = inner

    def write(self, data: bytes) -> None:
        del data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _limit_socket_buffers(ws: ServerConnection, size: int) -> None:
    """A peer with small buffers (as a device's lwIP, or a slow path): back-pressure reaches the client after
    kilobytes instead of the megabytes Linux loopback autotunes to."""
    sock = ws.transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


class EchoServer(BackgroundServer):
    """``with EchoServer() as srv: srv.uri('/echo')``. ``tls`` makes it wss; ``public_host`` is the address
    put in URIs (what the DUT dials), ``bind_host`` the one listened on."""

    _stop_timeout_s = CLOSE_TIMEOUT_S * 10

    def __init__(
        self,
        *,
        tls: TlsMaterial | None = None,
        require_client_cert: bool = False,
        bind_host: str = "127.0.0.1",
        public_host: str | None = None,
        port: int = 0,
    ) -> None:
        self.ledger = Ledger()
        self._ssl = server_ssl_context(tls, require_client_cert=require_client_cert) if tls else None
        self._bind_host = bind_host
        self.public_host = public_host or bind_host
        self.port = port
        self._plans: weakref.WeakKeyDictionary[ServerConnection, FaultPlan] = weakref.WeakKeyDictionary()
        self._loop_name = f"wsh-{self.scheme}-server"
        self._server: Server | None = None

    @property
    def scheme(self) -> str:
        return "wss" if self._ssl else "ws"

    def uri(self, path: str = "/echo") -> str:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        host = f"[{self.public_host}]" if ":" in self.public_host else self.public_host
        return f"{self.scheme}://{host}:{self.port}{path}"

    async def _start(self) -> None:
        self._server = await serve(
            self._handle,
            self._bind_host,
            self.port,
            ssl=self._ssl,
            process_request=self._process_request,
            process_response=self._process_response,
            compression=None,  # the ESP client does not negotiate permessage-deflate
            ping_interval=None,  # pings from the server would break the stall and slowframe faults
            close_timeout=CLOSE_TIMEOUT_S,
            max_size=MAX_MESSAGE,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        try:
            await asyncio.wait_for(self._server.wait_closed(), CLOSE_TIMEOUT_S * 5)
        except asyncio.TimeoutError:
            pass  # a handler stuck in a fault: the loop is stopped after this anyway

    # --- handshake hooks -------------------------------------------------------------------------

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        try:
            plan = parse_fault_path(request.path)
        except FaultPathError as exc:
            self.ledger.record_rejected(request.path, str(exc))
            return conn.respond(http.HTTPStatus.BAD_REQUEST, f"{exc}\n")
        if plan.kind == "handshake" and plan.variant == "status_500":
            self.ledger.record_rejected(request.path, "fault: status_500")
            return conn.respond(http.HTTPStatus.INTERNAL_SERVER_ERROR, "wshammer fault: status_500\n")
        self._plans[conn] = plan
        return None

    def _process_response(self, conn: ServerConnection, request: Request, response: Response) -> Response | None:
        plan = self._plans.get(conn)
        if plan is None or plan.kind != "handshake":
            return None
        headers = Headers(response.headers)
        if plan.variant == "bad_accept":
            # Headers is a multi-dict: assigning adds a second Accept, and a client reading the first passes.
            del headers["Sec-WebSocket-Accept"]
            headers["Sec-WebSocket-Accept"] = "d3NoYW1tZXIgYmFkIGFjY2VwdA=="
        elif plan.variant == "no_upgrade":
            del headers["Upgrade"]
        return Response(response.status_code, response.reason_phrase, headers, response.body)

    # --- per connection --------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        plan = self._plans.pop(ws, None) or parse_fault_path(ws.request.path)
        peer = "%s:%s" % ws.remote_address[:2]
        conn_id = self.ledger.open_connection(ws.request.path, plan.kind, peer)
        if plan.sockbuf:
            _limit_socket_buffers(ws, plan.sockbuf)
        if plan.kind == "handshake":
            self.ledger.record_fault(conn_id, f"handshake {plan.variant}")
        pusher = asyncio.create_task(self._push_stream(ws, conn_id, plan)) if plan.kind == "stream" else None
        try:
            if plan.kind == "slowframe":
                await self._push_slowframe(ws, conn_id, plan)
            await self._serve_messages(ws, conn_id, plan)
        except ConnectionClosed:
            pass
        finally:
            if pusher is not None:
                pusher.cancel()
            await ws.close()
            self._record_end(ws, conn_id)

    async def _serve_messages(self, ws: ServerConnection, conn_id: int, plan: FaultPlan) -> None:
        echo = plan.echoes
        received = 0
        while True:
            if plan.fires_after_messages and received == plan.after:
                echo = await self._fire(ws, conn_id, plan) and echo
                if plan.kind in ("close", "reset"):
                    return
            data, nframes = await _receive(ws)
            received += 1
            self.ledger.record_message(conn_id, data, nframes)
            if echo:
                await ws.send(data)
                self.ledger.record_echo(conn_id)

    async def _fire(self, ws: ServerConnection, conn_id: int, plan: FaultPlan) -> bool:
        """Inject the planned fault; returns whether echoing may go on afterwards."""
        self.ledger.record_fault(conn_id, f"{plan.kind} {plan.variant}".strip() + f" after {plan.after}")
        if plan.kind == "close":
            await ws.close(plan.code, "wshammer close fault")
            return False
        if plan.kind == "reset":
            sock = ws.transport.get_extra_info("socket")
            if sock is not None:  # SO_LINGER 0: close() sends RST instead of FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            ws.transport.abort()
            return False
        if plan.kind == "stall":
            ws.transport.write(frames.half_header())
            ws.transport = _MutedTransport(ws.transport)  # type: ignore[assignment]
            return False
        ws.transport.write(frames.malformed_frame(plan.variant))
        return True

    async def _push_stream(self, ws: ServerConnection, conn_id: int, plan: FaultPlan) -> None:
        seq = 0
        try:
            while True:  # the first push at once: a short run still reads beside its sends
                await ws.send(message.build(message.PUSH_TASK, seq, plan.size))
                self.ledger.record_push(conn_id)
                seq += 1
                await asyncio.sleep(plan.interval_ms / 1000)
        except ConnectionClosed:
            pass

    async def _push_slowframe(self, ws: ServerConnection, conn_id: int, plan: FaultPlan) -> None:
        wire = frames.frame(frames.OP_BINARY, message.build(message.PUSH_TASK, 0, plan.size))
        for piece in frames.chunks(wire, plan.chunk):
            if ws.transport.is_closing():
                return
            ws.transport.write(piece)
            await asyncio.sleep(plan.interval_ms / 1000)
        self.ledger.record_push(conn_id)

    def _record_end(self, ws: ServerConnection, conn_id: int) -> None:
        protocol = ws.protocol
        rcvd, sent = protocol.close_rcvd, protocol.close_sent
        # EOFError: the peer dropped TCP without a close frame - abrupt, visible in the close codes, but
        # not a broken frame.
        if protocol.parser_exc is not None and not isinstance(protocol.parser_exc, EOFError):
            self.ledger.record_protocol_error(conn_id, f"{type(protocol.parser_exc).__name__}: {protocol.parser_exc}")
        elif sent is not None and sent.code in _PROTOCOL_CLOSE_CODES:
            self.ledger.record_protocol_error(conn_id, f"server closed with {sent.code}: {sent.reason}")
        reason = (rcvd.reason if rcvd else "") or (sent.reason if sent else "")
        self.ledger.record_close(conn_id, rcvd.code if rcvd else None, sent.code if sent else None, reason)


async def _receive(ws: ServerConnection) -> tuple[bytes | str, int]:
    """One whole message and the number of frames it came in."""
    parts: list[bytes | str] = [part async for part in ws.recv_streaming()]
    if parts and isinstance(parts[0], str):
        return "".join(parts), len(parts)  # type: ignore[arg-type]
    return b"".join(parts), len(parts)  # type: ignore[arg-type]
