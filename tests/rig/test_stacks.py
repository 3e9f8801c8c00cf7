"""Where each task of a hung app stood: gdb's backtraces parsed into task, line and blocking call."""

from __future__ import annotations

from pathlib import Path

from wshammer.stacks import parse_gdb_threads, render_stacks

LOGS = Path(__file__).parent / "logs"


def test_each_thread_is_told_by_its_task_its_line_and_its_blocking_call():
    threads = parse_gdb_threads((LOGS / "gdb_idf_linux_threads.txt").read_text())
    assert [t.number for t in threads] == [1, 2, 3, 4]
    by_task = {t.task_function.function: t for t in threads}
    assert set(by_task) == {"main", "app_main", "prvIdleTask", "prvTimerTask"}
    # The console task: the kernel's frames are skipped to the app's line that called into it.
    console = by_task["app_main"]
    assert console.caller.where() == "wsh_stdin_read_line (wsh_stdin/wsh_stdin.c:111)"
    assert console.blocked_in.function == "vTaskDelay"
    # A kernel task has no line of its own: its innermost kernel line stands in.
    assert by_task["prvTimerTask"].caller.function == "event_wait"
    assert by_task["prvIdleTask"].blocked_in.function == "usleep"


def test_the_summary_has_one_line_per_thread_without_repeating_the_process_name():
    text = render_stacks(parse_gdb_threads((LOGS / "gdb_idf_linux_threads.txt").read_text()))
    lines = text.splitlines()
    assert lines[0].startswith("4 threads:") and len(lines) == 5
    assert "  thread 2: app_main | wsh_stdin_read_line (wsh_stdin/wsh_stdin.c:111) | vTaskDelay" in lines
    assert "ws_hammer.elf" not in text


def test_named_threads_are_shown_by_name_and_frames_without_source_still_count():
    gdb = """
Thread 2 (Thread 0x7f0 (LWP 12) "ws_client"):
#0  0x00007f in poll () from /lib/x86_64-linux-gnu/libc.so.6
#1  0x000055 in esp_transport_poll_read (t=0x1, timeout_ms=10) at /src/components/tcp_transport/transport.c:140
#2  0x000055 in ws_client_task (arg=0x2) at /src/components/esp_websocket_client/ws_client_task.c:300
#3  0x000055 in task_thread (arg=0x3) at /src/host/overrides/freertos/src/tasks.c:140
#4  0x00007f in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442
Thread 1 (Thread 0x7f1 (LWP 11) "wsh_main"):
#0  0x00007f in sigwait () from /lib/x86_64-linux-gnu/libc.so.6
"""
    threads = parse_gdb_threads(gdb)
    assert [(t.number, t.lwp, t.name) for t in threads] == [(1, 11, "wsh_main"), (2, 12, "ws_client")]
    client = threads[1]
    assert client.task_function.function == "ws_client_task"
    assert client.caller.where() == "esp_transport_poll_read (tcp_transport/transport.c:140)"
    assert client.blocked_in.function == "poll"
    assert threads[0].caller is None and threads[0].blocked_in.function == "sigwait"
    assert "thread 2 'ws_client': ws_client_task |" in render_stacks(threads)


def test_output_without_threads_says_so():
    assert parse_gdb_threads("ptrace: Operation not permitted.") == []
    assert render_stacks([]) == "no thread stacks (gdb printed none)"
