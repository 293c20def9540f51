"""The sandbox SP's metadata: what idbridge registers (``make demo``) and serves to anyone.

pysaml2 would advertise every algorithm an ``xmlsec1`` program knows, MD5 and SHA-1
included, and without one advertises none; the portal signs and accepts only SHA-256 and
stronger, and says so.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from saml2 import md
from saml2.extension.algsupport import DigestMethod, SigningMethod
from saml2.metadata import entity_descriptor

from sandbox.sp.config import STRONG_DIGESTS, STRONG_SIGNATURES, sp_metadata_config
from sandbox.sp.keys import sp_key_files

_lock = threading.Lock()
_built: dict[tuple, str] = {}


def sp_metadata_xml() -> str:
    """The metadata XML (built once per base URL and certificate: pysaml2 loads its
    configuration and schemas every time it builds metadata)."""
    cert = Path(sp_key_files(settings.VAR_DIR).cert_file).read_text()
    key = (settings.PUBLIC_BASE_URL, cert)
    with _lock:
        if key in _built:
            return _built[key]
    xml = _build()
    with _lock:
        _built.clear()
        _built[key] = xml
    return xml


def _build() -> str:
    descriptor = entity_descriptor(sp_metadata_config())
    extensions = md.Extensions()
    for algorithm in sorted(STRONG_DIGESTS):
        extensions.add_extension_element(DigestMethod(algorithm=algorithm))
    for algorithm in sorted(STRONG_SIGNATURES):
        extensions.add_extension_element(SigningMethod(algorithm=algorithm))
    descriptor.extensions = extensions
    return str(descriptor)
