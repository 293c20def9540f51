"""stepup.saml.requests: the strict validator on its own (no database, no server)."""

import base64
import zlib
from datetime import UTC, datetime, timedelta

import pytest

from stepup.policy import MINIMUM, REFEDS_MFA
from stepup.saml.metadata import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, Endpoint
from stepup.saml.requests.authn import validate_authn_request
from stepup.saml.requests.decoding import parse_xs_boolean, parse_xs_datetime
from stepup.saml.requests.values import RegisteredSp, RequestRefused, SamlHttpInput

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SP = "https://sp.test/saml/metadata"
ENDPOINT = "https://idbridge.test/idp/sso/redirect"
ACS = (
    Endpoint(BINDING_HTTP_POST, "https://sp.test/acs", index=0),
    Endpoint(BINDING_HTTP_POST, "https://sp.test/acs2", index=3, is_default=True),
    Endpoint("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact", "https://sp.test/art", index=1),
)
REGISTRY = {
    SP: RegisteredSp(entity_id=SP, acs=ACS, signing_certs=(), signatures_required=False),
    "https://off.test": RegisteredSp(
        entity_id="https://off.test",
        acs=ACS,
        signing_certs=(),
        signatures_required=False,
        enabled=False,
    ),
}


def xml(attrs="", body="", issuer=SP, instant=NOW, request_id="_r1", destination=ENDPOINT):
    dest = f' Destination="{destination}"' if destination else ""
    return (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{request_id}" Version="2.0" '
        f'IssueInstant="{instant:%Y-%m-%dT%H:%M:%SZ}"{dest} {attrs}>'
        f"<saml:Issuer>{issuer}</saml:Issuer>{body}</samlp:AuthnRequest>"
    )


def redirect(message: str, **kw) -> SamlHttpInput:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(message.encode()) + compressor.flush()
    return SamlHttpInput(
        binding=BINDING_HTTP_REDIRECT,
        endpoint_url=ENDPOINT,
        saml_request=base64.b64encode(data).decode(),
        **kw,
    )


def validate(data, seen=None):
    seen = set() if seen is None else seen

    def claim(sp, request_id, keep_until):
        assert keep_until > NOW
        if (sp, request_id) in seen:
            return False
        seen.add((sp, request_id))
        return True

    return validate_authn_request(
        data,
        lookup_sp=REGISTRY.get,
        claim_request_id=claim,
        now=NOW,
        clock_skew=timedelta(seconds=120),
    )


def test_a_plain_request_is_accepted_with_the_default_acs():
    info = validate(redirect(xml(), relay_state="/home"))
    assert info.sp_entity_id == SP and info.request_id == "_r1"
    assert info.acs_url == "https://sp.test/acs2"  # isDefault
    assert info.relay_state == "/home"
    assert not info.force_authn and not info.is_passive and info.requested is None


@pytest.mark.parametrize(
    "attrs,acs",
    [
        ('AssertionConsumerServiceURL="https://sp.test/acs"', "https://sp.test/acs"),
        ('AssertionConsumerServiceIndex="0"', "https://sp.test/acs"),
        ('AssertionConsumerServiceIndex="3"', "https://sp.test/acs2"),
    ],
)
def test_the_acs_is_taken_from_the_registered_metadata(attrs, acs):
    assert validate(redirect(xml(attrs))).acs_url == acs


def test_requested_context_and_booleans_are_read():
    body = (
        '<samlp:RequestedAuthnContext Comparison="minimum">'
        f"<saml:AuthnContextClassRef> {REFEDS_MFA} </saml:AuthnContextClassRef>"
        "</samlp:RequestedAuthnContext>"
        '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/>'
    )
    info = validate(redirect(xml('ForceAuthn=" true " IsPassive="0"', body)))
    assert info.force_authn is True and info.is_passive is False
    assert info.requested.class_refs == (REFEDS_MFA,) and info.requested.comparison == MINIMUM
    assert info.name_id_format.endswith("persistent")


