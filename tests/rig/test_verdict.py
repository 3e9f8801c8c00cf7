"""verdict.evaluate on recorded app output and ledgers built the way the server builds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from wshammer.logscan import wsh_events
from wshammer.message import PUSH_TASK, build
from wshammer.outcome import collect_run
from wshammer.servers.ledger import Ledger
from wshammer.verdict import Expectation, evaluate, percentile

LOGS = Path(__file__).parent / "logs"


def outcome_of(name: str, scenario: str):
    return collect_run(wsh_events((LOGS / name).read_text()), scenario)


def ledger_with(per_task: dict[int, int], *, echo: bool = True, connections: int = 1, faults: int = 0, corrupt=0,
                disorder=False, protocol_errors=(), errors_on_faulted=False):
    """A ledger fed the way EchoServer feeds it: messages spread over ``connections``."""
    ledger = Ledger()
    ids = [ledger.open_connection("/echo", "echo", f"127.0.0.1:{5000 + i}") for i in range(connections)]
    for task, count in per_task.items():
        seqs = list(range(count))
        if disorder and len(seqs) > 2:
            seqs[1], seqs[2] = seqs[2], seqs[1]
        for n, seq in enumerate(seqs):
            conn = ids[n * connections // max(count, 1)]
            ledger.record_message(conn, build(task, seq, 40), 1)
            if echo:
                ledger.record_echo(conn)
    for _ in range(corrupt):
        ledger.record_message(ids[0], b"W00garbage", 1)
    for i in range(faults):
        ledger.record_fault(ids[i % connections], "reset after 20")
    for text in protocol_errors:
        ledger.record_protocol_error(ids[0] if errors_on_faulted else ids[-1], text)
    return ledger.snapshot()


MULTI = Expectation(scenario="multi_send", tasks=4)


def test_clean_run_passes_and_reports_figures():
    verdict = evaluate(outcome_of("clean_host_run.txt", "multi_send"), ledger_with({t: 100 for t in range(4)}), MULTI)
    assert verdict.ok, verdict.reasons
    assert verdict.figures["sent"] == 400 and verdict.figures["server_received"] == 400
    assert verdict.figures["heap_delta"] == 0 and verdict.figures["fd_delta"] == 0 and verdict.figures["lost"] == 0


def test_a_lost_message_fails_with_the_task_named():
    counts = {0: 100, 1: 100, 2: 99, 3: 100}
    verdict = evaluate(outcome_of("clean_host_run.txt", "multi_send"), ledger_with(counts), MULTI)
    assert not verdict.ok
    assert any("lost 1 message" in r for r in verdict.reasons)
    assert any(r.startswith("task 2: app sent 100, server received 99") for r in verdict.reasons)


def test_server_side_corruption_and_disorder_fail():
    ledger = ledger_with({t: 100 for t in range(4)}, corrupt=1, disorder=True)
    reasons = evaluate(outcome_of("clean_host_run.txt", "multi_send"), ledger, MULTI).reasons
    assert any("corrupt message" in r for r in reasons)
    assert any("out of order" in r for r in reasons)


def test_protocol_error_fails_a_clean_scenario():
    ledger = ledger_with({t: 100 for t in range(4)}, protocol_errors=["ProtocolError: expected a continuation frame"])
    reasons = evaluate(outcome_of("clean_host_run.txt", "multi_send"), ledger, MULTI).reasons
    assert reasons == ("server protocol error(s) (interleaved or broken frames): ProtocolError: expected a continuation frame",)


def test_echoes_the_app_did_not_count_fail():
    ledger = ledger_with({t: 100 for t in range(4)})
    text = (LOGS / "clean_host_run.txt").read_text().replace(
        "echoed=400 corrupt=0 out_of_order=0 reconnects=0 heap", "echoed=398 corrupt=0 out_of_order=0 reconnects=0 heap"
    )
    verdict = evaluate(collect_run(wsh_events(text), "multi_send"), ledger, MULTI)
    assert verdict.reasons == ("app counted 398 echo(es), server sent 400 (bound 0)",)


def test_app_fail_verdict_and_own_counters_are_reported():
    text = (LOGS / "clean_host_run.txt").read_text().replace(
        'verdict=PASS sent=400 send_err=0 echoed=400 corrupt=0', 'verdict=FAIL sent=400 send_err=0 echoed=400 corrupt=2'
    ).replace('reason="all echoed"', 'reason="2 echoes failed their CRC"')
    reasons = evaluate(collect_run(wsh_events(text), "multi_send"), ledger_with({t: 100 for t in range(4)}), MULTI).reasons
    assert "app verdict 'FAIL': 2 echoes failed their CRC" in reasons
    assert "app counted corrupt=2" in reasons


def test_task_lines_must_add_up_and_match_the_task_count():
    text = (LOGS / "clean_host_run.txt").read_text().replace("id=3 sent=100", "id=3 sent=90")
    reasons = evaluate(collect_run(wsh_events(text), "multi_send"), None, Expectation("multi_send", tasks=5)).reasons
    assert any("TASK lines sum to sent=390" in r for r in reasons)
    assert "4 TASK lines for 5 tasks" in reasons


FAULTS = Expectation(scenario="server_faults", tasks=2, faults=True, min_reconnects=1)


def test_fault_run_within_the_in_flight_bound_passes():
    # 97 sent, 4 faults x 2 tasks x 1 in flight = 8 may be lost; 93 arrived and were echoed.
    ledger = ledger_with({0: 47, 1: 46}, connections=5, faults=4)
    verdict = evaluate(outcome_of("runs/server_faults_reset.txt", "server_faults"), ledger, FAULTS)
    assert verdict.ok, verdict.reasons
    assert (verdict.figures["lost"], verdict.figures["loss_bound"], verdict.figures["faults"]) == (4, 8, 4)


def test_fault_run_losing_more_than_the_bound_fails():
    ledger = ledger_with({0: 40, 1: 46}, connections=2, faults=1)
    reasons = evaluate(outcome_of("runs/server_faults_reset.txt", "server_faults"), ledger, FAULTS).reasons
    assert any(r.startswith("lost 11 message(s)") and "(bound 2)" in r for r in reasons)


def test_protocol_errors_on_a_faulted_connection_are_tolerated_only_in_fault_scenarios():
    ledger = ledger_with({0: 47, 1: 46}, connections=5, faults=4, protocol_errors=["ProtocolError: x"],
                         errors_on_faulted=True)
    assert evaluate(outcome_of("runs/server_faults_reset.txt", "server_faults"), ledger, FAULTS).ok
    no_fault_ledger = ledger_with({0: 47, 1: 46}, connections=1, protocol_errors=["ProtocolError: x"])
    faults_expected = Expectation("server_faults", tasks=2, faults=True)
    assert not evaluate(outcome_of("runs/server_faults_reset.txt", "server_faults"), no_fault_ledger, faults_expected).ok


def test_server_receiving_more_than_attempted_fails():
    ledger = ledger_with({0: 52, 1: 50}, connections=5, faults=4)
    reasons = evaluate(outcome_of("runs/server_faults_reset.txt", "server_faults"), ledger, FAULTS).reasons
    assert any("more than the 100 the app attempted" in r for r in reasons)


def test_pushed_messages_are_not_counted_as_the_apps():
    ledger = ledger_with({t: 100 for t in range(4)} | {PUSH_TASK: 5})
    assert ledger.per_task()[PUSH_TASK] == 5
    assert evaluate(outcome_of("clean_host_run.txt", "multi_send"), ledger, MULTI).figures["server_received"] == 400


def test_missing_reconnects_fail_a_fault_scenario():
    text = (LOGS / "runs/server_faults_reset.txt").read_text().replace("reconnects=4", "reconnects=0")
    ledger = ledger_with({0: 47, 1: 46}, connections=5, faults=4)
    assert "reconnects=0, expected at least 1" in evaluate(collect_run(wsh_events(text), "server_faults"), ledger, FAULTS).reasons


def test_stop_latency_bound_and_fd_leak():
    expect = Expectation("stop_latency", compare_ledger=False, echoes=False, stop_latency_bound_ms=2000, min_latencies=4)
    verdict = evaluate(outcome_of("runs/stop_latency.txt", "stop_latency"), None, expect)
    assert "1 stop(s) took >= 2000 ms; worst 9998.4 ms in state connected (slow in: connected)" in verdict.reasons
    assert "1 file descriptors left open (fds 5 -> 6)" in verdict.reasons
    assert verdict.figures["stop_p50_ms"] == 3.2 and verdict.figures["stop_p99_ms"] == 9998.4


def test_an_uncut_connect_state_is_named_not_judged_by_the_fraction_bound():
    """ESP-IDF's esp-tls cannot be cut during connect: the app holds such a state to its own bound and marks it."""
    text = (LOGS / "runs/stop_latency.txt").read_text().replace(
        "state=connected ms=9998.4", "state=tcp_connect ms=9998.4 bound_ms=11500 uncut=1"
    )
    expect = Expectation("stop_latency", compare_ledger=False, echoes=False, stop_latency_bound_ms=2000,
                         max_fd_delta=None)
    verdict = evaluate(collect_run(wsh_events(text), "stop_latency"), None, expect)
    assert verdict.ok, verdict.reasons
    assert verdict.figures["uncut_states"] == "tcp_connect" and verdict.figures["uncut_max_ms"] == 9998.4
    assert verdict.figures["stop_max_ms"] < 2000  # the cut states' figures stand apart from it


