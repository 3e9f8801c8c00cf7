"""The host tcp_transport (tcp, ssl, ws) and esp-tls against real peers, in every build variant.

host/test_apps/transport_ws runs one case per stdin line and prints ``DONE case=<name> ok=<0|1> ...``;
each test here starts the peers, runs a few cases in one process and checks both sides: what the app
saw and what the peer recorded. Every run must exit 0 with no sanitizer report.
"""

from __future__ import annotations

import base64
import re
import socket
import ssl
from pathlib import Path

import pytest
from conftest_transport import GREETING, PING_PAYLOAD, RawWsPeer, ScriptedPeer, backlog_full_listener
from host_marks import HOST_REIMPLEMENTATION_TSAN

from wshammer.host_build import find_sanitizer_reports
from wshammer.logscan import parse_fields
from wshammer.servers import EchoServer, SilentServer
from wshammer.tls import make_tls_material

pytestmark = HOST_REIMPLEMENTATION_TSAN

APP = Path(__file__).resolve().parents[2] / "host" / "test_apps" / "transport_ws"

ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST = 0x8004
ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED = 0x8005
ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT = 0x8006
ESP_ERR_MBEDTLS_SSL_SETUP_FAILED = 0x8017
ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED = 0x801A
MBEDTLS_X509_BADCERT_NOT_TRUSTED = 0x08
MBEDTLS_X509_BADCERT_CN_MISMATCH = 0x04
WS_OPCODES = {"cont": 0, "text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10, "none": 256}


# --- pure helpers ----------------------------------------------------------------------------------


def done_lines(output: str) -> list[dict[str, str]]:
    """The fields of every ``DONE`` line, in order."""
    return [parse_fields(m.group(1)) for m in re.finditer(r"twt: DONE (.*)$", output, re.MULTILINE)]


def error_lines(output: str) -> list[dict[str, str]]:
    return [parse_fields(m.group(1)) for m in re.finditer(r"twt: ERRORS (.*)$", output, re.MULTILINE)]


def hexint(text: str) -> int:
    return int(text, 16)


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("pki"), client_cert=True)


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("other-pki"))


@pytest.fixture(scope="module")
def ws_server():
    with EchoServer() as server:
        yield server


@pytest.fixture(scope="module")
def wss_server(pki):
    with EchoServer(tls=pki) as server:
        yield server


@pytest.fixture(scope="module")
def scripted():
    with ScriptedPeer() as peer:
        yield peer


@pytest.fixture
def run_cases(host_app, run_host_elf, variant):
    """``run_cases(*lines)`` -> (DONE fields per case, whole output); the process must end cleanly."""

    def run(*lines: str) -> tuple[list[dict[str, str]], str]:
        elf = host_app(APP, variant)
        returncode, output = run_host_elf(elf, stdin="\n".join([*lines, "quit"]) + "\n", timeout=90)
        assert find_sanitizer_reports(output) == [], output
        assert returncode == 0, output
        results = done_lines(output)
        assert len(results) == len(lines), output
        return results, output

    return run


# --- ws: data ----------------------------------------------------------------------------------------


def test_echo_sizes_and_partial_reads(run_cases, ws_server):
    ws_server.ledger.reset()
    results, output = run_cases(
        f"echo scheme=ws port={ws_server.port} path=/echo size=10",
        f"echo scheme=ws port={ws_server.port} path=/echo size=300 op=text",
        f"echo scheme=ws port={ws_server.port} path=/echo size=70000 chunk=1000",
    )
    small, medium, large = results
    for r in results:
        assert r["ok"] == "1" and r["status"] == "101" and r["buffer_intact"] == "1", output
        assert r["payload_len_ok"] == "1" and r["fin"] == "1", output
    assert small["opcode"] == str(WS_OPCODES["binary"]) and small["reads"] == "1"
    assert medium["opcode"] == str(WS_OPCODES["text"])  # 16-bit length
    # 64-bit length, read at most 1000 bytes at a time: 70 reads, more when a read finds less in lwIP-sized buffers
    assert int(large["reads"]) >= 70
    snapshot = ws_server.ledger.snapshot()
    assert snapshot.protocol_errors == []  # the server accepted our masking and lengths
    assert snapshot.messages == 3


def test_wss_echo_verifies_localhost(run_cases, wss_server, pki):
    results, output = run_cases(
        f"echo scheme=wss port={wss_server.port} path=/echo size=70000 ca={pki.ca_pem} cn=localhost",
    )
    assert results[0]["ok"] == "1", output


