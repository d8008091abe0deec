"""auth0-python 6.8's ManagementClient against the Management API v2 users endpoints: create, get,
update (metadata merge rules), list with a v3 query, the SyncPager over every user,
list_users_by_email, delete, and the SDK errors for 409 and 404. The client gets its own token by
client credentials for https://DOMAIN/api/v2/, as against a real tenant.

The SDK parses every response into pydantic models, so these tests also pin the wire types: ISO
timestamps that parse as datetimes, an int logins_count, identities as a list of objects.

Every request the SDK makes goes through an httpx client whose event hooks record it; a failing
test prints them (pytest shows a failing test's captured output), so the failure names the exact
request and the status and body the emulator answered. The seeded users are only read.
"""

import datetime as dt
import re
import uuid

import httpx
import pytest
from auth0.authentication import GetToken
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError
from auth0.management.errors import ConflictError, NotFoundError

M2M_SECRET = "m2m-client-secret"
WEB_CLIENT = "web-client"
WEB_SECRET = "web-client-secret"
DB = "Username-Password-Authentication"
PASSWORD = "Sdk-Mgmt-Passw0rd!"
TIMEOUT = 10.0
JANE = {
    "user_id": "auth0|0123456789abcdef01234567",
    "email": "jane@example.com",
    "user_metadata": {"hobby": "surfing", "theme": "dark"},
    "app_metadata": {"plan": "full"},
}
SEEDED_IDS = [
    "auth0|0123456789abcdef01234567",
    "auth0|0123456789abcdef01234568",
    "auth0|0123456789abcdef01234569",
]
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


# --- recording httpx client -------------------------------------------------------------------


class Recorder:
    """httpx event hooks that keep every exchange of the Management client."""

    def __init__(self) -> None:
        self.exchanges: list = []

    def on_request(self, request: httpx.Request) -> None:
        body = request.content.decode("utf-8", "replace") if request.content else ""
        self.exchanges.append({"method": request.method, "url": str(request.url), "body": body})

    def on_response(self, response: httpx.Response) -> None:
        response.read()
        entry = self.exchanges[-1]
        entry["status"] = response.status_code
        entry["response"] = response.text
        try:
            entry["json"] = response.json()
        except ValueError:
            entry["json"] = None

    def last(self, method: str, path_part: str) -> dict:
        """The newest exchange with this method whose URL contains path_part."""
        for entry in reversed(self.exchanges):
            if entry["method"] == method and path_part in entry["url"]:
                return entry
        raise AssertionError(f"the SDK made no {method} request to …{path_part}: {self.exchanges}")

    def dump(self, since: int) -> str:
        lines = []
        for i, e in enumerate(self.exchanges[since:], 1):
            body = f" {e['body'][:1500]}" if e["body"] else ""
            lines.append(f"  {i}. {e['method']} {e['url']}{body}")
            lines.append(f"     -> {e.get('status', 'no response')} {e.get('response', '')[:1500]}")
        return "\n".join(lines) or "  (none)"


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(autouse=True)
def print_exchanges_on_failure(recorder: Recorder):
    since = len(recorder.exchanges)
    yield
    # Captured output is shown only for failing tests.
    print(f"--- HTTP exchanges the SDK made in this test:\n{recorder.dump(since)}")


@pytest.fixture(scope="module")
def mgmt(domain: str, recorder: Recorder):
    http = httpx.Client(
        timeout=TIMEOUT,
        event_hooks={"request": [recorder.on_request], "response": [recorder.on_response]},
    )
    client = ManagementClient(
        domain=domain,
        client_id="m2m-client",
        client_secret=M2M_SECRET,
        timeout=TIMEOUT,
        httpx_client=http,
    )
    yield client
    http.close()


@pytest.fixture(scope="module")
def created(mgmt: ManagementClient):
    """Ids of users this module created; deleted at the end (best effort)."""
    ids: set = set()
    yield ids
    for user_id in ids:
        try:
            mgmt.users.delete(user_id, request_options={"max_retries": 0, "timeout": 3})
        except Exception:  # noqa: BLE001 - clean-up must not mask the test result
            pass


def unique_email(tag: str) -> str:
    return f"sdk-mgmt-py-{tag}-{uuid.uuid4().hex[:12]}@example.com"


def create_user(mgmt: ManagementClient, created: set, tag: str, **extra):
    user = mgmt.users.create(connection=DB, email=unique_email(tag), password=PASSWORD, **extra)
    created.add(user.user_id)
    return user


