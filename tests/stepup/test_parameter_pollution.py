"""HTTP parameter pollution: a signed query with a second SAML parameter appended.

The IdP must not verify one set of parameters and act on another: a duplicated SAML
parameter, or a SAML parameter name sent percent-encoded, is refused (audited, 400).
"""

from urllib.parse import quote

import pytest

from stepup.saml.requests.parameters import parse_saml_parameters
from stepup.saml.requests.values import RequestRefused
from tests.stepup.hostile import (
    assert_answered,
    assert_refused,
    authn_xml,
    b64,
    deflated,
    idp_client,  # noqa: F401 (the idp fixture)
    logout_xml,
    new_id,
    query,
    sign_enveloped,
    sign_in,
)

EVIL_ID = "_attackers_own_request"


@pytest.fixture
def signing_sp(register_sp, sp_key_files):
    """A registered SP whose metadata says it signs its requests."""
    register_sp(signs_requests=True)
    return sp_key_files.pair


def signed_query(pair, relay_state="/home"):
    return query(authn_xml(), relay_state=relay_state, key_pem=pair.private_key_pem)


def evil_request() -> str:
    return quote(deflated(authn_xml(request_id=EVIL_ID)), safe="")


def test_a_signed_query_is_answered(idp, signing_sp):
    sign_in(idp)
    assert_answered(idp.get(f"/idp/sso/redirect?{signed_query(signing_sp)}"))


@pytest.mark.parametrize(
    "appended",
    [
        "SAMLRequest={evil}",
        "SAML%52equest={evil}",
        "%53AMLRequest={evil}",
        "RelayState=%2Fpayroll",
        "Relay%53tate=%2Fpayroll",
        "SigAlg=http%3A%2F%2Fwww.w3.org%2F2000%2F09%2Fxmldsig%23rsa-sha1",
        "Signature=AAAA",
        "SAMLResponse={evil}",
    ],
)
def test_a_signed_query_with_a_second_saml_parameter_is_refused(idp, signing_sp, appended):
    sign_in(idp)
    polluted = f"{signed_query(signing_sp)}&{appended.format(evil=evil_request())}"
    response = idp.get(f"/idp/sso/redirect?{polluted}")
    assert_refused(response, "polluted")
    assert EVIL_ID not in response.content.decode()


def test_the_attackers_parameter_first_is_refused_too(idp, signing_sp):
    sign_in(idp)
    response = idp.get(f"/idp/sso/redirect?SAMLRequest={evil_request()}&{signed_query(signing_sp)}")
    assert_refused(response, "polluted", text="more than once")


def test_an_encoded_name_alone_is_refused(idp, register_sp):
    register_sp()
    response = idp.get(f"/idp/sso/redirect?SAML%52equest={evil_request()}")
    assert_refused(response, "polluted", text="is encoded")


def test_a_signed_logout_request_with_a_second_saml_request_is_refused(
    idp, signing_sp, sp_key_files
):
    signed = query(logout_xml(name_id="someone"), key_pem=signing_sp.private_key_pem)
    other = quote(deflated(logout_xml(name_id="someone-else")), safe="")
    for appended in (f"SAMLRequest={other}", f"SAML%52equest={other}", f"SAMLResponse={other}"):
        assert_refused(idp.get(f"/idp/slo/redirect?{signed}&{appended}"), "polluted")


def test_a_duplicated_form_field_is_refused_on_the_post_endpoints(idp, signing_sp):
    signed = b64(sign_enveloped(authn_xml(destination="sso_post"), signing_sp))
    evil = b64(authn_xml(request_id=EVIL_ID, destination="sso_post"))
    form = "application/x-www-form-urlencoded"
    for body in (
        f"SAMLRequest={quote(signed)}&SAMLRequest={quote(evil)}",
        f"SAMLRequest={quote(signed)}&SAML%52equest={quote(evil)}",
        f"SAMLRequest={quote(signed)}&RelayState=a&RelayState=b",
    ):
        assert_refused(idp.post("/idp/sso/post", body, content_type=form), "polluted")
    logout = b64(logout_xml(name_id="x", destination="slo_post"))
    body = f"SAMLRequest={quote(logout)}&SAMLRequest={quote(logout)}"
    assert_refused(idp.post("/idp/slo/post", body, content_type=form), "polluted")


def test_a_duplicated_multipart_field_is_refused(idp, signing_sp):
    signed = b64(sign_enveloped(authn_xml(destination="sso_post"), signing_sp))
    response = idp.post("/idp/sso/post", {"SAMLRequest": [signed, signed]})  # multipart
    assert_refused(response, "polluted")


def test_saml_parameters_in_the_address_of_a_post_are_refused(idp, signing_sp):
    signed = b64(sign_enveloped(authn_xml(destination="sso_post"), signing_sp))
    address = f"/idp/sso/post?RelayState=%2Fpayroll&x={new_id()}"
    response = idp.post(address, {"SAMLRequest": signed})
    assert_refused(response, "polluted", text="in the form only")


def test_a_signed_post_request_is_still_accepted(idp, signing_sp):
    signed = b64(sign_enveloped(authn_xml(destination="sso_post"), signing_sp))
    response = idp.post("/idp/sso/post", {"SAMLRequest": signed, "RelayState": "/home"})
    assert response.status_code == 303


# --- the parsing on its own ------------------------------------------------------------------


def test_the_signed_octets_are_the_received_ones_in_the_bindings_order():
    params = parse_saml_parameters("Signature=s&SigAlg=a%2Bb&x=1&RelayState=r+1&SAMLRequest=q%3D")
    assert params.signed_octets() == b"SAMLRequest=q%3D&RelayState=r+1&SigAlg=a%2Bb"
    assert params.get("SAMLRequest") == "q=" and params.get("RelayState") == "r 1"
    assert params.get("SigAlg") == "a+b" and params.get("Signature") == "s"


@pytest.mark.parametrize(
    "raw",
    [
        "SAMLRequest=a&SAMLRequest=b",
        "SAMLRequest=a&SAML%52equest=b",
        "SAML+Request=a&SAMLRequest=b",
        "SAMLRequest=a&%52elayState=b",
        "SAMLRequest=a&SAMLResponse=b",
        "SAMLRequest&SAMLRequest",
    ],
)
def test_duplicated_or_encoded_saml_names_are_refused(raw):
    if raw.startswith("SAML+Request"):
        # "SAML Request" is no SAML parameter: only the real one is read.
        assert parse_saml_parameters(raw).get("SAMLRequest") == "b"
        return
    with pytest.raises(RequestRefused) as refused:
        parse_saml_parameters(raw)
    assert refused.value.code == "polluted"
