"""The ``wshammer`` command: ``build`` the hammer app, ``run`` the hammer suite through pytest, ``conformance``
runs the Autobahn TestSuite's cases against the client (conformance_run.py).

Exit status: 0 every scenario passed, 1 a scenario failed, 2 the suite could not run (bad arguments, a
missing toolchain, board or build) - always with a message saying what is missing, never a traceback.
Argument handling and the pytest command line are pure functions; main() does the I/O.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import builds
from .builds import BuildProblem, BuildRequest
from .conformance import CASES, TRANSPORTS, render_findings, select_cases
from .linux_elf import VARIANTS
from .idf_env import DEFAULT_IDF_VERSION, SUPPORTED_IDF_VERSIONS
from .sdkconfig import render_defaults

DEVICE_TARGETS = ("esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32h2", "esp32p4")
TARGETS = ("linux", *DEVICE_TARGETS)
QEMU_TARGETS = ("esp32", "esp32c3")
SUITE = builds.HAMMER_APP / "pytest_ws_hammer.py"
EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


class UsageProblem(Exception):
    """Arguments that cannot work together; the message is for the user."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wshammer", description="Build and hammer esp_websocket_client test apps.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,run,conformance}")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--target", default="linux", choices=TARGETS, help="linux (default) or an ESP chip")
        p.add_argument("--variant", default="debug", choices=VARIANTS, help="linux build variant (default debug)")
        p.add_argument(
            "--platform", default=builds.PLATFORMS[0], choices=builds.PLATFORMS,
            help="linux: parallel (ESP-IDF's components over host/'s parallel kernel, sanitizers; default) or idf "
            "(ESP-IDF's own linux target)",
        )
        p.add_argument(
            "--idf-version", default=None, choices=SUPPORTED_IDF_VERSIONS,
            help=f"linux: the ESP-IDF version (default: IDF_PATH's, else {DEFAULT_IDF_VERSION} "
            "from scripts/setup.sh)",
        )
        p.add_argument("--component", type=Path, metavar="PATH", help="build with this esp_websocket_client tree")
        p.add_argument(
            "--sdkconfig", action="append", metavar="KEY=VALUE",
            help="a Kconfig option for the build, e.g. ESP_WS_CLIENT_SEPARATE_TX_LOCK=y (repeatable; wins over files)",
        )
        p.add_argument(
            "--sdkconfig-defaults", action="append", type=Path, metavar="FILE",
            help="an sdkconfig defaults file applied after the app's own (repeatable)",
        )

    build = sub.add_parser("build", help="build the hammer app (or another app with --app)")
    common(build)
    build.add_argument("--app", type=Path, default=builds.HAMMER_APP, metavar="PATH", help="ESP-IDF project to build")
    build.add_argument("--config", default=None, metavar="NAME", help="device builds: only sdkconfig.ci.NAME")

    run = sub.add_parser("run", help="build what is missing or stale, then run the hammer suite")
    common(run)
    run.add_argument("--report", type=Path, metavar="DIR", help="write report.json, junit.xml, stats.png here")
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="only scenarios matching this pytest -k expression")
    run.add_argument("--soak", type=int, default=1, metavar="N", help="multiply the suite's sizes by N")
    run.add_argument("--qemu", action="store_true", help=f"run in Espressif's QEMU ({', '.join(QEMU_TARGETS)})")
    run.add_argument("--port", metavar="DEV", help="the board's serial port (default: auto-detect)")
    run.add_argument("--server-host", default="auto", metavar="ADDR", help="address the DUT uses to reach the servers")

    conf = sub.add_parser("conformance", help="run the Autobahn TestSuite's cases 1-10 against the client (linux)")
    common(conf)
    conf.add_argument("--transport", default="both", choices=(*TRANSPORTS, "both"), help="ws, wss or both (default)")
    conf.add_argument(
        "--cases", action="append", metavar="GLOB",
        help=f"Autobahn case ids or globs, repeatable (default: {' '.join(CASES)})",
    )
    conf.add_argument(
        "--report", type=Path, default=Path("wshammer-conformance"), metavar="DIR",
        help="write conformance.json, conformance.txt, junit.xml and each run's logs here (default ./wshammer-conformance)",
    )
    return parser