def test_too_few_latency_samples_fail():
    expect = Expectation("stop_latency", compare_ledger=False, echoes=False, min_latencies=10, max_fd_delta=None)
    assert evaluate(outcome_of("runs/stop_latency.txt", "stop_latency"), None, expect).reasons == (
        "4 LATENCY lines, expected at least 10",
    )


def test_heap_delta_bound():
    text = (LOGS / "clean_host_run.txt").read_text().replace("heap_end=1048000", "heap_end=1030000")
    verdict = evaluate(collect_run(wsh_events(text), "multi_send"), ledger_with({t: 100 for t in range(4)}), MULTI)
    assert verdict.reasons == ("heap kept 18000 bytes (bound 8192)",)


@pytest.mark.parametrize(
    "name,scenario,reason",
    [
        ("runs/unfinished.txt", "multi_send", "no RESULT line: the run did not finish"),
        ("runs/badcmd.txt", "multi_send", "app refused the command: unknown key tsks"),
        ("clean_host_run.txt", "echo", "no START line: the app never began the run"),
    ],
)
def test_runs_without_a_result(name, scenario, reason):
    assert evaluate(outcome_of(name, scenario), None, MULTI).reasons == (reason,)


def test_malformed_numbers_give_a_reason_not_a_crash():
    text = (LOGS / "clean_host_run.txt").read_text().replace("heap_start=1048000", "heap_start=lots")
    reasons = evaluate(collect_run(wsh_events(text), "multi_send"), None, MULTI).reasons
    assert len(reasons) == 1 and reasons[0].startswith("malformed app output: RESULT line 13: heap_start='lots'")


