"""Fixtures of the component tests: the host test app built per linux build (the parallel platform's variants
and ESP-IDF versions) through the shared ``parallel_app``/``linux_app`` fixtures (tests/conftest.py), from our
component or a mutant copy, and the TLS material of the wss servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from wshammer.tls import make_tls_material

from ct_app import APP_DIR, COMPONENT_DIR, app_cmake_args


@pytest.fixture(scope="session")
def build_ct(parallel_app):
    """Factory: ``build_ct(variant, component_dir=COMPONENT_DIR)`` -> ELF of the test app on the parallel
    platform."""

    def build(variant: str, component_dir: Path = COMPONENT_DIR) -> Path:
        return parallel_app(APP_DIR, variant, app_cmake_args(component_dir))

    return build


@pytest.fixture
def ct_elf(linux_app, linux_build) -> Path:
    return linux_app(APP_DIR, linux_build, app_cmake_args(COMPONENT_DIR))


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("ct_tls"))
