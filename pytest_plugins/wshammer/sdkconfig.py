"""Kconfig options the user sets for the tree under test (``--sdkconfig KEY=VALUE``, ``--sdkconfig-defaults
FILE``): parsed and checked here, written as one more sdkconfig defaults file after the app's own (ESP-IDF's
rule: a later defaults file overrides an earlier one), and checked against the build's
``config/sdkconfig.json`` afterwards, because Kconfig drops an option it does not know, or one whose
dependencies are off, without a word. Pure: text and data in, text and data out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_NAME = re.compile(r"[A-Z0-9_]+")
_INT = re.compile(r"-?[0-9]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")
_NOT_SET = re.compile(r"#\s*(CONFIG_[A-Z0-9_]+) is not set\s*")
PREFIX = "CONFIG_"

#: One option: (CONFIG_NAME, value as an sdkconfig file writes it: y, n, 42, 0x10 or "text").
Setting = tuple[str, str]


class SdkconfigError(ValueError):
    """A setting that cannot be right; the message names it and says what is accepted."""


def parse_setting(text: str, where: str = "--sdkconfig") -> Setting:
    """``KEY=VALUE`` with or without the ``CONFIG_`` prefix. A value is ``y``, ``n``, a decimal or 0x number, or
    a string (quoted as in sdkconfig, or bare: it is quoted here)."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise SdkconfigError(f"{where} {text!r}: expected KEY=VALUE, e.g. ESP_WS_CLIENT_SEPARATE_TX_LOCK=y")
    if not name.startswith(PREFIX):
        name = PREFIX + name
    if not _NAME.fullmatch(name):
        raise SdkconfigError(f"{where} {text!r}: a Kconfig name has only A-Z, 0-9 and _")
    if "\n" in value or "\r" in value:
        raise SdkconfigError(f"{where} {text!r}: a value is one line")
    if value in ("y", "n") or _INT.fullmatch(value) or _HEX.fullmatch(value):
        return name, value
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return name, value
    return name, '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_defaults(text: str, where: str) -> list[Setting]:
    """The settings of an sdkconfig defaults file: ``CONFIG_X=V`` lines and ``# CONFIG_X is not set``;
    other comments and blank lines are skipped. A line that is neither is an error naming it."""
    settings = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        not_set = _NOT_SET.fullmatch(stripped)
        if not_set:
            settings.append((not_set.group(1), "n"))
        elif stripped and not stripped.startswith("#"):
            if not stripped.startswith(PREFIX):
                raise SdkconfigError(f"{where}:{number}: {stripped!r} is not an sdkconfig line (CONFIG_NAME=VALUE)")
            settings.append(parse_setting(stripped, f"{where}:{number}:"))
    return settings


def merged(*groups: Iterable[Setting]) -> tuple[Setting, ...]:
    """Later settings of a name replace earlier ones, as in sdkconfig defaults; sorted, so that the same
    options given in any order name the same build."""
    result: dict[str, str] = {}
    for group in groups:
        for name, value in group:
            result[name] = value
    return tuple(sorted(result.items()))


def render_defaults(settings: Iterable[Setting]) -> str:
    lines = ["# Written by wshammer from --sdkconfig and --sdkconfig-defaults (the folder name hashes them)."]
    lines += [f"{name}={value}" for name, value in settings]
    return "\n".join(lines) + "\n"


def _expected_json(value: str) -> bool | int | str:
    if value in ("y", "n"):
        return value == "y"
    if _HEX.fullmatch(value):
        return int(value, 16)
    if _INT.fullmatch(value):
        return int(value)
    return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")


_CONFIG_LINE = re.compile(r"^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$", re.MULTILINE)
_SOURCE_LINE = re.compile(r'^\s*(o?r?source)\s+"([^"]+)"', re.MULTILINE)
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def kconfig_names(text: str) -> set[str]:
    """The options a Kconfig file defines (``config X`` and ``menuconfig X``)."""
    return set(_CONFIG_LINE.findall(text))


def kconfig_includes(text: str, here: str, env: Mapping[str, str]) -> list[str]:
    """The files a Kconfig file sources, as paths; ``rsource`` is relative to ``here`` (the file's folder).
    A path naming a variable ``env`` lacks is left out: ESP-IDF's build sets the rest."""
    paths = []
    for kind, template in _SOURCE_LINE.findall(text):
        unknown = [name for name in _VARIABLE.findall(template) if name not in env]
        if unknown:
            continue
        path = _VARIABLE.sub(lambda match: env[match.group(1)], template)
        paths.append(f"{here}/{path}" if kind.endswith("rsource") and not path.startswith("/") else path)
    return paths


def not_taken(
    settings: Iterable[Setting], config_json: Mapping[str, object], defined: set[str]
) -> list[str]:
    """Each setting the build does not have, with why; ``config_json`` is ESP-IDF's ``sdkconfig.json`` (names
    without the prefix), which leaves out an option whose dependencies are off. ``defined`` (the names every
    Kconfig of the build defines) tells such an option from one no Kconfig knows, a typo say,
    which is refused even when asked off: the option it was meant for would keep its default."""
    problems = []
    for name, value in settings:
        key = name.removeprefix(PREFIX)
        want = _expected_json(value)
        if key not in config_json:
            if key not in defined:
                problems.append(
                    f"{name}={value}: no Kconfig of this build defines it (a typo, or an option of another tree, "
                    "ESP-IDF version or target)"
                )
            elif want is not False:
                problems.append(f"{name}={value}: not offered in this build (its dependencies are off)")
            continue
        have = config_json[key]
        if isinstance(want, int) and not isinstance(want, bool) and isinstance(have, int):
            if want != have:
                problems.append(f"{name}={value}: the build has {have} (out of the option's range?)")
        elif have != want:
            problems.append(f"{name}={value}: the build has {have!r} (its dependencies, or a choice, override it)")
    return problems
