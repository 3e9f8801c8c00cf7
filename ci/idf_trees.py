"""Where the real ESP-IDF trees are that the static checks run against (one IDF_PATH each).

The one place ci/ looks them up: WSH_IDF_TREES (IDF_PATHs separated by ':') names them; by default they
are the trees of the supported versions that scripts/setup_idf.sh installed (wshammer.idf_env).
"""
from __future__ import annotations

import os
from pathlib import Path

from wshammer import idf_env

SETUP_HINT = f'{idf_env.SETUP_HINT}; or set WSH_IDF_TREES to IDF_PATHs separated by ":"'


def idf_trees() -> list[Path]:
    """The ESP-IDF trees to check against. Every tree WSH_IDF_TREES names must exist (a typo there must
    not shrink the check quietly); of the supported versions, those installed. RuntimeError when none is."""
    named = [Path(p) for p in os.environ.get('WSH_IDF_TREES', '').split(':') if p]
    if named:
        missing = [str(p) for p in named if not idf_env.is_real_idf(p)]
        if missing:
            raise RuntimeError(f"WSH_IDF_TREES names no ESP-IDF tree at {', '.join(missing)}: {SETUP_HINT}")
        return named
    found = [idf_env.find_idf(v).path for v in idf_env.installed_versions()]
    if not found:
        raise RuntimeError(f'no ESP-IDF tree in {idf_env.cache_dir(os.environ)}: {SETUP_HINT}')
    return found
