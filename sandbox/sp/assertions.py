"""What the portal accepts from idbridge: the checks its ACS makes after pysaml2's own.

An assertion must be for the person already signed in to the portal (if any), carry the
class the page asked for (a page's step-up, else a passkey sign-in) and, for a page, a
check fresh enough for it; signatures must be SHA-256 or stronger. A refusal is a
:class:`Refused` with a sentence for the person.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import PermissionDenied
from saml2.saml import NameID

from sandbox.sp.config import STRONG_DIGESTS, STRONG_SIGNATURES
from sandbox.sp.pages import PAGES, REFEDS_MFA, Page, freshness
from sandbox.sp.session import PortalUser, StepUpRecord

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
# What the portal accepts as a sign-in: a user-verified passkey (or a step-up, stronger).
PORTAL_CLASS_REFS = {REFEDS_MFA} | {p.class_ref for p in PAGES.values()}


class Refused(PermissionDenied):
    """The ACS will not accept this assertion; ``message`` is for the person."""

    def __init__(self, title: str, message: str):
        super().__init__(message)
        self.title = title
        self.message = message


def status_of(saml_response: str) -> dict:
    """Status code, message and InResponseTo of a Response (read only after pysaml2
    verified its signature: it raises Status* exceptions only then)."""
    try:
        root = fromstring(base64.b64decode(saml_response), forbid_dtd=True, forbid_entities=True)
    except (DefusedXmlException, ValueError, SyntaxError):
        return {}
    status = root.find(f"{{{SAMLP}}}Status")
    if status is None:
        return {}
    top = status.find(f"{{{SAMLP}}}StatusCode")
    sub = top.find(f"{{{SAMLP}}}StatusCode") if top is not None else None
    message = status.find(f"{{{SAMLP}}}StatusMessage")
    return {
        "code": top.get("Value", "") if top is not None else "",
        "detail": sub.get("Value", "") if sub is not None else "",
        "message": (message.text or "").strip() if message is not None else "",
        "in_response_to": root.get("InResponseTo", ""),
    }


def _parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def weak_algorithms(xml: str) -> list[str]:
    """The signature and digest algorithms in ``xml`` weaker than SHA-256."""
    root = fromstring(xml.encode(), forbid_dtd=True, forbid_entities=True)
    weak = [
        el.get("Algorithm", "")
        for el in root.iter(f"{{{DS}}}SignatureMethod")
        if el.get("Algorithm") not in STRONG_SIGNATURES
    ]
    weak += [
        el.get("Algorithm", "")
        for el in root.iter(f"{{{DS}}}DigestMethod")
        if el.get("Algorithm") not in STRONG_DIGESTS
    ]
    return weak


@dataclass(frozen=True)
class Asserted:
    """What idbridge's assertion says: who, how they proved it and when, attributes."""

    name_id: NameID
    class_ref: str
    authn_instant: datetime
    attributes: dict[str, list[str]]

    @classmethod
    def from_session_info(cls, session_info: dict) -> Asserted:
        if not session_info.get("authn_info"):
            raise Refused("This sign-in answer was refused", "It has no AuthnStatement.")
        class_ref, _, instant = session_info["authn_info"][0]
        return cls(
            name_id=session_info["name_id"],
            class_ref=class_ref,
            authn_instant=_parse_instant(instant),
            attributes={k: [str(v) for v in vs] for k, vs in session_info["ava"].items()},
        )

    def portal_user(self, session_info: dict, now: datetime) -> PortalUser:
        return PortalUser(
            name_id=self.name_id.text,
            name_id_format=self.name_id.format or "",
            issuer=session_info.get("issuer", ""),
            attributes=self.attributes,
            class_ref=self.class_ref,
            authn_instant=self.authn_instant,
            signed_in_at=now,
            session_index=session_info.get("session_index") or "",
        )


def check_asserted(
    asserted: Asserted, current: PortalUser | None, page: Page | None, now: datetime
) -> None:
    """The person signed in to the portal (if any), and the class and freshness asked for
    (a page's step-up, else a passkey sign-in); raise :class:`Refused`."""
    if current is not None and current.name_id != asserted.name_id.text:
        raise Refused(
            "Step-up refused" if page else "Sign-in refused",
            "idbridge answered for a different person than the one signed in to the "
            "portal. Sign out of the portal first if you want to switch.",
        )
    if page is not None:
        _check_step_up(asserted, page, now)
    elif asserted.class_ref not in PORTAL_CLASS_REFS:
        raise Refused(
            "Sign-in refused",
            "The portal needs a passkey sign-in (REFEDS MFA); idbridge asserted "
            f"{asserted.class_ref}.",
        )


def _check_step_up(asserted: Asserted, page: Page, now: datetime) -> None:
    class_ref = asserted.class_ref
    if class_ref != page.class_ref:
        raise Refused(
            "Step-up refused",
            f"{page.title} needs the class {page.class_ref}; idbridge asserted {class_ref}.",
        )
    check = freshness(page, StepUpRecord(class_ref, asserted.authn_instant, now).step_up, now)
    if not check.fresh:
        raise Refused(
            "Step-up refused",
            f"The fingerprint or face check idbridge reported is "
            f"{check.age_seconds} seconds old; {page.title} needs one within "
            f"{page.max_age_seconds} seconds.",
        )
