"""ESP-IDF's Kconfig style checker (kconfcheck) on every Kconfig file in the repository."""
import pytest

import static_checks


@pytest.mark.parametrize('kconfig', static_checks.repo_files(static_checks.is_kconfig),
                         ids=lambda path: str(path.relative_to(static_checks.ROOT)))
def test_kconfig_passes_kconfcheck(kconfig):
    result = static_checks.kconfcheck([kconfig])
    assert result.ok, result.output


def test_kconfcheck_rejects_bad_indentation_and_leaves_no_new_file(tmp_path):
    bad = tmp_path / 'Kconfig'
    bad.write_text('menu "wshammer example"\n  config WSH_EXAMPLE_A\n      bool "a"\nendmenu\n')
    result = static_checks.kconfcheck([bad])
    assert not result.ok
    assert 'indent' in result.output.lower()
    assert not (tmp_path / 'Kconfig.new').exists(), 'the check runs on a scratch copy'


def test_a_waiver_covers_its_own_file_only(tmp_path):
    """host/overrides/freertos/Kconfig may source ESP-IDF's Kconfig (static_checks.KCONFCHECK_WAIVED); the same
    line anywhere else is still refused."""
    elsewhere = tmp_path / 'Kconfig'
    elsewhere.write_text((static_checks.ROOT / 'host' / 'overrides' / 'freertos' / 'Kconfig').read_text())
    result = static_checks.kconfcheck([elsewhere])
    assert not result.ok
    assert 'can be sourced' in result.output
