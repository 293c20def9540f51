"""Interoperability: an SP built with python3-saml (OneLogin; a different library from the
IdP's pysaml2) reads our metadata, signs its AuthnRequest, completes SSO and validates
the signed Response and Assertion."""

from datetime import timedelta

import pytest
import requests
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from stepup.policy import REFEDS_MFA, STEPUP_PAYROLL
from stepup.saml.keys import generate_key_pair
from tests.stepup.conftest import browser, saml_form, signed_in_session

pytestmark = pytest.mark.django_db(transaction=True)

SP2 = "https://sp2.test/saml/metadata"
SP2_ACS = "https://sp2.test/saml/acs"


@pytest.fixture(scope="module")
def sp2_keys():
    return generate_key_pair("sp2.test")


def onelogin_settings(idp_url, sp2_keys, *, requested_context=(REFEDS_MFA,)):
    metadata = requests.get(f"{idp_url}/idp/metadata", timeout=10).text
    idp = OneLogin_Saml2_IdPMetadataParser.parse(metadata)
    return {
        "strict": True,
        "sp": {
            "entityId": SP2,
            "assertionConsumerService": {
                "url": SP2_ACS,
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            },
            "NameIDFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "x509cert": sp2_keys.certificate_pem,
            "privateKey": sp2_keys.private_key_pem,
        },
        "idp": idp["idp"],
        "security": {
            "authnRequestsSigned": True,
            "wantMessagesSigned": True,
            "wantAssertionsSigned": True,
            "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            "rejectDeprecatedAlgorithm": True,
            "requestedAuthnContext": list(requested_context) if requested_context else True,
            "requestedAuthnContextComparison": "exact",
        },
    }


def register_onelogin_sp(settings):
    from stepup.saml.metadata import parse_sp_metadata
    from stepup.services.service_providers import service_provider_register

    xml = OneLogin_Saml2_Settings(settings, sp_validation_only=True).get_sp_metadata()
    return service_provider_register(metadata=parse_sp_metadata(xml), actor="test")


def acs_request(form):
    return {
        "https": "on",
        "http_host": "sp2.test",
        "script_name": "/saml/acs",
        "get_data": {},
        "post_data": {
            "SAMLResponse": form["SAMLResponse"],
            "RelayState": form.get("RelayState", ""),
        },
    }


def sso(idp_url, settings, session_key, return_to="https://sp2.test/home"):
    login = OneLogin_Saml2_Auth(
        {"https": "on", "http_host": "sp2.test", "script_name": "/saml/login", "get_data": {}},
        settings,
    )
    url = login.login(return_to=return_to)
    assert "Signature=" in url and "SigAlg=" in url  # python3-saml signs the request
    response = browser(session_key).get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 200, response.text[:800]
    auth = OneLogin_Saml2_Auth(acs_request(saml_form(response)), settings)
    auth.process_response(request_id=login.get_last_request_id())
    return auth


def test_a_python3_saml_sp_completes_sso_and_validates_the_signatures(idp_at_live_server, sp2_keys):
    settings = onelogin_settings(idp_at_live_server.url, sp2_keys)
    sp = register_onelogin_sp(settings)
    assert sp.metadata_wants_signed_requests

    auth = sso(idp_at_live_server.url, settings, signed_in_session())
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert auth.get_attribute("urn:oid:0.9.2342.19200300.100.1.3") == ["rosa.diaz@district.example"]
    assert auth.get_attribute("urn:idbridge:attribute:campus-roles") == ["Payroll clerk", "Teacher"]
    assert auth.get_nameid_format() == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert auth.get_last_authn_contexts() == [REFEDS_MFA]


def test_a_python3_saml_sp_asking_for_payroll_gets_it_only_after_a_fresh_check(
    idp_at_live_server, sp2_keys, default_policies
):
    settings = onelogin_settings(
        idp_at_live_server.url, sp2_keys, requested_context=(STEPUP_PAYROLL,)
    )
    register_onelogin_sp(settings)
    auth = sso(
        idp_at_live_server.url, settings, signed_in_session(checked_ago=timedelta(seconds=20))
    )
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [STEPUP_PAYROLL]

    login = OneLogin_Saml2_Auth(
        {"https": "on", "http_host": "sp2.test", "script_name": "/saml/login", "get_data": {}},
        settings,
    )
    stale = browser(signed_in_session(checked_ago=timedelta(minutes=30)))
    response = stale.get(login.login(), allow_redirects=False, timeout=10)
    assert response.status_code == 302 and "/stepup/authenticate/" in response.headers["Location"]


def test_python3_saml_default_password_context_gets_a_no_authn_context_answer(
    idp_at_live_server, sp2_keys
):
    settings = onelogin_settings(idp_at_live_server.url, sp2_keys, requested_context=None)
    register_onelogin_sp(settings)
    auth = sso(idp_at_live_server.url, settings, signed_in_session())
    assert not auth.is_authenticated()
    assert "cannot give" in auth.get_last_error_reason()
    assert "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext" in auth.get_last_response_xml()
