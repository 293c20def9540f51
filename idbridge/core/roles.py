"""Dashboard roles as Django groups, kept in step with the code after every migrate."""

from django.contrib.auth.models import Group, Permission

DISTRICT_ADMIN = "District admin"
HR_OPERATOR = "HR operator"
AUDITOR = "Auditor"
ROLES = (DISTRICT_ADMIN, HR_OPERATOR, AUDITOR)

# The outbox (mail kept instead of sent: the evaluation mode) holds everyone's invitation
# links and proofing codes: district admins only. Anyone who reads it can onboard as anyone.
ROLE_PERMISSIONS = {
    DISTRICT_ADMIN: {
        "view_onboarding",
        "manage_onboarding",
        "view_stepup",
        "manage_stepup",
        "view_boi",
        "manage_boi",
        "view_audit",
        "view_sandbox",
        "manage_sandbox",
        "view_outbox",
        "manage_connections",
        "manage_roles",
    },
    HR_OPERATOR: {
        "view_onboarding",
        "manage_onboarding",
        "view_boi",
        "manage_boi",
    },
    AUDITOR: {
        "view_onboarding",
        "view_stepup",
        "view_boi",
        "view_audit",
        "view_sandbox",
    },
}


def sync_roles(**kwargs):
    """Create the role groups and give each exactly its permissions (idempotent)."""
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="core")}
    if not perms:  # first migrate of core not finished yet
        return
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([perms[c] for c in sorted(codenames)])
