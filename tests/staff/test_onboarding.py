import re
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.core.models import OutboxMessage
from staff.models import Invitation, OnboardingCase, Passkey, StaffMember
from staff.services.cases import OnboardingError
from staff.services.discovery import staff_records_from_campus
from staff.services.invitations import (
    invitation_redeem,
    invitation_send,
    invitations_remind_and_expire,
)
from staff.services.passkeys import NewPasskey, passkey_enroll
from staff.services.proofing import (
    desk_code_issue,
    record_check_submit,
    supervised_check_record,
)
from staff.services.second_factor import proofing_code_check
from staff.transitions import State
from tests.staff.conftest import HOME_EMAIL, code_sent_to, discovered, person


def discover(connection, capture, p=None):
    with capture(execute=True):
        member = discovered(connection, p or person())
    return OnboardingCase.objects.get(staff_member=member)


def link_in(message: OutboxMessage) -> str:
    return re.search(r"(http://\S+/staff/welcome/\S+/)", message.body_text).group(1)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def fake_passkey(n=1):
    return NewPasskey(
        credential_id=f"cred-{n}",
        public_key=b"pk",
        sign_count=0,
        aaguid="00000000-0000",
        is_backed_up=False,
        transports=["internal"],
    )


def proven_case(connection, capture):
    """A case whose applicant opened the link, confirmed the record and entered the code
    sent to their personal e-mail."""
    case = discover(connection, capture, person(personal_email=HOME_EMAIL))
    invitation_redeem(token=token_of(link_in(OutboxMessage.objects.latest("id"))))
    with capture(execute=True):
        assert record_check_submit(case=case, birth_date="1985-04-12", staff_number="s00001")
    assert proofing_code_check(case=case, code=code_sent_to(HOME_EMAIL))
    return OnboardingCase.objects.get(id=case.id)


def test_new_staff_get_one_case_and_one_invitation_email(
    connection, django_capture_on_commit_callbacks
):
    case = discover(connection, django_capture_on_commit_callbacks)
    assert case.state == State.INVITED
    message = OutboxMessage.objects.get()
    assert message.to == ["maria.lopez1@district.example"]
    assert message.body_html and "Set up my sign-in" in message.body_html
    assert "/staff/welcome/" in message.body_text
    assert AuditEntry.objects.filter(action="staff.discovered").count() == 1


def test_a_repoll_never_makes_a_second_case_or_invitation(
    connection, django_capture_on_commit_callbacks
):
    discover(connection, django_capture_on_commit_callbacks)
    for _ in range(3):
        discover(connection, django_capture_on_commit_callbacks, person(last_name="Lopez-Garcia"))
    assert OnboardingCase.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert StaffMember.objects.get().last_name == "Lopez-Garcia"


def test_the_personal_email_is_used_when_there_is_no_work_email(
    connection, django_capture_on_commit_callbacks
):
    discover(
        connection,
        django_capture_on_commit_callbacks,
        person(work_email="", personal_email="m@home.example"),
    )
    assert OutboxMessage.objects.get().to == ["m@home.example"]


def test_staff_without_any_email_wait_with_a_note(connection, django_capture_on_commit_callbacks):
    case = discover(connection, django_capture_on_commit_callbacks, person(work_email=""))
    assert case.state == State.DISCOVERED
    assert "no work or personal email" in case.events.last().reason
    assert OutboxMessage.objects.count() == 0


def test_persons_who_are_not_staff_get_no_case(connection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_records_from_campus(connection=connection, persons=[person(is_staff=False)])
    assert OnboardingCase.objects.count() == 0


def test_the_invitation_link_works_once(connection, django_capture_on_commit_callbacks):
    discover(connection, django_capture_on_commit_callbacks)
    token = token_of(link_in(OutboxMessage.objects.get()))
    case = invitation_redeem(token=token)
    assert case.state == State.PROOFING
    with pytest.raises(OnboardingError, match="already been used"):
        invitation_redeem(token=token)


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + "xx", lambda t: "garbage", lambda t: t + "a"]
)
def test_a_tampered_link_is_refused(connection, django_capture_on_commit_callbacks, mangle):
    discover(connection, django_capture_on_commit_callbacks)
    token = token_of(link_in(OutboxMessage.objects.get()))
    with pytest.raises(OnboardingError, match="not valid"):
        invitation_redeem(token=mangle(token))
    assert OnboardingCase.objects.get().state == State.INVITED


