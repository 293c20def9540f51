"""Hostile and broken AuthnRequests, each an HTTP request against a live server.

Every one is refused with a readable page and the right status (400/403), is in the
audit log with its reason code, and none is a 500.
"""

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from saml2 import BINDING_HTTP_POST

from idbridge.audit.models import AuditEntry
from tests.stepup.conftest import (
    SP_ACS,
    SP_ENTITY_ID,
    authn_request_url,
    browser,
    redirect_url_for,
    saml_form,
    signed_in_session,
)

pytestmark = pytest.mark.django_db(transaction=True)


def authn_request_xml(
    base_url,
    *,
    issuer=SP_ENTITY_ID,
    acs=SP_ACS,
    issued=None,
    force_authn=None,
    is_passive=None,
    request_id=None,
    prolog="",
):
    issued = issued or datetime.now(UTC)
    attrs = {
        "ID": request_id or f"_{uuid.uuid4().hex}",
        "Version": "2.0",
        "IssueInstant": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Destination": f"{base_url}/idp/sso/redirect",
        "ProtocolBinding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
    }
    if acs:
        attrs["AssertionConsumerServiceURL"] = acs
    if force_authn is not None:
        attrs["ForceAuthn"] = force_authn
    if is_passive is not None:
        attrs["IsPassive"] = is_passive
    rendered = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return (
        f'{prolog}<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" {rendered}>'
        f"<saml:Issuer>{issuer}</saml:Issuer></samlp:AuthnRequest>"
    )


def get(url, session_key=None):
    return browser(session_key).get(url, allow_redirects=False, timeout=10)


def assert_refused(response, status, code, text):
    assert response.status_code == status, (response.status_code, response.text[:800])
    assert "This sign-in request was refused" in response.text
    assert text in response.text
    assert "Traceback" not in response.text
    entry = AuditEntry.objects.filter(action="stepup.request_refused").order_by("-id").first()
    assert entry is not None and entry.details["code"] == code


def test_a_response_address_not_in_the_sp_metadata_is_refused(idp_at_live_server, register_sp):
    register_sp()
    base = idp_at_live_server.url
    xml = authn_request_xml(base, acs="https://attacker.test/steal")
    response = get(redirect_url_for(xml, f"{base}/idp/sso/redirect"), signed_in_session())
    assert_refused(response, 403, "acs_not_registered", "not registered for this service provider")


def test_an_unknown_service_provider_is_refused(idp_at_live_server, register_sp):
    register_sp()
    base = idp_at_live_server.url
    xml = authn_request_xml(base, issuer="https://unknown.test/sp")
    response = get(redirect_url_for(xml, f"{base}/idp/sso/redirect"), signed_in_session())
    assert_refused(response, 403, "unknown_sp", "https://unknown.test/sp is not registered")


def test_a_replayed_authn_request_is_refused(idp_at_live_server, register_sp, sp_client):
    register_sp()
    _, url = authn_request_url(sp_client(), idp_at_live_server.url)
    key = signed_in_session()
    first = get(url, key)
    assert first.status_code == 200 and "SAMLResponse" in first.text
    assert_refused(get(url, key), 403, "replayed", "already used")


def test_a_stale_issue_instant_is_refused(idp_at_live_server, register_sp):
    register_sp()
    base = idp_at_live_server.url
    old = datetime.now(UTC) - timedelta(minutes=10)
    response = get(
        redirect_url_for(authn_request_xml(base, issued=old), f"{base}/idp/sso/redirect")
    )
    assert_refused(response, 400, "stale", "too old or dated in the future")
    future = datetime.now(UTC) + timedelta(minutes=10)
    response = get(
        redirect_url_for(authn_request_xml(base, issued=future), f"{base}/idp/sso/redirect")
    )
    assert_refused(response, 400, "stale", "too old")


def test_a_request_within_the_clock_skew_is_accepted(idp_at_live_server, register_sp):
    register_sp()
    base = idp_at_live_server.url
    recent = datetime.now(UTC) - timedelta(seconds=90)
    response = get(
        redirect_url_for(authn_request_xml(base, issued=recent), f"{base}/idp/sso/redirect"),
        signed_in_session(),
    )
    assert response.status_code == 200 and "SAMLResponse" in response.text


