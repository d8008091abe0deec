"""HTTPS trust from Python: requests and httpx reach the emulator trusting only its CA (through
REQUESTS_CA_BUNDLE and SSL_CERT_FILE), and the same requests fail with default public roots."""

import json
import os
import ssl
import urllib.error
import urllib.request

import certifi
import httpx
import pytest
import requests
from cryptography import x509


def discovery_url(url: str) -> str:
    return f"{url}.well-known/openid-configuration"


def test_trust_variables_point_at_the_emulator_ca_alone(ca_path, url):
    assert os.environ["REQUESTS_CA_BUNDLE"] == ca_path
    with open(ca_path, "rb") as f:
        certs = x509.load_pem_x509_certificates(f.read())
    assert len(certs) == 1
    basic = certs[0].extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.value.ca is True

    served = requests.get(f"{url}__emulator/ca.pem", timeout=10)
    assert served.status_code == 200
    assert x509.load_pem_x509_certificate(served.content) == certs[0]


def test_requests_fetches_discovery_over_https(url, issuer):
    response = requests.get(discovery_url(url), timeout=10)

    assert response.status_code == 200
    assert response.json()["issuer"] == issuer


def test_httpx_fetches_discovery_over_https(url, issuer):
    response = httpx.get(discovery_url(url), timeout=10)

    assert response.status_code == 200
    assert response.json()["issuer"] == issuer


def test_urllib_default_context_fetches_discovery_over_https(url, issuer):
    # ssl.create_default_context() honours SSL_CERT_FILE: this is what PyJWKClient relies on.
    with urllib.request.urlopen(discovery_url(url), context=ssl.create_default_context(), timeout=10) as r:
        assert r.status == 200
        assert json.load(r)["issuer"] == issuer


def test_requests_with_public_roots_only_rejects_the_emulator(url):
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(discovery_url(url), verify=certifi.where(), timeout=10)


def test_httpx_with_public_roots_only_rejects_the_emulator(url):
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(discovery_url(url), verify=ssl.create_default_context(cafile=certifi.where()), timeout=10)


def test_ssl_context_without_the_ca_rejects_the_emulator(url):
    context = ssl.create_default_context(cafile=certifi.where())
    with pytest.raises(urllib.error.URLError) as excinfo:
        urllib.request.urlopen(discovery_url(url), context=context, timeout=10)
    assert isinstance(excinfo.value.reason, ssl.SSLCertVerificationError)
