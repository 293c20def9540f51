"""Fixtures for the Campus portal (the sandbox's SAML SP) against the real IdP.

The portal and idbridge's IdP run in one live server; the portal fetches the IdP's
metadata from it over HTTP and is registered in the IdP the way ``make demo`` does it
(``sandbox.demo.campus_sandbox_sp_register``). The IdP's SSO session is set up
through its seam (``stepup.subjects``), as in tests/stepup; the fresh check of a step-up
is recorded the same way once the IdP has sent the browser to ``stepup:authenticate``.
"""

import base64
import html
import re
import zlib
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

from tests.sandbox.conftest import _join_request_threads
from tests.stepup.conftest import make_subject, signed_in_session  # noqa: F401 - re-exported

PORTAL = "/sandbox/campus/portal/"
PAYROLL = "/sandbox/campus/payroll/"
GRADE_OVERRIDE = "/sandbox/campus/grade-override/"
ENROLLMENT_CHANGE = "/sandbox/campus/enrollment-change/"
ACS = "/sandbox/campus/saml/acs/"
SESSION_COOKIE = "sessionid"
PORTAL_COOKIE = "campus_portal_session"


_open_browsers: list = []


@pytest.fixture(autouse=True)
def _close_browsers():
    """Close every Browser's keep-alive connections and let the live server's request
    threads end inside the test (see tests/sandbox/conftest.py)."""
    yield
    while _open_browsers:
        _open_browsers.pop().http.close()
    _join_request_threads()


@pytest.fixture(autouse=True)
def _idp_trusts_its_session_snapshot():
    """These tests sign people in to the IdP through its session seam with test-only
    subjects; the deployed loader would look them up among verified staff and end the
    session. (tests/browser/test_stepup_flow.py uses real staff and the real loader.)"""
    from stepup import subjects

    loader = subjects._loader
    subjects.set_subject_loader(None)
    yield
    subjects.set_subject_loader(loader)


@pytest.fixture
def default_policies(db):
    """The IdP's shipped step-up policies (a transactional test flushes the migration's)."""
    import importlib

    from django.apps import apps as django_apps

    from stepup.models import StepUpPolicy
    from stepup.services.state import config_changed

    module = importlib.import_module("stepup.migrations.0002_default_policies")
    if not StepUpPolicy.objects.exists():
        module.add_defaults(django_apps, None)
        config_changed()
    return StepUpPolicy.objects.all()


@pytest.fixture
def portal_server(live_server, settings, transactional_db, default_policies):
    """The live server as idbridge's public address, with the portal registered as an SP."""
    from sandbox.demo import campus_sandbox_sp_register
    from sandbox.sp.config import idp_metadata_forget
    from stepup.runtime import forget_cached_runtime

    settings.PUBLIC_BASE_URL = live_server.url
    forget_cached_runtime()
    idp_metadata_forget()
    campus_sandbox_sp_register(actor="test")
    yield live_server
    forget_cached_runtime()
    idp_metadata_forget()


