"""Faults through auth0-python: a rate-limited token endpoint raises RateLimitError whose
reset_at is the x-ratelimit-reset header (epoch seconds on the emulator's clock)."""

import time

import pytest
import requests
from auth0.authentication import GetToken
from auth0.authentication.exceptions import RateLimitError

from conftest import API_AUDIENCE, M2M_CLIENT


@pytest.fixture()
def faults(url: str):
    yield f"{url}__emulator/faults"
    requests.delete(f"{url}__emulator/faults", timeout=10)


def test_a_rate_limited_token_endpoint_raises_rate_limit_error_with_reset_at(domain: str, faults: str) -> None:
    rule = {"match": {"endpoint": "token", "client_id": M2M_CLIENT}, "action": {"type": "rate_limit", "limit": 5, "reset_after": "30s"}, "times": 1}
    assert requests.post(faults, json=rule, timeout=10).status_code == 201
    client = GetToken(domain, M2M_CLIENT, client_secret="m2m-client-secret")
    with pytest.raises(RateLimitError) as caught:
        client.client_credentials(API_AUDIENCE)
    err = caught.value
    assert err.status_code == 429
    assert err.error_code == "too_many_requests"
    assert err.reset_at == int(err.headers["x-ratelimit-reset"])
    assert abs(err.reset_at - (time.time() + 30)) < 120
    assert err.headers["x-ratelimit-remaining"] == "0"
    # The rule fired once; the next call gets its token.
    assert client.client_credentials(API_AUDIENCE)["token_type"] == "Bearer"
