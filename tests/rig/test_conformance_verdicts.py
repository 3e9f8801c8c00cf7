"""conformance.py: what the testee's log says, which case results pass, why a run fails, and the files it
writes. Pure functions over text and data; kosoku's CaseResult is stood in for by objects with its attributes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from wshammer import conformance
from wshammer.conformance import CaseRow, ConformanceRun
from wshammer.conformance_run import junit_cases, write_outputs

LOG = """\
I (10) testee: READY target=linux idf=v5.5.5 address=127.0.0.1
I (20) testee: CASES count=3 agent=wshammer
I (30) websocket_client: Connected to 127.0.0.1:9001
I (40) testee: CASE 1/3 end=closed echoed=1 close_code=1000
E (50) websocket_client: Protocol error from the server: invalid close code; failing the connection (1002)
I (60) testee: CASE 2/3 end=error echoed=0 close_code=0
I (70) testee: CASE 3/3 end=timeout echoed=0 close_code=0
I (80) testee: DONE cases=3 timeouts=1
"""


def row(case_id: str, behavior: str = "OK", close: str = "OK", **kw) -> CaseRow:
    return CaseRow(case_id=case_id, description=f"case {case_id}", behavior=behavior, behavior_close=close,
                   reason=kw.pop("reason", "Actual events match at least one expected."), **kw)


def test_testee_progress_reads_count_case_ends_and_done():
    progress = conformance.testee_progress(LOG)
    assert progress.count == 3 and progress.done and progress.failure is None
    assert progress.ends == {1: "closed", 2: "error", 3: "timeout"}


def test_a_testee_that_stops_midway_and_a_timed_out_case_are_problems():
    rows = [row("1.1.1"), row("1.1.2"), row("1.1.3")]
    cut = LOG.split("I (60)")[0]
    problems = conformance.problems_of(conformance.testee_progress(cut), rows, -11)
    assert "the testee stopped after 1 of 3 cases" in problems
    assert "the testee exited with status -11" in problems
    timed_out = conformance.problems_of(conformance.testee_progress(LOG), rows, 0)
    assert timed_out == ["1 case(s) timed out in the testee: 1.1.3"]


def test_no_case_count_and_a_failed_testee_are_named():
    text = 'E (5) testee: FAILED reason="no case count from ws://127.0.0.1:1/getCaseCount"\n'
    problems = conformance.problems_of(conformance.testee_progress(text), [], 1)
    assert problems[0] == "the testee could not run: no case count from ws://127.0.0.1:1/getCaseCount"
    assert "the testee never got the case count from the fuzzing server" in problems


@pytest.mark.parametrize(
    "behavior,close,passed,verdict",
    [
        ("OK", "OK", True, "OK"),
        ("NON-STRICT", "OK", True, "NON-STRICT"),
        ("INFORMATIONAL", "INFORMATIONAL", True, "INFORMATIONAL"),
        ("FAILED", "OK", False, "FAILED"),
        ("OK", "WRONG CODE", False, "WRONG CODE"),
        ("OK", "UNCLEAN", False, "UNCLEAN"),
        ("UNIMPLEMENTED", "OK", False, "UNIMPLEMENTED"),
    ],
)
def test_verdicts_that_pass(behavior, close, passed, verdict):
    case = row("2.1", behavior, close)
    assert case.passed is passed and case.verdict == verdict


def test_a_run_passes_only_with_every_case_passing_and_explained():
    ok = ConformanceRun("ws linux/par5.5.5_debug", "ws", "build_linux_par5.5.5_debug", conformance.CASES,
                        rows=[row("1.1.1"), row("7.13.1", "INFORMATIONAL", "INFORMATIONAL")])
    assert ok.ok and ok.reasons() == []
    unexplained = ConformanceRun("ws", "ws", "b", conformance.CASES, rows=[row("1.1.1", "NON-STRICT")])
    assert not unexplained.ok
    assert unexplained.reasons() == ["1.1.1 NON-STRICT with no reason written in conformance.EXPLAINED"]
    failed = ConformanceRun("ws", "ws", "b", conformance.CASES,
                            rows=[row("6.3.1", "FAILED", reason="Actual events differ from any expected.")])
    assert failed.reasons() == ["6.3.1 FAILED: Actual events differ from any expected."]
    assert not ConformanceRun("ws", "ws", "b", conformance.CASES).ok  # nothing judged is no pass


def test_row_from_a_kosoku_result():
    result = SimpleNamespace(
        case_id="7.9.1", description="Send close with <b>invalid</b> close code 0",
        behavior=SimpleNamespace(value="OK"), behavior_close=SimpleNamespace(value="OK"),
        result="Actual events match at least one expected.", result_close="Connection was properly closed",
        duration=12, remote_close_code=1002,
    )
    case = conformance.row_from_result(result)
    assert case.description == "Send close with invalid close code 0"
    assert case.reason == "Actual events match at least one expected. / Connection was properly closed"
    assert case.remote_close_code == 1002 and case.duration_ms == 12


def test_case_globs_are_checked():
    assert conformance.select_cases(None) == conformance.CASES
    assert conformance.select_cases(["6.4.*", "9.7.1"]) == ("6.4.*", "9.7.1")
    with pytest.raises(ValueError, match="not an Autobahn case id or glob: 6.x"):
        conformance.select_cases(["6.x"])


def test_case_ids_sort_by_number():
    ids = ["9.10.1", "9.2.1", "10.1.1", "1.1.1"]
    assert sorted(ids, key=conformance.case_key) == ["1.1.1", "9.2.1", "9.10.1", "10.1.1"]


def test_findings_show_every_case_not_ok_with_its_reason():
    run = ConformanceRun("wss linux/par5.5.5_asan", "wss", "build_linux_par5.5.5_asan", conformance.CASES,
                         rows=[row("1.1.1"), row("7.5.1", "FAILED", "WRONG CODE", reason="The close code should have been 1002,1007 or empty")],
                         problems=["the testee exited with status 1"])
    text = conformance.render_findings(run)
    assert text.startswith("conformance wss linux/par5.5.5_asan: FAIL - 2 cases: 1 OK, 1 FAILED")
    assert "7.5.1" in text and "should have been 1002,1007" in text and "1.1.1" not in text
    assert "the testee exited with status 1" in text


def test_outputs_hold_every_case(tmp_path):
    run = ConformanceRun("ws linux/par5.5.5_debug", "ws", "build_linux_par5.5.5_debug", conformance.CASES,
                         rows=[row("1.1.1", duration_ms=5), row("6.3.1", "FAILED", reason="bad")])
    written = write_outputs([run], tmp_path)
    assert [p.name for p in written] == ["conformance.json", "conformance.txt", "junit.xml"]
    summary = json.loads((tmp_path / "conformance.json").read_text())
    assert summary["ok"] is False and summary["runs"][0]["counts"] == {"OK": 1, "FAILED": 1}
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert junit.get("tests") == "2" and junit.get("failures") == "1"
    failure = junit.find("testcase[@name='6.3.1']/failure")
    assert failure is not None and failure.get("message") == "FAILED: bad"
    assert "6.3.1" in (tmp_path / "conformance.txt").read_text()
    assert len(junit_cases([run])) == 2
