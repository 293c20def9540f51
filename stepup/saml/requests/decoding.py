"""Steps 1-3's raw material: the message's bytes (base64, DEFLATE, size limits), its XML
(no DOCTYPE, no entities) and the XML Schema datatypes it carries."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from datetime import UTC, datetime, timedelta

from lxml import etree

from idbridge.saml_crypto import XmlSignatureError, parse_xml
from stepup.saml.metadata import BINDING_HTTP_REDIRECT
from stepup.saml.requests.values import RequestRefused, SamlHttpInput

MAX_ENCODED_BYTES = 64 * 1024
MAX_XML_BYTES = 128 * 1024


def decode_message(data: SamlHttpInput) -> bytes:
    """base64 (and raw DEFLATE for HTTP-Redirect), with size limits."""
    encoded = (data.saml_request or "").strip()
    if not encoded:
        raise RequestRefused("missing", "The request carries no SAMLRequest.")
    if len(encoded) > MAX_ENCODED_BYTES:
        raise RequestRefused("too_large", "The SAML request is too large.")
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RequestRefused("malformed", "The SAMLRequest is not valid base64.")
    if data.binding == BINDING_HTTP_REDIRECT:
        inflater = zlib.decompressobj(-15)
        try:
            raw = inflater.decompress(raw, MAX_XML_BYTES + 1)
        except zlib.error:
            raise RequestRefused("malformed", "The SAMLRequest is not DEFLATE-compressed.")
    if len(raw) > MAX_XML_BYTES:
        raise RequestRefused("too_large", "The SAML request is too large.")
    return raw


def parse_request_xml(raw: bytes) -> etree._Element:
    # A DOCTYPE may declare entities (billion laughs, external files): refuse it outright.
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise RequestRefused("dtd", "SAML requests with a DOCTYPE or entities are refused.")
    try:
        return parse_xml(raw)
    except XmlSignatureError:
        raise RequestRefused("dtd", "SAML requests with a DOCTYPE or entities are refused.")
    except etree.XMLSyntaxError:
        raise RequestRefused("malformed", "The SAML request is not well-formed XML.")


def element_text(element: etree._Element, name: str) -> str:
    """The whole text of an identifier element (Issuer, NameID, SessionIndex, a class
    reference), whitespace trimmed.

    Identifiers are plain text: a comment, processing instruction or element inside one
    is refused, since ``.text`` would stop there (``X<!---->-y`` reads as ``X``) while
    another XML reader joins the pieces and sees ``X-y``.
    """
    if len(element):  # lxml counts comments and processing instructions as children
        raise RequestRefused(
            "malformed",
            f"The {name} holds a comment, a processing instruction or markup; identifiers "
            "are plain text.",
        )
    return (element.text or "").strip()


def only_child(parent: etree._Element, tag: str, name: str) -> etree._Element | None:
    """The one ``tag`` child of ``parent`` (None when absent); two are refused."""
    found = parent.findall(tag)
    if len(found) > 1:
        raise RequestRefused("malformed", f"The request carries more than one {name}.")
    return found[0] if found else None


_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


def parse_xs_boolean(value: str | None, name: str) -> bool:
    """xs:boolean: ``true``/``1``/``false``/``0`` (whitespace collapsed); absent = false."""
    if value is None:
        return False
    try:
        return _BOOLEAN[value.strip()]
    except KeyError:
        raise RequestRefused("bad_boolean", f"{name}={value!r} is not a boolean.")


_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
)


def parse_xs_datetime(value: str | None) -> datetime:
    """An xs:dateTime as an aware UTC datetime (no zone given: UTC, as SAML requires)."""
    match = _DATETIME.match((value or "").strip())
    if not match:
        raise RequestRefused("malformed", f"IssueInstant {value!r} is not an xs:dateTime.")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int(float(fraction) * 1_000_000) if fraction else 0,
            tzinfo=UTC,
        )
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    except (ValueError, OverflowError):  # e.g. year 1 or 9999 moved past the calendar's end
        raise RequestRefused("malformed", f"IssueInstant {value!r} is not a valid date.")
    return moment
