"""One staff record, one case and one invitation per Campus person, however many
connections to the district's Campus see them (recorded as a poll records them)."""

import pytest
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.connectors.rest import user_value
from staff.identity import is_same_person, same_person_groups
from staff.models import (
    CampusConnection,
    Invitation,
    OnboardingCase,
    Passkey,
    StaffMember,
    StaffSource,
)
from staff.services.discovery import staff_mark_gone, staff_records_from_campus
from staff.services.invitations import invitation_send
from staff.transitions import State, merge_rank
from tests.staff.conftest import person


@pytest.fixture
def rest(db):
    return CampusConnection.objects.create(name="Campus REST", kind="rest")


@pytest.fixture
def soap(db):
    return CampusConnection.objects.create(name="Campus SOAP", kind="soap")


def over_soap(n=1, **overrides):
    """The same person as ``person(n)``, as the SOAP connector names them."""
    return person(n, sourced_id=str(1000 + n), **overrides)


@pytest.fixture
def record(django_capture_on_commit_callbacks):
    """Record persons as a poll of ``connection`` does; its invitations are sent once the
    transaction commits, as they are by the poll."""

    def _record(connection, *persons, baseline=False):
        with django_capture_on_commit_callbacks(execute=True):
            return staff_records_from_campus(
                connection=connection, persons=list(persons), baseline=baseline
            )

    return _record


def verify(member: StaffMember) -> None:
    """Test set-up: the person proved their identity and holds a passkey."""
    OnboardingCase.objects.filter(staff_member=member).update(
        state=State.VERIFIED, verified_at=timezone.now()
    )
    Passkey.objects.create(
        staff_member=member, name="Phone", credential_id=f"cred-{member.id}", public_key=b"k"
    )


def test_a_second_connection_adopts_the_person_and_sends_no_second_invitation(rest, soap, record):
    record(rest, person(1))
    counts = record(soap, over_soap(1))
    member = StaffMember.objects.get()
    assert counts == {"new_cases": 0, "existing": 0, "updated": 1, "adopted": 1, "revoked": 0}
    assert OnboardingCase.objects.count() == 1 and Invitation.objects.count() == 1
    assert dict(member.sources.values_list("connection__name", "campus_key")) == {
        "Campus REST": "p-1001",
        "Campus SOAP": "1001",
    }
    assert (member.connection, member.campus_key) == (rest, "p-1001")  # the first stays primary
    assert record(soap, over_soap(1))["adopted"] == 0  # a re-poll adopts nothing more


def test_the_second_connection_fills_gaps_but_the_primary_keeps_its_details(rest, soap, record):
    record(rest, person(1, birth_date=None, first_name="Maria"))
    record(soap, over_soap(1, first_name="MARIA"))
    member = StaffMember.objects.get()
    assert member.first_name == "Maria"
    assert member.birth_date.reveal() == "1985-04-12"


def test_without_a_person_id_the_staff_number_names_the_person(rest, soap, record):
    record(rest, person(1, person_id=None))
    record(soap, over_soap(1, staff_number="s00001"))  # Campus's number, typed in lower case
    member = StaffMember.objects.get()
    assert member.campus_person_id == 1001 and member.sources.count() == 2
    assert OnboardingCase.objects.count() == 1


def test_a_staff_number_does_not_join_two_person_ids(rest, soap, record):
    record(rest, person(1))
    record(soap, over_soap(2, person_id=1001 + 50, staff_number="S00001"))
    assert StaffMember.objects.count() == 2


def test_a_baseline_of_a_second_connection_keeps_verified_people_verified(rest, soap, record):
    record(rest, person(1), person(2), baseline=True)
    verify(StaffMember.objects.get(campus_person_id=1001))
    counts = record(soap, over_soap(1), over_soap(2), over_soap(3), baseline=True)
    assert counts["existing"] == 1 and counts["adopted"] == 2  # only person 3 is new
    states = dict(OnboardingCase.objects.values_list("staff_member__campus_person_id", "state"))
    assert states == {1001: State.VERIFIED, 1002: State.EXISTING, 1003: State.EXISTING}
    assert Invitation.objects.count() == 0


def test_leaving_one_connections_view_keeps_access_while_another_sees_the_person(
    rest, soap, record
):
    record(rest, person(1))
    record(soap, over_soap(1))
    member = StaffMember.objects.get()
    verify(member)
    assert staff_mark_gone(connection=rest, keys=["p-1001"], actor="campus:reconcile") == 0
    member.refresh_from_db()
    assert member.case.state == State.VERIFIED and member.is_staff_in_campus
    assert (member.connection, member.campus_key) == (soap, "1001")  # now the primary
    assert staff_mark_gone(connection=soap, keys=["1001"], actor="campus:reconcile") == 1
    member.refresh_from_db()
    assert member.case.state == State.REVOKED and not member.is_staff_in_campus


def test_a_disabled_connection_does_not_keep_anyone_in(rest, soap, record):
    record(rest, person(1))
    record(soap, over_soap(1))
    CampusConnection.objects.filter(id=soap.id).update(enabled=False)
    assert staff_mark_gone(connection=rest, keys=["p-1001"], actor="campus:reconcile") == 1


def test_campus_saying_the_person_left_revokes_whichever_connection_says_it(rest, soap, record):
    record(rest, person(1))
    counts = record(soap, over_soap(1, is_staff=False))
    assert counts["revoked"] == 1
    assert OnboardingCase.objects.get().state == State.REVOKED


