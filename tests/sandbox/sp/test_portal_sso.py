"""The Campus portal (the sandbox's SAML SP) against idbridge's real IdP on a live server:
metadata, sign-in, step-up per page, freshness on POST, refusals, tampering, logout."""

import re
from datetime import timedelta

import pytest
import requests
from django.contrib.auth import get_user_model
from django.utils import timezone
from lxml import etree

from stepup.policy import REFEDS_MFA, STEPUP_ENROLLMENT_CHANGE, STEPUP_GRADE_OVERRIDE
from stepup.policy import STEPUP_PAYROLL as PAYROLL_CLASS
from tests.sandbox.sp.conftest import (
    ENROLLMENT_CHANGE,
    GRADE_OVERRIDE,
    PAYROLL,
    PORTAL,
    Browser,
    authn_request_of,
    make_subject,
    passkey_check,
    portal_session,
    response_xml,
    signed_in_browser,
    signed_in_session,
    with_response_xml,
)

pytestmark = pytest.mark.django_db(transaction=True)

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"
DS = "http://www.w3.org/2000/09/xmldsig#"
RECHECK_PAYROLL = "/sandbox/campus/saml/login/?next=%2Fsandbox%2Fcampus%2Fpayroll%2F"


def step_up(browser: Browser, path: str):
    """Open a sensitive page: the IdP asks for a fresh check, the person gives it."""
    at_idp = browser.walk(path)
    assert at_idp.is_redirect and "/stepup/authenticate/" in at_idp.headers["Location"]
    passkey_check(browser)
    return browser.resume(at_idp)


def sp_request_to_idp(browser: Browser, path: str) -> tuple[str, dict]:
    """The AuthnRequest the portal sends when ``path`` is opened (HTTP-Redirect)."""
    first = browser.get(path)
    assert first.status_code == 302
    login = browser.http.get(browser.url(first.headers["Location"]), allow_redirects=False)
    assert login.status_code == 302
    location = login.headers["Location"]
    assert location.startswith(f"{browser.base_url}/idp/sso/redirect?")
    return authn_request_of(location)


# --- metadata and registration ------------------------------------------------------------


