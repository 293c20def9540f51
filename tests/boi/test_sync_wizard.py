"""The synchronization wizard end to end against the in-process BOI fake."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from boi.models import Alert, ErrorLogEntry, SyncRun, SyncStaff
from boi.services import ConsoleError
from boi.services.sync.commit import sync_commit_request
from boi.services.sync.runs import sync_run_create
from boi.views.runs import COMMIT_PENDING_KEY, COMMIT_PENDING_SECONDS
from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from tests.boi.conftest import good_row, hr_csv, passkey_check_in_session

pytestmark = pytest.mark.django_db

VARIANTS = ["4321 North Lexington Avenue", "4321 N Lexington Ave.", "4321 n. lexington ave"]


def _run(upload, rows, capture):
    hr_import = upload(hr_csv(rows))
    with capture(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    return run


def test_start_transfers_ends_and_validates_then_waits(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    rows = [good_row(n, address=VARIANTS[n % 3]) for n in range(1, 8)]
    run = _run(upload, rows, django_capture_on_commit_callbacks)
    assert run.state == SyncRun.State.VALIDATED and run.job == SyncRun.Job.IDLE
    assert run.report_summary["add"] == 7
    assert SyncStaff.objects.filter(run=run, action="add").count() == 7
    sent = fake_boi.syncs[run.sync_id]["staff"]
    # every spelling of the one address is sent as the same normalized components
    assert len({str(s["household"]) for s in sent}) == 1
    assert set(run.stage_seconds) >= {"start", "transfer", "end_transfer", "validate"}


def test_commit_needs_a_validated_run_and_unchanged_hr_data(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    run = _run(upload, [good_row(1), good_row(2)], django_capture_on_commit_callbacks)
    run.hr_import.rows.filter(row_number=2).update(is_excluded=True)
    with pytest.raises(ConsoleError, match="restart"):
        sync_commit_request(run=run, actor="test", verified_at=timezone.now())


def test_a_small_sync_commits_synchronously_with_per_staff_results(
    upload, fake_boi, django_capture_on_commit_callbacks, hr_operator
):
    run = _run(
        upload, [good_row(1), good_row(2, last="Failme")], django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor=hr_operator, verified_at=timezone.now())
    run.refresh_from_db()
    assert run.state == SyncRun.State.COMMITTED and run.commit_mode == "commit"
    assert (run.succeeded_count, run.failed_count) == (1, 1)
    failed = SyncStaff.objects.get(run=run, outcome="failed")
    assert failed.row.row_number == 3
    assert failed.outcome_errors[0]["message"] == "Last name 'Failme' is refused"
    assert "E00001" in fake_boi.staff
    assert Alert.objects.filter(run=run, level="error").exists()
    assert any(hr_operator.email in m.to for m in OutboxMessage.objects.all())
    entry = AuditEntry.objects.get(action="boi.sync.commit_requested")
    assert entry.details["step_up_verified_at"]


def test_a_large_sync_uses_the_commit_job_and_polls_it(
    upload, fake_boi, django_capture_on_commit_callbacks, settings
):
    settings.BOI_SYNC_COMMIT_MAX_STAFF = 3
    settings.BOI_TRANSFER_BATCH_SIZE = 2
    run = _run(upload, [good_row(n) for n in range(1, 6)], django_capture_on_commit_callbacks)
    assert ("POST", f"sync/{run.sync_id}/transfer") in fake_boi.calls
    assert fake_boi.calls.count(("POST", f"sync/{run.sync_id}/transfer")) == 3
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor="test", verified_at=timezone.now())
    run.refresh_from_db()
    assert run.commit_mode == "commitJob" and run.campus_job_id
    assert run.state == SyncRun.State.COMMITTED and run.succeeded_count == 5


def test_a_rotated_secret_fails_the_step_as_credentials_rejected(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    hr_import = upload(hr_csv([good_row(1)]))
    fake_boi.secret = "rotated"
    fake_boi.tokens.clear()
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    run.connection.refresh_from_db()
    assert run.job == SyncRun.Job.FAILED and "credentials" in run.last_error
    assert run.connection.status == "rejected"
    assert Alert.objects.filter(run=run, level="error").exists()


def test_a_refused_staff_member_is_logged_with_the_ssn_masked(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    hr_import = upload(hr_csv([good_row(1)]))
    fake_boi.fail_next = [200, 422]  # start is fine, the transfer is refused
    fake_boi.fail_next = []
    original = fake_boi.sync_action

    def refuse(sync_id, sync, action, body):
        if action == "transfer":
            from tests.boi.fakeboi import FakeResponse

            return FakeResponse(
                400,
                {
                    "errors": [
                        {
                            "field": "staff[0].gender",
                            "code": "not_found",
                            "message": "gender 'F' is not a Campus gender",
                        }
                    ]
                },
            )
        return original(sync_id, sync, action, body)

    fake_boi.sync_action = refuse
    with django_capture_on_commit_callbacks(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    assert run.job == SyncRun.Job.FAILED and "refused every staff member" in run.last_error
    refused = SyncStaff.objects.get(run=run, outcome="refused")
    assert refused.outcome_errors[0]["message"] == "Gender 'F' is not a Campus gender"
    entry = ErrorLogEntry.objects.get(id=refused.outcome_errors[0]["entry"])
    assert entry.action == "POST" and entry.path.endswith("/transfer")
    assert "***-**-0001" in entry.payload and "123-45-0001" not in entry.payload


def test_the_commit_view_asks_for_a_fresh_passkey_check_first(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    response = client.post(f"/boi/runs/{run.id}/commit/")
    assert response.status_code == 302 and response.url.startswith("/stepup/authenticate/")
    run.refresh_from_db()
    assert run.state == SyncRun.State.VALIDATED
    # Simulated passkey checks (see passkey_check_in_session): ten minutes ago is too old …
    passkey_check_in_session(client.session, hr_operator, at=timezone.now() - timedelta(minutes=10))
    response = client.post(f"/boi/runs/{run.id}/commit/")
    assert response.url.startswith("/stepup/authenticate/")
    passkey_check_in_session(client.session, hr_operator)  # … just now is fresh
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/boi/runs/{run.id}/commit/")
    assert response.url == f"/boi/runs/{run.id}/"
    run.refresh_from_db()
    assert run.state == SyncRun.State.COMMITTED
    page = client.get(f"/boi/runs/{run.id}/results/")
    assert b"row 2" in page.content
    assert b"outcomes-unknown" not in page.content  # the synchronous commit names everyone
    assert client.get(f"/boi/runs/{run.id}/progress/").json()["state"] == "committed"
    csv_text = b"".join(client.get(f"/boi/runs/{run.id}/report.csv").streaming_content)
    assert b"E00001" in csv_text


def test_the_break_glass_account_is_told_it_cannot_commit_not_sent_to_a_passkey_page(
    upload, fake_boi, django_capture_on_commit_callbacks, client
):
    from django.contrib.auth import get_user_model

    from idbridge.core.breakglass import break_glass_create

    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    break_glass_create("break-glass")
    client.force_login(get_user_model().objects.get(username="break-glass"))
    page = client.get(f"/boi/runs/{run.id}/").content.decode()
    assert re.search(r'<button type="submit" id="commit" disabled', page)
    assert "break-glass account cannot commit a sync" in page
    assert "You will be asked for a fresh passkey check" not in page
    response = client.post(f"/boi/runs/{run.id}/commit/", follow=True)
    assert response.redirect_chain == [(f"/boi/runs/{run.id}/", 302)]
    assert "Not committed: The break-glass account cannot commit" in response.content.decode()
    run.refresh_from_db()
    assert run.state == SyncRun.State.VALIDATED


def test_the_results_name_who_committed_by_their_name(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    hr_operator.username, hr_operator.first_name, hr_operator.last_name = "staff:9", "Omar", "Ali"
    hr_operator.save()
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    passkey_check_in_session(client.session, hr_operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/boi/runs/{run.id}/commit/")
    summary = re.search(
        r'<p id="results-summary">(.*?)</p>', client.get(f"/boi/runs/{run.id}/").content.decode()
    )[1]
    assert summary.endswith(" by Omar Ali).") and "staff:9" not in summary


def test_the_run_page_keeps_the_job_in_words_when_its_progress_refreshes(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    page = client.get(f"/boi/runs/{run.id}/").content.decode()
    assert '<dd data-field="job_label">Idle</dd>' in page  # progress.js fills it from the JSON
    progress = client.get(f"/boi/runs/{run.id}/progress/").json()
    assert progress["job_label"] == "Idle" and progress["state_label"] == "Validated"


def test_after_the_passkey_check_the_commit_proceeds_without_a_second_press(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1), good_row(2)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    response = client.post(f"/boi/runs/{run.id}/commit/")
    resume = f"/boi/runs/{run.id}/commit/resume/"
    assert (
        response.url.startswith("/stepup/authenticate/") and quote(resume, safe="") in response.url
    )
    passkey_check_in_session(client.session, hr_operator)  # the ceremony, then back here
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(resume)
    assert response.url == f"/boi/runs/{run.id}/"
    run.refresh_from_db()
    assert run.state == SyncRun.State.COMMITTED and run.succeeded_count == 2
    page = client.get(response.url).content.decode()
    assert "Passkey check done: committing 2 staff." in page
    # The waiting commit was used up: coming back to the same address commits nothing.
    again = client.get(resume, follow=True).content.decode()
    assert "No commit was waiting for a passkey check" in again
    assert AuditEntry.objects.filter(action="boi.sync.commit_requested").count() == 1


def test_nothing_commits_at_the_return_address_without_a_commit_pressed(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    passkey_check_in_session(client.session, hr_operator)
    client.get(f"/boi/runs/{run.id}/commit/resume/")  # a link followed, no Commit pressed
    run.refresh_from_db()
    assert run.state == SyncRun.State.VALIDATED


def test_a_commit_pressed_long_ago_or_for_another_sync_is_not_resumed(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    other = _run(upload, [good_row(2)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    client.post(f"/boi/runs/{run.id}/commit/")
    session = client.session
    pending = session[COMMIT_PENDING_KEY]
    session[COMMIT_PENDING_KEY] = {**pending, "at": pending["at"] - COMMIT_PENDING_SECONDS - 1}
    session.save()
    passkey_check_in_session(client.session, hr_operator)
    client.get(f"/boi/runs/{run.id}/commit/resume/")  # pressed too long ago
    session = client.session
    session[COMMIT_PENDING_KEY] = {"run": run.id, "at": timezone.now().timestamp()}
    session.save()
    client.get(f"/boi/runs/{other.id}/commit/resume/")  # pressed for another sync
    for each in (run, other):
        each.refresh_from_db()
        assert each.state == SyncRun.State.VALIDATED and not each.commit_requested_at


def test_a_failed_passkey_check_leaves_the_commit_undone_and_says_so(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    client.post(f"/boi/runs/{run.id}/commit/")
    page = client.get(f"/boi/runs/{run.id}/commit/resume/", follow=True).content.decode()
    assert "Not committed: Verify with your passkey to commit." in page
    run.refresh_from_db()
    assert run.state == SyncRun.State.VALIDATED


def test_start_a_synchronization_is_disabled_and_says_why(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    hr_import = upload(
        hr_csv([good_row(1), "E00002,,NoLast,F,,,2020-08-01,HS1,TCH,2020-08-01,,,,"])
    )
    page = login(hr_operator).get(f"/boi/imports/{hr_import.id}/").content.decode()
    button = re.search(r'<button[^>]*id="start-sync"[^>]*>', page).group(0)
    assert " disabled" in button and 'aria-disabled="true"' in button
    assert 'aria-describedby="start-sync-why"' in button
    assert "A synchronization cannot start yet" in page and "1 row with errors" in page
    run = _run(upload, [good_row(3)], django_capture_on_commit_callbacks)
    run.job = SyncRun.Job.RUNNING
    run.save(update_fields=["job"])
    page = login(hr_operator).get(f"/boi/imports/{hr_import.id}/").content.decode()
    assert f"Sync {run.id} to Campus is running: wait until it is done." in page


def test_someone_elses_passkey_check_does_not_count(
    upload, fake_boi, django_capture_on_commit_callbacks, login, hr_operator
):
    run = _run(upload, [good_row(1)], django_capture_on_commit_callbacks)
    client = login(hr_operator)
    passkey_check_in_session(client.session, hr_operator, email="someone@else.example")
    assert commit_verification_of(client, hr_operator).reason.startswith(
        "The passkey check in this session"
    )
    response = client.post(f"/boi/runs/{run.id}/commit/")
    assert response.url.startswith("/stepup/authenticate/")
    run.refresh_from_db()
    assert run.state == SyncRun.State.VALIDATED


def commit_verification_of(client, user):
    """The commit's freshness gate (``commit_check``) for the session the test client holds."""
    from django.test import RequestFactory

    from boi.views.runs import commit_check

    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    return commit_check(request)


