"""Dashboard sign-in with a passkey (ADR 0014): the IdP's usernameless ceremony, then the
Django session of the dashboard account linked to the staff member whose passkey answered.

A verified staff member's passkey proves who they are; a dashboard role (granted by a
district admin, ``staff.services.dashboard_roles``) decides whether that person may use the
dashboard. Both outcomes are audited: sign-ins and refusals by name.
"""

from __future__ import annotations

from idbridge.audit.services import audit_record
from staff.models import StaffMember
from stepup.ceremonies import signin
from stepup.ceremonies.common import CeremonyRefused

NO_ROLE = (
    "Your passkey works, but you have no dashboard role. Ask a district admin to grant you one."
)
USERNAMELESS = signin.CheckRequest(current=None, step_up=False, expected_email="")


def dashboard_sign_in_verify(challenge: bytes, credential_json: str):
    """The ceremony's verdict and the dashboard user to sign in; refusals are audited."""
    signed_in = signin.sign_in_verify(
        check=USERNAMELESS, challenge=challenge, credential_json=credential_json
    )
    member = (
        StaffMember.objects.select_related("dashboard_user")
        .filter(user_handle=signed_in.subject.subject_id)
        .first()
    )
    user = member.dashboard_user if member is not None else None
    if user is None or not user.is_active or not user.groups.exists():
        audit_record(
            actor=signed_in.subject.label,
            action="dashboard.sign_in_refused",
            target=member,
            details={"reason": "no dashboard role"},
        )
        raise CeremonyRefused(NO_ROLE, 403)
    audit_record(actor=user, action="dashboard.signed_in", target=member)
    return signed_in, user