def test_a_connection_learning_a_person_id_late_merges_the_two_records(rest, soap, record):
    record(rest, person(1, person_id=None, staff_number=""))
    record(soap, over_soap(1, staff_number=""))
    assert StaffMember.objects.count() == 2  # nothing said they were one person yet
    invited = StaffMember.objects.get(connection=rest)
    kept = StaffMember.objects.get(connection=soap)
    verify(kept)
    link = Invitation.objects.get(case__staff_member=invited)
    subject = kept.user_handle

    record(rest, person(1, staff_number=""))  # the OneRoster now carries the personID

    member = StaffMember.objects.get()
    assert member.user_handle == subject  # the IdP subject does not change
    assert member.case.state == State.VERIFIED
    assert member.passkeys.count() == 1
    assert set(member.sources.values_list("campus_key", flat=True)) == {"p-1001", "1001"}
    link.refresh_from_db()
    assert link.case == member.case and link.superseded_at is not None
    assert member.case.events.filter(event="merge").exists()
    merged = AuditEntry.objects.get(action="staff.merged")
    assert merged.details["kept_case"] == member.case.id


def test_a_record_without_a_person_id_merges_with_the_one_its_staff_number_names(
    rest, soap, record
):
    record(soap, over_soap(1, staff_number=""))
    record(rest, person(1, person_id=None))  # nothing to match it by yet
    assert StaffMember.objects.count() == 2
    record(soap, over_soap(1))  # Campus now has the staff number
    record(rest, person(1, person_id=None))
    member = StaffMember.objects.get()
    assert member.campus_person_id == 1001 and member.sources.count() == 2


def test_two_users_of_one_connection_with_one_staff_number_stay_two_people(rest, record):
    record(rest, person(1, person_id=None), person(2, person_id=None, staff_number="S00001"))
    record(rest, person(1, person_id=None), person(2, person_id=None, staff_number="S00001"))
    assert StaffMember.objects.count() == 2  # a data error in Campus is not merged away
    assert StaffSource.objects.count() == 2


def test_the_idp_subject_of_an_adopted_person_still_resolves(rest, soap, record):
    from stepup.ceremonies.signin import subject_load

    record(rest, person(1))
    member = StaffMember.objects.get()
    verify(member)
    record(soap, over_soap(1))
    subject = subject_load(member.user_handle)
    assert subject is not None and subject.campus_person_id == "1001"


@pytest.mark.parametrize(
    "a,b,same",
    [
        ((7, "A"), (7, ""), True),
        ((7, "A"), (8, "A"), False),  # two person IDs are two people
        ((None, " a"), (8, "A"), True),
        ((None, ""), (None, ""), False),
    ],
)
def test_the_person_id_names_a_person_and_the_staff_number_only_without_one(a, b, same):
    assert is_same_person(a[0], a[1], b[0], b[1]) is same


def test_a_staff_number_shared_by_two_person_ids_groups_nothing():
    rows = [(1, 7, "A"), (2, None, "a"), (3, 7, ""), (4, 8, "B"), (5, 9, "C"), (6, 10, "C")]
    assert same_person_groups(rows) == [[1, 2, 3]]
    assert same_person_groups([(1, 7, "A"), (2, 8, "A"), (3, None, "A")]) == []


def test_a_merge_keeps_the_case_furthest_along():
    ranked = ["verified", "proofing", "invited", "existing"]
    assert sorted(ranked, key=merge_rank, reverse=True) == ranked
    assert merge_rank("existing") > merge_rank(None)


@pytest.mark.parametrize(
    "spec,value",
    [
        ("userIds:personID", "42"),
        ("metadata:personID", "43"),
        ("sourcedId", "guid-1"),
        ("userIds:staffNumber", ""),
    ],
)
def test_the_person_id_is_read_where_the_connection_says(spec, value):
    user = {
        "sourcedId": "guid-1",
        "userIds": [{"type": "personID", "identifier": "42"}],
        "metadata": {"personID": 43},
    }
    assert user_value(user, spec) == value


def test_an_invitation_link_of_a_merged_case_no_longer_opens_it(rest, soap, record):
    record(rest, person(1, person_id=None, staff_number=""), baseline=True)
    record(soap, over_soap(1, staff_number=""), baseline=True)
    loser = OnboardingCase.objects.get(staff_member__connection=rest)
    invitation_send(case=loser, actor="hr", reason="test")
    verify(StaffMember.objects.get(connection=soap))
    record(rest, person(1, staff_number=""))
    assert not Invitation.objects.filter(superseded_at__isnull=True, used_at__isnull=True)
    assert StaffSource.objects.count() == 2


def test_the_case_page_says_which_connections_see_the_person(
    rest, soap, record, client, hr_operator
):
    record(rest, person(1))
    record(soap, over_soap(1))
    client.force_login(hr_operator)
    page = client.get(f"/staff/cases/{OnboardingCase.objects.get().id}/").content.decode()
    assert "Campus REST (Campus id p-1001); Campus SOAP (Campus id 1001)" in page


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_connections_recording_one_new_person_at_once_make_one_record():
    import threading

    from django.db import connection as db_connection

    rest = CampusConnection.objects.create(name="Campus REST", kind="rest")
    soap = CampusConnection.objects.create(name="Campus SOAP", kind="soap")
    start, errors = threading.Barrier(2), []

    def poll(connection, campus_person):
        try:
            start.wait()
            staff_records_from_campus(connection=connection, persons=[campus_person], baseline=True)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            db_connection.close()

    for n in range(1, 6):
        threads = [
            threading.Thread(target=poll, args=(rest, person(n))),
            threading.Thread(target=poll, args=(soap, over_soap(n))),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert StaffMember.objects.count() == OnboardingCase.objects.count() == 5
    assert StaffSource.objects.count() == 10
