"""The demo's two connections to the Campus sandbox, both enabled (REST and SOAP, over
HTTP): still one case and one invitation per person, and the people who were verified
through the first connection stay verified with no new invitation."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from idbridge.core.models import OutboxMessage
from sandbox import demo as sandbox_demo
from sandbox.models import DistrictAssignment, Person, School
from sandbox.services.people import assignment_add
from staff import demo as staff_demo
from staff.models import CampusConnection, Invitation, OnboardingCase, Passkey, StaffMember
from staff.polling import connection_poll
from staff.transitions import State
from stepup.ceremonies.signin import subject_load
from tests.conftest import free_port
from tests.sandbox.conftest import _join_request_threads
from tests.staff.test_baseline_sandbox import a_reachable_non_staff_person

VERIFIED = 7  # as many as a district had verified when SOAP was switched on


@pytest.fixture
def demo(transactional_db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.PUBLIC_BASE_URL = f"http://localhost:{free_port()}"
    monkeypatch.setattr(sandbox_demo, "DEMO_STAFF", 10)
    monkeypatch.setattr(sandbox_demo, "DEMO_STUDENTS", 6)
    cache.clear()
    out = StringIO()
    for step in (
        sandbox_demo.sandbox_demo_setup,
        staff_demo.staff_demo_setup,
        sandbox_demo.sandbox_new_hires_setup,
    ):
        step(out)
    yield (
        CampusConnection.objects.get(name=staff_demo.REST_NAME),
        CampusConnection.objects.get(name=staff_demo.SOAP_NAME),
    )
    _join_request_threads()
    cache.clear()


def poll(settings, *connections, full=False):
    with staff_demo.app_served_at(settings.PUBLIC_BASE_URL) as serving:
        assert serving
        for connection in connections:
            connection_poll(connection_id=connection.id, full=full)


def verify_some(n: int) -> list[StaffMember]:
    """Test set-up: ``n`` people proved their identity and hold a passkey."""
    members = list(StaffMember.objects.order_by("id")[:n])
    for member in members:
        OnboardingCase.objects.filter(staff_member=member).update(
            state=State.VERIFIED, verified_at=timezone.now()
        )
        Passkey.objects.create(
            staff_member=member, name="Phone", credential_id=f"cred-{member.id}", public_key=b"k"
        )
    return members


def one_case_per_person() -> bool:
    per_person = StaffMember.objects.values("campus_person_id").annotate(n=Count("id"))
    return (
        not per_person.filter(n__gt=1).exists()
        and not StaffMember.objects.filter(campus_person_id=None).exists()
        and OnboardingCase.objects.count() == StaffMember.objects.count()
    )


def hire(person: Person) -> None:
    assignment_add(
        person=person,
        school=School.objects.first(),
        start_date=timezone.localdate(),
        title_code=DistrictAssignment.objects.exclude(title_code=None).first().title_code,
        actor="tests",
    )


def test_switching_on_soap_beside_rest_adds_no_case_and_no_invitation(demo, settings):
    rest, soap = demo
    poll(settings, rest)  # the demo's new hires are invited
    verified = verify_some(VERIFIED)
    cases, sent = OnboardingCase.objects.count(), OutboxMessage.objects.count()
    assert sent == sandbox_demo.DEMO_NEW_HIRES and cases > VERIFIED

    CampusConnection.objects.filter(id=soap.id).update(enabled=True)
    poll(settings, soap)  # its baseline: it walks every person in Campus
    poll(settings, soap, rest, full=True)

    assert OnboardingCase.objects.count() == cases and one_case_per_person()
    assert OutboxMessage.objects.count() == sent
    assert Invitation.objects.count() == sent
    for member in verified:
        member.refresh_from_db()
        assert member.case.state == State.VERIFIED
        assert set(member.sources.values_list("connection", flat=True)) == {rest.id, soap.id}
        assert subject_load(member.user_handle) is not None
    soap.refresh_from_db()
    assert soap.baseline_count == OnboardingCase.objects.filter(from_baseline=True).count()


def test_a_hire_seen_by_both_connections_gets_one_case_and_one_invitation(demo, settings):
    rest, soap = demo
    CampusConnection.objects.filter(id=soap.id).update(enabled=True)
    poll(settings, soap, rest)
    sent = OutboxMessage.objects.count()
    newcomer = a_reachable_non_staff_person()
    hire(newcomer)
    poll(settings, soap, rest)
    poll(settings, rest, soap, full=True)
    assert OnboardingCase.objects.filter(staff_member__campus_person_id=newcomer.pk).count() == 1
    assert OutboxMessage.objects.count() == sent + 1
    assert one_case_per_person()
