"""What the validators take and give: plain values, and the refusal they raise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from stepup.policy import RequestedContext
from stepup.saml.metadata import Endpoint

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DSIG = "http://www.w3.org/2000/09/xmldsig#"


class RequestRefused(Exception):
    """The request is refused. ``code`` is stable (audit, tests); ``message`` is for people."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        sp_entity_id: str = "",
        request_id: str = "",
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sp_entity_id = sp_entity_id
        self.request_id = request_id


@contextmanager
def refusals_attributed_to(sp_entity_id: str, request_id: str) -> Iterator[None]:
    """A refusal raised inside names this SP and request (for the audit entry)."""
    try:
        yield
    except RequestRefused as exc:
        exc.sp_entity_id, exc.request_id = sp_entity_id, request_id
        raise


@dataclass(frozen=True)
class SamlHttpInput:
    """What arrived over HTTP, before anything is decoded.

    ``raw_query`` is the query string exactly as received: the HTTP-Redirect signature
    covers those octets, not a re-encoding of them. Built by
    :mod:`stepup.saml.requests.parameters`, which reads each SAML parameter once.
    """

    binding: str  # BINDING_HTTP_REDIRECT or BINDING_HTTP_POST
    endpoint_url: str
    saml_request: str = ""
    relay_state: str = ""
    sig_alg: str = ""
    signature: str = ""
    raw_query: str = ""


@dataclass(frozen=True)
class RegisteredSp:
    """The registry's view of an SP, as the validator needs it."""

    entity_id: str
    acs: tuple[Endpoint, ...]
    signing_certs: tuple[str, ...]
    signatures_required: bool
    enabled: bool = True


@dataclass(frozen=True)
class AuthnRequestInfo:
    """A validated AuthnRequest: plain values, safe to keep in a session."""

    request_id: str
    sp_entity_id: str
    issue_instant: datetime
    acs_url: str
    relay_state: str
    force_authn: bool
    is_passive: bool
    requested: RequestedContext | None
    name_id_format: str | None
    signed: bool
    binding: str
    xml: str = field(repr=False, default="")


@dataclass(frozen=True)
class LogoutRequestInfo:
    request_id: str
    sp_entity_id: str
    name_id: str
    session_indexes: tuple[str, ...]
    relay_state: str
    binding: str
    xml: str = field(repr=False, default="")
