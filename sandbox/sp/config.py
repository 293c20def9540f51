"""The sandbox SP's pysaml2 configuration, for djangosaml2 (``SAML_CONFIG_LOADER``).

The SP knows idbridge only the way a real Campus would: by the IdP metadata URL
(``CAMPUS_SANDBOX_SP_IDP_METADATA_URL``, default ``<PUBLIC_BASE_URL>/idp/metadata``),
fetched over HTTP and kept in the shared cache for :data:`METADATA_CACHE_SECONDS` (what
the IdP's ``Cache-Control`` allows). Its own URLs follow ``PUBLIC_BASE_URL``; its entity
ID is a stable URN so that a new base URL only changes endpoints (the demo step then
replaces the registered metadata) and persistent NameIDs stay the same.

Signatures: AuthnRequests and LogoutRequests are signed with RSA-SHA256 (pysaml2 would
use SHA-1 unless told, issue #974, hence ``signing_algorithm``/``digest_algorithm``
inside ``service.sp``); Response and Assertion must both be signed by a certificate
from the IdP's metadata (``want_response_signed``, ``want_assertions_signed``), and the
ACS also refuses any signature or digest weaker than SHA-256 (pysaml2 does not).

Encryption: the portal publishes its certificate for encryption too
(``encryption_keypairs``), so idbridge may be told to encrypt its assertions to it; the
portal decrypts them with the same key. Every signature, check and decryption runs
in-process (``idbridge.saml_crypto``): pysaml2 never looks for the ``xmlsec1`` program.
"""

from __future__ import annotations

import hashlib
import threading
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT

from idbridge import saml_crypto
from sandbox.sp.keys import sp_key_files

SP_ENTITY_ID = "urn:idbridge:campus-sandbox:sp"
SP_NAME = "Campus sandbox"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
# Signature and digest algorithms the portal uses and accepts (pysaml2 accepts SHA-1).
STRONG_SIGNATURES = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
}
STRONG_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
}
METADATA_CACHE_SECONDS = 300
METADATA_MAX_BYTES = 1_000_000
METADATA_TIMEOUT_SECONDS = 10
# How far the IdP's clock may differ from ours when checking NotBefore/NotOnOrAfter.
ACCEPTED_TIME_DIFF_SECONDS = 60
_CACHE_PREFIX = "sandbox.sp.idp_metadata:"


class IdpUnavailable(Exception):
    """idbridge's metadata could not be fetched or read; the message says why."""


def public_url(path: str) -> str:
    return urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", path.lstrip("/"))


def sp_urls() -> dict[str, str]:
    return {
        "entity_id": SP_ENTITY_ID,
        "metadata": public_url(reverse("campus:sp_metadata")),
        "acs": public_url(reverse("campus:sp_acs")),
        "slo": public_url(reverse("campus:sp_slo")),
    }


def idp_metadata_url() -> str:
    return settings.CAMPUS_SANDBOX_SP_IDP_METADATA_URL or public_url("/idp/metadata")


def idp_metadata_xml() -> str:
    """The IdP's metadata, from the shared cache or fetched over HTTP."""
    url = idp_metadata_url()
    key = _CACHE_PREFIX + hashlib.sha256(url.encode()).hexdigest()
    xml = cache.get(key)
    if xml:
        return xml
    try:
        response = requests.get(url, timeout=METADATA_TIMEOUT_SECONDS, stream=True)
        body = response.raw.read(METADATA_MAX_BYTES + 1, decode_content=True)
        response.close()
    except requests.RequestException as exc:
        raise IdpUnavailable(f"idbridge's metadata at {url} could not be fetched ({exc}).")
    if response.status_code != 200:
        raise IdpUnavailable(f"idbridge's metadata at {url} answered {response.status_code}.")
    if len(body) > METADATA_MAX_BYTES:
        raise IdpUnavailable(f"idbridge's metadata at {url} is larger than 1 MB.")
    xml = body.decode("utf-8")
    if "IDPSSODescriptor" not in xml:
        raise IdpUnavailable(f"{url} is not an identity provider's metadata.")
    cache.set(key, xml, METADATA_CACHE_SECONDS)
    return xml


def idp_metadata_forget() -> None:
    """Fetch the IdP's metadata again on the next request (tests; after a key change)."""
    cache.delete(_CACHE_PREFIX + hashlib.sha256(idp_metadata_url().encode()).hexdigest())
    with _lock:
        _configs.clear()


def sp_config_dict(idp_metadata: str | None) -> dict:
    """The pysaml2 SP configuration (``idp_metadata`` None: for the SP's own metadata)."""
    urls = sp_urls()
    keys = sp_key_files(settings.VAR_DIR)
    return {
        "entityid": urls["entity_id"],
        "name": SP_NAME,
        "description": "The Campus sandbox's SAML sign-in through idbridge",
        "key_file": keys.key_file,
        "cert_file": keys.cert_file,
        "encryption_keypairs": [{"key_file": keys.key_file, "cert_file": keys.cert_file}],
        "accepted_time_diff": ACCEPTED_TIME_DIFF_SECONDS,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": SP_NAME,
                "endpoints": {
                    "assertion_consumer_service": [(urls["acs"], BINDING_HTTP_POST)],
                    "single_logout_service": [(urls["slo"], BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "name_id_policy_format": NAMEID_FORMAT_PERSISTENT,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_response_signed": True,
                "want_assertions_signed": True,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "signing_algorithm": RSA_SHA256,
                "digest_algorithm": SHA256,
            }
        },
        "metadata": {"inline": [idp_metadata]} if idp_metadata else {},
        "organization": {
            "name": [(SP_NAME, "en")],
            "display_name": [(SP_NAME, "en")],
            "url": [(public_url("/sandbox/"), "en")],
        },
    }


_lock = threading.Lock()
_configs: dict[tuple, SPConfig] = {}


def sp_config_load(request=None) -> SPConfig:
    """djangosaml2's config loader: the SP configuration with the IdP's metadata.

    Building it parses the metadata (tens of milliseconds), so each process keeps one per
    (base URL, metadata) pair; new metadata after the cache expires builds a new one.
    """
    xml = idp_metadata_xml()
    key = (settings.PUBLIC_BASE_URL, str(settings.VAR_DIR), hashlib.sha256(xml.encode()).digest())
    with _lock:
        conf = _configs.get(key)
    if conf is None:
        conf = _load(sp_config_dict(xml))
        if not conf.metadata.identity_providers():
            raise IdpUnavailable("idbridge's metadata names no identity provider.")
        with _lock:
            _configs.clear()  # one configuration at a time: the newest metadata
            _configs[key] = conf
    return conf


def sp_metadata_config() -> SPConfig:
    """The configuration for the SP's own metadata: no IdP needed to describe ourselves."""
    return _load(sp_config_dict(None))


def _load(config: dict) -> SPConfig:
    saml_crypto.install()  # before pysaml2 builds a security context from this config
    conf = SPConfig()
    conf.load(config)
    return conf
