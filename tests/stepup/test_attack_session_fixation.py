"""Session fixation: a session key planted in the browser before a sign-in (dashboard
passkey sign-in, an opened invitation) is not the one that carries the signed-in session,
and the planted key is worth nothing afterwards."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from idbridge.core.roles import DISTRICT_ADMIN
from staff.services.dashboard_roles import dashboard_roles_set
from tests.staff.conftest import connection  # noqa: F401 (a fixture)
from tests.staff.test_invitation_refusals import invited  # noqa: F401 (a fixture)
from tests.stepup.test_dashboard_sign_in import member_with_passkey, sign_in  # noqa: F401

pytestmark = pytest.mark.django_db


def _planted(client: Client) -> str:
    """A session the attacker made (and knows the key of), set in the victim's browser."""
    session = SessionStore()
    session["planted"] = True
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def test_a_planted_session_key_is_replaced_at_dashboard_sign_in(member_with_passkey):  # noqa: F811
    member, passkey = member_with_passkey
    dashboard_roles_set(member, [DISTRICT_ADMIN], actor="test")
    victim = Client()
    planted = _planted(victim)
    assert sign_in(victim, passkey).status_code == 200
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != planted
    assert victim.get("/stepup/").status_code == 200
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/stepup/").status_code == 302  # to sign-in: the key is worth nothing


def test_a_planted_session_key_is_replaced_when_an_invitation_is_opened(invited):  # noqa: F811
    _, path = invited
    victim = Client()
    planted = _planted(victim)
    assert victim.post(path).status_code == 302
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != planted
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/staff/onboarding/check/").status_code == 404
