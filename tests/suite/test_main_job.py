"""The README's main job, end to end: ``wshammer run --target linux --variant V --report DIR`` exits 0, prints
the summary table, and writes a report.json and a junit.xml that list every scenario of the suite as passed.

Plain ``pytest`` already runs the whole suite in debug (pyproject's testpaths hold ``test_apps``), so running
it again here in debug would only double the time: in debug this test drives the CLI over a two-scenario
``-k`` selection and checks the same things of it. The full suite runs here in the other variants.
"""

from __future__ import annotations

import pytest

import suite_cli

# Per scenario the suite takes seconds in debug; TSan slows the app ~5x. Generous: hitting it means a hang.
SUITE_TIMEOUT_S = {"debug": 300, "asan": 600, "tsan": 1200}
DEBUG_SELECTION = ("echo or partial", ("echo", "partial"))


def full_debug_suite_collected(config: pytest.Config) -> bool:
    return "test_apps" in config.getini("testpaths")


def test_main_job(variant: str, tmp_path, pytestconfig: pytest.Config) -> None:
    args = ["--variant", variant]
    expected = suite_cli.suite_names()
    if variant == "debug" and full_debug_suite_collected(pytestconfig):
        keyword, expected = DEBUG_SELECTION
        args += ["-k", keyword]
    run = suite_cli.run_cli(args, tmp_path / "report", SUITE_TIMEOUT_S[variant])
    print(f"{' '.join(run.command)}: exit {run.returncode} in {run.seconds:.0f} s")

    assert run.returncode == 0, f"the main job failed (exit {run.returncode}):\n{run.tail()}"

    report = suite_cli.read_report(run.report_dir)
    records = suite_cli.records_by_name(report)
    assert sorted(records) == sorted(expected), "report.json does not list the suite's scenarios"
    failed = {name: rec["reasons"] for name, rec in records.items() if not rec["ok"] or rec["reasons"]}
    assert not failed, f"scenarios not passed in report.json: {failed}"
    assert report["ok"] is True
    assert {(rec["target"], rec["variant"]) for rec in records.values()} == {("linux", variant)}

    junit = suite_cli.junit_summary(suite_cli.read_junit(run.report_dir))
    assert (junit.tests, junit.failures, junit.errors) == (len(expected), 0, 0), junit
    assert sorted(junit.case_names) == sorted(expected)

    rows = suite_cli.table_rows(run.output)
    shown = suite_cli.table_verdicts(rows, expected)
    assert len(rows) == len(expected) and shown == {name: (f"linux/{variant}", "PASS") for name in expected}, (
        f"the summary table printed does not show every scenario as PASS:\n{run.tail(40)}"
    )
    assert (run.report_dir / "summary.txt").read_text().strip(), "summary.txt is empty"
