"""wsh_sentinel, the transport contract checker: each violation committed on purpose by its test app
sentinel_app must be reported the moment it happens, as exactly one line
``E (ms) wsh_sentinel: VIOLATION kind=... transport=... task=... other=... op=...``, counted, and with
WSH_SENTINEL_FATAL=1 end the process with abort() right after the line. A correct two-task use (a mutex
around every call) must stay silent. On the parallel platform over ESP-IDF's own transports, whose calls the
sentinel wraps, in debug and asan with no sanitizer report in any run. Not in tsan: there a violation is a real
data race inside ESP-IDF's code, which ThreadSanitizer reports as well (the hammer's go-red proofs rely on that).
"""

from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from sentinel_peers import HalfRecordTlsPeer, HoldingWsPeer

from wshammer.linux_elf import find_sanitizer_reports
from wshammer.servers import EchoServer
from wshammer.tls import make_tls_material

APP = Path(__file__).resolve().parents[2] / "host" / "components" / "wsh_sentinel" / "test_apps" / "sentinel_app"

pytestmark = pytest.mark.without_linux_builds(
    "tsan", reason="each violation is a data race inside ESP-IDF's transport, which ThreadSanitizer reports too")

VIOLATION = re.compile(
    r"^E \(\d+\) wsh_sentinel: VIOLATION kind=(?P<kind>\w+) transport=(?P<transport>\d+) "
    r"task=(?P<task>\S+) other=(?P<other>\S+) op=(?P<op>\w+)$",
    re.MULTILINE,
)
DONE = re.compile(r"sentinel_app: DONE case=(?P<case>\w+) count=(?P<count>\d+)")


@dataclass(frozen=True)
class Expected:
    kind: str
    task: str
    other: str
    op: str
    peer: str  # which peer the scenario talks to


CASES = {
    "io_after_close": Expected("io_after_close", "main", "-", "read", "ws"),
    "io_after_destroy": Expected("io_after_close", "main", "-", "write", "ws"),
    "close_during_io": Expected("close_during_io", "main", "poller", "close", "hold"),
    # another task was in and out in between: the report names the one still inside
    "close_names_the_holder": Expected("close_during_io", "main", "poller", "close", "hold"),
    "tls_concurrent": Expected("tls_concurrent", "main", "reader", "write", "half_record"),
    "ws_write_concurrent": Expected("ws_write_concurrent", "main", "writer", "send_raw", "hold"),
}


def violations(output: str) -> list[dict[str, str]]:
    return [m.groupdict() for m in VIOLATION.finditer(output)]


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    pki = make_tls_material(tmp_path_factory.mktemp("pki"))
    with (
        EchoServer() as ws,
        HalfRecordTlsPeer(pki.server_cert_pem, pki.server_key_pem) as half_record,
        HoldingWsPeer() as hold,
    ):
        yield {
            "ws": f"port={ws.port}",
            "half_record": f"port={half_record.port} ca={pki.ca_pem}",
            "hold": f"port={hold.port}",
        }


@pytest.fixture
def sentinel_elf(parallel_app, variant) -> Path:
    return parallel_app(APP, variant)


@pytest.fixture
def run_scenario(sentinel_elf, run_linux_elf, peers):
    def run(case: str, peer: str, fatal: bool) -> tuple[int, str]:
        elf = sentinel_elf
        env = {**os.environ, "WSH_SENTINEL_FATAL": "1" if fatal else "0"}
        returncode, output = run_linux_elf(elf, stdin=f"{case} {peers[peer]}\n", timeout=60, env=env)
        assert find_sanitizer_reports(output) == [], output
        return returncode, output

    return run


@pytest.mark.parametrize("case", sorted(CASES))
def test_violation_reported_once_and_counted(run_scenario, case):
    expected = CASES[case]
    returncode, output = run_scenario(case, expected.peer, fatal=False)
    assert returncode == 0, output
    (line,) = violations(output)
    assert (line["kind"], line["task"], line["other"], line["op"]) == (
        expected.kind,
        expected.task,
        expected.other,
        expected.op,
    ), output
    assert int(line["transport"]) >= 1
    done = DONE.search(output)
    assert done and done["case"] == case and done["count"] == "1", output


@pytest.mark.parametrize("case", sorted(CASES))
def test_violation_aborts_when_fatal(run_scenario, case):
    expected = CASES[case]
    returncode, output = run_scenario(case, expected.peer, fatal=True)
    assert returncode == -signal.SIGABRT, output
    (line,) = violations(output)
    assert line["kind"] == expected.kind
    # abort() comes right after the line: it is the last log line and the scenario never ends.
    assert DONE.search(output) is None, output
    log_lines = re.findall(r"^[EWIDV] \(\d+\) .*$", output, re.MULTILINE)
    assert VIOLATION.fullmatch(log_lines[-1]), output


def test_serialised_use_is_silent(run_scenario):
    returncode, output = run_scenario("serialised", "ws", fatal=True)
    assert returncode == 0, output
    assert violations(output) == []
    done = DONE.search(output)
    assert done and done["count"] == "0", output
