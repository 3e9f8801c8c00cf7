"""The README's main job, end to end: ``wshammer run --target linux --variant V --report DIR`` exits 0, prints
the summary table, and writes a report.json and a junit.xml that list every scenario of the suite as passed.

Plain ``pytest`` already runs the whole suite in debug (pyproject's testpaths hold ``test_apps``), so running
it again here in debug would only double the time: in debug this test drives the CLI over a two-scenario
``-k`` selection and checks the same things of it. The full suite runs here on host/ in asan, on ESP-IDF's own
linux target (``--platform idf``) with every supported ESP-IDF version, and on ESP-IDF's components over host/'s
parallel kernel (``--platform parallel``) in tsan. ThreadSanitizer runs there rather than over host/'s own
transports, which the parallel platform is replacing (issue 10): over ESP-IDF's real esp-tls and Mbed TLS it
sees what host/ cannot.
"""

from __future__ import annotations

import pytest

from wshammer import host_build
from wshammer.idf_env import DEFAULT_IDF_VERSION, SUPPORTED_IDF_VERSIONS
from wshammer.scenarios import unsupported_fault

import suite_cli

pytestmark = pytest.mark.slow  # whole runs of wshammer

# Per scenario the suite takes seconds in debug; TSan slows the app ~5x. Generous: hitting it means a hang.
SUITE_TIMEOUT_S = {"debug": 300, "asan": 600, "tsan": 1200, "idf": 600}
DEBUG_SELECTION = ("echo or partial", ("echo", "partial"))


def full_debug_suite_collected(config: pytest.Config) -> bool:
    return "test_apps" in config.getini("testpaths")


HOST_MAIN_JOB_VARIANTS = ("debug", "asan")  # tsan: on the parallel platform, below
PARALLEL_MAIN_JOB_VARIANTS = ("tsan",)


def main_job_builds() -> set[tuple[str, str]]:
    """(platform, variant) of every build the whole suite runs in here, on the real component at the suite's
    own size (host/ debug through the plain suite, or this file's selection when that is not collected)."""
    return {*(("host", v) for v in HOST_MAIN_JOB_VARIANTS), ("idf", "debug"),
            *(("parallel", v) for v in PARALLEL_MAIN_JOB_VARIANTS)}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "host_variant" in metafunc.fixturenames:
        chosen = host_build.parse_variant_list(metafunc.config.getoption("variants"))
        metafunc.parametrize("host_variant", [v for v in chosen if v in HOST_MAIN_JOB_VARIANTS])


def test_main_job(host_variant: str, tmp_path, pytestconfig: pytest.Config) -> None:
    args = ["--variant", host_variant]
    expected = suite_cli.suite_names()
    if host_variant == "debug" and full_debug_suite_collected(pytestconfig):
        keyword, expected = DEBUG_SELECTION
        args += ["-k", keyword]
    check_main_job(args, expected, host_variant, tmp_path, SUITE_TIMEOUT_S[host_variant])


@pytest.mark.parametrize("idf_version", SUPPORTED_IDF_VERSIONS)
def test_main_job_on_esp_idf(idf_version: str, tmp_path) -> None:
    """The whole suite on ESP-IDF's own linux target: ESP-IDF's FreeRTOS (POSIX port, one task at a time),
    esp_event, esp-tls, tcp_transport and Mbed TLS built from source."""
    args = ["--platform", "idf", "--idf-version", idf_version]
    expected = [name for name in suite_cli.suite_names() if not unsupported_on_idf(name, idf_version)]
    check_main_job(args, expected, f"idf{idf_version}", tmp_path, SUITE_TIMEOUT_S["idf"])


@pytest.mark.parametrize("build", PARALLEL_MAIN_JOB_VARIANTS)
def test_main_job_on_the_parallel_platform(build: str, tmp_path) -> None:
    """The whole suite on ESP-IDF's own components over host/'s parallel kernel (--platform parallel): ESP-IDF's
    esp_event, esp-tls, tcp_transport and Mbed TLS with tasks truly in parallel, ThreadSanitizer inside all of
    them. tsan only, for .ci/run's time: it fails wherever debug would, and more."""
    args = ["--platform", "parallel", "--idf-version", DEFAULT_IDF_VERSION, "--variant", build]
    expected = [name for name in suite_cli.suite_names() if not unsupported_on_idf(name, DEFAULT_IDF_VERSION)]
    check_main_job(args, expected, f"par{DEFAULT_IDF_VERSION}-{build}", tmp_path, SUITE_TIMEOUT_S[build])


def unsupported_on_idf(name: str, idf_version: str) -> str | None:
    """The suite skips (with this reason) a fault no client can pass on that ESP-IDF."""
    fault = name.removeprefix("server_faults ") if name.startswith("server_faults ") else None
    return fault and unsupported_fault(fault, "idf", idf_version)


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
