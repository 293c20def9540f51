import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from idbridge.audit.models import AuditEntry
from staff.models import OnboardingCase
from staff.services.discovery import staff_records_from_campus
from staff.transitions import State
from tests.staff.conftest import person


@pytest.fixture
def cases(connection):
    for n in range(1, 4):
        staff_records_from_campus(connection=connection, persons=[person(n)])
    return list(OnboardingCase.objects.order_by("id"))


def test_the_funnel_and_list_show_every_case(client, hr_operator, cases):
    client.force_login(hr_operator)
    html = client.get("/staff/").content.decode()
    assert "Lopez1" in html and "Lopez3" in html
    assert "Discovered" in html and "Sandbox" in html


def test_the_list_searches_by_staff_number_and_state(client, auditor, cases):
    client.force_login(auditor)
    html = client.get("/staff/?q=S00002").content.decode()
    assert "Lopez2" in html and "Lopez1" not in html
    assert "Lopez1" not in client.get("/staff/?state=verified").content.decode()


def test_list_queries_stay_constant_as_staff_grow(client, hr_operator, connection):
    client.force_login(hr_operator)

    def queries():
        with CaptureQueriesContext(db_connection) as ctx:
            assert client.get("/staff/").status_code == 200
        return len(ctx.captured_queries)

    staff_records_from_campus(connection=connection, persons=[person(1)])
    queries()  # the first request also stores the session's idle-timeout stamp
    few = queries()
    for n in range(2, 30):
        staff_records_from_campus(connection=connection, persons=[person(n)])
    assert queries() == few


def test_an_hr_operator_resends_an_invitation(client, hr_operator, cases):
    client.force_login(hr_operator)
    case = cases[0]
    response = client.post(f"/staff/cases/{case.id}/resend/", follow=True)
    assert b"A new invitation was sent" in response.content
    case.refresh_from_db()
    assert case.state == State.INVITED
    assert AuditEntry.objects.filter(action="staff.case.invite", actor_label="omar_hr").exists()


def test_the_timeline_reads_in_words_not_event_codes(client, hr_operator, cases):
    client.force_login(hr_operator)
    case = cases[0]
    client.post(f"/staff/cases/{case.id}/resend/")
    timeline = client.get(f"/staff/cases/{case.id}/").content.decode().split("Timeline")[1]
    assert "<strong>Found in Campus</strong>" in timeline
    assert "<strong>Invited</strong> (discovered → invited)" in timeline
    assert "<strong>discover</strong>" not in timeline and "<strong>invite</strong>" not in timeline


def test_an_auditor_sees_a_case_but_cannot_act(client, auditor, cases):
    client.force_login(auditor)
    case = cases[0]
    page = client.get(f"/staff/cases/{case.id}/")
    assert page.status_code == 200
    assert b"Timeline" in page.content
    assert b"Campus record facts" in page.content
    assert b"Revoke access" not in page.content
    assert client.post(f"/staff/cases/{case.id}/revoke/", {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.state == State.DISCOVERED


def test_an_outsider_sees_no_case(client, outsider, cases):
    client.force_login(outsider)
    assert client.get(f"/staff/cases/{cases[0].id}/").status_code == 403


def test_revoking_needs_a_reason(client, district_admin, cases):
    client.force_login(district_admin)
    case = cases[0]
    response = client.post(f"/staff/cases/{case.id}/revoke/", {"reason": ""}, follow=True)
    assert b"Give a reason" in response.content
    client.post(f"/staff/cases/{case.id}/revoke/", {"reason": "left the district"})
    case.refresh_from_db()
    assert case.state == State.REVOKED
    assert "left the district" in case.events.last().reason


def test_an_illegal_action_gets_a_clear_message(client, district_admin, cases):
    client.force_login(district_admin)
    case = cases[0]
    response = client.post(
        f"/staff/cases/{case.id}/supervised/",
        {"document": "passport", "decision": "approve"},
        follow=True,
    )
    assert b"does not need a supervised check" in response.content


def test_applicant_pages_need_an_opened_invitation(client, db):
    assert client.get("/staff/onboarding/check/").status_code == 404
    assert client.post("/staff/onboarding/passkey/options/").status_code == 404


def test_a_bad_invitation_link_gets_a_clear_page(client, db):
    assert b"Start" in client.get("/staff/welcome/not-a-token/").content
    response = client.post("/staff/welcome/not-a-token/")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_ceremonies_are_rate_limited(client, db, settings):
    from django.core.cache import cache

    cache.clear()  # counts from earlier tests in this minute
    settings.STAFF_INVITATION_REDEMPTIONS_PER_INVITATION_PER_MINUTE = 3
    codes = [client.post("/staff/welcome/not-a-token/").status_code for _ in range(5)]
    assert codes[:3] == [400, 400, 400]
    assert codes[3:] == [429, 429]
