"""SOAP envelopes and WS-Security UsernameToken checks, without a database."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from sandbox.soap import wsse
from sandbox.soap.envelope import (
    PASSWORD_DIGEST,
    PASSWORD_TEXT,
    SOAP_ENV,
    TNS,
    SoapFault,
    UsernameToken,
    build_fault,
    build_response,
    parse_request,
)
from sandbox.soap.wsdl import wsdl

WSSE_NS = (
    wsse.__name__
    and "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
)
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def envelope(body: str, header: str = "") -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{TNS}" '
        f'xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}">'
        f"<soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def token_header(password_xml: str, extra: str = "") -> str:
    return (
        "<wsse:Security><wsse:UsernameToken><wsse:Username>hr-soap</wsse:Username>"
        f"{password_xml}{extra}</wsse:UsernameToken></wsse:Security>"
    )


def test_it_reads_the_operation_and_its_values():
    request = parse_request(
        envelope(
            "<tns:GetPersonRequest><tns:personID>42</tns:personID>"
            "<tns:sessionID> abc </tns:sessionID></tns:GetPersonRequest>"
        )
    )
    assert request.operation == "GetPersonRequest"
    assert request.values == {"personID": "42", "sessionID": "abc"}
    assert request.token is None


def test_it_reads_a_plain_text_username_token():
    header = token_header(f'<wsse:Password Type="{PASSWORD_TEXT}">s3cret</wsse:Password>')
    request = parse_request(envelope("<tns:AuthenticateRequest/>", header))
    assert request.token == UsernameToken("hr-soap", "s3cret", PASSWORD_TEXT)
    assert not request.token.is_digest


def test_it_reads_a_digest_username_token_with_nonce_and_created():
    header = token_header(
        f'<wsse:Password Type="{PASSWORD_DIGEST}">ZGln</wsse:Password>',
        "<wsse:Nonce>bm9uY2U=</wsse:Nonce><wsu:Created>2026-01-01T00:00:00Z</wsu:Created>",
    )
    token = parse_request(envelope("<tns:AuthenticateRequest/>", header)).token
    assert token.is_digest
    assert (token.nonce, token.created) == ("bm9uY2U=", "2026-01-01T00:00:00Z")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<GetPersonRequest><personID>&xxe;</personID></GetPersonRequest></soap:Body></soap:Envelope>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<GetPersonRequest><personID>&lol3;</personID></GetPersonRequest></soap:Body></soap:Envelope>"""
UTF16_DOCTYPE = XXE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')


@pytest.mark.parametrize(
    "payload,detail",
    [
        (XXE, "MalformedRequest"),
        (BILLION_LAUGHS, "MalformedRequest"),
        (UTF16_DOCTYPE.decode().encode("utf-16"), "MalformedRequest"),
        (b"not xml at all", "MalformedRequest"),
        (b"<a><b></a>", "MalformedRequest"),
        (b"<Envelope/>", "MalformedRequest"),
        (envelope(""), "MalformedRequest"),
        (envelope("<tns:A/><tns:B/>"), "MalformedRequest"),
        (b"<x>" + b"a" * 300_000 + b"</x>", "MalformedRequest"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
            "VersionMismatch",
        ),
    ],
)
def test_it_refuses_dangerous_or_malformed_xml_with_a_fault(payload, detail):
    with pytest.raises(SoapFault) as exc:
        parse_request(payload)
    assert exc.value.detail_code == detail
    assert "root:" not in exc.value.message


def test_a_token_without_a_password_is_refused():
    header = (
        "<wsse:Security><wsse:UsernameToken><wsse:Username>x</wsse:Username>"
        "</wsse:UsernameToken></wsse:Security>"
    )
    with pytest.raises(SoapFault) as exc:
        parse_request(envelope("<tns:AuthenticateRequest/>", header))
    assert exc.value.code == "wsse:InvalidSecurityToken"


def test_a_response_is_document_literal_in_the_service_namespace():
    xml = build_response(
        "GetPersonResponse",
        {
            "person": {
                "personID": 7,
                "isStaff": True,
                "birthDate": None,
                "assignments": {"assignment": [{"schoolNumber": "010"}, {"schoolNumber": "020"}]},
            }
        },
    )
    root = etree.fromstring(xml)
    ns = {"s": SOAP_ENV, "t": TNS}
    assert root.xpath("string(//t:person/t:personID)", namespaces=ns) == "7"
    assert root.xpath("string(//t:person/t:isStaff)", namespaces=ns) == "true"
    assert root.xpath("count(//t:person/t:birthDate)", namespaces=ns) == 0
    assert root.xpath("//t:assignment/t:schoolNumber/text()", namespaces=ns) == ["010", "020"]


