"""Names and addresses from Campus are shown as text on every page that shows them (stored
XSS): a staff member named with markup, an e-mail with quotes."""

import pytest

from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.django_db

MARKUP = "<img src=x onerror=alert(1)>"
QUOTED_EMAIL = '"o\'neil"@district.example'


def assert_shown_as_text(client, pages: list[str]) -> None:
    """Every page opens, and no markup planted in the data reaches it as markup."""
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert "<img src=x" not in page and "<script>alert" not in page, path


@pytest.fixture
def hostile_case(connection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = discovered(
            connection,
            person(
                first_name=MARKUP, last_name='"><script>alert(2)</script>', work_email=QUOTED_EMAIL
            ),
        )
    return OnboardingCase.objects.get(staff_member=member)


def test_a_name_with_markup_is_text_on_every_page_that_shows_it(
    login, district_admin, hostile_case
):
    client = login(district_admin)
    message = OutboxMessage.objects.latest("id")
    pages = [
        "/",
        "/staff/",
        f"/staff/cases/{hostile_case.id}/",
        "/staff/?q=img",
        "/audit/",
        "/outbox/",
        f"/outbox/{message.id}/",
    ]
    assert_shown_as_text(client, pages)
    case_page = client.get(f"/staff/cases/{hostile_case.id}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in case_page


def test_the_invitation_mail_shows_the_name_as_text(hostile_case):
    message = OutboxMessage.objects.latest("id")
    assert "<img src=x" not in (message.body_html or "")
