"""idbridge.db: a read compiled once, and one INSERT, agree with the ORM."""

from datetime import UTC, datetime

import pytest

from idbridge.audit.models import AuditEntry
from idbridge.db import CompiledRead, row_insert
from stepup.models import SeenRequest

pytestmark = pytest.mark.django_db

read = CompiledRead(
    lambda digest: SeenRequest.objects.filter(digest=digest).values_list("digest", "expires_at")[
        :1
    ],
    "digest",
)


def test_a_compiled_read_answers_as_values_list_does_for_each_new_value():
    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for digest in ("a" * 64, "b" * 64):
        SeenRequest.objects.create(digest=digest, expires_at=when)
        assert read.first(digest=digest) == (digest, when)
    assert read.first(digest="c" * 64) is None


def test_a_compiled_read_refuses_a_parameter_the_query_does_not_use():
    unused = CompiledRead(lambda other: SeenRequest.objects.values_list("digest")[:1], "other")
    with pytest.raises(ValueError, match="every named parameter"):
        unused.first(other="x")


def test_row_insert_stores_what_save_would_and_sets_the_key():
    entry = AuditEntry(
        created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        actor_label="staff:E1",
        action="stepup.assertion_issued",
        target="sp:x",
        details={"nested": {"list": [1, "two"]}, "none": None},
    )
    row_insert(entry)
    stored = AuditEntry.objects.get(id=entry.id)
    assert (stored.actor_label, stored.details, stored.seq, stored.prev_hash) == (
        "staff:E1",
        {"nested": {"list": [1, "two"]}, "none": None},
        None,
        "",
    )
    assert stored.created_at == entry.created_at


def test_a_compiled_read_gives_every_row_and_takes_a_number_through_value():
    from django.contrib.auth.models import Group
    from django.db.models import Value

    groups = [Group.objects.create(name=f"compiled {n}") for n in range(3)]
    above = CompiledRead(
        lambda pk: (
            Group.objects.filter(pk__gt=Value(pk), name__startswith="compiled ")
            .order_by("pk")
            .values_list("name")
        ),
        "pk",
    )
    assert above.all(pk=groups[0].pk) == [("compiled 1",), ("compiled 2",)]
    assert above.all(pk=groups[2].pk) == []