def _counts_only_job(fake_boi):
    """The sandbox's job status, like Campus's, has counts and no per-staff failures."""
    original = fake_boi.sync_action

    def counts_only(sync_id, sync, action, body):
        response = original(sync_id, sync, action, body)
        if action == "submitCommitJob":
            fake_boi.jobs[-1].pop("failed", None)
        return response

    fake_boi.sync_action = counts_only


def test_a_commit_job_that_reports_counts_only_names_the_staff_validate_flagged(
    upload, fake_boi, django_capture_on_commit_callbacks, settings, login, hr_operator
):
    settings.BOI_SYNC_COMMIT_MAX_STAFF = 1
    rows = [good_row(1), good_row(2, last="Failme"), good_row(3)]
    run = _run(upload, rows, django_capture_on_commit_callbacks)
    _counts_only_job(fake_boi)
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor="test", verified_at=timezone.now())
    run.refresh_from_db()
    assert run.state == SyncRun.State.COMMITTED and run.commit_mode == "commitJob"
    assert (run.succeeded_count, run.failed_count) == (2, 1)
    failed = SyncStaff.objects.get(run=run, outcome="failed")
    assert failed.staff_number == "E00002" and failed.row.row_number == 3
    assert failed.outcome_errors[0]["message"] == "Last name 'Failme' is refused"
    assert SyncStaff.objects.filter(run=run, outcome="succeeded").count() == 2
    client = login(hr_operator)
    page = client.get(f"/boi/runs/{run.id}/results/").content.decode()
    assert 'id="outcomes-unknown"' not in page
    assert (
        "E00002" in page and "row 3" in page and "Last name &#x27;Failme&#x27; is refused" in page
    )


