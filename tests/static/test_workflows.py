"""The GitHub Actions workflows: actionlint-clean, and their logic lives in ci/ scripts that run locally."""
import os
import re

import static_checks


def test_actionlint_accepts_every_workflow():
    result = static_checks.actionlint()
    assert result.ok, result.output


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / 'broken.yml'
    broken.write_text(
        'name: broken\non: push\njobs:\n  b:\n    runs-on: ubuntu-22.04\n'
        '    steps:\n      - run: echo ${{ matrix.target }}\n')
    result = static_checks.actionlint([broken])
    assert not result.ok
    assert 'property "target" is not defined' in result.output


def test_every_run_step_calls_an_executable_ci_script(repo):
    """CI logic must be runnable without GitHub: each `run:` is one ci/ script call."""
    for workflow in sorted((repo / '.github' / 'workflows').glob('*.yml')):
        runs = re.findall(r'^\s+run: (.+)$', workflow.read_text(), re.MULTILINE)
        assert runs, f'{workflow.name} runs nothing'
        for command in runs:
            script = re.match(r'bash (ci/[\w.]+\.sh)\b', command)
            assert script, f'{workflow.name}: `{command}` is not a ci/ script call'
            assert os.access(repo / script.group(1), os.X_OK), f'{script.group(1)} is missing or not executable'
