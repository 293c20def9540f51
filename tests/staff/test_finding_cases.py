"""HR finds cases: by name in any order of words, e-mail or staff number, and the ones
that need attention (stalled in proofing, locked, expired, invitation mail failed)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from staff.models import CaseEvent, OnboardingCase, StaffMember
from staff.services.discovery import staff_records_from_campus
from staff.services.invitations import invitation_resend
from staff.transitions import State
from tests.staff.conftest import discovered, person
from tests.staff.test_onboarding import RefusingMailServer  # noqa: F401 (by dotted path)


@pytest.fixture
def andrea(connection):
    staff_records_from_campus(
        connection=connection,
        persons=[
            person(1, first_name="Andrea", last_name="Nowak", work_email="a.nowak@d.example"),
            person(2, first_name="Andreas", last_name="Lopez"),
            person(3, first_name="Piotr", last_name="Nowak", work_email="p.nowak@district.example"),
        ],
    )


def names(client, query: str, among=("Andrea Nowak", "Andreas Lopez", "Piotr Nowak")) -> set[str]:
    """The names the list's rows link to (not the search box, which repeats the search)."""
    page = client.get("/staff/", query).content.decode()
    return {name for name in among if f">{name}</a>" in page}


@pytest.mark.parametrize(
    "q", ["Andrea Nowak", "Nowak, Andrea", "nowak andrea", "  NOWAK   andrea ", "a.nowak@d.example"]
)
def test_a_name_in_any_order_finds_her(client, auditor, andrea, q):
    client.force_login(auditor)
    assert names(client, {"q": q}) == {"Andrea Nowak"}


def test_every_word_must_match_and_staff_numbers_match_whole(client, auditor, andrea):
    client.force_login(auditor)
    assert names(client, {"q": "Nowak"}) == {"Andrea Nowak", "Piotr Nowak"}
    assert names(client, {"q": "Andrea"}) == {"Andrea Nowak", "Andreas Lopez"}
    assert names(client, {"q": "S00003"}) == {"Piotr Nowak"}
    assert names(client, {"q": "S0000"}) == set()
    assert names(client, {"q": "Andrea Lopez Nowak"}) == set()


def test_page_links_keep_the_search(client, auditor, connection):
    staff_records_from_campus(connection=connection, persons=[person(n) for n in range(1, 53)])
    client.force_login(auditor)
    html = client.get("/staff/", {"q": "maria, lopez", "state": "discovered"}).content.decode()
    assert re.search(r'"\?q=maria%2C\+lopez&amp;state=discovered&after=\d+\.\d+" rel="next"', html)


@pytest.fixture
def troubled(connection, settings, django_capture_on_commit_callbacks):
    """One case of each kind needing attention, and one in proofing since yesterday."""
    with django_capture_on_commit_callbacks(execute=True):
        staff_records_from_campus(connection=connection, persons=[person(n) for n in range(1, 6)])
    cases = list(OnboardingCase.objects.order_by("id"))
    stalled, fresh, lock, expire, _ = cases
    OnboardingCase.objects.filter(id__in=[stalled.id, fresh.id]).update(state=State.PROOFING)
    for proofing, days in ((stalled, 4), (fresh, 1)):
        CaseEvent.objects.create(
            case=proofing,
            at=timezone.now() - timedelta(days=days),
            actor_label="x",
            event="open_link",
            from_state="invited",
            to_state="proofing",
        )
    OnboardingCase.objects.filter(id=lock.id).update(state=State.LOCKED)
    OnboardingCase.objects.filter(id=expire.id).update(state=State.EXPIRED)
    settings.EMAIL_BACKEND = "tests.staff.test_onboarding.RefusingMailServer"
    with django_capture_on_commit_callbacks(execute=True):
        unsent = discovered(connection, person(6, first_name="Unsent"))
    return {"stalled": stalled, "unsent": unsent.case}


def test_the_list_counts_what_needs_attention(client, hr_operator, troubled):
    client.force_login(hr_operator)
    html = client.get("/staff/").content.decode()
    assert "Needs attention" in html
    for label in ("In proofing for days", "Locked", "Expired", "Invitation mail failed"):
        assert f"{label}</a>: <strong>1</strong>" in html


def test_the_attention_filter_lists_its_cases(client, hr_operator, troubled):
    client.force_login(hr_operator)
    stalled = client.get("/staff/", {"attention": "stalled"}).content.decode()
    assert "Lopez1" in stalled and "Lopez2" not in stalled
    unsent = client.get("/staff/", {"attention": "mail_failed"}).content.decode()
    assert "Unsent" in unsent and "Lopez1" not in unsent and "Maria" not in unsent


def test_a_resend_that_goes_out_clears_the_mail_failure(
    client, hr_operator, troubled, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "idbridge.core.mail.OutboxBackend"
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(case=troubled["unsent"], actor=hr_operator)
    client.force_login(hr_operator)
    html = client.get("/staff/", {"attention": "mail_failed"}).content.decode()
    assert "Unsent" not in html


def test_a_record_check_does_not_make_a_stalled_case_fresh(client, hr_operator, troubled):
    stalled = troubled["stalled"]
    CaseEvent.objects.create(
        case=stalled,
        actor_label="x",
        event="record_check",
        from_state="proofing",
        to_state="proofing",
    )
    client.force_login(hr_operator)
    assert "Lopez1" in client.get("/staff/", {"attention": "stalled"}).content.decode()


def test_the_proofing_threshold_is_a_setting(client, hr_operator, troubled, settings):
    settings.STAFF_ATTENTION_PROOFING_DAYS = 5
    client.force_login(hr_operator)
    assert "Lopez1" not in client.get("/staff/", {"attention": "stalled"}).content.decode()


def test_a_name_changed_in_campus_is_found_by_the_new_name_only(client, auditor, andrea):
    connection = OnboardingCase.objects.first().staff_member.connection
    renamed = person(1, first_name="Andrea", last_name="Kowalska", work_email="a.k@d.example")
    staff_records_from_campus(connection=connection, persons=[renamed])
    client.force_login(auditor)
    assert names(client, {"q": "Kowalska Andrea"}, ["Andrea Kowalska"]) == {"Andrea Kowalska"}
    assert names(client, {"q": "Andrea Nowak"}, ["Andrea Kowalska"]) == set()


def test_a_name_saved_by_hand_is_searched_too(client, auditor, andrea):
    member = StaffMember.objects.get(last_name="Lopez")
    member.last_name = "Okafor"
    member.save(update_fields=["last_name"])
    client.force_login(auditor)
    assert names(client, {"q": "okafor andreas"}, ["Andreas Okafor"]) == {"Andreas Okafor"}


def test_the_search_form_keeps_what_was_chosen(client, auditor):
    """The filters' ``<select>`` (made without a template per option) marks the choice."""
    client.force_login(auditor)
    html = client.get("/staff/", {"state": "invited", "attention": "locked"}).content.decode()
    assert '<option value="invited" selected>Invited</option>' in html
    assert '<option value="locked" selected>Locked</option>' in html
    assert '<option value="" selected>Any</option>' not in html
    assert '<select name="state" id="id_state">' in html
