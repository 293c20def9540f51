"""Two administrators editing one step-up policy or one service provider at once: the
second save is refused in words, the first one's change kept, and the page shows what is
saved; saving again from there goes through."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from idbridge.audit.models import AuditEntry
from stepup.models import ServiceProvider, StepUpPolicy
from tests.conftest import fresh_passkey_check


@pytest.fixture
def two_admins(district_admin):
    """Two dashboard sessions with a fresh passkey check each (two tabs or two people)."""
    first, second = Client(), Client()
    for client in (first, second):
        fresh_passkey_check(client, district_admin)
    return first, second


def shown(client, path) -> dict:
    """The edit form's fields as the page shows them (what a browser would post back)."""
    form = client.get(path).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
        elif value is not None:
            data[field.name] = value if isinstance(value, list) else str(value)
    return data


def test_the_second_of_two_policy_edits_is_refused_in_words(two_admins, default_policies):
    first, second = two_admins
    policy = default_policies.first()
    path = f"/stepup/policies/{policy.pk}/"
    mine, theirs = shown(first, path), shown(second, path)
    assert second.post(path, {**theirs, "label": "Theirs"}).status_code == 302
    refused = first.post(path, {**mine, "label": "Mine", "max_age_seconds": 60})
    assert refused.status_code == 302 and refused["Location"] == path
    policy.refresh_from_db()
    assert policy.label == "Theirs"
    (message,) = [str(m) for m in get_messages(refused.wsgi_request)]
    assert message.startswith("Someone else saved this policy at ")
    assert "your changes were not saved" in message
    assert AuditEntry.objects.filter(action="stepup.policy_updated").count() == 1
    again = shown(first, path)  # the page now shows what is saved
    assert again["label"] == "Theirs"
    assert first.post(path, {**again, "label": "Mine"}).status_code == 302
    assert StepUpPolicy.objects.get(pk=policy.pk).label == "Mine"


def test_the_second_of_two_sp_edits_is_refused_in_words(two_admins, register_sp):
    first, second = two_admins
    sp = register_sp()
    path = f"/stepup/sps/{sp.pk}/"
    mine, theirs = shown(first, path), shown(second, path)
    assert second.post(path, {**theirs, "name": "Theirs"}).status_code == 302
    refused = first.post(path, {**mine, "name": "Mine", "require_signed_requests": "on"})
    assert refused.status_code == 302 and refused["Location"] == path
    sp.refresh_from_db()
    assert sp.name == "Theirs" and not sp.require_signed_requests
    (message,) = [str(m) for m in get_messages(refused.wsgi_request)]
    assert message.startswith("Someone else saved this service provider at ")
    again = shown(first, path)
    assert first.post(path, {**again, "name": "Mine"}).status_code == 302
    assert ServiceProvider.objects.get(pk=sp.pk).name == "Mine"


def test_a_form_without_what_it_saw_still_saves(client, district_admin, default_policies):
    # A form from before this check (an open tab across an upgrade) is not refused.
    policy = default_policies.first()
    path = f"/stepup/policies/{policy.pk}/"
    fresh_passkey_check(client, district_admin)
    data = shown(client, path)
    del data["seen"]
    assert client.post(path, {**data, "label": "Changed"}).status_code == 302
    assert StepUpPolicy.objects.get(pk=policy.pk).label == "Changed"
