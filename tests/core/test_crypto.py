import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from idbridge import crypto
from tests.testapp.models import Sample

KEY_A = crypto.generate_key()
KEY_B = crypto.generate_key()


def _raw(sample, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM testapp_sample WHERE id = %s", [sample.id])
        return cursor.fetchone()[0]


@override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A])
def test_values_are_stored_encrypted_and_read_back(db):
    sample = Sample.objects.create(name="a", ssn="123-45-6789", client_secret="top-secret")
    raw = _raw(sample, "ssn")
    assert raw.startswith("fernet:")
    assert "6789" not in raw
    fresh = Sample.objects.get(id=sample.id)
    assert fresh.ssn.reveal() == "123-45-6789"
    assert fresh.client_secret.reveal() == "top-secret"


@override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A])
def test_values_are_masked_wherever_they_are_printed(db):
    sample = Sample.objects.get(id=Sample.objects.create(name="a", ssn="123-45-6789").id)
    assert str(sample.ssn) == "•••••6789"
    assert "123-45" not in repr(sample.ssn)
    assert "123-45" not in f"{sample.__dict__}"
    assert str(Sample.objects.create(name="b", client_secret="abc").client_secret) == "•••••"


@override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A])
def test_serialization_exports_only_the_masked_value(db):
    from django.core import serializers

    Sample.objects.create(name="a", ssn="123-45-6789", client_secret="top-secret")
    dumped = serializers.serialize("json", Sample.objects.all())
    assert "123-45-6789" not in dumped
    assert "top-secret" not in dumped
    assert "fernet:" not in dumped


def test_a_value_under_an_unknown_key_is_refused_clearly(db):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        sample = Sample.objects.create(name="a", ssn="123-45-6789")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        with pytest.raises(crypto.DecryptionError):
            Sample.objects.get(id=sample.id)


def test_rotate_field_keys_re_encrypts_every_value_under_the_new_key(db):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        samples = [
            Sample.objects.create(name=str(i), ssn=f"123-45-{i:04d}", client_secret=f"s{i}")
            for i in range(3)
        ]
        Sample.objects.create(name="empty")
        before = _raw(samples[0], "ssn")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
        assert _raw(samples[0], "ssn") != before
    # The old key can now be dropped: everything decrypts under the new key alone.
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        for i, sample in enumerate(samples):
            fresh = Sample.objects.get(id=sample.id)
            assert fresh.ssn.reveal() == f"123-45-{i:04d}"
            assert fresh.client_secret.reveal() == f"s{i}"
        assert Sample.objects.get(name="empty").ssn.reveal() == ""


def test_rotation_without_the_old_key_stops_with_a_clear_error(db):
    from django.core.management.base import CommandError

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        Sample.objects.create(name="a", ssn="123-45-6789")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        with pytest.raises(CommandError, match="keep the old key"):
            call_command("rotate_field_keys")


def test_a_malformed_key_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]):
        with pytest.raises(ImproperlyConfigured):
            crypto.encrypt("x")
