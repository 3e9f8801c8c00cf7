"""RFC 6455 conformance, end to end: ``wshammer conformance`` runs Autobahn's cases 1-10 (kosoku's fuzzing
server) against the autobahn_testee app over ws and wss on both linux platforms, and the client passes them
all: no case FAILED, none timed out, every case that is not OK is INFORMATIONAL or NON-STRICT with its reason
written down (conformance.EXPLAINED). The same run goes red, naming the cases, on a client that delivers text
messages without checking their UTF-8 (tests/mutants/conformance_no_utf8_check.patch).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from wshammer.conformance import TRANSPORTS

import suite_cli

pytestmark = pytest.mark.slow  # whole runs of wshammer

# A whole run took 12-40 s here on every platform; the bounds mean a hang.
TIMEOUT_S = {"debug": 300, "asan": 600, "tsan": 900, "idf": 900}
# Autobahn 1-10 (12 and 13 test compression, which the client does not offer).
CASE_COUNT = 301


def conformance(args: list[str], report_dir, timeout_key: str) -> tuple[suite_cli.CliRun, dict]:
    run = suite_cli.run_cli(args, report_dir, TIMEOUT_S[timeout_key], subcommand="conformance")
    print(f"{' '.join(run.command)}: exit {run.returncode} in {run.seconds:.0f} s")
    summary = report_dir / "conformance.json"
    assert summary.is_file(), f"no conformance.json (exit {run.returncode}):\n{run.tail()}"
    return run, json.loads(summary.read_text())


@pytest.mark.without_linux_builds("parallel-tsan", "parallel-debug", reason="for .ci/run's time: TSan runs over "
                                  "ESP-IDF's own transports in the main job (test_main_job), and asan runs debug's "
                                  "code with its checks on top; the protocol is judged here on the parallel "
                                  "platform's asan and on ESP-IDF's own linux target")
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_client_conforms(linux_build: str, linux_build_args: list[str], on_esp_idf: bool, transport: str,
                         tmp_path) -> None:
    timeout_key = "idf" if on_esp_idf else linux_build.removeprefix("parallel-")
    run, summary = conformance([*linux_build_args, "--transport", transport], tmp_path / "report", timeout_key)
    (result,) = summary["runs"]
    failing = [f"{r['case_id']} {r['behavior']}/{r['behavior_close']}: {r['reason']}"
               for r in result["results"] if not r["passed"]]
    assert run.returncode == 0 and summary["ok"], (
        f"exit {run.returncode}; {len(failing)} case(s) failing, problems {result['problems']}:\n"
        + "\n".join(failing[:40]) + f"\n{run.tail(30)}"
    )
    assert len(result["results"]) == CASE_COUNT, f"{len(result['results'])} cases judged, {CASE_COUNT} expected"
    unexplained = [r["case_id"] for r in result["results"] if r["behavior"] != "OK" and not r["explanation"]]
    assert not unexplained, f"passing but not OK, with no reason written down: {unexplained}"
    # Every protocol error of section 5, 6 and 7's bad close frames ends with the client's CLOSE and its code.
    codes = {r["case_id"]: r["remote_close_code"] for r in result["results"]}
    assert codes["5.1"] == 1002 and codes["6.3.1"] == 1007 and codes["7.9.1"] == 1002, codes
    junit = ET.parse(tmp_path / "report" / "junit.xml").getroot()
    assert junit.get("tests") == str(CASE_COUNT) and junit.get("failures") == "0"
    assert "PASS" in run.output and f"{CASE_COUNT} cases" in run.output


def test_client_without_utf8_check_fails_section_6(tmp_path) -> None:
    """The same run, cases 6.*, on a client that hands text messages over unchecked: red, and the cases named
    are the UTF-8 ones (6.3 onwards); the valid-UTF-8 cases still pass."""
    component = suite_cli.mutant_copy("conformance_no_utf8_check")
    args = ["--variant", "debug", "--transport", "ws", "--cases", "6.*", "--component", str(component)]
    run, summary = conformance(args, tmp_path / "report", "debug")
    assert run.returncode == 1 and not summary["ok"], f"the mutant passed (exit {run.returncode}):\n{run.tail()}"
    (result,) = summary["runs"]
    failed = {r["case_id"] for r in result["results"] if not r["passed"]}
    passed = {r["case_id"] for r in result["results"] if r["passed"]}
    assert {"6.3.1", "6.3.2", "6.6.1", "6.8.1", "6.10.1", "6.21.8"} <= failed, sorted(failed)
    assert {"6.1.1", "6.2.1", "6.5.1", "6.7.1"} <= passed, sorted(passed)
    # The table printed at the end names the case with its verdict on one row.
    assert re.search(r"^│ 6\.3\.1\s+│[^│]*│ FAILED\s+│", run.output, re.MULTILINE), run.tail()


def test_a_kconfig_option_of_the_tree_under_test_reaches_its_build(tmp_path) -> None:
    """``--sdkconfig`` sets an option of the tree under test: our own client with its UTF-8 check turned off
    fails the invalid-text cases as the mutant above does, and still passes a valid one."""
    args = ["--variant", "debug", "--transport", "ws", "--cases", "6.3.*", "--cases", "6.1.1",
            "--sdkconfig", "ESP_WS_CLIENT_CHECK_UTF8=n"]
    run, summary = conformance(args, tmp_path / "report", "debug")
    (result,) = summary["runs"]
    verdicts = {r["case_id"]: r["passed"] for r in result["results"]}
    assert run.returncode == 1 and verdicts == {"6.1.1": True, "6.3.1": False, "6.3.2": False}, (verdicts, run.tail())


def test_an_option_the_build_does_not_take_is_refused(tmp_path) -> None:
    """Kconfig drops an unknown option without a word; the rig refuses the build, naming it (a typo, and an
    option whose dependency, external RAM, the linux target lacks)."""
    args = ["--variant", "debug", "--transport", "ws", "--cases", "6.1.1",
            "--sdkconfig", "ESP_WS_CLIENT_CHEK_UTF8=n", "--sdkconfig", "ESP_WS_CLIENT_ALLOC_IN_EXT_RAM=y",
            "--sdkconfig", "ESP_WS_CLIENT_CHECK_UTF8=y"]
    run = suite_cli.run_cli(args, tmp_path / "report", TIMEOUT_S["debug"], subcommand="conformance")
    assert run.returncode == 2, run.tail()
    assert "did not take the options given" in run.output and "Traceback" not in run.output
    assert "CONFIG_ESP_WS_CLIENT_CHEK_UTF8=n: no Kconfig of this build defines it" in run.output
    assert "CONFIG_ESP_WS_CLIENT_ALLOC_IN_EXT_RAM=y: not offered in this build (its dependencies are off)" in run.output
    assert "CONFIG_ESP_WS_CLIENT_CHECK_UTF8=y" not in run.output  # taken