def assert_api_error(err: ApiError, status: int, expected_body: dict) -> None:
    assert err.status_code == status
    assert isinstance(err.body, dict), f"error body is not a JSON object: {err.body!r}"
    for key, value in expected_body.items():
        assert err.body.get(key) == value, f"error body .{key}: {err.body}"


def assert_utc_datetime(value, what: str) -> None:
    assert isinstance(value, dt.datetime), f"{what} parsed as {type(value).__name__}: {value!r}"
    assert value.utcoffset() == dt.timedelta(0), f"{what} is not UTC: {value!r}"


# --- tests ------------------------------------------------------------------------------------


def test_create_returns_201_and_a_user_the_pydantic_model_parses(mgmt, created, recorder):
    email = f"Sdk-Mgmt-Py-Create-{uuid.uuid4().hex[:12]}@Example.COM"
    user = mgmt.users.create(
        connection=DB,
        email=email,
        password=PASSWORD,
        user_metadata={"hobby": "surfing", "prefs": {"lang": "en"}},
        app_metadata={"plan": "trial", "roles": ["a", "b"]},
    )
    created.add(user.user_id)

    exchange = recorder.last("POST", "/api/v2/users")
    assert exchange["status"] == 201
    raw = exchange["json"]

    assert re.fullmatch(r"auth0\|[0-9a-f]{24}", user.user_id)
    assert user.email == email.lower()
    assert user.email_verified is False
    assert user.user_metadata == {"hobby": "surfing", "prefs": {"lang": "en"}}
    assert user.app_metadata == {"plan": "trial", "roles": ["a", "b"]}

    assert_utc_datetime(user.created_at, "created_at")
    assert_utc_datetime(user.updated_at, "updated_at")
    assert ISO_MS.match(raw["created_at"]), raw["created_at"]
    assert ISO_MS.match(raw["updated_at"]), raw["updated_at"]
    assert abs(dt.datetime.now(dt.timezone.utc) - user.created_at) < dt.timedelta(days=1)

    assert isinstance(user.identities, list) and len(user.identities) == 1
    identity = user.identities[0]
    assert identity.connection == DB
    assert identity.provider == "auth0"
    assert identity.is_social is False
    assert identity.user_id == user.user_id.split("|", 1)[1]
    assert raw["identities"] == [
        {"connection": DB, "user_id": identity.user_id, "provider": "auth0", "isSocial": False}
    ]
    for absent in ("logins_count", "last_login", "password"):
        assert absent not in raw, f"a fresh user has no {absent}: {raw}"


def test_get_parses_logins_count_as_int_and_last_login_as_datetime_after_a_login(
    mgmt, created, recorder, domain
):
    user = create_user(mgmt, created, "login", user_metadata={"color": "blue"})
    GetToken(domain, WEB_CLIENT, client_secret=WEB_SECRET, timeout=TIMEOUT).login(
        username=user.email, password=PASSWORD, realm=DB, scope="openid"
    )

    fetched = mgmt.users.get(user.user_id)

    raw = recorder.last("GET", "/api/v2/users/")["json"]
    assert type(raw["logins_count"]) is int, f"logins_count on the wire: {raw['logins_count']!r}"
    assert fetched.logins_count == 1
    assert_utc_datetime(fetched.last_login, "last_login")
    assert ISO_MS.match(raw["last_login"]), raw["last_login"]
    assert fetched.user_id == user.user_id
    assert fetched.email == user.email
    assert fetched.created_at == user.created_at
    assert fetched.user_metadata == {"color": "blue"}
    assert [i.connection for i in fetched.identities] == [DB]


def test_create_with_an_existing_email_raises_conflict_error_409(mgmt, created):
    user = create_user(mgmt, created, "dup")

    # The SDK retries a 409 twice (its retry rule covers 408/409/429/5xx); every answer must be 409.
    with pytest.raises(ConflictError) as caught:
        mgmt.users.create(connection=DB, email=user.email, password=PASSWORD)

    assert_api_error(
        caught.value,
        409,
        {
            "statusCode": 409,
            "error": "Conflict",
            "message": "The user already exists.",
            "errorCode": "auth0_idp_error",
        },
    )


