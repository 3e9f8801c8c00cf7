"""test_apps/components/hammer_network: built and run on the parallel platform (linux) in every variant, and its Kconfig
resolved with each sdkconfig.ci.<config> of the build matrix to the link that config promises.

The device links (Wi-Fi, EMAC, W5500, OpenETH) need ESP-IDF and cannot be compiled here; the build
workflow compiles them for every ESP-IDF version and chip (docs/devices.md says what has run where).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wshammer.linux_elf import VARIANTS, run_linux_elf

REPO = Path(__file__).resolve().parents[2]
COMPONENT = REPO / 'test_apps' / 'components' / 'hammer_network'
APP = Path(__file__).parent / 'data' / 'network_app'

# What each sdkconfig.ci.<config> must select in menu "wshammer network".
LINK_OF_CONFIG = {
    'ws': 'HAMMER_NETWORK_LINK_NONE',
    'wss': 'HAMMER_NETWORK_LINK_NONE',
    'qemu': 'HAMMER_NETWORK_LINK_OPENETH',
    'wifi': 'HAMMER_NETWORK_LINK_WIFI',
    'eth': 'HAMMER_NETWORK_LINK_ETH_EMAC',
}


@pytest.mark.slow  # builds and runs the hammer
# Not named `variant`: the wshammer plugin parametrizes that name itself.
@pytest.mark.parametrize('host_variant', VARIANTS)
def test_linux_build_is_up_at_once_on_loopback(parallel_app, host_variant):
    elf = parallel_app(APP, host_variant)
    build = elf.parent
    code, output = run_linux_elf(elf, timeout=30)
    assert code == 0, output
    assert 'network_app: up=ESP_OK again=ESP_OK address=127.0.0.1' in output
    config = json.loads((build / 'config' / 'sdkconfig.json').read_text())
    assert config['HAMMER_NETWORK_LINK_NONE'] is True


def stub_root_kconfig(target: str, directory: Path) -> Path:
    """The few ESP-IDF symbols hammer_network's Kconfig depends on, as ESP-IDF defines them for `target`."""
    wifi = target != 'linux'
    emac = target == 'esp32'
    root = directory / 'Kconfig'
    root.write_text(
        'mainmenu "stub of ESP-IDF for hammer_network"\n'
        f'config IDF_TARGET_LINUX\n    bool\n    default {"y" if target == "linux" else "n"}\n'
        f'config SOC_WIFI_SUPPORTED\n    bool\n    default {"y" if wifi else "n"}\n'
        f'config SOC_EMAC_SUPPORTED\n    bool\n    default {"y" if emac else "n"}\n'
        'config ETH_USE_OPENETH\n    bool "OpenCores Ethernet"\n    depends on !IDF_TARGET_LINUX\n'
        f'source "{COMPONENT / "Kconfig"}"\n')
    return root


def matrix_rows() -> list[tuple[str, str]]:
    rows = [line.split() for line in (REPO / 'ci' / 'expected_build_matrix.txt').read_text().splitlines()
            if line.startswith('test_apps/ws_hammer ')]
    return [(target, config) for _, target, config, _ in rows]


@pytest.mark.parametrize('chip, config', matrix_rows(), ids=[f'{t}-{c}' for t, c in matrix_rows()])
def test_each_ci_config_selects_its_link(tmp_path, chip, config):
    app = REPO / 'test_apps' / 'ws_hammer'
    out = tmp_path / 'sdkconfig.json'
    subprocess.run([sys.executable, '-m', 'kconfgen', '--kconfig', str(stub_root_kconfig(chip, tmp_path)),
                    '--config', str(tmp_path / 'sdkconfig'),
                    '--defaults', str(REPO / 'sdkconfig.defaults'), '--defaults', str(app / 'sdkconfig.defaults'),
                    '--defaults', str(app / f'sdkconfig.ci.{config}'), '--output', 'json', str(out)],
                   check=True, capture_output=True, text=True)
    selected = {name for name, value in json.loads(out.read_text()).items()
                if name.startswith('HAMMER_NETWORK_LINK_') and value is True}
    assert selected == {LINK_OF_CONFIG[config]}
