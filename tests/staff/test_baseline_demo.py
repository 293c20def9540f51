"""`make demo` sends nothing to the seeded staff: it takes the REST connection's baseline
during set-up, then hires a few people in the sandbox, whom the first poll invites."""

import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from idbridge.core.models import OutboxMessage
from sandbox import demo as sandbox_demo
from sandbox.models import Person
from staff import demo as staff_demo
from staff.models import CampusConnection, OnboardingCase
from staff.polling import connection_poll
from staff.transitions import State
from tests.conftest import free_port
from tests.sandbox.conftest import _join_request_threads


@pytest.fixture
def demo(transactional_db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.PUBLIC_BASE_URL = f"http://localhost:{free_port()}"
    monkeypatch.setattr(sandbox_demo, "DEMO_STAFF", 8)
    monkeypatch.setattr(sandbox_demo, "DEMO_STUDENTS", 8)
    cache.clear()
    yield
    _join_request_threads()
    cache.clear()


def hired_today():
    return Person.objects.filter(assignments__start_date=timezone.localdate()).distinct()


def states() -> dict[str, str]:
    return dict(OnboardingCase.objects.values_list("staff_member__campus_key", "state"))


def test_the_demo_invites_its_new_hires_and_none_of_the_seeded_staff(demo, settings):
    out = StringIO()
    for step in (
        sandbox_demo.sandbox_demo_setup,
        staff_demo.staff_demo_setup,
        sandbox_demo.sandbox_new_hires_setup,
    ):
        step(out)
    assert "existing staff recorded; 0 invited" in out.getvalue()
    seeded = states()
    assert seeded and set(seeded.values()) == {State.EXISTING}
    assert OutboxMessage.objects.count() == 0
    hired = set(hired_today().exclude(pk__in=[int(k) for k in seeded]))
    assert len(hired) == sandbox_demo.DEMO_NEW_HIRES

    rest = CampusConnection.objects.get(name=staff_demo.REST_NAME)
    with staff_demo.app_served_at(settings.PUBLIC_BASE_URL) as serving:
        assert serving
        connection_poll(connection_id=rest.id)
    invited = {k for k, state in states().items() if state == State.INVITED}
    assert invited == {str(p.pk) for p in hired}
    assert OutboxMessage.objects.count() == sandbox_demo.DEMO_NEW_HIRES

    again = StringIO()
    sandbox_demo.sandbox_new_hires_setup(again)  # a second `make demo` hires nobody more
    assert again.getvalue() == ""
    assert set(hired_today().exclude(pk__in=[int(k) for k in seeded])) == hired


def test_without_a_free_port_the_first_poll_takes_the_baseline(demo, settings):
    out = StringIO()
    sandbox_demo.sandbox_demo_setup(out)
    staff_demo.staff_demo_setup(out)
    with staff_demo.app_served_at(settings.PUBLIC_BASE_URL):  # the port is taken
        sandbox_demo.sandbox_new_hires_setup(out)
    assert "the first poll takes the baseline" in out.getvalue()
    assert CampusConnection.objects.get(name=staff_demo.REST_NAME).baseline_at is None
    assert not OnboardingCase.objects.exists()


def test_a_demo_new_hire_onboards_with_the_code_the_outbox_shows(demo, settings):
    """`make demo`'s new hires get a staff number and a work e-mail, as HR gives them; the
    code for the second step goes to the mobile number Campus holds, and the evaluation
    mode's outbox (the district admin's) shows it too."""
    out = StringIO()
    for step in (
        sandbox_demo.sandbox_demo_setup,
        staff_demo.staff_demo_setup,
        sandbox_demo.sandbox_new_hires_setup,
    ):
        step(out)
    seeded = {int(k) for k in states()}
    hire = hired_today().exclude(pk__in=seeded).exclude(cell_phone="").first()
    rest = CampusConnection.objects.get(name=staff_demo.REST_NAME)
    browser = Client()
    with staff_demo.app_served_at(settings.PUBLIC_BASE_URL):
        connection_poll(connection_id=rest.id)
        invitation = next(m for m in OutboxMessage.objects.all() if hire.work_email in m.to)
        link = re.search(r"http://\S+?(/staff/welcome/\S+/)", invitation.body_text)[1]
        assert browser.post(link).status_code == 302
        record = {"birth_date": hire.birth_date.isoformat(), "staff_number": hire.staff_number}
        checked = browser.post("/staff/onboarding/check/", record)
    assert checked.headers["Location"] == "/staff/onboarding/code/"
    text = OutboxMessage.objects.get(to=[f"sms:{hire.cell_phone}"])
    code = re.search(r"\b(\d{6})\b", text.body_text)[1]
    entered = browser.post("/staff/onboarding/code/", {"action": "check", "code": code})
    assert entered.headers["Location"] == "/staff/onboarding/passkey/"
