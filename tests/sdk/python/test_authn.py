"""auth0-python 6.8's Authentication API classes against the emulator: Database.signup with
user_metadata, GetToken.login (password-realm, JSON body with nulls for unset options) and its ID
token verified by TokenVerifier + AsymmetricSignatureVerifier, Users.userinfo,
GetToken.client_credentials, GetToken.refresh_token, RevokeToken, Database.change_password, and
the Auth0Error the SDK raises for Auth0's error bodies."""

import signal
import time
import uuid

import jwt
import pytest
from auth0.authentication import Database, GetToken, RevokeToken, Users
from auth0.authentication.exceptions import Auth0Error, TokenValidationError
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

from conftest import API_AUDIENCE, M2M_CLIENT

WEB_CLIENT = "web-client"
WEB_SECRET = "web-client-secret"
M2M_SECRET = "m2m-client-secret"
DB = "Username-Password-Authentication"
PASSWORD = "Passw0rd!"
NEW_PASSWORD = "Sdk-Test-Passw0rd!"
JANE_EMAIL = "jane@example.com"
JANE_ID = "auth0|0123456789abcdef01234567"
JANE_METADATA = {"hobby": "surfing", "theme": "dark"}
USER_METADATA_CLAIM = "https://example.test/user_metadata"
PLAN_CLAIM = "https://example.test/plan"
TIMEOUT = 10.0


TEST_DEADLINE_SECS = 60


@pytest.fixture(autouse=True)
def deadline():
    """Fail a test that runs too long instead of hanging the suite: the SDK's own HTTP calls have a
    timeout, but TokenVerifier's JWKS fetch (requests.get without one) does not."""

    def expire(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_DEADLINE_SECS}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_DEADLINE_SECS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def unique_email(tag: str) -> str:
    return f"sdk-py-{tag}-{uuid.uuid4().hex[:12]}@example.com"


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture(scope="module")
def web_token(domain: str) -> GetToken:
    return GetToken(domain, WEB_CLIENT, client_secret=WEB_SECRET, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def verifier(issuer: str) -> TokenVerifier:
    return TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(f"{issuer}.well-known/jwks.json"),
        issuer=issuer,
        audience=WEB_CLIENT,
    )


def login_jane(web_token: GetToken, **overrides) -> dict:
    params = dict(
        username=JANE_EMAIL,
        password=PASSWORD,
        realm=DB,
        scope="openid profile email",
        audience=API_AUDIENCE,
    )
    params.update(overrides)
    return web_token.login(**params)


def test_signup_stores_user_metadata_that_the_action_puts_in_the_id_token(domain, web_token, verifier):
    email = unique_email("signup")
    database = Database(domain, WEB_CLIENT, timeout=TIMEOUT)

    created = database.signup(
        email=email, password=NEW_PASSWORD, connection=DB, user_metadata={"team": "python", "level": "3"}
    )

    assert created["email"] == email
    assert created["email_verified"] is False
    user_id = created.get("_id")
    assert user_id and len(user_id) == 24, created

    tokens = web_token.login(username=email, password=NEW_PASSWORD, realm=DB, scope="openid profile email")
    payload = verifier.verify(tokens["id_token"])
    assert payload["sub"] == f"auth0|{user_id}"
    assert payload["email"] == email
    assert payload[USER_METADATA_CLAIM] == {"team": "python", "level": "3"}


def test_signup_of_an_existing_email_raises_user_exists(domain):
    database = Database(domain, WEB_CLIENT, timeout=TIMEOUT)

    with pytest.raises(Auth0Error) as excinfo:
        database.signup(email=JANE_EMAIL, password=NEW_PASSWORD, connection=DB)

    assert excinfo.value.status_code == 400
    assert excinfo.value.error_code == "user_exists"


