"""The stepup_sp / stepup_keys commands, and Single Logout against a live server."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from idbridge.audit.models import AuditEntry
from stepup.models import ServiceProvider, SigningKey
from tests.stepup.conftest import (
    RSA_SHA256,
    SP_ENTITY_ID,
    SP_SLO,
    authn_request_url,
    browser,
    saml_form,
    signed_in_session,
    sp_metadata,
)


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_stepup_sp_adds_lists_and_removes_an_sp_from_a_file(tmp_path, sp_key_files):
    path = tmp_path / "sp.xml"
    path.write_text(sp_metadata(sp_key_files))
    out = run(
        "stepup_sp",
        "add",
        "--metadata",
        str(path),
        "--require-signed-requests",
        "--attributes",
        "email,staff_number",
    )
    assert f"Registered {SP_ENTITY_ID}" in out and "requests must be signed" in out
    sp = ServiceProvider.objects.get()
    assert sp.released_attributes == ["email", "staff_number"]
    assert AuditEntry.objects.get(action="stepup.sp_registered").actor_label == "cli:stepup_sp"
    assert SP_ENTITY_ID in run("stepup_sp", "list")
    with pytest.raises(CommandError, match="already registered"):
        run("stepup_sp", "add", "--metadata", str(path))
    assert "Removed" in run("stepup_sp", "remove", SP_ENTITY_ID)
    assert not ServiceProvider.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content,message",
    [
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
        ("not xml at all", "not well-formed"),
    ],
)
def test_stepup_sp_refuses_bad_metadata_without_a_traceback(tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run("stepup_sp", "add", "--metadata", str(path))
    with pytest.raises(CommandError, match="No such file"):
        run("stepup_sp", "add", "--metadata", str(tmp_path / "missing.xml"))
    with pytest.raises(CommandError, match="not registered"):
        run("stepup_sp", "remove", "https://nobody.test")


@pytest.mark.django_db
def test_stepup_keys_rollover_and_promote():
    first = run("stepup_keys", "list")
    assert first.startswith("current\t")
    out = run("stepup_keys", "rollover")
    assert "Next key published" in out
    with pytest.raises(CommandError, match="already exists"):
        run("stepup_keys", "rollover")
    nxt = SigningKey.objects.get(status=SigningKey.NEXT)
    assert nxt.fingerprint in run("stepup_keys", "promote")
    assert SigningKey.objects.get(status=SigningKey.CURRENT) == nxt
    with pytest.raises(CommandError, match="no next key"):
        run("stepup_keys", "promote")


@pytest.mark.django_db(transaction=True)
def test_single_logout_ends_the_idp_session_and_answers_the_sp(
    idp_at_live_server, register_sp, sp_client
):
    register_sp()
    base = idp_at_live_server.url
    client = sp_client()
    s = browser(signed_in_session())
    reqid, url = authn_request_url(client, base)
    parsed = client.parse_authn_request_response(
        saml_form(s.get(url, allow_redirects=False, timeout=10))["SAMLResponse"],
        BINDING_HTTP_POST,
        {reqid: "/"},
    )

    _, request = client.create_logout_request(
        f"{base}/idp/slo/redirect", f"{base}/idp/metadata", name_id=parsed.name_id
    )
    info = client.apply_binding(  # a LogoutRequest must be signed
        BINDING_HTTP_REDIRECT,
        str(request),
        f"{base}/idp/slo/redirect",
        relay_state="/bye",
        sign=True,
        sigalg=RSA_SHA256,
    )
    response = s.get(dict(info["headers"])["Location"], allow_redirects=False, timeout=10)
    form = saml_form(response)
    assert form["action"] == SP_SLO and form["RelayState"] == "/bye"
    answer = client.parse_logout_request_response(form["SAMLResponse"], BINDING_HTTP_POST)
    assert answer.response.status.status_code.value.endswith(":Success")
    xml = answer.xmlstr.decode() if isinstance(answer.xmlstr, bytes) else answer.xmlstr
    assert "rsa-sha256" in xml
    assert AuditEntry.objects.filter(action="stepup.logout").count() == 1

    # The IdP session is over: the next sign-in needs a passkey again.
    _, url = authn_request_url(client, base)
    again = s.get(url, allow_redirects=False, timeout=10)
    assert again.status_code == 302 and "/stepup/authenticate/" in again.headers["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_logout_request_from_an_unknown_sp_is_refused(idp_at_live_server, register_sp):
    import base64
    import uuid
    from datetime import UTC, datetime

    register_sp()
    base = idp_at_live_server.url
    xml = (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="_{uuid.uuid4().hex}" Version="2.0" '
        f'IssueInstant="{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}">'
        "<saml:Issuer>https://unknown.test/sp</saml:Issuer><saml:NameID>x</saml:NameID>"
        "</samlp:LogoutRequest>"
    )
    response = browser().post(
        f"{base}/idp/slo/post",
        data={"SAMLRequest": base64.b64encode(xml.encode()).decode()},
        timeout=10,
    )
    assert response.status_code == 403
    assert "is not registered" in response.text
