"""The README's main job, end to end: ``wshammer run --target linux --variant V --report DIR`` exits 0, prints
the summary table, and writes a report.json and a junit.xml that list every scenario of the suite as passed.

Plain ``pytest`` already runs the whole suite in debug on the default platform (pyproject's testpaths hold
``test_apps``), so running it again here in debug would only double the time: in debug this test drives the CLI
over a two-scenario ``-k`` selection and checks the same things of it. The full suite runs here on the parallel
platform (ESP-IDF's components over host/'s parallel kernel, the default) in asan and tsan, and on ESP-IDF's own
linux target (``--platform idf``) with every supported ESP-IDF version.
"""

from __future__ import annotations

import pytest

from wshammer import linux_elf
from wshammer.idf_env import DEFAULT_IDF_VERSION, SUPPORTED_IDF_VERSIONS
from wshammer.scenarios import unsupported_fault

import suite_cli

pytestmark = pytest.mark.slow  # whole runs of wshammer

# Per scenario the suite takes seconds in debug; TSan slows the app ~5x. Generous: hitting it means a hang.
SUITE_TIMEOUT_S = {"debug": 300, "asan": 600, "tsan": 1200, "idf": 600}
DEBUG_SELECTION = ("echo or partial", ("echo", "partial"))


def full_debug_suite_collected(config: pytest.Config) -> bool:
    return "test_apps" in config.getini("testpaths")


def main_job_builds() -> set[tuple[str, str]]:
    """(platform, variant) of every build the whole suite runs in here, on the real component at the suite's
    own size (parallel debug through the plain suite, or this file's selection when that is not collected)."""
    return {*(("parallel", v) for v in linux_elf.VARIANTS), ("idf", "debug")}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "build_variant" in metafunc.fixturenames:
        metafunc.parametrize("build_variant", linux_elf.parse_variant_list(metafunc.config.getoption("variants")))


def test_main_job(build_variant: str, tmp_path, pytestconfig: pytest.Config) -> None:
    """The whole suite on the default platform: ESP-IDF's esp_event, esp-tls, tcp_transport and Mbed TLS over
    host/'s parallel kernel, tasks truly in parallel, the sanitizer inside all of them."""
    args = ["--idf-version", DEFAULT_IDF_VERSION, "--variant", build_variant]
    expected = [name for name in suite_cli.suite_names() if not unsupported_on_idf(name, DEFAULT_IDF_VERSION)]
    if build_variant == "debug" and full_debug_suite_collected(pytestconfig):
        keyword, expected = DEBUG_SELECTION
        args += ["-k", keyword]
    label = f"par{DEFAULT_IDF_VERSION}-{build_variant}"
    check_main_job(args, expected, label, tmp_path, SUITE_TIMEOUT_S[build_variant])


@pytest.mark.parametrize("idf_version", SUPPORTED_IDF_VERSIONS)
def test_main_job_on_esp_idf(idf_version: str, tmp_path) -> None:
    """The whole suite on ESP-IDF's own linux target: ESP-IDF's FreeRTOS (POSIX port, one task at a time),
    esp_event, esp-tls, tcp_transport and Mbed TLS built from source."""
    args = ["--platform", "idf", "--idf-version", idf_version]
    expected = [name for name in suite_cli.suite_names() if not unsupported_on_idf(name, idf_version)]
    check_main_job(args, expected, f"idf{idf_version}", tmp_path, SUITE_TIMEOUT_S["idf"])


def unsupported_on_idf(name: str, idf_version: str) -> str | None:
    """The suite skips (with this reason) a fault no client can pass on that ESP-IDF."""
    fault = name.removeprefix("server_faults ") if name.startswith("server_faults ") else None
    return fault and unsupported_fault(fault, idf_version)


def check_main_job(args: list[str], expected: list[str], label: str, tmp_path, timeout_s: float) -> None:
    """The CLI with ``args`` exits 0, and its report, junit and table show every ``expected`` run as passed on
    ``linux/<label>``."""
    run = suite_cli.run_cli(args, tmp_path / "report", timeout_s)
    print(f"{' '.join(run.command)}: exit {run.returncode} in {run.seconds:.0f} s")

    assert run.returncode == 0, f"the main job failed (exit {run.returncode}):\n{run.tail()}"

    report = suite_cli.read_report(run.report_dir)
    records = suite_cli.records_by_name(report)
    assert sorted(records) == sorted(expected), "report.json does not list the suite's scenarios"
    failed = {name: rec["reasons"] for name, rec in records.items() if not rec["ok"] or rec["reasons"]}
    assert not failed, f"scenarios not passed in report.json: {failed}"
    assert report["ok"] is True
    assert {(rec["target"], rec["variant"]) for rec in records.values()} == {("linux", label)}

    junit = suite_cli.junit_summary(suite_cli.read_junit(run.report_dir))
    assert (junit.tests, junit.failures, junit.errors) == (len(expected), 0, 0), junit
    assert sorted(junit.case_names) == sorted(expected)

    rows = suite_cli.table_rows(run.output)
    shown = suite_cli.table_verdicts(rows, expected)
    assert len(rows) == len(expected) and shown == {name: (f"linux/{label}", "PASS") for name in expected}, (
        f"the summary table printed does not show every scenario as PASS:\n{run.tail(40)}"
    )
    assert (run.report_dir / "summary.txt").read_text().strip(), "summary.txt is empty"
