"""Staff onboarding's audit entries in words (see ``idbridge.audit.words``)."""

from django.urls import reverse

from idbridge.audit.words import Named, audit_actions, audit_details, audit_targets, model_targets
from staff.campus_names import school_names
from staff.models import StaffMember
from staff.services.existing import Scope

audit_actions(
    {
        "staff.case.invite": "invited {target}",
        "staff.case.open_link": "opened the invitation link of {target}",
        "staff.case.enroll": "enrolled a passkey for {target}",
        "staff.case.complete": "completed the onboarding of {target}",
        "staff.case.expire": "let the invitation of {target} expire",
        "staff.case.lock": "locked the onboarding of {target} after failed record checks",
        "staff.case.reject": "rejected the identity documents of {target}",
        "staff.case.revoke": "revoked the access of {target}",
        "staff.case.reproof": "started the identity proofing of {target} again",
        "staff.case.restart": "sent a new link to {target}",
        "staff.case.unlock": "unlocked the onboarding of {target}",
        "staff.discovered": "discovered new staff through {target}",
        "staff.merged": "merged the staff records of {target}",
        "staff.passkey.registered": "registered the passkey {target}",
        "staff.passkey.renamed": "renamed the passkey {target}",
        "staff.passkey.disabled": "disabled the passkey {target}",
        "staff.invitation.reminded": "reminded {target} of their invitation",
        "staff.invitation.refused": "was refused an invitation link",
        "staff.proofing.waived": "waived the record check and second step of {target}",
        "staff.proofing.record_check_passed": "passed the record check",
        "staff.proofing.record_check_failed": "failed the record check",
        "staff.proofing.code_sent": "sent a proofing code to {target}",
        "staff.proofing.code_passed": "entered the right proofing code",
        "staff.proofing.code_failed": "entered a wrong proofing code",
        "staff.proofing.second_factor_decided": "decided the second proofing step for {target}",
        "staff.proofing.supervised_approved": "approved the identity documents of {target}",
        "staff.proofing.supervised_rejected": "rejected the identity documents of {target}",
        "staff.poll.finished": "finished polling {target}",
        "staff.connection.created": "added the Campus connection {target}",
        "staff.connection.tested": "tested the Campus connection {target}",
        "staff.connection.poll_requested": "asked to poll {target}",
        "staff.baseline.recorded": "recorded the staff already at work through {target}",
        "staff.wave.created": "created the invitation wave {target}",
    }
)


def _member_words(member: StaffMember) -> str:
    return f"{member.display_name} (staff {member.staff_number or 'number unknown'})"


def _case_url(case_id) -> str:
    return reverse("staff:case", args=[case_id]) if case_id else ""


def _staff_by_number(keys: list[str]) -> dict[str, Named]:
    """``staff:<staff number>`` (how the IdP names a signed-in person) and ``staff-<id>``."""
    ids = [int(k[6:]) for k in keys if k.startswith("staff-") and k[6:].isdigit()]
    rows = StaffMember.objects.filter(staff_number__in=keys) | StaffMember.objects.filter(
        id__in=ids
    )
    named = {}
    for member in rows.select_related("case"):
        case = getattr(member, "case", None)
        name = Named(_member_words(member), _case_url(case.id if case else None))
        named[member.staff_number] = named[f"staff-{member.id}"] = name
    return named


audit_targets("staff", _staff_by_number)
model_targets(
    "staff.onboardingcase",
    words=lambda case: _member_words(case.staff_member),
    url=lambda case: _case_url(case.id),
    related=("staff_member",),
)
model_targets("staff.staffmember", words=_member_words)
model_targets(
    "staff.campusconnection",
    url=lambda c: reverse("staff:connection", args=[c.pk]),
)
model_targets(
    "staff.passkey",
    words=lambda p: f"“{p.name}” of {_member_words(p.staff_member)}",
    related=("staff_member",),
)
model_targets("staff.invitationwave", url=lambda w: reverse("staff:wave", args=[w.pk]))


def _wave_scopes_named(details: list[dict]) -> list[dict]:
    """A wave's scope with its school by the name Campus gives it (the entry keeps the
    school's key): ``school Northside Elementary``."""
    names = school_names()
    worded = []
    for said in details:
        scope = Scope.from_label(str(said.get("scope", "")))
        worded.append({**said, "scope": scope.label_named(names)} if scope else said)
    return worded


audit_details("staff.wave.created", _wave_scopes_named)