def check_args(ns: argparse.Namespace) -> None:
    """Cross-argument checks argparse cannot express."""
    if ns.component is not None:
        ns.component = builds.check_component(ns.component)
    ns.settings = builds.user_sdkconfig(ns.sdkconfig, ns.sdkconfig_defaults)
    if ns.target == "linux":
        builds.check_platform(ns.platform, ns.variant)
    elif ns.platform != builds.PLATFORMS[0] or ns.idf_version is not None:
        raise UsageProblem("--platform and --idf-version are for the linux target")
    if getattr(ns, "app", None) is not None:
        ns.app = builds.check_app(ns.app)
    if ns.command == "conformance":
        if ns.target != "linux":
            raise UsageProblem(
                "conformance runs on linux for now: a board or QEMU would need the fuzzing server reachable "
                "from the device (docs/conformance.md)"
            )
        try:
            ns.cases = select_cases(ns.cases)
        except ValueError as exc:
            raise UsageProblem(f"--cases: {exc}") from None
        ns.report = writable_dir(ns.report)
    if ns.command == "run":
        if ns.soak < 1:
            raise UsageProblem(f"--soak {ns.soak}: a whole number >= 1")
        if ns.qemu and ns.target not in QEMU_TARGETS:
            raise UsageProblem(f"--qemu: Espressif's QEMU emulates {', '.join(QEMU_TARGETS)}, not {ns.target}")
        if ns.target == "linux" and (ns.qemu or ns.port):
            raise UsageProblem("--qemu and --port are for device targets, not linux")
        if ns.target != "linux" and (ns.component is not None or ns.settings):
            raise UsageProblem(
                "--component and --sdkconfig on a device target: build with `wshammer build --target "
                f"{ns.target} --component ... --sdkconfig ...` first; the run uses that build"
            )


