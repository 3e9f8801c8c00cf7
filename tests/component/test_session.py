"""Events in order with correct payload bookkeeping, the close handshake both ways (rule 5), and calls from
inside the client's own event handler (F6, F8)."""

from __future__ import annotations

import socket

import pytest

from websockets.asyncio.server import ServerConnection

from wshammer.servers import EchoServer

import ct_scenarios
import ctlog
from ct_app import run_app

PROTOCOL_ERROR_TYPE = 5  # WEBSOCKET_ERROR_TYPE_PROTOCOL


def closed_snapshot(srv: EchoServer):
    """The ledger once the server has recorded the end of every connection (the app may exit first)."""
    srv.ledger.wait_until(lambda snap: all(not c.is_open for c in snap.connections), timeout=5)
    return srv.ledger.snapshot()


def test_events_order_and_payload_offsets(ct_elf):
    with EchoServer() as srv:
        run = run_app(ct_elf, [f"events uri={srv.uri('/echo')} buffer=1024"])
        snap = closed_snapshot(srv)
    run.assert_clean()
    events = ctlog.records(run.log, "EV")
    assert ctlog.collapse_data(ctlog.event_names(events)) == [
        "BEGIN", "BEFORE_CONNECT", "CONNECTED", "DATA", "DISCONNECTED", "CLOSED", "FINISH",
    ]
    assert ctlog.data_frames(run.log) == [
        (1, 5, 1),       # "hello"
        (2, 3000, 1),    # 3000-byte echo, delivered in pieces of at most buffer_size at contiguous offsets
        (1, 4, 1),       # "ab"+"cd"+FIN reassembled by the server and echoed
        (8, 2, 1),       # the server's CLOSE answering ours
    ]
    pieces = [(int(e["len"]), int(e["off"])) for e in events if e["name"] == "DATA" and e["op"] == "2"]
    assert len(pieces) >= 3 and max(length for length, _ in pieces) <= 1024, pieces
    closed = [e for e in events if e["name"] == "CLOSED"]
    assert closed[0]["code"] == "1000"
    # On the wire: the 3000-byte message went out as 3 frames of one message; the partial one as 3 frames.
    (conn,) = snap.connections
    assert conn.messages == 3 and conn.frames == 3 + 3 + 1 and not conn.protocol_errors
    assert conn.close_code_received == 1000


@pytest.mark.parametrize(
    "kind,rule",
    [
        ("stray_continuation", "continuation frame with no message in progress"),
        ("data_in_fragment", "new data frame inside a fragmented message"),
        # Reserved bits never reach the client: ESP-IDF's transport (from v5.5) refuses the frame.
        ("reserved_bits", "frame refused by the transport"),
    ],
)
def test_a_protocol_error_fails_the_connection_and_names_the_rule(ct_elf, kind, rule):
    """RFC 6455 7.1.7: the client fails the connection with a CLOSE 1002 before the TCP close, and its ERROR
    event says so: error type PROTOCOL, the rule broken, the code sent."""
    with EchoServer() as srv:
        run = run_app(ct_elf, [f"protocol_error uri={srv.uri(f'/malformed?after=0&kind={kind}')}"])
        snap = closed_snapshot(srv)
    run.assert_clean()
    errors = [e for e in ctlog.records(run.log, "EV") if e["name"] == "ERROR"]
    assert len(errors) == 1, ctlog.event_names(ctlog.records(run.log, "EV"))
    assert errors[0]["etype"] == str(PROTOCOL_ERROR_TYPE) and errors[0]["rule"] == rule and errors[0]["sent"] == "1002"
    (conn,) = snap.connections
    assert conn.close_code_received == 1002, conn


def test_upgrade_redirect_is_followed(ct_elf):
    problems = ct_scenarios.redirect_followed(ct_elf)
    assert not problems, "\n".join(problems)


def test_redirects_are_followed_again_after_a_failed_round(ct_elf):
    problems = ct_scenarios.redirects_followed_after_a_failed_round(ct_elf)
    assert not problems, "\n".join(problems)


