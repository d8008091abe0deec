"""A custom database connection through auth0-python: the connection (the fixture scripts in
tests/fixtures/custom-db over a private copy of its JSON store) is created with a plain Management
API call; GetToken.login (password-realm) logs a legacy user in; the ManagementClient reads the
stored profile back, the script's `metadata` as app_metadata (app_metadata winning on a clash).
"""

import pathlib
import shutil
import uuid

import pytest
import requests
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error
from auth0.management import ManagementClient

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "custom-db"
M2M_CLIENT, M2M_SECRET = "m2m-client", "m2m-client-secret"
WEB_CLIENT, WEB_SECRET = "web-client", "web-client-secret"
ANA = {"email": "ana@legacy.example", "password": "Legacy-Passw0rd!", "user_id": "auth0|1001"}
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def mgmt_token(domain: str) -> str:
    tokens = GetToken(domain, M2M_CLIENT, client_secret=M2M_SECRET, timeout=TIMEOUT).client_credentials(f"https://{domain}/api/v2/")
    return tokens["access_token"]


@pytest.fixture(scope="module")
def legacy_connection(domain: str, mgmt_token: str, tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("legacy") / "store.json"
    shutil.copy(FIXTURES / "store.json", store)
    name = f"py-legacy-{uuid.uuid4().hex[:8]}"
    body = {
        "name": name,
        "strategy": "auth0",
        "enabled_clients": [WEB_CLIENT],
        "options": {
            "enabledDatabaseCustomization": True,
            "configuration": {"store_path": str(store)},
            "customScripts": {a: (FIXTURES / "scripts" / f"{a}.js").read_text() for a in ("login", "get_user")},
        },
    }
    response = requests.post(f"https://{domain}/api/v2/connections", json=body, headers={"authorization": f"Bearer {mgmt_token}"}, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return name


def test_a_legacy_login_stores_metadata_as_app_metadata(domain, mgmt_token, legacy_connection):
    web = GetToken(domain, WEB_CLIENT, client_secret=WEB_SECRET, timeout=TIMEOUT)
    tokens = web.login(username=ANA["email"], password=ANA["password"], realm=legacy_connection, scope="openid email")
    assert tokens["id_token"]
    user = ManagementClient(domain=domain, token=mgmt_token, timeout=TIMEOUT).users.get(ANA["user_id"])
    assert user.app_metadata == {"plan": "full", "tier": "silver"}
    assert user.user_metadata == {"hobby": "surfing"}
    assert user.identities[0].connection == legacy_connection


def test_the_scripts_unauthorized_error_reaches_the_sdk(domain, legacy_connection):
    web = GetToken(domain, WEB_CLIENT, client_secret=WEB_SECRET, timeout=TIMEOUT)
    with pytest.raises(Auth0Error) as raised:
        web.login(username="locked@legacy.example", password=ANA["password"], realm=legacy_connection)
    assert raised.value.status_code == 401
    assert raised.value.error_code == "unauthorized"
    assert raised.value.message == "This account is locked in the legacy store."
