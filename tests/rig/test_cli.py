"""The wshammer command's argument handling: every mistake is a message and exit status 2, never a
traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wshammer import builds, cli


def run_main(capsys, *argv):
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


@pytest.fixture
def component(tmp_path: Path) -> Path:
    tree = tmp_path / "esp_websocket_client"
    (tree / "include").mkdir(parents=True)
    (tree / "CMakeLists.txt").write_text("idf_component_register()\n")
    (tree / "include" / "esp_websocket_client.h").write_text("#pragma once\n")
    return tree


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "usage: wshammer" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["run", "--target", "esp8266"], "invalid choice: 'esp8266'"),
        (["run", "--variant", "ubsan"], "invalid choice: 'ubsan'"),
        (["run", "--soak", "many"], "invalid int value: 'many'"),
    ],
)
def test_argparse_rejects_bad_values(capsys, argv, needle):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["run", "--component", "/no/such/tree"], "--component /no/such/tree: no such directory"),
        (["run", "--soak", "0"], "--soak 0: a whole number >= 1"),
        (["run", "--target", "esp32s3", "--qemu"], "Espressif's QEMU emulates esp32, esp32c3, not esp32s3"),
        (["run", "--port", "/dev/ttyUSB0"], "--qemu and --port are for device targets, not linux"),
        (["build", "--app", "/no/such/app"], "--app /no/such/app: not an ESP-IDF project"),
        (["conformance", "--target", "esp32"], "conformance runs on linux for now"),
        (["conformance", "--cases", "six"], "--cases: not an Autobahn case id or glob: six"),
        (["conformance", "--report", "/proc/wshammer"], "--report /proc/wshammer: cannot write there"),
        (["conformance", "--variant", "tsan", "--platform", "idf"], "variant tsan needs the parallel platform"),
        (["run", "--sdkconfig", "SEPARATE_TX_LOCK"], "--sdkconfig 'SEPARATE_TX_LOCK': expected KEY=VALUE"),
        (["run", "--sdkconfig-defaults", "/no/such.defaults"], "--sdkconfig-defaults /no/such.defaults: cannot read"),
        (["run", "--target", "esp32", "--sdkconfig", "A=y"], "build with `wshammer build --target esp32"),
    ],
)
def test_inconsistent_arguments_exit_2_with_a_message(capsys, argv, needle):
    code, err = run_main(capsys, *argv)
    assert code == cli.EXIT_UNUSABLE
    assert needle in err and "Traceback" not in err


def test_a_directory_that_is_not_the_component_is_refused(capsys, tmp_path):
    code, err = run_main(capsys, "run", "--component", str(tmp_path))
    assert code == 2 and "not an esp_websocket_client tree (missing CMakeLists.txt, include/esp_websocket_client.h)" in err


def test_device_build_without_esp_idf_says_what_to_install(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("IDF_PATH", str(tmp_path))  # no tools/idf.py: not an ESP-IDF
    code, err = run_main(capsys, "build", "--target", "esp32c3")
    assert code == 2
    assert "building for esp32c3 needs ESP-IDF" in err and "install.sh esp32c3" in err


def test_device_run_without_a_build_says_how_to_make_one(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(builds, "HAMMER_APP", tmp_path)
    code, err = run_main(capsys, "run", "--target", "esp32")
    assert code == 2
    assert "no esp32 build of" in err and "wshammer build --target esp32" in err


def test_device_run_without_a_board(capsys, tmp_path, monkeypatch):
    build = tmp_path / "build_esp32_wifi"
    build.mkdir()
    (build / "flasher_args.json").write_text("{}")
    monkeypatch.setattr(builds, "HAMMER_APP", tmp_path)
    code, err = run_main(capsys, "run", "--target", "esp32", "--port", str(tmp_path / "ttyUSB9"))
    assert code == 2 and "no board found on a serial port" in err


def test_pytest_command_line_for_linux(component, tmp_path):
    ns = cli.build_parser().parse_args(
        ["run", "--variant", "tsan", "--component", str(component), "--report", str(tmp_path), "-k", "echo", "--soak", "3"]
    )
    cli.check_args(ns)
    args = cli.pytest_args(ns)
    assert args[0].endswith("test_apps/ws_hammer/pytest_ws_hammer.py")
    for pair in (["--target", "linux"], ["--embedded-services", "idf"], ["--wsh-variant", "tsan"],
                 ["--wsh-component", str(component.resolve())], ["--wsh-report", str(tmp_path)], ["-k", "echo"],
                 ["--wsh-soak", "3"]):
        assert any(args[i : i + 2] == pair for i in range(len(args))), pair


def test_pytest_command_line_for_qemu():
    ns = cli.build_parser().parse_args(["run", "--target", "esp32c3", "--qemu"])
    cli.check_args(ns)
    args = cli.pytest_args(ns)
    assert "idf,qemu" in args and "--wsh-variant" not in args


def test_idf_build_apps_command_names_the_build_folders():
    args = cli.idf_build_apps_args(Path("/app"), "esp32", "wifi")
    assert args[1:4] == ["-m", "idf_build_apps", "build"]
    assert "build_@t_@w" in args and "sdkconfig.ci.wifi=" in args
    assert "--override-sdkconfig-files" not in args
    with_options = cli.idf_build_apps_args(Path("/app"), "esp32", "wifi", Path("/tmp/user.defaults"))
    assert with_options[-2:] == ["--override-sdkconfig-files", "/tmp/user.defaults"]


def test_kconfig_options_reach_pytest_merged(tmp_path):
    defaults = tmp_path / "tree.defaults"
    defaults.write_text("CONFIG_ESP_WS_CLIENT_CHECK_UTF8=y\nCONFIG_FREERTOS_HZ=1000\n")
    ns = cli.build_parser().parse_args(
        ["run", "--sdkconfig-defaults", str(defaults), "--sdkconfig", "ESP_WS_CLIENT_CHECK_UTF8=n"]
    )
    cli.check_args(ns)
    args = cli.pytest_args(ns)
    given = [args[i + 1] for i, arg in enumerate(args) if arg == "--wsh-sdkconfig"]
    assert given == ["CONFIG_ESP_WS_CLIENT_CHECK_UTF8=n", "CONFIG_FREERTOS_HZ=1000"]
    assert cli.linux_request(ns, builds.HAMMER_APP).sdkconfig == (
        ("CONFIG_ESP_WS_CLIENT_CHECK_UTF8", "n"), ("CONFIG_FREERTOS_HZ", "1000"))


def test_console_script_prints_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "wshammer.cli", "run", "--component", "/no/such/tree"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("wshammer: --component /no/such/tree: no such directory")
    assert "Traceback" not in proc.stderr
