"""What the record check adds (STAFF_PROOFING_SECOND_FACTOR): a one-time code to a second
channel Campus holds, HR supervision when there is none, or nothing, as the district
chooses; the decision and its evidence on the case page and in the audit log."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from staff.models import CaseEvent, OnboardingCase
from staff.services.cases import OnboardingError
from staff.services.invitations import case_unlock_resend, invitation_resend
from staff.services.second_factor import proofing_code_check
from staff.transitions import State
from tests.staff.conftest import HOME_EMAIL, code_sent_to, discovered, person

RECORD = {"birth_date": "1985-04-12", "staff_number": "S00001"}
CODE_PAGE = "/staff/onboarding/code/"


def at_the_code_step(connection, capture, **campus) -> tuple[OnboardingCase, Client]:
    """A person invited and discovered with ``campus`` facts, who opened the link and
    passed the record check in ``browser``; what was sent on commit is sent."""
    with capture(execute=True):
        member = discovered(connection, person(1, **campus))
    case = OnboardingCase.objects.get(staff_member=member)
    link = OutboxMessage.objects.get(subject="Set up your district sign-in").body_text
    browser = Client()
    assert browser.post(link[link.index("/staff/welcome/") :].split()[0]).status_code == 302
    with capture(execute=True):
        assert browser.post("/staff/onboarding/check/", RECORD).status_code == 302
    case.refresh_from_db()
    return case, browser


def test_the_code_goes_to_the_personal_email_not_the_invited_mailbox(
    connection, django_capture_on_commit_callbacks
):
    case, _ = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    code_mail = OutboxMessage.objects.get(subject="Your sign-in setup code")
    assert code_mail.to == [HOME_EMAIL]
    assert (case.second_factor, case.second_channel) == ("code", "personal e-mail")
    assert case.second_channel_masked == "m•••@example.net"


def test_only_a_keyed_hash_of_the_code_is_kept_and_it_is_never_logged_or_audited(
    connection, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    code = code_sent_to(HOME_EMAIL)
    browser.post(CODE_PAGE, {"action": "check", "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert browser.post(CODE_PAGE, {"action": "check", "code": code}).status_code == 302
    case.refresh_from_db()
    stored = [str(v) for v in OnboardingCase.objects.filter(id=case.id).values().get().values()]
    audited = [str(e.details) for e in AuditEntry.objects.all()]
    timeline = [e.reason for e in CaseEvent.objects.all()]
    assert not [text for text in stored + audited + timeline if code in text]
    assert code not in caplog.text
    assert case.code_checked_at is not None and case.code_hash == ""


def test_an_expired_code_is_refused_without_counting_and_a_new_one_works(
    connection, django_capture_on_commit_callbacks
):
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    old = code_sent_to(HOME_EMAIL)
    OnboardingCase.objects.filter(id=case.id).update(code_expires_at=timezone.now())
    page = browser.post(CODE_PAGE, {"action": "check", "code": old}).content.decode()
    assert "This code has expired" in page
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(CODE_PAGE, {"action": "resend"})
    new = code_sent_to(HOME_EMAIL)
    case.refresh_from_db()
    assert case.code_attempts == 0
    if new != old:  # one in a million: the same six digits again
        assert not proofing_code_check(case=case, code=old)
    assert proofing_code_check(case=case, code=new)


def test_new_codes_are_limited_per_hour(connection, django_capture_on_commit_callbacks, settings):
    settings.STAFF_PROOFING_CODE_SENDS_PER_HOUR = 2
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            page = browser.post(CODE_PAGE, {"action": "resend"}).content.decode()
    assert "Several codes were sent already" in page
    assert OutboxMessage.objects.filter(subject="Your sign-in setup code").count() == 3  # 1 + 2


def test_wrong_codes_lock_the_case_and_an_unlock_clears_them(
    connection, django_capture_on_commit_callbacks, settings, hr_operator
):
    settings.STAFF_PROOFING_CODE_MAX_ATTEMPTS = 3
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    code = code_sent_to(HOME_EMAIL)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    first = browser.post(CODE_PAGE, {"action": "check", "code": wrong}).content.decode()
    assert "2 tries left" in first
    for _ in range(2):
        browser.post(CODE_PAGE, {"action": "check", "code": wrong})
    case.refresh_from_db()
    assert case.state == State.LOCKED
    assert browser.get(CODE_PAGE, follow=True).status_code == 403
    with pytest.raises(OnboardingError):
        proofing_code_check(case=case, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        case_unlock_resend(case=case, actor=hr_operator, reason="called her back")
    case.refresh_from_db()
    assert (case.code_attempts, case.second_factor, case.state) == (0, "", State.INVITED)
    assert "3 wrong codes cleared" in case.events.last().reason


def test_a_resend_while_proofing_asks_for_the_record_and_a_new_code(
    connection, django_capture_on_commit_callbacks, hr_operator
):
    case, _ = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(case=case, actor=hr_operator)
    case.refresh_from_db()
    assert case.record_checked_at is None and case.second_factor == "" and not case.code_hash


@pytest.mark.parametrize(
    "campus",
    [
        {},  # the work mailbox only
        {"work_email": "", "personal_email": HOME_EMAIL},  # invited at the personal one
    ],
)
def test_without_a_second_channel_hr_supervises(
    connection, django_capture_on_commit_callbacks, campus
):
    case, browser = at_the_code_step(connection, django_capture_on_commit_callbacks, **campus)
    assert (case.second_factor, case.requires_supervised_proofing) == ("supervised", True)
    assert not OnboardingCase.objects.filter(code_sent_at__isnull=False).exists()
    assert browser.get(CODE_PAGE).headers["Location"] == "/staff/onboarding/passkey/"


def test_a_mobile_number_gets_the_code_by_text_in_the_evaluation_mode(
    connection, django_capture_on_commit_callbacks
):
    case, _ = at_the_code_step(
        connection, django_capture_on_commit_callbacks, mobile="763-555-0142"
    )
    assert (case.second_channel, case.second_channel_masked) == ("mobile", "•••-0142")
    assert OnboardingCase.objects.get(id=case.id).code_sent_at is not None
    assert code_sent_to("763-555-0142")


def test_with_real_mail_a_mobile_number_is_no_channel_yet(
    connection, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        member = discovered(connection, person(1, mobile="763-555-0142"))
    case = OnboardingCase.objects.get(staff_member=member)
    browser = Client()
    link = mailoutbox[0].body[mailoutbox[0].body.index("/staff/welcome/") :].split()[0]
    browser.post(link)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post("/staff/onboarding/check/", RECORD)
    case.refresh_from_db()
    assert case.second_factor == "supervised" and len(mailoutbox) == 1
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("setting", "decision", "supervised"),
    [("code", "code", False), ("supervised", "supervised", True), ("none", "none", False)],
)
def test_the_district_chooses_what_follows_the_record_check(
    connection, django_capture_on_commit_callbacks, settings, setting, decision, supervised
):
    settings.STAFF_PROOFING_SECOND_FACTOR = setting
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    assert case.second_factor == decision
    assert case.requires_supervised_proofing is supervised
    assert case.is_ready_for_passkey is (decision != "code")
    codes = OnboardingCase.objects.filter(id=case.id, code_sent_at__isnull=False).count()
    assert codes == (decision == "code")
    decided = AuditEntry.objects.get(action="staff.proofing.second_factor_decided")
    assert decided.details["decision"] == decision and decided.details["setting"] == setting


def test_the_case_page_and_the_audit_log_show_the_decision_and_its_evidence(
    connection, django_capture_on_commit_callbacks, client, auditor
):
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    browser.post(CODE_PAGE, {"action": "check", "code": code_sent_to(HOME_EMAIL)})
    client.force_login(auditor)
    page = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "one-time code to their personal e-mail m•••@example.net, sent " in page
    assert ", confirmed " in page and HOME_EMAIL not in page
    assert "Sent to" in page and "maria.lopez1@district.example" in page  # who, when, mail
    sent = AuditEntry.objects.get(action="staff.proofing.code_sent")
    assert sent.details == {"channel": "personal e-mail", "to": "m•••@example.net"}
    assert AuditEntry.objects.filter(action="staff.proofing.code_passed").exists()


def test_a_case_proofing_before_the_upgrade_gets_a_decision_on_the_code_page(
    connection, django_capture_on_commit_callbacks
):
    case, browser = at_the_code_step(
        connection, django_capture_on_commit_callbacks, personal_email=HOME_EMAIL
    )
    OnboardingCase.objects.filter(id=case.id).update(second_factor="", code_hash="")
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.get("/staff/onboarding/passkey/").status_code == 302
        assert browser.get(CODE_PAGE).status_code == 200
    case.refresh_from_db()
    assert case.second_factor == "code" and case.code_expires_at > timezone.now()
    assert case.code_expires_at <= timezone.now() + timedelta(minutes=10)
