"""Identifiers are read whole: a comment, processing instruction or element inside an
Issuer, NameID, SessionIndex or AuthnContextClassRef is refused as malformed (audited),
never read as the text before it (``X<!---->-not-the-same`` is not ``X``)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore

from stepup.policy import REFEDS_MFA
from stepup.sso import ISSUED_KEY
from stepup.subjects import SUBJECT_KEY
from tests.stepup.conftest import SP_ENTITY_ID, signed_in_session
from tests.stepup.hostile import (
    assert_answered,
    assert_refused,
    authn_xml,
    idp_client,  # noqa: F401 (the idp fixture)
    logout_xml,
    query,
    sign_in,
)

NAME_ID = "X"
HIDDEN = ["<!---->", "<?pi x?>", "<saml:b/>"]


@pytest.fixture
def sp_pair(register_sp, sp_key_files):
    register_sp()
    return sp_key_files.pair


def session_with_name_id(client) -> str:
    """A signed-in session in which ``NAME_ID`` was issued to the test SP."""
    key = signed_in_session()
    session = SessionStore(key)
    session[ISSUED_KEY] = {SP_ENTITY_ID: NAME_ID}
    session.save()
    client.cookies["sessionid"] = key
    return key


def still_signed_in(key: str) -> bool:
    return SUBJECT_KEY in SessionStore(key).load()


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_name_id_with_a_comment_does_not_end_the_session_it_starts_with(idp, sp_pair, hidden):
    key = session_with_name_id(idp)
    xml = logout_xml(name_id=f"{NAME_ID}{hidden}-not-the-same")
    response = idp.get(f"/idp/slo/redirect?{query(xml, key_pem=sp_pair.private_key_pem)}")
    assert_refused(response, "malformed", text="identifiers are plain text")
    assert still_signed_in(key)


def test_the_plain_name_id_ends_the_session(idp, sp_pair):
    key = session_with_name_id(idp)
    xml = logout_xml(name_id=NAME_ID)
    response = idp.get(f"/idp/slo/redirect?{query(xml, key_pem=sp_pair.private_key_pem)}")
    assert response.status_code == 200 and "SAMLResponse" in response.content.decode()
    assert not still_signed_in(key)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_session_index_with_a_comment_is_refused(idp, sp_pair, hidden):
    key = session_with_name_id(idp)
    xml = logout_xml(name_id=NAME_ID, session_index=f"s1{hidden}s2")
    response = idp.get(f"/idp/slo/redirect?{query(xml, key_pem=sp_pair.private_key_pem)}")
    assert_refused(response, "malformed", text="SessionIndex")
    assert still_signed_in(key)


def test_two_name_ids_are_refused(idp, sp_pair):
    key = session_with_name_id(idp)
    xml = logout_xml(name_id=NAME_ID).replace(
        "</saml:NameID>", "</saml:NameID><saml:NameID>someone-else</saml:NameID>"
    )
    response = idp.get(f"/idp/slo/redirect?{query(xml, key_pem=sp_pair.private_key_pem)}")
    assert_refused(response, "malformed", text="more than one NameID")
    assert still_signed_in(key)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_an_issuer_with_a_comment_is_refused(idp, register_sp, hidden):
    register_sp()
    sign_in(idp)
    xml = authn_xml(issuer=f"<saml:Issuer>{SP_ENTITY_ID}{hidden}.evil</saml:Issuer>")
    assert_refused(idp.get(f"/idp/sso/redirect?{query(xml)}"), "malformed", text="Issuer")


def test_a_logout_issuer_with_a_comment_is_refused(idp, sp_pair):
    session_with_name_id(idp)
    issuer = f"<saml:Issuer>{SP_ENTITY_ID}<!---->.evil</saml:Issuer>"
    xml = logout_xml(name_id=NAME_ID, issuer=issuer)
    response = idp.get(f"/idp/slo/redirect?{query(xml, key_pem=sp_pair.private_key_pem)}")
    assert_refused(response, "malformed", text="Issuer")


def test_two_issuers_are_refused(idp, register_sp):
    register_sp()
    issuer = f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer><saml:Issuer>https://x.test</saml:Issuer>"
    xml = authn_xml(issuer=issuer)
    assert_refused(idp.get(f"/idp/sso/redirect?{query(xml)}"), "malformed", text="more than one")


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_class_ref_with_a_comment_is_refused(idp, register_sp, hidden):
    register_sp()
    sign_in(idp)
    body = (
        '<samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>'
        f"{REFEDS_MFA}{hidden}x</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>"
    )
    response = idp.get(f"/idp/sso/redirect?{query(authn_xml(body=body))}")
    assert_refused(response, "malformed", text="AuthnContextClassRef")


def test_two_name_id_policies_or_requested_contexts_are_refused(idp, register_sp):
    register_sp()
    for body in (
        '<samlp:NameIDPolicy AllowCreate="true"/><samlp:NameIDPolicy Format="x"/>',
        "<samlp:RequestedAuthnContext/><samlp:RequestedAuthnContext/>",
    ):
        response = idp.get(f"/idp/sso/redirect?{query(authn_xml(body=body))}")
        assert_refused(response, "malformed", text="more than one")


def test_a_comment_elsewhere_in_the_request_is_harmless(idp, register_sp):
    register_sp()
    sign_in(idp)
    xml = authn_xml(body="<!-- a comment between elements -->")
    assert_answered(idp.get(f"/idp/sso/redirect?{query(xml)}"))
