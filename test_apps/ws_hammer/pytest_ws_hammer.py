"""The hammer suite: one test per scenario of docs/hammer-protocol.md, run against the rig's ws/wss servers,
each judged by the app's own checks, the server's ledger (verdict.py) and the log guard (plugin.py).

linux runs under plain ``pytest`` (add ``--wsh-variant tsan|asan``); boards with
``--embedded-services esp,idf --target esp32``; QEMU with ``--embedded-services idf,qemu``.
Sizes are for CI (2 cores); ``--wsh-soak N`` multiplies them.
"""

from __future__ import annotations

import pytest
from pytest_embedded_idf.utils import idf_parametrize

from wshammer.scenarios import FAULT_PATHS, unsupported_fault

TARGETS = ["linux", "esp32", "esp32s3", "esp32c3", "esp32c6"]


def run_and_check(hammer, plan, name=None):
    result = hammer.run(plan, name=name)
    if result.verdict.skipped:
        pytest.skip(result.verdict.skipped)  # the tree under test lacks what the scenario needs
    assert result.verdict.ok, result.explain()
    return result


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_echo(hammer, hammer_plan):
    """One sender, every message echoed intact and in order."""
    result = run_and_check(hammer, hammer_plan("echo"))
    assert result.verdict.figures["server_received"] == result.verdict.figures["sent"] > 0


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_multi_send(hammer, hammer_plan):
    """Several tasks sending on one client: nothing lost, corrupted or interleaved (F15)."""
    result = run_and_check(hammer, hammer_plan("multi_send"))
    assert result.verdict.figures["server_received"] == result.verdict.figures["sent"] > 0


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_multi_send_large(hammer, hammer_plan):
    """Two tasks sending 32-64 kB messages to an echoing server: the echoes back up while the senders write,
    so the client must read between the frames of a message or the connection stalls."""
    result = run_and_check(hammer, hammer_plan("multi_send", shape="large"), name="multi_send large")
    assert result.verdict.figures["server_received"] == result.verdict.figures["sent"] > 0


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_multi_send_stream(hammer, hammer_plan):
    """Sends beside a server that streams to the client: no send waits for the client's read of the stream (F1)."""
    result = run_and_check(hammer, hammer_plan("multi_send", shape="stream"), name="multi_send stream")
    assert result.verdict.figures["pushed"] > 0, "the server's stream never reached the app"


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_multi_send_short_timeouts(hammer, hammer_plan):
    """Eight tasks with 5 ms send timeouts: a send may miss its turn, the healthy connection stays (F12)."""
    result = run_and_check(hammer, hammer_plan("multi_send", shape="short_timeouts"), name="multi_send short_timeouts")
    assert result.verdict.figures["server_received"] == result.verdict.figures["sent"] > 0


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_partial(hammer, hammer_plan):
    """Fragmented messages from several tasks never interleave on the wire (F15)."""
    result = run_and_check(hammer, hammer_plan("partial"))
    assert result.verdict.figures["frames"] > result.verdict.figures["server_received"] > 0


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_abort_storm(hammer, hammer_plan):
    """stop/start/close from other tasks while sends run: every call returns, nothing is corrupted (F3-F6, F14)."""
    run_and_check(hammer, hammer_plan("abort_storm"))


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_abort_storm_wss(hammer, hammer_plan):
    """The storm over wss: TLS reads and writes of several tasks on one connection stay apart (F2)."""
    run_and_check(hammer, hammer_plan("abort_storm", shape="wss"), name="abort_storm wss")


@pytest.mark.parametrize("fault", list(FAULT_PATHS))
@idf_parametrize("target", TARGETS, indirect=["target"])
def test_server_faults(hammer, hammer_plan, wsh_options, fault):
    """The server closes, resets, stalls, sends malformed frames or answers the upgrade wrongly (F5, F9)."""
    why_not = unsupported_fault(fault, wsh_options.idf_version if wsh_options.on_linux else None)
    if why_not:
        pytest.skip(why_not)
    result = run_and_check(hammer, hammer_plan("server_faults", fault=fault), name=f"server_faults {fault}")
    if not fault.startswith("handshake"):
        assert result.verdict.figures["faults"] >= 1, "the fault never fired: the app sent too little to reach it"


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_wss_reconnect(hammer, hammer_plan):
    """wss with the server closing every few messages: TLS I/O from several tasks stays intact (F2, F13)."""
    run_and_check(hammer, hammer_plan("wss_reconnect"))


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_wss_reconnect_reset_large(hammer, hammer_plan):
    """The server resets the connection in the middle of large messages, again and again: every send
    returns, nothing of an old message reaches a new connection (F5)."""
    run_and_check(hammer, hammer_plan("wss_reconnect", shape="reset_large"), name="wss_reconnect reset_large")


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_lifecycle(hammer, hammer_plan):
    """init/start/stop/destroy cycles, also against a refused port: no leak, no hang (F6, F7, F11, F13)."""
    run_and_check(hammer, hammer_plan("lifecycle"))


@idf_parametrize("target", TARGETS, indirect=["target"])
def test_stop_latency(hammer, hammer_plan):
    """stop() in every client state, including a peer that never answers, returns within 250 ms wherever it can
    cut the state short, and closes the client's socket before it returns (F9, F10, F11)."""
    result = run_and_check(hammer, hammer_plan("stop_latency"))
    assert result.outcome.latencies, "the scenario reported no stop latencies"