def test_sp_metadata_is_valid_and_asks_for_signed_requests_and_signed_assertions(portal_server):
    from stepup.models import ServiceProvider
    from stepup.saml.metadata import check_loads_in_pysaml2, parse_sp_metadata

    response = requests.get(f"{portal_server.url}/sandbox/campus/saml/metadata/", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/samlmetadata+xml")
    parsed = parse_sp_metadata(response.content)
    check_loads_in_pysaml2(parsed.xml)
    assert parsed.entity_id == "urn:idbridge:campus-sandbox:sp"
    assert parsed.authn_requests_signed
    assert 'WantAssertionsSigned="true"' in parsed.xml
    assert [e.url for e in parsed.acs] == [f"{portal_server.url}/sandbox/campus/saml/acs/"]
    assert [e.url for e in parsed.slo] == [f"{portal_server.url}/sandbox/campus/saml/slo/"]
    assert len(parsed.signing_certs) == 1
    # The algorithms named (not the certificates' base64, where "md5" can occur by chance).
    algorithms = re.findall(r'Algorithm="([^"]*)"', parsed.xml)
    assert not [a for a in algorithms if "sha1" in a or "md5" in a], algorithms
    assert parsed.name_id_formats == ("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",)

    registered = ServiceProvider.objects.get(entity_id=parsed.entity_id)
    assert registered.signatures_required and registered.require_signed_requests
    assert registered.signing_certificates == list(parsed.signing_certs)
    assert registered.enabled


# --- sign-in --------------------------------------------------------------------------------


def test_an_unauthenticated_portal_visit_starts_sso_with_a_signed_request(portal_server):
    browser = Browser(portal_server.url)
    xml, query = sp_request_to_idp(browser, PORTAL)
    assert query["SigAlg"] == RSA_SHA256 and query["Signature"]
    assert query["RelayState"] == PORTAL
    assert f'Destination="{portal_server.url}/idp/sso/redirect"' in xml
    assert ">urn:idbridge:campus-sandbox:sp</" in xml  # Issuer
    assert 'Comparison="exact"' in xml and f">{REFEDS_MFA}</" in xml
    assert "ForceAuthn" not in xml
    assert "nameid-format:persistent" in xml

    # Nobody is signed in to the IdP: it asks for a passkey sign-in.
    at_idp = Browser(portal_server.url).walk(PORTAL)
    assert at_idp.status_code == 302
    assert at_idp.headers["Location"].startswith("/stepup/authenticate/?next=")


def test_a_signed_in_staff_member_sees_attributes_class_ref_and_authn_instant(portal_server):
    checked_at = (timezone.now() - timedelta(minutes=3)).replace(microsecond=0)
    browser = Browser(portal_server.url, signed_in_session(checked_at=checked_at))
    page = browser.walk(PORTAL)
    assert page.status_code == 200
    text = page.text
    assert "Rosa Diaz" in text and "E1007" in text and "rosa.diaz@district.example" in text
    assert "Payroll clerk, Teacher" in text
    assert f'data-testid="portal-class-ref">{REFEDS_MFA}<' in text
    # AuthnInstant is the IdP's passkey check, three minutes ago (not the sign-in time).
    assert checked_at.astimezone(timezone.get_current_timezone()).isoformat() in text
    # The portal kept its own session; the SAML messages went through its cookie.
    assert browser.cookie("campus_portal_session")


def test_signing_in_to_the_portal_creates_no_user_and_grants_no_dashboard_access(
    portal_server, district_admin
):
    from django.test import Client

    from stepup.policy import PASSKEY, AuthEvent
    from stepup.subjects import sso_session_start

    users_before = get_user_model().objects.count()
    # A district admin, signed in to the dashboard, also signs in to the IdP and portal.
    admin = Client()
    admin.force_login(district_admin)
    session = admin.session
    sso_session_start(
        type("R", (), {"session": session})(),
        make_subject(),
        AuthEvent(PASSKEY, timezone.now(), user_verified=True),
    )
    session.save()
    browser = Browser(portal_server.url, session.session_key)
    assert browser.walk(PORTAL).status_code == 200
    assert get_user_model().objects.count() == users_before
    # The dashboard login is untouched by the portal's sign-in ...
    assert browser.get("/stepup/").status_code == 200

    # ... and a person signed in only to the IdP and the portal has no dashboard access.
    staff = signed_in_browser(portal_server)
    dashboard = staff.get("/stepup/")
    assert dashboard.status_code == 302 and "/accounts/login/" in dashboard.headers["Location"]
    assert staff.get("/sandbox/").status_code == 302
    assert get_user_model().objects.count() == users_before


def test_the_portal_sends_people_back_only_to_its_own_pages(portal_server):
    browser = Browser(portal_server.url)
    login = browser.get("/sandbox/campus/saml/login/?next=https://evil.example/steal")
    _, query = authn_request_of(login.headers["Location"])
    assert query["RelayState"] == PORTAL


# --- step-up ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "class_ref"),
    [
        (PAYROLL, PAYROLL_CLASS),
        (GRADE_OVERRIDE, STEPUP_GRADE_OVERRIDE),
        (ENROLLMENT_CHANGE, STEPUP_ENROLLMENT_CHANGE),
    ],
)
def test_each_sensitive_page_asks_for_its_class_exactly_with_force_authn(
    portal_server, path, class_ref
):
    browser = signed_in_browser(portal_server)
    xml, query = sp_request_to_idp(browser, path)
    assert 'ForceAuthn="true"' in xml
    assert re.search(r'RequestedAuthnContext[^>]*Comparison="exact"', xml)
    assert xml.count("AuthnContextClassRef>") == 2 and f">{class_ref}</" in xml
    assert query["RelayState"] == path
    assert query["SigAlg"] == RSA_SHA256


def test_payroll_demands_a_fresh_check_then_shows_the_step_up_and_accepts_the_change(
    portal_server,
):
    browser = signed_in_browser(portal_server, checked_ago=timedelta(seconds=30))
    # A check 30 s old is not enough: ForceAuthn wants one made after the request.
    at_idp = browser.walk(PAYROLL)
    assert at_idp.is_redirect and "/stepup/authenticate/" in at_idp.headers["Location"]
    before = timezone.now().replace(microsecond=0)
    passkey_check(browser)
    page = browser.resume(at_idp)
    assert page.status_code == 200, page.text[:1500]
    assert page.url.endswith(PAYROLL)
    assert f'data-testid="step-up-class-ref">{PAYROLL_CLASS}<' in page.text
    instant = re.search(r'data-testid="step-up-instant" datetime="([^"]+)"', page.text).group(1)
    from datetime import datetime

    assert datetime.fromisoformat(instant) >= before
    assert "E1007" in page.text  # the step-up assertion's attributes

    done = browser.form_post(PAYROLL)
    assert done.status_code == 200
    assert "Payroll run approved (simulated)" in done.text
    # A second visit within the limit needs no new check ...
    again = browser.get(PAYROLL)
    assert again.status_code == 200
    # ... unless the person asks for one: ForceAuthn again, a new check, a newer instant.
    assert f'href="{RECHECK_PAYROLL.replace("&", "&amp;")}"' in again.text
    at_idp = browser.walk(RECHECK_PAYROLL)
    assert at_idp.is_redirect and "/stepup/authenticate/" in at_idp.headers["Location"]


