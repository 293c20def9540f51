"""Setting up the embedded demo: what `make demo` does before it starts the processes.

Each step is idempotent, so running the demo twice works.
"""

import json
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from idbridge.audit.services import audit_record
from idbridge.core.roles import DISTRICT_ADMIN

DEMO_USERNAME = "admin"


def demo_admin_ensure() -> tuple[str, str]:
    """The demo administrator's (username, password), created on the first run.

    The password is kept in ``var/demo_login.json`` (git-ignored, mode 0600) so that every
    run prints the same login; delete the file to get a new password.
    """
    path = settings.VAR_DIR / "demo_login.json"
    User = get_user_model()
    stored = None
    if path.exists():
        stored = json.loads(path.read_text())
    with transaction.atomic():
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if stored is None or user is None or not user.check_password(stored["password"]):
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User(username=DEMO_USERNAME, email="admin@district.example")
            user.set_password(password)
            user.is_staff = True
            user.is_superuser = True
            user.save()
            stored = {"username": DEMO_USERNAME, "password": password}
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(stored, f)
            audit_record(
                actor="manage.py demo",
                action="user.demo_admin_set",
                target=user,
                details={"username": DEMO_USERNAME},
            )
        user.groups.add(Group.objects.get(name=DISTRICT_ADMIN))
    return stored["username"], stored["password"]


def demo_setup(stdout) -> tuple[str, str]:
    call_command("migrate", interactive=False, verbosity=0)
    stdout.write("Database migrated.")
    for step in DEMO_STEPS:
        step(stdout)
    return demo_admin_ensure()


def _campus_sandbox(stdout) -> None:
    # First: the sandbox is the demo's Campus (a small district and the demo API client),
    # so that later steps can point idbridge's Campus connections at it.
    from sandbox.demo import sandbox_demo_setup

    sandbox_demo_setup(stdout)


def _campus_connections(stdout) -> None:
    from staff.demo import staff_demo_setup

    staff_demo_setup(stdout)


# Each app that needs demo data adds a callable(stdout) here (seeding the Campus sandbox,
# configuring the Campus connections, ...). Kept in order.
DEMO_STEPS: list = [_campus_sandbox, _campus_connections]


def campus_sandbox_sp_register(*, actor: str = "manage.py demo") -> str:
    """Register the Campus sandbox's portal (a SAML SP, ``sandbox/sp``) in the step-up IdP.

    Idempotent: the first run registers the SP's metadata (signed requests required, every
    attribute released); later runs replace it when it changed, e.g. when
    ``PUBLIC_BASE_URL`` moved its ACS and logout URLs. Returns what happened:
    ``registered``, ``updated`` or ``unchanged``. This is idbridge's own setup code; the
    portal itself never imports ``stepup``.
    """
    from sandbox.sp.metadata import sp_metadata_xml
    from stepup import services
    from stepup.models import ServiceProvider
    from stepup.saml.metadata import check_loads_in_pysaml2, parse_sp_metadata

    parsed = parse_sp_metadata(sp_metadata_xml())
    check_loads_in_pysaml2(parsed.xml)
    sp = ServiceProvider.objects.filter(entity_id=parsed.entity_id).first()
    if sp is None:
        services.service_provider_register(
            metadata=parsed,
            actor=actor,
            name="Campus sandbox portal",
            require_signed_requests=True,
            released_attributes=list(ServiceProvider.DEFAULT_ATTRIBUTES),
        )
        return "registered"
    if sp.metadata_xml != parsed.xml:
        services.service_provider_replace_metadata(sp=sp, metadata=parsed, actor=actor)
        return "updated"
    return "unchanged"


def _campus_sandbox_sp(stdout) -> None:
    # The sandbox's Campus portal signs people in through the step-up IdP.
    outcome = campus_sandbox_sp_register()
    stdout.write(
        f"Campus portal SAML SP {outcome} in the step-up IdP "
        f"({settings.PUBLIC_BASE_URL}/sandbox/campus/portal/)."
    )


DEMO_STEPS.append(_campus_sandbox_sp)
