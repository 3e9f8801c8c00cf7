"""Wiring of the hammer app into pytest-embedded: which build the DUT runs and which services start it.

pytest-embedded's ``build_dir``, ``embedded_services`` and ``qemu_extra_args`` fixtures are overridden here
(a conftest fixture beats a plugin's): on linux the rig builds ``build_linux_<variant>[_<component>]`` before
the DUT starts and runs it with the ``idf`` service; on a board or QEMU it uses idf-build-apps'
``build_<target>_<config>`` (``--wsh-app-config``, default qemu under QEMU and wifi on a board), and QEMU
gets the OpenCores Ethernet NIC unless --qemu-extra-args says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent


@pytest.fixture
def embedded_services(request: pytest.FixtureRequest, wsh_options) -> str | None:
    given = request.config.getoption("embedded_services", None)
    return given or ("idf" if wsh_options.on_linux else "esp,idf")


@pytest.fixture
def qemu_extra_args(request: pytest.FixtureRequest) -> str | None:
    # The qemu build's network is OpenCores Ethernet behind user-mode networking (host = 10.0.2.2).
    return request.config.getoption("qemu_extra_args", None) or "-nic user,model=open_eth"


@pytest.fixture
def build_dir(request: pytest.FixtureRequest, wsh_options, wsh_app_build, wsh_linux_environment) -> str:
    given = request.config.getoption("build_dir", None)
    if given:
        return given
    return str(wsh_app_build(APP_DIR, wsh_options.app_config))
