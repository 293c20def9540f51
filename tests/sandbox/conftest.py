"""Fixtures for the Campus sandbox: a small seeded district, API clients, HTTP helpers."""

import gc
import threading
from types import SimpleNamespace

import pytest
import requests


def _join_request_threads(timeout: float = 2.0) -> None:
    """Let the live server's request threads end inside the test.

    A request thread closes its database connection when its HTTP connection ends. A
    response kept alive by an exception (zeep's Fault, pytest.raises) keeps the client's
    socket open until it is garbage-collected, and if that happens after the live server
    stopped sharing the test database connection, Django raises in the thread. So: close
    the sessions, collect, and wait for the threads.
    """
    gc.collect()
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name and thread is not threading.current_thread():
            thread.join(timeout)


@pytest.fixture
def seed_district():
    """``seed_district(staff=..., students=...)`` seeds the sandbox and returns the report."""
    from sandbox.services.seed import district_seed

    def seed(staff=40, students=40, seed=11):
        return district_seed(staff=staff, students=students, seed=seed, actor="tests")

    return seed


@pytest.fixture
def district(db, seed_district):
    return seed_district()


@pytest.fixture
def make_api_client():
    """``make_api_client(name)`` → the credentials dict ``campus_client create`` prints."""
    from sandbox.services.clients import api_client_create

    def make(name="Test HR", **kwargs):
        return api_client_create(name=name, actor="tests", **kwargs)[1]

    return make


@pytest.fixture
def clean_cache():
    """Replay caches and failure counters live in the shared cache, which outlives tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class OneRosterClient:
    """A plain ``requests`` client of the sandbox's OAuth2 + OneRoster API."""

    def __init__(self, base_url: str, credentials: dict):
        self.base_url = base_url
        self.credentials = credentials
        self.http = requests.Session()
        self.access_token = None

    @property
    def app(self) -> str:
        return self.credentials["app_name"]

    def token_response(self, *, secret=None, app=None, basic=True, data=None):
        url = f"{self.base_url}/sandbox/campus/oauth2/token"
        form = {"grant_type": "client_credentials", **(data or {})}
        secret = secret if secret is not None else self.credentials["client_secret"]
        auth = None
        if basic:
            auth = (self.credentials["client_id"], secret)
        else:
            form.update(client_id=self.credentials["client_id"], client_secret=secret)
        params = {} if app == "" else {"appName": app or self.app}
        return self.http.post(url, params=params, data=form, auth=auth, timeout=10)

    def token(self) -> str:
        response = self.token_response()
        assert response.status_code == 200, response.text
        self.access_token = response.json()["access_token"]
        return self.access_token

    def url(self, path: str, app: str | None = None) -> str:
        return (
            f"{self.base_url}/sandbox/campus/api/oneroster/v1p2/{app or self.app}"
            f"/ims/oneroster/rostering/v1p2/{path}"
        )

    def get(self, path_or_url: str, params=None, *, token=None, app=None):
        url = path_or_url if path_or_url.startswith("http") else self.url(path_or_url, app)
        token = token if token is not None else (self.access_token or self.token())
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.get(url, params=params, headers=headers, timeout=30)


@pytest.fixture
def oneroster(live_server, transactional_db, make_api_client):
    """``oneroster(**client_kwargs)`` → an OneRosterClient for a new API client."""
    made = []

    def make(**kwargs):
        kwargs.setdefault("name", f"Roster client {len(made) + 1}")
        made.append(OneRosterClient(live_server.url, make_api_client(**kwargs)))
        return made[-1]

    yield make
    # Close keep-alive connections while this test's live-server threads may still use
    # the test database connection.
    for api in made:
        api.http.close()
    _join_request_threads()


@pytest.fixture
def http_session():
    """A requests session closed at the end of the test (see ``oneroster``)."""
    session = requests.Session()
    yield session
    session.close()
    _join_request_threads()


@pytest.fixture
def soap_sandbox(live_server, transactional_db, make_api_client, clean_cache, http_session):
    credentials = make_api_client(name="Legacy HR")
    return SimpleNamespace(
        http=http_session,
        url=live_server.url,
        wsdl=f"{live_server.url}/sandbox/campus/services/IdentityService?wsdl",
        endpoint=f"{live_server.url}/sandbox/campus/services/IdentityService",
        username=credentials["soap_username"],
        password=credentials["soap_password"],
        credentials=credentials,
    )