def test_client_fragments_arrive_as_one_message(run_cases, ws_server):
    ws_server.ledger.reset()
    results, output = run_cases(f"frag scheme=ws port={ws_server.port} path=/echo size=300 parts=3 op=text")
    assert results[0]["ok"] == "1", output
    (conn,) = ws_server.ledger.snapshot().connections
    assert (conn.messages, conn.frames) == (1, 3)


def test_server_fragments_are_read_frame_by_frame(run_cases, scripted):
    results, output = run_cases(f"recv scheme=ws port={scripted.port} path=/fragments reads=4")
    (r,) = results
    assert r["ok"] == "1", output
    # opcode:fin:bytes:payload_len per read: TEXT, two continuations, then the empty FIN continuation
    # websockets ends a message sent from an iterable with; a 0-byte read with FIN set.
    assert r["reads"] == "1:0:3:3,0:0:4:4,0:0:5:5,0:1:0:0"
    assert r["text"] == "abcdefghijkl"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("reserved_bits", "reserved bits set"),
        ("bad_opcode", "unknown opcode"),
        ("long_control", "control frame fragmented or longer than 125 bytes"),
        ("unmasked_len", "64-bit length with the top bit set"),
        ("masked", "masked frame from the server"),
    ],
)
def test_malformed_frame_is_a_clear_read_error(run_cases, ws_server, kind, reason):
    results, output = run_cases(
        f"recv scheme=ws port={ws_server.port} path=/malformed?after=1&kind={kind} send=x reads=3",
    )
    assert results[0]["ok"] == "0" and results[0]["error_at"] != "-1", output
    assert f"protocol error in frame header: {reason}" in output


def test_stalled_frame_header_fails_instead_of_hanging(run_cases, ws_server):
    results, output = run_cases(f"recv scheme=ws port={ws_server.port} path=/stall?after=1 send=x reads=3")
    assert results[0]["ok"] == "0", output
    assert "frame header cut short" in output


def test_frame_in_the_upgrade_segment_is_kept(run_cases):
    with RawWsPeer("greet") as peer:
        results, output = run_cases(f"recv scheme=ws port={peer.port} reads=1")
    assert results[0]["ok"] == "1", output
    assert results[0]["text"] == GREETING.decode()
    assert results[0]["reads"] == f"1:1:{len(GREETING)}:{len(GREETING)}"


def test_masks_are_fresh_per_frame(run_cases):
    with RawWsPeer("masks", frames=4) as peer:
        results, output = run_cases(f"masks scheme=ws port={peer.port} count=4")
        masks = peer.recorded_masks()
    assert results[0]["ok"] == "1" and results[0]["verdict"] == "distinct=4", output
    assert len(masks) == 4 and all(len(m) == 4 for m in masks)


# --- ws: handshake -----------------------------------------------------------------------------------


def test_handshake_sends_subprotocol_headers_auth_and_a_random_key(run_cases, scripted):
    before = len(scripted.requests)
    line = (
        f"handshake scheme=ws port={scripted.port} path=/inspect subprotocol=chat "
        "headers=X-Test:one,X-Other:two user=alice pass=secret ua=wsh-test"
    )
    results, output = run_cases(line, line)
    assert all(r["ok"] == "1" and r["response_has_protocol"] == "1" for r in results), output
    first, second = scripted.requests[before:]
    assert first["Sec-WebSocket-Protocol"] == "chat"
    assert first["X-Test"] == "one" and first["X-Other"] == "two"
    assert first["Authorization"] == "Basic " + base64.b64encode(b"alice:secret").decode()
    assert first["User-Agent"] == "wsh-test"
    assert first["Sec-WebSocket-Version"] == "13"
    assert len(base64.b64decode(first["Sec-WebSocket-Key"])) == 16
    assert first["Sec-WebSocket-Key"] != second["Sec-WebSocket-Key"]


def test_upgrade_request_larger_than_ws_buffer_size_is_refused(run_cases, scripted):
    big = "X-Big:" + "b" * 1100  # the request no longer fits CONFIG_WS_BUFFER_SIZE (1024)
    results, output = run_cases(f"handshake scheme=ws port={scripted.port} path=/inspect headers={big}")
    assert results[0]["ok"] == "0", output
    assert "upgrade request does not fit in CONFIG_WS_BUFFER_SIZE (1024)" in output


