"""The audit log page as an auditor uses it: entries in words, filters, pages, CSV, and
the chain check."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.audit.services import audit_record, audit_seal
from staff.models import CampusConnection, OnboardingCase
from tests.staff.conftest import discovered, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    member = discovered(connection, person(3, first_name="Andrea", last_name="Nowak"))
    return OnboardingCase.objects.get(staff_member=member)


@pytest.fixture
def maria(hr_operator):
    hr_operator.first_name, hr_operator.last_name = "Maria", "Lopez"
    hr_operator.save()
    return hr_operator


def _text(response) -> str:
    return response.content.decode()


def test_an_entry_reads_as_a_sentence_naming_people_with_a_link_to_the_target(
    login, auditor, maria, case
):
    audit_record(actor=maria, action="staff.case.invite", target=case, details={"from": "x"})
    page = _text(login(auditor).get("/audit/"))
    assert "HR operator Maria Lopez invited" in page
    assert (
        f'<a href="{reverse("staff:case", args=[case.id])}">Andrea Nowak (staff S00003)</a>' in page
    )
    assert "staff.onboardingcase" not in page
    assert "{&#x27;" not in page and "{'" not in page  # no Python dicts


def test_a_staff_member_acting_through_the_idp_is_named_by_name_and_staff_number(
    login, auditor, case
):
    audit_record(actor="staff:S00003", action="stepup.check_succeeded", target="staff:S00003")
    page = _text(login(auditor).get("/audit/"))
    assert "Andrea Nowak (staff S00003)</a> passed a fingerprint or face check" in page


def test_an_action_nobody_described_still_reads_as_words(login, auditor):
    audit_record(actor=None, action="campus.counters_reset", details={"max_age_seconds": None})
    page = _text(login(auditor).get("/audit/"))
    assert "idbridge counters reset" in page
    assert "Max age seconds" in page


def test_the_action_filter_is_a_pick_list_of_known_actions(login, auditor, maria, case):
    audit_record(actor=maria, action="staff.case.invite", target=case)
    audit_record(actor=maria, action="staff.case.revoke", target=case)
    response = login(auditor).get("/audit/", {"action": "staff.case.revoke"})
    assert '<option value="staff.case.invite">invited</option>' in _text(response)
    assert [line.entry.action for line in response.context["lines"]] == ["staff.case.revoke"]


def test_an_action_not_on_the_list_is_refused_and_filters_nothing_out(login, auditor, maria):
    audit_record(actor=maria, action="staff.case.invite")
    response = login(auditor).get("/audit/", {"action": "drop table"})
    assert "not one of the available choices" in _text(response)


def test_the_person_filter_finds_a_dashboard_user_by_name(login, auditor, maria, district_admin):
    audit_record(actor=maria, action="staff.case.invite")
    audit_record(actor=district_admin, action="staff.case.revoke")
    response = login(auditor).get("/audit/", {"actor": "maria lopez"})
    assert [line.entry.actor_id for line in response.context["lines"]] == [maria.id]


def test_the_date_range_keeps_whole_days(login, auditor, maria):
    old = audit_record(actor=maria, action="staff.case.invite")
    new = audit_record(actor=maria, action="staff.case.revoke")
    with db_connection.cursor() as cursor:  # the log is append-only for the ORM
        cursor.execute(
            "UPDATE audit_auditentry SET created_at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=10), old.id],
        )
    today = timezone.localdate()
    response = login(auditor).get(
        "/audit/", {"actor": "Maria", "since": today - timedelta(days=1), "until": today}
    )
    assert [line.entry.id for line in response.context["lines"]] == [new.id]


def test_pages_are_keyset_pages_without_repeats(login, auditor, maria):
    created = {audit_record(actor=maria, action="staff.case.invite").id for _ in range(55)}
    client = login(auditor)  # a sign-in is an entry too
    first = client.get("/audit/")
    older = first.context["page"].older
    assert older and len(first.context["lines"]) == 50
    second = client.get("/audit/", {"after": older})
    ids = [line.entry.id for line in first.context["lines"] + second.context["lines"]]
    assert len(ids) == len(set(ids)) and created <= set(ids)


def test_the_csv_export_holds_the_filtered_entries_in_words_and_is_audited(
    login, auditor, maria, case
):
    audit_record(actor=maria, action="staff.case.invite", target=case)
    audit_record(actor=maria, action="staff.case.revoke", target=case)
    response = login(auditor).get("/audit/audit-log.csv", {"action": "staff.case.invite"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Chain position", "Time", "Who", "What happened"]
    assert [r[3] for r in rows[1:]] == [
        "HR operator Maria Lopez invited Andrea Nowak (staff S00003)"
    ]
    export = AuditEntry.objects.get(action="audit.exported")
    assert export.actor_id == auditor.id
    assert export.details["filters"] == {"action": "staff.case.invite"}


def test_a_name_typed_as_a_formula_is_not_run_by_a_spreadsheet(login, auditor):
    audit_record(actor="=HYPERLINK(1)", action="staff.case.invite")
    response = login(auditor).get("/audit/audit-log.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[-1][2] == "'=HYPERLINK(1)"  # the export itself is the newest entry


def test_check_the_chain_reports_an_intact_chain_in_words_and_is_audited(
    login, auditor, maria, django_capture_on_commit_callbacks
):
    audit_record(actor=maria, action="staff.case.invite")
    with django_capture_on_commit_callbacks(execute=True):  # the checkpoint is written
        audit_seal(grace_seconds=0)
    response = login(auditor).post("/audit/check/", follow=True)
    page = _text(response)
    assert "The chain is intact: all 1 sealed entries link up." in page
    assert "The latest 1 signed checkpoints match the chain." in page
    assert AuditEntry.objects.get(action="audit.verified").details["intact"] is True


def test_check_the_chain_names_the_first_broken_link(login, auditor, maria):
    first = audit_record(actor=maria, action="staff.case.invite")
    audit_record(actor=maria, action="staff.case.revoke")
    audit_seal(grace_seconds=0)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor_label = 'someone else' WHERE id = %s", [first.id]
        )
    page = _text(login(auditor).post("/audit/check/", follow=True))
    assert "The chain is broken at entry #1" in page
    assert "content does not match its hash (edited)" in page


def test_a_log_too_long_for_the_page_is_checked_by_a_job_with_progress(
    login, auditor, maria, settings, django_capture_on_commit_callbacks
):
    from idbridge.jobs.models import Job

    settings.AUDIT_CHECK_IN_PAGE_MAX = 1
    first = audit_record(actor=maria, action="staff.case.invite")
    audit_record(actor=maria, action="staff.case.revoke")
    audit_seal(grace_seconds=0)
    client = login(auditor)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs it at once
        page = _text(client.post("/audit/check/", follow=True))
    assert "the check runs as a job, its progress below" in page
    job = Job.objects.get(kind="audit.verify")
    assert (job.state, job.done, job.total, job.unit) == ("succeeded", 2, 2, "entries")
    page = _text(client.get("/audit/"))
    assert "The last chain check: The chain is intact: all 2 sealed entries" in page

    with db_connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor_label = 'someone else' WHERE id = %s", [first.id]
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/audit/check/")
    job = Job.objects.filter(kind="audit.verify").first()
    assert job.state == "succeeded"
    page = _text(client.get("/audit/"))
    assert "The last chain check: The chain is broken at entry #1" in page
    entry = AuditEntry.objects.filter(action="audit.verified").order_by("-id").first()
    assert entry.actor_label == auditor.username and entry.details["job"] == job.id
    assert entry.details["intact"] is False


def test_a_chain_check_job_already_running_is_not_started_twice(login, auditor, settings):
    from idbridge.jobs.models import Job

    settings.AUDIT_CHECK_IN_PAGE_MAX = -1
    client = login(auditor)
    client.post("/audit/check/")  # queued; its task waits for the commit (never, here)
    client.post("/audit/check/")
    assert Job.objects.filter(kind="audit.verify").count() == 1
    info = client.get("/audit/").context["chain"]
    assert info["busy"] and info["label"] == "The chain check"


def test_only_auditors_and_admins_read_or_export_the_log(login, hr_operator):
    client = login(hr_operator)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/audit-log.csv").status_code == 403
    assert client.post("/audit/check/").status_code == 403
    assert not AuditEntry.objects.filter(action__in=["audit.exported", "audit.verified"]).exists()


def test_a_page_names_people_and_targets_with_a_few_queries_however_many_entries(
    login, auditor, maria, case, django_assert_max_num_queries
):
    for _ in range(50):
        audit_record(actor=maria, action="staff.case.invite", target=case)
        audit_record(actor="staff:S00003", action="stepup.check_succeeded", target="boi.syncrun:9")
    client = login(auditor)
    client.get("/audit/")  # sessions, permissions and the registry warmed up
    with django_assert_max_num_queries(14):
        response = client.get("/audit/")
    assert len(response.context["lines"]) == 50


def test_a_person_with_several_roles_is_named_by_the_widest(login, auditor, district_admin):
    from django.contrib.auth.models import Group

    district_admin.groups.add(Group.objects.get(name="Auditor"))
    audit_record(actor=district_admin, action="crypto.keys_rotated")
    page = _text(login(auditor).get("/audit/"))
    assert "District admin dana_admin rotated the encryption keys" in page
