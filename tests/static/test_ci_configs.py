"""A CI configuration must reach the build: idf-build-apps passes -DSDKCONFIG_DEFAULTS=<app>/sdkconfig.ci.<config>
(.idf_build_apps.toml), and the app's CMakeLists must keep that file in its SDKCONFIG_DEFAULTS list.

Configured (not built) against host/, whose project.cmake reads SDKCONFIG_DEFAULTS as ESP-IDF's does;
only the linux configurations can be configured without ESP-IDF.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / 'test_apps' / 'ws_hammer'

def configure(config: str, build: Path) -> dict:
    # kconfgen comes from this interpreter's environment, whatever python3 the PATH has first.
    subprocess.run(['cmake', '-S', str(APP), '-B', str(build), '-G', 'Ninja', '-DWSH_VARIANT=debug',
                    f'-DWSH_PYTHON={sys.executable}', f'-DSDKCONFIG_DEFAULTS={APP / f"sdkconfig.ci.{config}"}'],
                   env={**os.environ, 'IDF_PATH': str(REPO / 'host')},
                   check=True, capture_output=True, text=True, timeout=120)
    return json.loads((build / 'config' / 'sdkconfig.json').read_text())


@pytest.mark.parametrize('config, dynamic_buffer', [
    ('ws', False),
    ('wss', True),
])
def test_linux_ci_config_reaches_the_configuration(tmp_path, config, dynamic_buffer):
    sdkconfig = configure(config, tmp_path)
    assert sdkconfig['FREERTOS_HZ'] == 1000, 'the shared <repo>/sdkconfig.defaults applies too'
    assert sdkconfig['HAMMER_NETWORK_LINK_NONE'] is True
    assert sdkconfig['ESP_WS_CLIENT_ENABLE_DYNAMIC_BUFFER'] is dynamic_buffer
