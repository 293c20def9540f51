"""Administrative acts on the one gate (``idbridge.core.gates``): without a fresh passkey
check nothing is written and the person is sent to the check; the form waits in the
session and comes back filled in; the break-glass account confirms each act with a
fresh code from its authenticator app."""

from datetime import timedelta

import pyotp
import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from idbridge.core.breakglass import break_glass_create
from stepup.models import ServiceProvider, SigningKey, StepUpPolicy
from tests.boi.conftest import passkey_check_in_session
from tests.conftest import fresh_passkey_check
from tests.staff.test_connections import REST_FORM
from tests.stepup.conftest import SP_ENTITY_ID, sp_metadata

pytestmark = pytest.mark.django_db

SP_FORM = {
    "name": "Payroll portal",
    "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "released_attributes": ["email", "roles"],
    "enabled": "on",
}


def _stale_check(client, user):
    client.force_login(user)
    passkey_check_in_session(client.session, user, at=timezone.now() - timedelta(hours=1))


def _check_now(client, user):
    """What the passkey ceremony records when the person passes it (SIMULATED)."""
    passkey_check_in_session(client.session, user)


def test_registering_an_sp_waits_for_the_check_and_comes_back_filled_in(
    client, district_admin, sp_key_files
):
    xml = sp_metadata(sp_key_files)
    _stale_check(client, district_admin)
    response = client.post("/stepup/sps/add/", {**SP_FORM, "metadata_xml": xml})
    assert response.status_code == 302
    assert response["Location"].startswith("/stepup/authenticate/?next=%2Fstepup%2Fsps%2Fadd%2F")
    assert not ServiceProvider.objects.exists()

    _check_now(client, district_admin)
    page = client.get("/stepup/sps/add/")
    form = page.context["form"]
    assert form.data["name"] == "Payroll portal" and SP_ENTITY_ID in form.data["metadata_xml"]
    assert "Your check is done" in page.content.decode()

    response = client.post("/stepup/sps/add/", {**SP_FORM, "metadata_xml": xml})
    assert ServiceProvider.objects.get().name == "Payroll portal"
    assert AuditEntry.objects.filter(action="stepup.sp_registered").count() == 1


def test_removing_an_sp_and_rolling_over_the_key_need_the_check(
    client, district_admin, register_sp
):
    sp = register_sp()
    SigningKey.objects.all().delete()
    _stale_check(client, district_admin)
    assert client.post(f"/stepup/sps/{sp.pk}/delete/").status_code == 302
    assert client.post("/stepup/keys/rollover/")["Location"].startswith("/stepup/authenticate/")
    assert ServiceProvider.objects.filter(pk=sp.pk).exists()
    assert not SigningKey.objects.filter(status=SigningKey.NEXT).exists()

    _check_now(client, district_admin)
    client.post(f"/stepup/sps/{sp.pk}/delete/")
    client.post("/stepup/keys/rollover/")
    assert not ServiceProvider.objects.filter(pk=sp.pk).exists()
    assert SigningKey.objects.filter(status=SigningKey.NEXT).exists()


def test_a_policy_edit_needs_the_check(client, district_admin, default_policies):
    policy = default_policies.first()
    _stale_check(client, district_admin)
    form = {
        "action": policy.action,
        "label": "Changed",
        "class_ref": policy.class_ref,
        "relay_state_pattern": policy.relay_state_pattern,
        "max_age_seconds": 60,
        "required_roles": "",
        "enabled": "on",
    }
    client.post(f"/stepup/policies/{policy.pk}/", form)
    policy.refresh_from_db()
    assert policy.label != "Changed"
    _check_now(client, district_admin)
    assert client.get(f"/stepup/policies/{policy.pk}/").context["form"].data["label"] == "Changed"
    client.post(f"/stepup/policies/{policy.pk}/", form)
    assert StepUpPolicy.objects.get(pk=policy.pk).label == "Changed"


def test_a_connection_secret_waits_encrypted_and_is_applied_after_the_check(client, district_admin):
    from staff.models import CampusConnection

    fresh_passkey_check(client, district_admin)
    client.post("/staff/connections/new/", REST_FORM)
    connection = CampusConnection.objects.get(name=REST_FORM["name"])
    url = f"/staff/connections/{connection.id}/edit/"

    passkey_check_in_session(client.session, district_admin, at=timezone.now() - timedelta(hours=1))
    # Not a credential: no check asked.
    client.post(url, {**REST_FORM, "client_secret": "", "poll_interval_seconds": 120})
    connection.refresh_from_db()
    assert connection.poll_interval_seconds == 120

    response = client.post(url, {**REST_FORM, "client_secret": "n3w-secret-456"})
    assert response["Location"].startswith("/stepup/authenticate/")
    connection.refresh_from_db()
    assert connection.client_secret.reveal() == "s3cret-value-123"
    stored = Session.objects.get(session_key=client.session.session_key).session_data
    assert "n3w-secret-456" not in stored

    _check_now(client, district_admin)
    page = client.get(url)
    assert "n3w-secret-456" not in page.content.decode()
    client.post(url, {**REST_FORM, "client_secret": ""})  # the kept secret fills the blank
    connection.refresh_from_db()
    assert connection.client_secret.reveal() == "n3w-secret-456"


