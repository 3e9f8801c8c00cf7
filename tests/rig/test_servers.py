"""The echo servers' fault paths and ledger, driven by Python WebSocket peers (websockets' client, and a raw
socket client for frames the library refuses to send)."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import ssl
import struct
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from wshammer import message
from wshammer.servers import BlackholePeer, EchoServer, SilentServer, frames
from wshammer.tls import client_ssl_context

from http_head import recv_head


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


async def echo_some(uri, count, *, task=1, ssl_ctx=None, text=False):
    """Send ``count`` messages, expecting each echoed; returns how many came back before the connection ended."""
    got = 0
    kwargs = {"ssl": ssl_ctx, "server_hostname": "localhost"} if ssl_ctx else {}
    async with connect(uri, compression=None, **kwargs) as ws:
        try:
            for seq in range(count):
                msg = message.build(task, seq, 28 + seq * 7)
                await ws.send(msg.decode() if text else msg)
                reply = await asyncio.wait_for(ws.recv(), 5)
                assert reply == (msg.decode() if text else msg)
                got += 1
        except ConnectionClosed:
            pass
    return got


def settle(server, predicate=lambda s: s.open_connections == 0, timeout=5.0):
    assert server.ledger.wait_until(predicate, timeout), server.ledger.snapshot()
    return server.ledger.snapshot()


class RawClient:
    """A blocking WebSocket client on a bare socket: does the upgrade, then sends whatever frames it is told."""

    def __init__(self, server: EchoServer, path: str):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head, rest = recv_head(self.sock)
        assert head.endswith(b"\r\n\r\n"), f"server closed during the handshake: {head!r}"
        self.status_line = head.removesuffix(b"\r\n\r\n")
        self.rest = bytearray(rest)

    def send_frame(self, opcode, payload, fin=True):
        self.sock.sendall(frames.frame(opcode, payload, fin=fin, mask=os.urandom(4)))

    def recv_exact(self, n, timeout=5.0):
        self.sock.settimeout(timeout)
        while len(self.rest) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"closed after {len(self.rest)} of {n} bytes")
            self.rest += chunk
        out = bytes(self.rest[:n])
        del self.rest[:n]
        return out

    def recv_frame(self, timeout=5.0):
        b0, b1 = self.recv_exact(2, timeout)
        length = b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self.recv_exact(2, timeout))
        elif length == 127:
            (length,) = struct.unpack("!Q", self.recv_exact(8, timeout))
        return b0, self.recv_exact(length, timeout)

    def close(self):
        self.sock.close()


@pytest.fixture
def ws_srv():
    with EchoServer() as srv:
        yield srv


def test_echo_binary_and_text_and_ledger_counts(ws_srv):
    assert run(echo_some(ws_srv.uri("/echo"), 10, task=2)) == 10
    assert run(echo_some(ws_srv.uri("/echo"), 4, task=3, text=True)) == 4
    snap = settle(ws_srv)
    assert (snap.messages, snap.echoed, snap.corrupt, snap.out_of_order) == (14, 14, 0, 0)
    assert snap.per_task() == {2: 10, 3: 4}
    assert [c.close_code_received for c in snap.connections] == [1000, 1000]


def test_wss_echo(tls_material):
    with EchoServer(tls=tls_material) as srv:
        assert srv.uri("/echo").startswith("wss://127.0.0.1:")
        assert run(echo_some(srv.uri("/echo"), 5, ssl_ctx=client_ssl_context(tls_material))) == 5
        assert settle(srv).echoed == 5


def test_wss_refuses_client_that_does_not_trust_ca(tls_material):
    with EchoServer(tls=tls_material) as srv:
        with pytest.raises(ssl.SSLCertVerificationError):
            run(echo_some(srv.uri("/echo"), 1, ssl_ctx=ssl.create_default_context()))


def test_wss_client_certificate_required(tls_material_client):
    with EchoServer(tls=tls_material_client, require_client_cert=True) as srv:
        ctx = client_ssl_context(tls_material_client, with_client_cert=True)
        assert run(echo_some(srv.uri("/echo"), 2, ssl_ctx=ctx)) == 2
        with pytest.raises((ssl.SSLError, ConnectionError, InvalidHandshake)):
            run(echo_some(srv.uri("/echo"), 1, ssl_ctx=client_ssl_context(tls_material_client)))


def test_corruption_and_order_are_counted(ws_srv):
    good = [message.build(5, s, 60) for s in (0, 1, 3, 2)]
    bad_crc = bytearray(message.build(5, 4, 60))
    bad_crc[-1] ^= 0x01
    short = message.build(5, 5, 60)[:-3]

    async def go():
        async with connect(ws_srv.uri("/sink"), compression=None) as ws:
            for m in [*good, bytes(bad_crc), short]:
                await ws.send(m)

    run(go())
    rec = settle(ws_srv).connections[0]
    assert (rec.messages, rec.echoed, rec.corrupt, rec.out_of_order, rec.gaps) == (6, 0, 2, 1, 1)
    assert any("crc" in s for s in rec.corrupt_samples) and any("length" in s for s in rec.corrupt_samples)


def test_fragmented_message_counts_frames(ws_srv):
    msg = message.build(7, 0, 300)
    client = RawClient(ws_srv, "/echo")
    client.send_frame(frames.OP_BINARY, msg[:28], fin=False)
    client.send_frame(frames.OP_CONT, msg[28:100], fin=False)
    client.send_frame(frames.OP_CONT, msg[100:], fin=True)
    assert client.recv_frame() == (0x80 | frames.OP_BINARY, msg)  # echoed as one frame
    client.close()
    rec = settle(ws_srv).connections[0]
    assert (rec.messages, rec.frames, rec.corrupt, rec.frames_per_task) == (1, 3, 0, {7: 3})


def test_interleaved_fragments_are_a_protocol_error(ws_srv):
    """Two messages' fragments mixed on the wire (F15): the server must see and record it."""
    client = RawClient(ws_srv, "/echo")
    assert b" 101 " in client.status_line
    first, second = message.build(1, 0, 80), message.build(2, 0, 80)
    client.send_frame(frames.OP_BINARY, first[:40], fin=False)
    client.send_frame(frames.OP_BINARY, second, fin=True)  # a new data frame inside a fragmented message
    opcode, payload = client.recv_frame()
    client.close()
    assert opcode & 0x0F == frames.OP_CLOSE and struct.unpack("!H", payload[:2])[0] == 1002
    snap = settle(ws_srv)
    assert snap.protocol_errors and "ProtocolError" in snap.protocol_errors[0]