def test_a_payroll_step_up_does_not_open_grade_override(portal_server):
    browser = signed_in_browser(portal_server)
    assert step_up(browser, PAYROLL).status_code == 200
    again = browser.get(GRADE_OVERRIDE)
    assert again.status_code == 302 and "/saml/login/" in again.headers["Location"]


def test_a_stale_step_up_is_refused_on_post_and_the_page_asks_again(portal_server):
    from sandbox.sp.session import STEP_UPS_KEY

    browser = signed_in_browser(portal_server)
    assert step_up(browser, PAYROLL).status_code == 200
    # Five minutes and a second pass: the check is older than payroll's 300 s.
    session = portal_session(browser)
    step_ups = session[STEP_UPS_KEY]
    old = timezone.now() - timedelta(seconds=301)
    step_ups["payroll"]["authn_instant"] = old.isoformat()
    session[STEP_UPS_KEY] = step_ups
    session.save()

    refused = browser.form_post(PAYROLL)
    assert refused.status_code == 403
    assert "accepts changes only within 300 seconds" in refused.text
    assert "Payroll run approved" not in browser.get(PORTAL).text
    again = browser.get(PAYROLL)
    assert again.status_code == 302 and "/saml/login/" in again.headers["Location"]


def test_enrollment_change_allows_ten_minutes(portal_server):
    from sandbox.sp.session import STEP_UPS_KEY

    browser = signed_in_browser(portal_server)
    assert step_up(browser, ENROLLMENT_CHANGE).status_code == 200
    session = portal_session(browser)
    step_ups = session[STEP_UPS_KEY]
    step_ups["enrollment_change"]["authn_instant"] = (
        timezone.now() - timedelta(seconds=420)
    ).isoformat()
    session[STEP_UPS_KEY] = step_ups
    session.save()
    assert "Enrollment ended (simulated)" in browser.form_post(ENROLLMENT_CHANGE).text


# --- refusals -------------------------------------------------------------------------------


def test_no_authn_context_shows_step_up_refused_and_the_portal_session_survives(portal_server):
    from stepup.models import StepUpPolicy
    from stepup.services.policies import step_up_policy_update

    browser = signed_in_browser(portal_server)
    assert step_up(browser, PAYROLL).status_code == 200
    # The district switched payroll step-up off: idbridge cannot assert the payroll class.
    step_up_policy_update(
        policy=StepUpPolicy.objects.get(action="payroll"), actor="test", enabled=False
    )
    refused = browser.walk(RECHECK_PAYROLL)
    assert refused.status_code == 403
    assert "Step-up refused" in refused.text
    assert NO_AUTHN_CONTEXT in refused.text
    assert "still signed in to the Campus portal as" in refused.text

    portal = browser.get(PORTAL)
    assert portal.status_code == 200 and "Rosa Diaz" in portal.text
    # The refused re-check also ended the earlier payroll step-up; the page asks again
    # only when opened again (no loop).
    assert browser.get(PAYROLL).headers["Location"] == RECHECK_PAYROLL


def test_a_step_up_by_another_person_is_refused_and_keeps_the_portal_session(portal_server):
    from django.contrib.sessions.backends.db import SessionStore

    from stepup.policy import PASSKEY, AuthEvent
    from stepup.subjects import sso_session_start

    browser = signed_in_browser(portal_server)
    at_idp = browser.walk(PAYROLL)
    # Someone else uses their passkey at the IdP in this browser.
    session = SessionStore(browser.cookie("sessionid"))
    sso_session_start(
        type("R", (), {"session": session})(),
        make_subject(subject_id="staff-8", staff_number="E1008", display_name="Sam Lee"),
        AuthEvent(PASSKEY, timezone.now(), user_verified=True),
    )
    session.save()
    browser.set_cookie("sessionid", session.session_key)
    refused = browser.resume(at_idp)
    assert refused.status_code == 403
    assert "different person" in refused.text
    portal = browser.get(PORTAL)
    assert "Rosa Diaz" in portal.text and "Sam Lee" not in portal.text


