"""The ``wshammer`` CLI driven the way a user drives it, and readers for what it leaves behind.

``run_cli`` and ``patched_copy`` (``mutant_copy``) do the I/O (a subprocess; a copied, patched component tree).
Everything else is a pure function over the CLI's output text, report.json and junit.xml. Shared state: only
the patched copies under ``tests/.build/suite-mutants/<patch name>`` (one folder per patch, rewritten by the
test that uses it; a separate folder from tests/component's mutant copies so the two test files never touch
each other's trees).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wshammer.scenarios import FAULT_PATHS, SCENARIOS, SHAPES

REPO = Path(__file__).resolve().parents[2]
COMPONENT_DIR = REPO / "components" / "esp_websocket_client"
MUTANTS_DIR = REPO / "tests" / "mutants"
TREES_DIR = REPO / "tests" / "trees"
COPIES_DIR = REPO / "tests" / ".build" / "suite-mutants"


# --- I/O ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CliRun:
    command: tuple[str, ...]
    returncode: int
    output: str  # stdout and stderr as the user's terminal shows them
    report_dir: Path
    seconds: float

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def run_cli(args: Sequence[str], report_dir: Path, timeout_s: float, subcommand: str = "run") -> CliRun:
    """``wshammer SUBCOMMAND --target linux --report DIR ARGS`` from the repository root. On timeout the whole
    process group (pytest inside the CLI, the app under it) is killed and AssertionError raised."""
    command = (sys.executable, "-m", "wshammer.cli", subcommand, "--target", "linux", "--report", str(report_dir),
               *args)
    started = time.monotonic()
    proc = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        raise AssertionError(
            f"`{' '.join(command)}` did not finish within {timeout_s:g} s (killed)\n"
            + "\n".join(output.splitlines()[-40:])
        ) from None
    return CliRun(command, proc.returncode, output, report_dir, time.monotonic() - started)


def mutant_copy(name: str) -> Path:
    """The component with ``tests/mutants/<name>.patch`` applied, as tests/mutants/README.md says."""
    return patched_copy(MUTANTS_DIR / f"{name}.patch")


def patched_copy(patch: Path) -> Path:
    """The component with ``patch`` applied, in a folder named after the patch. copytree keeps modification
    times, so the copy's build folder recompiles only what the patch touched."""
    dest = COPIES_DIR / patch.stem / "esp_websocket_client"
    shutil.rmtree(dest.parent, ignore_errors=True)
    shutil.copytree(COMPONENT_DIR, dest, ignore=shutil.ignore_patterns("test_apps", "build*"))
    result = subprocess.run(
        ["patch", "-p1", "--forward", "--batch", "-i", str(patch)], cwd=dest, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{patch.name} no longer applies to components/esp_websocket_client (the component changed); "
            f"refresh the patch:\n{result.stdout}{result.stderr}"
        )
    return dest


def read_report(report_dir: Path) -> dict:
    return json.loads((report_dir / "report.json").read_text())


def read_junit(report_dir: Path) -> ET.Element:
    return ET.parse(report_dir / "junit.xml").getroot()


# --- pure --------------------------------------------------------------------------------------------

def suite_names() -> list[str]:
    """The names the hammer suite records, in order: one per scenario and one per shape of it (SHAPES),
    server_faults once per fault path (test_apps/ws_hammer/pytest_ws_hammer.py names those runs
    ``multi_send <shape>`` and ``server_faults <fault>``)."""
    names: list[str] = []
    for scenario in SCENARIOS:
        if scenario == "server_faults":
            names += [f"server_faults {fault}" for fault in FAULT_PATHS]
        else:
            names += [scenario, *(f"{scenario} {shape}" for shape in SHAPES.get(scenario, ()))]
    return names


def records_by_name(report: dict) -> dict[str, dict]:
    """report.json's scenario records by name; a name recorded twice is an error (one run, one row)."""
    records: dict[str, dict] = {}
    for record in report["scenarios"]:
        if record["name"] in records:
            raise ValueError(f"report.json records {record['name']!r} twice")
        records[record["name"]] = record
    return records


