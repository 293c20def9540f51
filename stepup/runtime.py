"""The IdP as each process sees it: the pysaml2 server, SPs and policies, cached.

:func:`runtime` reads two columns of one row (``IdpState.config_version``, by primary
key, without the model or its encrypted secret) per SAML request and rebuilds the cached
:class:`Runtime` when the version moved (an SP, key or policy was changed by any process)
or when the settings its URLs come from changed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse

from stepup import policy as policy_rules
from stepup.models import ServiceProvider, SigningKey, StepUpPolicy
from stepup.saml.idp import Idp, IdpSpec, build_server
from stepup.saml.metadata import Endpoint, MetadataError, check_loads_in_pysaml2
from stepup.saml.requests.values import RegisteredSp

log = logging.getLogger("idbridge.stepup")


def base_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def idp_entity_id() -> str:
    """``STEPUP_IDP_ENTITY_ID``, or the metadata URL: ``<PUBLIC_BASE_URL>/idp/metadata``."""
    return settings.STEPUP_IDP_ENTITY_ID or base_url() + reverse("idp:metadata")


def endpoint_url(name: str) -> str:
    """The public URL of an IdP endpoint (``sso_redirect``, ``sso_post``, ...)."""
    return base_url() + reverse(f"idp:{name}")


def idp_host() -> str:
    return urlparse(idp_entity_id()).hostname or "idbridge"


@dataclass(frozen=True)
class SpConfig:
    """A registered SP as the SSO flow needs it (a snapshot; no database access)."""

    pk: int
    entity_id: str
    name: str
    enabled: bool
    acs: tuple[Endpoint, ...]
    slo: tuple[Endpoint, ...]
    signing_certs: tuple[str, ...]
    encryption_certs: tuple[str, ...]
    signatures_required: bool
    encrypt_assertions: bool
    name_id_format: str
    released_attributes: tuple[str, ...]

    @property
    def registered(self) -> RegisteredSp:
        return RegisteredSp(
            entity_id=self.entity_id,
            acs=self.acs,
            signing_certs=self.signing_certs,
            signatures_required=self.signatures_required,
            enabled=self.enabled,
        )

    @property
    def title(self) -> str:
        return self.name or self.entity_id


@dataclass
class Runtime:
    version: tuple
    url_settings: tuple
    idp: Idp
    nameid_secret: bytes = field(repr=False)
    sps: dict[str, SpConfig]
    policies: tuple[policy_rules.Policy, ...]


_lock = threading.Lock()
_cached: Runtime | None = None


def _urls() -> tuple:
    return (
        idp_entity_id(),
        endpoint_url("sso_redirect"),
        endpoint_url("sso_post"),
        endpoint_url("slo_redirect"),
        endpoint_url("slo_post"),
        settings.STEPUP_ASSERTION_LIFETIME_MINUTES,
    )


def _url_settings() -> tuple:
    """What the URLs of :func:`_urls` are made of (cheap to read on every request)."""
    return (
        settings.PUBLIC_BASE_URL,
        settings.STEPUP_IDP_ENTITY_ID,
        settings.STEPUP_ASSERTION_LIFETIME_MINUTES,
    )


def _is_current(cached: Runtime | None, version: tuple | None, url_settings: tuple) -> bool:
    return cached is not None and cached.version == version and cached.url_settings == url_settings


def runtime() -> Runtime:
    """The current runtime; built on first use and after any configuration change."""
    global _cached
    from stepup.services.signing_keys import signing_key_ensure
    from stepup.services.state import config_version_get, idp_state_ensure

    version = config_version_get()
    url_settings = _url_settings()
    if _is_current(_cached, version, url_settings):
        return _cached
    with _lock:
        if _is_current(_cached, version, url_settings):
            return _cached
        signing_key_ensure()  # first use: generate the key (bumps the version)
        state = idp_state_ensure()
        _cached = _build(
            config_version_get(),
            url_settings,
            state.nameid_secret.reveal(),
        )
        return _cached


def _build(version: tuple, url_settings: tuple, nameid_secret: str) -> Runtime:
    urls = _urls()
    sps, usable_metadata = _service_providers()
    policies = tuple(
        p.to_policy()
        for p in StepUpPolicy.objects.filter(enabled=True).select_related("service_provider")
    )
    return Runtime(
        version=version,
        url_settings=url_settings,
        idp=build_server(_idp_spec(urls, usable_metadata)),
        nameid_secret=nameid_secret.encode(),
        sps=sps,
        policies=policies,
    )


def _service_providers() -> tuple[dict[str, SpConfig], list[str]]:
    """Every registered SP by entity ID, and the metadata of those pysaml2 may use."""
    sps, usable_metadata = {}, []
    for sp in ServiceProvider.objects.all():
        usable = sp.enabled and _loads(sp)
        if usable:
            usable_metadata.append(sp.metadata_xml)
        sps[sp.entity_id] = _sp_config(sp, enabled=usable)
    return sps, usable_metadata


def _sp_config(sp: ServiceProvider, *, enabled: bool) -> SpConfig:
    return SpConfig(
        pk=sp.pk,
        entity_id=sp.entity_id,
        name=sp.name,
        enabled=enabled,
        acs=tuple(sp.acs()),
        slo=tuple(sp.slo()),
        signing_certs=tuple(sp.signing_certificates),
        encryption_certs=tuple(sp.encryption_certificates),
        signatures_required=sp.signatures_required,
        encrypt_assertions=sp.encrypt_assertions,
        name_id_format=sp.name_id_format,
        released_attributes=tuple(sp.released_attributes),
    )


def _idp_spec(urls: tuple, sp_metadata: list[str]) -> IdpSpec:
    """The IdP's entity, endpoints and keys (the current one signs, the next is published)."""
    entity_id, sso_redirect, sso_post, slo_redirect, slo_post, lifetime = urls
    current = SigningKey.objects.get(status=SigningKey.CURRENT)
    nxt = SigningKey.objects.filter(status=SigningKey.NEXT).first()
    return IdpSpec(
        entity_id=entity_id,
        sso_redirect_url=sso_redirect,
        sso_post_url=sso_post,
        slo_redirect_url=slo_redirect,
        slo_post_url=slo_post,
        signing_key_pem=current.private_key.reveal(),
        signing_cert_pem=current.certificate,
        next_cert_pem=nxt.certificate if nxt else None,
        sp_metadata=tuple(sp_metadata),
        class_refs=policy_rules.SUPPORTED_CLASS_REFS,
        organization="idbridge",
        organization_url=base_url(),
        assertion_lifetime_minutes=lifetime,
    )


def _loads(sp: ServiceProvider) -> bool:
    """Can pysaml2 load this SP's metadata (e.g. its validUntil has not passed)? An SP
    that cannot is treated as disabled, rather than taking the whole IdP down."""
    try:
        check_loads_in_pysaml2(sp.metadata_xml)
    except MetadataError as exc:
        log.error("service provider unusable", extra={"sp": sp.entity_id, "problem": str(exc)})
        return False
    return True


def forget_cached_runtime() -> None:
    """Tests: drop the cache (the version check makes this unnecessary in production)."""
    global _cached
    with _lock:
        _cached = None
