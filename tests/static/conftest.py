"""Static checks of the repository (ci/static_checks.py) as pytest tests, plus proofs that each checker
catches the mistake it exists for. The ci/ scripts are plain files, not a package: put ci/ on sys.path."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'ci'))

import idf_trees as idf_tree_lookup  # noqa: E402


@pytest.fixture(scope='session')
def repo() -> Path:
    return REPO


@pytest.fixture(scope='session')
def idf_trees() -> list:
    """The real ESP-IDF trees (ci/idf_trees.py). Their absence fails a test: a check that cannot run
    must not pass as skipped."""
    try:
        return idf_tree_lookup.idf_trees()
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
