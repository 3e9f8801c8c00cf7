"""API behaviour: URI validation with clear errors, setters and getters, sends/stop/close on a client that is
not connected, and the upgrade request carrying the configured path, query, headers, subprotocol,
user agent and basic auth."""

from __future__ import annotations

import base64
import socket
import threading

import ctlog
from ct_app import run_app
from http_head import recv_head


def test_api_contract(ct_elf):
    run = run_app(ct_elf, ["api"])
    run.assert_clean()
    names = {c["name"] for c in ctlog.records(run.log, "CHECK")}
    expected = {
        "init_null_config", "init_no_uri_no_host", "init_bad_scheme", "init_no_host", "init_garbage",
        "init_bad_port", "init_good", "set_uri_bad", "set_uri_null", "set_uri_good", "set_headers",
        "append_header", "append_header_null", "ping_default", "ping_zero", "ping_set", "reconnect_default",
        "reconnect_zero", "reconnect_set", "is_connected_idle", "send_not_connected", "send_null_client",
        "send_negative_len", "send_long_ping", "stop_not_started", "close_not_started", "close_long_reason",
        "destroy", "destroy_null", "reconnect_disabled",
    }
    assert expected <= names, f"missing checks: {sorted(expected - names)}"
    # A refused URI is explained in the log, not only signalled by NULL.
    assert "Unsupported URI scheme 'http'" in run.log
    assert "No host: set config.uri or config.host" in run.log


class RequestCapture:
    """A TCP peer that records one HTTP request and answers 400, so the client's handshake fails."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1)
        self.port = self._sock.getsockname()[1]
        self.request = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._sock.settimeout(20)
        conn, _ = self._sock.accept()
        with conn:
            self.request, _ = recv_head(conn)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self._thread.join(20)
        self._sock.close()


def test_upgrade_request_carries_path_headers_and_auth(ct_elf):
    peer = RequestCapture()
    try:
        run = run_app(ct_elf, [f"headers uri=ws://user:secret@127.0.0.1:{peer.port}/chat/room?id=7"])
    finally:
        peer.close()
    run.assert_clean()
    request = peer.request.decode("latin-1")
    lines = request.split("\r\n")
    assert lines[0] == "GET /chat/room?id=7 HTTP/1.1"
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    assert headers["x-config"] == "one"
    assert headers["x-appended"] == "two"
    assert headers["sec-websocket-protocol"] == "chat"
    assert headers["user-agent"] == "ct-agent"
    assert headers["authorization"] == "Basic " + base64.b64encode(b"user:secret").decode()
    # The failed upgrade is reported as a handshake error carrying the HTTP status.
    errors = [e for e in ctlog.records(run.log, "EV") if e["name"] == "ERROR"]
    assert errors and errors[0]["etype"] == "3" and errors[0]["status"] == "400", errors
