"""The Client Secret's "Show" toggle, in Chromium (the page's CSP allows no inline script)."""

import pytest

from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser


def test_a_new_secret_is_hidden_until_show_is_pressed(page, live_server, district_admin):
    from sandbox.services.clients import api_client_create

    api_client_create(name="HR system", actor="tests")
    dashboard_session(page, live_server.url, district_admin)
    page.goto(f"{live_server.url}/sandbox/boi/credentials/")
    page.get_by_role("button", name="Generate New Secret").click()
    secret = page.get_by_label("Client Secret")
    assert secret.get_attribute("type") == "password"
    page.get_by_role("button", name="Show").click()
    assert secret.get_attribute("type") == "text"
    assert len(secret.input_value()) > 20
    page.get_by_role("button", name="Hide").click()
    assert secret.get_attribute("type") == "password"
