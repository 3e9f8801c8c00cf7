"""Rules 1-3 and 6 under load: sends from many tasks do not stall behind the reader (F1) and never run beside
a read (F2; the sentinel aborts the process if they do), a send that cannot take the lock in time fails
alone and leaves the connection up (F12), long messages' frames never interleave (F15), and sends on a
connection the server reset fail fast while the client reconnects (F3-F5)."""

from __future__ import annotations

import pytest

import ct_scenarios


@pytest.mark.parametrize("scheme", ["ws", "wss"])
def test_sends_do_not_stall_behind_a_reader_waiting_for_the_peer(ct_elf, tls, scheme):
    problems = ct_scenarios.sends_beside_stream(ct_elf, tls if scheme == "wss" else None)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["ws", "wss"])
def test_reads_never_run_beside_writes_under_busy_traffic(ct_elf, tls, scheme):
    tls_or_none = tls if scheme == "wss" else None
    problems = ct_scenarios.sends_beside_stream(ct_elf, tls_or_none, busy=True)
    assert not problems, "\n".join(problems)


def test_lock_timeouts_leave_the_connection_alone_and_frames_never_interleave(build_ct, variant):
    """The parallel platform only: it needs tasks running at once. On ESP-IDF's POSIX port one task runs at a time, so a send
    never finds the lock taken and the scenario cannot provoke a timeout."""
    problems = ct_scenarios.lock_timeouts(build_ct(variant))
    assert not problems, "\n".join(problems)


def test_fragmented_messages_from_several_tasks_never_interleave(ct_elf):
    problems = ct_scenarios.partial_messages_keep_the_turn(ct_elf)
    assert not problems, "\n".join(problems)


def test_large_messages_keep_the_connection_while_the_echoes_back_up(ct_elf):
    problems = ct_scenarios.large_messages_echoed(ct_elf)
    assert not problems, "\n".join(problems)


def test_sends_on_a_reset_connection_fail_fast_and_the_client_reconnects(ct_elf):
    problems = ct_scenarios.abort_storm(ct_elf)
    assert not problems, "\n".join(problems)
