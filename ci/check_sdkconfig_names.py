#!/usr/bin/env python3
"""Check every option the repository's sdkconfig files set against real ESP-IDF trees, per chip and version.

kconfgen only prints a NOTE for an option that no Kconfig defines, or that is set but not visible on the
chip, so a typo or a stale name silently does nothing on a device. For every build of
ci/expected_build_matrix.txt (app, chip, config), plus EXTRA_BUILDS, and every ESP-IDF tree that
ci/idf_trees.py finds, this does what ESP-IDF's configure step does up to kconfgen, without a compiler:
  1. the app's CMakeLists.txt runs in CMake script mode up to project() (ci/app_settings_probe.cmake),
     with -DSDKCONFIG_DEFAULTS=sdkconfig.ci.<config> as idf-build-apps passes it: its defaults files
     and component settings, whatever CMake logic picks them;
  2. ESP-IDF's tools/cmake/scripts/component_get_requirements.cmake says which components register for
     the chip (on linux most device components return early, so their options do not exist there) and
     what each requires; with COMPONENTS set only those and their requirements are in the build;
  3. config.env from the tree's tools/kconfig_new/config.env.in, prepare_kconfig_files.py, and kconfgen
     with the defaults files (each followed by its .<chip> companion) in order, as kconfig.cmake does.
kconfgen's notes (unknown symbol; set but not visible), assignments its configuration does not hold
(a hidden member of a visible choice, of which kconfgen says nothing; a y/n that a `select` overrode) and
deprecated names from the sdkconfig.rename files become findings at the file and line that set the
option. A finding passes only when ci/sdkconfig_allowed.txt allows its symbol on that chip and version
and says why; an allowance that no finding needs fails as well, so the list stays as short as the truth
allows. Builds run two at a time. Parsing, the build model and the verdict are pure functions; the
functions after `# I/O` run processes. Not modelled: bootloader_components, TEST_COMPONENTS, managed
components (the apps depend on none).

Usage: ci/check_sdkconfig_names.py [--root DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import idf_trees  # noqa: E402

CI = Path(__file__).resolve().parent
PROBE = CI / 'app_settings_probe.cmake'
ALLOWLIST = 'ci/sdkconfig_allowed.txt'  # these two relative to the repository root
MATRIX = 'ci/expected_build_matrix.txt'
SET_LINE = re.compile(r'^\s*CONFIG_([A-Za-z0-9_]+)\s*=')
UNSET_LINE = re.compile(r'^\s*#\s*CONFIG_([A-Za-z0-9_]+) is not set\s*$')
SKIPPED_DIRS = {'.git', 'node_modules', 'managed_components', '.venv', '__pycache__'}
# Symbol names in kconfgen's notes; esp-idf-kconfig 3.x writes NOTE, 2.x wrote warning.
UNKNOWN_NOTE = re.compile(r"^(?:NOTE|warning): unknown kconfig symbol '([A-Z0-9_]+)' assigned to '.*' in (.+)$")
INVISIBLE_NOTE = re.compile(r'^NOTE: (?:.*?:\d+: )?([A-Z0-9_]+) has user-set value (.*?) from .* but is not visible')
LEGACY_INVISIBLE_NOTE = re.compile(
    r"^warning: ([A-Z0-9_]+) \(defined at [^)]*\) was assigned the value '.*' but got the value")
SYMBOL_NAME = re.compile(r'^[A-Z][A-Z0-9_]*$')
UNKNOWN, INVISIBLE, IGNORED, DEPRECATED = 'unknown', 'not visible', 'ignored', 'deprecated'


@dataclass(frozen=True)
class Build:
    """One configure step: `defaults` is what the build passes as -DSDKCONFIG_DEFAULTS (root-relative)."""
    app: str
    target: str
    config: str
    defaults: tuple[str, ...] = ()


# Builds outside the matrix, made by tests: tests/component/test_dynamic_buffer.py configures the host
# test app with its dynamic_buffer file, tests/idf builds the apps of the linux_compat overrides and of the
# parallel kernel, tests/host the kernel's API tests.
EXTRA_BUILDS = [Build('components/esp_websocket_client/test_apps/host_tests', 'linux', 'dynamic_buffer',
                      ('components/esp_websocket_client/test_apps/host_tests/sdkconfig.defaults',
                       'components/esp_websocket_client/test_apps/host_tests/sdkconfig.dynamic_buffer')),
                Build('test_apps/linux_compat/test_esp_timer', 'linux', '-'),
                Build('test_apps/linux_compat/test_stdout', 'linux', '-'),
                Build('test_apps/linux_compat/test_malloc', 'linux', '-'),
                Build('test_apps/linux_compat/test_pthread', 'linux', '-'),
                Build('host/overrides/freertos/test_apps/parallel_kernel', 'linux', '-'),
                Build('host/overrides/freertos/test_apps/freertos_api', 'linux', '-')]


@dataclass(frozen=True)
class Finding:
    kind: str
    symbol: str
    path: str
    line: int
    target: str
    version: str
    config: str  # <app folder name>:<config> of the build that showed it

    def __str__(self) -> str:
        return (f'{self.path}:{self.line}: CONFIG_{self.symbol} is {self.kind} on {self.target} '
                f'with ESP-IDF {self.version} ({self.config})')


@dataclass(frozen=True)
class Allowance:
    symbol: str
    targets: frozenset[str]
    versions: frozenset[str] | None  # None: every version
    why: str
    line: int

    def covers(self, target: str, version: str) -> bool:
        return target in self.targets and (self.versions is None or version in self.versions)

    def allows(self, finding: Finding) -> bool:
        return finding.symbol == self.symbol and self.covers(finding.target, finding.version)


# ---- sdkconfig files and the build matrix

def names_set(text: str) -> list[tuple[int, str]]:
    """(line number, NAME) for every CONFIG_NAME an sdkconfig text sets or unsets."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = SET_LINE.match(line) or UNSET_LINE.match(line)
        if match:
            found.append((number, match.group(1)))
    return found


