"""Chaos mode (host/components/wsh_chaos), through its test app chaos_basic on the parallel platform (real
ESP-IDF over host/'s kernel, whose primitives carry the points) in every variant.

- Off without WSH_CHAOS_SEED: no banner, no point fires.
- On with a seed: the banner, and each thread's decisions are a function of (seed, thread name, how many
  threads of that name came before): two runs with one seed give the same digests per thread name; another
  seed gives others. Two threads of one name may swap ordinals between runs (the OS decides which starts
  first), so digests are compared as a sorted list per name.
- A counter incremented by two tasks with load, chaos point, store loses updates under chaos: at least 1%
  of 2000 increments (in practice about half are lost).
- A seed that is not a number is an error, not silently "off".
"""

from __future__ import annotations

import re
import signal
from collections import defaultdict
from pathlib import Path

import pytest

from wshammer import linux_elf, logscan

APP = Path(__file__).resolve().parents[2] / "host" / "components" / "wsh_chaos" / "test_apps" / "chaos_basic"
TAG = "chaos_test"
BANNER = re.compile(r"^W \(\d+\) wsh_chaos: chaos mode on seed=(\d+)$", re.MULTILINE)
MIN_LOST = 20


def digests_by_name(events: list[logscan.WshEvent]) -> dict[str, list[str]]:
    """DIGEST events -> {task name: sorted digests}."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event.event == "DIGEST":
            by_name[event.fields["task"]].append(event.fields["digest"])
    return {name: sorted(digests) for name, digests in by_name.items()}


def single(events: list[logscan.WshEvent], name: str) -> logscan.WshEvent:
    found = [e for e in events if e.event == name]
    assert len(found) == 1, f"expected one {name} line, got {len(found)}"
    return found[0]


@pytest.fixture
def chaos_elf(parallel_app, variant) -> Path:
    return parallel_app(APP, variant)


def run_probe(elf, run_linux_elf, monkeypatch, seed: str | None) -> tuple[str, list]:
    if seed is None:
        monkeypatch.delenv("WSH_CHAOS_SEED", raising=False)
    else:
        monkeypatch.setenv("WSH_CHAOS_SEED", seed)
    returncode, output = run_linux_elf(elf, timeout=60)
    assert returncode == 0, f"exit status {returncode}:\n{output}"
    findings = logscan.fatal_findings(output)
    assert not findings, logscan.describe(findings)
    return output, logscan.wsh_events(output, tag=TAG)


def test_chaos_off_without_seed(chaos_elf, run_linux_elf, monkeypatch):
    output, events = run_probe(chaos_elf, run_linux_elf, monkeypatch, None)
    assert not BANNER.search(output)
    config = single(events, "CONFIG")
    assert (config.int_field("enabled"), config.int_field("seed")) == (0, 0)
    assert single(events, "STATS").int_field("points") == 0


def test_same_seed_same_decisions_and_lost_updates(chaos_elf, run_linux_elf, monkeypatch):
    first_output, first = run_probe(chaos_elf, run_linux_elf, monkeypatch, "1234")
    _, second = run_probe(chaos_elf, run_linux_elf, monkeypatch, "1234")
    _, other = run_probe(chaos_elf, run_linux_elf, monkeypatch, "99")

    assert BANNER.findall(first_output) == ["1234"], "the banner must appear exactly once"
    assert single(first, "CONFIG").int_field("seed") == 1234
    digests = digests_by_name(first)
    assert set(digests) == {"chaos_a", "chaos_b"} and len(digests["chaos_a"]) == 2
    assert len(set(digests["chaos_a"])) == 2, "two threads of one name must get different streams"
    assert digests_by_name(second) == digests, "same seed, different per-thread decisions"
    assert digests_by_name(other) != digests, "a different seed gave the same decisions"

    for events in (first, second, other):
        stats = single(events, "STATS")
        # 3 x 200 digest points + 2 x 1000 race points, plus the FreeRTOS primitives' own points.
        assert stats.int_field("points") >= 2600
        assert stats.int_field("yields") > 0 and stats.int_field("sleeps") > 0
        race = single(events, "RACE")
        assert race.int_field("lost") >= MIN_LOST, f"chaos should make the racy counter lose updates: {race}"


def test_bad_seed_is_an_error(chaos_elf, run_linux_elf, monkeypatch):
    monkeypatch.setenv("WSH_CHAOS_SEED", "12abc")
    returncode, output = run_linux_elf(chaos_elf, timeout=60)
    assert re.search(r'^E \(\d+\) wsh_chaos: WSH_CHAOS_SEED="12abc" is not a decimal number', output, re.MULTILINE), output
    assert returncode == -signal.SIGABRT, f"exit status {returncode}:\n{output}"
    assert not linux_elf.find_sanitizer_reports(output), output
