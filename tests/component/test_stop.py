"""Rule 4 (F7-F11): stop() returns within a small bound from every state, whatever network_timeout_ms and
reconnect_timeout_ms (10 s each here) say, and when it returns the socket is closed (fd count back to its
value before start())."""

from __future__ import annotations

import ct_scenarios


def test_stop_is_fast_and_closes_the_socket_from_every_state(ct_elf, tls):
    problems = ct_scenarios.stop_latency(ct_elf, tls)
    assert not problems, "\n".join(problems)


def test_stop_during_a_tcp_connect_the_peer_never_answers(ct_elf):
    """esp-tls keeps its socket inside until its connect returns, and the client learns it only then
    (ws_client_relay.c): stop() returns once the connect times out, which is bounded but not fast (F9 half
    closed; docs/concurrency.md)."""
    problems = ct_scenarios.stop_during_unanswered_connect(ct_elf)
    assert not problems, "\n".join(problems)


def test_stop_during_a_tls_handshake_the_peer_never_answers(build_ct, variant, tls):
    """Bounded by the connect's timeout, as the TCP connect above. The parallel platform only: on ESP-IDF's linux target the
    client task's blocking TLS read keeps the POSIX port's one CPU until the handshake times out, so no other
    task can even call stop() inside it (measured: the case's 300 ms pause lasted the whole 10 s)."""
    problems = ct_scenarios.stop_during_tls_handshake(build_ct(variant), tls)
    assert not problems, "\n".join(problems)