def test_break_glass_confirms_each_act_with_a_fresh_code(client, district_admin, register_sp):
    from django.contrib.auth import get_user_model

    _, secret = break_glass_create("break-glass")
    user = get_user_model().objects.get(username="break-glass")
    client.force_login(user)
    sp = register_sp()
    delete = f"/stepup/sps/{sp.pk}/delete/"
    response = client.post(delete)
    assert response["Location"].startswith("/break-glass/confirm/?act=sp-change")
    page = client.get(response["Location"])
    assert "Registering or removing a service provider" in page.content.decode()

    refused = client.post(response["Location"], {"totp": "000000"})
    assert refused.status_code == 403
    assert client.post(response["Location"], {"totp": pyotp.TOTP(secret).now()}).status_code == 302
    client.post(delete)
    assert not ServiceProvider.objects.filter(pk=sp.pk).exists()
    confirmed = AuditEntry.objects.get(action="dashboard.break_glass_act_confirmed")
    assert confirmed.details["act"] == "Registering or removing a service provider"
    assert AuditEntry.objects.filter(action="dashboard.break_glass_act_refused").exists()

    # The code stood for that one act: the next one asks again.
    assert client.post("/stepup/keys/rollover/")["Location"].startswith("/break-glass/confirm/")


def test_only_the_break_glass_account_uses_the_code_page(client, district_admin):
    client.force_login(district_admin)
    assert client.get("/break-glass/confirm/?act=sp-change").status_code == 404
    break_glass_create("break-glass")
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="break-glass"))
    assert client.get("/break-glass/confirm/?act=no-such-act").status_code == 404


def test_django_admin_edits_no_users_or_roles(client):
    from django.contrib.auth import get_user_model

    break_glass_create("break-glass")
    client.force_login(get_user_model().objects.get(username="break-glass"))
    assert client.get("/admin/auth/user/").status_code == 404
    assert client.get("/admin/auth/group/").status_code == 404


def test_the_acts_policies_are_listed_and_a_change_is_gated_and_audited_in_words(
    client, district_admin, auditor
):
    from stepup.gates import sp_change_policy

    _stale_check(client, district_admin)
    form = {"action": "sp-change", "max_age_seconds": "120"}
    assert client.post("/stepup/policies/acts/", form)["Location"].startswith(
        "/stepup/authenticate/"
    )
    assert sp_change_policy().max_age == 300  # the shipped default, unchanged
    _check_now(client, district_admin)
    page = client.get("/stepup/policies/").content.decode()
    assert (
        'id="act-sp-change" name="max_age_seconds" type="number" min="30" max="3600" value="120"'
        in page
    )
    client.post("/stepup/policies/acts/", form)
    assert sp_change_policy().max_age == 120
    entry = AuditEntry.objects.get(action="stepup.act_policy_changed")
    assert entry.details == {
        "act": "Registering or removing a service provider",
        "before": "a passkey check within 5 minutes",
        "after": "a passkey check within 2 minutes",
    }

    refused = client.post(
        "/stepup/policies/acts/", {"action": "sp-change", "max_age_seconds": "0"}, follow=True
    )
    assert "Give between 30 seconds and 60 minutes" in refused.content.decode()
    assert sp_change_policy().max_age == 120

    client.force_login(auditor)
    page = client.get("/stepup/policies/").content.decode()
    assert "Registering or removing a service provider" in page and "act-sp-change" not in page
    assert client.post("/stepup/policies/acts/", form).status_code == 403


def test_an_sp_options_change_and_a_metadata_replacement_wait_for_the_check(
    client, district_admin, register_sp, sp_key_files
):
    sp = register_sp()
    url = f"/stepup/sps/{sp.pk}/"
    _stale_check(client, district_admin)
    options = {**SP_FORM, "name": "Renamed"}
    assert client.post(url, options)["Location"].startswith("/stepup/authenticate/")
    replaced = client.post(
        f"/stepup/sps/{sp.pk}/metadata/", {"metadata_xml": sp_metadata(sp_key_files)}
    )
    assert replaced["Location"].startswith("/stepup/authenticate/")
    sp.refresh_from_db()
    assert sp.name != "Renamed"
    assert not AuditEntry.objects.filter(action="stepup.sp_metadata_replaced").exists()

    _check_now(client, district_admin)
    page = client.get(url)
    assert page.context["replace_form"].data["metadata_xml"].startswith("<")  # the later one
    client.post(url, options)
    sp.refresh_from_db()
    assert sp.name == "Renamed"
