"""The portal's key pair, its boundaries, signature algorithms, and the demo step."""

import ast
import base64
import stat
from pathlib import Path

import pytest

from sandbox.sp.keys import sp_key_files

ROOT = Path(__file__).resolve().parents[3]


def test_the_sp_key_pair_is_generated_once_into_a_private_folder(tmp_path):
    first = sp_key_files(tmp_path)
    key = Path(first.key_file)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert "PRIVATE KEY" in key.read_text()
    again = sp_key_files(tmp_path)
    assert again == first and again.certificate_pem == first.certificate_pem


def test_the_portal_reaches_idbridge_only_over_saml():
    """sandbox/sp never imports idbridge's stepup, staff or boi apps."""
    offenders = []
    for path in (ROOT / "sandbox" / "sp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in ("stepup", "staff", "boi")
            ]
    assert offenders == []


@pytest.mark.parametrize(
    ("algorithm", "weak"),
    [
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", False),
        ("http://www.w3.org/2000/09/xmldsig#rsa-sha1", True),
    ],
)
def test_the_acs_refuses_signatures_weaker_than_sha256(algorithm, weak):
    from sandbox.sp.assertions import weak_algorithms

    digest = "sha256" if not weak else "sha1"
    xml = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature><ds:SignedInfo>'
        f'<ds:SignatureMethod Algorithm="{algorithm}"/>'
        '<ds:Reference><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#'
        f'{digest}"/></ds:Reference></ds:SignedInfo></ds:Signature></samlp:Response>'
    )
    assert bool(weak_algorithms(xml)) is weak


def test_the_refusal_page_reads_the_status_idbridge_signed():
    from sandbox.sp.assertions import status_of

    xml = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" InResponseTo="id-1">'
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">'
        '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"/>'
        "</samlp:StatusCode><samlp:StatusMessage>Check failed</samlp:StatusMessage>"
        "</samlp:Status></samlp:Response>"
    )
    status = status_of(base64.b64encode(xml.encode()).decode())
    assert status == {
        "code": "urn:oasis:names:tc:SAML:2.0:status:Responder",
        "detail": "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext",
        "message": "Check failed",
        "in_response_to": "id-1",
    }
    assert status_of(base64.b64encode(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").decode()) == {}


def test_the_demo_step_registers_the_portal_once_and_follows_public_base_url(db, settings):
    from idbridge.core.demo import demo_steps
    from sandbox import demo
    from sandbox.sp.config import idp_metadata_forget
    from stepup.models import ServiceProvider

    assert demo.campus_sandbox_sp_setup in [step.run for step in demo_steps()]
    settings.PUBLIC_BASE_URL = "http://localhost:8000"
    idp_metadata_forget()
    assert demo.campus_sandbox_sp_register(actor="test") == "registered"
    assert demo.campus_sandbox_sp_register(actor="test") == "unchanged"
    sp = ServiceProvider.objects.get()
    assert sp.signatures_required
    assert sp.released_attributes == ServiceProvider.DEFAULT_ATTRIBUTES
    assert sp.acs_endpoints[0]["url"] == "http://localhost:8000/sandbox/campus/saml/acs/"

    settings.PUBLIC_BASE_URL = "https://idbridge.district.example"
    assert demo.campus_sandbox_sp_register(actor="test") == "updated"
    sp = ServiceProvider.objects.get()
    assert sp.acs_endpoints[0]["url"] == (
        "https://idbridge.district.example/sandbox/campus/saml/acs/"
    )
    assert sp.slo_endpoints[0]["url"].startswith("https://idbridge.district.example/")


def test_the_demo_step_reports_what_it_did(db, settings):
    from io import StringIO

    from sandbox import demo

    settings.PUBLIC_BASE_URL = "http://localhost:8000"
    out = StringIO()
    demo.campus_sandbox_sp_setup(out)
    assert "Campus portal SAML SP registered" in out.getvalue()
    assert "http://localhost:8000/sandbox/campus/portal/" in out.getvalue()
