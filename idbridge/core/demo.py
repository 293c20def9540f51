"""Setting up the embedded demo: what `make demo` does before it starts the processes.

Each app that needs demo data has a ``demo.py`` that registers its steps with
:func:`demo_step`; the steps are found with ``autodiscover_modules("demo")`` (so
idbridge imports no app) and run in their ``order``::

    @demo_step(order=20, name="campus connections")
    def staff_demo_setup(stdout): ...

The orders in use: 10 the Campus sandbox's district and demo API client (first: later
steps read its client file), 20 staff onboarding's Campus connections, 30 the sandbox
portal's SAML SP in the step-up IdP, 40 the Business Office console's BOI connection.
Each step is idempotent, so running the demo twice works.
"""

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from idbridge.audit.services import audit_record
from idbridge.core.roles import DISTRICT_ADMIN

DEMO_USERNAME = "admin"


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable


_registry: dict[str, DemoStep] = {}


def demo_step(*, order: int, name: str):
    """Register the decorated ``callable(stdout)`` as the demo step ``name``."""

    def register(run: Callable) -> Callable:
        taken = [s.name for s in _registry.values() if s.order == order and s.name != name]
        if taken:
            raise ValueError(f"demo step order {order} is taken by {taken[0]!r}")
        _registry[name] = DemoStep(order=order, name=name, run=run)
        return run

    return register


def demo_steps() -> list[DemoStep]:
    """Every app's demo steps, in order (imports each installed app's ``demo`` module)."""
    autodiscover_modules("demo")
    return sorted(_registry.values(), key=lambda step: step.order)


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
    for step in demo_steps():
        step.run(stdout)
    return demo_admin_ensure()
