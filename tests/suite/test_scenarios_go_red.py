"""Each scenario of the hammer suite goes red on a deliberately broken client, for the right reason.

For every case a copy of the component gets one mutant patch (tests/mutants/, README there), and
``wshammer run --target linux --variant V --component <copy> -k <scenario>`` must exit 1 with report.json's
record for that scenario (plus the log guard's findings, which report.json only counts) naming the defect's
symptom: a sentinel violation of the right kind, a sanitizer report, a heap that grows, a lost or corrupt
message, a missing handshake status. The same selection must pass on the real component: the main jobs
(test_main_job.py) run it at the suite's own size, a control here at a larger --soak. Each mutant is built once
per variant, in the cheapest variant that shows it (the CLI keeps a build folder per component path, so later
sessions rebuild only the patched files). A race shows in most runs, not in all: such a case runs at a larger
``--soak`` (its control too) and may take a few attempts to go red.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from wshammer.idf_env import DEFAULT_IDF_VERSION

import suite_cli
from test_main_job import main_job_builds

pytestmark = pytest.mark.slow  # whole runs of wshammer

RUN_TIMEOUT_S = {"debug": 180, "asan": 300, "tsan": 600}
# destroy() freeing the client under its still-running task shows as one of these, whichever the task
# touches first: freed memory (ASan) or a lock it still waits on (host/'s FreeRTOS kernel).
FREED_UNDER_TASK = (
    r"^\[asan\] .*AddressSanitizer: heap-use-after-free"
    r"|^\[freertos_fatal\] .*deleted by task \S+ while \d+ task\(s\) wait on it"
)

HEAP_FELL_OVER_CYCLES = r"heap fell \d+ bytes from the first to the last cycle \(tolerance \d+\)"
# On ESP-IDF's linux target (no sanitizer) the task's next touch of the freed client trips FreeRTOS's own
# assertion on the freed lock's queue.
STOP_EARLY_ON_IDF = r"^\[assert\] .*FreeRTOS-Kernel/queue\.c:\d+: xQueue\w+: Assertion"
# The fault frame reaches the application and the connection goes on.
NO_FRAME_CHECKS_ON_IDF = r"no DISCONNECTED/CLOSED event within \d+ ms of the fault"
# F11: the app lists its sockets the moment stop() returns.
SOCKET_LEFT_OPEN = r"stop\(\) returned with the client's socket \(fd \d+\) still open"
# ThreadSanitizer's own report of a race inside Mbed TLS (the parallel platform builds it with the sanitizer).
TSAN_RACE_IN_MBEDTLS = r"^tsan: data race in \w+ \(library/ssl_\w+\.c:\d+\)"
# The task calling stop() reads the socket from ESP-IDF's TCP transport while the client task's connect writes it.
SOCKET_READ_BESIDE_CONNECT = (r"^tsan: data race in \w+ \(tcp_transport/transport_ssl\.c:\d+\).*"
                              r"against \w+ \(tcp_transport/transport_ssl\.c:\d+\)")
# A hang is named by where each task stood (gdb, before the app is killed): here the scenario task in stop().
HUNG_IN_STOP = r"scenario_task \| stop_and_wait \(esp_websocket_client/esp_websocket_client\.c:\d+\) \| xEventGroupWaitBits"


@dataclass(frozen=True)
class RedCase:
    record: str  # the scenario's name in report.json
    keyword: str  # the -k selecting that one test
    mutant: str  # tests/mutants/<mutant>.patch
    variant: str
    causes: tuple[str, ...]  # regexes, each must match the failure evidence (re.MULTILINE)
    soak: int = 1  # wshammer run --soak: more cycles where the suite's CI size catches a race only sometimes
    attempts: int = 1  # a race shows in most runs, not all: the mutant must go red within this many
    # parallel (ESP-IDF's components over host/'s kernel); idf (ESP-IDF's own linux target, variant debug)
    platform: str = "parallel"

    @property
    def id(self) -> str:
        soak = f"-soak{self.soak}" if self.soak != 1 else ""
        where = {"idf": f"idf{DEFAULT_IDF_VERSION}", "parallel": f"par{DEFAULT_IDF_VERSION}-{self.variant}"}[self.platform]
        return f"{self.record.replace(' ', '-')}-{self.mutant}-{where}{soak}"

    def cli_args(self) -> list[str]:
        return ["--platform", self.platform, "--idf-version", DEFAULT_IDF_VERSION, "--variant", self.variant,
                "-k", self.keyword, "--soak", str(self.soak)]


CASES = (
    RedCase("echo", "echo", "rig_data_offset_after_advance", "debug", (r"app counted corrupt=[1-9]",)),
    RedCase(
        "multi_send",
        "multi_send and not large and not stream and not short_timeouts",
        "unlocked_send",
        "debug",
        # The interleaved frames then break the stream (a server protocol error) or crash the app: either way
        # the sentinel has named the cause first. About one run in six has no two sends overlapping at all.
        (r"^\[sentinel\] .*VIOLATION kind=ws_write_concurrent",),
        attempts=3,
    ),
    # The whole message under one lock hold: the client cannot read while it writes, the echoes back up, the
    # server stops reading, and the write stalls until the send timeout drops the healthy connection.
    RedCase(
        "multi_send large",
        "multi_send_large",
        "message_holds_lock",
        "debug",
        (r"the connection to a healthy server failed",),
    ),
    # The client task waits for the next push inside a locked read (F1): every send waits with it. On the
    # parallel platform the senders sometimes get all their messages out before the reader takes the lock
    # (5 runs of 6 red; the senders starve the reader, issue 14), so a few tries.
    RedCase(
        "multi_send stream",
        "multi_send_stream",
        "reader_holds_lock",
        "debug",
        (r"a send took [\d.]+ ms \(bound \d+ ms; .*\(F1\)",),
        attempts=3,
    ),
    # A send that misses its turn within 5 ms aborts the connection (F12).
    RedCase(
        "multi_send short_timeouts",
        "multi_send_short_timeouts",
        "timeout_aborts",
        "debug",
        (r"the connection to a healthy server failed",),
    ),
    RedCase(
        "partial",
        "partial",
        "rig_partial_fin_always",
        "debug",
        (r"server protocol error\(s\) \(interleaved or broken frames\): .*continuation frame",),
    ),
    # Every call of the partial API gives the turn up (F15): the tasks' fragments interleave on the wire. On
    # the parallel platform 5 runs of 6 (one fresh-clone run of four had none interleave), so a few tries.
    RedCase(
        "partial",
        "partial",
        "partial_releases_turn",
        "debug",
        (r"server protocol error\(s\) \(interleaved or broken frames\): .*expected a continuation frame",),
        attempts=3,
    ),
    # A send must fail (a chaos stop/close cut the socket) for the sender to close the transport, and its next
    # write must come before the client task reconnects: in debug on the parallel platform 0 runs of 3 at
    # --soak 4 showed it; in tsan, which slows every call, each run does (the sender polls the closed transport).
    RedCase(
        "abort_storm",
        "abort_storm and not wss",
        "user_task_close",
        "tsan",
        (r"^\[sentinel\] .*VIOLATION kind=io_after_close",),
        soak=4,
        attempts=3,
    ),
    RedCase(
        "server_faults handshake_500",
        "server_faults and handshake_500",
        "rig_handshake_status_dropped",
        "debug",
        (r"handshake status 0 reported, 500 expected",),
    ),
    # Over ESP-IDF's own esp-tls and Mbed TLS, built with ThreadSanitizer: the sentinel on esp-tls's calls and
    # TSan inside Mbed TLS both name it.
    RedCase(
        "wss_reconnect",
        "wss_reconnect and not reset_large",
        "tls_read_beside_write",
        "tsan",
        (r"^\[sentinel\] .*VIOLATION kind=tls_concurrent", TSAN_RACE_IN_MBEDTLS),
        attempts=3,  # about one run in six (on a loaded machine) has no read beside a write
    ),
    RedCase(
        "lifecycle",
        "lifecycle",
        "leak_per_reconnect",
        "debug",
        (HEAP_FELL_OVER_CYCLES,),
    ),
    # At the suite's CI size (4 reconnects) a 1 kB leak per connection stays inside wss_reconnect's heap
    # tolerance; LeakSanitizer names it at exit, and the app's own check (a device's only one) over 48.
    RedCase(
        "wss_reconnect",
        "wss_reconnect and not reset_large",
        "leak_per_reconnect",
        "debug",
        (r"heap fell \d+ bytes over the reconnects \(tolerance \d+\)",),
        soak=12,
    ),
    RedCase(
        "wss_reconnect",
        "wss_reconnect and not reset_large",
        "leak_per_reconnect",
        "asan",
        (r"^\[lsan\] .*LeakSanitizer: detected memory leaks",),
    ),
    # stop() that only signals: destroy() frees the client under its task (in debug: a bare SIGSEGV).
    RedCase(
        "stop_latency",
        "stop_latency",
        "stop_returns_early",
        "asan",
        (FREED_UNDER_TASK, r"esp_websocket_client/(ws_client_\w+|esp_websocket_client)\.c"),
        attempts=3,  # 8 runs of 10: the task may be done before destroy frees the client
    ),
    RedCase("lifecycle", "lifecycle", "stop_returns_early", "asan", (FREED_UNDER_TASK,), attempts=3),
    # The reconnect wait reports the task gone as it sees the stop, and the task tears down after (F8):
    # destroy() has freed the client under it.
    RedCase("stop_latency", "stop_latency", "rig_reconnect_wait_reports_exit_early", "asan",
            (FREED_UNDER_TASK, r"heap-use-after-free in ws_lock \(.*\); freed in ws_client_free")),
    # stop() that asks the task to close and returns before it has (F11, PR #997's asynchronous close), with
    # destroy() still safe: only the open socket is wrong.
    RedCase("stop_latency", "stop_latency", "rig_stop_closes_later", "debug", (SOCKET_LEFT_OPEN,)),
    # start() that clears EXITED only after its task ran (F7): a task that failed at once has exited already,
    # so the stop of start_failed waits forever.
    RedCase("stop_latency", "stop_latency", "rig_start_clears_exited_late", "debug",
            (r"stop_latency: no RESULT within \d+ s", HUNG_IN_STOP, r'op="stop"')),
    # A stop that lands before the client task runs is lost (the task clears it as it begins): destroy()
    # right after start() waits forever, named by the scenario task's place in the hang report.
    RedCase("lifecycle", "lifecycle", "rig_task_forgets_an_early_stop", "debug",
            (r"lifecycle: no RESULT within \d+ s", HUNG_IN_STOP, r'op="destroy"')),
    # A connected task that notices stop() only when its 1 s wait for data ends (upstream 1.8's stop while idle).
    RedCase("stop_latency", "stop_latency", "rig_stop_waits_out_the_read", "debug",
            (r"stop\(s\) took >= 250 ms; worst \d+(\.\d+)? ms in state \w+ \(slow in: [^)]*connected_idle",)),
    # stop() in the reconnect wait waits for the reconnect timer (F10).
    RedCase("stop_latency", "stop_latency", "rig_reconnect_wait_ignores_stop", "debug",
            (r"stop\(s\) took >= 250 ms; .*\(slow in: [^)]*reconnect_wait",)),
    # stop() leaves an upgrade to finish or time out (F9): the one step of a connect stop() can cut, the socket
    # being known by then.
    RedCase("stop_latency", "stop_latency", "rig_stop_waits_for_the_connect", "debug",
            (r"stop\(s\) took >= 250 ms; .*\(slow in: ws_handshake\)",)),
    # The socket taken from ESP-IDF's transport by whichever task asks, as before the relay: stop() during the
    # TCP connect reads it beside the connect's write, and ThreadSanitizer names both places in ESP-IDF's code.
    RedCase("stop_latency", "stop_latency", "rig_socket_read_beside_connect", "tsan",
            (SOCKET_READ_BESIDE_CONNECT, r"base_get_socket")),
    # A send refused for a closed connection keeps the lock (F14): the next task to lock waits forever, and the
    # rig names it from the stuck task's stack.
    RedCase("abort_storm", "abort_storm and not wss", "rig_refused_send_keeps_the_lock", "debug",
            (r"abort_storm: a task is stuck inside the client",
             r"\| ws_lock \(esp_websocket_client/esp_websocket_client\.c:\d+\) \| xQueueTakeMutexRecursive")),
    # The storm over wss with a refused send that keeps the lock (F14 beside TLS). The storm's wss run is F2's
    # too, but there tls_read_beside_write shows in only 5 runs of 10 (chaos leaves few sends beside reads):
    # F2's proof in CI is wss_reconnect's.
    RedCase("abort_storm wss", "abort_storm_wss", "rig_refused_send_keeps_the_lock", "debug",
            (r"abort_storm: a task is stuck inside the client",
             r"\| ws_lock \(esp_websocket_client/esp_websocket_client\.c:\d+\) \| xQueueTakeMutexRecursive"),
            attempts=3),
    # A send that goes on with its message after the client task ended the connection under it (F5): the
    # rest of the message is written to the closed transport.
    RedCase("wss_reconnect reset_large", "wss_reconnect and reset_large", "rig_send_goes_on_after_the_abort",
            "debug", (r"^\[sentinel\] .*VIOLATION kind=io_after_close .*task=wsh_sender",), attempts=6),
    # The same defects on ESP-IDF's own linux target, where no sanitizer runs: the app's own checks name them.
    RedCase("lifecycle", "lifecycle", "leak_per_reconnect", "debug", (HEAP_FELL_OVER_CYCLES,),
            platform="idf"),
    RedCase("stop_latency", "stop_latency", "stop_returns_early", "debug", (STOP_EARLY_ON_IDF,), attempts=3,
            platform="idf"),
    RedCase("stop_latency", "stop_latency", "rig_stop_closes_later", "debug", (SOCKET_LEFT_OPEN,),
            platform="idf"),
    # ESP-IDF's transport checks no continuation order: without the client's own checks a stray continuation
    # reaches the application.
    RedCase("server_faults malformed_continuation", "server_faults and malformed_continuation",
            "rig_no_frame_checks", "debug", (NO_FRAME_CHECKS_ON_IDF,), platform="idf"),
)


def run_selection(case: RedCase, report_dir, component=None) -> tuple[suite_cli.CliRun, dict]:
    args = case.cli_args()
    if component is not None:
        args += ["--component", str(component)]
    run = suite_cli.run_cli(args, report_dir, RUN_TIMEOUT_S[case.variant])
    print(f"{' '.join(run.command)}: exit {run.returncode} in {run.seconds:.0f} s")
    assert run.returncode in (0, 1), f"the suite could not run (exit {run.returncode}):\n{run.tail()}"
    records = suite_cli.records_by_name(suite_cli.read_report(run.report_dir))
    assert list(records) == [case.record], f"-k {case.keyword!r} selected {list(records)}, not [{case.record!r}]"
    return run, records[case.record]


def suite_row(name: str) -> str:
    """server_faults counts as one row (one red case covers its fault paths); every other name is its own."""
    return "server_faults" if name.startswith("server_faults ") else name


def test_every_scenario_has_a_red_case() -> None:
    assert {suite_row(case.record) for case in CASES} == {suite_row(name) for name in suite_cli.suite_names()}


def test_every_rig_mutant_is_used() -> None:
    rig_patches = {p.stem for p in suite_cli.MUTANTS_DIR.glob("rig_*.patch")}
    assert rig_patches <= {case.mutant for case in CASES}


def why_not_red(case: RedCase, run: suite_cli.CliRun, record: dict) -> str | None:
    """None when the run went red for every one of the case's causes, else what the rig said instead."""
    evidence = suite_cli.failure_evidence(record, suite_cli.guard_findings(run.output))
    if run.returncode != 1 or record["ok"]:
        return f"{case.record} passed on {case.mutant}:\n{run.tail()}"
    missing = [cause for cause in case.causes if not re.search(cause, evidence, re.MULTILINE)]
    if missing:
        return f"{case.record} went red on {case.mutant}, but not for {missing}; the rig said:\n{evidence}"
    return None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_scenario_goes_red_on_mutant(case: RedCase, tmp_path) -> None:
    copy = suite_cli.mutant_copy(case.mutant)
    for attempt in range(1, case.attempts + 1):
        run, record = run_selection(case, tmp_path / f"attempt{attempt}", copy)
        problem = why_not_red(case, run, record)
        if problem is None:
            return
    pytest.fail(f"{problem}\n({case.attempts} run(s))", pytrace=False)


def controls(cases: tuple[RedCase, ...]) -> list[RedCase]:
    """The cases whose selection no main job runs (a larger --soak), one per distinct selection: every other
    control would repeat a run of test_main_job.py, which passes the whole suite on the real component in that
    build (test_every_other_control_is_a_main_job_run)."""
    seen: dict[tuple, RedCase] = {}
    for case in cases:
        if case.soak != 1:
            seen.setdefault((case.keyword, case.variant, case.platform, case.soak), case)
    return list(seen.values())


def test_every_other_control_is_a_main_job_run() -> None:
    builds = main_job_builds()
    uncovered = [case.id for case in CASES if case.soak == 1 and (case.platform, case.variant) not in builds]
    assert not uncovered, f"no main job runs these cases' selection on the real component: {uncovered}"


@pytest.mark.parametrize("case", controls(CASES), ids=lambda c: c.id)
def test_same_selection_passes_on_real_component(case: RedCase, tmp_path) -> None:
    run, record = run_selection(case, tmp_path / "report")
    assert run.returncode == 0 and record["ok"], (
        f"the real component fails {case.record} in {case.variant}: {record['reasons']}\n{run.tail(30)}"
    )