class Browser:
    """A requests session that follows redirects and the IdP's auto-submitting forms the
    way a browser would, stopping at the IdP's passkey page."""

    def __init__(self, base_url: str, idp_session_key: str | None = None):
        self.base_url = base_url
        self.http = requests.Session()
        if idp_session_key:
            self.http.cookies.set(SESSION_COOKIE, idp_session_key)
        self.history: list[requests.Response] = []
        _open_browsers.append(self)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def cookie(self, name: str) -> str | None:
        values = [c.value for c in self.http.cookies if c.name == name]
        return values[-1] if values else None

    def set_cookie(self, name: str, value: str) -> None:
        for cookie in [c for c in self.http.cookies if c.name == name]:
            self.http.cookies.clear(cookie.domain, cookie.path, cookie.name)
        self.http.cookies.set(name, value)

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.url(path), allow_redirects=False, timeout=15, **kw)

    def post(self, path: str, data=None, **kw) -> requests.Response:
        return self.http.post(self.url(path), data=data, allow_redirects=False, timeout=15, **kw)

    def form_post(self, path: str, data=None) -> requests.Response:
        """A form the page itself posts (with the CSRF token it was given)."""
        data = dict(data or {})
        data["csrfmiddlewaretoken"] = self.cookie("csrftoken") or ""
        return self.post(path, data, headers={"Referer": self.url(path)})

    def walk(self, path: str, *, max_steps: int = 12) -> requests.Response:
        """GET ``path`` and follow redirects and SAML POST forms until a page is shown."""
        response = self.get(path)
        for _ in range(max_steps):
            self.history.append(response)
            if response.is_redirect:
                location = response.headers["Location"]
                if "/stepup/authenticate/" in location:
                    return response  # the passkey page: the test plays the ceremony
                response = self.http.get(self.url(location), allow_redirects=False, timeout=15)
                continue
            form = saml_post_form(response.text)
            if form is not None:
                action = form.pop("action")
                response = self.http.post(action, data=form, allow_redirects=False, timeout=15)
                continue
            return response
        raise AssertionError("too many redirects")

    def saml_answer(self, path: str, *, max_steps: int = 12) -> dict:
        """Like :meth:`walk`, but return the IdP's POST form to the ACS instead of
        submitting it (to look at or tamper with the Response)."""
        response = self.get(path)
        for _ in range(max_steps):
            if response.is_redirect:
                response = self.http.get(
                    self.url(response.headers["Location"]), allow_redirects=False, timeout=15
                )
                continue
            form = saml_post_form(response.text)
            assert form is not None, response.text[:1500]
            return form
        raise AssertionError("too many redirects")

    def post_to_acs(self, form: dict) -> requests.Response:
        data = {k: v for k, v in form.items() if k != "action"}
        return self.http.post(form["action"], data=data, allow_redirects=False, timeout=15)

    def resume(self, response: requests.Response) -> requests.Response:
        """After the ceremony: go on to the ``next`` URL of the IdP's passkey page."""
        location = response.headers["Location"]
        next_url = parse_qs(urlparse(location).query)["next"][0]
        return self.walk(next_url)


def saml_post_form(text: str) -> dict | None:
    """The action and hidden fields of an HTTP-POST binding form, if ``text`` is one."""
    if 'name="SAMLResponse"' not in text and 'name="SAMLRequest"' not in text:
        return None
    action = re.search(r'<form[^>]*action="([^"]+)"', text)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    return {
        "action": html.unescape(action.group(1)),
        **{k: html.unescape(v) for k, v in fields.items()},
    }


def response_xml(form: dict) -> str:
    return base64.b64decode(form["SAMLResponse"]).decode()


def with_response_xml(form: dict, xml: str) -> dict:
    return {**form, "SAMLResponse": base64.b64encode(xml.encode()).decode()}


def passkey_check(browser: Browser, *, at=None, user_verified=True) -> None:
    """What the ceremony does after a verified fingerprint check: record it in the IdP's
    SSO session (``stepup.subjects.record_auth_event``)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from stepup.policy import PASSKEY, AuthEvent
    from stepup.subjects import record_auth_event

    session = SessionStore(browser.cookie(SESSION_COOKIE))
    record_auth_event(
        SimpleNamespace(session=session),
        AuthEvent(PASSKEY, at or timezone.now(), user_verified=user_verified),
    )
    session.save()


def authn_request_of(location: str) -> tuple[str, dict]:
    """The AuthnRequest XML and query parameters of an HTTP-Redirect URL."""
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15).decode()
    return xml, query


def portal_session(browser: Browser):
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore(browser.cookie(PORTAL_COOKIE))


def signed_in_browser(server, *, checked_ago=timedelta(minutes=1), subject=None) -> Browser:
    """A browser signed in to the IdP (passkey check ``checked_ago``) and to the portal."""
    browser = Browser(server.url, signed_in_session(subject, checked_ago=checked_ago))
    page = browser.walk(PORTAL)
    assert page.status_code == 200 and "Who you are" in page.text, page.text[:1500]
    return browser