@pytest.mark.parametrize("how", ["district setting", "metadata AuthnRequestsSigned"])
def test_an_unsigned_request_from_an_sp_that_must_sign_is_refused(
    idp_at_live_server, register_sp, how
):
    if how == "district setting":
        register_sp(require_signed_requests=True)
    else:
        register_sp(signs_requests=True)
    base = idp_at_live_server.url
    response = get(redirect_url_for(authn_request_xml(base), f"{base}/idp/sso/redirect"))
    assert_refused(response, 403, "signature_required", "must sign its requests")


def test_a_signed_redirect_request_verifies_and_a_tampered_one_is_refused(
    idp_at_live_server, register_sp, sp_client
):
    register_sp(signs_requests=True)
    client = sp_client(signs_requests=True)
    key = signed_in_session()
    _, url = authn_request_url(client, idp_at_live_server.url, relay_state="/home", sign=True)
    assert get(url, key).status_code == 200

    _, url = authn_request_url(client, idp_at_live_server.url, relay_state="/home", sign=True)
    tampered = url.replace("RelayState=%2Fhome", "RelayState=%2Fpayroll")
    assert tampered != url
    assert_refused(get(tampered, key), 403, "signature_invalid", "does not verify")


def _signed_post_request(client, base):
    _, info = client.prepare_for_authenticate(
        entityid=f"{base}/idp/metadata",
        binding=BINDING_HTTP_POST,
        sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
    )
    form = saml_form(type("R", (), {"text": info["data"]})())
    return form["action"], base64.b64decode(form["SAMLRequest"]).decode()


def test_a_tampered_enveloped_signature_is_refused(idp_at_live_server, register_sp, sp_client):
    register_sp(signs_requests=True)
    base = idp_at_live_server.url
    action, xml = _signed_post_request(sp_client(signs_requests=True), base)
    # Change what the signature covers: the response address.
    assert SP_ACS in xml
    tampered = xml.replace(SP_ACS, "https://sp.test/saml/acs?x=1")
    response = browser(signed_in_session()).post(
        action,
        data={"SAMLRequest": base64.b64encode(tampered.encode()).decode()},
        allow_redirects=False,
        timeout=10,
    )
    assert_refused(response, 403, "signature_invalid", "signature is not valid")


def test_a_signature_by_a_key_the_sp_did_not_register_is_refused(
    idp_at_live_server, register_sp, sp_client, tmp_path
):
    """An attacker signs with their own key and embeds their certificate: KeyInfo is
    never trusted, only the certificate in the SP's registered metadata."""
    from saml2.client import Saml2Client

    from stepup.saml.keys import generate_key_pair
    from tests.stepup.conftest import sp_config

    register_sp(signs_requests=True)
    base = idp_at_live_server.url
    attacker = generate_key_pair("attacker")
    (tmp_path / "a.key").write_text(attacker.private_key_pem)
    (tmp_path / "a.crt").write_text(attacker.certificate_pem)
    keys = type("K", (), {"key": str(tmp_path / "a.key"), "cert": str(tmp_path / "a.crt")})
    idp_md = browser().get(f"{base}/idp/metadata", timeout=10).text
    evil = Saml2Client(sp_config(keys, idp_metadata=idp_md, signs_requests=True))
    action, xml = _signed_post_request(evil, base)
    response = browser().post(
        action,
        data={"SAMLRequest": base64.b64encode(xml.encode()).decode()},
        allow_redirects=False,
        timeout=10,
    )
    assert_refused(response, 403, "signature_invalid", "signature is not valid")


@pytest.mark.parametrize(
    "value,expected", [("false", "answered"), ("0", "answered"), ("true", "check"), ("1", "check")]
)
def test_force_authn_is_parsed_as_a_boolean(idp_at_live_server, register_sp, value, expected):
    register_sp()
    base = idp_at_live_server.url
    key = signed_in_session(checked_ago=timedelta(minutes=1))  # before the request
    response = get(
        redirect_url_for(authn_request_xml(base, force_authn=value), f"{base}/idp/sso/redirect"),
        key,
    )
    if expected == "answered":
        assert response.status_code == 200 and "SAMLResponse" in response.text
    else:
        assert response.status_code == 302
        assert "/stepup/authenticate/" in response.headers["Location"]


def test_force_authn_that_is_not_a_boolean_is_refused(idp_at_live_server, register_sp):
    register_sp()
    base = idp_at_live_server.url
    response = get(
        redirect_url_for(authn_request_xml(base, force_authn="maybe"), f"{base}/idp/sso/redirect")
    )
    assert_refused(response, 400, "bad_boolean", "is not a boolean")


