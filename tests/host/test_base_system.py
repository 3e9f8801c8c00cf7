"""esp_common, esp_system and esp_hw_support on the host: error names and checks, the main task,
esp_restart, ESP_ERROR_CHECK's abort, and a process that outlives app_main."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time

import pytest

from wshammer import host_build

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN



def fields(output: str, name: str) -> dict[str, str]:
    """The key=value fields of the ``sys_test: NAME ...`` line (values may be "quoted")."""
    match = re.search(rf"^I \(\d+\) sys_test: {name} (.*)$", output, re.MULTILINE)
    assert match, f"no {name} line in:\n{output}"
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\S+(?: ERROR)?)', match[1])}


def run_scenario(host_test_app, run_host_elf, variant, scenario: str) -> tuple[int, str]:
    return run_host_elf(host_test_app("base_system", variant), stdin=f"{scenario}\n", timeout=60)


def test_info(host_test_app, run_host_elf, variant):
    returncode, output = run_scenario(host_test_app, run_host_elf, variant, "info")
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    info = fields(output, "INFO")
    assert info["task"] == "main"                      # app_main runs in the FreeRTOS task "main"
    assert (info["idf"], info["version"]) == ("v5.5.5", "5.5.5")
    assert info["reset"] == "1"                        # ESP_RST_POWERON
    assert info["model"] == "999"                      # CHIP_POSIX_LINUX
    assert int(info["cores"]) >= 1
    assert 2000 <= int(info["delay_us"]) < 500_000     # esp_rom_delay_us(2000) sleeps at least 2 ms
    assert fields(output, "NAMES") == {
        "ok": "ESP_OK", "fail": "ESP_FAIL", "no_mem": "ESP_ERR_NO_MEM", "timeout": "ESP_ERR_TIMEOUT",
        "not_finished": "ESP_ERR_NOT_FINISHED", "unknown": "UNKNOWN ERROR",
    }
    assert 'NAME_R errno="No such file or directory"' in output
    assert 'NAME_R unknown="Unknown error 0x7777"' in output
    assert fields(output, "CHECKS") == {
        "return_on_error": "ESP_ERR_NOT_FOUND", "goto_on_false": "ESP_ERR_INVALID_ARG", "goto_ok": "ESP_OK",
        "without_abort": "ESP_ERR_TIMEOUT",
    }
    # ESP_RETURN_ON_ERROR / ESP_GOTO_ON_FALSE log "<function>(<line>): <message>" at error level.
    assert re.search(r"^E \(\d+\) sys_test: fails_with\(\d+\): returning ESP_ERR_NOT_FOUND$", output, re.M)
    assert re.search(r"^E \(\d+\) sys_test: goto_on_false\(\d+\): value -1 not positive$", output, re.M)
    assert "ESP_ERROR_CHECK_WITHOUT_ABORT failed: esp_err_t 0x107 (ESP_ERR_TIMEOUT)" in output
    random = fields(output, "RANDOM")
    assert random["distinct"] == "8"
    assert int(random["nonzero_of_64"]) >= 50  # 64 random bytes: ~0.25 zero bytes expected


def test_esp_error_check_aborts_with_the_failed_expression(host_test_app, run_host_elf, variant):
    returncode, output = run_scenario(host_test_app, run_host_elf, variant, "errcheck")
    assert returncode == -signal.SIGABRT, output
    assert "ESP_ERROR_CHECK failed: esp_err_t 0x103 (ESP_ERR_INVALID_STATE)" in output
    assert re.search(r'file: ".*base_system_main\.c" line \d+\nfunc: run\nexpression: ESP_ERR_INVALID_STATE', output)


def test_esp_system_abort_reports_the_details(host_test_app, run_host_elf, variant):
    returncode, output = run_scenario(host_test_app, run_host_elf, variant, "abort")
    assert returncode == -signal.SIGABRT, output
    assert "abort() was called: base_system asked for it" in output


def test_esp_restart_runs_shutdown_handlers_and_exits(host_test_app, run_host_elf, variant):
    returncode, output = run_scenario(host_test_app, run_host_elf, variant, "restart")
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    handler = output.index("SHUTDOWN handler ran")
    assert output.index("esp_restart() called", handler) > handler


def test_unknown_scenario_is_reported(host_test_app, run_host_elf, variant):
    returncode, output = run_scenario(host_test_app, run_host_elf, variant, "bogus")
    assert returncode == 2
    assert "unknown scenario 'bogus'" in output


def read_until(process: subprocess.Popen, marker: bytes, timeout: float) -> bytes:
    """Output of ``process`` up to and including ``marker``; whatever arrived when the time ran out or
    the output ended."""
    received = b""
    deadline = time.monotonic() + timeout
    fd = process.stdout.fileno()
    while marker not in received and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 4096) if ready else b""
        if ready and not chunk:
            break
        received += chunk
    return received


def test_process_outlives_app_main(host_test_app, variant):
    elf = host_test_app("base_system", variant)
    env = {**os.environ, **host_build.sanitizer_env(variant, os.environ)}
    process = subprocess.Popen([str(elf)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        process.stdin.write(b"return\n")
        process.stdin.flush()
        output = read_until(process, b"Returned from app_main()\n", timeout=30).decode(errors="replace")
        assert re.search(r"^I \(\d+\) main_task: Returned from app_main\(\)$", output, re.MULTILINE), output
        time.sleep(1.0)
        assert process.poll() is None, "the process ended when app_main returned"
    finally:
        process.kill()
        process.wait(timeout=10)


# Negative controls: each variant must turn the defect it targets into a failed run with a report, or
# every "zero sanitizer reports" assertion in the suite would prove nothing.
def require_variant(request, variant: str) -> None:
    if variant not in host_build.parse_variant_list(request.config.getoption("variants")):
        pytest.skip(f"variant {variant} not selected (--variants)")


def test_tsan_variant_fails_a_data_race(host_test_app, run_host_elf, request):
    require_variant(request, "tsan")
    returncode, output = run_scenario(host_test_app, run_host_elf, "tsan", "race")
    assert returncode != 0
    assert any("ThreadSanitizer: data race" in line for line in host_build.find_sanitizer_reports(output)), output


@pytest.mark.parametrize("scenario, report", [
    ("leak", "ERROR: LeakSanitizer: detected memory leaks"),
    ("use_after_free", "ERROR: AddressSanitizer: heap-use-after-free"),
])
def test_asan_variant_fails_memory_defects(host_test_app, run_host_elf, request, scenario, report):
    require_variant(request, "asan")
    returncode, output = run_scenario(host_test_app, run_host_elf, "asan", scenario)
    assert returncode != 0
    assert any(report in line for line in host_build.find_sanitizer_reports(output)), output


def test_asan_variant_reports_undefined_behaviour_and_goes_on(host_test_app, run_host_elf, request):
    """UBSan is recoverable: the report is there (the log guard fails the test on it) and the program goes
    on, so one run names every undefined operation it meets."""
    require_variant(request, "asan")
    _, output = run_scenario(host_test_app, run_host_elf, "asan", "overflow 1")
    reports = host_build.find_sanitizer_reports(output)
    assert any("runtime error: signed integer overflow" in line for line in reports), output
    assert re.search(r"^overflow -?\d+$", output, re.MULTILINE), output  # the line after the overflow ran
