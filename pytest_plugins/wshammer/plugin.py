"""The wshammer pytest plugin (entry point ``wshammer``): options, servers and TLS fixtures, the ``hammer``
scenario runner, target selection, linux builds before the DUT starts, the log guard and the reports.

The log guard wraps the test call (pytest_runtest_call), so its failure is the test's own failure and it
runs while the DUT is still alive: on linux it sends ``quit``, waits for the exit status, then scans the
whole DUT log for fatal findings. Locking: pytest runs tests in one thread; the servers' ledgers have
their own locks; ``_RECORDS_KEY`` is appended to from that one thread only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import builds, report
from .builds import BuildProblem, BuildRequest
from .gdb import with_stacks
from .linux_elf import VARIANTS, sanitizer_env
from .idf_env import SUPPORTED_IDF_VERSIONS, IdfMissing, check_version, find_idf
from .logscan import describe, fatal_findings
from .report import ScenarioRecord
from .runner import Hammer, HammerError, HammerResult, linux_process
from .scenarios import ScenarioPlan, plan, silence_timeout_s
from .servers import BlackholePeer, EchoServer, SilentServer
from .tls import TlsMaterial, make_tls_material

QEMU_HOST_ADDRESS = "10.0.2.2"  # the host as seen from a QEMU guest in user-mode networking
QUIT_TIMEOUT_S = 15.0  # LSan and TSan summaries run at exit: give them time
LOG_SETTLE_S = 3.0
DEFAULT_TARGET = "linux"
EXIT_STATUS_PREFIX = "the app exited with status "

_RECORDS_KEY = pytest.StashKey[list]()
_OPTIONS_KEY = pytest.StashKey["WshOptions"]()
_HAMMER_USED_KEY = pytest.StashKey[bool]()


@dataclass(frozen=True)
class WshOptions:
    target: str
    variant: str
    component: Path | None
    server_host: str  # what the DUT dials
    bind_host: str  # what the servers listen on
    report_dir: Path | None
    soak: int
    services: tuple[str, ...]
    quit_timeout_s: float = QUIT_TIMEOUT_S
    app_config: str | None = None  # device builds' sdkconfig.ci.<name>; None on linux
    platform: str = builds.PLATFORMS[0]  # linux only: one of platforms.PLATFORMS
    idf_version: str | None = None  # linux: None is the user's IDF_PATH or the default version
    sdkconfig: tuple[tuple[str, str], ...] = ()  # linux builds: the user's Kconfig options (builds.user_sdkconfig)

    @property
    def on_linux(self) -> bool:
        return self.target == "linux"

    @property
    def build_label(self) -> str:
        """What ran, for the report: ``par<version>-<variant>`` on ESP-IDF over host/'s parallel kernel,
        ``idf<version>`` on ESP-IDF's own linux target."""
        if not self.on_linux:
            return "-"
        if self.platform == "idf":
            return f"idf{self.idf_version}"
        return f"par{self.idf_version}-{self.variant}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wshammer", "wshammer: hammer esp_websocket_client")
    group.addoption("--wsh-variant", default="debug", help="linux build variant: debug, tsan or asan (default debug)")
    group.addoption(
        "--wsh-platform",
        default=builds.PLATFORMS[0],
        help="linux: parallel (ESP-IDF's components over host/'s parallel kernel, sanitizers; default) or idf "
        "(ESP-IDF's own linux target)",
    )
    group.addoption(
        "--wsh-idf-version",
        default=None,
        metavar="X.Y.Z",
        help=f"linux: the ESP-IDF version ({', '.join(SUPPORTED_IDF_VERSIONS)}; default: IDF_PATH's or the "
        "default that scripts/setup.sh installed)",
    )
    group.addoption(
        "--wsh-component", default=None, metavar="PATH", help="another esp_websocket_client tree to build the apps with"
    )
    group.addoption(
        "--wsh-sdkconfig", action="append", default=None, metavar="KEY=VALUE",
        help="linux builds: a Kconfig option of the tree under test (repeatable; wins over --wsh-sdkconfig-defaults)",
    )
    group.addoption(
        "--wsh-sdkconfig-defaults", action="append", default=None, metavar="FILE",
        help="linux builds: an sdkconfig defaults file applied after the app's own (repeatable)",
    )
    group.addoption(
        "--wsh-server-host",
        default="auto",
        metavar="ADDR",
        help="address the DUT uses to reach the rig's servers: auto (127.0.0.1 on linux, 10.0.2.2 under QEMU, "
        "this machine's LAN address for a board) or an address",
    )
    group.addoption(
        "--wsh-report", default=None, metavar="DIR", help="write report.json, junit.xml, stats.png, summary.txt here"
    )
    group.addoption("--wsh-soak", default="1", metavar="N", help="multiply message counts, cycles and durations by N")
    group.addoption(
        "--wsh-app-config",
        default=None,
        metavar="NAME",
        help="device builds: the sdkconfig.ci.NAME build to run (default: qemu under QEMU, wifi on a board)",
    )
    group.addoption(
        "--wsh-quit-timeout",
        default=str(QUIT_TIMEOUT_S),
        metavar="S",
        help=f"seconds the linux app may take to exit after 'quit' (default {QUIT_TIMEOUT_S:g})",
    )