REFUSALS = [
    # (name, input, code, status)
    ("unknown SP", redirect(xml(issuer="https://who.test")), "unknown_sp", 403),
    ("disabled SP", redirect(xml(issuer="https://off.test")), "sp_disabled", 403),
    ("no issuer", redirect(xml(issuer="")), "malformed", 400),
    (
        "unregistered ACS URL",
        redirect(xml('AssertionConsumerServiceURL="https://evil.test/acs"')),
        "acs_not_registered",
        403,
    ),
    (
        "ACS URL of another binding",
        redirect(xml('AssertionConsumerServiceURL="https://sp.test/art"')),
        "acs_not_registered",
        403,
    ),
    (
        "unknown ACS index",
        redirect(xml('AssertionConsumerServiceIndex="7"')),
        "acs_not_registered",
        403,
    ),
    (
        "artifact response binding",
        redirect(xml('ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"')),
        "unsupported_binding",
        400,
    ),
    ("stale", redirect(xml(instant=NOW - timedelta(minutes=3))), "stale", 400),
    ("from the future", redirect(xml(instant=NOW + timedelta(minutes=3))), "stale", 400),
    ("not a date", redirect(xml().replace("2026-03-02T09:00:00Z", "yesterday")), "malformed", 400),
    (
        "other destination",
        redirect(xml(destination="https://other.test/sso")),
        "wrong_destination",
        403,
    ),
    ("ForceAuthn not boolean", redirect(xml('ForceAuthn="yes"')), "bad_boolean", 400),
    ("IsPassive not boolean", redirect(xml('IsPassive="False"')), "bad_boolean", 400),
    (
        "bad comparison",
        redirect(xml(body='<samlp:RequestedAuthnContext Comparison="roughly"/>')),
        "malformed",
        400,
    ),
    (
        "names a subject",
        redirect(xml(body="<saml:Subject><saml:NameID>x</saml:NameID></saml:Subject>")),
        "unsupported",
        400,
    ),
    ("SAML 1.1", redirect(xml().replace('Version="2.0"', 'Version="1.1"')), "malformed", 400),
    (
        "not an AuthnRequest",
        redirect('<x xmlns="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
        "malformed",
        400,
    ),
    ("too long RelayState", redirect(xml(), relay_state="x" * 2000), "malformed", 400),
    (
        "query signature on POST",
        SamlHttpInput(
            BINDING_HTTP_POST,
            ENDPOINT,
            base64.b64encode(xml().encode()).decode(),
            signature="abc",
            sig_alg="x",
        ),
        "malformed",
        400,
    ),
    ("DOCTYPE", redirect('<!DOCTYPE x [<!ENTITY e "e">]>' + xml()), "dtd", 400),
    ("inflates too large", redirect("<a>" + "b" * 200_000 + "</a>"), "too_large", 400),
]


@pytest.mark.parametrize("name,data,code,status", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals(name, data, code, status):
    with pytest.raises(RequestRefused) as refused:
        validate(data)
    assert refused.value.code == code
    assert refused.value.status == status
    assert refused.value.message


def test_the_same_id_is_accepted_once_and_a_refused_request_does_not_use_it_up():
    seen = set()
    with pytest.raises(RequestRefused, match="another address"):
        validate(redirect(xml(destination="https://other.test/sso")), seen)
    validate(redirect(xml()), seen)
    with pytest.raises(RequestRefused) as again:
        validate(redirect(xml()), seen)
    assert again.value.code == "replayed"
    validate(redirect(xml(request_id="_r2")), seen)


@pytest.mark.parametrize(
    "value,expected", [(None, False), ("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_xs_boolean(value, expected):
    assert parse_xs_boolean(value, "ForceAuthn") is expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-03-02T09:00:00Z", NOW),
        ("2026-03-02T09:00:00", NOW),
        ("2026-03-02T09:00:00.250Z", NOW + timedelta(milliseconds=250)),
        ("2026-03-02T10:30:00+01:30", NOW),
        ("2026-03-02T07:00:00-02:00", NOW),
    ],
)
def test_xs_datetime(value, expected):
    assert parse_xs_datetime(value) == expected


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-02-30T00:00:00Z"]
)
def test_an_issue_instant_off_the_calendar_is_refused_as_malformed(value):
    with pytest.raises(RequestRefused) as refused:
        parse_xs_datetime(value)
    assert refused.value.code == "malformed"


@pytest.mark.parametrize("index", ["²", "70000", "-1", "x"])
def test_an_acs_index_that_is_no_unsigned_short_is_no_index(index):
    from stepup.saml.metadata import parse_sp_metadata

    metadata = parse_sp_metadata(
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'entityID="https://sp.district.example/saml">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" '
        f'Location="https://sp.district.example/acs" index="{index}"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )
    assert [e.index for e in metadata.acs] == [None]
