"""Issue 17's takeover story: an insider holds a person's invitation link and reads their
birth date and staff number in Campus. They must not finish proofing and bind a passkey,
whichever way mail goes; the person themself still onboards in one sitting.

Two mail modes: ``outbox`` (the evaluation mode: mail kept in the dashboard's outbox,
which stands in for people's mailboxes) and ``smtp`` (mail leaves idbridge; Django's
locmem backend stands in for the SMTP server, and ``mail.outbox`` for the mailboxes the
person reads). Every dashboard page an insider reaches is read, link by link, for the
invitation's token and the proofing code.
"""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import mail
from django.test import Client

from idbridge.core.mail import OUTBOX_BACKEND
from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase, Passkey
from staff.services.cases import OnboardingError
from staff.services.discovery import staff_records_from_campus
from staff.services.passkeys import NewPasskey, passkey_enroll
from staff.transitions import State
from tests.staff.conftest import HOME_EMAIL, discovered, person

MODES = {"outbox": OUTBOX_BACKEND, "smtp": "django.core.mail.backends.locmem.EmailBackend"}
WORK_EMAIL = "maria.lopez1@district.example"
RECORD = {"birth_date": "1985-04-12", "staff_number": "S00001"}  # as Campus shows them
ENROLL_OPTIONS = "/staff/onboarding/passkey/options/"
# Pages an insider would try first; the crawl follows every link from them.
START = [
    "/",
    "/outbox/",
    "/staff/",
    "/staff/?q=lopez",
    "/staff/funnel.json",
    "/audit/",
    "/audit/?q=lopez",
    "/stepup/",
    "/sandbox/",
    "/admin/",
]


def mailbox(address: str) -> list[str]:
    """The bodies of every message ``address`` received, newest first, in either mode."""
    kept = [m.body_text for m in OutboxMessage.objects.order_by("-id") if address in m.to]
    sent = [m.body for m in reversed(mail.outbox) if address in m.to]
    return kept + sent


def link_in(address: str) -> str:
    return re.search(r"http://\S+?(/staff/welcome/\S+/)", mailbox(address)[0])[1]


def code_in(address: str) -> str:
    return re.search(r"\b(\d{6})\b", mailbox(address)[0])[1]


def dashboard_pages(client: Client, case: OnboardingCase) -> dict[str, str]:
    """Every dashboard page ``client`` can reach from START and the case page, by path."""
    outbox_ids = OutboxMessage.objects.values_list("id", flat=True)
    queue = [*START, f"/staff/cases/{case.id}/", *(f"/outbox/{pk}/" for pk in outbox_ids)]
    pages: dict[str, str] = {}
    while queue and len(pages) < 400:
        path = queue.pop(0)
        if path in pages:
            continue
        response = client.get(path)
        if response.status_code != 200:
            body = ""
        elif response.streaming:  # the audit log's CSV export
            body = b"".join(response.streaming_content).decode(errors="replace")
        else:
            body = response.content.decode(errors="replace")
        pages[path] = body
        for href in re.findall(r'(?:href|action|data-[\w-]+-url)="([^"#]+)"', body):
            url = urlsplit(urljoin(path, html.unescape(href)))
            if url.netloc not in ("", "testserver"):
                continue
            found = url.path + (f"?{url.query}" if url.query else "")
            skip = ("/static/", "/accounts/logout", "/admin/logout", "/staff/welcome/")
            if not found.startswith(skip) and found not in pages:
                queue.append(found)
    return pages


def secrets_shown(pages: dict[str, str], *secrets: str) -> list[str]:
    return [path for path, body in pages.items() if any(s in body for s in secrets)]


@pytest.fixture(params=sorted(MODES))
def mail_mode(request, settings):
    settings.EMAIL_BACKEND = MODES[request.param]
    return request.param


def invite_maria(connection, capture) -> OnboardingCase:
    """Maria, invited at her work mailbox; Campus also holds her personal e-mail."""
    with capture(execute=True):
        member = discovered(connection, person(1, personal_email=HOME_EMAIL))
    return OnboardingCase.objects.get(staff_member=member)