DTD_PAYLOADS = {
    "internal entity": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "SP">]>',
    "external entity (XXE)": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "billion laughs": (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    ),
    "bare DOCTYPE": '<!DOCTYPE samlp:AuthnRequest SYSTEM "http://attacker.test/x.dtd">',
}


@pytest.mark.parametrize("name", list(DTD_PAYLOADS))
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_dtds_and_entities_are_refused(idp_at_live_server, register_sp, name, binding):
    register_sp()
    base = idp_at_live_server.url
    xml = authn_request_xml(base, prolog=DTD_PAYLOADS[name])
    if binding == "redirect":
        response = get(redirect_url_for(xml, f"{base}/idp/sso/redirect"))
    else:
        response = browser().post(
            f"{base}/idp/sso/post",
            data={"SAMLRequest": base64.b64encode(xml.encode()).decode()},
            allow_redirects=False,
            timeout=10,
        )
    assert_refused(response, 400, "dtd", "DOCTYPE or entities are refused")


@pytest.mark.parametrize(
    "params,code",
    [
        ({}, "missing"),
        ({"SAMLRequest": "%%% not base64 %%%"}, "malformed"),
        ({"SAMLRequest": base64.b64encode(b"not deflated").decode()}, "malformed"),
    ],
)
def test_garbage_is_refused_cleanly(idp_at_live_server, params, code):
    response = browser().get(
        f"{idp_at_live_server.url}/idp/sso/redirect",
        params=params,
        allow_redirects=False,
        timeout=10,
    )
    assert_refused(response, 400, code, "")


def test_garbage_xml_is_refused_cleanly(idp_at_live_server, register_sp):
    register_sp()
    base = idp_at_live_server.url
    for xml, code in [
        ("<not-closed", "malformed"),
        ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', "malformed"),
    ]:
        response = browser().post(
            f"{base}/idp/sso/post",
            data={"SAMLRequest": base64.b64encode(xml.encode()).decode()},
            allow_redirects=False,
            timeout=10,
        )
        assert_refused(response, 400, code, "")


def test_the_sso_endpoints_accept_only_their_methods(idp_at_live_server):
    base = idp_at_live_server.url
    # Not CSRF-exempt: a POST to the redirect endpoint stops at the CSRF check.
    assert browser().post(f"{base}/idp/sso/redirect", timeout=10).status_code == 403
    assert browser().get(f"{base}/idp/sso/post", timeout=10).status_code == 405


def test_an_sp_whose_metadata_expired_is_refused_and_the_others_keep_working(
    idp_at_live_server, register_sp, sp_key_files
):
    from stepup.saml.metadata import parse_sp_metadata
    from stepup.services.service_providers import service_provider_register
    from tests.stepup.conftest import sp_metadata

    register_sp()
    expired = sp_metadata(sp_key_files, entity_id="https://expired.test/sp").replace(
        'entityID="https://expired.test/sp"',
        'entityID="https://expired.test/sp" validUntil="2020-01-01T00:00:00Z"',
    )
    service_provider_register(metadata=parse_sp_metadata(expired), actor="test")
    base = idp_at_live_server.url
    xml = authn_request_xml(base, issuer="https://expired.test/sp")
    response = get(redirect_url_for(xml, f"{base}/idp/sso/redirect"), signed_in_session())
    assert_refused(response, 403, "sp_disabled", "can no longer be used")
    ok = get(
        redirect_url_for(authn_request_xml(base), f"{base}/idp/sso/redirect"), signed_in_session()
    )
    assert ok.status_code == 200 and "SAMLResponse" in ok.text


def test_a_forged_resume_token_or_unknown_continue_key_is_refused(idp_at_live_server):
    base = idp_at_live_server.url
    assert_refused(get(f"{base}/idp/sso/resume?t=forged:token"), 400, "expired", "expired")
    assert_refused(get(f"{base}/idp/sso/continue/nope", signed_in_session()), 400, "expired", "")


def test_a_flood_of_refused_requests_is_audited_only_up_to_the_limit(
    idp_at_live_server, register_sp, settings
):
    settings.STEPUP_REFUSALS_AUDITED_PER_MINUTE = 3
    cache.clear()
    register_sp()
    base = idp_at_live_server.url
    xml = authn_request_xml(base, issuer="https://unknown.test/sp")
    for _ in range(6):
        response = get(redirect_url_for(xml, f"{base}/idp/sso/redirect"), signed_in_session())
        assert response.status_code == 403  # every one is still refused
    assert AuditEntry.objects.filter(action="stepup.request_refused").count() == 3
