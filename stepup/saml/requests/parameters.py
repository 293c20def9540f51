"""The bindings' parameters, read once and strictly from what arrived.

Each SAML parameter (``SAMLRequest``, ``SAMLResponse``, ``RelayState``, ``SigAlg``,
``Signature``) may appear at most once and only under its own name: a second copy, or a
name sent percent-encoded (``SAML%52equest``), is refused, so that what a signature
covers and what idbridge acts on cannot be two different parameters. For HTTP-Redirect
the signature covers ``SAMLRequest=…&RelayState=…&SigAlg=…`` with each value exactly as
received (SAML bindings §3.4.4.1): :meth:`SamlParameters.signed_octets`.

Query strings and form bodies are taken as WSGI gives them: text whose characters are the
octets received (ISO-8859-1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from stepup.saml.metadata import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from stepup.saml.requests.values import RequestRefused, SamlHttpInput

SAML_PARAMETERS = ("SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature")


def _refused(message: str) -> RequestRefused:
    return RequestRefused("polluted", message)


def _decoded(encoded: str) -> str:
    """application/x-www-form-urlencoded: ``+`` is a space, ``%XX`` an octet, UTF-8."""
    octets = encoded.replace("+", " ").encode("latin-1", errors="replace")
    return unquote_to_bytes(octets).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class SamlParameters:
    """The SAML parameters of a query string or form body, each as received (``raw``)."""

    raw: Mapping[str, str]

    def get(self, name: str) -> str:
        """The decoded value of ``name`` ("" when absent)."""
        return _decoded(self.raw[name]) if name in self.raw else ""

    def signed_octets(self) -> bytes:
        """What an HTTP-Redirect signature covers, in the order the binding fixes."""
        message = "SAMLResponse" if "SAMLResponse" in self.raw else "SAMLRequest"
        parts = [
            f"{name}={self.raw[name]}"
            for name in (message, "RelayState", "SigAlg")
            if name in self.raw
        ]
        return "&".join(parts).encode("latin-1", errors="replace")


def parse_saml_parameters(encoded: str) -> SamlParameters:
    """The SAML parameters of ``encoded`` (a query string or urlencoded form body);
    :class:`RequestRefused` ("polluted") for a duplicate or an encoded name."""
    raw: dict[str, str] = {}
    for part in encoded.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        name = _decoded(key)
        if name not in SAML_PARAMETERS:
            continue
        if key != name:
            raise _refused(f"The parameter name {key!r} is encoded; SAML parameter names are not.")
        if name in raw:
            raise _refused(f"The request carries {name} more than once.")
        raw[name] = value
    if "SAMLRequest" in raw and "SAMLResponse" in raw:
        raise _refused("The request carries both a SAMLRequest and a SAMLResponse.")
    return SamlParameters(raw)


def single_fields(fields: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Decoded form fields (e.g. multipart): each SAML parameter at most once."""
    values = {}
    for name in SAML_PARAMETERS:
        given = list(fields.get(name, ()))
        if len(given) > 1:
            raise _refused(f"The request carries {name} more than once.")
        if given:
            values[name] = given[0]
    return values


def redirect_input(endpoint_url: str, raw_query: str) -> SamlHttpInput:
    """HTTP-Redirect: everything from the query string as received."""
    params = parse_saml_parameters(raw_query)
    return SamlHttpInput(
        binding=BINDING_HTTP_REDIRECT,
        endpoint_url=endpoint_url,
        saml_request=params.get("SAMLRequest"),
        relay_state=params.get("RelayState"),
        sig_alg=params.get("SigAlg"),
        signature=params.get("Signature"),
        raw_query=raw_query,
    )


def post_input(endpoint_url: str, fields: Mapping[str, str], raw_query: str) -> SamlHttpInput:
    """HTTP-POST: the form's fields (already checked for duplicates); the query string
    (``raw_query``) must carry no SAML parameter, where nothing would read or sign it."""
    if parse_saml_parameters(raw_query).raw:
        raise _refused("An HTTP-POST request carries its SAML parameters in the form only.")
    return SamlHttpInput(
        binding=BINDING_HTTP_POST,
        endpoint_url=endpoint_url,
        saml_request=fields.get("SAMLRequest", ""),
        relay_state=fields.get("RelayState", ""),
    )


def form_body_fields(body: str) -> dict[str, str]:
    """An urlencoded form body's SAML fields, decoded (duplicates, encoded names refused)."""
    params = parse_saml_parameters(body)
    return {name: params.get(name) for name in params.raw}
