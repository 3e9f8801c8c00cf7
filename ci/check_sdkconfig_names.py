#!/usr/bin/env python3
"""Fail on sdkconfig option names that no Kconfig defines.

ESP-IDF's kconfgen only prints a NOTE for an unknown name in an sdkconfig.defaults file, so a typo
(CONFIG_FREERTOS_HZZ=1000) silently does nothing on a device. This checks every name set in the
repository's sdkconfig files against:
  - ci/idf_kconfig_names.txt: the ESP-IDF options this project relies on, each checked against
    ESP-IDF's Kconfig sources (ESP-IDF itself is not on this machine);
  - every `config`/`menuconfig`/`choice` defined by a Kconfig file inside the repository
    (components, host/, test_apps).
Parsing and the verdict are pure functions; main() does the I/O.

Usage: ci/check_sdkconfig_names.py [--root DIR] [FILE ...]   (no FILE: every sdkconfig file under DIR)
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

SET_LINE = re.compile(r'^\s*CONFIG_([A-Za-z0-9_]+)\s*=')
UNSET_LINE = re.compile(r'^\s*#\s*CONFIG_([A-Za-z0-9_]+) is not set\s*$')
KCONFIG_SYMBOL = re.compile(r'^\s*(?:config|menuconfig|choice)\s+([A-Za-z0-9_]+)\s*$')
SKIPPED_DIRS = {'.git', 'node_modules', 'managed_components', '.venv', '__pycache__'}


@dataclass(frozen=True)
class Unknown:
    path: str
    line: int
    name: str

    def __str__(self) -> str:
        return f'{self.path}:{self.line}: CONFIG_{self.name} is defined by no known Kconfig'


def names_set(text: str) -> list[tuple[int, str]]:
    """(line number, NAME) for every CONFIG_NAME an sdkconfig text sets or unsets."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = SET_LINE.match(line) or UNSET_LINE.match(line)
        if match:
            found.append((number, match.group(1)))
    return found


def kconfig_symbols(text: str) -> set[str]:
    """Names a Kconfig text defines (config, menuconfig, named choice)."""
    return {m.group(1) for m in map(KCONFIG_SYMBOL.match, text.splitlines()) if m}


def known_list(text: str) -> set[str]:
    """Names from ci/idf_kconfig_names.txt: first word of each non-comment line, CONFIG_ prefix optional."""
    names = set()
    for line in text.splitlines():
        word = line.split('#', 1)[0].strip().split()
        if word:
            names.add(word[0].removeprefix('CONFIG_'))
    return names


def unknown_names(files: dict[str, str], known: set[str]) -> list[Unknown]:
    """Every name set in `files` (path -> text) that `known` lacks, in file and line order."""
    return [Unknown(path, line, name)
            for path, text in sorted(files.items())
            for line, name in names_set(text)
            if name not in known]


def is_sdkconfig_file(path: Path) -> bool:
    return path.name == 'sdkconfig.defaults' or path.name.startswith(('sdkconfig.defaults.', 'sdkconfig.ci.'))


def walk(root: Path):
    """Files under root, in sorted order, skipping VCS, caches, dependencies and build folders."""
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS and not d.startswith('build'))
        for name in sorted(files):
            yield Path(directory) / name


def is_kconfig(path: Path) -> bool:
    return path.name == 'Kconfig' or path.name.startswith('Kconfig.')


def repo_kconfig_symbols(root: Path) -> set[str]:
    symbols = set()
    for path in filter(is_kconfig, walk(root)):
        symbols |= kconfig_symbols(path.read_text(encoding='utf-8', errors='replace'))
    return symbols


def check_files(root: Path, names_file: Path, paths: list[Path]) -> list[Unknown]:
    """Names in `paths` that neither `names_file` nor a Kconfig under `root` defines."""
    known = known_list(names_file.read_text(encoding='utf-8')) | repo_kconfig_symbols(root)
    return unknown_names({str(p): p.read_text(encoding='utf-8') for p in paths}, known)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument('--names', type=Path, default=Path(__file__).resolve().parent / 'idf_kconfig_names.txt')
    parser.add_argument('files', nargs='*', type=Path)
    args = parser.parse_args(argv)

    root = args.root.resolve()
    paths = args.files or [p for p in walk(root) if is_sdkconfig_file(p)]
    missing = [str(p) for p in [*paths, args.names] if not p.is_file()]
    if not paths or missing:
        print(f"check_sdkconfig_names: {'missing: ' + ', '.join(missing) if missing else f'no sdkconfig files under {root}'}",
              file=sys.stderr)
        return 2
    problems = check_files(root, args.names, paths)
    for problem in problems:
        print(problem)
    print(f'check_sdkconfig_names: {len(paths)} file(s), {len(problems)} unknown name(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
