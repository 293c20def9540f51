"""Registering a passkey: the applicant's first one (onboarding enrollment) and a
verified staff member's next one (their own passkeys page).

Options exclude every credential the person already has and require a discoverable
credential with user verification; a verified registration is handed to
``staff.services.passkeys`` as plain data (``NewPasskey``), which stores it and audits.
"""

from __future__ import annotations

from dataclasses import asdict

from staff.models import OnboardingCase, Passkey, StaffMember
from staff.services.cases import OnboardingError, case_note
from staff.services.passkeys import NewPasskey, passkey_add, passkey_enroll
from stepup import webauthn
from stepup.ceremonies.common import CeremonyRefused, relying_party


def registration_options(member: StaffMember) -> tuple[str, bytes]:
    """(options JSON for the browser, the challenge to keep until verify)."""
    return webauthn.prepare_registration(
        relying_party(),
        user_handle=member.user_handle,
        user_name=member.work_email or member.staff_number or member.display_name,
        display_name=member.display_name,
        exclude_credential_ids=list(
            Passkey.objects.filter(staff_member=member).values_list("credential_id", flat=True)
        ),
    )


def _registration_verify(challenge: bytes, credential_json: str) -> NewPasskey:
    registration = webauthn.verify_registration(relying_party(), challenge, credential_json)
    return NewPasskey(**asdict(registration))


def enrollment_register(
    *, case: OnboardingCase, challenge: bytes, credential_json: str, name: str
) -> Passkey:
    """The applicant's first passkey; a refusal is noted on the case's timeline."""
    try:
        new = _registration_verify(challenge, credential_json)
        return passkey_enroll(case=case, new=new, name=name)
    except (webauthn.PasskeyError, OnboardingError) as exc:
        case_note(case=case, actor=case.staff_member.display_name, note=f"Passkey refused: {exc}")
        raise CeremonyRefused(str(exc)) from None


def own_passkey_register(
    *, member: StaffMember, challenge: bytes, credential_json: str, name: str
) -> Passkey:
    """Another passkey of a verified staff member (they are told by e-mail)."""
    try:
        new = _registration_verify(challenge, credential_json)
        return passkey_add(member=member, new=new, name=name)
    except (webauthn.PasskeyError, OnboardingError) as exc:
        raise CeremonyRefused(str(exc)) from None
