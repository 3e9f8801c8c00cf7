"""ESP_WS_CLIENT_ENABLE_DYNAMIC_BUFFER: the rx/tx buffers exist only while connected. The same session,
close handshake and leak checks hold with buffers allocated per connection and freed at its end."""

from __future__ import annotations

import pytest

from wshammer.servers import EchoServer

import ct_scenarios
import ctlog
from ct_app import APP_DIR, COMPONENT_DIR, app_cmake_args, run_app

DYNAMIC_DEFAULTS = f"-DSDKCONFIG_DEFAULTS={APP_DIR / 'sdkconfig.defaults'};{APP_DIR / 'sdkconfig.dynamic_buffer'}"


@pytest.fixture
def dynamic_elf(linux_app, linux_build):
    elf = linux_app(APP_DIR, linux_build, (*app_cmake_args(COMPONENT_DIR), DYNAMIC_DEFAULTS))
    sdkconfig_h = (elf.parent / "config" / "sdkconfig.h").read_text()
    assert "#define CONFIG_ESP_WS_CLIENT_ENABLE_DYNAMIC_BUFFER 1" in sdkconfig_h
    return elf


def test_session_with_dynamic_buffers(dynamic_elf):
    with EchoServer() as srv:
        run = run_app(dynamic_elf, [f"events uri={srv.uri('/echo')} buffer=1024"])
    run.assert_clean()
    assert ctlog.data_frames(run.log) == [(1, 5, 1), (2, 3000, 1), (1, 4, 1), (8, 2, 1)]


def test_cycles_with_dynamic_buffers(dynamic_elf):
    problems = ct_scenarios.cycles(dynamic_elf)
    assert not problems, "\n".join(problems)
