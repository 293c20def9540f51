import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from idbridge.audit import chain
from idbridge.audit.admin import AuditEntryAdmin
from idbridge.audit.models import AppendOnlyError, AuditEntry
from idbridge.audit.services import audit_record, audit_seal, audit_verify


def _write(n):
    """n entries, sealed into the chain (as the sealer does within seconds), read back."""
    ids = [
        audit_record(actor="tester", action="thing.done", target=f"thing:{i}", details={"i": i}).id
        for i in range(1, n + 1)
    ]
    audit_seal(grace_seconds=0)
    return list(AuditEntry.objects.filter(id__in=ids).order_by("seq"))


def _sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)


def test_hash_covers_previous_hash_and_canonical_entry():
    entry = {"seq": 1, "action": "a", "details": {"b": 1, "a": 2}}
    reordered = {"details": {"a": 2, "b": 1}, "action": "a", "seq": 1}
    assert chain.link_hash(chain.GENESIS, entry) == chain.link_hash(chain.GENESIS, reordered)
    assert chain.link_hash(chain.GENESIS, entry) != chain.link_hash("1" * 64, entry)


def test_an_untouched_chain_verifies(db):
    entries = _write(5)
    assert audit_verify() is None
    assert entries[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]


def test_editing_a_row_names_that_entry(db):
    entries = _write(5)
    _sql("UPDATE audit_auditentry SET action = 'thing.hidden' WHERE id = %s", [entries[2].id])
    broken = audit_verify()
    assert broken.seq == 3
    assert "edited" in broken.problem


def test_editing_details_names_that_entry(db):
    entries = _write(4)
    _sql("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"i": 99}', entries[1].id])
    assert audit_verify().seq == 2


def test_deleting_a_middle_row_names_the_missing_entry(db):
    entries = _write(5)
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].id])
    broken = audit_verify()
    assert broken.seq == 2
    assert "deleted" in broken.problem


def test_deleting_the_last_row_is_caught_by_the_chain_head(db):
    entries = _write(3)
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].id])
    broken = audit_verify()
    assert broken.seq == 3
    assert "deleted" in broken.problem


def test_inserting_a_forged_row_is_caught(db):
    entries = _write(3)
    last = entries[-1]
    _sql(
        "INSERT INTO audit_auditentry (seq, created_at, actor_label, action, target, details,"
        " prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [4, last.created_at, "mallory", "user.promoted", "user:1", "{}", last.hash, "f" * 64],
    )
    broken = audit_verify()
    assert broken.seq == 4
    assert "inserted" in broken.problem


def test_rewriting_a_row_with_a_recomputed_hash_breaks_the_next_link(db):
    entries = _write(3)
    forged = AuditEntry.objects.get(id=entries[0].id)
    forged.action = "thing.rewritten"
    new_hash = chain.link_hash(forged.prev_hash, forged.chained_fields())
    _sql(
        "UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
        ["thing.rewritten", new_hash, forged.id],
    )
    broken = audit_verify()
    assert broken.seq == 2
    assert "previous-hash" in broken.problem


def test_audit_verify_command_names_the_first_broken_link(db):
    entries = _write(4)
    call_command("audit_verify")  # intact: no error
    _sql("UPDATE audit_auditentry SET target = 'x' WHERE id = %s", [entries[1].id])
    with pytest.raises(CommandError, match="entry #2"):
        call_command("audit_verify")


def test_entries_cannot_be_changed_or_deleted_through_the_orm(db):
    entry = _write(1)[0]
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(id=entry.id).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert audit_verify() is None


def test_admin_offers_no_add_change_or_delete(rf, district_admin):
    request = rf.get("/")
    request.user = district_admin
    admin = AuditEntryAdmin(AuditEntry, None)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)


def test_details_are_redacted_before_they_are_stored(db):
    entry = audit_record(
        actor="tester",
        action="staff.created",
        target="person:1",
        details={"ssn": "123-45-6789", "note": "SSN 123456789 on file", "client_secret": "s3"},
    )
    stored = AuditEntry.objects.get(id=entry.id).details
    assert stored["ssn"] == "[REDACTED]"
    assert stored["client_secret"] == "[REDACTED]"
    assert "123456789" not in stored["note"]


def test_entry_records_the_user_as_actor(district_admin):
    entry = audit_record(actor=district_admin, action="thing.done", target=district_admin)
    assert entry.actor_label == "dana_admin"
    assert entry.target == f"auth.user:{district_admin.pk}"


def test_audit_page_filters_and_is_read_only_for_auditor(client, auditor, outsider):
    audit_record(actor="campus:poller", action="staff.discovered", target="person:7")
    audit_record(actor="omar_hr", action="boi.sync_committed", target="sync:1")
    client.force_login(auditor)
    response = client.get("/audit/?action=staff.")
    assert response.status_code == 200
    assert b"staff.discovered" in response.content
    assert b"boi.sync_committed" not in response.content
    assert client.post("/audit/").status_code == 405
    client.force_login(outsider)
    assert client.get("/audit/").status_code == 403
