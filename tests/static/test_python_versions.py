"""Every Python the package claims (its classifiers: 3.10-3.13) can install it: the pinned dependencies, dev
extras included, resolve for each. Checked with uv's resolver, since pip resolves for another Python only from
wheels and esptool publishes none."""
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import toml as tomllib

import pytest

pytestmark = pytest.mark.slow  # pip resolves the pins for each Python

REPO = Path(__file__).resolve().parents[2]

CLASSIFIER = re.compile(r"^Programming Language :: Python :: (3\.\d+)$")


def claimed_versions() -> list[str]:
    project = tomllib.loads((REPO / 'pyproject.toml').read_text())['project']
    return [m.group(1) for m in map(CLASSIFIER.match, project.get('classifiers', [])) if m]


def test_the_package_claims_python_3_10_to_3_13():
    assert claimed_versions() == ['3.10', '3.11', '3.12', '3.13']


@pytest.mark.parametrize('version', claimed_versions())
def test_the_pinned_dependencies_resolve_for(version, tmp_path):
    result = subprocess.run(
        [sys.executable, '-m', 'uv', 'pip', 'compile', str(REPO / 'pyproject.toml'), '--extra', 'dev',
         '--python-version', version, '--quiet', '--output-file', str(tmp_path / 'requirements.txt')],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f'the pins do not resolve for Python {version}:\n{result.stderr[-3000:]}'
