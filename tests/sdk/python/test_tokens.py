"""Tokens minted through the control API, verified the way Python resource servers do: PyJWT's
PyJWKClient fetches the JWKS over HTTPS (urllib, trusting SSL_CERT_FILE) and jwt.decode checks
signature, issuer, audience and expiry."""

import jwt
import pytest

from conftest import API_AUDIENCE, M2M_CLIENT, SPA_CLIENT


@pytest.fixture(scope="module")
def jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"{url}.well-known/jwks.json")


def verify(jwks_client: jwt.PyJWKClient, token: str, *, issuer: str, audience: str) -> dict:
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        issuer=issuer,
        audience=audience,
        options={"require": ["iss", "sub", "aud", "iat", "exp"]},
    )


def test_pyjwkclient_verifies_a_minted_access_token(jwks_client, mint, access_token_request, issuer):
    minted = mint(**access_token_request, claims={"https://example.test/plan": "gold"})

    claims = verify(jwks_client, minted["token"], issuer=issuer, audience=API_AUDIENCE)

    assert claims["iss"] == issuer
    assert claims["sub"] == f"{M2M_CLIENT}@clients"
    assert claims["aud"] == API_AUDIENCE
    assert claims["scope"] == "read:things"
    assert claims["https://example.test/plan"] == "gold"
    assert claims["exp"] - claims["iat"] == 300
    assert claims == minted["claims"]


def test_signing_key_is_found_by_the_token_kid(jwks_client, mint, access_token_request):
    token = mint(**access_token_request)["token"]

    signing_key = jwks_client.get_signing_key_from_jwt(token)

    assert signing_key.key_id == jwt.get_unverified_header(token)["kid"]
    assert signing_key.algorithm_name == "RS256"


def test_an_expired_token_raises_expired_signature_error(jwks_client, mint, access_token_request, issuer):
    token = mint(**{**access_token_request, "expires_in": -60})["token"]

    with pytest.raises(jwt.ExpiredSignatureError):
        verify(jwks_client, token, issuer=issuer, audience=API_AUDIENCE)


def test_a_foreign_signed_token_raises_invalid_signature_error(jwks_client, mint, access_token_request, issuer):
    token = mint(**access_token_request, signing="foreign")["token"]

    with pytest.raises(jwt.InvalidSignatureError):
        verify(jwks_client, token, issuer=issuer, audience=API_AUDIENCE)


def test_a_token_for_another_audience_raises_invalid_audience_error(
    jwks_client, mint, access_token_request, issuer
):
    token = mint(**access_token_request)["token"]

    with pytest.raises(jwt.InvalidAudienceError):
        verify(jwks_client, token, issuer=issuer, audience="https://other.example.test/")


def test_a_token_checked_against_another_issuer_raises_invalid_issuer_error(
    jwks_client, mint, access_token_request, domain
):
    token = mint(**access_token_request)["token"]

    with pytest.raises(jwt.InvalidIssuerError):
        # Without the trailing slash: the issuer must match to the character.
        verify(jwks_client, token, issuer=f"https://{domain}", audience=API_AUDIENCE)


def test_an_id_token_has_the_client_as_audience_and_integer_times(jwks_client, mint, issuer):
    minted = mint(kind="id", sub="auth0|sdk-suite-user", client_id=SPA_CLIENT, expires_in=600)

    claims = verify(jwks_client, minted["token"], issuer=issuer, audience=SPA_CLIENT)

    assert minted["kind"] == "id"
    assert claims["aud"] == SPA_CLIENT
    assert claims["sub"] == "auth0|sdk-suite-user"
    # auth0-python's TokenVerifier rejects float times.
    assert type(claims["iat"]) is int and type(claims["exp"]) is int
    assert "nonce" not in claims
