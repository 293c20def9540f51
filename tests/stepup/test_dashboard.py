"""The step-up dashboard: SPs, policies, keys, activity; every gate has an allow and a deny."""

import http.server
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from idbridge.audit.models import AuditEntry
from stepup.models import ServiceProvider, SigningKey, StepUpPolicy
from tests.conftest import fresh_passkey_check
from tests.stepup.conftest import SP_ENTITY_ID, sp_metadata

pytestmark = pytest.mark.django_db


@pytest.fixture
def metadata_xml(sp_key_files):
    return sp_metadata(sp_key_files, signs_requests=True)


@pytest.fixture
def metadata_server(tmp_path, metadata_xml):
    """A plain HTTP server publishing the SP's metadata (and a too-large file)."""
    (tmp_path / "sp.xml").write_text(metadata_xml)
    (tmp_path / "huge.xml").write_bytes(b"<x>" + b"a" * 1_100_000 + b"</x>")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_attribute_choices_are_the_release_catalogue():
    from stepup.saml.idp import ATTRIBUTES

    assert set(ServiceProvider.DEFAULT_ATTRIBUTES) == set(ATTRIBUTES)


def test_the_default_policies_ship_with_the_migration():
    policies = {p.action: p for p in StepUpPolicy.objects.all()}
    assert policies["payroll"].max_age_seconds == 300
    assert policies["grade-override"].max_age_seconds == 300
    assert policies["enrollment-change"].max_age_seconds == 600
    assert policies["payroll"].class_ref == "urn:idbridge:ac:classes:stepup:payroll"


@pytest.mark.parametrize(
    "persona,status", [("district_admin", 200), ("auditor", 200), ("hr_operator", 403)]
)
def test_who_sees_the_step_up_pages(request, client, persona, status):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/stepup/", "/stepup/sps/", "/stepup/policies/", "/stepup/activity/"):
        assert client.get(url).status_code == status, url


def test_the_overview_shows_the_metadata_url_and_class_references(client, district_admin):
    fresh_passkey_check(client, district_admin)
    page = client.get("/stepup/").content.decode()
    assert "/idp/metadata" in page
    assert "urn:idbridge:ac:classes:stepup:payroll" in page
    assert "https://refeds.org/profile/mfa" in page


def test_an_admin_registers_an_sp_from_an_uploaded_file(client, district_admin, metadata_xml):
    fresh_passkey_check(client, district_admin)
    response = client.post(
        "/stepup/sps/add/",
        {
            "metadata_file": SimpleUploadedFile("sp.xml", metadata_xml.encode()),
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "released_attributes": ["email", "roles"],
            "enabled": "on",
        },
    )
    sp = ServiceProvider.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/stepup/sps/{sp.pk}/"
    assert sp.entity_id == SP_ENTITY_ID
    assert sp.metadata_wants_signed_requests and sp.signatures_required
    assert sp.released_attributes == ["email", "roles"]
    assert [e["url"] for e in sp.acs_endpoints] == ["https://sp.test/saml/acs"]
    entry = AuditEntry.objects.get(action="stepup.sp_registered")
    assert entry.actor_label == "dana_admin" and entry.details["entity_id"] == SP_ENTITY_ID


