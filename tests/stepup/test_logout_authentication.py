"""A LogoutRequest must be authenticated: signed with the SP's registered certificate,
whatever the SP's "requests signed" setting; an SP with no signing certificate cannot send
one at all, and its page in the dashboard says so."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from lxml import etree

from stepup.saml.keys import generate_key_pair
from stepup.sso import ISSUED_KEY
from stepup.subjects import SUBJECT_KEY
from tests.stepup.conftest import SP_ENTITY_ID, signed_in_session, sp_metadata
from tests.stepup.hostile import (
    assert_answered,
    assert_refused,
    authn_xml,
    b64,
    idp_client,  # noqa: F401 (the idp fixture)
    logout_xml,
    query,
    sign_enveloped,
    sign_in,
)

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NAME_ID = "persistent-name-of-rosa"


@pytest.fixture
def sp_pair(register_sp, sp_key_files):
    """The test SP, registered with its signing certificate, not required to sign."""
    register_sp()
    return sp_key_files.pair


@pytest.fixture
def sp_without_certificate(db, sp_key_files):
    """The test SP registered from metadata without any KeyDescriptor."""
    from stepup.saml.metadata import parse_sp_metadata
    from stepup.services.service_providers import service_provider_register

    root = etree.fromstring(sp_metadata(sp_key_files).encode())
    for key in list(root.iter(f"{{{MD}}}KeyDescriptor")):
        key.getparent().remove(key)
    metadata = parse_sp_metadata(etree.tostring(root).decode())
    assert not metadata.signing_certs
    return service_provider_register(metadata=metadata, actor="test")


def session_with_name_id(client) -> str:
    key = signed_in_session()
    session = SessionStore(key)
    session[ISSUED_KEY] = {SP_ENTITY_ID: NAME_ID}
    session.save()
    client.cookies["sessionid"] = key
    return key


def still_signed_in(key: str) -> bool:
    return SUBJECT_KEY in SessionStore(key).load()


def test_an_unsigned_logout_request_is_refused_over_either_binding(idp, sp_pair):
    key = session_with_name_id(idp)
    response = idp.get(f"/idp/slo/redirect?{query(logout_xml(name_id=NAME_ID))}")
    assert_refused(response, "signature_required", status=403, text="must sign")
    xml = logout_xml(name_id=NAME_ID, destination="slo_post")
    response = idp.post("/idp/slo/post", {"SAMLRequest": b64(xml)})
    assert_refused(response, "signature_required", status=403, text="must sign")
    assert still_signed_in(key)


def test_a_logout_request_signed_with_another_key_is_refused(idp, sp_pair):
    key = session_with_name_id(idp)
    attacker = generate_key_pair("attacker")
    signed = query(logout_xml(name_id=NAME_ID), key_pem=attacker.private_key_pem)
    assert_refused(idp.get(f"/idp/slo/redirect?{signed}"), "signature_invalid", status=403)
    xml = sign_enveloped(logout_xml(name_id=NAME_ID, destination="slo_post"), attacker)
    response = idp.post("/idp/slo/post", {"SAMLRequest": b64(xml)})
    assert_refused(response, "signature_invalid", status=403)
    assert still_signed_in(key)


def test_a_tampered_logout_request_is_refused(idp, sp_pair):
    key = session_with_name_id(idp)
    signed = query(logout_xml(name_id=NAME_ID), relay_state="/a", key_pem=sp_pair.private_key_pem)
    tampered = signed.replace("RelayState=%2Fa", "RelayState=%2Fb")
    assert_refused(idp.get(f"/idp/slo/redirect?{tampered}"), "signature_invalid", status=403)
    assert still_signed_in(key)


def test_a_signed_logout_request_ends_the_session_over_either_binding(idp, sp_pair):
    key = session_with_name_id(idp)
    xml = sign_enveloped(logout_xml(name_id=NAME_ID, destination="slo_post"), sp_pair)
    assert_answered(idp.post("/idp/slo/post", {"SAMLRequest": b64(xml)}))
    assert not still_signed_in(key)
    key = session_with_name_id(idp)
    signed = query(logout_xml(name_id=NAME_ID), key_pem=sp_pair.private_key_pem)
    assert_answered(idp.get(f"/idp/slo/redirect?{signed}"))
    assert not still_signed_in(key)


def test_an_sp_without_a_signing_certificate_cannot_log_anyone_out(idp, sp_without_certificate):
    key = session_with_name_id(idp)
    response = idp.get(f"/idp/slo/redirect?{query(logout_xml(name_id=NAME_ID))}")
    assert_refused(response, "no_signing_certificate", status=403, text="Sign out at idbridge")
    assert still_signed_in(key)


def test_an_sp_without_a_signing_certificate_still_signs_people_in(idp, sp_without_certificate):
    sign_in(idp)
    assert_answered(idp.get(f"/idp/sso/redirect?{query(authn_xml())}"))


def test_the_sp_page_says_how_its_logout_requests_are_treated(
    client, district_admin, sp_key_files, register_sp
):
    sp = register_sp()
    client.force_login(district_admin)
    page = client.get(f"/stepup/sps/{sp.pk}/").content.decode()
    assert "Accepted only when signed with one of these certificates" in page
    sp.signing_certificates = []
    sp.save(update_fields=["signing_certificates"])
    page = client.get(f"/stepup/sps/{sp.pk}/").content.decode()
    assert "logout requests cannot be authenticated, so idbridge does not accept them" in page
