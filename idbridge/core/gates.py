"""The one gate of administrative acts, as every app sees it (ADR 0015).

An administrative act (registering or removing a service provider, changing a step-up
policy, rolling over or promoting a signing key, giving a Campus connection its
credentials, granting roles) needs a fresh check of the person doing it:

- **Everyone but break-glass**: a user-verified passkey check, answered by the step-up
  policy engine. ``idbridge`` sits below ``stepup`` and cannot import it: ``stepup``
  installs its answer here when Django sets it up (:func:`passkey_gate_install`).
- **The break-glass account** has no passkey by design: a fresh code from its
  authenticator app, typed on ``core:break_glass_confirm``, stands for exactly one act
  of that kind within ``BREAK_GLASS_ACT_MAX_AGE_SECONDS``; each code is audited.

A view guarding a POST calls :func:`act_gate`: ``None`` means go ahead; otherwise the
submitted form waits in the session and the answer sends the person to their check,
which returns to the page where :func:`waiting_form` gives the form back, filled in, to
confirm with one press::

    refused = act_gate(request, "sp-change", back=reverse("stepup:sp_add"))
    if refused:
        return refused
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse

from idbridge.core.models import BreakGlassAccount
from idbridge.crypto import decrypt, encrypt

WAITING_KEY = "gate.waiting"  # {path: {"action", "form": {name: [values]}, "secrets"}}
SECRETS_KEY = "gate.secrets"  # {path: {name: encrypted value}}, until the act is done
BREAK_GLASS_KEY = "gate.break_glass"  # {"action": …, "at": epoch seconds}
# Never kept while a check is made (the person's own sign-in fields, the form's token).
NEVER_KEPT = ("csrfmiddlewaretoken", "password", "totp")


@dataclass(frozen=True)
class GateAnswer:
    allowed: bool
    reason: str  # a sentence the person reads


class PasskeyGate(Protocol):
    def label(self, action: str) -> str:
        """The act, as a sentence starts: "Registering or removing a service provider";
        "" for an act it does not know."""

    def check(self, request, action: str) -> GateAnswer:
        """Is the signed-in person's own passkey check fresh enough for ``action``?"""

    def check_url(self, request, action: str, next_url: str) -> str:
        """The passkey check that comes back to ``next_url``."""


_passkey_gate: PasskeyGate | None = None


def passkey_gate_install(gate: PasskeyGate) -> None:
    global _passkey_gate
    _passkey_gate = gate


def act_label(action: str) -> str:
    """The act in words ("" for an act nobody declared)."""
    return _passkey_gate.label(action) if _passkey_gate else ""


def is_break_glass(user) -> bool:
    return bool(user.is_authenticated) and BreakGlassAccount.objects.filter(user=user).exists()


def act_check(request, action: str) -> GateAnswer:
    """May the signed-in person do ``action`` now? (Nothing is spent or written.)"""
    if is_break_glass(request.user):
        return _break_glass_answer(request, action)
    if _passkey_gate is None:  # fail closed: no passkey check means no act
        return GateAnswer(False, "The passkey check is not available on this server.")
    return _passkey_gate.check(request, action)


def _break_glass_answer(request, action: str) -> GateAnswer:
    confirmed = request.session.get(BREAK_GLASS_KEY) or {}
    age = time.time() - confirmed.get("at", 0)
    if confirmed.get("action") == action and age <= settings.BREAK_GLASS_ACT_MAX_AGE_SECONDS:
        return GateAnswer(True, "A fresh break-glass code confirmed this act.")
    return GateAnswer(
        False,
        f"{act_label(action) or 'This act'} from the break-glass account needs a fresh code"
        " from its authenticator app, for this act alone.",
    )


def break_glass_act_allow(request, action: str) -> None:
    """A break-glass code was accepted for ``action``: it stands for one such act."""
    request.session[BREAK_GLASS_KEY] = {"action": action, "at": time.time()}


def act_gate(
    request, action: str, *, back: str, data: QueryDict | None = None, secrets: tuple = ()
) -> HttpResponseRedirect | None:
    """``None``: the check is fresh, go ahead (a break-glass code is spent on this act).
    Otherwise the submitted form waits in the session and the person is sent to their
    check, which comes back to ``back`` (a page of this site). ``data``: what to keep when
    it is not the POST as sent (an uploaded file's text in its place). ``secrets``: fields
    kept encrypted (never shown again), filled back into the confirming POST by
    :func:`with_kept_secrets`."""
    answer = act_check(request, action)
    if answer.allowed:
        request.session.pop(BREAK_GLASS_KEY, None)
        _forget_secrets(request)
        return None
    waiting = request.session.get(WAITING_KEY) or {}
    data = request.POST if data is None else data
    form = {n: data.getlist(n) for n in data if n not in NEVER_KEPT + secrets}
    kept = {n: encrypt(data[n]) for n in secrets if data.get(n)}
    waiting[urlsplit(back).path] = {"action": action, "form": form, "secrets": kept}
    request.session[WAITING_KEY] = waiting
    messages.info(request, answer.reason)
    if is_break_glass(request.user):
        query = urlencode({"act": action, "next": back})
        return HttpResponseRedirect(reverse("core:break_glass_confirm") + "?" + query)
    if _passkey_gate is None:
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(_passkey_gate.check_url(request, action, back))


def _forget_secrets(request) -> None:
    kept = request.session.get(SECRETS_KEY) or {}
    if kept.pop(request.path, None) is not None:
        request.session[SECRETS_KEY] = kept


def with_kept_secrets(request, data: QueryDict) -> QueryDict:
    """``data`` with each blank secret field filled from the one typed before the check
    (kept encrypted in the session until the act is done)."""
    kept = (request.session.get(SECRETS_KEY) or {}).get(request.path) or {}
    if not kept:
        return data
    data = data.copy()
    for name, stored in kept.items():
        if not data.get(name):
            data[name] = decrypt(stored)
    return data


def waiting_form(request) -> QueryDict | None:
    """The form that waited on this page for the person's check, once it is fresh: given
    back (and forgotten) with a word to confirm it; ``None`` when none waits."""
    waiting = request.session.get(WAITING_KEY) or {}
    kept = waiting.get(request.path)
    if kept is None or not act_check(request, kept["action"]).allowed:
        return None
    del waiting[request.path]
    request.session[WAITING_KEY] = waiting
    if kept.get("secrets"):
        secrets = request.session.get(SECRETS_KEY) or {}
        secrets[request.path] = kept["secrets"]
        request.session[SECRETS_KEY] = secrets
    data = QueryDict(mutable=True)
    for name, values in kept["form"].items():
        data.setlist(name, values)
    words = "Your check is done. Look the form over and press its button again"
    if kept.get("secrets"):
        words += " (the secret you typed is kept until then; it is not shown)"
    messages.info(request, words + ".")
    return data
