"""Fixtures for the step-up IdP: a test SP built with pysaml2, and a signed-in staff member.

The SSO session is set up through the IdP's own seam (``stepup.subjects``), the way the
passkey ceremony will set it up, never by WebAuthn here.
"""

import base64
import html
import re
import zlib
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

from idbridge import saml_crypto
from stepup.saml.keys import generate_key_pair

SP_ENTITY_ID = "https://sp.test/saml/metadata"
SP_ACS = "https://sp.test/saml/acs"
SP_SLO = "https://sp.test/saml/slo"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


@pytest.fixture(scope="session")
def sp_key_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sp-keys")
    pair = generate_key_pair("sp.test")
    key, cert = directory / "sp.key", directory / "sp.crt"
    key.write_text(pair.private_key_pem)
    cert.write_text(pair.certificate_pem)
    return SimpleNamespace(key=str(key), cert=str(cert), pair=pair)


def sp_config(keys, *, idp_metadata=None, signs_requests=False, entity_id=SP_ENTITY_ID):
    saml_crypto.install()  # the test SP, too, signs and decrypts in-process
    conf = SPConfig()
    conf.load(
        {
            "entityid": entity_id,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(SP_ACS, BINDING_HTTP_POST)],
                        "single_logout_service": [(SP_SLO, BINDING_HTTP_POST)],
                    },
                    "authn_requests_signed": signs_requests,
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "allow_unsolicited": False,
                    "signing_algorithm": RSA_SHA256,
                    "digest_algorithm": SHA256,
                    "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"],
                }
            },
            "key_file": keys.key,
            "cert_file": keys.cert,
            "encryption_keypairs": [{"key_file": keys.key, "cert_file": keys.cert}],
            "metadata": {"inline": [idp_metadata]} if idp_metadata else {},
        }
    )
    return conf


def sp_metadata(keys, **kw) -> str:
    xml = create_metadata_string(None, config=sp_config(keys, **kw))
    return xml.decode() if isinstance(xml, bytes) else xml


@pytest.fixture
def register_sp(db, sp_key_files):
    """Register the pysaml2 test SP with the IdP (through the service, audited)."""
    from stepup.saml.metadata import parse_sp_metadata
    from stepup.services.service_providers import service_provider_register

    def _register(*, signs_requests=False, **options):
        metadata = parse_sp_metadata(sp_metadata(sp_key_files, signs_requests=signs_requests))
        return service_provider_register(metadata=metadata, actor="test", **options)

    return _register


@pytest.fixture
def idp_at_live_server(live_server, settings):
    """The IdP's public URLs are the live server's (entity ID = its metadata URL)."""
    from stepup.runtime import forget_cached_runtime

    settings.PUBLIC_BASE_URL = live_server.url
    forget_cached_runtime()
    yield live_server
    forget_cached_runtime()


@pytest.fixture
def default_policies(db):
    """The shipped defaults (a transactional test flushes the data migration's rows)."""
    import importlib

    from django.apps import apps as django_apps

    from stepup.models import StepUpPolicy

    module = importlib.import_module("stepup.migrations.0002_default_policies")
    if not StepUpPolicy.objects.exists():
        module.add_defaults(django_apps, None)
    return StepUpPolicy.objects.all()


def make_subject(**overrides):
    from stepup.subjects import Subject

    values = {
        "subject_id": "staff-7",
        "staff_number": "E1007",
        "email": "rosa.diaz@district.example",
        "given_name": "Rosa",
        "surname": "Diaz",
        "display_name": "Rosa Diaz",
        "campus_person_id": "40017",
        "roles": ("Payroll clerk", "Teacher"),
    }
    values.update(overrides)
    return Subject(**values)


def signed_in_session(
    subject=None, *, checked_ago=timedelta(minutes=1), checked_at=None, extra_events=()
):
    """A saved session whose SSO subject verified with a passkey ``checked_ago`` ago
    (or at ``checked_at``).

    Uses the seam the passkey ceremony calls (``sso_session_start``); returns the key
    for the ``sessionid`` cookie.
    """
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from stepup.policy import PASSKEY, AuthEvent
    from stepup.subjects import record_auth_event, sso_session_start

    session = SessionStore()
    request = SimpleNamespace(session=session)
    event = AuthEvent(PASSKEY, checked_at or timezone.now() - checked_ago, user_verified=True)
    sso_session_start(request, subject or make_subject(), event)
    for extra in extra_events:
        record_auth_event(request, extra)
    session.save()
    return session.session_key


def browser(session_key=None) -> requests.Session:
    s = requests.Session()
    if session_key:
        s.cookies.set("sessionid", session_key)
    return s


def saml_form(response) -> dict:
    """The fields and action of the IdP's HTTP-POST form in ``response``."""
    text = response.text
    action = re.search(r'<form[^>]*action="([^"]+)"', text)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    assert action, text[:2000]
    return {
        "action": html.unescape(action.group(1)),
        **{k: html.unescape(v) for k, v in fields.items()},
    }


def decode_response(form: dict) -> str:
    return base64.b64decode(form["SAMLResponse"]).decode()


def redirect_request_xml(url: str) -> str:
    """The AuthnRequest XML inside an HTTP-Redirect URL."""
    query = parse_qs(urlparse(url).query)
    return zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()


def redirect_url_for(xml: str, endpoint: str, relay_state: str = "") -> str:
    """An unsigned HTTP-Redirect URL for raw request XML (for hand-made requests)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(xml.encode()) + compressor.flush()
    params = {"SAMLRequest": base64.b64encode(deflated).decode()}
    if relay_state:
        params["RelayState"] = relay_state
    return f"{endpoint}?{urlencode(params)}"


@pytest.fixture
def idp_metadata(idp_at_live_server):
    return requests.get(f"{idp_at_live_server.url}/idp/metadata", timeout=10).text


@pytest.fixture
def sp_client(sp_key_files, idp_metadata):
    """A pysaml2 SP that trusts the live IdP's metadata."""

    def _client(*, signs_requests=False):
        return Saml2Client(
            sp_config(sp_key_files, idp_metadata=idp_metadata, signs_requests=signs_requests)
        )

    return _client


def authn_request_url(client, idp_url, *, relay_state="", sign=False, **kwargs):
    """An HTTP-Redirect AuthnRequest URL from the pysaml2 SP; (request id, url)."""
    entity_id = f"{idp_url}/idp/metadata"
    reqid, info = client.prepare_for_authenticate(
        entityid=entity_id,
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        sign=sign,
        sigalg=RSA_SHA256 if sign else None,
        digest_alg=SHA256 if sign else None,
        **kwargs,
    )
    location = dict(info["headers"])["Location"]
    return reqid, location


@pytest.fixture(autouse=True)
def _made_up_subjects():
    """These tests sign in made-up subjects that have no staff record, so the product's
    subject loader (which re-reads staff records on every SSO request) is switched off for
    them, and put back afterwards."""
    from stepup import subjects

    saved = subjects._loader
    subjects.set_subject_loader(None)
    yield
    subjects.set_subject_loader(saved)
