"""Rule 7 (F13): init/start/stop/start/stop/destroy cycles and automatic reconnections leak neither fds nor
heap. The debug build measures heap in use (mallinfo2) after a warm-up that fills one-time allocations; the
asan build's LeakSanitizer checks at exit."""

from __future__ import annotations

import ct_scenarios


def test_cycles_and_reconnects_do_not_leak(ct_elf):
    problems = ct_scenarios.cycles(ct_elf)
    assert not problems, "\n".join(problems)
