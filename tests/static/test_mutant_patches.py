"""Every mutant in tests/mutants, and every old tree of tests/trees, applies to the component as it is now,
exactly (no fuzz). The tests that use a patch find a stale one only when they reach it, minutes into a run;
this finds it in a second, by name."""
import subprocess
from pathlib import Path

import pytest

MUTANTS = Path(__file__).resolve().parents[1] / 'mutants'
TREES = Path(__file__).resolve().parents[1] / 'trees'
PATCHES = sorted([*MUTANTS.glob('*.patch'), *TREES.glob('*.patch')])


def test_there_are_mutants():
    assert PATCHES, f'no patches in {MUTANTS}'


@pytest.mark.parametrize('patch', PATCHES, ids=[p.stem for p in PATCHES])
def test_mutant_applies_to_the_component(repo, patch):
    result = subprocess.run(
        ['patch', '-p1', '--dry-run', '--batch', '--forward', '--fuzz=0', '-d',
         str(repo / 'components' / 'esp_websocket_client'), '-i', str(patch)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, (
        f'{patch.name} no longer applies to components/esp_websocket_client; refresh it '
        f'({patch.parent.name}/README.md says how):\n{result.stdout}{result.stderr}'
    )
