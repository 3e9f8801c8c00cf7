"""Test PKI for the wss servers: a trustme CA, a server certificate for ``localhost`` and ``127.0.0.1``
and optionally a client certificate, written as PEM files.

The app takes the CA as one line of base64 DER (the ``ca=`` command key). mbedTLS 2.28 does not match IP
SANs, so the app connects to an address and verifies the name ``localhost`` (``cn=``); the IP SAN is there for
peers that do. Nothing here is shared between threads once built.
"""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

SERVER_IDENTITIES = ("localhost", "127.0.0.1")
CLIENT_IDENTITY = "wshammer-client@example.com"


@dataclass(frozen=True)
class TlsMaterial:
    directory: Path
    ca_pem: Path
    server_cert_pem: Path
    server_key_pem: Path
    client_cert_pem: Path | None
    client_key_pem: Path | None
    ca_der_b64: str  # value for the app's ``ca=`` key

    @property
    def common_name(self) -> str:
        return SERVER_IDENTITIES[0]


def ca_pem_to_der_b64(pem: bytes) -> str:
    return base64.b64encode(ssl.PEM_cert_to_DER_cert(pem.decode("ascii"))).decode("ascii")


def make_tls_material(
    directory: Path,
    *,
    client_cert: bool = False,
    extra_identities: tuple[str, ...] = (),
    key_type: trustme.KeyType = trustme.KeyType.ECDSA,
) -> TlsMaterial:
    """Create the CA and certificates under ``directory``. ``extra_identities`` adds SANs (e.g. a LAN address
    a board connects to)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(key_type=key_type)
    server = ca.issue_cert(*SERVER_IDENTITIES, *extra_identities, key_type=key_type)

    ca_pem = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    server_cert = directory / "server.pem"
    server_cert.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    server_key = directory / "server.key"
    server.private_key_pem.write_to_path(str(server_key))

    client_cert_path = client_key_path = None
    if client_cert:
        client = ca.issue_cert(CLIENT_IDENTITY, key_type=key_type)
        client_cert_path = directory / "client.pem"
        client_cert_path.write_bytes(b"".join(blob.bytes() for blob in client.cert_chain_pems))
        client_key_path = directory / "client.key"
        client.private_key_pem.write_to_path(str(client_key_path))

    return TlsMaterial(
        directory=directory,
        ca_pem=ca_pem,
        server_cert_pem=server_cert,
        server_key_pem=server_key,
        client_cert_pem=client_cert_path,
        client_key_pem=client_key_path,
        ca_der_b64=ca_pem_to_der_b64(ca.cert_pem.bytes()),
    )


def server_ssl_context(material: TlsMaterial, *, require_client_cert: bool = False) -> ssl.SSLContext:
    # TLS 1.2 stays allowed: Debian's mbedTLS 2.28 speaks nothing newer.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(material.server_cert_pem), str(material.server_key_pem))
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=str(material.ca_pem))
    return ctx


def client_ssl_context(material: TlsMaterial, *, with_client_cert: bool = False) -> ssl.SSLContext:
    """For Python peers in tests: trusts the test CA only."""
    ctx = ssl.create_default_context(cafile=str(material.ca_pem))
    if with_client_cert:
        if material.client_cert_pem is None or material.client_key_pem is None:
            raise ValueError("this TlsMaterial was made without a client certificate")
        ctx.load_cert_chain(str(material.client_cert_pem), str(material.client_key_pem))
    return ctx
