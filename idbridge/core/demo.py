"""Setting up the embedded demo: what `make demo` does before it starts the processes.

Each app that needs demo data has a ``demo.py`` that registers its steps with
:func:`demo_step`; the steps are found with ``autodiscover_modules("demo")`` (so
idbridge imports no app) and run in their ``order``::

    @demo_step(order=20, name="campus connections")
    def staff_demo_setup(stdout): ...

The orders in use: 10 the Campus sandbox's district, demo administrator and demo API
client (first: later steps read its client file), 20 staff onboarding's Campus
connections, 25 the connection's baseline and the sandbox's new hires, 27 the demo
administrator's dashboard account and enrollment link, 30 the sandbox portal's SAML SP in
the step-up IdP, 40 the Business Office console's BOI connection. Each step is
idempotent, so running the demo twice works.

Two logins are printed at the end: the demo administrator's one-time enrollment link
(written by staff onboarding's step into ``var/demo_admin.json``, read here: idbridge
imports no app) and the break-glass login for a first look.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils.module_loading import autodiscover_modules

from idbridge.core.breakglass import break_glass_create
from idbridge.core.models import BreakGlassAccount

DEMO_USERNAME = "admin"
DEMO_ADMIN_FILE = "demo_admin.json"


@dataclass(frozen=True)
class DemoLogins:
    """What ``make demo`` prints once it runs: the break-glass login (username, password,
    TOTP secret) and the demo administrator (``demo_admin_read``; None when not set up)."""

    break_glass: tuple[str, str, str]
    admin: dict | None


def private_json_write(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` readable by this user only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)


def demo_admin_read() -> dict | None:
    """The demo administrator as their demo step left them: ``name``, ``staff_number``,
    ``roles`` and ``link_path`` (the one-time enrollment link's path; "" once they have a
    passkey, or when no link could be made: then ``problem`` says why)."""
    path = Path(settings.VAR_DIR) / DEMO_ADMIN_FILE
    return json.loads(path.read_text()) if path.exists() else None


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


def demo_admin_ensure() -> tuple[str, str, str]:
    """The demo's break-glass login for a first look: (username, password, TOTP secret).

    Dashboard sign-in is with a passkey (ADR 0014); until someone has one, the demo's
    break-glass account (``/accounts/break-glass/``: password + a code from an
    authenticator app) opens the dashboard. It is kept in ``var/demo_login.json``
    (git-ignored, mode 0600) so every run prints the same login; delete the file to get
    a new one. Like any break-glass use, each sign-in is audited and mailed to every
    district admin.
    """
    path = settings.VAR_DIR / "demo_login.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
    account = BreakGlassAccount.objects.filter(user=user).first() if user else None
    still_good = (
        account is not None
        and "totp_secret" in stored
        and user.check_password(stored.get("password", ""))
        and account.totp_secret.reveal() == stored["totp_secret"]
    )
    if not still_good:
        password, secret = break_glass_create(DEMO_USERNAME)
        stored = {"username": DEMO_USERNAME, "password": password, "totp_secret": secret}
        private_json_write(path, stored)
    return stored["username"], stored["password"], stored["totp_secret"]


def demo_setup(stdout) -> DemoLogins:
    call_command("migrate", interactive=False, verbosity=0)
    stdout.write("Database migrated.")
    for step in demo_steps():
        step.run(stdout)
    return DemoLogins(break_glass=demo_admin_ensure(), admin=demo_admin_read())
