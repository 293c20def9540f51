from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from idbridge.audit import chain
from idbridge.audit.models import AuditEntry, ChainHead
from idbridge.audit.services import (
    audit_record,
    audit_seal,
    audit_unsealed,
    audit_verify,
)
from idbridge.audit.tasks import seal_audit_chain


def _append(n, start=1):
    return [
        audit_record(actor="tester", action="thing.done", target=f"thing:{i}")
        for i in range(start, start + n)
    ]


def _age(entry, seconds):
    """Back-date an entry's append time, as if it had been written a while ago."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET created_at = %s WHERE id = %s",
            [timezone.now() - timedelta(seconds=seconds), entry.id],
        )


def test_an_append_is_unchained_until_sealed(db):
    entry = _append(1)[0]
    stored = AuditEntry.objects.get(id=entry.id)
    assert stored.seq is None and stored.hash is None and not stored.sealed
    assert ChainHead.objects.get(id=1).last_seq == 0


def test_an_unsealed_entry_is_reported_unsealed_not_broken(db, capsys):
    _append(12)
    assert audit_verify() is None
    assert audit_unsealed().count == 12
    assert str(audit_unsealed()).startswith("12 entries not yet sealed")
    call_command("audit_verify")
    assert "12 entries not yet sealed" in capsys.readouterr().out


def test_sealing_chains_entries_in_append_order(db):
    entries = _append(5)
    sealed = audit_seal(grace_seconds=0)
    assert sealed.count == 5
    stored = list(AuditEntry.objects.order_by("seq"))
    assert [e.id for e in stored] == [e.id for e in entries]
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert ChainHead.objects.get(id=1).last_hash == stored[-1].hash
    assert audit_verify() is None
    assert audit_unsealed().count == 0


def test_entries_younger_than_the_grace_period_wait_for_the_next_seal(db, settings):
    settings.AUDIT_SEAL_GRACE_SECONDS = 60
    old, young = _append(2)
    _age(old, 120)
    assert audit_seal().count == 1
    assert AuditEntry.objects.get(id=old.id).seq == 1
    assert AuditEntry.objects.get(id=young.id).seq is None
    assert audit_unsealed().count == 1
    assert audit_verify() is None


def test_an_entry_that_commits_late_is_sealed_by_the_next_batch(db):
    """A lower id the sealer has not seen yet is chained after higher ones: nothing is lost."""
    first, second, third = _append(3)
    _seal_skipping(second)  # as if `second` had not committed yet
    assert AuditEntry.objects.get(id=second.id).seq is None
    late = audit_seal(grace_seconds=0)
    assert late.count == 1
    positions = dict(AuditEntry.objects.values_list("id", "seq"))
    assert positions == {first.id: 1, third.id: 2, second.id: 3}
    assert audit_verify() is None


def _seal_skipping(entry):
    """Seal everything but ``entry``, by sealing with it temporarily in the future."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET created_at = %s WHERE id = %s",
            [timezone.now() + timedelta(hours=1), entry.id],
        )
        audit_seal(grace_seconds=0)
        cursor.execute(
            "UPDATE audit_auditentry SET created_at = %s WHERE id = %s",
            [timezone.now(), entry.id],
        )


def test_a_rolled_back_entry_never_exists_and_leaves_no_hole(transactional_db):
    from django.db import transaction

    _append(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _append(1, start=2)
        raise RuntimeError("the caller's change failed")
    _append(1, start=3)
    audit_seal(grace_seconds=0)
    assert list(AuditEntry.objects.order_by("seq").values_list("target", flat=True)) == [
        "thing:1",
        "thing:3",
    ]
    assert audit_verify() is None


def test_seals_in_batches(db, settings):
    settings.AUDIT_SEAL_BATCH = 4
    _append(10)
    assert audit_seal(grace_seconds=0).count == 10
    assert ChainHead.objects.get(id=1).last_seq == 10
    assert audit_verify() is None


def test_every_nth_append_seals_after_its_commit(db, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_SEAL_EVERY = 1
    settings.AUDIT_SEAL_GRACE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        _append(3)
    assert audit_unsealed().count == 0
    assert audit_verify() is None


def test_the_beat_task_and_the_command_seal(db, capsys, settings):
    settings.AUDIT_SEAL_GRACE_SECONDS = 60
    _append(2)
    assert seal_audit_chain.apply(kwargs={}).get() == {"sealed": 0, "head": 0}  # too young
    call_command("audit_seal", "--grace", "0")
    assert "Sealed 2 entries; chain head #2" in capsys.readouterr().out
    assert audit_unsealed().count == 0


def test_sealed_entries_still_cannot_be_changed_through_the_orm(db):
    from idbridge.audit.models import AppendOnlyError

    _append(1)
    audit_seal(grace_seconds=0)
    entry = AuditEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(id=entry.id).update(seq=None)


def test_audit_page_marks_unsealed_entries(client, auditor):
    client.force_login(auditor)  # a sign-in is an entry too: sealed with the first two
    _append(2)
    audit_seal(grace_seconds=0)
    _append(1, start=3)
    body = client.get("/audit/").content.decode()
    assert "1 entry not yet sealed" in body
    assert body.count("not yet sealed") == 2  # the notice and the entry's row
