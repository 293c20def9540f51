"""Property tests of the request decoding and parsing: whatever arrives, the only
exception out of ``stepup.saml.requests`` is its own refusal, ``RequestRefused``."""

import base64
import zlib
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepup.saml.metadata import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from stepup.saml.requests.decoding import (
    decode_message,
    element_text,
    parse_request_xml,
    parse_xs_boolean,
    parse_xs_datetime,
)
from stepup.saml.requests.parameters import (
    SAML_PARAMETERS,
    parse_saml_parameters,
    redirect_input,
)
from stepup.saml.requests.values import RequestRefused, SamlHttpInput
from tests.stepup.test_requests import ENDPOINT, redirect, validate, xml

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BINDINGS = st.sampled_from([BINDING_HTTP_REDIRECT, BINDING_HTTP_POST])
# Query-string text as WSGI gives it: characters standing for octets.
OCTET_TEXT = st.binary(max_size=300).map(lambda b: b.decode("latin-1"))
QUERYISH = st.lists(
    st.one_of(
        st.sampled_from([*SAML_PARAMETERS, "SAML%52equest", "%", "=", "&", "+", "%2"]),
        st.text(max_size=20),
    ),
    max_size=12,
).map("".join)


def refused_or(fn, *args):
    """Run ``fn``; a RequestRefused is fine (with a code and a message), nothing else."""
    try:
        return fn(*args)
    except RequestRefused as exc:
        assert exc.code and exc.message and exc.status in (400, 403)
        return None


@FAST
@given(encoded=st.one_of(st.text(max_size=400), OCTET_TEXT), binding=BINDINGS)
def test_any_text_as_saml_request_decodes_or_is_refused(encoded, binding):
    data = SamlHttpInput(binding=binding, endpoint_url=ENDPOINT, saml_request=encoded)
    result = refused_or(decode_message, data)
    assert result is None or isinstance(result, bytes)


@FAST
@given(raw=st.binary(max_size=600), binding=BINDINGS)
def test_any_bytes_base64_encoded_decode_or_are_refused(raw, binding):
    payload = raw
    if binding == BINDING_HTTP_REDIRECT:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        payload = compressor.compress(raw) + compressor.flush()
    data = SamlHttpInput(
        binding=binding, endpoint_url=ENDPOINT, saml_request=base64.b64encode(payload).decode()
    )
    assert refused_or(decode_message, data) in (None, raw)


@FAST
@given(raw=st.one_of(st.binary(max_size=500), st.text(max_size=300).map(str.encode)))
def test_any_bytes_parse_as_xml_or_are_refused(raw):
    refused_or(parse_request_xml, raw)


@FAST
@given(text=st.text(max_size=60))
def test_any_markup_inside_an_identifier_is_read_whole_or_refused(text):
    root = refused_or(parse_request_xml, f"<Issuer>{text}</Issuer>".encode())
    if root is not None:
        value = refused_or(element_text, root, "Issuer")
        assert value is None or value == "".join(root.itertext()).strip()


@FAST
@given(value=st.one_of(st.none(), st.text(max_size=40)))
def test_any_text_is_a_boolean_or_refused(value):
    assert refused_or(parse_xs_boolean, value, "ForceAuthn") in (None, True, False)


@FAST
@given(
    value=st.one_of(
        st.none(),
        st.text(max_size=40),
        st.from_regex(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?\Z"),
    )
)
def test_any_text_is_a_date_time_or_refused(value):
    refused_or(parse_xs_datetime, value)


@FAST
@given(raw=st.one_of(QUERYISH, OCTET_TEXT))
def test_any_query_string_is_read_or_refused(raw):
    params = refused_or(parse_saml_parameters, raw)
    if params is not None:
        assert set(params.raw) <= set(SAML_PARAMETERS)
        assert isinstance(params.signed_octets(), bytes)
        refused_or(redirect_input, ENDPOINT, raw)


@FAST
@given(values=st.dictionaries(st.sampled_from(SAML_PARAMETERS[1:]), st.text(max_size=30)))
def test_a_well_formed_query_is_read_back_exactly(values):
    from urllib.parse import urlencode

    params = parse_saml_parameters(urlencode(values))
    assert {name: params.get(name) for name in values} == values


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    issuer=st.text(max_size=40),
    attribute=st.text(max_size=30),
    relay_state=st.text(max_size=40),
)
def test_any_issuer_attribute_or_relay_state_is_validated_or_refused(
    issuer, attribute, relay_state
):
    message = xml(attrs=f"ForceAuthn={quoteattr(attribute)}", issuer=escape(issuer))
    refused_or(validate, redirect(message, relay_state=relay_state))


@settings(max_examples=60, deadline=None)
@given(body=st.text(max_size=200))
def test_any_body_inside_a_request_is_validated_or_refused(body):
    refused_or(validate, redirect(xml(body=body)))
