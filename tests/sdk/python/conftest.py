"""Shared fixtures for the Python SDK suite.

tests/sdk/run.sh starts the emulator and exports AUTH0_DOMAIN, EMULATOR_URL and the trust
variables (SSL_CERT_FILE, REQUESTS_CA_BUNDLE), each pointing at the emulator CA alone.
"""

import os

import pytest
import requests

API_AUDIENCE = "https://api.example.test/"
M2M_CLIENT = "m2m-client"
SPA_CLIENT = "spa-client"


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through tests/sdk/run.sh", pytrace=False)
    return value


@pytest.fixture(scope="session")
def domain() -> str:
    return _required("AUTH0_DOMAIN")


@pytest.fixture(scope="session")
def issuer(domain: str) -> str:
    return f"https://{domain}/"


@pytest.fixture(scope="session")
def url() -> str:
    return _required("EMULATOR_URL")


@pytest.fixture(scope="session")
def ca_path() -> str:
    return _required("SSL_CERT_FILE")


@pytest.fixture(scope="session")
def mint(url: str):
    """Mint a token through POST /__emulator/tokens (requests trusts the CA via REQUESTS_CA_BUNDLE)."""

    def _mint(**request) -> dict:
        response = requests.post(f"{url}__emulator/tokens", json=request, timeout=10)
        assert response.status_code == 200, f"{request} -> {response.status_code}: {response.text}"
        return response.json()

    return _mint


@pytest.fixture(scope="session")
def access_token_request() -> dict:
    return {
        "kind": "access",
        "sub": f"{M2M_CLIENT}@clients",
        "client_id": M2M_CLIENT,
        "audience": API_AUDIENCE,
        "scope": "read:things",
        "expires_in": 300,
    }
