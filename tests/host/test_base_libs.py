"""The library components on the host: mbedtls with esp_crt_bundle_attach (system CA store or
WSH_CRT_BUNDLE), http_parser, and the lwip socket headers over POSIX sockets."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import trustme

from wshammer import host_build

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN

SYSTEM_STORE = Path("/etc/ssl/certs/ca-certificates.crt")


def fields(output: str, name: str) -> dict[str, str]:
    match = re.search(rf"^I \(\d+\) libs_test: {name} (.*)$", output, re.MULTILINE)
    assert match, f"no {name} line in:\n{output}"
    return dict(f.split("=", 1) for f in match[1].split())


def run_app(host_test_app, run_host_elf, variant, bundle: str | None = None) -> str:
    env = dict(os.environ)
    env.pop("WSH_CRT_BUNDLE", None)
    if bundle is not None:
        env["WSH_CRT_BUNDLE"] = bundle
    returncode, output = run_host_elf(host_test_app("base_libs", variant), timeout=60, env=env)
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    return output


@pytest.mark.skipif(not SYSTEM_STORE.is_file(), reason="no system CA store (ca-certificates not installed)")
def test_crt_bundle_attaches_the_system_store(host_test_app, run_host_elf, variant):
    bundle = fields(run_app(host_test_app, run_host_elf, variant), "BUNDLE")
    assert bundle["rc"] == "ESP_OK"
    assert int(bundle["certs"]) == SYSTEM_STORE.read_text().count("-----BEGIN CERTIFICATE-----")
    assert bundle["null_conf"] == "ESP_ERR_INVALID_ARG"
    assert bundle["mbedtls"].startswith("2.28.")


def test_crt_bundle_from_wsh_crt_bundle(host_test_app, run_host_elf, variant, tmp_path):
    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    bundle = fields(run_app(host_test_app, run_host_elf, variant, str(ca_file)), "BUNDLE")
    assert (bundle["rc"], bundle["certs"]) == ("ESP_OK", "1")


def test_crt_bundle_reports_an_unreadable_store(host_test_app, run_host_elf, variant, tmp_path):
    output = run_app(host_test_app, run_host_elf, variant, str(tmp_path / "missing.pem"))
    assert re.search(r"^E \(\d+\) esp-x509-crt-bundle: Failed to read the CA store .*missing\.pem", output, re.M)
    assert fields(output, "BUNDLE")["rc"] == "ESP_FAIL"


def test_http_parser_and_sockets(host_test_app, run_host_elf, variant):
    output = run_app(host_test_app, run_host_elf, variant)
    assert fields(output, "URL") == {
        "rc": "0", "schema": "wss", "host": "example.com", "port": "8443", "path": "/path/x", "query": "q=1",
        "userinfo": "user:pw",
    }
    assert fields(output, "BADURL")["rc"] != "0"
    assert fields(output, "SOCKETS") == {"fd_ok": "1", "bind": "0", "v4": "1", "err_ok": "1"}
