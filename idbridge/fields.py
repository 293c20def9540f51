"""EncryptedTextField: a model field whose value is encrypted at rest (see crypto.py)."""

from django.db import models

from idbridge import crypto


class EncryptedTextField(models.TextField):
    """Stores ``fernet:<token>``; reads back a :class:`idbridge.crypto.Secret`.

    ``visible_tail`` is how many trailing characters the masked form shows (4 for an SSN
    shows ``•••••6789``; 0 for a client secret). Encrypted values cannot be searched or
    ordered by: keep a separate non-secret column where a lookup is needed.
    """

    def __init__(self, *args, visible_tail: int = 0, **kwargs):
        self.visible_tail = visible_tail
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _SecretDescriptor(self))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.visible_tail:
            kwargs["visible_tail"] = self.visible_tail
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return crypto.Secret("", self.visible_tail)
        return crypto.Secret(crypto.decrypt(value), self.visible_tail)

    def to_python(self, value):
        if isinstance(value, crypto.Secret) or value is None:
            return value
        return crypto.Secret(str(value), self.visible_tail)

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, crypto.Secret):
            value = value.reveal()
        value = str(value)
        if value == "":
            return ""
        return crypto.encrypt(value)

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):  # an expression, e.g. the CASE bulk_update() builds
            return value
        return self.get_prep_value(value)

    def value_to_string(self, obj):
        # Serialization (dumpdata, exports) gets the masked form, never the plaintext.
        return str(self.value_from_object(obj))


class _SecretDescriptor:
    """Wraps whatever is assigned (a str from a form or a service) in a Secret at once."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = self.field.to_python(value)


def encrypted_fields():
    """(model, field) for every EncryptedTextField in the project."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field
