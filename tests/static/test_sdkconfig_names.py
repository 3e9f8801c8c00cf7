"""Every option an sdkconfig file sets exists and is visible on each chip and ESP-IDF version it is built
for (ci/check_sdkconfig_names.py, kconfgen over real ESP-IDF trees), and the checker reports what it must:
a typo, an option one chip hides, and only the allowances ci/sdkconfig_allowed.txt grants."""
import shutil

import pytest

import check_sdkconfig_names as names
import static_checks

HAMMER = 'test_apps/ws_hammer'


def wifi_builds(*chips):
    return [names.Build(HAMMER, chip, 'wifi', (f'{HAMMER}/sdkconfig.ci.wifi',)) for chip in chips]


@pytest.fixture
def copy(repo, tmp_path):
    """What a configure step of ws_hammer reads (its CMakeLists, components, sdkconfig files), copied."""
    skip = shutil.ignore_patterns('build*', 'managed_components', '__pycache__', 'dependencies.lock', 'node_modules')
    for folder in ('ci', 'components', 'test_apps'):
        shutil.copytree(repo / folder, tmp_path / folder, ignore=skip)
    shutil.copy(repo / 'sdkconfig.defaults', tmp_path)
    return tmp_path


def line_of(path, text):
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


@pytest.mark.slow  # ESP-IDF's kconfgen for 15 chip/version pairs
def test_every_option_holds_on_every_chip_and_version(idf_trees):
    result = static_checks.sdkconfig_names()
    assert result.ok, result.output


def test_a_misspelt_option_is_reported_with_file_line_chip_and_version(copy, idf_trees):
    defaults = copy / 'sdkconfig.defaults'
    defaults.write_text(defaults.read_text().replace('CONFIG_FREERTOS_HZ=', 'CONFIG_FREERTOS_HZZ='))
    report = names.check(copy, idf_trees, wifi_builds('esp32c3'))
    typo = [f for f in report.failing if f.symbol == 'FREERTOS_HZZ']
    line = line_of(defaults, 'CONFIG_FREERTOS_HZZ=')
    assert {(f.kind, f.path, f.line, f.target) for f in typo} == {('unknown', 'sdkconfig.defaults', line, 'esp32c3')}
    assert sorted(f.version for f in typo) == sorted(version for _, version in report.checked)
    assert not report.ok
    assert f'sdkconfig.defaults:{line}' in str(report) and 'CONFIG_FREERTOS_HZZ' in str(report)


def test_an_option_one_chip_hides_is_reported_for_that_chip_only(copy, idf_trees):
    """A member of a visible choice that the chip does not show: kconfgen itself says nothing."""
    wifi = copy / HAMMER / 'sdkconfig.ci.wifi'
    wifi.write_text(wifi.read_text() + 'CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG=y\n')
    report = names.check(copy, idf_trees, wifi_builds('esp32', 'esp32c3'))
    hidden = [f for f in report.failing if f.symbol == 'ESP_CONSOLE_USB_SERIAL_JTAG']
    assert {(f.kind, f.path, f.line, f.target) for f in hidden} == {
        ('not visible', f'{HAMMER}/sdkconfig.ci.wifi', line_of(wifi, 'USB_SERIAL_JTAG'), 'esp32')}
    assert len(hidden) == len(idf_trees)


def test_an_allowance_passes_a_finding_only_on_the_chips_and_versions_it_lists(copy, idf_trees, tmp_path_factory):
    """eh_frame is not visible on either Xtensa chip; the allowance names one chip and one version."""
    version = names.check_build(copy, idf_trees[0], wifi_builds('esp32')[0])[0]
    allowed = tmp_path_factory.mktemp('allow') / 'sdkconfig_allowed.txt'
    allowed.write_text(f'ESP_SYSTEM_USE_EH_FRAME esp32 {version} Xtensa unwinds without eh_frame\n')
    report = names.check(copy, idf_trees, wifi_builds('esp32', 'esp32s3'), allowed)
    eh_frame = {(f.target, f.version) for f in report.findings if f.symbol == 'ESP_SYSTEM_USE_EH_FRAME'}
    failing = {(f.target, f.version) for f in report.failing if f.symbol == 'ESP_SYSTEM_USE_EH_FRAME'}
    assert eh_frame == {(chip, v) for chip in ('esp32', 'esp32s3') for _, v in report.checked}
    assert failing == eh_frame - {('esp32', version)}
    assert 'allowed (line 1)' in str(report)


