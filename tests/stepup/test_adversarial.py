"""The adversarial suite: hostile messages sent to the IdP's SSO (HTTP-Redirect and
HTTP-POST) and SLO endpoints by a registered SP that signs its requests (or someone
pretending to be it).

Each case is one attack and the refusal it must meet: a readable page with the status,
an audit entry with the code, never a 500. Messages are signed with the SP's own key
wherever the attack needs the rest of the message to pass.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from lxml import etree

from idbridge.saml_crypto import parse_xml
from tests.stepup.conftest import SP_ENTITY_ID
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

DSIG = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
FAR_PAST = datetime(2001, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime.now(UTC) + timedelta(days=3650)


@pytest.fixture
def pair(register_sp, sp_key_files):
    """The SP is registered; its metadata says it signs its requests."""
    register_sp(signs_requests=True)
    return sp_key_files.pair


# --- sending --------------------------------------------------------------------------------


def sso_get(client, pair, xml, *, extra="", sign=True, relay_state=""):
    signed = query(xml, relay_state=relay_state, key_pem=pair.private_key_pem if sign else None)
    return client.get(f"/idp/sso/redirect?{signed}{extra}")


def slo_get(client, pair, xml, *, extra=""):
    return client.get(f"/idp/slo/redirect?{query(xml, key_pem=pair.private_key_pem)}{extra}")


def form_post(client, path, body: str):
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


def sso_post(client, xml):
    return client.post("/idp/sso/post", {"SAMLRequest": b64(xml)})


def slo_post(client, xml):
    return client.post("/idp/slo/post", {"SAMLRequest": b64(xml)})


def other_request():
    return quote(deflated(authn_xml(request_id="_the_attackers")), safe="")


def signed_post(pair, **kw):
    return sign_enveloped(authn_xml(destination="sso_post", **kw), pair)


def signed_logout_post(pair, **kw):
    return sign_enveloped(logout_xml(destination="slo_post", **kw), pair)


# --- bending signed XML -------------------------------------------------------------------


def _append(xml: str, fragment: str) -> str:
    root = parse_xml(xml)
    root.append(etree.fromstring(fragment))
    return etree.tostring(root).decode()


def signature_moved_to_an_outer_message(signed: str, outer: str) -> str:
    """The signed message, its signature taken out, inside ``outer`` (in Extensions) and
    the signature put on ``outer``: the Reference still points at the inner message."""
    inner = parse_xml(signed)
    signature = inner.find(f"{{{DSIG}}}Signature")
    inner.remove(signature)
    wrapper = parse_xml(outer)
    wrapper.insert(1, signature)
    extensions = etree.SubElement(wrapper, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    extensions.append(inner)
    return etree.tostring(wrapper).decode()


def unsigned_outer_around(signed: str) -> str:
    wrapper = parse_xml(authn_xml(destination="sso_post"))
    extensions = etree.SubElement(wrapper, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    extensions.append(parse_xml(signed))
    return etree.tostring(wrapper).decode()


# --- the cases --------------------------------------------------------------------------


def _pollution(appended):
    return lambda c, p: sso_get(c, p, authn_xml(), relay_state="/home", extra=appended)


POLLUTION = [
    ("redirect: second SAMLRequest", lambda c, p: sso_get(
        c, p, authn_xml(), extra=f"&SAMLRequest={other_request()}"), "polluted", 400),
    ("redirect: SAML%52equest", lambda c, p: sso_get(
        c, p, authn_xml(), extra=f"&SAML%52equest={other_request()}"), "polluted", 400),
    ("redirect: second RelayState", _pollution("&RelayState=%2Fpayroll"), "polluted", 400),
    ("redirect: second SigAlg", _pollution(f"&SigAlg={quote(RSA_SHA1)}"), "polluted", 400),
    ("redirect: second Signature", _pollution("&Signature=AAAA"), "polluted", 400),
    ("redirect: SAMLResponse beside SAMLRequest", lambda c, p: sso_get(
        c, p, authn_xml(), extra=f"&SAMLResponse={other_request()}"), "polluted", 400),
    ("slo redirect: second SAMLRequest", lambda c, p: slo_get(
        c, p, logout_xml(name_id="x"), extra=f"&SAMLRequest={other_request()}"), "polluted", 400),
    ("slo redirect: Relay%53tate", lambda c, p: slo_get(
        c, p, logout_xml(name_id="x"), extra="&Relay%53tate=x"), "polluted", 400),
    ("post: second SAMLRequest field", lambda c, p: form_post(
        c, "/idp/sso/post",
        f"SAMLRequest={quote(b64(signed_post(p)))}&SAMLRequest={quote(b64(authn_xml()))}"),
        "polluted", 400),
    ("slo post: second SAMLRequest field", lambda c, p: form_post(
        c, "/idp/slo/post",
        f"SAMLRequest={quote(b64(signed_logout_post(p, name_id='x')))}&SAMLRequest=x"),
        "polluted", 400),
    ("redirect: SHA-1 SigAlg", lambda c, p: c.get(
        "/idp/sso/redirect?" + query(authn_xml()) + f"&SigAlg={quote(RSA_SHA1)}&Signature=AAAA"),
        "signature_invalid", 403),
]  # fmt: skip

COMMENTS = [
    ("redirect: comment in Issuer", lambda c, p: sso_get(c, p, authn_xml(
        issuer=f"<saml:Issuer>{SP_ENTITY_ID}<!---->x</saml:Issuer>")), "malformed", 400),
    ("post: processing instruction in Issuer", lambda c, p: sso_post(c, authn_xml(
        destination="sso_post", issuer=f"<saml:Issuer>{SP_ENTITY_ID}<?x y?></saml:Issuer>")),
        "malformed", 400),
    ("redirect: comment in AuthnContextClassRef", lambda c, p: sso_get(c, p, authn_xml(
        body="<samlp:RequestedAuthnContext><saml:AuthnContextClassRef>urn:a<!---->b"
        "</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>")), "malformed", 400),
    ("slo redirect: comment in NameID", lambda c, p: slo_get(
        c, p, logout_xml(name_id="X<!---->-not-the-same")), "malformed", 400),
    ("slo post: processing instruction in SessionIndex", lambda c, p: slo_post(
        c, signed_logout_post(p, name_id="X", session_index="s<?x?>1")), "malformed", 400),
]  # fmt: skip

WRAPPING = [
    ("post: signature moved to an outer AuthnRequest", lambda c, p: sso_post(
        c, signature_moved_to_an_outer_message(
            signed_post(p), authn_xml(destination="sso_post"))), "signature_invalid", 403),
    ("post: unsigned AuthnRequest around a signed one", lambda c, p: sso_post(
        c, unsigned_outer_around(signed_post(p))), "signature_required", 403),
    ("post: second AuthnRequest with the signed ID", lambda c, p: sso_post(c, _append(
        signed_post(p, request_id="_signed"),
        '<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<samlp:AuthnRequest ID="_signed"/></samlp:Extensions>')), "signature_invalid", 403),
    ("post: an Assertion beside the signed request", lambda c, p: sso_post(c, _append(
        signed_post(p), '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        'ID="_a" Version="2.0"/>')), "signature_invalid", 403),
    ("slo post: signature moved to an outer LogoutRequest", lambda c, p: slo_post(
        c, signature_moved_to_an_outer_message(
            signed_logout_post(p, name_id="someone"),
            logout_xml(name_id="X", destination="slo_post"))), "signature_invalid", 403),
]  # fmt: skip

DTDS = [
    ("redirect: billion laughs", lambda c, p: sso_get(
        c, p, authn_xml(prolog=BILLION_LAUGHS)), "dtd", 400),
    ("redirect: external entity", lambda c, p: sso_get(c, p, authn_xml(prolog=XXE)), "dtd", 400),
    ("post: billion laughs", lambda c, p: sso_post(
        c, authn_xml(prolog=BILLION_LAUGHS, destination="sso_post")), "dtd", 400),
    ("slo redirect: external entity", lambda c, p: slo_get(
        c, p, XXE + logout_xml(name_id="x")), "dtd", 400),
    ("slo post: billion laughs", lambda c, p: slo_post(
        c, BILLION_LAUGHS + logout_xml(name_id="x", destination="slo_post")), "dtd", 400),
]  # fmt: skip

TIME_AND_PLACE = [
    ("redirect: IssueInstant far in the past", lambda c, p: sso_get(
        c, p, authn_xml(issued=FAR_PAST)), "stale", 400),
    ("redirect: IssueInstant far in the future", lambda c, p: sso_get(
        c, p, authn_xml(issued=FAR_FUTURE)), "stale", 400),
    ("post: IssueInstant far in the past", lambda c, p: sso_post(
        c, signed_post(p, issued=FAR_PAST)), "stale", 400),
    ("redirect: IssueInstant off the calendar", lambda c, p: sso_get(c, p, authn_xml().replace(
        'IssueInstant="', 'IssueInstant="9999-12-31T23:59:59-01:00" x="')), "malformed", 400),
    ("redirect: unregistered ACS URL", lambda c, p: sso_get(c, p, authn_xml(
        attrs='AssertionConsumerServiceURL="https://attacker.test/acs"')),
        "acs_not_registered", 403),
    ("post: unregistered ACS index", lambda c, p: sso_post(c, signed_post(
        p, attrs='AssertionConsumerServiceIndex="99"')), "acs_not_registered", 403),
    ("redirect: Destination of another endpoint", lambda c, p: sso_get(
        c, p, authn_xml(destination="sso_post")), "wrong_destination", 403),
    ("post: Destination of another endpoint", lambda c, p: sso_post(
        c, signed_post(p).replace("/idp/sso/post", "/idp/sso/redirect")),
        "signature_invalid", 403),
    ("post: signed with no Destination", lambda c, p: sso_post(c, sign_enveloped(
        authn_xml(destination=None), p)), "wrong_destination", 400),
    ("slo redirect: Destination of the SSO endpoint", lambda c, p: slo_get(
        c, p, logout_xml(name_id="x", destination="sso_redirect")), "wrong_destination", 403),
]  # fmt: skip

SIZE = [
    ("redirect: oversize SAMLRequest", lambda c, p: c.get(
        f"/idp/sso/redirect?SAMLRequest={'A' * 70_000}"), "too_large", 400),
    ("post: oversize SAMLRequest", lambda c, p: c.post(
        "/idp/sso/post", {"SAMLRequest": "A" * 70_000}), "too_large", 400),
    ("redirect: deflate bomb", lambda c, p: c.get(
        f"/idp/sso/redirect?SAMLRequest={quote(deflated(b' ' * 20_000_000), safe='')}"),
        "too_large", 400),
    ("slo redirect: deflate bomb", lambda c, p: c.get(
        f"/idp/slo/redirect?SAMLRequest={quote(deflated(b'<a>' * 5_000_000), safe='')}"),
        "too_large", 400),
]  # fmt: skip

CASES = POLLUTION + COMMENTS + WRAPPING + DTDS + TIME_AND_PLACE + SIZE


@pytest.mark.parametrize("name,attack,code,status", CASES, ids=[case[0] for case in CASES])
def test_the_attack_is_refused(idp, pair, name, attack, code, status):
    sign_in(idp)
    assert_refused(attack(idp, pair), code, status=status)


def test_the_unbent_messages_are_answered(idp, pair):
    """The control: the same builders, unbent, are accepted."""
    sign_in(idp)
    assert_answered(sso_get(idp, pair, authn_xml(), relay_state="/home"))
    assert sso_post(idp, signed_post(pair)).status_code == 303


@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_a_replayed_request_id_is_refused(idp, pair, binding):
    sign_in(idp)
    request_id = new_id()
    if binding == "redirect":
        signed = query(authn_xml(request_id=request_id), key_pem=pair.private_key_pem)
        url = f"/idp/sso/redirect?{signed}"
        assert_answered(idp.get(url))
        assert_refused(idp.get(url), "replayed", status=403)
    else:
        xml = signed_post(pair, request_id=request_id)
        assert sso_post(idp, xml).status_code == 303
        assert_refused(sso_post(idp, xml), "replayed", status=403)


def test_a_replayed_logout_request_is_refused(idp, pair):
    url = f"/idp/slo/redirect?{query(logout_xml(name_id='x'), key_pem=pair.private_key_pem)}"
    assert idp.get(url).status_code == 200
    assert_refused(idp.get(url), "replayed", status=403)


def test_a_flood_of_polluted_requests_is_refused_and_audited_up_to_the_limit(idp, pair, settings):
    from idbridge.audit.models import AuditEntry

    settings.STEPUP_REFUSALS_AUDITED_PER_MINUTE = 2
    for _ in range(4):
        response = sso_get(idp, pair, authn_xml(), extra=f"&SAMLRequest={other_request()}")
        assert response.status_code == 400 and b"refused" in response.content
    assert AuditEntry.objects.filter(action="stepup.request_refused").count() == 2