# --- options -----------------------------------------------------------------------------------------

def lan_address() -> str:
    """The address this machine uses towards the outside (no packet is sent: UDP connect only picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routable on paper, never answered
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def server_hosts(target: str, services: tuple[str, ...], given: str, lan: Callable[[], str] = lan_address) -> tuple[str, str]:
    """(address the DUT dials, address the servers bind)."""
    if target == "linux":
        public = "127.0.0.1" if given == "auto" else given
        return public, "127.0.0.1" if public.startswith("127.") else "0.0.0.0"
    if "qemu" in services:
        # QEMU's user-mode network forwards 10.0.2.2 to the host's loopback.
        return (QEMU_HOST_ADDRESS if given == "auto" else given), "127.0.0.1"
    return (lan() if given == "auto" else given), "0.0.0.0"


def parse_options(config: pytest.Config) -> WshOptions:
    """The rig's options, checked; a bad value is a pytest.UsageError naming it."""
    target = str(config.getoption("target", None) or DEFAULT_TARGET)
    variant = config.getoption("wsh_variant")
    if variant not in VARIANTS:
        raise pytest.UsageError(f"--wsh-variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    try:
        soak = int(config.getoption("wsh_soak"))
    except ValueError:
        soak = 0
    if soak < 1:
        raise pytest.UsageError(f"--wsh-soak {config.getoption('wsh_soak')!r}: a whole number >= 1")
    component = config.getoption("wsh_component")
    try:
        component_path = builds.check_component(Path(component), "--wsh-component") if component else None
        settings = builds.user_sdkconfig(
            config.getoption("wsh_sdkconfig"), config.getoption("wsh_sdkconfig_defaults"), "--wsh-sdkconfig"
        )
    except BuildProblem as exc:
        raise pytest.UsageError(str(exc)) from None
    if settings and target != "linux":
        raise pytest.UsageError(
            f"--wsh-sdkconfig: device builds are made before the run (wshammer build --target {target} --sdkconfig ...)"
        )
    try:
        quit_timeout = float(config.getoption("wsh_quit_timeout"))
    except ValueError:
        quit_timeout = -1.0
    if quit_timeout <= 0:
        raise pytest.UsageError(f"--wsh-quit-timeout {config.getoption('wsh_quit_timeout')!r}: seconds > 0")
    platform = config.getoption("wsh_platform")
    idf_version = config.getoption("wsh_idf_version")
    try:
        if idf_version is not None:
            check_version(idf_version)
    except IdfMissing as exc:
        raise pytest.UsageError(f"--wsh-idf-version: {exc}") from None
    try:
        builds.check_platform(platform, variant)
        if target == "linux":
            idf_version = find_idf(idf_version).version  # named in every build folder and report row
    except (BuildProblem, IdfMissing) as exc:
        raise pytest.UsageError(f"--wsh-platform {platform}: {exc}") from None
    services = tuple(s.strip() for s in (config.getoption("embedded_services", None) or "").split(",") if s.strip())
    public, bind = server_hosts(target, services, config.getoption("wsh_server_host"))
    report_dir = config.getoption("wsh_report")
    app_config = None
    if target != "linux":
        app_config = config.getoption("wsh_app_config") or ("qemu" if "qemu" in services else "wifi")
    return WshOptions(
        target=target,
        variant=variant,
        component=component_path,
        server_host=public,
        bind_host=bind,
        report_dir=Path(report_dir) if report_dir else None,
        soak=soak,
        services=services,
        quit_timeout_s=quit_timeout,
        app_config=app_config,
        platform=platform,
        idf_version=idf_version,
        sdkconfig=settings,
    )


def pytest_configure(config: pytest.Config) -> None:
    # Checked here, not in a fixture, so a bad option stops the session with a plain usage error.
    config.stash[_OPTIONS_KEY] = parse_options(config)
    config.stash[_RECORDS_KEY] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Of the tests that run a DUT, keep only those parametrized for the selected target (``--target``,
    default linux): pytest-embedded runs whatever is collected, ESP-IDF's own conftest filters like this."""
    target = str(config.getoption("target", None) or DEFAULT_TARGET)
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        item_target = params.get("target") if "dut" in getattr(item, "fixturenames", ()) else None
        (drop if item_target is not None and item_target != target else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# --- fixtures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def wsh_options(pytestconfig: pytest.Config) -> WshOptions:
    return pytestconfig.stash[_OPTIONS_KEY]


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory: pytest.TempPathFactory, wsh_options: WshOptions) -> TlsMaterial:
    extra = () if wsh_options.server_host in ("127.0.0.1", "localhost") else (wsh_options.server_host,)
    return make_tls_material(tmp_path_factory.mktemp("wsh_tls"), client_cert=True, extra_identities=extra)


@pytest.fixture(scope="session")
def ws_server(wsh_options: WshOptions) -> Iterator[EchoServer]:
    with EchoServer(bind_host=wsh_options.bind_host, public_host=wsh_options.server_host) as server:
        yield server


@pytest.fixture(scope="session")
def wss_server(wsh_options: WshOptions, tls_material: TlsMaterial) -> Iterator[EchoServer]:
    with EchoServer(tls=tls_material, bind_host=wsh_options.bind_host, public_host=wsh_options.server_host) as server:
        yield server


@pytest.fixture(scope="session")
def silent_server(wsh_options: WshOptions) -> Iterator[SilentServer]:
    with SilentServer(bind_host=wsh_options.bind_host, public_host=wsh_options.server_host) as server:
        yield server


@pytest.fixture(scope="session")
def blackhole_peer(wsh_options: WshOptions) -> Iterator[BlackholePeer]:
    with BlackholePeer(bind_host=wsh_options.bind_host, public_host=wsh_options.server_host) as peer:
        yield peer


@pytest.fixture(scope="session")
def wsh_app_build(wsh_options: WshOptions) -> Callable[[Path, str | None], Path]:
    """``get(app_dir, config) -> build folder``: on linux builds (once per session per app), elsewhere finds
    idf-build-apps' folder. A problem fails each test that needs the build with the same clear message."""
    cache: dict[BuildRequest, tuple[Path | None, str | None]] = {}

    def get(app_dir: Path, config: str | None = None) -> Path:
        request = BuildRequest(
            app_dir=Path(app_dir).resolve(),
            target=wsh_options.target,
            variant=wsh_options.variant,
            component=wsh_options.component,
            config=config,
            platform=wsh_options.platform,
            idf_version=wsh_options.idf_version,
            sdkconfig=wsh_options.sdkconfig,
        )
        if request not in cache:
            try:
                built = builds.build_linux(request) if wsh_options.on_linux else builds.find_device_build(request)
                cache[request] = (built, None)
            except BuildProblem as exc:
                cache[request] = (None, str(exc))
        built, problem = cache[request]
        if built is None:
            pytest.fail(problem or "no build", pytrace=False)
        return built

    return get


@pytest.fixture
def wsh_linux_environment(wsh_options: WshOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sanitizer options for the linux DUT: pytest-embedded starts the ELF with pytest's environment."""
    if not wsh_options.on_linux:
        return
    for key, value in sanitizer_env(wsh_options.variant, os.environ).items():
        monkeypatch.setenv(key, value)


def _progress_writer(config: pytest.Config) -> Callable[[str], None]:
    terminal = config.pluginmanager.getplugin("terminalreporter")
    capture = config.pluginmanager.getplugin("capturemanager")
    if terminal is None or config.getoption("verbose") < 0:
        return lambda line: None

    def write(line: str) -> None:
        guard = capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()
        with guard:
            terminal.write_line(f"  [wsh] {line}")

    return write


def _boot_timeout(options: WshOptions) -> float:
    # A board joins a network first; QEMU boots slowly; sanitizer builds start slowly.
    base = 30.0 if options.on_linux else 120.0
    return base * (silence_timeout_s(options.variant) / silence_timeout_s("debug"))


@pytest.fixture
def hammer(
    request: pytest.FixtureRequest,
    dut,
    ws_server: EchoServer,
    wss_server: EchoServer,
    silent_server: SilentServer,
    blackhole_peer: BlackholePeer,
    tls_material: TlsMaterial,
    wsh_options: WshOptions,
) -> Hammer:
    """Runs scenarios on ``dut``: ``hammer.run(plan)`` returns a HammerResult (outcome, ledger, verdict)."""
    request.node.stash[_HAMMER_USED_KEY] = True
    records: list = request.config.stash[_RECORDS_KEY]
    started = time.monotonic()

    def record(result: HammerResult) -> None:
        nonlocal started
        records.append(
            ScenarioRecord(
                nodeid=request.node.nodeid,
                name=result.plan_name,
                target=wsh_options.target,
                variant=wsh_options.build_label,
                ok=result.verdict.ok,
                skipped=result.verdict.skipped,
                reasons=list(result.verdict.reasons),
                figures=dict(result.verdict.figures),
                stats=result.stats,
                latencies=result.latencies,
                command=result.command,
                duration_s=time.monotonic() - started,
            )
        )
        started = time.monotonic()

    return Hammer(
        dut,
        ws_server=ws_server,
        wss_server=wss_server,
        silent_server=silent_server,
        blackhole=blackhole_peer,
        tls=tls_material,
        variant=wsh_options.variant,
        boot_timeout_s=_boot_timeout(wsh_options),
        progress=_progress_writer(request.config),
        record=record,
    )


@pytest.fixture
def hammer_plan(wsh_options: WshOptions) -> Callable[..., ScenarioPlan]:
    """``hammer_plan('multi_send')``: the suite's plan for the selected target, scaled by --wsh-soak."""

    def make(scenario: str, **kwargs) -> ScenarioPlan:
        built_by = wsh_options.idf_version if wsh_options.on_linux else None
        return plan(scenario, target=wsh_options.target, idf_version=built_by, soak=wsh_options.soak, **kwargs)

    return make


# --- the log guard -----------------------------------------------------------------------------------

def _stop_linux_process(dut, send_quit: bool, quit_timeout_s: float) -> list[str]:
    """Ask the app to quit (when the test drove it), then judge its exit status. Linux DUTs only: a board
    or QEMU has no process of its own to end."""
    proc = linux_process(dut)
    if proc is None:
        return []
    if proc.poll() is None and send_quit:
        with contextlib.suppress(OSError, ValueError):
            dut.write("quit")
        deadline = time.monotonic() + quit_timeout_s
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            return [with_stacks(f"the app did not exit within {quit_timeout_s:g} s of 'quit' (hung shutdown)", proc)]
    code = proc.poll()
    if code is None or code == 0:
        return []
    if code < 0:
        return [f"the app was killed by signal {-code}"]
    return [f"{EXIT_STATUS_PREFIX}{code}"]


def _settled_text(path: Path) -> str:
    """The DUT log once its size stops changing (a listener process writes it)."""
    deadline = time.monotonic() + LOG_SETTLE_S
    size = -1
    while time.monotonic() < deadline:
        current = path.stat().st_size if path.exists() else 0
        if current == size:
            break
        size = current
        time.sleep(0.2)
    return path.read_text(errors="replace") if path.exists() else ""


@dataclass(frozen=True)
class GuardProblem:
    """One thing the log guard found: a one-line reason for the report, and the full text for the failure."""

    reason: str
    detail: str


def guard_problems(dut, send_quit: bool, quit_timeout_s: float = QUIT_TIMEOUT_S) -> list[GuardProblem]:
    problems = [GuardProblem(p.splitlines()[0], p) for p in _stop_linux_process(dut, send_quit, quit_timeout_s)]
    logfile = getattr(dut, "logfile", None)
    if logfile:
        findings = fatal_findings(_settled_text(Path(logfile)))
        if findings:
            # The report names every distinct finding (its kind, what happened and where), not just their count.
            detail = describe(findings)
            problems.extend(GuardProblem(f"{f.kind}: {f.headline}", detail) for f in findings)
    return problems


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    outcome = yield
    funcargs = getattr(item, "funcargs", {})
    if "dut" not in funcargs:
        return
    duts = funcargs["dut"] if isinstance(funcargs["dut"], (list, tuple)) else [funcargs["dut"]]
    send_quit = item.stash.get(_HAMMER_USED_KEY, False)
    quit_timeout = item.config.stash[_OPTIONS_KEY].quit_timeout_s
    problems = [p for d in duts for p in guard_problems(d, send_quit, quit_timeout)]
    if outcome.excinfo is not None:
        # The app exits 1 when one of its runs failed: already the test's own failure, not news.
        problems = [p for p in problems if p.detail != f"{EXIT_STATUS_PREFIX}1"]
    if not problems:
        return
    for rec in item.config.stash[_RECORDS_KEY]:
        if rec.nodeid == item.nodeid:
            for problem in problems:
                rec.fail(problem.reason)
    details = list(dict.fromkeys(p.detail for p in problems))
    message = "log guard:\n" + "\n".join(details)
    if outcome.excinfo is not None:
        message += f"\n\nthe test itself failed too:\n{outcome.excinfo[1]}"
    outcome.force_exception(AssertionError(message))


# --- reports -------------------------------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A hammer test that failed before any run was judged (a build, no READY) still gets a report row."""
    outcome = yield
    report_ = outcome.get_result()
    if not report_.failed or "hammer" not in getattr(item, "fixturenames", ()):
        return
    records: list = item.config.stash[_RECORDS_KEY]
    if any(rec.nodeid == item.nodeid for rec in records):
        return
    options: WshOptions = item.config.stash[_OPTIONS_KEY]
    why = call.excinfo.exconly().splitlines()[0] if call.excinfo is not None else report_.when
    records.append(
        ScenarioRecord(
            nodeid=item.nodeid,
            name=item.name.removeprefix("test_"),
            target=options.target,
            variant=options.build_label,
            ok=False,
            reasons=[f"{report_.when}: {why}"],
            duration_s=call.duration,
        )
    )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    records = config.stash.get(_RECORDS_KEY, [])
    if not records:
        return
    options: WshOptions = config.stash[_OPTIONS_KEY]
    terminalreporter.write_sep("=", "wshammer scenarios")
    terminalreporter.write_line(report.tree_line(options.component, options.sdkconfig))
    terminalreporter.write(report.render_table(records, width=max(terminalreporter._tw.fullwidth, 120)))
    report_dir = options.report_dir
    if report_dir is not None:
        for path in report.write_all(records, report_dir):
            terminalreporter.write_line(f"wrote {path}")


__all__ = ["GuardProblem", "Hammer", "HammerError", "WshOptions", "guard_problems", "parse_options", "server_hosts"]