def test_an_admin_registers_an_sp_from_its_metadata_url(client, district_admin, metadata_server):
    fresh_passkey_check(client, district_admin)
    response = client.post(
        "/stepup/sps/add/",
        {
            "metadata_url": f"{metadata_server}/sp.xml",
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    assert ServiceProvider.objects.get().metadata_url == f"{metadata_server}/sp.xml"


@pytest.mark.parametrize(
    "source,message",
    [
        ({"metadata_xml": "<not xml"}, "not well-formed"),
        ({"metadata_xml": '<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>'}, "DOCTYPE"),
        ({"metadata_xml": "<x/>"}, "not SAML metadata"),
        ({}, "one way"),
        ({"metadata_url": "http://127.0.0.1:9/none.xml"}, "Could not fetch"),
    ],
)
def test_bad_metadata_is_refused_with_a_clear_error(client, district_admin, source, message):
    fresh_passkey_check(client, district_admin)
    response = client.post(
        "/stepup/sps/add/",
        {"name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", **source},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceProvider.objects.exists()
    assert not AuditEntry.objects.filter(action="stepup.sp_registered").exists()


def test_metadata_larger_than_the_limit_is_not_downloaded_whole(metadata_server):
    from stepup.saml.metadata import MetadataError, fetch_metadata

    with pytest.raises(MetadataError, match="larger than"):
        fetch_metadata(f"{metadata_server}/huge.xml")


def test_an_auditor_cannot_register_or_change_an_sp(client, auditor, register_sp, metadata_xml):
    sp = register_sp()
    client.force_login(auditor)
    assert client.get("/stepup/sps/add/").status_code == 403
    assert client.post("/stepup/sps/add/", {"metadata_xml": metadata_xml}).status_code == 403
    assert client.get(f"/stepup/sps/{sp.pk}/").status_code == 200
    assert client.post(f"/stepup/sps/{sp.pk}/", {"enabled": ""}).status_code == 403
    assert client.post(f"/stepup/sps/{sp.pk}/delete/").status_code == 403
    sp.refresh_from_db()
    assert sp.enabled


def test_an_admin_changes_an_sps_options_and_the_change_is_audited(
    client, district_admin, register_sp
):
    sp = register_sp()
    fresh_passkey_check(client, district_admin)
    response = client.post(
        f"/stepup/sps/{sp.pk}/",
        {
            "name": "Campus",
            "require_signed_requests": "on",
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
            "released_attributes": ["email"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    sp.refresh_from_db()
    assert sp.require_signed_requests and sp.name == "Campus"
    details = AuditEntry.objects.get(action="stepup.sp_updated").details
    assert details["require_signed_requests"] == {"from": False, "to": True}


def test_encryption_needs_an_encryption_certificate(client, district_admin, db):
    from stepup.saml.metadata import parse_sp_metadata
    from stepup.services import service_providers

    xml = (Path(__file__).parent / "data" / "sp_without_certs.xml").read_text()
    sp = service_providers.service_provider_register(metadata=parse_sp_metadata(xml), actor="test")
    fresh_passkey_check(client, district_admin)
    response = client.post(
        f"/stepup/sps/{sp.pk}/",
        {
            "encrypt_assertions": "on",
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert "no encryption certificate" in response.content.decode()


def test_an_admin_removes_an_sp(client, district_admin, register_sp):
    sp = register_sp()
    fresh_passkey_check(client, district_admin)
    assert client.get(f"/stepup/sps/{sp.pk}/delete/").status_code == 200
    assert client.post(f"/stepup/sps/{sp.pk}/delete/").status_code == 302
    assert not ServiceProvider.objects.exists()
    assert AuditEntry.objects.get(action="stepup.sp_deleted").details["entity_id"] == SP_ENTITY_ID


def test_replacing_metadata_must_keep_the_entity_id(client, district_admin, register_sp):
    sp = register_sp()
    fresh_passkey_check(client, district_admin)
    other = (Path(__file__).parent / "data" / "sp_without_certs.xml").read_text()
    response = client.post(f"/stepup/sps/{sp.pk}/metadata/", {"metadata_xml": other}, follow=True)
    assert "not https://sp.test/saml/metadata" in response.content.decode()
    assert not AuditEntry.objects.filter(action="stepup.sp_metadata_replaced").exists()


def test_an_admin_edits_a_policy_and_the_change_is_audited(client, district_admin):
    policy = StepUpPolicy.objects.get(action="payroll")
    fresh_passkey_check(client, district_admin)
    response = client.post(
        f"/stepup/policies/{policy.pk}/",
        {
            "action": "payroll",
            "label": "Payroll",
            "class_ref": policy.class_ref,
            "relay_state_pattern": "(?i)payroll|paycheck",
            "max_age_seconds": "120",
            "required_roles": "Payroll clerk, HR manager",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.max_age_seconds == 120
    assert policy.required_roles == ["HR manager", "Payroll clerk"]
    details = AuditEntry.objects.get(action="stepup.policy_updated").details
    assert details["max_age_seconds"] == {"from": 300, "to": 120}


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"class_ref": "", "relay_state_pattern": ""}, "Give a class reference or a RelayState"),
        ({"relay_state_pattern": "(unclosed"}, "Not a valid regular expression"),
        ({"max_age_seconds": "-5"}, "greater than or equal to 0"),
    ],
)
def test_an_invalid_policy_is_refused(client, district_admin, changes, message):
    policy = StepUpPolicy.objects.get(action="payroll")
    fresh_passkey_check(client, district_admin)
    data = {
        "action": "payroll",
        "label": "Payroll",
        "class_ref": policy.class_ref,
        "relay_state_pattern": "payroll",
        "max_age_seconds": "300",
        "enabled": "on",
        **changes,
    }
    response = client.post(f"/stepup/policies/{policy.pk}/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    policy.refresh_from_db()
    assert policy.max_age_seconds == 300
    assert not AuditEntry.objects.filter(action="stepup.policy_updated").exists()


def test_an_auditor_cannot_change_policies(client, auditor):
    policy = StepUpPolicy.objects.get(action="payroll")
    client.force_login(auditor)
    assert client.get(f"/stepup/policies/{policy.pk}/").status_code == 403
    assert client.post("/stepup/policies/add/", {"action": "x"}).status_code == 403
    assert client.post(f"/stepup/policies/{policy.pk}/delete/").status_code == 403


def test_an_admin_adds_and_removes_a_policy(client, district_admin, register_sp):
    sp = register_sp()
    fresh_passkey_check(client, district_admin)
    response = client.post(
        "/stepup/policies/add/",
        {
            "action": "attendance",
            "label": "Attendance edits",
            "service_provider": sp.pk,
            "relay_state_pattern": "attendance",
            "max_age_seconds": "0",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    policy = StepUpPolicy.objects.get(action="attendance")
    assert policy.to_policy().sp_entity_id == SP_ENTITY_ID and policy.to_policy().max_age == 0
    client.post(f"/stepup/policies/{policy.pk}/delete/")
    assert not StepUpPolicy.objects.filter(action="attendance").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"stepup.policy_created", "stepup.policy_deleted"} <= actions


def test_key_rollover_publishes_a_next_key_and_promotion_switches_the_signer(
    client, district_admin, auditor
):
    from stepup.runtime import runtime

    current = runtime().idp.spec.signing_cert_pem
    client.force_login(auditor)
    assert client.post("/stepup/keys/rollover/").status_code == 403
    fresh_passkey_check(client, district_admin)
    client.post("/stepup/keys/rollover/")
    nxt = SigningKey.objects.get(status=SigningKey.NEXT)
    rt = runtime()
    assert rt.idp.spec.signing_cert_pem == current
    assert rt.idp.spec.next_cert_pem == nxt.certificate
    client.post("/stepup/keys/promote/")
    rt = runtime()
    assert rt.idp.spec.signing_cert_pem == nxt.certificate and rt.idp.spec.next_cert_pem is None
    assert SigningKey.objects.filter(status=SigningKey.RETIRED).count() == 1
    promote_again = client.post("/stepup/keys/promote/", follow=True)
    assert "no next key" in promote_again.content.decode()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "stepup.key_rollover_started" in actions and "stepup.key_promoted" in actions


def test_the_signing_key_is_stored_encrypted(db):
    from django.db import connection

    from stepup.services.signing_keys import signing_key_ensure

    key = signing_key_ensure()
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM stepup_signingkey WHERE id = %s", [key.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:") and "PRIVATE KEY" not in stored
    assert "PRIVATE KEY" in key.private_key.reveal()
    assert "PRIVATE KEY" not in str(key.private_key)


def test_activity_filters_by_kind_sp_and_staff_member(client, auditor):
    from stepup.policy import Decision
    from stepup.services import decisions
    from tests.stepup.conftest import make_subject

    rosa, omar = make_subject(), make_subject(subject_id="staff-9", staff_number="E1009")
    decision = Decision(allowed=True, reason="ok", class_ref="https://refeds.org/profile/mfa")
    for subject in (rosa, omar):
        decisions.assertion_issued_record(
            subject=subject,
            sp_entity_id=SP_ENTITY_ID,
            request_id="r",
            response_id="s",
            decision=decision,
            acs_url="https://sp.test/saml/acs",
            encrypted=False,
        )
    decisions.authn_request_refused_record(
        code="unknown_sp",
        message="nope",
        sp_entity_id="https://unknown.test",
        request_id="x",
        binding="redirect",
        client_ip="127.0.0.1",
    )
    client.force_login(auditor)
    everything = client.get("/stepup/activity/").content.decode()
    assert (
        "staff:E1007" in everything and "staff:E1009" in everything and "unknown_sp" in everything
    )
    mine = client.get("/stepup/activity/", {"subject": "staff-7"}).content.decode()
    assert "staff:E1007" in mine and "staff:E1009" not in mine
    by_number = client.get("/stepup/activity/", {"subject": "E1009"}).content.decode()
    assert "staff:E1009" in by_number and "staff:E1007" not in by_number
    refused = client.get("/stepup/activity/", {"kind": "refused"}).content.decode()
    assert "unknown_sp" in refused and "staff:E1007" not in refused
    by_sp = client.get("/stepup/activity/", {"sp": "unknown.test"}).content.decode()
    assert "unknown_sp" in by_sp and "staff:E1007" not in by_sp


def test_activity_reads_as_words_not_audit_codes(client, auditor, register_sp):
    """Configuration changes on the activity page read like the audit log: who did what
    to which service provider or key, never an action code or a model label."""
    from stepup.services.signing_keys import signing_key_ensure

    sp = register_sp()
    signing_key_ensure()
    client.force_login(auditor)
    page = client.get("/stepup/activity/").content.decode()
    for code in ("key_generated", "sp_registered", "stepup.signingkey:", "stepup.serviceprovider:"):
        assert code not in page
    assert "registered the service provider" in page and f"/stepup/sps/{sp.pk}/" in page
    assert "generated the signing key" in page


def test_the_sign_in_placeholder_is_public_and_ignores_foreign_next_urls(client):
    response = client.get("/stepup/authenticate/", {"next": "https://evil.test/"})
    assert response.status_code == 200
    assert "Sign in with your passkey" in response.content.decode()
    assert response.context["next"] is None
    ok = client.get("/stepup/authenticate/", {"next": "/idp/sso/continue/abc"})
    assert ok.context["next"] == "/idp/sso/continue/abc"