def test_a_tampered_response_is_refused(portal_server):
    browser = Browser(portal_server.url, signed_in_session())
    form = browser.saml_answer(PORTAL)
    xml = response_xml(form)
    assert "E1007" in xml
    refused = browser.post_to_acs(with_response_xml(form, xml.replace("E1007", "E9999")))
    assert refused.status_code == 403
    assert "could not verify" in refused.text
    assert browser.get(PORTAL).status_code == 302  # not signed in


def test_an_unsigned_response_is_refused(portal_server):
    browser = Browser(portal_server.url, signed_in_session())
    form = browser.saml_answer(PORTAL)
    root = etree.fromstring(response_xml(form).encode())
    signatures = root.findall(f".//{{{DS}}}Signature")
    assert len(signatures) == 2  # Response and Assertion
    for signature in signatures:
        signature.getparent().remove(signature)
    refused = browser.post_to_acs(with_response_xml(form, etree.tostring(root).decode()))
    assert refused.status_code == 403
    assert browser.get(PORTAL).status_code == 302


def test_a_response_signed_by_someone_else_is_refused(portal_server):
    """Re-signed with another key that carries its own certificate in KeyInfo: the SP
    trusts only the certificates in idbridge's metadata (CVE-2021-21239)."""
    import xmlsec

    from stepup.saml.keys import generate_key_pair

    browser = Browser(portal_server.url, signed_in_session())
    form = browser.saml_answer(PORTAL)
    root = etree.fromstring(response_xml(form).encode())
    for signature in root.findall(f".//{{{DS}}}Signature"):
        signature.getparent().remove(signature)
    root.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}AttributeValue").text = "forged"
    pair = generate_key_pair("attacker.example")
    key = xmlsec.Key.from_memory(pair.private_key_pem, xmlsec.constants.KeyDataFormatPem)
    key.load_cert_from_memory(pair.certificate_pem, xmlsec.constants.KeyDataFormatPem)
    for element in (root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"), root):
        template = xmlsec.template.create(
            element, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256
        )
        issuer = element.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer")
        issuer.addnext(template)
        ref = xmlsec.template.add_reference(
            template, xmlsec.constants.TransformSha256, uri=f"#{element.get('ID')}"
        )
        xmlsec.template.add_transform(ref, xmlsec.constants.TransformEnveloped)
        xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
        xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(template))
        ctx = xmlsec.SignatureContext()
        ctx.key = key
        xmlsec.tree.add_ids(element, ["ID"])
        ctx.sign(template)
    refused = browser.post_to_acs(with_response_xml(form, etree.tostring(root).decode()))
    assert refused.status_code == 403
    assert browser.get(PORTAL).status_code == 302


def test_a_replayed_response_is_refused(portal_server):
    browser = Browser(portal_server.url, signed_in_session())
    form = browser.saml_answer(PORTAL)
    assert browser.post_to_acs(form).status_code == 302
    assert browser.post_to_acs(form).status_code == 403


def test_the_portal_says_so_when_idbridge_cannot_be_reached(portal_server, settings):
    from sandbox.sp.config import idp_metadata_forget

    settings.CAMPUS_SANDBOX_SP_IDP_METADATA_URL = "http://127.0.0.1:9/idp/metadata"
    idp_metadata_forget()
    page = Browser(portal_server.url).walk(PORTAL)
    assert page.status_code == 503
    assert "idbridge cannot be reached" in page.text


# --- logout ---------------------------------------------------------------------------------


def test_signing_out_ends_the_portal_session_and_the_idp_session(portal_server):
    from django.contrib.sessions.backends.db import SessionStore

    from stepup.subjects import SUBJECT_KEY

    browser = signed_in_browser(portal_server)
    out = browser.form_post("/sandbox/campus/saml/logout/")
    assert out.status_code == 302
    xml, query = authn_request_of(out.headers["Location"])
    assert out.headers["Location"].startswith(f"{portal_server.url}/idp/slo/redirect?")
    assert "LogoutRequest" in xml and query["SigAlg"] == RSA_SHA256
    done = browser.walk(out.headers["Location"])
    assert done.status_code == 200
    assert "idbridge ended its sign-in session too" in done.text
    assert SUBJECT_KEY not in SessionStore(browser.cookie("sessionid")).load()
    assert browser.get(PORTAL).status_code == 302
