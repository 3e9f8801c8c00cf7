"""idf-build-apps itself builds the linux rows of the build matrix with real ESP-IDF, as an ESP-IDF CI job
would: ``idf-build-apps build -t linux`` with the repository's .idf_build_apps.toml (a warning fails a build),
from ESP-IDF's Python environment (idf-build-apps runs idf.py with its own interpreter). It builds in place and
idf.py leaves sdkconfig and dependencies.lock in each app folder, so it runs on a copy of the sources."""
import os
import shutil
import subprocess

import pytest

from wshammer import idf_env
from wshammer.linux_elf import compiler_cache

pytestmark = pytest.mark.slow  # idf-build-apps builds every linux config

BUILD_TIMEOUT_S = 900
SOURCES = ('components', 'test_apps', 'sdkconfig.defaults', '.idf_build_apps.toml')


def linux_rows(repo):
    rows = [line.split() for line in (repo / 'ci' / 'expected_build_matrix.txt').read_text().splitlines()
            if line.strip() and not line.startswith('#')]
    return [(app, build_dir) for app, target, _, build_dir in rows if target == 'linux']


def copy_sources(repo, destination):
    skip = shutil.ignore_patterns('build*', '__pycache__', 'sdkconfig', 'dependencies.lock')
    for name in SOURCES:
        source = repo / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=skip)
        else:
            shutil.copy(source, destination / name)


def build_env(idf, sources):
    """ESP-IDF's environment, with idf.py's own ccache switch on when the rig's builds use it (the apps' build
    folders all lie under ``sources``)."""
    env = idf.tool_env(os.environ)
    launcher_args, launcher_env = compiler_cache(env, sources)
    if launcher_args:
        env.update(launcher_env, IDF_CCACHE_ENABLE='1')
    return env


def test_idf_build_apps_builds_every_linux_config(repo, tmp_path):
    try:
        idf = idf_env.find_idf(idf_env.DEFAULT_IDF_VERSION)
    except idf_env.IdfMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    if idf.python_env is None:
        pytest.fail(f"no ESP-IDF Python environment for {idf.path}: {idf_env.SETUP_HINT}", pytrace=False)
    copy_sources(repo, tmp_path)
    result = subprocess.run([idf.python, '-m', 'idf_build_apps', 'build', '-t', 'linux'], cwd=tmp_path,
                            env=build_env(idf, tmp_path), capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f'idf-build-apps build -t linux failed:\n{output[-8000:]}'
    rows = linux_rows(repo)
    assert rows, 'the pinned matrix has no linux row'
    missing = [f'{app}/{build_dir}' for app, build_dir in rows if not list((tmp_path / app / build_dir).glob('*.elf'))]
    assert not missing, f'no ELF in {missing}:\n{output[-4000:]}'
