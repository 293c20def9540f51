"""Staff synchronization through the BOI API: the flow, what validate reports, both commit
paths, the state rules, and exactly-once commits when a job is resumed."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from sandbox.boi import sync as sync_services
from sandbox.models import (
    BoiErrorLogEntry,
    CommitJob,
    Identity,
    MessageCenterMessage,
    Person,
    SyncSession,
    SyncStagedStaff,
)

from .conftest import errors, payload_from_campus, read, unique_staff

pytestmark = pytest.mark.django_db


def run_to_validate(boi_api, staff, *, batch=2):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    for start in range(0, len(staff), batch):
        response = boi_api.post(f"sync/{sync_id}/transfer", {"staff": staff[start : start + batch]})
        assert response.status_code == 200, response.content
    assert boi_api.post(f"sync/{sync_id}/endTransfer").status_code == 200
    response = boi_api.post(f"sync/{sync_id}/validate")
    assert response.status_code == 200
    return sync_id, read(response)


@pytest.fixture
def hr_export(district, staff_payload):
    """HR's staff: three Campus staff (one renamed, one with a new phone, one unchanged) and
    two new hires."""
    renamed, rephoned, same = unique_staff(3)
    payloads = [payload_from_campus(p) for p in (renamed, rephoned, same)]
    payloads[0]["lastName"] += "-Okafor"
    payloads[1]["workPhone"] = "651-555-0177"
    new_hires = [staff_payload("910001"), staff_payload("910002", lastName="Aune")]
    return {
        "staff": payloads + new_hires,
        "renamed": renamed,
        "rephoned": rephoned,
        "same": same,
    }


def test_validate_reports_what_the_commit_will_change(boi_api, hr_export):
    _, report = run_to_validate(boi_api, hr_export["staff"])
    entries = {e["staffNumber"]: e for e in report["entries"]}
    renamed = entries[hr_export["renamed"].staff_number]
    assert renamed["action"] == "update" and renamed["newIdentity"] is True
    assert [c["field"] for c in renamed["demographics"]] == ["lastName"]
    rephoned = entries[hr_export["rephoned"].staff_number]
    assert [(c["field"], c["new"]) for c in rephoned["demographics"]] == [
        ("workPhone", "651-555-0177")
    ]
    same = entries[hr_export["same"].staff_number]
    assert same["demographics"] == [] and same["districtAssignments"]["updated"] == []
    assert same["districtAssignments"]["added"] == [] and same["employment"]["added"] == []
    new = entries["910001"]
    assert new["action"] == "add" and len(new["districtAssignments"]["added"]) == 1
    assert new["employment"]["added"] == [{"hireDate": "2024-08-19", "terminationDate": None}]
    assert sorted(report["staffToAdd"]) == ["910001", "910002"]
    # Both new hires live at one new address: it is to be added once.
    assert len(report["addressesToAdd"]) == 1
    assert report["addressesToAdd"][0]["street"] == "LEXINGTON"
    summary = report["summary"]
    assert (summary["add"], summary["update"], summary["error"]) == (2, 3, 0)
    assert summary["addressesToAdd"] == 1 and summary["newIdentity"] == 1
    campus_staff = Person.objects.filter(assignments__isnull=False).distinct().count()
    assert report["untouchedCampusStaff"]["count"] == campus_staff - 3
    assert hr_export["same"].pk not in report["untouchedCampusStaff"]["personIDs"]


def test_the_synchronous_commit_updates_matches_adds_new_staff_and_leaves_the_rest(
    boi_api, hr_export, today
):
    bystanders = {
        p.pk: p.date_modified
        for p in Person.objects.filter(assignments__isnull=False).exclude(
            staff_number__in=[s["staffNumber"] for s in hr_export["staff"]]
        )
    }
    sync_id, _ = run_to_validate(boi_api, hr_export["staff"])
    response = boi_api.post(f"sync/{sync_id}/commit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["failed"] == []
    assert sorted((s["staffNumber"], s["action"]) for s in body["succeeded"]) == sorted(
        [(hr_export[k].staff_number, "updated") for k in ("renamed", "rephoned", "same")]
        + [("910001", "created"), ("910002", "created")]
    )
    renamed = hr_export["renamed"]
    current = Identity.objects.get(person=renamed, is_current=True)
    assert current.last_name.endswith("-Okafor") and current.start_date == today
    hr_export["rephoned"].refresh_from_db()
    assert hr_export["rephoned"].work_phone == "651-555-0177"
    assert Person.objects.filter(staff_number__in=["910001", "910002"]).count() == 2
    for person in Person.objects.filter(pk__in=bystanders):
        assert person.date_modified == bystanders[person.pk]
        assert person.hr_synced_at is None
    synced = Person.objects.filter(staff_number__in=[s["staffNumber"] for s in hr_export["staff"]])
    assert all(p.hr_synced_at for p in synced)
    assert SyncSession.objects.get(pk=sync_id).status == "committed"


def test_validate_reflects_campus_as_it_is_now(boi_api, hr_export):
    sync_id, first = run_to_validate(boi_api, hr_export["staff"])
    rephoned = hr_export["rephoned"]
    assert any(
        e["staffNumber"] == rephoned.staff_number and e["demographics"] for e in first["entries"]
    )
    rephoned.work_phone = "651-555-0177"  # somebody fixed it in Campus meanwhile
    rephoned.save()
    again = read(boi_api.post(f"sync/{sync_id}/validate"))
    entry = next(e for e in again["entries"] if e["staffNumber"] == rephoned.staff_number)
    assert entry["demographics"] == []
    assert again["summary"]["demographicChanges"] == first["summary"]["demographicChanges"] - 1


def test_conflicts_are_reported_per_staff_member(boi_api, hr_export, staff_payload):
    duplicated = (
        Person.objects.exclude(staff_number="")
        .values("staff_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("staff_number")
        .values_list("staff_number", flat=True)
        .first()
    )
    assert duplicated, "the generator makes a few duplicate staff numbers"
    staff = hr_export["staff"] + [
        staff_payload(duplicated),
        staff_payload("920001"),
        staff_payload("920001", firstName="Twin"),
    ]
    _, report = run_to_validate(boi_api, staff)
    entries = [e for e in report["entries"] if e["action"] == "error"]
    messages = {e["staffNumber"]: e["errors"][0]["message"] for e in entries}
    assert "belongs to 2 people in Campus" in messages[duplicated]
    assert "appears 2 times in HR" in messages["920001"]
    assert report["summary"]["error"] == 3


def test_transfer_checks_every_staff_member_like_a_create_and_stores_nothing_on_error(
    boi_api, hr_export, staff_payload
):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    batch = [staff_payload("930001"), staff_payload("930002", gender="Q", birthDate="1990-02-30")]
    response = boi_api.post(f"sync/{sync_id}/transfer", batch)
    assert response.status_code == 400
    assert errors(response) == [("staff[1].gender", "not_found"), ("staff[1].birthDate", "invalid")]
    assert not SyncStagedStaff.objects.filter(session_id=sync_id).exists()


def test_transferred_ssns_are_stored_encrypted_and_apart_from_the_payload(
    boi_api, district, staff_payload
):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    boi_api.post(f"sync/{sync_id}/transfer", [staff_payload("930001")])
    row = SyncStagedStaff.objects.get(session_id=sync_id)
    assert "ssn" not in row.payload and row.ssn.reveal() == "912-34-5678"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT ssn FROM campus_syncstagedstaff WHERE id = %s", [row.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("fernet:") and "5678" not in raw


def test_the_steps_come_in_order_and_changed_hr_data_means_starting_again(
    boi_api, district, staff_payload
):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    assert boi_api.post(f"sync/{sync_id}/validate").status_code == 409
    assert boi_api.post(f"sync/{sync_id}/commit").status_code == 409
    boi_api.post(f"sync/{sync_id}/transfer", [staff_payload("930001")])
    boi_api.post(f"sync/{sync_id}/endTransfer")
    response = boi_api.post(f"sync/{sync_id}/transfer", [staff_payload("930002")])
    assert response.status_code == 409
    assert errors(response) == [("sync", "not_allowed")]
    assert "starting again" in response.json()["errors"][0]["message"]
    assert boi_api.post(f"sync/{sync_id}/submitCommitJob").status_code == 409
    newer = boi_api.post("sync/start").json()["syncID"]
    assert SyncSession.objects.get(pk=sync_id).status == "cancelled"
    assert not SyncStagedStaff.objects.filter(session_id=sync_id).exists()
    stale = boi_api.post(f"sync/{sync_id}/validate")
    assert stale.status_code == 409 and "newer start" in stale.json()["errors"][0]["message"]
    assert boi_api.get(f"sync/{newer}").json()["status"] == "transferring"
    assert boi_api.post("sync/424242/endTransfer").status_code == 404


def test_a_transfer_call_is_limited_in_size(boi_api, district, staff_payload, settings):
    settings.CAMPUS_SANDBOX_BOI_TRANSFER_MAX_STAFF = 2
    sync_id = boi_api.post("sync/start").json()["syncID"]
    batch = [staff_payload(f"93000{i}") for i in range(3)]
    response = boi_api.post(f"sync/{sync_id}/transfer", batch)
    assert response.status_code == 413
    assert errors(response) == [("staff", "too_many")]


def test_the_synchronous_commit_refuses_more_than_500_staff(boi_api, district):
    sync_id = boi_api.post("sync/start").json()["syncID"]
    staff = [
        {"staffNumber": f"8{i:05d}", "lastName": "Many", "firstName": f"N{i}", "gender": "F"}
        for i in range(501)
    ]
    assert boi_api.post(f"sync/{sync_id}/transfer", staff).status_code == 200
    boi_api.post(f"sync/{sync_id}/endTransfer")
    response = boi_api.post(f"sync/{sync_id}/commit")
    assert response.status_code == 409
    assert errors(response) == [("sync", "too_many")]
    assert "submitCommitJob" in response.json()["errors"][0]["message"]


def test_the_commit_job_commits_in_the_background_and_reports_progress(
    boi_api, hr_export, staff_payload, django_capture_on_commit_callbacks, settings, district_admin
):
    from sandbox.boi.notifications import notification_save, tool_rights_set

    tool_rights_set(
        user=district_admin, district_employment=False, district_assignments=True, actor="t"
    )
    notification_save(kind="hr_sync_commit", recipient_ids=[district_admin.pk], actor="t")
    settings.CAMPUS_SANDBOX_BOI_BATCH_SIZE = 2
    duplicated = staff_payload("940001")
    staff = hr_export["staff"] + [duplicated, staff_payload("940001", firstName="Twin")]
    sync_id, _ = run_to_validate(boi_api, staff)
    assert boi_api.get("sync/jobs/latest").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = boi_api.post(f"sync/{sync_id}/submitCommitJob")
    assert response.status_code == 202
    job_id = response.json()["jobID"]
    latest = boi_api.get("sync/jobs/latest").json()
    assert latest["jobID"] == job_id and latest["status"] == "succeeded"
    assert latest["progress"] == {"done": 7, "total": 7}
    assert latest["counts"] == {"succeeded": 5, "failed": 2}
    assert boi_api.get(f"sync/jobs/{job_id}").json()["status"] == "succeeded"
    assert SyncSession.objects.get(pk=sync_id).status == "committed"
    failures = BoiErrorLogEntry.objects.filter(staff_number="940001")
    assert failures.count() == 2
    assert {f.method for f in failures} == {"COMMIT"}
    assert "appears 2 times in HR" in failures.first().message
    assert "912-34-5678" not in failures.first().payload
    message = MessageCenterMessage.objects.get(user=district_admin)
    assert message.kind == "hr_sync_commit"
    assert message.subject == f"HR sync {sync_id} committed: 5 staff committed, 2 failed"


def test_a_resumed_commit_job_commits_every_staff_member_exactly_once(
    boi_api, hr_export, staff_payload, settings
):
    """A worker that dies mid-job: the batches it committed stay committed (each in one
    transaction with its markers), the job's heartbeat goes stale, another worker resumes
    it and commits the rest; nobody is created or changed twice."""
    settings.CAMPUS_SANDBOX_BOI_BATCH_SIZE = 2
    staff = hr_export["staff"] + [staff_payload(f"95000{i}") for i in range(5)]
    sync_id, _ = run_to_validate(boi_api, staff)
    session = SyncSession.objects.get(pk=sync_id)
    from sandbox.models import CommitJob as Job

    with transaction_free_submit(session) as job:
        batches = {"n": 0}

        def die_after_two_batches():
            batches["n"] += 1
            if batches["n"] == 3:
                raise KeyboardInterrupt("worker killed")

        with pytest.raises(KeyboardInterrupt):
            sync_services.commit_job_run(job.pk, worker="w1", before_batch=die_after_two_batches)
        job.refresh_from_db()
        assert job.status == "running" and job.done == 4
        # The job is running on a fresh heartbeat: nobody else may take it yet.
        assert sync_services.commit_job_run(job.pk, worker="w2") == "not claimed"
        assert sync_services.commit_jobs_stale() == []
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        assert sync_services.commit_jobs_stale() == [job.pk]
        assert sync_services.commit_job_run(job.pk, worker="w2") == "succeeded"
        # The original message redelivered later finds nothing to do.
        assert sync_services.commit_job_run(job.pk, worker="w1") == "not claimed"
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.succeeded, job.attempts) == (
        "succeeded",
        10,
        10,
        10,
        2,
    )
    numbers = [s["staffNumber"] for s in staff]
    counts = dict(
        Person.objects.filter(staff_number__in=numbers)
        .values_list("staff_number")
        .annotate(n=Count("id"))
    )
    assert counts == dict.fromkeys(numbers, 1)
    renamed = hr_export["renamed"]
    assert Identity.objects.filter(person=renamed).count() == renamed.identities.count()
    assert Identity.objects.filter(person=renamed, is_current=True).count() == 1
    new_people = Person.objects.filter(staff_number__startswith="95000")
    assert all(p.identities.count() == 1 and p.employments.count() == 1 for p in new_people)
    assert all(p.assignments.count() == 1 for p in new_people)
    committed = SyncStagedStaff.objects.filter(session=session, status="committed")
    assert committed.count() == 10


class transaction_free_submit:  # noqa: N801 - a context manager used like a function
    """Submit a commit job without running its task (the test drives the runs)."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        SyncSession.objects.filter(pk=self.session.pk).update(status="committing")
        return CommitJob.objects.create(
            session=self.session,
            total=SyncStagedStaff.objects.filter(session=self.session).count(),
        )

    def __exit__(self, *exc):
        return False


def test_validate_and_commit_use_a_fixed_number_of_queries_per_batch(
    boi_api, district, staff_payload, settings
):
    """No per-staff queries: ten or forty staff in one batch cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CAMPUS_SANDBOX_BOI_BATCH_SIZE = 100
    costs = {}
    for size in (10, 40):
        # Each run creates its own new address, so both runs write the same kinds of rows.
        address = {"fullStreetAddress": f"{size} Elm St", "city": "Blaine", "state": "MN"}
        household = {"householdLocations": [{"address": {**address, "zip": "55123"}}]}
        staff = [staff_payload(f"96{size}{i:03d}", household=household) for i in range(size)]
        sync_id = boi_api.post("sync/start").json()["syncID"]
        boi_api.post(f"sync/{sync_id}/transfer", staff)
        boi_api.post(f"sync/{sync_id}/endTransfer")
        session = SyncSession.objects.get(pk=sync_id)
        with CaptureQueriesContext(connection) as validate:
            sync_services.sync_validate(session=session, actor="tests")
        session.refresh_from_db()
        with CaptureQueriesContext(connection) as commit:
            sync_services.sync_commit(session=session, actor="tests")
        costs[size] = (len(validate), len(commit))
    assert costs[10] == costs[40], costs
