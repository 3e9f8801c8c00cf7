"""A CI configuration must reach the build: idf-build-apps passes -DSDKCONFIG_DEFAULTS=<app>/sdkconfig.ci.<config>
(.idf_build_apps.toml), and the app's CMakeLists must keep that file in its SDKCONFIG_DEFAULTS list.

Configured (not built) by real ESP-IDF for its linux target; the chips' configurations need their toolchains.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

from wshammer import idf_build, idf_env

pytestmark = pytest.mark.slow  # ESP-IDF's configure step

REPO = Path(__file__).resolve().parents[2]
APP = REPO / 'test_apps' / 'ws_hammer'

def configure(config: str, build: Path) -> dict:
    try:
        idf = idf_env.find_idf(idf_env.DEFAULT_IDF_VERSION)
    except idf_env.IdfMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    command = idf_build.configure_command(APP, build, idf, [f'-DSDKCONFIG_DEFAULTS={APP / f"sdkconfig.ci.{config}"}'])
    result = subprocess.run(command, env={**idf.tool_env(os.environ), 'IDF_TARGET': 'linux'},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
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