def test_echo_count_without_a_ledger():
    text = (LOGS / "clean_host_run.txt").read_text().replace(
        "echoed=400 corrupt=0 out_of_order=0 reconnects=0 heap", "echoed=399 corrupt=0 out_of_order=0 reconnects=0 heap"
    )
    assert evaluate(collect_run(wsh_events(text), "multi_send"), None, MULTI).reasons == (
        "app sent 400 but counted 399 echo(es)",
    )


def test_percentile_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([float(v) for v in range(1, 101)], 0.5) == 50.0
    assert percentile([float(v) for v in range(1, 101)], 0.99) == 99.0


def test_collect_run_takes_the_last_run_and_ignores_other_scenarios():
    text = (LOGS / "clean_host_run.txt").read_text()
    other = "I (3000) wsh: START scenario=echo tasks=1\nI (3001) wsh: TASK scenario=echo id=0 sent=1 send_err=0\n"
    twice = text + text.replace("verdict=PASS sent=400", "verdict=PASS sent=401").replace("I (2035)", other + "I (2035)")
    run = collect_run(wsh_events(twice), "multi_send")
    assert run.result.int_field("sent") == 401 and len(run.tasks) == 4 and len(run.stats) == 2
    assert run.start.line_no == 16  # the second copy: READY is line 15


def test_a_message_missing_mid_connection_fails_even_in_a_fault_scenario():
    """Seq 5 of task 0 never arrived although the connection carried seq 6 on: not a loss at a cut."""
    ledger = Ledger()
    conn = ledger.open_connection("/reset?after=20", "reset", "x")
    for seq in [*range(5), *range(6, 47)]:
        ledger.record_message(conn, build(0, seq, 40), 1)
    for seq in range(46):
        ledger.record_message(conn, build(1, seq, 40), 1)
    unpaced = Expectation("server_faults", tasks=2, faults=True, in_flight_per_task=None)
    text = (LOGS / "runs/server_faults_reset.txt").read_text().replace("id=0 sent=49 send_err=1", "id=0 sent=50 send_err=0")
    text = text.replace("sent=97 send_err=3", "sent=98 send_err=2")
    reasons = evaluate(collect_run(wsh_events(text), "server_faults"), ledger.snapshot(), unpaced).reasons
    assert "task 0: 1 message(s) missing in the middle of a connection, but only 0 send(s) failed" in reasons


def test_unpaced_fault_runs_report_losses_without_bounding_them():
    ledger = ledger_with({0: 20, 1: 20}, connections=1, faults=1)
    unpaced = Expectation("server_faults", tasks=2, faults=True, in_flight_per_task=None)
    text = (LOGS / "runs/server_faults_reset.txt").read_text().replace("echoed=93", "echoed=38")
    verdict = evaluate(collect_run(wsh_events(text), "server_faults"), ledger, unpaced)
    assert verdict.ok, verdict.reasons
    assert (verdict.figures["lost"], verdict.figures["loss_bound"]) == (57, None)


def test_client_side_cuts_count_like_faults():
    """abort_storm: no server fault, but every extra connection is a cut the client made."""
    paced = Expectation("abort_storm", tasks=2, faults=True)
    run = outcome_of("runs/server_faults_reset.txt", "server_faults")
    verdict = evaluate(run, ledger_with({0: 47, 1: 46}, connections=3), paced)  # 2 cuts x 2 tasks: 4 may go
    assert verdict.ok and (verdict.figures["lost"], verdict.figures["loss_bound"]) == (4, 4)
    verdict = evaluate(run, ledger_with({0: 47, 1: 46}, connections=2), paced)
    assert "lost 4 message(s): app sent 97, server received 93 (bound 2)" in verdict.reasons


def test_partial_scenario_must_fragment():
    expect = Expectation("multi_send", tasks=4, fragmented=True)
    verdict = evaluate(outcome_of("clean_host_run.txt", "multi_send"), ledger_with({t: 100 for t in range(4)}), expect)
    assert verdict.reasons == ("400 message(s) arrived in 400 frame(s): nothing was fragmented",)


def test_task_attempts_must_add_up():
    text = (LOGS / "clean_host_run.txt").read_text().replace("id=1 sent=100 send_err=0", "id=1 attempted=101 sent=100 send_err=0")
    reasons = evaluate(collect_run(wsh_events(text), "multi_send"), None, MULTI).reasons
    assert reasons == ("task 1: attempted=101 is not sent + send_err",)


def test_skipped_parts_fail_when_the_rig_gave_every_peer():
    text = (LOGS / "runs/stop_latency.txt").read_text().replace('elapsed_ms=10490 reason=""', 'elapsed_ms=10490 skipped=tcp_connect reason=""')
    expect = Expectation("stop_latency", compare_ledger=False, echoes=False, max_fd_delta=None, no_skips=True)
    assert evaluate(collect_run(wsh_events(text), "stop_latency"), None, expect).reasons == ("the app skipped tcp_connect",)
    assert evaluate(outcome_of("runs/stop_latency.txt", "stop_latency"), None, expect).ok  # no skipped= field


def test_a_run_the_app_skipped_is_ok_with_its_reason_and_judged_no_further():
    """RESULT verdict=SKIP (the tree lacks what the scenario needs): no ledger check can fail it, and the reason
    reaches the verdict whole."""
    why = "this client tree has no partial API (esp_websocket_client 1.2.0 and later)"
    text = (LOGS / "clean_host_run.txt").read_text().replace("verdict=PASS", "verdict=SKIP").replace(
        'reason="all echoed"', f'reason="{why}"')
    verdict = evaluate(collect_run(wsh_events(text), "multi_send"), ledger_with({0: 1}), MULTI)
    assert (verdict.ok, verdict.skipped, verdict.reasons) == (True, why, ())