def test_login_returns_an_id_token_that_token_verifier_accepts(web_token, verifier, issuer):
    tokens = login_jane(web_token)

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 86400
    payload = verifier.verify(tokens["id_token"])
    assert payload["iss"] == issuer
    assert payload["aud"] == WEB_CLIENT
    assert payload["sub"] == JANE_ID
    assert payload["email"] == JANE_EMAIL
    assert "nonce" not in payload
    assert isinstance(payload["iat"], int) and isinstance(payload["exp"], int)
    assert payload[USER_METADATA_CLAIM] == JANE_METADATA

    access = claims(tokens["access_token"])
    assert API_AUDIENCE in access["aud"]
    assert access["sub"] == JANE_ID
    assert access[PLAN_CLAIM] == "full"


def test_token_verifier_rejects_the_id_token_for_another_audience(web_token, issuer):
    tokens = login_jane(web_token)
    other = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(f"{issuer}.well-known/jwks.json"),
        issuer=issuer,
        audience="some-other-client",
    )
    with pytest.raises(TokenValidationError):
        other.verify(tokens["id_token"])


def test_userinfo_shows_sub_email_and_the_action_claim(domain, web_token):
    tokens = login_jane(web_token)

    info = Users(domain, timeout=TIMEOUT).userinfo(tokens["access_token"])

    assert info["sub"] == JANE_ID
    assert info["email"] == JANE_EMAIL
    assert info["email_verified"] is True
    assert info[USER_METADATA_CLAIM] == JANE_METADATA
    assert "user_metadata" not in info


def test_client_credentials_issues_an_api_token(domain, issuer):
    tokens = GetToken(domain, M2M_CLIENT, client_secret=M2M_SECRET, timeout=TIMEOUT).client_credentials(API_AUDIENCE)

    assert tokens["token_type"] == "Bearer"
    assert "id_token" not in tokens
    access = claims(tokens["access_token"])
    assert access["iss"] == issuer
    assert access["aud"] == API_AUDIENCE
    assert access["sub"] == f"{M2M_CLIENT}@clients"
    assert access["gty"] == "client-credentials"
    assert sorted(access["scope"].split()) == ["read:things", "write:things"]
    assert access["exp"] - access["iat"] == 86400
    assert abs(access["iat"] - time.time()) < 300


def test_wrong_password_raises_auth0error_invalid_grant(web_token):
    with pytest.raises(Auth0Error) as excinfo:
        login_jane(web_token, password="not-the-password")

    assert excinfo.value.status_code == 403
    assert excinfo.value.error_code == "invalid_grant"
    assert excinfo.value.message == "Wrong email or password."


def test_blocked_user_raises_auth0error_unauthorized(web_token):
    with pytest.raises(Auth0Error) as excinfo:
        login_jane(web_token, username="blocked@example.com")

    assert excinfo.value.status_code == 401
    assert excinfo.value.error_code == "unauthorized"
    assert excinfo.value.message == "user is blocked"


def test_refresh_token_grant_and_revocation(domain, web_token, verifier):
    tokens = login_jane(web_token, scope="openid profile email offline_access")
    assert "refresh_token" in tokens, sorted(tokens)

    # GetToken.refresh_token sends scope="" by default: an empty scope must not narrow anything.
    refreshed = web_token.refresh_token(tokens["refresh_token"])
    assert claims(refreshed["access_token"])["sub"] == JANE_ID
    assert API_AUDIENCE in claims(refreshed["access_token"])["aud"]
    assert verifier.verify(refreshed["id_token"])["sub"] == JANE_ID

    RevokeToken(domain, WEB_CLIENT, client_secret=WEB_SECRET, timeout=TIMEOUT).revoke_refresh_token(
        tokens["refresh_token"]
    )
    with pytest.raises(Auth0Error) as excinfo:
        web_token.refresh_token(tokens["refresh_token"])
    assert excinfo.value.status_code == 403
    assert excinfo.value.error_code == "invalid_grant"
    assert excinfo.value.message == "Unknown or invalid refresh token."


def test_change_password_answers_with_the_fixed_sentence(domain):
    reply = Database(domain, WEB_CLIENT, timeout=TIMEOUT).change_password(email=JANE_EMAIL, connection=DB)

    assert reply == "We've just sent you an email to reset your password."
