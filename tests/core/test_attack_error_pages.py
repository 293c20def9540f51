"""Error pages, with DEBUG off as shipped, say what happened in words and nothing about
the code, the settings or the framework; bad input is refused with a 4xx, never a 500."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "DEBUG", "settings", "Django", "django", "SECRET", "csrfmiddlewaretoken")


def _assert_in_words(response, status: int, heading: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert not [word for word in LEAKS if word in page]


def test_a_form_without_its_csrf_token_is_refused_in_words(auditor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    _assert_in_words(client.post("/audit/check/"), 403, "This form has expired")


def test_a_ceremony_posted_without_its_csrf_cookie_is_refused_in_words(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/options/", "{}", content_type="application/json"
    )
    _assert_in_words(response, 403, "This form has expired")


def test_an_unknown_address_is_a_plain_not_found_page_that_echoes_nothing(client):
    response = client.get("/staff/<script>alert(1)</script>/")
    _assert_in_words(response, 404, "Page not found")
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("a=" + "x" * (3 * 1024 * 1024), "application/x-www-form-urlencoded"),
        ("&".join(f"f{i}=1" for i in range(10_000)), "application/x-www-form-urlencoded"),
        (json.dumps({"x": "y" * (3 * 1024 * 1024)}), "application/json"),
    ],
    ids=["three megabytes of form", "ten thousand fields", "three megabytes of JSON"],
)
@pytest.mark.parametrize(
    "options, path",
    [
        (None, "/accounts/break-glass/"),
        ("/accounts/login/options/", "/accounts/login/verify/"),
        ("/stepup/authenticate/options/", "/stepup/authenticate/verify/"),
    ],
)
def test_an_oversized_post_is_refused_as_bad_input(client, options, path, body, content_type):
    # No CSRF check here (the test client's default), and a ceremony started first: the
    # body reaches the view.
    if options:
        assert client.post(options, "{}", content_type="application/json").status_code == 200
    response = client.post(path, body, content_type=content_type)
    assert 400 <= response.status_code < 500  # a form page does not read a JSON body: 403
    if response.status_code == 400 and response["Content-Type"].startswith("text/html"):
        _assert_in_words(response, 400, "The request could not be read")