def test_server_close_is_answered_and_reported_with_its_code(ct_elf):
    with EchoServer() as srv:
        run = run_app(ct_elf, [f"server_close uri={srv.uri('/close?after=1&code=4001')} code=4001"])
        snap = closed_snapshot(srv)
    run.assert_clean()
    names = ctlog.collapse_data(ctlog.event_names(ctlog.records(run.log, "EV")))
    assert names == ["BEGIN", "BEFORE_CONNECT", "CONNECTED", "DATA", "DISCONNECTED", "CLOSED", "FINISH"]
    (conn,) = snap.connections
    assert conn.close_code_sent == 4001
    assert conn.close_code_received == 4001, "the client must answer the server's CLOSE with its code"


def test_calls_from_the_event_handler(ct_elf):
    with EchoServer() as srv:
        run = run_app(ct_elf, [f"handler_calls uri={srv.uri('/echo')}"])
    run.assert_clean()
    assert "stop: not allowed from the client's event handler" in run.log


TEXT_FRAGMENTS = ["frag1-", "frag2-", "frag3"]
BINARY_FRAGMENTS = [b"\x00" * 1500, b"\x01" * 10]


async def push_fragments(ws: ServerConnection, index: int) -> None:
    """One text and one binary message, each as several frames (websockets sends an iterable as a fragmented
    message), then the client's close."""
    await ws.send(TEXT_FRAGMENTS)
    await ws.send(BINARY_FRAGMENTS)
    await ws.wait_closed()


def test_fragmented_messages_from_the_server(ct_elf):
    total = sum(len(f) for f in TEXT_FRAGMENTS) + sum(len(f) for f in BINARY_FRAGMENTS)
    with ct_scenarios.PushServer(push_fragments) as srv:
        run = run_app(ct_elf, [f"receive uri=ws://127.0.0.1:{srv.port}/ buffer=1024 bytes={total}"])
    run.assert_clean()
    # websockets ends a fragmented message with an empty CONT frame carrying FIN.
    assert ctlog.data_frames(run.log) == [
        (1, 6, 0), (0, 6, 0), (0, 5, 0), (0, 0, 1),  # text: TEXT, CONT, CONT, CONT+FIN
        (2, 1500, 0), (0, 10, 0), (0, 0, 1),         # binary: the 1500-byte frame arrives in pieces
        (8, 2, 1),                                   # the server's CLOSE answering ours
    ]
    assert max(int(e["len"]) for e in ctlog.records(run.log, "EV") if e["name"] == "DATA") <= 1024


def test_a_connection_failed_inside_a_frame_leaves_the_next_one_clean(ct_elf):
    problems = ct_scenarios.connection_failed_inside_a_frame(ct_elf)
    assert not problems, "\n".join(problems)


def test_failed_connect_reports_error_then_disconnected(ct_elf):
    # Upstream reports a failed connect as ERROR then DISCONNECTED; handlers written for it read the error
    # handle on DISCONNECTED, so both must come, in that order, before the stop.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = run_app(ct_elf, [f"stop_latency state=reconnect_wait uri=ws://127.0.0.1:{port}/"])
    run.assert_clean()
    names = ctlog.event_names(ctlog.records(run.log, "EV"))
    assert names[:4] == ["BEGIN", "BEFORE_CONNECT", "ERROR", "DISCONNECTED"], names


def test_a_fragmented_message_never_finished_frees_the_turn_after_the_network_timeout(ct_elf):
    """A task that begins a message with the partial API and stops calling must not hold the other senders
    forever: after network_timeout_ms without a call the client aborts the connection (the peer is mid-message,
    so the stream cannot go on), the waiting send fails then, and after the reconnect the old message is gone."""
    network_timeout_ms = 1500
    with EchoServer() as srv:
        run = run_app(ct_elf, [f"partial_stall uri={srv.uri('/echo')} network_timeout_ms={network_timeout_ms} "
                               "reconnect_timeout_ms=100"])
    run.assert_clean()
    (stall,) = ctlog.records(run.log, "STALL")
    assert stall["waiting_ret"] == "-1" and stall["dropped"] == "1" and stall["reconnected"] == "1", stall
    assert stall["cont_ret"] == "-1" and stall["next_ret"] == "1", stall
    # Bounded by the network timeout, not by the waiting send's own (portMAX_DELAY); the slack is the client
    # task's wait slice and a loaded machine.
    assert network_timeout_ms * 0.9 <= float(stall["waited_ms"]) < network_timeout_ms + 3000, stall
    assert "The fragmented message in progress has had no call for 1500 ms" in run.log
