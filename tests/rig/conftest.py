import pytest

from wshammer.tls import make_tls_material


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def tls_material_client(tmp_path_factory):
    return make_tls_material(tmp_path_factory.mktemp("tls_client"), client_cert=True)