def is_sdkconfig_file(path: Path) -> bool:
    """A file of options that some build layers in (not a generated sdkconfig)."""
    return path.name == 'sdkconfig.defaults' or path.name.startswith(('sdkconfig.defaults.', 'sdkconfig.ci.'))


def walk(root: Path):
    """Files under root, in sorted order, skipping VCS, caches, dependencies and build folders."""
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS and not d.startswith('build'))
        for name in sorted(files):
            yield Path(directory) / name


def is_kconfig(path: Path) -> bool:
    return path.name == 'Kconfig' or path.name.startswith('Kconfig.')


def matrix_builds(matrix_text: str) -> list[Build]:
    """The builds of ci/expected_build_matrix.txt (`app target config build_dir`, config '-': none)."""
    builds = []
    for line in matrix_text.splitlines():
        if line.strip() and not line.startswith('#'):
            app, target, config, _ = line.split()
            builds.append(Build(app, target, config, () if config == '-' else (f'{app}/sdkconfig.ci.{config}',)))
    return builds


# ---- the build model: what ESP-IDF's CMake does before kconfgen

def parse_settings(text: str) -> dict[str, list[str]]:
    """ci/app_settings_probe.cmake's output: NAME=CMake list per line; a name is absent when unset."""
    settings = {}
    for line in text.splitlines():
        name, _, value = line.partition('=')
        settings[name] = [item for item in value.split(';') if item]
    return settings


def defaults_files(settings: dict[str, list[str]], app_dir: Path) -> list[Path]:
    """SDKCONFIG_DEFAULTS as project.cmake resolves it: the app's own list, else <app>/sdkconfig.defaults."""
    listed = settings.get('SDKCONFIG_DEFAULTS') or (['sdkconfig.defaults'] if (app_dir / 'sdkconfig.defaults').is_file()
                                                    else [])
    return [Path(os.path.normpath(app_dir / item)) for item in listed]


def is_component_dir(path: Path) -> bool:
    """project.cmake's __component_dir_quick_check: a folder, not hidden, with a CMakeLists.txt."""
    return path.is_dir() and not path.name.startswith('.') and (path / 'CMakeLists.txt').is_file()


def component_dirs(idf: Path, app_dir: Path, settings: dict[str, list[str]]) -> dict[str, tuple[Path, str]]:
    """name -> (folder, COMPONENT_SOURCE) in ESP-IDF's order: the tree's components, then main, the
    EXTRA_COMPONENT_DIRS, <app>/components (or only COMPONENT_DIRS). A later folder of the same name
    replaces an earlier one and keeps its place, as __component_add does."""
    found: dict[str, tuple[Path, str]] = {}

    def add(folder: Path, source: str) -> None:
        folder = Path(os.path.normpath(app_dir / folder))
        if (folder / 'CMakeLists.txt').is_file():
            found[folder.name] = (folder, source)
        elif folder.is_dir():
            for child in sorted(folder.iterdir()):
                if is_component_dir(child):
                    found[child.name] = (child, source)

    for child in sorted((idf / 'components').iterdir()):
        if is_component_dir(child):
            found[child.name] = (child, 'idf_components')
    if 'COMPONENT_DIRS' in settings:
        for folder in settings['COMPONENT_DIRS']:
            add(Path(folder), 'project_components')
        return found
    add(app_dir / 'main', 'project_components')
    for folder in settings.get('EXTRA_COMPONENT_DIRS', []):
        add(Path(folder), 'project_extra_components')
    add(app_dir / 'components', 'project_components')
    return found


