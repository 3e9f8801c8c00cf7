"""host/ holds only what ESP-IDF's linux target lacks (issue 10): components that replace one of ESP-IDF's
under host/overrides/ (each named in docs/host-platform.md with what it replaces and why), components that
add what ESP-IDF has no counterpart of under host/components/, and the file that joins a project to the
parallel platform. Checked against every installed ESP-IDF tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from wshammer import idf_env

REPO = Path(__file__).resolve().parents[2]
HOST = REPO / "host"
PLATFORM_DOC = (REPO / "docs" / "host-platform.md").read_text()


def esp_idf_components(version: str) -> set[str]:
    try:
        idf = idf_env.find_idf(version)
    except idf_env.IdfMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    return {p.name for p in (idf.path / "components").iterdir() if (p / "CMakeLists.txt").is_file()}


def test_host_holds_only_overrides_components_and_the_platform_file():
    assert sorted(p.name for p in HOST.iterdir()) == ["components", "overrides", "parallel_platform.cmake"]


@pytest.mark.parametrize("version", idf_env.SUPPORTED_IDF_VERSIONS)
def test_each_override_replaces_a_component_of_esp_idf_and_each_addition_is_new(version):
    theirs = esp_idf_components(version)
    overrides = sorted(p.name for p in (HOST / "overrides").iterdir())
    additions = sorted(p.name for p in (HOST / "components").iterdir())
    assert [name for name in overrides if name not in theirs] == [], "an override of nothing ESP-IDF has"
    assert [name for name in additions if name in theirs] == [], "host/components re-implements ESP-IDF's"
    undocumented = [name for name in overrides + additions
                    if f"`overrides/{name}`" not in PLATFORM_DOC and f"`components/{name}`" not in PLATFORM_DOC]
    assert undocumented == [], "docs/host-platform.md's table of host/ must say what each is and why"