def test_an_allowance_that_nothing_needs_fails(copy, idf_trees, tmp_path_factory):
    allowed = tmp_path_factory.mktemp('allow') / 'sdkconfig_allowed.txt'
    allowed.write_text('FREERTOS_HZ esp32c3 * exists everywhere, so this allows nothing\n')
    report = names.check(copy, idf_trees[:1], wifi_builds('esp32c3'), allowed)
    assert not report.ok
    assert report.unneeded == [f'ci/sdkconfig_allowed.txt:1: CONFIG_FREERTOS_HZ needs no allowance on esp32c3 '
                               f'with ESP-IDF {version}' for _, version in report.checked]


def test_without_an_idf_tree_the_check_fails_and_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setenv('WSH_IDF_TREES', str(tmp_path / 'no-esp-idf'))
    result = static_checks.sdkconfig_names()
    assert not result.ok
    assert 'scripts/setup.sh' in result.output


# ---- the pure parts

def test_kconfgen_notes_name_the_symbol_a_file_sets():
    output = (
        "NOTE: unknown kconfig symbol 'FREERTOS_HZZ' assigned to '1000' in /repo/sdkconfig.defaults\n"
        'NOTE: /idf/components/esp_system/Kconfig:127: ESP_BACKTRACING_METHOD has user-set value '
        'ESP_SYSTEM_USE_EH_FRAME from /tmp/kconfgen_tmp1 but is not visible\n'
        'NOTE: /idf/components/lwip/Kconfig:9: LWIP_MAX_SOCKETS has user-set value 16 from /tmp/kconfgen_tmp2 '
        'but is not visible (disabled dependency)\n'
        "warning: ESP_SYSTEM_USE_EH_FRAME (defined at components/esp_system/Kconfig:210) was assigned the value 'y' "
        "but got the value 'n'. Check these unsatisfied dependencies: IDF_TARGET_ARCH_RISCV (=n).\n"
        'NOTE: Loading defaults file /repo/sdkconfig.defaults...\n')
    assert names.parse_notes(output) == [
        ('unknown', ('FREERTOS_HZZ',)),
        ('not visible', ('ESP_SYSTEM_USE_EH_FRAME', 'ESP_BACKTRACING_METHOD')),  # the choice's member first
        ('not visible', ('LWIP_MAX_SOCKETS',)),
        ('not visible', ('ESP_SYSTEM_USE_EH_FRAME',)),
    ]


def test_findings_land_on_the_lines_that_set_the_option():
    """kconfgen repeats an unknown symbol for every later defaults file; only the file setting it counts."""
    layers = [('sdkconfig.defaults', '# tick\nCONFIG_FREERTOS_HZZ=1000\n# CONFIG_OLD_NAME is not set\n'),
              ('app/sdkconfig.ci.x', 'CONFIG_OTHER=y\n')]
    notes = [('unknown', ('FREERTOS_HZZ',)), ('unknown', ('FREERTOS_HZZ',)), ('not visible', ('GONE',))]
    assert names.locate(notes, layers, {'OLD_NAME': 'NEW_NAME'}) == [
        ('deprecated', 'OLD_NAME', 'sdkconfig.defaults', 3),
        ('unknown', 'FREERTOS_HZZ', 'sdkconfig.defaults', 2),
        ('not visible', 'GONE', '?', 0),
    ]


