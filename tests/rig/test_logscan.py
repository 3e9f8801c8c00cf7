"""logscan on recorded logs: real sanitizer output (produced with gcc 12 here), ESP-IDF panic dumps in the
format ESP-IDF documents, host-platform fatal lines, and clean logs that must stay clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from wshammer.logscan import (
    clean_lines,
    describe,
    fatal_findings,
    parse_fields,
    parse_log_line,
    wsh_events,
)

LOGS = Path(__file__).parent / "logs"


def read(name: str) -> str:
    return (LOGS / name).read_text()


def kinds(name: str) -> list[str]:
    return [f.kind for f in fatal_findings(read(name))]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("tsan_data_race.txt", ["tsan"]),
        ("asan_heap_use_after_free.txt", ["asan"]),
        ("ubsan_signed_overflow.txt", ["ubsan"]),
        ("lsan_leak.txt", ["lsan"]),
        ("host_glibc_assert.txt", ["assert"]),
        ("host_sentinel_violation.txt", ["sentinel"]),
        ("host_freertos_fatal.txt", ["freertos_fatal", "assert"]),
        ("host_system_abort.txt", ["abort"]),  # the WITHOUT_ABORT report before it is not fatal
        ("esp32_load_prohibited.txt", ["panic", "reset"]),
        ("esp32c3_load_access_fault.txt", ["panic", "reset"]),
        ("esp32s3_abort_assert.txt", ["assert"]),
        ("esp32_abort_called.txt", ["esp_error_check", "abort"]),
        ("esp32_stack_overflow.txt", ["stack_overflow"]),
        ("esp32_task_wdt_and_heap.txt", ["task_watchdog", "heap_corruption", "assert"]),
    ],
)
def test_recorded_failures_are_found(name, expected):
    assert kinds(name) == expected


@pytest.mark.parametrize("name", ["clean_host_run.txt", "clean_board_boot.txt"])
def test_clean_logs_have_no_findings(name):
    """Two ROM banners before READY (flashing, then the runner's reset), an app log line that mentions
    'runtime error:' and 'Backtrace:' and a quoted 'assert failed:' must not trip the guard."""
    assert fatal_findings(read(name)) == []


def test_findings_carry_line_number_and_excerpt():
    (finding,) = fatal_findings(read("tsan_data_race.txt"))
    assert finding.line_no == 4
    assert finding.excerpt.startswith("WARNING: ThreadSanitizer: data race")
    assert "race.c:5" in finding.excerpt


def test_a_race_is_named_by_both_sides_and_not_by_where_the_threads_were_made():
    (race,) = fatal_findings(read("tsan_data_race.txt"))
    assert race.headline == "data race in worker (sanrec/race.c:5); against worker (sanrec/race.c:5)"
    assert all("main" not in frame for frame in race.frames)  # "created by main thread at" is not the race


def test_a_run_that_keeps_going_names_every_distinct_report():
    races = fatal_findings(read("tsan_two_races.txt"))
    assert [r.headline for r in races] == [
        "data race in sender (sanrec/races.c:9); against closer (sanrec/races.c:8)",
        "data race in worker (sanrec/races.c:10); against worker (sanrec/races.c:10)",
    ]
    ubsan = fatal_findings(read("ubsan_recovered.txt"))
    assert [u.frames[0] for u in ubsan] == ["copy (sanrec/ubs.c:6)", "scale (sanrec/ubs.c:5)"]
    assert ubsan[0].what.startswith("null pointer passed as argument 2")


def test_the_same_report_twice_is_one_finding_with_its_count():
    (race,) = fatal_findings(read("tsan_data_race.txt") * 2)  # a second process writing the same log
    assert race.count == 2 and race.headline.endswith("(x2)") and race.line_no == 4


def test_sanitizer_headlines_name_the_free_of_a_use_after_free_and_a_place_without_a_stack():
    (uaf,) = fatal_findings(read("asan_heap_use_after_free.txt"))
    assert uaf.headline == "heap-use-after-free in main (sanrec/uaf.c:13); freed in transport_close (sanrec/uaf.c:5)"
    (overflow,) = fatal_findings(read("ubsan_signed_overflow.txt"))
    assert overflow.headline.endswith(" in ub.c:3")  # built without print_stacktrace: the report's own line


def test_a_frame_in_the_client_component_is_named_after_the_innermost_frame():
    report = "\n".join([
        "WARNING: ThreadSanitizer: data race (pid=1)",
        "  Write of size 8 at 0x7b04 by thread T3:",
        "    #0 memcpy ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827 (x+0x1)",
        "    #1 ssl_write /idf/components/esp-tls/esp_tls.c:210 (x+0x2)",
        "    #2 ws_write_frame /src/components/esp_websocket_client/ws_client_send.c:140 (x+0x3)",
        "",
        "SUMMARY: ThreadSanitizer: data race /idf/components/esp-tls/esp_tls.c:210 in ssl_write",
    ])
    (race,) = fatal_findings(report)
    assert race.headline == "data race in ssl_write (esp-tls/esp_tls.c:210), from ws_write_frame (esp_websocket_client/ws_client_send.c:140)"


def test_panic_excerpt_holds_the_register_dump_and_the_backtrace_is_not_a_second_finding():
    panic = fatal_findings(read("esp32_load_prohibited.txt"))[0]
    assert "LoadProhibited" in panic.headline and "EXCVADDR: 0x00000010" in panic.excerpt


def test_a_lone_backtrace_is_a_finding():
    text = "I (5) wsh: READY target=esp32 idf=v5.4 buffer_size_default=1024\nBacktrace: 0x400d5c27:0x3ffc9e80\n"
    assert [f.kind for f in fatal_findings(text)] == ["backtrace"]


def test_reset_banner_after_ready_is_a_finding_even_without_a_panic():
    text = (
        "I (3920) wsh: READY target=esp32 idf=v5.4.1 buffer_size_default=1024\n"
        "ets Jul 29 2019 12:21:46\n\nrst:0x10 (RTCWDT_RTC_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\n"
    )
    assert [(f.kind, f.line_no) for f in fatal_findings(text)] == [("reset", 2)]


def test_ansi_colours_and_crlf_do_not_hide_anything():
    text = "\x1b[0;32mI (1) wsh: READY target=linux idf=v5 buffer_size_default=1024\x1b[0m\r\n" + read(
        "host_sentinel_violation.txt"
    ).replace("\n", "\r\n").replace("E (412)", "\x1b[0;31mE (412)")
    assert [f.kind for f in fatal_findings(text)] == ["sentinel"]


def test_interleaved_sanitizer_banner_is_still_found():
    # Two threads writing unbuffered: the banner lands in the middle of an app line.
    text = "I (10) wsh: STATS scenario=echo t_ms=1000 sent=WARNING: ThreadSanitizer: data race (pid=1)\n"
    assert [f.kind for f in fatal_findings(text)] == ["tsan"]


def test_describe_lists_findings():
    message = describe(fatal_findings(read("esp32_task_wdt_and_heap.txt")), limit=2)
    assert message.startswith("3 fatal finding(s)")
    assert "task_watchdog at line 3" in message and "... and 1 more" in message


def test_parse_log_line():
    line = parse_log_line("W (1234) websocket_client: Connection lost: errno=104", 7)
    assert (line.level, line.ms, line.tag, line.message, line.line_no) == (
        "W",
        1234,
        "websocket_client",
        "Connection lost: errno=104",
        7,
    )
    assert parse_log_line("I (12:34:56.789) wsh: READY").ms is None
    assert parse_log_line("Backtrace: 0x4008:0x3ffb") is None
    assert parse_log_line("rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)") is None


def test_parse_fields_quotes_and_empties():
    assert parse_fields('verdict=FAIL reason="lost 3 of \\"400\\" msgs" empty= n=-1 hex=0x1f') == {
        "verdict": "FAIL",
        "reason": 'lost 3 of "400" msgs',
        "empty": "",
        "n": "-1",
        "hex": "0x1f",
    }


def test_wsh_events_from_a_recorded_run():
    events = wsh_events(read("clean_host_run.txt"))
    assert [e.event for e in events] == ["READY", "START", "STATS", "STATS", "TASK", "TASK", "TASK", "TASK", "RESULT"]
    result = events[-1]
    assert result.fields["verdict"] == "PASS" and result.fields["reason"] == "all echoed"
    assert result.int_field("sent") == 400 and result.int_field("elapsed_ms") == 2005
    assert result.ms == 2040 and result.line_no == 13
    assert events[2].int_field("open_fds") == 7


def test_int_field_errors_are_clear():
    (event,) = wsh_events('I (1) wsh: RESULT sent=abc reason="x"\n')
    with pytest.raises(ValueError, match="sent='abc' is not an integer"):
        event.int_field("sent")
    with pytest.raises(KeyError, match="no echoed="):
        event.int_field("echoed")
    assert event.int_field("echoed", default=0) == 0


def test_other_tags_and_unknown_events_are_ignored():
    text = (
        "I (1) other: RESULT verdict=PASS\nI (2) wsh: something else\n"
        'I (3) wsh: BADCMD reason="unknown key foo"\nI (4) wsh: EVENT kind=disconnected\n'
    )
    assert [(e.event, e.fields) for e in wsh_events(text)] == [
        ("BADCMD", {"reason": "unknown key foo"}),
        ("EVENT", {"kind": "disconnected"}),
    ]


def test_clean_lines_strips_console_prefix():
    assert clean_lines("2026-01-01 10:00:00 [dut-1] I (1) wsh: READY\r\n") == ["I (1) wsh: READY"]


def test_a_finding_that_is_a_catalogue_row_by_itself_names_it():
    (violation,) = fatal_findings(read("host_sentinel_violation.txt"))
    assert violation.headline.endswith("op=write [F2: a TLS read beside a TLS write on one connection]")
    (leak,) = [f for f in fatal_findings(read("lsan_leak.txt")) if f.kind == "lsan"]
    assert leak.headline == "75 byte(s) leaked in 3 allocation(s) in dup_uri (sanrec/leak.c:4) [F13: memory never freed]"
    races = [f for f in fatal_findings(read("tsan_two_races.txt")) if f.kind == "tsan"]
    assert races and all(f.catalogue_row is None for f in races)  # a race's row depends on where it is
