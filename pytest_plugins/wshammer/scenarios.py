"""The hammer suite's scenarios: the command parameters each is run with (sized for CI, scaled by --wsh-soak),
what a correct run looks like (verdict.Expectation), and how long the rig waits. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .verdict import Expectation

SCENARIOS = (
    "echo",
    "multi_send",
    "partial",
    "abort_storm",
    "server_faults",
    "wss_reconnect",
    "lifecycle",
    "stop_latency",
)

# Fault paths server_faults is run against (docs/hammer-protocol.md, "Server paths"), by test id.
FAULT_PATHS = {
    "close": "/close?after=20&code=1001",
    "reset": "/reset?after=20",
    "stall": "/stall?after=20",
    "malformed_rsv": "/malformed?after=20&kind=reserved_bits",
    "malformed_opcode": "/malformed?after=20&kind=bad_opcode",
    "malformed_continuation": "/malformed?after=20&kind=stray_continuation",
    "malformed_interleave": "/malformed?after=20&kind=data_in_fragment",
    "malformed_control": "/malformed?after=20&kind=fragmented_control",
    "handshake_500": "/handshake?kind=status_500",
    "handshake_accept": "/handshake?kind=bad_accept",
}

# Other runs of a scenario, each for a failure of the catalogue, recorded as "<scenario> <shape>".
# multi_send:
# large: 32-64 kB messages, dozens of frames each, so the server's echoes back up while the senders still
#   write: the client must keep reading between the frames of a message. The server's side of loopback is
#   Linux's (autotuned to megabytes; host/ gives the client lwIP's few kB), hence hundreds of messages.
# stream (F1): the server pushes 16 kB every STREAM_INTERVAL_MS while the tasks send; a client that waits
#   for the next push inside a locked read keeps every sender waiting for it.
# short_timeouts (F12): 8 tasks with a 5 ms send timeout, far below the app's SHORT_TIMEOUT_MS (50): sends
#   may fail to get their turn, the healthy connection must never be dropped for it.
# abort_storm wss (F2): the storm over TLS, reads and writes of several tasks on one Mbed TLS context.
# wss_reconnect reset_large (F5): the server resets the connection every few 32-64 kB messages, dozens of
#   frames each, so resets land in the middle of a message being written.
SHAPES = {
    "multi_send": ("large", "stream", "short_timeouts"),
    "abort_storm": ("wss",),
    "wss_reconnect": ("reset_large",),
}
STREAM_INTERVAL_MS = 1500
# The longest one send may take beside the stream, and its send timeout: a fifth of the wait for the next
# push, many times what a send takes when the client reads only what has arrived (a few ms, tens under
# TSan). A stalled send fails at it, so a client with the defect fails fast instead of hanging the run.
SEND_STALL_BOUND_MS = STREAM_INTERVAL_MS // 5

# How much slower each build runs than a plain one (TSan instruments every access).
VARIANT_SLOWDOWN = {"debug": 1.0, "asan": 2.0, "tsan": 5.0}
# The app's senders are unpaced (they do not wait for echoes), so a cut connection may take every message
# its sockets held: fault scenarios bound mid-connection losses only (verdict.py).
UNPACED = None
# The client states stop_latency stops in (docs/hammer-protocol.md); the rig gives it every peer they need.
STOP_STATES = (
    "connected_idle", "receiving", "tcp_connect", "tls_handshake", "ws_handshake", "reconnect_wait", "start_failed"
)
# What stop() may take in any state it can cut short. Measured for ours: under 1 ms at p99 on host/ (debug
# and tsan) and about 1 ms on ESP-IDF's linux target; upstream 1.8 takes 1 s connected and idle, 5-10 s
# receiving or connecting (F9, F10). A quarter of that second keeps a 1 s stop red with room for a loaded CI.
STOP_BOUND_MS = 250
# stop() cannot cut a TCP connect or TLS handshake short anywhere: every esp-tls (ESP-IDF's, on every chip and
# both linux platforms built by ESP-IDF, and host/'s) keeps its socket inside until its connect returns, and the
# client learns it only then (ws_client_relay.c). So those two states are held to network_timeout_ms
# (uncut_connect; F9 half closed, docs/concurrency.md); the upgrade after them is cut short, except before
# ESP-IDF v5.5 (uncut_connect_level).
# Bytes one run may keep. Each test's run is the first in its process, so one-time allocations (event loop,
# the app's reporter tasks, lwIP/mbedTLS caches on a device) land in it: about 18 kB on linux. Small per-use
# leaks are the app's to find (heap over lifecycle's and wss_reconnect's cycles) and, on linux, exactly
# LeakSanitizer's at exit (asan variant); this bound catches a leak per message or per connection.
HEAP_BOUND = 32768


@dataclass(frozen=True)
class ScenarioPlan:
    scenario: str
    server: str  # "ws" or "wss"
    path: str
    params: dict[str, int | str] = field(default_factory=dict)
    expect: Expectation = field(default_factory=lambda: Expectation(scenario="echo"))
    needs_stall_peers: bool = False  # stall_uri (silent after accept) and blackhole_uri (connect never answered)
    needs_ca: bool = False  # the CA even on a ws:// uri (stop_latency's TLS handshake state)


def _scaled(params: dict[str, int | str], soak: int, keys: tuple[str, ...]) -> dict[str, int | str]:
    return {k: (v * soak if k in keys and isinstance(v, int) else v) for k, v in params.items()}


def unsupported_fault(fault: str, idf_version: str | None) -> str | None:
    """Why no client can pass ``fault`` on a linux build by this ESP-IDF version (None: a device build, whose
    ESP-IDF the rig does not know), or None. ESP-IDF's ws transport reports a frame's
    reserved bits only by refusing the frame itself, from v5.5; v5.3's drops them unread (transport_ws.c keeps
    only the opcode), so nothing built on it can refuse such a frame."""
    if fault == "malformed_rsv" and _before_5_5(idf_version):
        return f"ESP-IDF v{idf_version}'s ws transport drops a frame's reserved bits unread: no client can see them"
    return None


def _before_5_5(idf_version: str | None) -> bool:
    if idf_version is None:
        return False
    major, minor = (int(part) for part in idf_version.split(".")[:2])
    return (major, minor) < (5, 5)


def uncut_connect_level(idf_version: str | None) -> int:
    """How much of a connect stop() cannot cut (the app's uncut_connect): 1, esp-tls's TCP connect and TLS
    handshake, everywhere; 2, the upgrade after them too, on an ESP-IDF before v5.5 (``idf_version``; None: not
    known to be older), whose ws transport takes no parent of the client's own, so the client learns the socket
    only when the whole connect returns (ws_client_relay.c)."""
    return 2 if _before_5_5(idf_version) else 1


def plan(
    scenario: str,
    *,
    target: str = "linux",
    idf_version: str | None = None,
    soak: int = 1,
    fault: str | None = None,
    shape: str | None = None,
) -> ScenarioPlan:
    """The run of ``scenario`` the suite makes; ``idf_version``: the ESP-IDF that built the app when the rig
    knows it; ``soak`` multiplies message counts, cycles and durations.
    ``fault``: a key of FAULT_PATHS (server_faults only); ``shape``: one of the scenario's SHAPES."""
    if shape is not None and shape not in SHAPES.get(scenario, ()):
        raise ValueError(f"shape {shape!r}: {scenario} has {', '.join(SHAPES.get(scenario, ())) or 'none'}")
    if soak < 1:
        raise ValueError(f"soak must be >= 1, got {soak}")
    base = Expectation(scenario=scenario, max_heap_delta=HEAP_BOUND, max_fd_delta=0 if target == "linux" else None)
    grow = ("msgs", "cycles", "duration_ms")
    if scenario == "echo":
        params: dict[str, int | str] = {"tasks": 1, "msgs": 50, "max": 2048}
        return ScenarioPlan(scenario, "ws", "/echo", _scaled(params, soak, grow), replace(base, tasks=1))
    if shape == "large":
        params = {"tasks": 2, "msgs": 200, "min": 32768, "max": 65536}
        return ScenarioPlan(scenario, "ws", "/echo", _scaled(params, soak, grow), replace(base, tasks=2))
    if shape == "stream":
        params = {"tasks": 4, "msgs": 50, "max": 4096, "timeout_ms": SEND_STALL_BOUND_MS}
        path = f"/stream?size=16384&interval_ms={STREAM_INTERVAL_MS}"
        expect = replace(base, tasks=4, max_send_ms=SEND_STALL_BOUND_MS)
        return ScenarioPlan(scenario, "ws", path, _scaled(params, soak, grow), expect)
    if shape == "short_timeouts":
        params = {"tasks": 8, "msgs": 100, "max": 4096, "timeout_ms": 5}
        return ScenarioPlan(scenario, "ws", "/echo", _scaled(params, soak, grow), replace(base, tasks=8))
    if scenario == "multi_send":
        params = {"tasks": 4, "msgs": 100, "max": 4096}
        return ScenarioPlan(scenario, "ws", "/echo", _scaled(params, soak, grow), replace(base, tasks=4))
    if scenario == "partial":
        params = {"tasks": 4, "msgs": 40, "min": 600, "max": 6000, "buffer": 512}
        expect = replace(base, tasks=4, fragmented=True)
        return ScenarioPlan(scenario, "ws", "/echo", _scaled(params, soak, grow), expect)
    if scenario == "abort_storm":
        params = {"tasks": 4, "msgs": 100, "cycles": 10, "network_timeout_ms": 3000, "reconnect_timeout_ms": 200}
        expect = replace(base, tasks=4, faults=True, in_flight_per_task=UNPACED)
        return ScenarioPlan(scenario, "wss" if shape == "wss" else "ws", "/echo", _scaled(params, soak, grow), expect)
    if scenario == "server_faults":
        if fault not in FAULT_PATHS:
            raise ValueError(f"server_faults needs a fault, one of {', '.join(FAULT_PATHS)}; got {fault!r}")
        params = {"tasks": 2, "msgs": 60, "network_timeout_ms": 2000, "reconnect_timeout_ms": 300}
        expect = replace(base, tasks=2, faults=True, in_flight_per_task=UNPACED)
        return ScenarioPlan(scenario, "ws", FAULT_PATHS[fault], _scaled(params, soak, grow), expect)
    if scenario == "wss_reconnect":
        params = {"tasks": 2, "msgs": 40, "cycles": 4, "reconnect_timeout_ms": 200}
        expect = replace(base, tasks=2, faults=True, in_flight_per_task=UNPACED)
        path = "/close?after=15&code=1001"
        if shape == "reset_large":
            params.update(msgs=200, min=32768, max=65536)
            path = "/reset?after=3"
        return ScenarioPlan(scenario, "wss", path, _scaled(params, soak, grow), expect)
    if scenario == "lifecycle":
        params = {"cycles": 10}
        expect = replace(base, tasks=0, faults=True, in_flight_per_task=UNPACED)
        return ScenarioPlan(scenario, "ws", "/echo", _scaled(params, soak, grow), expect)
    if scenario == "stop_latency":
        # A connect stop() cannot cut waits network_timeout_ms: 3 s keeps those states short and still far above
        # STOP_BOUND_MS; reconnect_timeout_ms stays long, so a stop that waits for the reconnect timer shows.
        params = {"cycles": 4, "network_timeout_ms": 3000, "reconnect_timeout_ms": 10000,
                  "uncut_connect": uncut_connect_level(idf_version)}
        expect = replace(
            base,
            tasks=0,
            faults=True,
            in_flight_per_task=UNPACED,
            echoes=False,
            stop_latency_bound_ms=STOP_BOUND_MS,
            min_latencies=len(STOP_STATES),
            no_skips=True,
        )
        return ScenarioPlan(
            scenario, "ws", "/echo", _scaled(params, soak, grow), expect, needs_stall_peers=True, needs_ca=True
        )
    raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")


def run_timeout_s(scenario: str, params: dict[str, int | str], variant: str = "debug") -> float:
    """An upper bound for one run, from its parameters: generous, since hitting it means the app hung."""
    def num(key: str, default: int) -> int:
        value = params.get(key, default)
        return int(value)

    seconds = 30.0
    seconds += num("tasks", 4) * num("msgs", 100) * 0.02
    seconds += num("duration_ms", 0) / 1000
    per_cycle = 3.0
    if scenario in ("stop_latency", "server_faults", "wss_reconnect", "abort_storm"):
        per_cycle += num("network_timeout_ms", 10000) / 1000
    seconds += num("cycles", 1) * per_cycle
    return seconds * VARIANT_SLOWDOWN.get(variant, 1.0)


def silence_timeout_s(variant: str = "debug") -> float:
    """The app prints STATS every second while it runs; this much silence means it is stuck."""
    return 20.0 * VARIANT_SLOWDOWN.get(variant, 1.0)
