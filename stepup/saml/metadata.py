"""Service-provider metadata: fetch (bounded) and read (defusedxml, no DTDs).

``parse_sp_metadata`` returns what the IdP needs from an SP's ``EntityDescriptor``: entity
ID, assertion consumer and logout endpoints, signing and encryption certificates,
whether it signs its AuthnRequests, NameID formats. Anything else in the file is kept
verbatim for pysaml2, which loads the same XML.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import urlparse

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from stepup.saml.keys import pem_from_body

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
BINDING_HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

MAX_METADATA_BYTES = 1_000_000


class MetadataError(Exception):
    """The metadata cannot be used; the message says why, for the person registering it."""


@dataclass(frozen=True)
class Endpoint:
    binding: str
    url: str
    index: int | None = None
    is_default: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SpMetadata:
    entity_id: str
    name: str
    acs: tuple[Endpoint, ...]
    slo: tuple[Endpoint, ...]
    signing_certs: tuple[str, ...]
    encryption_certs: tuple[str, ...]
    authn_requests_signed: bool
    name_id_formats: tuple[str, ...]
    xml: str

    def default_acs(self) -> Endpoint | None:
        return default_acs(self.acs)


def default_acs(endpoints) -> Endpoint | None:
    """The SP's default HTTP-POST ACS: the one marked ``isDefault``, else the first."""
    posts = [e for e in endpoints if e.binding == BINDING_HTTP_POST]
    if not posts:
        return None
    return next((e for e in posts if e.is_default), posts[0])


def _bool(value: str | None) -> bool:
    return (value or "").strip() in ("true", "1")


def _index(text: str | None) -> int | None:
    """An endpoint's index (xs:unsignedShort); anything else is no index."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) <= 65535 else None


def _check_url(url: str, what: str) -> str:
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise MetadataError(f"{what} {url!r} is not an http(s) URL.")
    return url


def parse_sp_metadata(data: bytes | str) -> SpMetadata:
    """Read one SP ``EntityDescriptor`` (or an ``EntitiesDescriptor`` holding exactly one)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    entity = _entity(_parse_xml(data))
    entity_id = _entity_id(entity)
    sp = entity.find(f"{{{MD}}}SPSSODescriptor")
    if sp is None:
        raise MetadataError(f"{entity_id} is not a service provider (no SPSSODescriptor).")
    acs = _acs_endpoints(sp)
    slo = _slo_endpoints(sp)
    signing, encryption = _certificates(sp)
    authn_requests_signed = _bool(sp.get("AuthnRequestsSigned"))
    if authn_requests_signed and not signing:
        raise MetadataError(
            "The SP says it signs its requests but publishes no signing certificate."
        )
    return SpMetadata(
        entity_id=entity_id,
        name=_display_name(entity, sp)[:200],
        acs=acs,
        slo=slo,
        signing_certs=signing,
        encryption_certs=encryption,
        authn_requests_signed=authn_requests_signed,
        name_id_formats=tuple(
            (el.text or "").strip() for el in sp.findall(f"{{{MD}}}NameIDFormat") if el.text
        ),
        xml=data.decode("utf-8", errors="replace"),
    )


def _parse_xml(data: bytes):
    if len(data) > MAX_METADATA_BYTES:
        raise MetadataError("The metadata is larger than 1 MB.")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise MetadataError("Metadata with a DOCTYPE or entity declarations is refused.")
    except Exception as exc:  # noqa: BLE001 - ParseError and friends: report, don't crash
        raise MetadataError(f"The metadata is not well-formed XML ({exc}).")


def _entity(root):
    """The one SP ``EntityDescriptor``: the root, or the only SP in an aggregate."""
    if root.tag == f"{{{MD}}}EntityDescriptor":
        return root
    if root.tag != f"{{{MD}}}EntitiesDescriptor":
        raise MetadataError("This is not SAML metadata (no md:EntityDescriptor).")
    entities = [
        e
        for e in root.iter(f"{{{MD}}}EntityDescriptor")
        if e.find(f"{{{MD}}}SPSSODescriptor") is not None
    ]
    if len(entities) != 1:
        raise MetadataError(
            f"The file describes {len(entities)} service providers; register one at a time."
        )
    return entities[0]