@pytest.fixture
def victim(connection, django_capture_on_commit_callbacks, mail_mode) -> OnboardingCase:
    return invite_maria(connection, django_capture_on_commit_callbacks)


def insider_reaches_the_code_step(client, link, capture) -> None:
    """Open the link and pass the record check with what Campus shows; the code is sent."""
    assert client.post(link).status_code == 302
    with capture(execute=True):
        response = client.post("/staff/onboarding/check/", RECORD)
    assert response.headers["Location"] == "/staff/onboarding/code/"


def assert_no_passkey_bound(client, victim) -> None:
    assert client.get("/staff/onboarding/passkey/").headers["Location"] == "/staff/onboarding/code/"
    assert client.post(ENROLL_OPTIONS).status_code == 409
    case = OnboardingCase.objects.get(id=victim.id)
    with pytest.raises(OnboardingError):
        passkey_enroll(case=case, new=fake_passkey(), name="Mine now")
    assert case.state not in (State.ENROLLED, State.VERIFIED)
    assert Passkey.objects.count() == 0


def fake_passkey():
    return NewPasskey("cred-insider", b"pk", 0, "", False, ["internal"])


@pytest.mark.parametrize("role", ["auditor", "hr_operator"])
def test_an_insider_with_the_link_and_the_record_cannot_bind_a_passkey(
    request, role, victim, mail_mode, client, django_capture_on_commit_callbacks
):
    insider = request.getfixturevalue(role)
    client.force_login(insider)
    link = link_in(WORK_EMAIL)  # read in her work mailbox, say, or over her shoulder
    insider_reaches_the_code_step(client, link, django_capture_on_commit_callbacks)
    code = code_in(HOME_EMAIL)
    token = link.rstrip("/").rsplit("/", 1)[1]
    pages = dashboard_pages(client, victim)
    assert f"/staff/cases/{victim.id}/" in pages and pages["/staff/"]  # the crawl saw the case
    assert pages["/outbox/"] == ""  # district admins only, or gone with real mail
    assert secrets_shown(pages, code, token) == []
    assert_no_passkey_bound(client, victim)
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 6)]
    for guess in wrong:
        client.post("/staff/onboarding/code/", {"action": "check", "code": guess})
    assert OnboardingCase.objects.get(id=victim.id).state == State.LOCKED
    assert client.post("/staff/onboarding/code/", {"action": "check", "code": code}).status_code
    assert OnboardingCase.objects.get(id=victim.id).code_checked_at is None
    assert Passkey.objects.count() == 0


