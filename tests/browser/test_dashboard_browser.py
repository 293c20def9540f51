import pytest

pytestmark = pytest.mark.browser


def test_a_keyboard_user_signs_in_and_reaches_a_section(page, live_server, district_admin):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")  # the skip link moves focus to the main content
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_label("Username").focus()
    page.keyboard.type("dana_admin")
    page.keyboard.press("Tab")
    page.keyboard.type("dana_admin-Passw0rd!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Business Office").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/boi/")
    assert page.get_by_role("heading", name="Business Office").is_visible()


def test_an_outsider_sees_no_sections_and_is_refused_a_section(page, live_server, outsider):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olly_outsider")
    page.get_by_label("Password").fill("olly_outsider-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("Your account has no role yet").is_visible()
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