def test_redirect_records_status_and_location(run_cases, scripted):
    results, output = run_cases(f"redirect scheme=ws port={scripted.port} path=/redirect")
    (r,) = results
    assert r["ok"] == "1", output
    assert r["status"] == "302"
    assert r["location"] == f"ws://127.0.0.1:{scripted.port}/elsewhere"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("status_500", "upgrade refused: HTTP 500"),
        ("bad_accept", "Sec-WebSocket-Accept does not match the key"),
        ("no_upgrade", "missing or wrong Upgrade header"),
    ],
)
def test_wrong_upgrade_response_fails_with_reason(run_cases, ws_server, kind, message):
    results, output = run_cases(f"connect scheme=ws port={ws_server.port} path=/handshake?kind={kind}")
    assert results[0]["ok"] == "0", output
    assert message in output
    if kind == "status_500":
        assert results[0]["status"] == "500"


# --- ws: control frames --------------------------------------------------------------------------------


def test_ping_answered_by_transport_when_not_propagated(run_cases, scripted):
    results, output = run_cases(f"ping scheme=ws port={scripted.port} path=/ping propagate=0")
    (r,) = results
    assert r["ok"] == "1", output
    # The PING was handled inside read: 0 bytes and no opcode for the caller.
    assert (r["first_read"], r["first_opcode"]) == ("0", str(WS_OPCODES["none"]))


def test_ping_reaches_reader_when_propagated(run_cases, scripted):
    results, output = run_cases(f"ping scheme=ws port={scripted.port} path=/ping propagate=1")
    (r,) = results
    assert r["ok"] == "1", output
    assert r["first_opcode"] == str(WS_OPCODES["ping"])
    assert r["first_payload"] == PING_PAYLOAD.decode()


@pytest.mark.parametrize("scheme", ["ws", "wss"])
@pytest.mark.parametrize("propagate", [0, 1])
def test_server_close_code_and_connection_end(run_cases, ws_server, wss_server, pki, scheme, propagate):
    server = ws_server if scheme == "ws" else wss_server
    server.ledger.reset()
    results, output = run_cases(
        f"close scheme={scheme} port={server.port} path=/close?after=1&code=4001 propagate={propagate} ca={pki.ca_pem}"
    )
    (r,) = results
    assert r["ok"] == "1", output
    assert r["idle_poll"] == "0"  # poll_connection_closed on a live idle connection: timeout
    if propagate:
        assert r["opcode"] == str(WS_OPCODES["close"]) and r["code"] == "4001" and r["poll_closed"] == "1"
    else:
        assert "Got CLOSE frame with status code=4001" in output
    assert server.ledger.wait_until(lambda snap: len(snap.connections) == 1 and not snap.connections[0].is_open, 5)
    (conn,) = server.ledger.snapshot().connections
    assert conn.close_code_sent == 4001 and conn.close_code_received == 4001  # the code came back


# --- tls ---------------------------------------------------------------------------------------------


def test_wrong_ca_fails_with_verify_flags(run_cases, wss_server, other_pki):
    results, output = run_cases(f"connect scheme=wss port={wss_server.port} path=/echo ca={other_pki.ca_pem}")
    assert results[0]["ok"] == "0", output
    (errors,) = error_lines(output)
    assert hexint(errors["last_error"]) == ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED
    assert hexint(errors["flags"]) & MBEDTLS_X509_BADCERT_NOT_TRUSTED
    assert int(errors["tls_code"]) < 0  # mbedTLS's own code
    assert re.search(r"^E \(\d+\) esp-tls-mbedtls: Failed to verify peer certificate! flags=0x8", output, re.M)


def test_common_name_mismatch_and_skip(run_cases, wss_server, pki):
    results, output = run_cases(
        f"connect scheme=wss port={wss_server.port} path=/echo ca={pki.ca_pem} cn=not-localhost",
        f"connect scheme=wss port={wss_server.port} path=/echo ca={pki.ca_pem} skip_cn=1",
    )
    mismatch, skipped = results
    assert mismatch["ok"] == "0" and skipped["ok"] == "1", output
    errors = error_lines(output)[0]
    assert hexint(errors["flags"]) & MBEDTLS_X509_BADCERT_CN_MISMATCH


def test_ca_as_der_and_from_the_global_store(run_cases, wss_server, pki, tmp_path):
    der = tmp_path / "ca.der"
    der.write_bytes(ssl.PEM_cert_to_DER_cert(pki.ca_pem.read_text()))
    results, output = run_cases(
        f"echo scheme=wss port={wss_server.port} path=/echo size=50 ca={der} ca_mode=der",
        f"echo scheme=wss port={wss_server.port} path=/echo size=50 ca={pki.ca_pem} ca_mode=global",
    )
    assert [r["ok"] for r in results] == ["1", "1"], output