def test_a_commit_job_whose_failures_validate_did_not_flag_says_where_they_are(
    upload, fake_boi, django_capture_on_commit_callbacks, settings, login, hr_operator
):
    settings.BOI_SYNC_COMMIT_MAX_STAFF = 1
    fake_boi.validate_flags = False  # Campus data changed after validate
    run = _run(
        upload, [good_row(1), good_row(2, last="Failme")], django_capture_on_commit_callbacks
    )
    _counts_only_job(fake_boi)
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor="test", verified_at=timezone.now())
    run.refresh_from_db()
    assert run.state == SyncRun.State.COMMITTED and run.commit_mode == "commitJob"
    assert (run.succeeded_count, run.failed_count) == (1, 1)
    assert set(SyncStaff.objects.filter(run=run).values_list("outcome", flat=True)) == {"pending"}
    assert "Error Log" in Alert.objects.get(run=run).body
    client = login(hr_operator)
    assert b'id="outcomes-unknown"' in client.get(f"/boi/runs/{run.id}/").content
    assert b'id="outcomes-unknown"' in client.get(f"/boi/runs/{run.id}/results/").content


def test_a_commit_campus_did_but_did_not_confirm_is_never_sent_twice(
    upload, fake_boi, django_capture_on_commit_callbacks, hr_operator, monkeypatch
):
    """Campus commits, then its gateway answers 504: the console cannot know, so it stops
    and says where to look instead of committing again."""
    from tests.boi.fakeboi import FakeResponse

    run = _run(upload, [good_row(1), good_row(2)], django_capture_on_commit_callbacks)
    original = fake_boi.sync_action

    def committed_then_lost(sync_id, sync, action, body):
        answer = original(sync_id, sync, action, body)
        return (
            FakeResponse(504, {"errors": [{"message": "gateway"}]})
            if action == "commit"
            else answer
        )

    monkeypatch.setattr(fake_boi, "sync_action", committed_then_lost)
    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor=hr_operator, verified_at=timezone.now())
    run.refresh_from_db()
    assert sum(1 for _, path in fake_boi.calls if path.endswith("/commit")) == 1
    assert run.job == SyncRun.Job.FAILED
    assert "may have committed" in run.last_error
    assert Alert.objects.filter(run=run, level="error").exists()