def test_update_merges_user_metadata_and_app_metadata(mgmt, created):
    user = create_user(
        mgmt,
        created,
        "merge",
        user_metadata={"hobby": "surfing", "theme": "dark", "prefs": {"lang": "en", "tz": "UTC"}, "drop": "me"},
        app_metadata={"plan": "full", "flags": {"a": True, "b": True}, "legacy": 1},
    )

    after_um = mgmt.users.update(
        user.user_id,
        user_metadata={"theme": "light", "prefs": {"lang": "fr"}, "drop": None, "added": 42},
    )
    expected_um = {"hobby": "surfing", "theme": "light", "prefs": {"lang": "fr"}, "added": 42}
    assert after_um.user_metadata == expected_um
    assert after_um.app_metadata == {"plan": "full", "flags": {"a": True, "b": True}, "legacy": 1}

    after_am = mgmt.users.update(user.user_id, app_metadata={"flags": {"c": True}, "legacy": None, "tier": 2})
    expected_am = {"plan": "full", "flags": {"c": True}, "tier": 2}
    assert after_am.app_metadata == expected_am
    assert after_am.user_metadata == expected_um
    assert_utc_datetime(after_am.updated_at, "updated_at")
    assert after_am.updated_at >= user.updated_at

    fetched = mgmt.users.get(user.user_id)
    assert fetched.user_metadata == expected_um
    assert fetched.app_metadata == expected_am


def test_list_with_a_v3_email_query_finds_jane(mgmt):
    pager = mgmt.users.list(q='email:"jane@example.com"', search_engine="v3")

    assert [u.user_id for u in pager.items] == [JANE["user_id"]]
    jane = pager.items[0]
    assert jane.email == JANE["email"]
    assert jane.user_metadata == JANE["user_metadata"]
    assert jane.app_metadata == JANE["app_metadata"]
    assert_utc_datetime(jane.created_at, "created_at")
    # The SDK asked page=0&per_page=50&include_totals=true: Auth0's {start,limit,length,users,total}.
    assert pager.response.start == 0
    assert pager.response.limit == 50
    assert pager.response.length == 1
    assert pager.response.total == 1


def test_the_sync_pager_over_all_users_terminates_and_sees_every_user(mgmt, created, recorder):
    mine = [create_user(mgmt, created, f"page-{i}").user_id for i in range(3)]
    first = mgmt.users.list(per_page=2)
    total = first.response.total
    assert total is not None and total >= 6, f"total: {first.response}"
    total = int(total)

    since = len(recorder.exchanges)
    ids = []
    pages = 0
    for page in first.iter_pages():
        pages += 1
        # The SDK asks for page+1 until a page comes back empty; a server that ignores `page`
        # would serve page 0 forever. Stop instead of hanging.
        assert pages <= total // 2 + 2, f"{pages} pages for total={total} at per_page=2"
        assert page.response.start == (pages - 1) * 2
        assert page.response.limit == 2
        ids.extend(u.user_id for u in page.items)

    assert len(ids) == total, f"the pager saw {len(ids)} users, total says {total}"
    assert len(set(ids)) == total, f"a user came twice: {ids}"
    for user_id in SEEDED_IDS + mine:
        assert user_id in ids, f"{user_id} was never listed"
    # The pager's last request is the page after the last user, which must be empty.
    last = recorder.exchanges[-1]
    assert last["method"] == "GET" and "per_page=2" in last["url"], last
    assert last["json"]["users"] == [], f"the pager stopped on a non-empty page: {last}"
    assert len(recorder.exchanges) - since == pages, "the pager made more requests than it yielded pages"


def test_list_users_by_email(mgmt, created):
    assert [u.user_id for u in mgmt.users.list_users_by_email(email=JANE["email"])] == [JANE["user_id"]]

    user = create_user(mgmt, created, "by-email")
    found = mgmt.users.list_users_by_email(email=user.email)
    assert [u.user_id for u in found] == [user.user_id]
    assert_utc_datetime(found[0].created_at, "created_at")

    assert mgmt.users.list_users_by_email(email=unique_email("nobody")) == []


def test_get_of_an_unknown_user_raises_not_found_error_404(mgmt):
    with pytest.raises(NotFoundError) as caught:
        mgmt.users.get("auth0|ffffffffffffffffffffffff")

    assert_api_error(
        caught.value,
        404,
        {
            "statusCode": 404,
            "error": "Not Found",
            "message": "The user does not exist.",
            "errorCode": "inexistent_user",
        },
    )


def test_delete_then_get_raises_not_found_error(mgmt, created, recorder):
    user = create_user(mgmt, created, "delete")

    assert mgmt.users.delete(user.user_id) is None
    assert recorder.last("DELETE", "/api/v2/users/")["status"] == 204
    created.discard(user.user_id)

    with pytest.raises(NotFoundError) as caught:
        mgmt.users.get(user.user_id)
    assert_api_error(caught.value, 404, {"message": "The user does not exist.", "errorCode": "inexistent_user"})
    assert mgmt.users.list_users_by_email(email=user.email) == []

    # Deleting a user that no longer exists is still a 204 on Auth0.
    mgmt.users.delete(user.user_id)
    assert recorder.last("DELETE", "/api/v2/users/")["status"] == 204