def test_an_assignment_the_configuration_does_not_hold_is_found():
    layers = [('a', 'CONFIG_KEPT=y\nCONFIG_HIDDEN_MEMBER=y\nCONFIG_SELECTED=n\nCONFIG_OVERRIDDEN=y\n'),
              ('b', '# CONFIG_OVERRIDDEN is not set\nCONFIG_NUMBER=16\n')]
    config = {'KEPT': True, 'SELECTED': True, 'OVERRIDDEN': False, 'NUMBER': 16}
    assert names.unapplied(layers, config, {}) == [('not visible', 'HIDDEN_MEMBER', 'a', 2),
                                                   ('ignored', 'SELECTED', 'a', 3)]


def test_unset_lines_are_checked_too():
    assert names.names_set('# CONFIG_LOG_COLOURS is not set\n# a comment\n') == [(1, 'LOG_COLOURS')]


def test_only_registered_components_and_their_requirements_are_in_the_build():
    props = {'___idf_main': {'__COMPONENT_REGISTERED': '1', 'REQUIRES': 'client', 'PRIV_REQUIRES': ''},
             '___idf_client': {'__COMPONENT_REGISTERED': '1', 'REQUIRES': '', 'PRIV_REQUIRES': 'idf::lwip'},
             '___idf_lwip': {'__COMPONENT_REGISTERED': '1'},
             '___idf_log': {'__COMPONENT_REGISTERED': '1'},
             '___idf_esp_wifi': {'__COMPONENT_REGISTERED': '0'},
             '___idf_espcoredump': {'__COMPONENT_REGISTERED': '1'}}
    order = ['esp_wifi', 'espcoredump', 'log', 'lwip', 'client', 'main']
    assert names.build_components(order, props, ['main'], ['log']) == ['log', 'lwip', 'client', 'main']
    assert names.build_components(order, props, order, []) == ['espcoredump', 'log', 'lwip', 'client', 'main']


def test_common_requirements_come_from_build_cmake():
    build_cmake = ('if("${target}" STREQUAL "linux")\n    set(requires_common freertos log linux)\nelse()\n'
                   '    set(requires_common cxx newlib freertos\n                 log esp_system)\nendif()\n')
    assert names.common_requirements(build_cmake, 'linux') == ['freertos', 'log', 'linux']
    assert names.common_requirements(build_cmake, 'esp32c3') == ['cxx', 'newlib', 'freertos', 'log', 'esp_system',
                                                                 'riscv']
    with pytest.raises(RuntimeError):
        names.common_requirements('set(requires_common a)\n', 'esp32')


def test_config_env_is_filled_in_like_configure_file():
    template = ('{\n    "IDF_TARGET": "${idf_target}",\n    "IDF_VERSION": "$ENV{IDF_VERSION}",\n'
                '    "FIXED": "IDF_TARGET"\n}\n')
    assert names.config_env(template, {'idf_target': 'esp32', 'IDF_VERSION': '5.5.5'}) == {
        'IDF_TARGET': 'esp32', 'IDF_VERSION': '5.5.5', 'FIXED': 'IDF_TARGET'}
    with pytest.raises(RuntimeError, match='idf_target'):
        names.config_env(template, {'IDF_VERSION': '5.5.5'})


def test_the_allowlist_names_chips_of_the_matrix_and_a_reason():
    allowances = names.parse_allowlist('# comment\nCONFIG_A esp32,linux 5.5.5,6.0.2 why not\nB * * because\n',
                                       {'esp32', 'esp32c3', 'linux'})
    assert [(a.symbol, sorted(a.targets), a.versions) for a in allowances] == [
        ('A', ['esp32', 'linux'], frozenset({'5.5.5', '6.0.2'})), ('B', ['esp32', 'esp32c3', 'linux'], None)]
    with pytest.raises(ValueError, match='esp32p4'):
        names.parse_allowlist('A esp32p4 * why\n', {'esp32'})
    with pytest.raises(ValueError, match='WHY'):
        names.parse_allowlist('A esp32 *\n', {'esp32'})