def test_with_real_mail_a_district_admin_cannot_read_the_link_or_the_code(
    connection, settings, client, district_admin, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = MODES["smtp"]
    victim = invite_maria(connection, django_capture_on_commit_callbacks)
    client.force_login(district_admin)
    applicant = Client()
    insider_reaches_the_code_step(
        applicant, link_in(WORK_EMAIL), django_capture_on_commit_callbacks
    )
    pages = dashboard_pages(client, victim)
    assert len(pages) > 20, "the crawl reached the admin's dashboard"
    assert pages["/outbox/"] == "" and OutboxMessage.objects.count() == 0
    assert secrets_shown(pages, code_in(HOME_EMAIL), "/staff/welcome/") == []
    assert_no_passkey_bound(applicant, victim)


def test_in_the_evaluation_mode_the_district_admin_reads_the_outbox(
    connection, client, district_admin, django_capture_on_commit_callbacks
):
    """What the README warns of: whoever reads the outbox can onboard as anyone."""
    victim = invite_maria(connection, django_capture_on_commit_callbacks)
    client.force_login(district_admin)
    pages = dashboard_pages(client, victim)
    assert secrets_shown(pages, link_in(WORK_EMAIL).rsplit("/", 2)[1])


def test_the_person_themself_onboards_in_one_sitting(
    victim, mail_mode, django_capture_on_commit_callbacks
):
    browser = Client()
    insider_reaches_the_code_step(browser, link_in(WORK_EMAIL), django_capture_on_commit_callbacks)
    page = browser.get("/staff/onboarding/code/").content.decode()
    assert "m•••@example.net" in page and HOME_EMAIL not in page
    response = browser.post(
        "/staff/onboarding/code/", {"action": "check", "code": code_in(HOME_EMAIL)}
    )
    assert response.headers["Location"] == "/staff/onboarding/passkey/"
    assert browser.post(ENROLL_OPTIONS).status_code == 200
    case = OnboardingCase.objects.get(id=victim.id)
    passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    assert OnboardingCase.objects.get(id=victim.id).state == State.VERIFIED


@pytest.fixture
def no_second_channel(connection, django_capture_on_commit_callbacks) -> OnboardingCase:
    """Maria again, but Campus has only her work e-mail: HR must supervise."""
    with django_capture_on_commit_callbacks(execute=True):
        member = discovered(connection, person(1))
    return OnboardingCase.objects.get(staff_member=member)


def enrolled_in(browser, case, capture) -> str:
    """``browser`` opens the link, passes the record check, binds a passkey; the code its
    setup page then shows for HR."""
    insider_reaches_the_code_step(browser, link_in(WORK_EMAIL), capture)
    case.refresh_from_db()
    assert case.second_factor == "supervised" and case.requires_supervised_proofing
    assert browser.post(ENROLL_OPTIONS).status_code == 200  # no code asked: HR decides
    passkey_enroll(case=case, new=fake_passkey(), name="A passkey")
    assert OnboardingCase.objects.get(id=case.id).state == State.ENROLLED
    page = browser.get("/staff/onboarding/done/").content.decode()
    return re.search(r'class="desk-code">([A-Z0-9-]+)<', page)[1]


def hr_approves(client, case, desk_code: str):
    approve = {"decision": "approve", "document": "passport", "desk_code": desk_code}
    return client.post(f"/staff/cases/{case.id}/supervised/", approve, follow=True)


def test_without_a_second_channel_an_insiders_passkey_is_not_approved_for_the_person(
    no_second_channel, client, auditor, hr_operator, django_capture_on_commit_callbacks
):
    """The auditor binds their passkey; the real Maria shows HR her ID, but her screen
    has no code (the auditor's has): HR's approval is refused, the passkey stays unverified."""
    case = no_second_channel
    client.force_login(auditor)
    insiders_code = enrolled_in(client, case, django_capture_on_commit_callbacks)
    assert hr_approves(client, case, insiders_code).status_code == 403  # auditors cannot
    hr = Client()
    hr.force_login(hr_operator)
    page = hr_approves(hr, case, "").content.decode()  # Maria has no code to read out
    assert "does not match" in page
    case.refresh_from_db()
    assert case.state == State.ENROLLED and case.supervised_checked_at is None


def test_without_a_second_channel_the_person_is_verified_once_hr_sees_them(
    no_second_channel, client, hr_operator, django_capture_on_commit_callbacks
):
    case = no_second_channel
    code = enrolled_in(Client(), case, django_capture_on_commit_callbacks)
    client.force_login(hr_operator)
    assert "Supervised check recorded" in hr_approves(client, case, code).content.decode()
    assert OnboardingCase.objects.get(id=case.id).state == State.VERIFIED


def test_a_second_channel_changed_in_campus_after_the_invitation_gets_no_code(
    connection, client, hr_operator, django_capture_on_commit_callbacks
):
    """An HR insider points Maria's personal e-mail at their own mailbox in Campus; the
    next poll brings it. The code is not sent there: HR supervision is required."""
    victim = invite_maria(connection, django_capture_on_commit_callbacks)
    staff_records_from_campus(connection=connection, persons=[person(1, personal_email=HOME_EMAIL)])
    assert OnboardingCase.objects.get(id=victim.id).staff_member.second_channel_changed_at is None
    mine = "omar.private@example.org"
    staff_records_from_campus(connection=connection, persons=[person(1, personal_email=mine)])
    client.force_login(hr_operator)
    insider_reaches_the_code_step(client, link_in(WORK_EMAIL), django_capture_on_commit_callbacks)
    case = OnboardingCase.objects.get(id=victim.id)
    assert case.second_factor == "supervised" and mailbox(mine) == []
    assert "changed in Campus since the case opened" in case.events.last().reason
