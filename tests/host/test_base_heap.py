"""Heap accounting on the host: esp_get_free_heap_size() follows what the process holds, the minimum is
tracked (also between queries), WSH_HEAP_SIZE sets the size, and capabilities behave as on a chip
without PSRAM."""

from __future__ import annotations

import os
import re

import pytest

from wshammer import host_build

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN


BIG = 100 * 1024
PEAK = 60 * 1024
# Allocator rounding and what the runtime allocates meanwhile; far below the sizes measured.
SLACK = 8 * 1024
# Start-up allocations made after the baseline (stdio, FreeRTOS objects, the log tag table).
STARTUP = 32 * 1024


def drop_bounds(size: int, variant: str) -> tuple[int, int]:
    """Expected fall of the free figure for a block of ``size``: TSan counts allocator size classes."""
    upper = size * 115 // 100 + SLACK if variant == "tsan" else size + SLACK
    return size - SLACK, upper


def fields(output: str, name: str) -> dict[str, int | str]:
    match = re.search(rf"^I \(\d+\) sys_test: {name} (.*)$", output, re.MULTILINE)
    assert match, f"no {name} line in:\n{output}"
    return {k: int(v) if v.isdigit() else v for k, v in (f.split("=", 1) for f in match[1].split())}


def run_heap(host_test_app, run_host_elf, variant, heap_size: str | None = None) -> str:
    env = dict(os.environ)
    env.pop("WSH_HEAP_SIZE", None)
    if heap_size is not None:
        env["WSH_HEAP_SIZE"] = heap_size
    returncode, output = run_host_elf(host_test_app("base_system", variant), stdin="heap\n", timeout=60, env=env)
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    return output


def test_free_heap_follows_a_100k_allocation(host_test_app, run_host_elf, variant):
    heap = fields(run_heap(host_test_app, run_host_elf, variant), "HEAP")
    assert heap["total"] == 320 * 1024
    assert heap["total"] - STARTUP < heap["before"] <= heap["total"]
    low, high = drop_bounds(BIG, variant)
    assert low <= heap["before"] - heap["during"] <= high
    assert heap["caps_during"] == pytest.approx(heap["during"], abs=SLACK)
    assert abs(heap["after"] - heap["before"]) <= SLACK
    assert heap["min"] <= heap["during"] + SLACK


def test_minimum_catches_a_peak_nobody_queried(host_test_app, run_host_elf, variant):
    peak = fields(run_heap(host_test_app, run_host_elf, variant), "PEAK")
    assert peak["min_before"] <= peak["free_before"]
    low, high = drop_bounds(PEAK, variant)
    assert low <= peak["free_before"] - peak["min_after"] <= high


def test_heap_size_comes_from_the_environment(host_test_app, run_host_elf, variant):
    heap = fields(run_heap(host_test_app, run_host_elf, variant, "1000000"), "HEAP")
    assert heap["total"] == 1_000_000
    assert 1_000_000 - STARTUP < heap["before"] <= 1_000_000


def test_invalid_heap_size_is_reported_and_the_default_used(host_test_app, run_host_elf, variant):
    output = run_heap(host_test_app, run_host_elf, variant, "12k")
    assert re.search(r"^E \(\d+\) heap: WSH_HEAP_SIZE='12k' is not a byte count", output, re.MULTILINE)
    assert fields(output, "HEAP")["total"] == 320 * 1024


def test_capabilities_without_psram(host_test_app, run_host_elf, variant):
    caps = fields(run_heap(host_test_app, run_host_elf, variant), "CAPS")
    assert caps == {
        "spiram_null": 1, "spiram_free": 0, "internal_ok": 1, "internal_zeroed": 1, "aligned64": 1,
        "bad_align_null": 1, "prefer_fallback": 1,
    }