def test_a_fault_carries_its_code_and_a_machine_readable_detail():
    xml = build_fault(
        SoapFault("tns:RateLimited", "RateLimited", "slow down", http_status=429, retry_after=7)
    )
    root = etree.fromstring(xml)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "tns:RateLimited"
    assert fault.find("faultcode").nsmap["tns"] == TNS  # the QName's prefix is declared
    assert fault.findtext("faultstring") == "slow down"
    assert fault.findtext(f"detail/{{{TNS}}}CampusFault/{{{TNS}}}code") == "RateLimited"
    assert fault.findtext(f"detail/{{{TNS}}}CampusFault/{{{TNS}}}retryAfterSeconds") == "7"


def test_the_wsdl_points_at_the_given_address():
    root = etree.fromstring(
        wsdl("http://campus.example:8080/sandbox/campus/services/IdentityService")
    )
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert (
        address.get("location")
        == "http://campus.example:8080/sandbox/campus/services/IdentityService"
    )


# --- WS-Security --------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def digest_token(password="pw", created="2026-03-01T12:00:00Z", nonce=b"0123456789abcdef"):
    digest = base64.b64encode(
        hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    ).decode()
    return UsernameToken("u", digest, PASSWORD_DIGEST, base64.b64encode(nonce).decode(), created)


def test_a_digest_is_base64_sha1_of_nonce_created_and_password():
    token = digest_token()
    assert wsse.password_matches(token, "pw")
    assert not wsse.password_matches(token, "PW")


def test_a_plain_text_password_must_match_exactly():
    assert wsse.password_matches(UsernameToken("u", "pw", PASSWORD_TEXT), "pw")
    assert not wsse.password_matches(UsernameToken("u", "pw ", PASSWORD_TEXT), "pw")


def test_a_digest_with_a_bad_nonce_does_not_match():
    token = UsernameToken("u", "x", PASSWORD_DIGEST, "%%%not base64", "2026-03-01T12:00:00Z")
    assert not wsse.password_matches(token, "pw")


@pytest.mark.parametrize(
    "created,ok",
    [
        ("2026-03-01T12:00:00Z", True),
        ("2026-03-01T11:56:00+00:00", True),
        ("2026-03-01T12:04:59Z", True),
        ("2026-03-01T11:54:59Z", False),
        ("2026-03-01T12:05:01Z", False),
        ("2026-03-01T06:00:00-06:00", True),
    ],
)
def test_created_must_be_within_five_minutes_of_now(created, ok):
    token = digest_token(created=created)
    if ok:
        wsse.check_freshness(token, NOW, WINDOW)
    else:
        with pytest.raises(SoapFault) as exc:
            wsse.check_freshness(token, NOW, WINDOW)
        assert exc.value.code == "wsse:MessageExpired"


@pytest.mark.parametrize(
    "token",
    [
        UsernameToken("u", "d", PASSWORD_DIGEST, None, "2026-03-01T12:00:00Z"),
        UsernameToken("u", "d", PASSWORD_DIGEST, "bm9uY2U=", None),
        UsernameToken("u", "d", PASSWORD_DIGEST, "bm9uY2U=", "yesterday"),
    ],
)
def test_a_digest_token_needs_a_nonce_and_a_readable_created(token):
    with pytest.raises(SoapFault) as exc:
        wsse.check_freshness(token, NOW, WINDOW)
    assert exc.value.code == "wsse:InvalidSecurityToken"


def test_nonce_keys_differ_per_user_and_nonce_and_are_absent_without_a_nonce():
    a = wsse.nonce_key(UsernameToken("a", "", PASSWORD_DIGEST, "bm9uY2U=", "t"))
    b = wsse.nonce_key(UsernameToken("b", "", PASSWORD_DIGEST, "bm9uY2U=", "t"))
    assert a != b and a.startswith("campus:wsse-nonce:")
    assert wsse.nonce_key(UsernameToken("a", "pw", PASSWORD_TEXT)) is None