def test_no_trust_anchor_is_refused_before_connecting_tls(run_cases, wss_server):
    results, output = run_cases(f"connect scheme=wss port={wss_server.port} path=/echo")
    (errors,) = error_lines(output)
    assert hexint(errors["last_error"]) == ESP_ERR_MBEDTLS_SSL_SETUP_FAILED
    assert "No server verification option set" in output


def test_client_certificate_required_by_server(run_cases, pki):
    with EchoServer(tls=pki, require_client_cert=True) as server:
        results, output = run_cases(
            f"echo scheme=wss port={server.port} path=/echo size=100 ca={pki.ca_pem} "
            f"client_cert={pki.client_cert_pem} client_key={pki.client_key_pem}",
            f"connect scheme=wss port={server.port} path=/echo ca={pki.ca_pem}",
        )
    with_cert, without = results
    assert with_cert["ok"] == "1", output
    assert without["ok"] == "0", output


# --- tcp connect -------------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_port_fails_fast_with_errno(run_cases):
    results, output = run_cases(f"connect scheme=tcp port={closed_port()} timeout_ms=5000")
    (r,) = results
    (errors,) = error_lines(output)
    assert r["ok"] == "0" and int(r["elapsed_ms"]) < 1000, output
    assert int(errors["errno"]) == 111  # ECONNREFUSED
    assert hexint(errors["last_error"]) == ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST


def test_connect_timeout_to_a_peer_that_never_answers(run_cases, pki):
    with backlog_full_listener() as port, SilentServer() as silent:
        results, output = run_cases(
            f"connect scheme=tcp port={port} timeout_ms=700",
            f"connect scheme=ssl port={silent.port} timeout_ms=700 ca={pki.ca_pem}",
        )
    for r, errors in zip(results, error_lines(output)):
        assert r["ok"] == "0", output
        assert 600 <= int(r["elapsed_ms"]) < 3000, output
        assert hexint(errors["last_error"]) == ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT
    assert "connection timed out (TCP connect)" in output
    assert "connection timed out (TLS handshake)" in output


def test_blocking_connect_is_cut_short_by_shutdown_from_another_task(run_cases, pki):
    # The socket is published while the TCP connect / TLS handshake is still in progress, so a client's stop()
    # can shutdown() it instead of waiting out a 10 s budget.
    with backlog_full_listener() as port, SilentServer() as silent:
        results, output = run_cases(
            f"interrupt scheme=tcp port={port} timeout_ms=10000 after_ms=200",
            f"interrupt scheme=ssl port={silent.port} timeout_ms=10000 after_ms=200 ca={pki.ca_pem}",
        )
    for r in results:
        assert r["ok"] == "1" and r["saw_socket"] == "1", output
        assert int(r["elapsed_ms"]) < 2000, output


def test_connect_async_progress(run_cases, wss_server, pki):
    with backlog_full_listener() as port, SilentServer() as silent:
        results, output = run_cases(
            f"async scheme=ssl port={wss_server.port} ca={pki.ca_pem}",
            f"async scheme=tcp port={port} timeout_ms=500",
            f"async scheme=ssl port={silent.port} timeout_ms=500 ca={pki.ca_pem}",
        )
    done, tcp_stuck, tls_stuck = results
    # A loopback TLS peer may finish the handshake within the first step: no in-progress count asserted.
    assert done["ok"] == "1" and done["writable"] == "1" and done["socket_ok"] == "1", output
    for stuck in (tcp_stuck, tls_stuck):  # SYN unanswered / ServerHello never sent: 0 until the budget ends
        assert stuck["result"] == "-1" and int(stuck["in_progress"]) >= 1, output
        assert 400 <= int(stuck["elapsed_ms"]) < 2500, output
    assert "connection timed out (TCP connect)" in output
    assert "connection timed out (TLS handshake)" in output


def test_keep_alive_and_interface_options_reach_the_socket(run_cases, ws_server, wss_server, pki):
    results, output = run_cases(
        f"connect scheme=ws port={ws_server.port} path=/echo keepalive=7,3,4",
        f"connect scheme=wss port={wss_server.port} path=/echo ca={pki.ca_pem} keepalive=9,2,5",
        f"connect scheme=tcp port={ws_server.port} ifname=nosuch0",
    )
    ws_ka, wss_ka, bad_if = results
    assert ws_ka["ok"] == "1" and ws_ka["keepalive"] == "1,7,3,4", output
    assert wss_ka["ok"] == "1" and wss_ka["keepalive"] == "1,9,2,5", output
    assert bad_if["ok"] == "0", output
    assert hexint(error_lines(output)[2]["last_error"]) == ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED
