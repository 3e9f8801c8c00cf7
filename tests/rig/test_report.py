"""The report writers: table, report.json, junit.xml, the STATS plot."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from wshammer.report import ScenarioRecord, _series, render_table, write_all, write_junit, write_plot


def records():
    stats = [
        {"t_ms": "1000", "sent": "200", "free_heap": "300000"},
        {"t_ms": "2000", "sent": "500", "free_heap": "298000"},
        {"t_ms": "3000", "sent": "650", "free_heap": "297000"},
    ]
    good = ScenarioRecord(
        nodeid="a::test_multi_send[linux]", name="multi_send", target="linux", variant="tsan", ok=True,
        figures={"sent": 650, "send_err": 0, "reconnects": 0, "heap_delta": 120, "stop_p50_ms": None},
        stats=stats, command="run scenario=multi_send uri=ws://127.0.0.1:1/echo", duration_s=3.5,
    )
    bad = ScenarioRecord(
        nodeid="a::test_stop_latency[linux]", name="stop_latency", target="linux", variant="tsan", ok=False,
        reasons=["1 stop(s) took >= 2000 ms; worst 9998 ms in state connected"],
        figures={"sent": 0, "send_err": 0, "reconnects": 0, "heap_delta": 0, "stop_p50_ms": 3.25, "stop_p99_ms": 9998.0},
        stats=[{"t_ms": "1000", "sent": "x"}],
    )
    return [good, bad]


def test_table_shows_verdicts_figures_and_reasons():
    text = render_table(records())
    assert "multi_send" in text and "linux/tsan" in text and "PASS" in text
    assert "FAIL" in text and "3.2/9998.0" in text and "1 stop(s) took >= 2000 ms" in text


def test_a_long_reason_does_not_squeeze_the_figures_away():
    long_name = ScenarioRecord(
        nodeid="a::test_server_faults[handshake_accept]", name="server_faults handshake_accept", target="linux",
        variant="asan", ok=False, reasons=["x" * 300], figures={"sent": 123456, "heap_delta": 98765},
    )
    text = render_table([*records(), long_name])
    assert "server_faults handshake_accept" in text and "123456" in text and "98765" in text


def test_a_narrow_terminal_gets_a_wider_table_not_cut_figures():
    """Every name and figure whole even at 80 columns (a CI log, a subprocess): the table grows past it."""
    wide = ScenarioRecord(
        nodeid="a::test_server_faults[malformed_continuation]", name="server_faults malformed_continuation",
        target="linux", variant="idf5.5.5", ok=True, figures={"sent": 120, "heap_delta": 7808},
    )
    text = render_table([*records(), wide], width=80)
    assert "server_faults malformed_continuation" in text and "linux/idf5.5.5" in text and "PASS" in text
    assert "verdict" in text and "heap kept" in text  # headings whole too


def test_a_long_reason_is_shown_whole_and_every_reason_on_its_own_line():
    """A CI log at 80 columns cut "heap fell 35744 bytes ..." to "hea...": the reason wraps instead."""
    rec = records()[1]
    rec.reasons = ["app verdict 'FAIL': heap fell 35744 bytes over the reconnects (tolerance 32768) " + "z" * 150,
                   "log guard: tsan at line 4\nits stack"]
    text = render_table([rec], width=80)
    why = "".join(line.split("│")[-2] for line in text.splitlines() if line.count("│") > 2)
    why = "".join(why.split())  # the cell's wrapping aside
    assert "-appverdict'FAIL':heapfell35744bytesoverthereconnects(tolerance32768)" + "z" * 150 in why
    assert "-logguard:tsanatline4" in why and "itsstack" not in why


def test_figures_show_their_bounds_and_the_legend_says_what_they_are():
    rec = records()[1]
    rec.figures.update(heap_delta=10064, heap_bound=32768, stop_bound_ms=250.0)
    text = render_table([rec])
    assert "3.2/9998.0 <=250" in text and "10064 <=32768" in text
    assert "heap kept: free heap at the start minus at the end" in " ".join(text.split())


def test_a_rate_counts_from_the_start_of_the_run():
    """The first STATS line's rate is its sends over the time since START, not a made-up 0."""
    t, heap, rate = _series(records()[0].stats)
    assert t == [1.0, 2.0, 3.0] and rate == [200.0, 300.0, 150.0]
    assert heap[0] == 300000 / 1024


def test_json_report_round_trips(tmp_path):
    written = write_all(records(), tmp_path)
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["ok"] is False
    assert [s["name"] for s in data["scenarios"]] == ["multi_send", "stop_latency"]
    assert data["scenarios"][1]["reasons"] == ["1 stop(s) took >= 2000 ms; worst 9998 ms in state connected"]
    assert {p.name for p in written} == {"report.json", "junit.xml", "stats.png", "summary.txt"}


def test_junit_has_one_case_per_scenario_and_failures(tmp_path):
    root = ET.parse(write_junit(records(), tmp_path / "junit.xml")).getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    cases = root.findall("testcase")
    assert [c.get("name") for c in cases] == ["multi_send", "stop_latency"]
    assert cases[0].find("failure") is None
    assert "9998 ms" in cases[1].find("failure").get("message")
    props = {p.get("name"): p.get("value") for p in cases[0].find("properties")}
    assert props["sent"] == "650" and props["stop_p50_ms"] == "-"


def test_plot_is_a_png_and_skipped_without_data(tmp_path):
    path = write_plot(records(), tmp_path / "stats.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert write_plot(records()[1:], tmp_path / "none.png") is None  # one unusable STATS line: nothing to draw
    assert not (tmp_path / "none.png").exists()


def test_plot_draws_stop_latency_by_state(tmp_path):
    """A scenario with LATENCY lines and no STATS (stop_latency on a fast machine) is drawn too."""
    rec = records()[1]
    rec.latencies = [{"state": "connected_idle", "ms": "0.4"}, {"state": "receiving", "ms": "0"},
                     {"state": "reconnect_wait", "ms": "x"}]
    rec.figures["stop_bound_ms"] = 250.0
    path = write_plot([rec], tmp_path / "stops.png")
    assert path is not None and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_record_fail_marks_and_keeps_reasons():
    rec = records()[0]
    rec.fail("log guard: tsan at line 4")
    assert not rec.ok and rec.reasons == ["log guard: tsan at line 4"]


def test_a_skipped_run_shows_skip_with_its_reason_in_the_table_and_junit(tmp_path):
    rec = records()[0]
    rec.skipped = "this client tree has no partial API (esp_websocket_client 1.2.0 and later)"
    text = render_table([rec])
    assert "SKIP" in text and "PASS" not in text and "this client tree has no partial API" in text
    root = ET.parse(write_junit([rec], tmp_path / "junit.xml")).getroot()
    assert (root.get("skipped"), root.get("failures")) == ("1", "0")
    assert root.find("testcase/skipped").get("message") == rec.skipped
