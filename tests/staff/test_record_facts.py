"""The record check's facts (the birth date OneRoster keeps under demographics) come from
Campus in a task, never inside the applicant's web request: with Campus answering in 5 s,
parallel first record checks do not call it and /healthz keeps answering; the page says
"checking" and reloads until the task has the facts."""

import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.utils import timezone

from idbridge.core.models import OutboxMessage
from sandbox.faults import counters_get, counters_reset, faults_clear, faults_set
from sandbox.models import Person
from staff import polling
from staff.models import StaffMember
from staff.services.existing import existing_invite
from staff.services.proofing import record_facts_fetch, record_facts_request
from staff.tasks import fetch_record_facts
from tests.staff.conftest import discovered, person
from tests.staff.test_baseline_sandbox import sandbox  # noqa: F401 (a fixture)
from tests.staff.test_discovery import rest_connection

CHECK = "/staff/onboarding/check/"
PARALLEL_CHECKS = 12


def invitation_path() -> str:
    body = OutboxMessage.objects.latest("id").body_text
    return re.search(r"https?://\S+?(/staff/welcome/\S+/)", body)[1]


def applicant_session(base: str) -> requests.Session:
    """The invited person's browser: opens the latest invitation (CSRF as a browser does)."""
    browser = requests.Session()
    url = base + invitation_path()
    browser.get(url, timeout=10).raise_for_status()
    token = browser.cookies["csrftoken"]
    opened = browser.post(url, {"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=10)
    assert opened.status_code == 302, opened.text[:300]
    return browser


@pytest.fixture
def invited_over_rest(sandbox, hr_operator):  # noqa: F811 (the fixture above)
    """An existing staff member of the sandbox, invited over the REST connection (which
    brings no birth date: OneRoster keeps it under demographics). The invitation queued
    the fetch (tests run tasks at once); then, as if the worker had not got to it yet,
    the facts are taken away again: the fetch is asked for, not done."""
    connection = rest_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    member = StaffMember.objects.filter(work_email__gt="").order_by("id").first()
    assert not member.has_record_facts  # discovery over OneRoster brings no birth date
    existing_invite(case=member.case, actor=hr_operator)
    member.refresh_from_db()
    assert member.has_record_facts and member.birth_date  # fetched with the invitation
    member.birth_date, member.record_facts_fetched_at = "", None
    member.save(update_fields=["birth_date", "record_facts_fetched_at"])
    return member


def test_a_slow_campus_is_never_called_by_parallel_first_record_checks(
    invited_over_rest, live_server
):
    member = invited_over_rest
    faults_set(actor="tests", latency_ms=5000)  # Campus answers everything in 5 s
    counters_reset()
    browser = applicant_session(live_server.url)
    token = browser.cookies["csrftoken"]
    answer = {"birth_date": "1980-01-01", "staff_number": member.staff_number}
    health, stop = [], threading.Event()

    def probe_health():
        with requests.Session() as probe:
            while not stop.is_set():
                t0 = time.perf_counter()
                status = probe.get(live_server.url + "/healthz", timeout=30).status_code
                health.append((status, time.perf_counter() - t0))

    def first_check(n):
        t0 = time.perf_counter()
        if n % 2:
            response = browser.get(live_server.url + CHECK, timeout=30)
        else:
            data = {**answer, "csrfmiddlewaretoken": token}
            response = browser.post(live_server.url + CHECK, data, timeout=30)
        return response, time.perf_counter() - t0

    prober = threading.Thread(target=probe_health)
    prober.start()
    try:
        with ThreadPoolExecutor(PARALLEL_CHECKS) as pool:
            checks = list(pool.map(first_check, range(PARALLEL_CHECKS)))
        time.sleep(0.2)  # a few more probes after the checks
    finally:
        stop.set()
        prober.join()
        browser.close()
    assert counters_get()["oneroster.demographics"] == 0
    assert all(r.status_code == 200 and "Checking your record" in r.text for r, _ in checks)
    assert health and all(status == 200 for status, _ in health)
    ms = sorted(t * 1000 for _, t in health)
    print(  # the figure for the report (never a timed assertion)
        f"\n/healthz during {PARALLEL_CHECKS} parallel first checks, Campus at 5 s: "
        f"{len(ms)} probes, median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms; "
        f"slowest check {max(t for _, t in checks) * 1000:.0f} ms"
    )
    faults_clear(actor="tests")


def test_the_task_fetches_the_birth_date_and_the_check_then_runs(invited_over_rest, live_server):
    member = invited_over_rest
    browser = applicant_session(live_server.url)
    assert "Checking your record" in browser.get(live_server.url + CHECK, timeout=10).text
    counters_reset()
    fetch_record_facts.apply(args=[member.id])  # what the worker runs
    assert counters_get()["oneroster.demographics"] == 1
    member.refresh_from_db()
    birth = Person.objects.get(pk=int(member.campus_key)).birth_date
    assert member.record_facts_fetched_at and member.birth_date.reveal() == birth.isoformat()
    page = browser.get(live_server.url + CHECK, timeout=10)
    assert "Confirm your details" in page.text
    answer = {
        "birth_date": birth.isoformat(),
        "staff_number": member.staff_number,
        "csrfmiddlewaretoken": browser.cookies["csrftoken"],
    }
    done = browser.post(live_server.url + CHECK, answer, allow_redirects=False, timeout=10)
    assert done.status_code == 302
    member.case.refresh_from_db()
    assert member.case.record_checked_at is not None
    browser.close()


@pytest.fixture
def applicant_without_facts(connection, django_capture_on_commit_callbacks):
    """An invited person whose birth date Campus has not given yet; their browser."""
    with django_capture_on_commit_callbacks(execute=True):
        member = discovered(connection, person(1, birth_date=None))
    browser = Client()
    assert browser.post(invitation_path()).status_code == 302
    return member, browser


def test_the_invitation_queues_the_fetch_once_however_many_pages_ask(applicant_without_facts):
    member, browser = applicant_without_facts
    member.refresh_from_db()
    assert member.record_facts_requested_at is not None  # queued with the invitation
    assert record_facts_request(member=member) is False  # in flight: not queued again
    browser.get(CHECK)
    member.refresh_from_db()
    StaffMember.objects.filter(id=member.id).update(record_facts_requested_at=None)
    assert record_facts_request(member=member) is True
    assert record_facts_request(member=member) is False


def test_the_page_says_campus_did_not_answer_after_the_wait_and_offers_a_retry(
    applicant_without_facts, settings
):
    member, browser = applicant_without_facts
    assert b"Checking your record" in browser.get(CHECK).content
    long_ago = timezone.now() - timedelta(seconds=settings.STAFF_RECORD_FACTS_WAIT_SECONDS + 1)
    StaffMember.objects.filter(id=member.id).update(record_facts_requested_at=long_ago)
    overdue = browser.get(CHECK)
    assert overdue.status_code == 503 and b"We could not reach Campus" in overdue.content
    retried = browser.post(CHECK, {"retry": "1"})
    assert retried.status_code == 200 and b"Checking your record" in retried.content
    member.refresh_from_db()
    assert member.record_facts_requested_at > long_ago


def test_campus_without_a_birth_date_sends_the_applicant_to_hr(applicant_without_facts):
    member, browser = applicant_without_facts
    StaffMember.objects.filter(id=member.id).update(record_facts_fetched_at=timezone.now())
    answer = {"birth_date": "1985-04-12", "staff_number": "S00001"}
    page = browser.post(CHECK, answer)
    assert page.status_code == 400 and b"Ask HR to complete your record" in page.content


def test_the_fetch_keeps_a_birth_date_discovery_brought(connection):
    member = discovered(connection, person(1))
    record_facts_fetch(member_id=member.id)  # nothing to ask Campus (no Campus here)
    member.refresh_from_db()
    assert member.birth_date.reveal() == "1985-04-12" and member.record_facts_fetched_at is None


@pytest.fixture
def tasks_run():
    """The names of the Celery tasks run (tests run them at once, as the worker would)."""
    from celery.signals import task_prerun

    names = []

    def note(sender=None, **kwargs):
        names.append(sender.name.rsplit(".", 1)[-1])

    task_prerun.connect(note, weak=False)
    yield names
    task_prerun.disconnect(note)


def test_invitations_while_the_fetch_is_queued_add_no_task_and_one_run_fetches_them_all(
    sandbox,  # noqa: F811 (the fixture above)
    hr_operator,
    tasks_run,
    monkeypatch,
):
    # A wave or a poll invites thousands: one task each would queue thousands of messages
    # ahead of every other job (an HR file's check waited behind them for twenty minutes).
    from django.core.cache import cache

    from staff import tasks
    from staff.services.proofing import RECORD_FACTS_QUEUED_KEY

    connection = rest_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    members = list(StaffMember.objects.filter(work_email__gt="").order_by("id")[:3])
    cache.set(RECORD_FACTS_QUEUED_KEY, True)  # the worker has not got to the queued task
    for member in members:
        existing_invite(case=member.case, actor=hr_operator)
    assert "fetch_record_facts" not in tasks_run
    assert "fetch_requested_record_facts" not in tasks_run
    for member in members:
        member.refresh_from_db()
        assert member.record_facts_requested_at and not member.has_record_facts
    monkeypatch.setattr(tasks, "RECORD_FACTS_BATCH", 2)  # two runs: the second sent by the first
    counters_reset()
    tasks.fetch_requested_record_facts.apply()
    assert tasks_run.count("fetch_requested_record_facts") == 2
    assert counters_get()["oneroster.demographics"] == 3
    for member in members:
        member.refresh_from_db()
        assert member.has_record_facts and member.birth_date
    assert cache.get(RECORD_FACTS_QUEUED_KEY) is None  # the next invitation queues a run


def test_an_invitation_with_no_fetch_queued_queues_one_that_fetches_its_facts(
    sandbox,  # noqa: F811 (the fixture above)
    hr_operator,
    tasks_run,
):
    connection = rest_connection(sandbox)
    polling.connection_poll(connection_id=connection.id)
    member = StaffMember.objects.filter(work_email__gt="").order_by("id").first()
    existing_invite(case=member.case, actor=hr_operator)
    assert tasks_run.count("fetch_requested_record_facts") == 1
    member.refresh_from_db()
    assert member.has_record_facts and member.birth_date