def test_sink_never_echoes(ws_srv):
    async def go():
        async with connect(ws_srv.uri("/sink"), compression=None) as ws:
            for s in range(3):
                await ws.send(message.build(0, s, 40))
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.3)

    run(go())
    snap = settle(ws_srv)
    assert (snap.messages, snap.echoed) == (3, 0)


def test_stream_pushes_valid_messages_beside_echo(ws_srv):
    async def go():
        pushed, echoed = [], 0
        async with connect(ws_srv.uri("/stream?size=200&interval_ms=20"), compression=None) as ws:
            sent = message.build(1, 0, 50)
            await ws.send(sent)
            while len(pushed) < 3 or not echoed:
                data = await ws.recv()
                header = message.verify(data)
                if header.task == message.PUSH_TASK:
                    assert header.length == 200
                    pushed.append(header.seq)
                else:
                    echoed += data == sent
        return pushed

    assert run(go())[:3] == [0, 1, 2]
    assert settle(ws_srv).connections[0].pushed >= 3


@pytest.mark.parametrize("code", [1000, 1001, 4000])
def test_close_after_n_with_code(ws_srv, code):
    async def go():
        async with connect(ws_srv.uri(f"/close?after=3&code={code}"), compression=None) as ws:
            for s in range(3):
                await ws.send(message.build(1, s, 40))
                await ws.recv()
            with pytest.raises(ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 5)
            return info.value.rcvd.code

    assert run(go()) == code
    rec = settle(ws_srv).connections[0]
    assert (rec.echoed, rec.faults_fired, rec.close_code_sent) == (3, 1, code)


def test_reset_sends_rst(ws_srv):
    client = RawClient(ws_srv, "/reset?after=2")
    for s in range(2):
        client.send_frame(frames.OP_BINARY, message.build(1, s, 40))
        client.recv_frame()
    with pytest.raises(ConnectionResetError):  # on this send if the RST is already here, else on the read
        client.send_frame(frames.OP_BINARY, message.build(1, 2, 40))
        client.recv_frame()
    client.close()
    rec = settle(ws_srv).connections[0]
    assert (rec.messages, rec.echoed, rec.faults_fired, rec.close_code_received) == (2, 2, 1, None)


def test_stall_sends_half_a_header_then_nothing_but_keeps_counting(ws_srv):
    client = RawClient(ws_srv, "/stall?after=1")
    client.send_frame(frames.OP_BINARY, message.build(1, 0, 40))
    client.recv_frame()
    client.send_frame(frames.OP_BINARY, message.build(1, 1, 40))
    client.send_frame(frames.OP_PING, b"are you there")  # even a pong would complete the half header
    assert client.recv_exact(1) == frames.half_header()
    with pytest.raises(socket.timeout):
        client.recv_exact(1, timeout=0.5)
    settle(ws_srv, lambda s: s.messages == 2)
    client.close()
    rec = settle(ws_srv).connections[0]
    assert (rec.messages, rec.echoed, rec.faults_fired) == (2, 1, 1)


@pytest.mark.parametrize("kind", ["reserved_bits", "bad_opcode", "long_control", "unmasked_len", "masked"])
def test_malformed_frames_are_refused_by_a_conforming_client(ws_srv, kind):
    async def go():
        async with connect(ws_srv.uri(f"/malformed?after=1&kind={kind}"), compression=None) as ws:
            await ws.send(message.build(1, 0, 40))
            await ws.recv()
            with pytest.raises(ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 5)
            return info.value.sent.code if info.value.sent else None

    assert run(go()) in (1002, 1009)  # unmasked_len: "too big" for websockets, a protocol error for others
    rec = settle(ws_srv).connections[0]
    assert rec.faults_fired == 1 and rec.close_code_received in (1002, 1009, None)


