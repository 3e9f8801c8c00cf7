"""host/test_apps/smoke_project, a standard ESP-IDF project, built unchanged with
``IDF_PATH=<repo>/host cmake ... && ninja`` and run as target ``linux`` under pytest-embedded: a
subprocess ``pytest --embedded-services idf --app-path <proj> --build-dir <build>`` on the project's own
pytest_smoke_project.py, in every variant (the ELF inherits the variant's sanitizer options).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wshammer.host_build import sanitizer_env

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN

PROJECT = Path(__file__).resolve().parents[2] / "host" / "test_apps" / "smoke_project"


def embedded_command(build_dir: Path, log_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "pytest", str(PROJECT / "pytest_smoke_project.py"),
        "--embedded-services", "idf",
        "--app-path", str(PROJECT),
        "--build-dir", str(build_dir),
        "--root-logdir", str(log_dir),
        "--rootdir", str(PROJECT),
        "-p", "no:cacheprovider",
        "-q",
    ]


def test_smoke_project_under_pytest_embedded(host_app, variant, tmp_path):
    elf = host_app(PROJECT, variant)
    build_dir = elf.parent
    assert (build_dir / "config" / "sdkconfig.json").is_file()
    env = {**os.environ, **sanitizer_env(variant, os.environ)}
    result = subprocess.run(
        embedded_command(build_dir, tmp_path / "logs"),
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout
