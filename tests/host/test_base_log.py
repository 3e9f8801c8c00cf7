"""esp_log on the host: ESP-IDF's line format, levels, dumps, and whole lines under parallel logging."""

from __future__ import annotations

import re
from collections import defaultdict
import pytest

from wshammer import host_build

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN

LOG_LINE = re.compile(r"^(?P<level>[EWIDV]) \((?P<ms>\d+)\) (?P<tag>[^ :]+): (?P<message>.*)$")


def parse_log(output: str) -> list[re.Match]:
    """Every output line as a log-line match; a line that is not one fails the test."""
    matches = []
    for line in output.splitlines():
        match = LOG_LINE.match(line)
        assert match, f"not an ESP-IDF log line: {line!r}"
        matches.append(match)
    return matches


def messages(lines: list[re.Match], tag: str) -> list[str]:
    return [f"{m['level']} {m['message']}" for m in lines if m["tag"] == tag]


@pytest.fixture
def log_run(host_test_app, run_once, variant):
    returncode, output = run_once(host_test_app("base_log", variant))
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    return parse_log(output)


def test_default_level_and_format(log_run):
    assert messages(log_run, "base_log")[:3] == ["E error shows", "W warning shows", "I info shows"]
    assert not any("hidden" in m["message"] for m in log_run)


def test_per_tag_levels_and_star_reset(log_run):
    assert messages(log_run, "quiet") == ["W warning shows at tag level"]
    assert messages(log_run, "loud") == [
        "D debug shows at tag level",
        "V verbose shows at tag level",
        "E ceiling keeps this error",   # LOG_LOCAL_LEVEL=ERROR in that file hides its warning
        "E error shows after star reset",
    ]
    assert "I LEVELS quiet=2 loud=5 other=3" in messages(log_run, "base_log")
    assert "I early log shows" in messages(log_run, "base_log")


def test_buffer_dumps(log_run):
    assert messages(log_run, "hex") == [
        "I 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f",
        "I 10 11 12 13",
    ]
    assert messages(log_run, "chr") == ["I 0123456789abcdef", "I XYZ"]
    dump = messages(log_run, "dump")
    assert len(dump) == 2
    assert re.fullmatch(r"I 0x[0-9a-f]{8,}   41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  \|ABCDEFGHIJKLMNOP\|",
                        dump[0]), dump[0]
    assert re.fullmatch(r"I 0x[0-9a-f]{8,}   51 52 {45}\|QR\|", dump[1]), dump[1]
    assert messages(log_run, "hexdbg") == []  # a debug-level dump under the INFO default


def test_long_line_is_whole(log_run):
    long_lines = [m["message"] for m in log_run if m["message"].startswith("LONG ")]
    expected = "".join(chr(ord("a") + i % 26) for i in range(2000))
    assert long_lines == [f"LONG {expected} END"]


def test_timestamps_count_milliseconds(log_run):
    ticks = {m["message"]: int(m["ms"]) for m in log_run if m["message"].startswith("TICK")}
    assert 190 <= ticks["TICK second"] - ticks["TICK first"] <= 1500


def test_parallel_lines_never_interleave(log_run):
    per_task: dict[int, list[int]] = defaultdict(list)
    for m in log_run:
        if m["tag"] != "par":
            continue
        fields = re.fullmatch(r"task=(\d) seq=(\d+) payload=(\d{60})", m["message"])
        assert fields, f"mangled parallel line: {m.group(0)!r}"
        task, seq, payload = int(fields[1]), int(fields[2]), fields[3]
        assert payload == f"{task:060d}"
        per_task[task].append(seq)
    assert sorted(per_task) == [0, 1, 2, 3]
    for task, seqs in per_task.items():
        assert seqs == list(range(200)), f"task {task} lines lost or reordered"
    assert messages(log_run, "base_log")[-1] == "I DONE"


def test_custom_sink_sees_filtered_lines(log_run):
    assert messages(log_run, "sink") == ["I through the custom sink", "I SINK calls=1 restored=1"]


def test_kconfig_levels_decide_defaults_and_the_ceiling(host_test_app, run_host_elf, variant):
    elf = host_test_app("base_log", variant, ["-DSDKCONFIG_DEFAULTS=sdkconfig.defaults;warn.defaults"])
    returncode, output = run_host_elf(elf, timeout=60)
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    lines = parse_log(output)
    assert messages(lines, "base_log")[:2] == ["E error shows", "W warning shows"]
    assert not any(m["level"] == "I" for m in lines)       # CONFIG_LOG_DEFAULT_LEVEL_WARN
    # The tag is set to VERBOSE at run time, but CONFIG_LOG_MAXIMUM_LEVEL (= WARN) compiled debug out.
    assert messages(lines, "loud") == ["E ceiling keeps this error", "E error shows after star reset"]
