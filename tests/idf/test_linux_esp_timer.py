"""test_apps/linux_compat/components/esp_timer on the linux target of real ESP-IDF, for every supported version.

ESP-IDF's linux target ships esp_timer as headers only; the override implements it. This builds
test_apps/linux_compat/test_esp_timer with each ESP-IDF (wshammer.idf_env; scripts/setup.sh installs them;
-Werror for the override), checks that the build took esp_timer from the override, runs the ELF and asserts
its ``N passed, 0 failed`` line and exit code 0.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from wshammer import idf_env

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "test_apps" / "linux_compat" / "test_esp_timer"
OVERRIDE = REPO / "test_apps" / "linux_compat" / "components" / "esp_timer"

RUN_TIMEOUT_S = 180
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)


def component_dir(build_dir: Path, name: str) -> Path:
    description = json.loads((build_dir / "project_description.json").read_text())
    return Path(description["build_component_info"][name]["dir"]).resolve()


@pytest.mark.parametrize("version", idf_env.SUPPORTED_IDF_VERSIONS)
def test_esp_timer_override_on_real_idf(version: str, idf_app) -> None:
    elf = idf_app(APP, version)
    assert component_dir(elf.parent, "esp_timer") == OVERRIDE.resolve()

    result = subprocess.run(
        [str(elf)], cwd=elf.parent, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=RUN_TIMEOUT_S,
    )
    output = result.stdout + result.stderr
    summary = SUMMARY.search(result.stdout)
    assert summary, f"no 'N passed, M failed' line (exit {result.returncode}):\n{output[-6000:]}"
    passed, failed = int(summary.group(1)), int(summary.group(2))
    assert failed == 0 and passed > 0, output[-6000:]
    assert result.returncode == 0, output[-6000:]
