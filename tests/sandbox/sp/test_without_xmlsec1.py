"""`make demo` on a machine without the ``xmlsec1`` program: the demo's set-up steps, then
a sign-in to the Campus portal with an encrypted assertion, every signature, check,
encryption and decryption in-process (``idbridge.saml_crypto``)."""

from io import StringIO

import pytest
import saml2.algsupport
import saml2.sigver

from tests.sandbox.sp.conftest import PORTAL, Browser, response_xml, signed_in_session

pytestmark = pytest.mark.django_db(transaction=True)

SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"


@pytest.fixture
def no_xmlsec1(monkeypatch, tmp_path):
    """No ``xmlsec1`` anywhere: PATH is an empty folder, and pysaml2's ways to find or run
    the program fail (and are recorded, in case pysaml2 swallows the error)."""
    uses = []

    def refuse(*args, **kwargs):
        uses.append(args)
        raise AssertionError("pysaml2 looked for or ran the xmlsec1 program")

    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(saml2.sigver, "get_xmlsec_binary", refuse)
    monkeypatch.setattr(saml2.sigver, "_get_xmlsec_cryptobackend", refuse)
    monkeypatch.setattr(saml2.sigver, "CryptoBackendXmlSec1", refuse)
    monkeypatch.setattr(saml2.sigver, "Popen", refuse)
    monkeypatch.setattr(saml2.algsupport, "get_algorithm_support", refuse)
    yield uses
    assert uses == []


@pytest.fixture
def demo_server(no_xmlsec1, live_server, settings, tmp_path, default_policies):
    """The live server set up the way `make demo` sets up (``demo_setup``), in a VAR_DIR
    of its own (the portal's fresh key pair, the demo login)."""
    from idbridge.core.demo import demo_setup
    from sandbox.sp.config import idp_metadata_forget
    from stepup.runtime import forget_cached_runtime

    settings.PUBLIC_BASE_URL = live_server.url
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    forget_cached_runtime()
    idp_metadata_forget()
    out = StringIO()
    demo_setup(out)
    assert "Campus portal SAML SP registered" in out.getvalue()
    yield live_server
    forget_cached_runtime()
    idp_metadata_forget()


def test_the_demo_sets_up_and_signs_in_to_the_portal_with_an_encrypted_assertion(demo_server):
    from lxml import etree

    from sandbox.sp.config import SP_ENTITY_ID
    from stepup.models import ServiceProvider
    from stepup.services.service_providers import service_provider_update

    portal = ServiceProvider.objects.get(entity_id=SP_ENTITY_ID)
    assert portal.encryption_certificates  # the portal publishes a certificate to encrypt to
    service_provider_update(sp=portal, actor="test", encrypt_assertions=True)

    browser = Browser(demo_server.url, signed_in_session())
    form = browser.saml_answer(PORTAL)
    root = etree.fromstring(response_xml(form).encode())
    assert root.find(f"{SAML}EncryptedAssertion") is not None
    assert root.find(f"{SAML}Assertion") is None
    assert "rosa.diaz@district.example" not in response_xml(form)
    assert "aes256-gcm" in response_xml(form) and "rsa-oaep-mgf1p" in response_xml(form)

    accepted = browser.post_to_acs(form)
    assert accepted.status_code == 302, accepted.text[:1500]
    page = browser.walk(accepted.headers["Location"])
    assert page.status_code == 200 and "Who you are" in page.text
    assert "Rosa Diaz" in page.text and "rosa.diaz@district.example" in page.text
