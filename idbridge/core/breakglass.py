"""The break-glass account: the dashboard's one password sign-in, kept for recovery.

Everyone else signs in with their passkey (``stepup:dashboard_sign_in``; ADR 0014). The
break-glass account is a local user made by ``manage.py break_glass_create`` with a long
random password and a TOTP secret; it signs in only through its own page, with both.
Every attempt is audited and rate-limited, and every sign-in mails every district admin.
:class:`DashboardBackend` is the site's only authentication backend: Django's admin login
form (which sends no TOTP code) signs nobody in.
"""

from __future__ import annotations

import secrets
import time

import pyotp
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Value

from idbridge import ratelimit
from idbridge.audit.services import audit_record
from idbridge.core.mail import mail_send
from idbridge.core.models import BreakGlassAccount
from idbridge.core.roles import DISTRICT_ADMIN
from idbridge.db import CompiledRead

BACKEND = "idbridge.core.breakglass.DashboardBackend"
PASSWORD_BYTES = 32  # 43 URL-safe characters
ATTEMPTS_PER_HOUR = 10


def _user_fields() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


# The signed-in user and their permissions are read on every dashboard request: with
# queries compiled once per process (they are read anew each time, so a role taken away
# counts from the next request).
_user_read = CompiledRead(
    lambda pk: get_user_model().objects.filter(pk=Value(pk)).values_list(*_user_fields())[:1],
    "pk",
)
_permissions_read = CompiledRead(
    lambda own, via_group: (
        Permission.objects.filter(user__pk=Value(own))
        .values_list("content_type__app_label", "codename")
        .order_by()
        .union(
            Permission.objects.filter(group__user__pk=Value(via_group))
            .values_list("content_type__app_label", "codename")
            .order_by()
        )
    ),
    "own",
    "via_group",
)


class DashboardBackend(ModelBackend):
    """Password sign-in for break-glass accounts only, and only with a valid TOTP code.
    Passkey sign-in logs the linked user in with this backend (it restores sessions)."""

    def get_user(self, user_id):
        """Django's own (the user, if still active), read with one compiled query."""
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        row = _user_read.first(pk=pk)
        if row is None:
            return None
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, _user_fields(), row)
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """Django's own (own and groups' permissions; every one for a superuser), the own
        and the groups' read with one compiled query rather than two compiled each time."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                return super().get_all_permissions(user_obj, obj)
            rows = _permissions_read.all(own=user_obj.pk, via_group=user_obj.pk)
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache

    def authenticate(self, request, username=None, password=None, totp=None, **kwargs):
        if not (username and password and totp):
            return None
        user = super().authenticate(request, username=username, password=password)
        if user is None:
            return None
        account = BreakGlassAccount.objects.filter(user=user).first()
        if account is None or not totp_accept(account, totp):
            return None
        return user


def totp_accept(account: BreakGlassAccount, code: str) -> bool:
    """Accept ``code`` for the current or previous 30-second step, once."""
    totp = pyotp.TOTP(account.totp_secret.reveal())
    now = time.time()
    for step_time in (now, now - totp.interval):
        step = int(step_time // totp.interval)
        if step > account.last_step and secrets.compare_digest(totp.at(step_time), code.strip()):
            with transaction.atomic():
                claimed = BreakGlassAccount.objects.filter(
                    pk=account.pk, last_step__lt=step
                ).update(last_step=step)
            return bool(claimed)
    return False


def attempt_allowed(request, username: str) -> bool:
    """Ten tries an hour per address and per account name."""
    address = ratelimit.client_address(request)
    by_address = ratelimit.hit(
        "break-glass-address", address, limit=ATTEMPTS_PER_HOUR, window_seconds=3600
    )
    by_name = ratelimit.hit(
        "break-glass-name", username.lower(), limit=ATTEMPTS_PER_HOUR, window_seconds=3600
    )
    return by_address and by_name


@transaction.atomic
def break_glass_create(username: str) -> tuple[str, str]:
    """Create (or re-key) the break-glass account; returns (password, TOTP secret)."""
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    secret = pyotp.random_base32()
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.save()
    user.groups.add(Group.objects.get(name=DISTRICT_ADMIN))
    BreakGlassAccount.objects.update_or_create(
        user=user, defaults={"totp_secret": secret, "last_step": 0}
    )
    audit_record(actor="manage.py", action="dashboard.break_glass_created", target=user)
    return password, secret


def provisioning_uri(username: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="idbridge break-glass")


def break_glass_used(request, user) -> int:
    """Audit a break-glass sign-in and alert every district admin; returns mails sent."""
    address = ratelimit.client_address(request)
    audit_record(
        actor=user,
        action="dashboard.break_glass_signed_in",
        target=user,
        details={"address": address},
    )
    body = (
        f"The break-glass account {user.username} signed in to the idbridge dashboard "
        f"from {address}.\n\nIf this was not planned recovery work, act now: re-key it "
        "with manage.py break_glass_create and review the audit log."
    )
    sent = 0
    for email in district_admin_emails():
        message = EmailMessage("Break-glass sign-in to idbridge", body, to=[email])
        sent += mail_send(message, what="break-glass alert")
    return sent


def district_admin_emails() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(groups__name=DISTRICT_ADMIN, is_active=True)
        .exclude(email="")
    )
    return sorted({u.email for u in users})


def break_glass_refused_record(request, username: str, reason: str) -> None:
    audit_record(
        actor="anonymous",
        action="dashboard.break_glass_refused",
        target=f"user:{username[:150]}",
        details={"reason": reason, "address": ratelimit.client_address(request)},
    )


def break_glass_act_confirm(request, user, *, action: str, act: str, code: str) -> bool:
    """A fresh code from the break-glass authenticator app for one administrative act
    (``idbridge.core.gates``): accepted once, and audited either way. ``act`` is the act
    in words. True: the code stands for this act alone, for BREAK_GLASS_ACT_MAX_AGE_SECONDS."""
    account = BreakGlassAccount.objects.filter(user=user).first()
    accepted = account is not None and totp_accept(account, code)
    audit_record(
        actor=user,
        action="dashboard.break_glass_act_confirmed"
        if accepted
        else "dashboard.break_glass_act_refused",
        target=user,
        details={"act": act, "address": ratelimit.client_address(request)},
    )
    return accepted