@pytest.mark.parametrize(
    "kind,error", [("status_500", InvalidStatus), ("bad_accept", InvalidHandshake), ("no_upgrade", InvalidHandshake)]
)
def test_wrong_handshakes_fail_the_client(ws_srv, kind, error):
    with pytest.raises(error):
        run(echo_some(ws_srv.uri(f"/handshake?kind={kind}"), 1))
    # The client may give up before the server has noted the fault: wait for the note, then for no more.
    def fired(snap):
        return len(snap.rejected) if kind == "status_500" else snap.faults_fired

    settle(ws_srv, lambda s: fired(s) >= 1)
    assert fired(settle(ws_srv)) == 1


def test_bad_accept_sends_one_wrong_accept_header(ws_srv):
    """A client that reads the first Sec-WebSocket-Accept (ESP-IDF's does) must see only the wrong one."""
    client = RawClient(ws_srv, "/handshake?kind=bad_accept")
    accepts = [line for line in client.status_line.split(b"\r\n") if line.lower().startswith(b"sec-websocket-accept:")]
    client.sock.close()
    assert accepts == [b"Sec-WebSocket-Accept: d3NoYW1tZXIgYmFkIGFjY2VwdA=="]


def test_slowframe_arrives_in_pieces_and_whole(ws_srv):
    client = RawClient(ws_srv, "/slowframe?size=300&chunk=50&interval_ms=20")
    started = time.monotonic()
    opcode, payload = client.recv_frame()
    elapsed = time.monotonic() - started
    client.close()
    assert opcode == 0x80 | frames.OP_BINARY
    header = message.verify(payload)
    assert (header.task, header.length) == (message.PUSH_TASK, 300)
    assert elapsed >= 0.1  # 7 chunks 20 ms apart cannot arrive at once
    assert settle(ws_srv).connections[0].pushed == 1


@pytest.mark.parametrize("path", ["/nope", "/close?after=x", "/malformed?after=1", "/stream?size=3", "/echo?x=1"])
def test_bad_paths_are_refused_with_a_reason(ws_srv, path):
    with pytest.raises(InvalidStatus) as info:
        run(echo_some(ws_srv.uri(path), 1))
    assert info.value.response.status_code == 400
    assert info.value.response.body  # the reason is in the body
    snap = ws_srv.ledger.snapshot()
    assert snap.rejected[0].path == path and not snap.connections


def test_ledger_reset_forgets_earlier_runs(ws_srv):
    run(echo_some(ws_srv.uri("/echo"), 2))
    settle(ws_srv)
    ws_srv.ledger.reset()
    assert ws_srv.ledger.snapshot().messages == 0


def test_ledger_is_readable_while_the_server_writes(ws_srv):
    async def hammer():
        await asyncio.gather(*(echo_some(ws_srv.uri("/echo"), 30, task=t) for t in range(4)))

    import threading

    worker = threading.Thread(target=run, args=(hammer(),))
    worker.start()
    seen = []
    while worker.is_alive():
        seen.append(ws_srv.ledger.snapshot().messages)
    worker.join()
    assert seen == sorted(seen)
    assert settle(ws_srv).per_task() == {0: 30, 1: 30, 2: 30, 3: 30}


def test_silent_server_accepts_and_never_answers():
    with SilentServer() as srv:
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
        sock.settimeout(0.3)
        with pytest.raises(socket.timeout):
            sock.recv(1)
        assert srv.accepted == 1 and srv.open_connections == 1
        sock.close()
        deadline = time.monotonic() + 3
        while srv.open_connections and time.monotonic() < deadline:
            time.sleep(0.02)
        assert srv.open_connections == 0


@pytest.mark.parametrize("path", ["/reset?after=2", "/stall?after=2"])
def test_faults_work_over_tls(tls_material, path):
    """RST and the silent half header go through the TLS layer: the client sees a dead or mute stream."""
    with EchoServer(tls=tls_material) as srv:

        async def go():
            ctx = client_ssl_context(tls_material)
            async with connect(srv.uri(path), ssl=ctx, server_hostname="localhost", compression=None) as ws:
                for seq in range(2):
                    await ws.send(message.build(1, seq, 40))
                    await ws.recv()
                await ws.send(message.build(1, 2, 40))
                try:
                    await asyncio.wait_for(ws.recv(), 1.0)
                except asyncio.TimeoutError:
                    return "silent"
                except ConnectionClosed as exc:
                    return "closed" if exc.rcvd is None else f"close frame {exc.rcvd.code}"
                return "answered"

        assert run(go()) == ("closed" if "reset" in path else "silent")
        rec = settle(srv, lambda s: s.messages >= 2 and s.faults_fired == 1).connections[0]
        assert rec.echoed == 2


def test_blackhole_peer_never_answers_a_connect():
    with BlackholePeer() as hole:
        assert hole.uri() == f"ws://127.0.0.1:{hole.port}"
        probe = socket.socket()
        probe.settimeout(0.5)
        with pytest.raises(socket.timeout):
            probe.connect(("127.0.0.1", hole.port))
        probe.close()