def _entity_id(entity) -> str:
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError("The EntityDescriptor has no entityID.")
    if len(entity_id) > 1024:
        raise MetadataError("The entityID is longer than 1024 characters.")
    return entity_id


def _acs_endpoints(sp) -> tuple[Endpoint, ...]:
    """Every AssertionConsumerService; at least one must take HTTP-POST."""
    acs = tuple(
        Endpoint(
            binding=el.get("Binding", ""),
            url=_check_url(el.get("Location", ""), "AssertionConsumerService"),
            index=_index(el.get("index")),
            is_default=_bool(el.get("isDefault")),
        )
        for el in sp.findall(f"{{{MD}}}AssertionConsumerService")
    )
    if not any(e.binding == BINDING_HTTP_POST for e in acs):
        raise MetadataError(
            "The SP has no AssertionConsumerService with the HTTP-POST binding, "
            "the only one idbridge answers with."
        )
    return acs


def _slo_endpoints(sp) -> tuple[Endpoint, ...]:
    """The SingleLogoutService endpoints over a binding idbridge uses."""
    return tuple(
        Endpoint(
            binding=el.get("Binding", ""),
            url=_check_url(el.get("Location", ""), "SingleLogoutService"),
        )
        for el in sp.findall(f"{{{MD}}}SingleLogoutService")
        if el.get("Binding") in (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT)
    )


def _certificates(sp) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The signing and the encryption certificates (PEM), each once, in document order."""
    signing, encryption = [], []
    for kd in sp.findall(f"{{{MD}}}KeyDescriptor"):
        use = kd.get("use") or "both"
        for cert_el in kd.iter(f"{{{DS}}}X509Certificate"):
            try:
                pem = pem_from_body(cert_el.text or "")
            except ValueError:
                raise MetadataError("A KeyDescriptor holds something that is not a certificate.")
            if use in ("signing", "both") and pem not in signing:
                signing.append(pem)
            if use in ("encryption", "both") and pem not in encryption:
                encryption.append(pem)
    return tuple(signing), tuple(encryption)


def _display_name(entity, sp) -> str:
    """The SP's mdui:DisplayName, else its OrganizationDisplayName, else nothing."""
    display = sp.find(f"{{{MD}}}Extensions/{{{MDUI}}}UIInfo/{{{MDUI}}}DisplayName")
    if display is not None and display.text and display.text.strip():
        return display.text.strip()
    org = entity.find(f"{{{MD}}}Organization/{{{MD}}}OrganizationDisplayName")
    if org is not None and org.text:
        return org.text.strip()
    return ""


def fetch_metadata(
    url: str, *, timeout: float = 10.0, max_bytes: int = MAX_METADATA_BYTES
) -> bytes:
    """GET ``url`` (http/https only) within ``timeout`` seconds in all and ``max_bytes``;
    raises :class:`MetadataError` with a readable message."""
    import time

    import requests

    _check_url(url, "The metadata URL")
    deadline = time.monotonic() + timeout
    try:
        with requests.get(
            url,
            timeout=timeout,
            stream=True,
            headers={"Accept": "application/samlmetadata+xml, application/xml, text/xml"},
        ) as response:
            if response.status_code != 200:
                raise MetadataError(f"{url} answered HTTP {response.status_code}.")
            if urlparse(response.url).scheme not in ("http", "https"):
                raise MetadataError("The metadata URL redirected to a non-HTTP address.")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise MetadataError(f"The metadata at {url} is larger than {max_bytes} bytes.")
                if time.monotonic() > deadline:
                    raise MetadataError(f"{url} took longer than {timeout:g} seconds.")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise MetadataError(f"Could not fetch {url}: {type(exc).__name__}.")
    return b"".join(chunks)


def check_loads_in_pysaml2(xml: str) -> None:
    """pysaml2 loads the same XML when the server is built: make sure it can."""
    from saml2.attribute_converter import ac_factory
    from saml2.mdstore import InMemoryMetaData

    try:
        md = InMemoryMetaData(ac_factory(), xml)
        md.load()
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises many types; report them all
        raise MetadataError(f"pysaml2 cannot load this metadata: {exc}")
    if not md.entity:
        raise MetadataError("pysaml2 found no entity in this metadata.")