def target_arch(target: str) -> str:
    """IDF_TARGET_ARCH as idf_build_process sets it."""
    return 'xtensa' if target in ('esp32', 'esp32s2', 'esp32s3') else '' if target == 'linux' else 'riscv'


def common_requirements(build_cmake: str, target: str) -> list[str]:
    """What build.cmake makes every component require: its `requires_common` for linux or for chips
    (plus the chip's architecture component)."""
    lists = [m.split() for m in re.findall(r'set\(requires_common\s+([^)]*)\)', build_cmake)]
    if len(lists) != 2:
        raise RuntimeError(f'tools/cmake/build.cmake: expected two requires_common lists, found {len(lists)}')
    return lists[0] if target == 'linux' else [*lists[1], target_arch(target)]


def parse_requirements(text: str) -> dict[str, dict[str, str]]:
    """component_get_requirements.cmake's output: component target -> property -> value."""
    props: dict[str, dict[str, str]] = {}
    for match in re.finditer(r'^__component_set_property\((\S+) (\S+) "?(.*?)"?\)$', text, re.M):
        props.setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    return props


def build_components(order: list[str], props: dict[str, dict[str, str]], roots: list[str],
                     common: list[str]) -> list[str]:
    """The components in the build, in `order`: the registered ones among `roots` and, recursively,
    what they require, as __build_expand_requirements walks them."""
    seen: set[str] = set()

    def expand(name: str) -> None:
        own = props.get(f'___idf_{name}', {})
        if name in seen or own.get('__COMPONENT_REGISTERED') != '1':
            return
        seen.add(name)
        for req in [*own.get('REQUIRES', '').split(';'), *own.get('PRIV_REQUIRES', '').split(';'), *common]:
            if req:
                expand(req.split('::')[-1])

    for name in roots:
        expand(name)
    return [name for name in order if name in seen]


def config_env(template: str, values: dict[str, str]) -> dict[str, str]:
    """tools/kconfig_new/config.env.in filled in as CMake's configure_file() does (${var}, $ENV{var})."""
    def fill(match: re.Match) -> str:
        if match.group(1) not in values:
            raise RuntimeError(f'config.env.in uses ${{{match.group(1)}}}, which this checker does not provide')
        return json.dumps(values[match.group(1)])[1:-1]
    return json.loads(re.sub(r'\$(?:ENV)?\{(\w+)\}', fill, template))


def renamed_options(texts: list[str]) -> dict[str, str]:
    """Deprecated name -> current name from sdkconfig.rename files (`CONFIG_OLD [!]CONFIG_NEW`)."""
    renames = {}
    for text in texts:
        for line in text.splitlines():
            words = line.split('#', 1)[0].split()
            if len(words) == 2:
                renames[words[0].removeprefix('CONFIG_')] = words[1].lstrip('!').removeprefix('CONFIG_')
    return renames


# ---- kconfgen's output and the verdict

