"""The SSO session seam the passkey ceremonies call (stepup.subjects)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.backends.db import SessionStore

from idbridge.core.access import safe_next_url
from stepup import subjects
from stepup.policy import PASSKEY, AuthEvent
from tests.stepup.conftest import make_subject

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fake_request():
    session = SessionStore()
    session.create()
    return SimpleNamespace(session=session)


def test_sign_in_stores_the_subject_and_the_event_under_a_new_session_key():
    request = fake_request()
    before = request.session.session_key
    subjects.sso_session_start(request, make_subject(), AuthEvent(PASSKEY, T0, True))
    assert request.session.session_key != before
    assert subjects.sso_session_subject(request) == make_subject()
    assert subjects.sso_session_events(request) == [AuthEvent(PASSKEY, T0, True)]


def test_step_up_checks_are_appended_and_the_log_is_bounded():
    request = fake_request()
    subjects.sso_session_start(request, make_subject(), AuthEvent(PASSKEY, T0, True))
    for n in range(1, 30):
        subjects.record_auth_event(request, AuthEvent(PASSKEY, T0 + timedelta(minutes=n), True))
    events = subjects.sso_session_events(request)
    assert len(events) == subjects.MAX_EVENTS
    assert events[-1].at == T0 + timedelta(minutes=29)


def test_a_different_person_signing_in_does_not_inherit_the_previous_checks():
    request = fake_request()
    subjects.sso_session_start(request, make_subject(), AuthEvent(PASSKEY, T0, True))
    other = make_subject(subject_id="staff-9", staff_number="E1009")
    later = AuthEvent(PASSKEY, T0 + timedelta(hours=1), True)
    subjects.sso_session_start(request, other, later)
    assert subjects.sso_session_subject(request).subject_id == "staff-9"
    assert subjects.sso_session_events(request) == [later]


def test_no_subject_means_no_events():
    request = fake_request()
    request.session[subjects.EVENTS_KEY] = [
        {"method": PASSKEY, "at": T0.isoformat(), "user_verified": True}
    ]
    assert subjects.sso_session_subject(request) is None
    assert subjects.sso_session_events(request) == []


def test_a_registered_loader_refreshes_the_subject_and_can_end_the_session():
    request = fake_request()
    subjects.sso_session_start(request, make_subject(), AuthEvent(PASSKEY, T0, True))
    try:
        subjects.set_subject_loader(lambda sid: make_subject(roles=("Payroll manager",)))
        assert subjects.sso_session_subject(request).roles == ("Payroll manager",)
        subjects.set_subject_loader(lambda sid: None)  # deprovisioned
        assert subjects.sso_session_subject(request) is None
        assert subjects.sso_session_events(request) == []
    finally:
        subjects.set_subject_loader(None)


def test_subjects_release_their_attributes_under_the_catalogue_names():
    from stepup.saml.idp import identity_for

    values = make_subject().attribute_values()
    ava = identity_for(values, ["email", "roles", "affiliation", "campus_person_id"])
    assert ava == {
        "mail": ["rosa.diaz@district.example"],
        "campusRoles": ["Payroll clerk", "Teacher"],
        "eduPersonAffiliation": ["staff", "employee"],
        "campusPersonID": ["40017"],
    }
    assert make_subject().label == "staff:E1007"


def test_signing_out_also_forgets_a_pending_checks_wording():
    request = fake_request()
    subjects.sso_session_start(request, make_subject(), AuthEvent(PASSKEY, T0, True))
    request.session[subjects.CHALLENGE_KEY] = {"mode": "step-up", "email": "a@district.example"}
    subjects.sso_session_end(request)
    assert subjects.CHALLENGE_KEY not in request.session


def test_the_freshest_verified_check_counts_only_within_its_age():
    request = fake_request()
    subjects.sso_session_start(request, make_subject(), AuthEvent(PASSKEY, T0, True))
    subjects.record_auth_event(request, AuthEvent(PASSKEY, T0 + timedelta(minutes=3), False))
    check = subjects.verified_passkey_check_at
    assert check(request, max_age=timedelta(minutes=5), now=T0 + timedelta(minutes=4)) == T0
    assert check(request, max_age=timedelta(minutes=5), now=T0 + timedelta(minutes=6)) is None
    assert check(request, max_age=timedelta(minutes=5), now=T0 - timedelta(minutes=1)) is None


@pytest.mark.parametrize("url", [1, ["/"], {"a": 1}, None, ""])
def test_a_next_url_that_is_not_text_is_ignored(url):
    request = SimpleNamespace(get_host=lambda: "idbridge.test", is_secure=lambda: False)
    assert safe_next_url(request, url) is None
