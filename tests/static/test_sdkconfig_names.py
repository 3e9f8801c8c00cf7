"""Every CONFIG_ name an sdkconfig file sets must be defined somewhere: a typo otherwise does nothing."""
import check_sdkconfig_names as names
import static_checks


def test_every_sdkconfig_name_in_the_repository_is_known():
    result = static_checks.sdkconfig_names()
    assert result.ok, result.output


def test_a_misspelt_option_is_reported_with_file_and_line():
    files = {'sdkconfig.ci.x': '# tick\nCONFIG_FREERTOS_HZ=1000\nCONFIG_FREERTOS_HZZ=1000\n'}
    problems = names.unknown_names(files, {'FREERTOS_HZ'})
    assert [(p.path, p.line, p.name) for p in problems] == [('sdkconfig.ci.x', 3, 'FREERTOS_HZZ')]
    assert 'sdkconfig.ci.x:3: CONFIG_FREERTOS_HZZ' in str(problems[0])


def test_unset_lines_are_checked_too():
    assert names.names_set('# CONFIG_LOG_COLOURS is not set\n# a comment\n') == [(1, 'LOG_COLOURS')]


def test_the_checker_fails_on_a_typo_in_a_real_file(repo, tmp_path, capsys):
    typo = tmp_path / 'sdkconfig.ci.typo'
    typo.write_text((repo / 'sdkconfig.defaults').read_text().replace('CONFIG_FREERTOS_HZ=', 'CONFIG_FREERTOS_HZZ='))
    assert names.main(['--root', str(repo), str(typo)]) == 1
    assert 'CONFIG_FREERTOS_HZZ is defined by no known Kconfig' in capsys.readouterr().out


def test_options_defined_by_a_repository_kconfig_are_known():
    kconfig = 'menu "m"\n    config WSH_A\n        bool\n    menuconfig WSH_B\n        bool\n    choice WSH_C\n'
    assert names.kconfig_symbols(kconfig) == {'WSH_A', 'WSH_B', 'WSH_C'}


def test_the_idf_name_list_holds_only_names_the_repository_uses(repo):
    """ci/idf_kconfig_names.txt is a list of checked facts: a name nobody sets is an unchecked claim."""
    listed = names.known_list((repo / 'ci' / 'idf_kconfig_names.txt').read_text())
    used = {name for path in static_checks.repo_files(names.is_sdkconfig_file)
            for _, name in names.names_set(path.read_text())}
    assert listed - used == set()
