"""Sessions are written only when their content (or key) changed (idbridge.core.sessions)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from idbridge.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved_session(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def stored(key: str) -> dict:
    return SessionStore().decode(Session.objects.get(session_key=key).session_data)


def test_a_value_set_to_what_it_was_is_not_a_change():
    key = saved_session(issued={"sp": "abc"})
    store = SessionStore(key)
    store["issued"] = {"sp": "abc"}
    assert not store.modified


def test_a_key_set_and_removed_again_is_not_a_change():
    key = saved_session(subject="staff-7")
    store = SessionStore(key)
    store["pending"] = {"k": 1}
    store.pop("pending")
    assert not store.modified


def test_a_new_value_is_a_change_and_is_written():
    key = saved_session(subject="staff-7")
    store = SessionStore(key)
    store["issued"] = {"sp": "abc"}
    assert store.modified
    store.save()
    assert stored(key) == {"subject": "staff-7", "issued": {"sp": "abc"}}


def test_a_cycled_key_is_always_saved_under_the_new_key():
    key = saved_session(subject="staff-7")
    store = SessionStore(key)
    store.load()
    store.cycle_key()
    assert store.modified  # the middleware must send the new cookie
    assert store.session_key != key
    assert stored(store.session_key) == {"subject": "staff-7"}


def test_a_change_reverted_after_a_save_in_the_same_request_is_written_again():
    key = saved_session(step="one")
    store = SessionStore(key)
    store["step"] = "two"
    store.save()
    store["step"] = "one"
    assert store.modified


def test_an_expired_session_reads_as_empty_and_loses_its_key():
    key = saved_session(subject="staff-7")
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