def parse_notes(output: str) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, candidate symbols) for each complaint of kconfgen about an assigned option. For a choice
    that is not visible kconfgen names the choice and the user-set member; the member is what a file sets."""
    notes = []
    for line in output.splitlines():
        line = line.strip()
        if match := UNKNOWN_NOTE.match(line):
            notes.append((UNKNOWN, (match.group(1),)))
        elif match := INVISIBLE_NOTE.match(line):
            value = match.group(2)
            notes.append((INVISIBLE, (value, match.group(1)) if SYMBOL_NAME.match(value) else (match.group(1),)))
        elif match := LEGACY_INVISIBLE_NOTE.match(line):
            notes.append((INVISIBLE, (match.group(1),)))
    return notes


def locate(notes: list[tuple[str, tuple[str, ...]]], layers: list[tuple[str, str]],
           renames: dict[str, str]) -> list[tuple[str, str, str, int]]:
    """(kind, symbol, path, line) for every line of the defaults files (path, text), in layer order, that
    sets a noted symbol or a deprecated name. The note's own file is no guide: kconfgen repeats an unknown
    symbol for every later file and names a temporary copy for one that is not visible."""
    lines: dict[str, list[tuple[str, int]]] = {}
    found = []
    for path, text in layers:
        for number, name in names_set(text):
            lines.setdefault(name, []).append((path, number))
            if name in renames:
                found.append((DEPRECATED, name, path, number))
    for kind, candidates in notes:
        symbol = next((c for c in candidates if c in lines), candidates[-1])
        found += [(kind, symbol, path, number) for path, number in lines.get(symbol, [('?', 0)])]
    return list(dict.fromkeys(found))


def unapplied(layers: list[tuple[str, str]], config: dict[str, object],
              renames: dict[str, str]) -> list[tuple[str, str, str, int]]:
    """(kind, symbol, path, line) of each option whose last assignment the generated configuration
    (kconfgen's json) does not hold: absent (kconfgen does not note a member of a visible choice that
    is not visible), or a y/n that a `select` or a dependency overrode."""
    last: dict[str, tuple[str, int, str]] = {}
    for path, text in layers:
        for number, line in enumerate(text.splitlines(), start=1):
            if match := UNSET_LINE.match(line):
                last[match.group(1)] = (path, number, 'n')
            elif match := re.match(r'^\s*CONFIG_([A-Za-z0-9_]+)=(.*)$', line):
                last[match.group(1)] = (path, number, match.group(2).strip())
    found = []
    for name, (path, number, value) in last.items():
        final = config.get(renames.get(name, name), None)
        if final is None:
            found.append((INVISIBLE, name, path, number))
        elif name not in renames and isinstance(final, bool) and value in ('y', 'n') and final is not (value == 'y'):
            found.append((IGNORED, name, path, number))
    return found


def parse_allowlist(text: str, targets: set[str]) -> list[Allowance]:
    """ci/sdkconfig_allowed.txt: `SYMBOL CHIPS VERSIONS WHY...` per line, CHIPS and VERSIONS comma lists
    or '*'. ValueError on a line that names an unknown chip or gives no reason."""
    allowances = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        fields = line.split(None, 3)
        if len(fields) < 4:
            raise ValueError(f'sdkconfig_allowed.txt:{number}: want SYMBOL CHIPS VERSIONS WHY')
        symbol, chips, versions, why = fields
        chosen = set(targets) if chips == '*' else set(chips.split(','))
        if chosen - targets:
            raise ValueError(f'sdkconfig_allowed.txt:{number}: no build for chip(s) '
                             f"{', '.join(sorted(chosen - targets))}")
        allowances.append(Allowance(symbol.removeprefix('CONFIG_'), frozenset(chosen),
                                    None if versions == '*' else frozenset(versions.split(',')), why.strip(), number))
    return allowances


def verdict(findings: list[Finding], allowances: list[Allowance],
            checked: set[tuple[str, str]]) -> tuple[list[Finding], list[str]]:
    """(findings no allowance covers, allowances that cover a checked chip/version without a finding)."""
    failing = [f for f in findings if not any(a.allows(f) for a in allowances)]
    shown = {(f.symbol, f.target, f.version) for f in findings}
    unneeded = [f'ci/sdkconfig_allowed.txt:{a.line}: CONFIG_{a.symbol} needs no allowance on {target} '
                f'with ESP-IDF {version}'
                for a in allowances for target, version in sorted(checked)
                if a.covers(target, version) and (a.symbol, target, version) not in shown]
    return failing, unneeded


def format_table(findings: list[Finding], allowances: list[Allowance]) -> str:
    """One row per place, symbol, problem and chip; versions and builds joined."""
    rows: dict[tuple, tuple[set, set]] = {}
    for f in findings:
        versions, configs = rows.setdefault((f'{f.path}:{f.line}', f.symbol, f.kind, f.target), (set(), set()))
        versions.add(f.version)
        configs.add(f.config)
    table = [('where', 'symbol', 'problem', 'chip', 'ESP-IDF', 'configs', 'verdict')]
    for (where, symbol, kind, target), (versions, configs) in sorted(rows.items()):
        allowed = {v: next((a for a in allowances if a.symbol == symbol and a.covers(target, v)), None)
                   for v in versions}
        verdicts = sorted({f'allowed (line {a.line})' if a else 'FAIL' for a in allowed.values()})
        table.append((where, f'CONFIG_{symbol}', kind, target, ','.join(sorted(versions, key=version_key)),
                      ','.join(sorted(configs)), ' '.join(verdicts)))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return '\n'.join('  '.join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split('.') if part.isdigit())


# I/O ---------------------------------------------------------------------------------------------

def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout + proc.stderr


def check_build(root: Path, idf: Path, build: Build) -> tuple[str, list[str], list[Finding]]:
    """(ESP-IDF version, defaults files read, findings) of one configure step of `build` against `idf`."""
    app_dir = root / build.app
    env = {**os.environ, 'IDF_PATH': str(idf), 'IDF_TARGET': build.target}
    with tempfile.TemporaryDirectory(prefix='wsh-kconfig-') as tmp:
        work = Path(tmp)
        cmd = ['cmake', f'-DIDF_TARGET={build.target}', f'-DWSH_APP={app_dir}', f"-DWSH_OUT={work / 'settings'}"]
        if build.defaults:
            cmd.append('-DSDKCONFIG_DEFAULTS=' + ';'.join(str(root / d) for d in build.defaults))
        run([*cmd, '-P', str(PROBE)], app_dir, env)
        settings = parse_settings((work / 'settings').read_text())
        version = settings['IDF_VERSION'][0]

        components = component_dirs(idf, app_dir, settings)
        targets = [f'___idf_{name}' for name in components]
        (work / 'build.cmake').write_text('\n'.join(f'set({k} "{v}")' for k, v in {
            'IDF_PATH': idf, 'IDF_TARGET': build.target, 'IDF_TARGET_ARCH': target_arch(build.target),
            'IDF_TOOLCHAIN': 'gcc', 'PYTHON': sys.executable, '__COMPONENT_TARGETS': ';'.join(targets)}.items()))
        (work / 'components.cmake').write_text('\n'.join(
            f'set(__component_{t}_{k} "{v}")' for t, (name, (folder, source)) in zip(targets, components.items())
            for k, v in {'COMPONENT_NAME': name, 'COMPONENT_DIR': folder, 'COMPONENT_ALIAS': f'idf::{name}',
                         'COMPONENT_LIB': f'__idf_{name}', 'COMPONENT_SOURCE': source}.items()))
        run(['cmake', '-DESP_PLATFORM=1', f"-DBUILD_PROPERTIES_FILE={work / 'build.cmake'}",
             f"-DCOMPONENT_PROPERTIES_FILE={work / 'components.cmake'}",
             f"-DCOMPONENT_REQUIRES_FILE={work / 'requires.cmake'}",
             '-P', str(idf / 'tools' / 'cmake' / 'scripts' / 'component_get_requirements.cmake')], work, env)
        props = parse_requirements((work / 'requires.cmake').read_text())

        # project.cmake: COMPONENTS trims the build; MINIMAL_BUILD (ESP-IDF v5.5 on) means COMPONENTS=main.
        minimal = (bool(settings.get('MINIMAL_BUILD')) and 'COMPONENTS' not in settings
                   and 'MINIMAL_BUILD' in (idf / 'tools' / 'cmake' / 'project.cmake').read_text())
        roots = ['main'] if minimal else settings.get('COMPONENTS') or list(components)
        roots = [name for name in roots if name not in settings.get('EXCLUDE_COMPONENTS', [])]
        common = common_requirements((idf / 'tools' / 'cmake' / 'build.cmake').read_text(), build.target)

        # kconfig.cmake: a component's own files, unless its idf_component_register() named others.
        kconfigs, projbuilds, rename_files = [], [], []
        for name in build_components(list(components), props, roots, common):
            folder, own = components[name][0], props[f'___idf_{name}']
            kconfigs += [own.get('KCONFIG') or str(folder / 'Kconfig')]
            projbuilds += [own.get('KCONFIG_PROJBUILD') or str(folder / 'Kconfig.projbuild')]
            rename_files += [str(folder / 'sdkconfig.rename'), str(folder / f'sdkconfig.rename.{build.target}')]
        kconfigs, projbuilds, rename_files = ([f for f in files if Path(f).is_file()]
                                              for files in (kconfigs, projbuilds, rename_files))
        values = {'kconfigs': ';'.join(kconfigs), 'kconfig_projbuilds': ';'.join(projbuilds),
                  'sdkconfig_renames': ';'.join(rename_files), 'idf_target': build.target, 'idf_toolchain': 'gcc',
                  'IDF_VERSION': version, 'idf_env_fpga': '', 'idf_path': str(idf),
                  'kconfigs_path': str(work / 'kconfigs.in'),
                  'kconfigs_projbuild_path': str(work / 'kconfigs_projbuild.in')}
        template = (idf / 'tools' / 'kconfig_new' / 'config.env.in').read_text()
        (work / 'config.env').write_text(json.dumps(config_env(template, values), indent=4))
        run([sys.executable, str(idf / 'tools' / 'kconfig_new' / 'prepare_kconfig_files.py'),
             '--list-separator=semicolon', '--env-file', str(work / 'config.env')], work, env)

        layers = []
        for path in defaults_files(settings, app_dir):
            companion = Path(f'{path}.{build.target}')
            layers += [path, companion] if companion.is_file() else [path]
        output = run([sys.executable, '-m', 'kconfgen', '--list-separator=semicolon',
                      '--kconfig', str(idf / 'Kconfig'), '--sdkconfig-rename', str(idf / 'sdkconfig.rename'),
                      '--config', str(work / 'sdkconfig'), *(a for p in layers for a in ('--defaults', str(p))),
                      '--env', f"IDF_MINIMAL_BUILD={'y' if minimal else 'n'}", '--env-file', str(work / 'config.env'),
                      '--output', 'config', str(work / 'sdkconfig'), '--output', 'json', str(work / 'sdkconfig.json')],
                     work, {**env, 'IDF_INIT_VERSION': version, 'KCONFIG_REPORT_VERBOSITY': 'default'})
        config = json.loads((work / 'sdkconfig.json').read_text())
    renamed = renamed_options([Path(p).read_text() for p in [idf / 'sdkconfig.rename', *rename_files]])
    texts = [(relative(p, root), p.read_text(encoding='utf-8')) for p in layers]
    found = locate(parse_notes(output), texts, renamed)
    noted = {symbol for kind, symbol, _, _ in found if kind != DEPRECATED}
    found += [f for f in unapplied(texts, config, renamed) if f[1] not in noted]
    label = f'{Path(build.app).name}:{build.config}'
    return version, [path for path, _ in texts], [
        Finding(kind, symbol, path, line, build.target, version, label) for kind, symbol, path, line in found]


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


@dataclass
class Report:
    findings: list[Finding]
    failing: list[Finding]
    unneeded: list[str]
    unchecked: list[str]  # sdkconfig files that no checked build reads
    checked: set[tuple[str, str]]
    allowances: list[Allowance]

    @property
    def ok(self) -> bool:
        return not (self.failing or self.unneeded or self.unchecked)

    def __str__(self) -> str:
        versions = sorted({v for _, v in self.checked}, key=version_key)
        chips = sorted({t for t, _ in self.checked})
        parts = [format_table(self.findings, self.allowances)] if self.findings else []
        parts += self.unneeded + [f'{p}: read by no build of the matrix, so never checked' for p in self.unchecked]
        parts.append(f"sdkconfig names: {len(self.checked)} chip/version pair(s) ({', '.join(chips)}; ESP-IDF "
                     f"{', '.join(versions)}), {len(self.findings)} finding(s), {len(self.failing)} not allowed")
        return '\n'.join(parts)


def check(root: Path, trees: list[Path], builds: list[Build] | None = None,
          allowlist: Path | None = None) -> Report:
    """Every build (default: the pinned matrix and EXTRA_BUILDS) against every tree, judged by
    `allowlist` (default: the repository's)."""
    every_build = matrix_builds((root / MATRIX).read_text()) + EXTRA_BUILDS
    builds = every_build if builds is None else builds
    allowances = parse_allowlist((allowlist or root / ALLOWLIST).read_text(), {b.target for b in every_build})
    jobs = [(tree, build) for tree in trees for build in builds]
    # A job is a chain of short processes (cmake -P twice, kconfgen): two at a time fill two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: check_build(root, *job), jobs))
    findings = [f for _, _, found in results for f in found]
    checked = {(build.target, version) for (_, build), (version, _, _) in zip(jobs, results)}
    failing, unneeded = verdict(findings, allowances, checked)
    read = {path for _, layers, _ in results for path in layers}
    unchecked = [relative(p, root) for p in walk(root) if is_sdkconfig_file(p)
                 and relative(p, root) not in read]
    return Report(findings, failing, unneeded, unchecked, checked, allowances)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', type=Path, default=CI.parent)
    args = parser.parse_args(argv)
    try:
        report = check(args.root.resolve(), idf_trees.idf_trees())
    except (RuntimeError, ValueError, OSError) as err:
        print(f'check_sdkconfig_names: {err}', file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1


if __name__ == '__main__':
    sys.exit(main())
