"""Static checks of the repository (ci/static_checks.py) as pytest tests, plus proofs that each checker
catches the mistake it exists for. The ci/ scripts are plain files, not a package: put ci/ on sys.path."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'ci'))


@pytest.fixture(scope='session')
def repo() -> Path:
    return REPO