def test_an_expired_link_is_refused(connection, django_capture_on_commit_callbacks):
    discover(connection, django_capture_on_commit_callbacks)
    token = token_of(link_in(OutboxMessage.objects.get()))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(OnboardingError, match="expired"):
        invitation_redeem(token=token)


def test_a_resend_makes_earlier_links_stop_working(
    connection, django_capture_on_commit_callbacks, hr_operator
):
    case = discover(connection, django_capture_on_commit_callbacks)
    old = token_of(link_in(OutboxMessage.objects.get()))
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(case=case, actor=hr_operator, reason="resend")
    with pytest.raises(OnboardingError, match="newer invitation"):
        invitation_redeem(token=old)
    new = token_of(link_in(OutboxMessage.objects.latest("id")))
    assert invitation_redeem(token=new).state == State.PROOFING


def test_reinvitations_are_limited(connection, django_capture_on_commit_callbacks, settings):
    settings.STAFF_INVITATION_MAX_SENDS = 2
    case = discover(connection, django_capture_on_commit_callbacks)
    invitation_send(case=case, actor="t")
    with pytest.raises(OnboardingError, match="invited 2 times"):
        invitation_send(case=case, actor="t")


def test_wrong_record_details_lock_the_case_after_the_limit(
    connection, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS = 3
    case = discover(connection, django_capture_on_commit_callbacks)
    invitation_redeem(token=token_of(link_in(OutboxMessage.objects.get())))
    assert not record_check_submit(case=case, birth_date="1985-04-13", staff_number="S00001")
    assert not record_check_submit(case=case, birth_date="1985-04-12", staff_number="S99999")
    assert not record_check_submit(case=case, birth_date="", staff_number="")
    assert OnboardingCase.objects.get(id=case.id).state == State.LOCKED
    with pytest.raises(OnboardingError):
        record_check_submit(case=case, birth_date="1985-04-12", staff_number="S00001")


def test_a_passkey_needs_the_record_check_first(connection, django_capture_on_commit_callbacks):
    case = discover(connection, django_capture_on_commit_callbacks)
    invitation_redeem(token=token_of(link_in(OutboxMessage.objects.get())))
    with pytest.raises(OnboardingError, match="Confirm your record"):
        passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    assert Passkey.objects.count() == 0


def test_enrolling_a_passkey_verifies_the_case(connection, django_capture_on_commit_callbacks):
    case = proven_case(connection, django_capture_on_commit_callbacks)
    passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    case.refresh_from_db()
    assert case.state == State.VERIFIED
    assert [e.event for e in case.events.all()] == [
        "discover",
        "invite",
        "open_link",
        "record_check",
        "second_factor",
        "code_check",
        "enroll",
        "complete",
    ]


def test_supervised_proofing_waits_for_hr_approval(
    connection, django_capture_on_commit_callbacks, settings, hr_operator
):
    settings.STAFF_REQUIRE_SUPERVISED_PROOFING = True
    case = proven_case(connection, django_capture_on_commit_callbacks)
    passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    case.refresh_from_db()
    assert case.state == State.ENROLLED
    code = desk_code_issue(case=case)  # what the person's own setup page shows
    with pytest.raises(OnboardingError, match="does not match"):
        supervised_check_record(case=case, actor=hr_operator, approved=True, document="passport")
    supervised_check_record(
        case=case, actor=hr_operator, approved=True, document="passport", desk_code=code
    )
    case.refresh_from_db()
    assert case.state == State.VERIFIED
    assert case.supervised_checked_by == hr_operator


def test_a_rejected_document_check_disables_the_passkey(
    connection, django_capture_on_commit_callbacks, settings, hr_operator
):
    settings.STAFF_REQUIRE_SUPERVISED_PROOFING = True
    case = proven_case(connection, django_capture_on_commit_callbacks)
    passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    supervised_check_record(case=case, actor=hr_operator, approved=False, document="state_id")
    case.refresh_from_db()
    assert case.state == State.REJECTED
    assert not Passkey.objects.get().is_active


def test_leaving_campus_revokes_access_and_ends_sessions(
    connection, django_capture_on_commit_callbacks
):
    case = proven_case(connection, django_capture_on_commit_callbacks)
    passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    staff_records_from_campus(connection=connection, persons=[person(is_active=False)])
    case.refresh_from_db()
    assert case.state == State.REVOKED
    assert not Passkey.objects.get().is_active
    assert case.staff_member.sessions_revoked_at is not None
    assert AuditEntry.objects.filter(action="staff.case.revoke").exists()


def test_reproofing_disables_old_passkeys_and_sends_a_new_invitation(
    connection, django_capture_on_commit_callbacks, district_admin
):
    case = proven_case(connection, django_capture_on_commit_callbacks)
    passkey_enroll(case=case, new=fake_passkey(), name="Phone")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(case=case, actor=district_admin, reason="lost phone", reproof=True)
    case.refresh_from_db()
    assert case.state == State.INVITED
    assert case.record_checked_at is None
    assert not Passkey.objects.get().is_active
    assert case.second_factor == "" and case.code_checked_at is None  # proofing starts over
    assert OutboxMessage.objects.filter(subject="Set up your district sign-in").count() == 2


def test_unanswered_invitations_get_one_reminder_then_expire(
    connection, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_INVITATION_REMINDER_HOURS = 24
    case = discover(connection, django_capture_on_commit_callbacks)
    first = Invitation.objects.get()
    Invitation.objects.filter(id=first.id).update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_and_expire() == {"reminded": 1, "expired": 0}
        assert invitations_remind_and_expire() == {"reminded": 0, "expired": 0}
    reminder = OutboxMessage.objects.latest("id")
    assert reminder.subject.startswith("Reminder")
    later = timezone.now() + timedelta(hours=73)
    assert invitations_remind_and_expire(now=later)["expired"] == 1
    assert OnboardingCase.objects.get(id=case.id).state == State.EXPIRED


def test_staff_invite_command_prints_a_working_link(connection, django_capture_on_commit_callbacks):
    discover(connection, django_capture_on_commit_callbacks)
    out = StringIO()
    call_command("staff_invite", "--staff-number", "s00001", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]
    assert invitation_redeem(token=token_of(link)).state == State.PROOFING


def test_staff_invite_command_explains_an_unknown_staff_number(db):
    with pytest.raises(CommandError, match="No onboarding case"):
        call_command("staff_invite", "--staff-number", "NOPE")


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


def test_a_mail_server_that_fails_leaves_a_note_to_resend_not_a_crash(
    connection, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.staff.test_onboarding.RefusingMailServer"
    case = discover(connection, django_capture_on_commit_callbacks)
    assert case.state == State.INVITED
    assert case.events.filter(reason__contains="could not be sent").exists()


def test_a_passkey_registered_before_cannot_be_enrolled_again(
    connection, django_capture_on_commit_callbacks
):
    first = proven_case(connection, django_capture_on_commit_callbacks)
    passkey_enroll(case=first, new=fake_passkey(1), name="Phone")
    second = discover(connection, django_capture_on_commit_callbacks, person(2))
    invitation_redeem(token=token_of(link_in(OutboxMessage.objects.latest("id"))))
    assert record_check_submit(case=second, birth_date="1985-04-12", staff_number="s00002")
    with pytest.raises(OnboardingError, match="already registered"):
        passkey_enroll(
            case=OnboardingCase.objects.get(id=second.id), new=fake_passkey(1), name="Same"
        )


def test_a_record_without_the_facts_to_check_is_sent_to_hr_not_locked(
    connection, django_capture_on_commit_callbacks
):
    case = discover(connection, django_capture_on_commit_callbacks, person(3, staff_number=""))
    invitation_redeem(token=token_of(link_in(OutboxMessage.objects.latest("id"))))
    for _ in range(6):
        with pytest.raises(OnboardingError, match="Ask HR"):
            record_check_submit(case=case, birth_date="1985-04-12", staff_number="x")
    case.refresh_from_db()
    assert case.state == State.PROOFING and case.record_check_attempts == 0
