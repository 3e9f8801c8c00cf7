"""The ESP-IDF build matrix, printed by idf-build-apps against each real ESP-IDF tree, is the pinned one."""
import re
import shutil

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: idf-build-apps depends on the `toml` package there instead
    import toml as tomllib

import pytest

import build_matrix
import static_checks


@pytest.mark.slow  # idf-build-apps over the real trees
def test_the_build_matrix_is_the_pinned_one(idf_trees):
    result = static_checks.build_matrix_check()
    assert result.ok, result.output


def test_pinned_matrix_covers_every_supported_target(repo):
    rows = [line.split() for line in (repo / 'ci' / 'expected_build_matrix.txt').read_text().splitlines()
            if not line.startswith('#')]
    hammer_targets = {target for app, target, _, _ in rows if app == 'test_apps/ws_hammer'}
    assert hammer_targets == {'esp32', 'esp32s3', 'esp32c3', 'esp32c6', 'linux'}
    qemu = {target for app, target, config, _ in rows if config == 'qemu'}
    assert qemu == {'esp32', 'esp32c3'}


def copy_build_inputs(repo, destination):
    """What idf-build-apps reads: its config, the rules and the top files of each pinned app."""
    for relative in ['.idf_build_apps.toml', '.build-test-rules.yml']:
        shutil.copy(repo / relative, destination / relative)
    pinned = (repo / 'ci' / 'expected_build_matrix.txt').read_text().splitlines()
    for app in {line.split()[0] for line in pinned if not line.startswith('#')}:
        (destination / app).mkdir(parents=True)
        for item in (repo / app).glob('*'):
            if item.is_file():
                shutil.copy(item, destination / app / item.name)


def test_a_rule_change_shows_up_as_a_matrix_diff(repo, tmp_path, idf_trees):
    copy_build_inputs(repo, tmp_path)
    pinned = (repo / 'ci' / 'expected_build_matrix.txt').read_text()
    assert build_matrix.tree_diffs(pinned, build_matrix.matrices(idf_trees, tmp_path)) == ''

    rules = tmp_path / '.build-test-rules.yml'
    rules.write_text(rules.read_text().replace('CONFIG_NAME == "eth" and IDF_TARGET != "esp32"',
                                               'CONFIG_NAME == "eth" and IDF_TARGET == "linux"'))
    diff = build_matrix.tree_diffs(pinned, build_matrix.matrices(idf_trees[:1], tmp_path))
    assert f'with IDF_PATH={idf_trees[0]}:' in diff
    assert '+test_apps/ws_hammer esp32s3 eth build_esp32s3_eth' in diff
    assert '+test_apps/ws_hammer esp32c6 eth build_esp32c6_eth' in diff


def test_matrix_lines_are_sorted_and_name_unconfigured_apps_with_a_dash():
    apps = [{'app_dir': 'b', 'target': 'linux', 'config_name': None, 'build_dir': 'build_linux'},
            {'app_dir': 'a', 'target': 'esp32', 'config_name': 'wifi', 'build_dir': 'build_esp32_wifi'}]
    assert build_matrix.format_matrix(apps).splitlines()[1:] == ['a esp32 wifi build_esp32_wifi',
                                                                 'b linux - build_linux']


def test_only_kconfgen_warnings_about_the_shared_defaults_are_ignored(repo):
    """check_warnings stays meaningful: compiler and CMake warnings still fail an ESP-IDF build."""
    config = tomllib.loads((repo / '.idf_build_apps.toml').read_text())
    assert config['check_warnings'] is True
    patterns = [re.compile(p) for p in config['ignore_warning_strs']]

    def ignored(line):
        return any(p.search(line) for p in patterns)

    assert ignored("warning: unknown kconfig symbol 'ESP_SYSTEM_USE_EH_FRAME' assigned to 'y' in "
                   "/repo/sdkconfig.defaults")
    assert ignored("warning: ESP_SYSTEM_USE_EH_FRAME (defined at components/esp_system/Kconfig:210) was assigned "
                   "the value 'y' but got the value 'n'. Check these unsatisfied dependencies: IDF_TARGET_ARCH_RISCV (=n).")
    assert not ignored("hammer_link_eth.c:91:5: warning: unused variable 'phy' [-Wunused-variable]")
    assert not ignored('CMake Warning: Manually-specified variables were not used by the project')
    assert not ignored("warning: unknown kconfig symbol 'x' assigned")  # lower case: not a Kconfig symbol name
