"""SSO end to end over HTTP against a live server, with pysaml2 as the SP."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from saml2 import BINDING_HTTP_POST
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext

from idbridge.audit.models import AuditEntry
from stepup.policy import REFEDS_MFA, STEPUP_PAYROLL
from tests.stepup.conftest import (
    SP_ACS,
    SP_ENTITY_ID,
    authn_request_url,
    browser,
    decode_response,
    make_subject,
    saml_form,
    signed_in_session,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _requested(*refs, comparison="exact"):
    return RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=r) for r in refs],
        comparison=comparison,
    )


def test_a_signed_in_staff_member_gets_a_signed_assertion_the_sp_accepts(
    idp_at_live_server, register_sp, sp_client, default_policies
):
    register_sp(released_attributes=["email", "given_name", "surname", "staff_number", "roles"])
    client = sp_client()
    reqid, url = authn_request_url(client, idp_at_live_server.url, relay_state="/home")
    checked_at = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    response = browser(signed_in_session(checked_at=checked_at)).get(
        url, allow_redirects=False, timeout=10
    )
    assert response.status_code == 200, response.text[:500]
    form = saml_form(response)
    assert form["action"] == SP_ACS
    assert form["RelayState"] == "/home"
    xml = decode_response(form)
    assert xml.count("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") == 2
    assert "rsa-sha1" not in xml and "xmldsig#sha1" not in xml

    parsed = client.parse_authn_request_response(
        form["SAMLResponse"], BINDING_HTTP_POST, {reqid: "/home"}
    )
    assert parsed.ava["mail"] == ["rosa.diaz@district.example"]
    assert parsed.ava["employeeNumber"] == ["E1007"]
    assert "displayName" not in parsed.ava  # not released to this SP
    ((class_ref, _, instant),) = parsed.authn_info()
    assert class_ref == REFEDS_MFA
    # AuthnInstant is when the passkey check happened (2 hours ago), not now.
    assert instant == checked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert parsed.name_id.format.endswith("persistent")
    assert len(parsed.name_id.text) == 64  # opaque HMAC, not the staff number or email

    entry = AuditEntry.objects.filter(action="stepup.assertion_issued").get()
    assert entry.actor_label == "staff:E1007"
    assert entry.details["sp"] == SP_ENTITY_ID
    assert entry.details["class_ref"] == REFEDS_MFA
    assert entry.details["subject"] == "staff-7"


def test_persistent_name_ids_are_stable_per_sp_and_differ_between_sps(db):
    from stepup.saml.idp import persistent_id

    secret = b"s" * 32
    first = persistent_id(secret, SP_ENTITY_ID, "staff-7")
    assert first == persistent_id(secret, SP_ENTITY_ID, "staff-7")
    assert first != persistent_id(secret, "https://other.test/sp", "staff-7")
    assert first != persistent_id(secret, SP_ENTITY_ID, "staff-8")


def test_without_a_session_the_user_is_sent_to_the_passkey_sign_in(
    idp_at_live_server, register_sp, sp_client
):
    register_sp()
    _, url = authn_request_url(sp_client(), idp_at_live_server.url)
    s = browser()
    response = s.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/stepup/authenticate/?next=")
    page = s.get(idp_at_live_server.url + response.headers["Location"], timeout=10)
    assert "Sign in with your passkey" in page.text
    assert AuditEntry.objects.filter(action="stepup.challenge").count() == 1


def test_payroll_needs_a_fresh_check_then_asserts_the_payroll_class_at_the_check_time(
    idp_at_live_server, register_sp, sp_client, default_policies
):
    register_sp()
    client = sp_client()
    reqid, url = authn_request_url(
        client,
        idp_at_live_server.url,
        relay_state="https://campus.example/campus/payroll/checks",
        requested_authn_context=_requested(STEPUP_PAYROLL),
    )
    stale = browser(signed_in_session(checked_ago=timedelta(minutes=6)))
    response = stale.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert "/stepup/authenticate/" in response.headers["Location"]
    challenge = AuditEntry.objects.get(action="stepup.challenge")
    assert "within the last 5 minutes" in challenge.details["reason"]

    reqid, url = authn_request_url(
        client,
        idp_at_live_server.url,
        relay_state="https://campus.example/campus/payroll/checks",
        requested_authn_context=_requested(STEPUP_PAYROLL),
    )
    fresh = browser(signed_in_session(checked_ago=timedelta(minutes=2)))
    response = fresh.get(url, allow_redirects=False, timeout=10)
    form = saml_form(response)
    parsed = client.parse_authn_request_response(
        form["SAMLResponse"], BINDING_HTTP_POST, {reqid: "/"}
    )
    assert parsed.authn_info()[0][0] == STEPUP_PAYROLL


def test_the_check_page_says_force_authn_is_why_a_recent_check_is_asked_again(
    idp_at_live_server, register_sp, sp_client, default_policies
):
    register_sp()
    _, url = authn_request_url(
        sp_client(),
        idp_at_live_server.url,
        relay_state="https://campus.example/campus/payroll/checks",
        requested_authn_context=_requested(STEPUP_PAYROLL),
        force_authn="true",
    )
    recent = browser(signed_in_session(checked_ago=timedelta(seconds=22)))
    response = recent.get(url, allow_redirects=False, timeout=10)
    assert "/stepup/authenticate/" in response.headers["Location"]
    page = recent.get(idp_at_live_server.url + response.headers["Location"], timeout=10)
    assert "The service asked for a new fingerprint or face check for this request" in page.text
    assert "within the last 5 minutes" not in page.text


def test_a_context_the_idp_cannot_give_is_answered_with_no_authn_context(
    idp_at_live_server, register_sp, sp_client
):
    register_sp()
    client = sp_client()
    _, url = authn_request_url(
        client,
        idp_at_live_server.url,
        requested_authn_context=_requested(
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        ),
    )
    response = browser().get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 200  # answered at once, no sign-in first
    xml = decode_response(saml_form(response))
    assert "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext" in xml
    assert "rsa-sha256" in xml
    assert (
        AuditEntry.objects.get(action="stepup.denied").details["status"].endswith("NoAuthnContext")
    )


def test_is_passive_without_a_session_is_answered_with_no_passive(
    idp_at_live_server, register_sp, sp_client
):
    register_sp()
    _, url = authn_request_url(sp_client(), idp_at_live_server.url, is_passive="true")
    response = browser().get(url, allow_redirects=False, timeout=10)
    assert "urn:oasis:names:tc:SAML:2.0:status:NoPassive" in decode_response(saml_form(response))


def test_a_missing_campus_role_is_refused_with_a_clear_message(
    idp_at_live_server, register_sp, sp_client, default_policies
):
    from stepup.models import StepUpPolicy

    register_sp()
    StepUpPolicy.objects.filter(action="payroll").update(required_roles=["Payroll manager"])
    from stepup.services.state import config_changed

    config_changed()
    _, url = authn_request_url(sp_client(), idp_at_live_server.url, relay_state="/payroll")
    key = signed_in_session(make_subject(roles=("Teacher",)), checked_ago=timedelta(seconds=30))
    response = browser(key).get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 403
    assert "limited to staff with the Campus role Payroll manager" in response.text
    assert "RequestDenied" in decode_response(saml_form(response))
    assert AuditEntry.objects.filter(action="stepup.denied").count() == 1


def test_http_post_binding_resumes_through_one_same_site_redirect(
    idp_at_live_server, register_sp, sp_client
):
    from saml2 import BINDING_HTTP_POST as POST

    register_sp(signs_requests=True)
    client = sp_client(signs_requests=True)
    reqid, info = client.prepare_for_authenticate(
        entityid=f"{idp_at_live_server.url}/idp/metadata",
        binding=POST,
        sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
    )
    form = saml_form(type("R", (), {"text": info["data"]})())
    s = browser(signed_in_session())
    posted = s.post(
        form["action"],
        data={"SAMLRequest": form["SAMLRequest"], "RelayState": form.get("RelayState", "")},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 303, posted.text[:500]
    assert "Set-Cookie" not in posted.headers  # the SP's POST never touches the session
    resume = idp_at_live_server.url + posted.headers["Location"]
    answered = s.get(resume, allow_redirects=False, timeout=10)
    parsed = client.parse_authn_request_response(
        saml_form(answered)["SAMLResponse"], POST, {reqid: "/"}
    )
    assert parsed.name_id is not None
    again = s.get(resume, allow_redirects=False, timeout=10)
    assert again.status_code == 403  # the resume link works once


def test_metadata_is_signed_and_lists_endpoints_and_class_refs(idp_at_live_server):
    response = requests.get(f"{idp_at_live_server.url}/idp/metadata", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/samlmetadata+xml")
    xml = response.text
    assert f'entityID="{idp_at_live_server.url}/idp/metadata"' in xml
    assert "rsa-sha256" in xml and "SignatureValue" in xml
    for path in ("/idp/sso/redirect", "/idp/sso/post", "/idp/slo/redirect"):
        assert f"{idp_at_live_server.url}{path}" in xml
    for ref in (REFEDS_MFA, STEPUP_PAYROLL):
        assert ref in xml