@dataclass(frozen=True)
class JunitSummary:
    tests: int
    failures: int
    errors: int
    case_names: tuple[str, ...]
    failed_names: tuple[str, ...]


def junit_summary(root: ET.Element) -> JunitSummary:
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        raise ValueError(f"junit.xml has no <testsuite> (root is <{root.tag}>)")
    cases = suite.findall("testcase")
    return JunitSummary(
        tests=int(suite.get("tests", "-1")),
        failures=int(suite.get("failures", "-1")),
        errors=int(suite.get("errors", "-1")),
        case_names=tuple(case.get("name", "") for case in cases),
        failed_names=tuple(
            case.get("name", "") for case in cases if case.find("failure") is not None or case.find("error") is not None
        ),
    )


# A row of the summary table: "│ echo │ linux/debug │ PASS │ ...".
_TABLE_ROW = re.compile(r"^│ (?P<name>[^│]*?) +│ (?P<where>[^│]*?) +│ (?P<verdict>PASS|FAIL) +│")


def table_rows(output: str) -> dict[str, tuple[str, str]]:
    """The summary table the CLI printed, after its ``wshammer scenarios`` banner: name -> (target/variant,
    verdict). Empty when no table was printed."""
    _, banner, after = output.partition("wshammer scenarios")
    if not banner:
        return {}
    rows = {}
    for line in after.splitlines():
        match = _TABLE_ROW.match(line)
        if match:
            rows[match["name"]] = (match["where"], match["verdict"])
    return rows


def table_verdicts(rows: dict[str, tuple[str, str]], names: Sequence[str]) -> dict[str, tuple[str, str] | None]:
    """Each name's row of the table, None when it has none. rich cuts a long name to fit its column
    ("server_faults handshake_acce…"): a cut name stands for a name only when it begins no other one."""
    found: dict[str, tuple[str, str] | None] = {name: rows.get(name) for name in names}
    for row, cells in rows.items():
        if not row.endswith("…"):
            continue
        could_be = [name for name in names if name.startswith(row[:-1])]
        if len(could_be) == 1 and found[could_be[0]] is None:
            found[could_be[0]] = cells
    return found


@dataclass(frozen=True)
class GuardFinding:
    kind: str
    excerpt: str


# pytest prints the log guard's failure (plugin.py, logscan.describe) with an "E   " margin.
_GUARD_HEADER = re.compile(r"^E\s+--- (?P<kind>\w+) at line \d+:$")
_ASSERT_MARGIN = re.compile(r"^E {1,7}")
_GUARD_TRAILERS = ("... and ", "the test itself failed too:")  # lines after the last excerpt


def guard_findings(output: str) -> list[GuardFinding]:
    """The fatal findings the rig's log guard reported in the CLI's output, with their excerpts."""
    findings: list[GuardFinding] = []
    kind: str | None = None
    excerpt: list[str] = []

    def close() -> None:
        if kind is not None:
            findings.append(GuardFinding(kind, "\n".join(excerpt)))

    for line in output.splitlines():
        header = _GUARD_HEADER.match(line)
        if header:
            close()
            kind, excerpt = header["kind"], []
            continue
        content = _ASSERT_MARGIN.sub("", line, count=1)
        if kind is not None and line.startswith("E") and not content.startswith(_GUARD_TRAILERS):
            excerpt.append(content)
        else:
            close()
            kind = None
    close()
    return findings


def failure_evidence(record: dict, findings: Sequence[GuardFinding]) -> str:
    """What the rig said about a failed run: report.json's reasons, then the log guard's findings (report.json
    carries only the guard's first line, "<n> fatal finding(s) in the DUT log:")."""
    parts = list(record.get("reasons", []))
    parts += [f"[{f.kind}] {f.excerpt}" for f in findings]
    return "\n".join(parts)
