"""Every kind of answer (page, JSON, download, error, the invited person's pages) carries
the security headers, and none that holds personal data may be kept by a cache."""

import pytest
from django.test import Client

from tests.staff.conftest import connection  # noqa: F401 (a fixture)
from tests.staff.test_invitation_refusals import invited  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

SIGNED_IN = [
    "/",  # a page
    "/status.json",  # JSON for a page's script
    "/audit/audit-log.csv",  # a download
    "/staff/funnel.json",
    "/no/such/page/",  # an error page
]
SIGNED_OUT = ["/accounts/login/", "/healthz", "/sandbox/campus/api/boi/v1/openapi.json"]


def _assert_guarded(response) -> None:
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", SIGNED_IN)
def test_a_signed_in_answer_of_any_kind_is_guarded(login, auditor, path):
    _assert_guarded(login(auditor).get(path))


@pytest.mark.parametrize("path", SIGNED_OUT)
def test_a_signed_out_answer_is_guarded(client, path):
    _assert_guarded(client.get(path))


def test_the_invited_persons_pages_are_never_cached(invited):  # noqa: F811 - the fixture
    """The welcome link carries the invitation token and the record check names the
    person: neither may be kept by a shared computer's browser or a proxy."""
    _, path = invited
    browser = Client()
    welcome = browser.get(path)
    _assert_guarded(welcome)
    check = browser.post(path, follow=True)
    assert check.redirect_chain and check.status_code == 200
    _assert_guarded(check)


def test_the_idp_metadata_alone_may_be_cached(client):
    response = client.get("/idp/metadata")
    assert response["Cache-Control"] == "public, max-age=300"
