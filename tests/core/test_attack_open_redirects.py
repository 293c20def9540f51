"""No ``next`` (or Referer) sends a person off the site after signing in, a passkey
check, a cancel or signing out: the usual spellings of another host are all refused."""

import pytest
from django.test import RequestFactory

from idbridge.core.access import safe_next_url

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    "//evil.example",
    "//evil.example/staff/",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/\\/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\t//evil.example",
    "https://127.0.0.1@evil.example/",
    "https://evil.example\\@127.0.0.1/",
]


@pytest.mark.parametrize("url", ELSEWHERE)
def test_a_next_to_another_site_is_dropped(url):
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    assert safe_next_url(request, url) is None


def test_a_next_on_this_site_is_kept():
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    assert safe_next_url(request, "/staff/?q=a") == "/staff/?q=a"


@pytest.mark.parametrize("url", ELSEWHERE)
def test_the_sign_in_and_check_pages_do_not_carry_a_foreign_next(client, url):
    for path in ("/accounts/login/", "/stepup/authenticate/", "/accounts/break-glass/"):
        page = client.get(path, {"next": url}).content.decode()
        assert "evil.example" not in page, path


@pytest.mark.parametrize("url", ELSEWHERE)
def test_cancel_and_sign_out_stay_on_the_site(client, auditor, url):
    response = client.post("/stepup/authenticate/cancel/", {"next": url})
    assert "evil.example" not in response["Location"]
    client.force_login(auditor)
    response = client.post("/accounts/logout/", {"next": url}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302 and "evil.example" not in response["Location"]


@pytest.mark.parametrize("url", ELSEWHERE)
def test_the_portal_sign_in_keeps_next_to_its_own_pages(client, url):
    response = client.get("/sandbox/campus/saml/login/", {"next": url})
    assert "evil.example" not in response.get("Location", "")