def writable_dir(path: Path) -> Path:
    """``path`` made and checked for writing now, so a bad --report fails before a long run, not after it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".wshammer-write-check"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageProblem(f"--report {path}: cannot write there ({exc.strerror or exc})") from None
    return path.resolve()


def pytest_args(ns: argparse.Namespace) -> list[str]:
    """The pytest command line ``wshammer run`` amounts to."""
    args = [str(SUITE), "--target", ns.target, "-p", "no:cacheprovider", "--wsh-server-host", ns.server_host]
    # wshammer is imported before pytest starts, so pytest cannot rewrite its asserts; it need not.
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if ns.target == "linux":
        args += ["--embedded-services", "idf", "--wsh-variant", ns.variant, "--wsh-platform", ns.platform]
        if ns.idf_version:
            args += ["--wsh-idf-version", ns.idf_version]
    else:
        args += ["--embedded-services", "idf,qemu" if ns.qemu else "esp,idf"]
        if ns.port:
            args += ["--port", ns.port]
    if ns.component is not None:
        args += ["--wsh-component", str(ns.component)]
    for name, value in ns.settings:
        args += ["--wsh-sdkconfig", f"{name}={value}"]
    if ns.report is not None:
        args += ["--wsh-report", str(ns.report)]
    if ns.keyword:
        args += ["-k", ns.keyword]
    if ns.soak != 1:
        args += ["--wsh-soak", str(ns.soak)]
    return args


def linux_request(ns: argparse.Namespace, app: Path) -> BuildRequest:
    return BuildRequest(
        app, "linux", ns.variant, ns.component, platform=ns.platform, idf_version=ns.idf_version, sdkconfig=ns.settings
    )


def idf_build_apps_args(app: Path, target: str, config: str | None, overrides: Path | None = None) -> list[str]:
    rules = f"sdkconfig.ci.{config}=" if config else "sdkconfig.ci.*="
    args = [
        sys.executable, "-m", "idf_build_apps", "build",
        "-p", str(app), "-t", target, "--config-rules", rules,
        "--build-dir", "build_@t_@w", "--build-log-filename", "build_@t_@w.log",
    ]
    if overrides is not None:  # idf-build-apps applies it after every sdkconfig.ci file
        args += ["--override-sdkconfig-files", str(overrides)]
    return args


def missing_idf_message(target: str) -> str:
    return (
        f"building for {target} needs ESP-IDF, and IDF_PATH does not point at one "
        f"(it is {'unset' if not os.environ.get('IDF_PATH') else os.environ['IDF_PATH']!r}).\n"
        "Get it with: git clone --recursive https://github.com/espressif/esp-idf && esp-idf/install.sh "
        f"{target} && . esp-idf/export.sh  - then run this again. (linux builds need none of that.)"
    )


def do_build(ns: argparse.Namespace) -> int:
    if ns.target == "linux":
        build_dir = builds.build_linux(linux_request(ns, ns.app))
        print(f"built {build_dir}")
        return EXIT_OK
    if builds.real_idf_path() is None:
        print(missing_idf_message(ns.target), file=sys.stderr)
        return EXIT_UNUSABLE
    env = dict(os.environ)
    if ns.component is not None:
        env["WSH_COMPONENT_DIR"] = str(ns.component)
    with tempfile.TemporaryDirectory(prefix="wshammer-sdkconfig-") as scratch:
        overrides = None
        if ns.settings:
            overrides = Path(scratch) / "sdkconfig.user"
            overrides.write_text(render_defaults(ns.settings))
        code = subprocess.call(idf_build_apps_args(ns.app, ns.target, ns.config, overrides), env=env)
    return EXIT_OK if code == 0 else EXIT_UNUSABLE


def board_present(port: str | None) -> bool:
    if port:
        return Path(port).exists()
    from serial.tools import list_ports

    return any(port.vid is not None for port in list_ports.comports())  # USB serial adapters carry a vendor id


def prepare_run(ns: argparse.Namespace) -> None:
    """Build (linux) or check for a build, a board and QEMU (devices) before pytest starts."""
    if ns.target == "linux":
        build_dir = builds.build_linux(linux_request(ns, builds.HAMMER_APP))
        print(f"using {build_dir}", flush=True)
        return
    config = "qemu" if ns.qemu else "wifi"
    builds.find_device_build(BuildRequest(builds.HAMMER_APP, ns.target, config=config))
    if ns.qemu:
        qemu = "qemu-system-xtensa" if ns.target == "esp32" else "qemu-system-riscv32"
        from shutil import which

        if which(qemu) is None:
            raise UsageProblem(
                f"{qemu} is not on PATH; install Espressif's QEMU with "
                f"`python $IDF_PATH/tools/idf_tools.py install qemu-xtensa qemu-riscv32` and export it"
            )
    elif not board_present(ns.port):
        where = f" ({ns.port})" if ns.port else ""
        raise UsageProblem(f"no board found on a serial port{where}; connect one or pass --port")


def do_run(ns: argparse.Namespace) -> int:
    import pytest

    prepare_run(ns)
    code = pytest.main(pytest_args(ns))
    if code == pytest.ExitCode.OK:
        return EXIT_OK
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_FAILED
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print(f"no scenario matched{f' -k {ns.keyword!r}' if ns.keyword else ''}", file=sys.stderr)
    return EXIT_UNUSABLE


def do_conformance(ns: argparse.Namespace) -> int:
    from . import conformance_run

    build_dir = builds.build_linux(linux_request(ns, builds.TESTEE_APP))
    build = build_dir.name.removeprefix("build_linux_")
    agent = "wshammer" if ns.component is None else "".join(c for c in ns.component.name if c.isalnum()) or "tree"
    transports = TRANSPORTS if ns.transport == "both" else (ns.transport,)
    runs = []
    for transport in transports:
        label = f"{transport} linux/{build}"
        print(f"conformance {label}: {len(ns.cases)} case globs, testee {build_dir}", flush=True)
        run = conformance_run.run_once(build_dir, transport, ns.cases, label, agent, ns.report / f"{transport}-{build}",
                                       progress=lambda text: print(text, flush=True))
        print(render_findings(run), flush=True)
        runs.append(run)
    for path in conformance_run.write_outputs(runs, ns.report):
        print(f"wrote {path}")
    return EXIT_OK if all(run.ok for run in runs) else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        check_args(ns)
        commands = {"build": do_build, "run": do_run, "conformance": do_conformance}
        return commands[ns.command](ns)
    except (BuildProblem, UsageProblem) as exc:
        print(f"wshammer: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("wshammer: interrupted", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
