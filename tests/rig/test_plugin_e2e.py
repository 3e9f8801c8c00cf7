"""The plugin end to end: pytest-embedded starts a fake hammer app (a Python script standing in for the
ELF), the hammer fixture runs a scenario against the real echo server, the verdict and the log guard judge
it. Each case is a pytester run of a tiny test file."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from wshammer import idf_env

FAKE = Path(__file__).parent / "fake_app" / "fake_hammer.py"
# Read before pytester gives each test a HOME of its own: where setup.sh installed ESP-IDF.
IDF_CACHE = idf_env.cache_dir(os.environ)

pytest_plugins = ["pytester"]

TEST_FILE = """
from wshammer.scenarios import ScenarioPlan
from wshammer.verdict import Expectation

def test_echo_run(hammer):
    plan = ScenarioPlan("echo", "ws", "/echo", {"tasks": 2, "msgs": 5}, Expectation("echo", tasks=2))
    result = hammer.run(plan)
    assert result.verdict.ok, result.explain()
    assert result.verdict.figures["server_received"] == 10
"""


@pytest.fixture
def fake_build(tmp_path: Path) -> Path:
    """A build folder pytest-embedded accepts for target linux, whose 'ELF' is the fake app."""
    build = tmp_path / "build_fake"
    (build / "config").mkdir(parents=True)
    (build / "config" / "sdkconfig.json").write_text(
        json.dumps({"IDF_TARGET": "linux", "IDF_TARGET_LINUX": True, "APP_BUILD_TYPE_ELF_ONLY": True})
    )
    elf = build / "fake_hammer.elf"
    elf.write_text(f"#!{sys.executable}\n" + FAKE.read_text())
    elf.chmod(0o755)
    return build


def run_fake(pytester: pytest.Pytester, build: Path, mode: str, *extra: str, test_file: str = TEST_FILE
             ) -> pytest.RunResult:
    pytester.makepyfile(test_fake=test_file)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FAKE_MODE", mode)  # the DUT inherits the pytest subprocess's environment
        patch.setenv("WSH_CACHE_DIR", str(IDF_CACHE))
        return pytester.runpytest_subprocess(
            "--embedded-services", "idf", "--build-dir", str(build), "-p", "no:cacheprovider", *extra, timeout=120
        )


def test_a_good_run_passes_and_writes_reports(pytester, fake_build, tmp_path):
    report_dir = tmp_path / "report"
    result = run_fake(pytester, fake_build, "ok", "--wsh-report", str(report_dir))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*wshammer scenarios*", "*echo*linux/par*-debug*PASS*"])
    data = json.loads((report_dir / "report.json").read_text())
    assert data["ok"] is True and data["scenarios"][0]["figures"]["server_received"] == 10
    assert (report_dir / "junit.xml").is_file() and (report_dir / "stats.png").is_file()


def test_a_claimed_but_unsent_message_fails_the_verdict(pytester, fake_build):
    result = run_fake(pytester, fake_build, "lose")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*lost 1 message(s): app sent 10, server received 9*"])


def test_a_sanitizer_report_fails_a_passing_run(pytester, fake_build):
    report_dir = pytester.path / "report"
    result = run_fake(pytester, fake_build, "tsan", "--wsh-report", str(report_dir))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*log guard:*", "*1 fatal finding(s) in the DUT log:*", "*tsan at line*"])
    # The report names the finding itself, not only how many there were.
    (scenario,) = json.loads((report_dir / "report.json").read_text())["scenarios"]
    assert "tsan: data race in f (fake.c:1)" in scenario["reasons"], scenario


def test_the_users_sanitizer_options_reach_the_app_after_the_rigs(pytester, fake_build, tmp_path):
    seen = tmp_path / "env.txt"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FAKE_ENV_OUT", str(seen))
        patch.setenv("TSAN_OPTIONS", "report_signal_unsafe=0")
        # As the hammer suite's conftest does (its build_dir takes the fixture): before the DUT starts.
        with_environment = TEST_FILE.replace("(hammer):", "(wsh_linux_environment, hammer):")
        result = run_fake(pytester, fake_build, "ok", "--wsh-variant", "tsan", test_file=with_environment)
    result.assert_outcomes(passed=1)
    # The rig's options first, the user's last: a sanitizer takes the last value of an option given twice.
    assert "TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1:report_signal_unsafe=0" in seen.read_text()


def test_a_crash_after_the_result_fails_the_test(pytester, fake_build):
    result = run_fake(pytester, fake_build, "abort")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*log guard:*", "*the app was killed by signal 6*"])


def test_an_app_that_dies_mid_run_is_reported_at_once(pytester, fake_build):
    started = time.monotonic()
    result = run_fake(pytester, fake_build, "die_mid_run")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the app ended (exit status 3) before its RESULT*"])
    # Noticed by the liveness check, well before the runner's silence bound (20 s in debug).
    assert time.monotonic() - started < 15


def test_an_app_that_ignores_quit_fails_the_test(pytester, fake_build):
    result = run_fake(pytester, fake_build, "hang_quit", "--wsh-quit-timeout", "2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*did not exit within 2 s of 'quit' (hung shutdown)*"])
    # Before it is killed, the hung app's threads are walked by gdb: the failure shows where each stood.
    result.stdout.fnmatch_lines(["*where each task stood:*", "*threads: task function | the line it stands at*"])


def test_bad_options_are_usage_errors(pytester, fake_build):
    pytester.makepyfile(test_fake=TEST_FILE)
    result = pytester.runpytest_subprocess("--wsh-variant", "fast", "--build-dir", str(fake_build))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--wsh-variant 'fast': choose one of debug, tsan, asan*"])
    result = pytester.runpytest_subprocess("--wsh-soak", "0", "--build-dir", str(fake_build))
    result.stderr.fnmatch_lines(["*--wsh-soak '0': a whole number >= 1*"])
    result = pytester.runpytest_subprocess("--wsh-quit-timeout", "soon", "--build-dir", str(fake_build))
    result.stderr.fnmatch_lines(["*--wsh-quit-timeout 'soon': seconds > 0*"])
    result = pytester.runpytest_subprocess("--wsh-component", str(fake_build), "--build-dir", str(fake_build))
    result.stderr.fnmatch_lines(["*not an esp_websocket_client tree*"])
