"""The IdP's state row: its NameID secret and the configuration version every process
compares with its cached IdP server (``stepup.runtime``)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from idbridge.db import CompiledRead
from stepup.models import IdpState


def idp_state_ensure() -> IdpState:
    """The IdP's state row, created (with a new NameID secret) on first use."""
    state = IdpState.objects.filter(id=1).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return IdpState.objects.create(id=1, nameid_secret=secrets.token_hex(32))
    except IntegrityError:  # another process created it first
        return IdpState.objects.get(id=1)


_version = CompiledRead(
    lambda: IdpState.objects.filter(id=1).values_list("created_at", "config_version")[:1]
)


def config_version_get() -> tuple | None:
    """``(created_at, config_version)`` of the state row, None before it exists: two
    columns by primary key, without loading the model (whose NameID secret would be
    decrypted on every SAML request), by a query compiled once per process."""
    return _version.first()


def config_changed() -> None:
    """Every process rebuilds its cached IdP server on its next SAML request."""
    idp_state_ensure()
    IdpState.objects.filter(id=1).update(config_version=F("config_version") + 1)
