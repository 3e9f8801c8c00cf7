"""The readers the end-to-end proofs rely on: if one of them misread the CLI's output, a proof could pass on a
run that said nothing. Samples are cut from real ``wshammer run`` output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import suite_cli

pytestmark = pytest.mark.slow  # whole runs of wshammer

GUARD_OUTPUT = """\
>       assert result.verdict.ok, result.explain()
E       AssertionError: log guard:
E       3 fatal finding(s) in the DUT log:
E       --- sentinel at line 7:
E       E (234) wsh_sentinel: VIOLATION kind=io_after_close transport=2 task=wsh_sender other=- op=send_raw
E       E (235) wsh: STATS scenario=abort_storm t_ms=1000
E       --- asan at line 40:
E       ==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x6040
E           #0 0x55 in ws_client_task esp_websocket_client/ws_client_task.c:466
E       ... and 1 more
E
E       the test itself failed too:
E       abort_storm: FAIL

test_apps/ws_hammer/pytest_ws_hammer.py:21: AssertionError
"""

TABLE_OUTPUT = """\
============================== wshammer scenarios ==============================
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┓
┃ scenario                      ┃ target/varia… ┃ verdi… ┃ messag… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━┩
│ echo                          │ linux/tsan    │ PASS   │      50 │
│ server_faults malformed_opco… │ linux/tsan    │ FAIL   │     120 │
└───────────────────────────────┴───────────────┴────────┴─────────┘
"""


def test_guard_findings_read_each_kind_and_its_excerpt_only():
    findings = suite_cli.guard_findings(GUARD_OUTPUT)
    assert [f.kind for f in findings] == ["sentinel", "asan"]
    assert findings[0].excerpt.splitlines() == [
        "E (234) wsh_sentinel: VIOLATION kind=io_after_close transport=2 task=wsh_sender other=- op=send_raw",
        "E (235) wsh: STATS scenario=abort_storm t_ms=1000",
    ]
    # The stack keeps its indentation; the guard's trailer and the test's own failure are not part of it.
    assert findings[1].excerpt.splitlines() == [
        "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x6040",
        "    #0 0x55 in ws_client_task esp_websocket_client/ws_client_task.c:466",
    ]


def test_guard_findings_none_without_a_guard_failure():
    assert suite_cli.guard_findings("E       AssertionError: echo: FAIL\nE         - app counted corrupt=2\n") == []


def test_failure_evidence_puts_the_kind_before_each_headline():
    record = {"reasons": ["3 fatal finding(s) in the DUT log:"]}
    evidence = suite_cli.failure_evidence(record, suite_cli.guard_findings(GUARD_OUTPUT))
    assert evidence.splitlines()[0] == "3 fatal finding(s) in the DUT log:"
    assert "[sentinel] E (234) wsh_sentinel: VIOLATION kind=io_after_close" in evidence
    assert "[asan] ==1==ERROR: AddressSanitizer: heap-use-after-free" in evidence


def test_table_rows_and_cut_names():
    rows = suite_cli.table_rows(TABLE_OUTPUT)
    assert rows == {"echo": ("linux/tsan", "PASS"), "server_faults malformed_opco…": ("linux/tsan", "FAIL")}
    shown = suite_cli.table_verdicts(rows, ["echo", "server_faults malformed_opcode", "lifecycle"])
    assert shown == {
        "echo": ("linux/tsan", "PASS"),
        "server_faults malformed_opcode": ("linux/tsan", "FAIL"),
        "lifecycle": None,
    }


def test_a_cut_name_that_could_be_two_scenarios_matches_neither():
    rows = {"server_faults malformed_…": ("linux/debug", "PASS")}
    shown = suite_cli.table_verdicts(rows, ["server_faults malformed_rsv", "server_faults malformed_opcode"])
    assert shown == {"server_faults malformed_rsv": None, "server_faults malformed_opcode": None}


def test_no_table_without_its_banner():
    assert suite_cli.table_rows(TABLE_OUTPUT.split("\n", 1)[1]) == {}


def test_junit_summary_counts_and_failed_cases():
    root = ET.fromstring(
        '<testsuite name="wshammer" tests="2" failures="1" errors="0">'
        '<testcase name="echo"/><testcase name="partial"><failure message="x"/></testcase></testsuite>'
    )
    summary = suite_cli.junit_summary(root)
    assert (summary.tests, summary.failures, summary.errors) == (2, 1, 0)
    assert summary.case_names == ("echo", "partial")
    assert summary.failed_names == ("partial",)


def test_records_by_name_refuses_a_scenario_recorded_twice():
    with pytest.raises(ValueError, match="'echo' twice"):
        suite_cli.records_by_name({"scenarios": [{"name": "echo"}, {"name": "echo"}]})


def test_suite_names_expand_server_faults_per_fault_path():
    names = suite_cli.suite_names()
    assert names[0] == "echo" and "server_faults" not in names
    assert "server_faults reset" in names and "server_faults handshake_500" in names
    assert names.index("multi_send large") == names.index("multi_send") + 1
    assert len(names) == len(set(names))
