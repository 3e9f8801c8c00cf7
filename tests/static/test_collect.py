"""The hammer suite collects for every target and pytest-embedded service combination CI uses."""
import pytest

import static_checks


# Not named `target`: pytest-embedded deselects items whose `target` parameter differs from --target.
@pytest.mark.parametrize('chip, services', static_checks.COLLECT_COMBOS,
                         ids=[f'{t}-{s}' for t, s in static_checks.COLLECT_COMBOS])
def test_suite_collects(chip, services):
    result = static_checks.collect(chip, services)
    assert result.ok, result.output


def test_collected_items_reads_pytest_quiet_output():
    out = ('test_apps/ws_hammer/pytest_ws_hammer.py::test_echo[esp32]\n'
           'test_apps/ws_hammer/pytest_ws_hammer.py::test_stop_latency[esp32]\n\n2 tests collected in 0.3s\n')
    assert len(static_checks.collected_items(out)) == 2
    assert static_checks.collected_items('no tests ran in 0.01s\n') == []
