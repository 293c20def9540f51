import json
import os
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from idbridge.audit import chain, checkpoints
from idbridge.audit.models import AuditEntry
from idbridge.audit.services import (
    audit_record,
    audit_seal,
    audit_verify,
    audit_verify_checkpoints,
)
from idbridge.core.models import OutboxMessage


@pytest.fixture
def sealed(db, django_capture_on_commit_callbacks):
    """Append n entries and seal them, writing the checkpoint as a committed seal does."""

    def write(n, start=1):
        for i in range(start, start + n):
            audit_record(actor="tester", action="thing.done", target=f"thing:{i}")
        with django_capture_on_commit_callbacks(execute=True):
            audit_seal(grace_seconds=0)
        return list(AuditEntry.objects.order_by("seq"))

    return write


def _sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)


def _lines(settings):
    return Path(settings.AUDIT_CHECKPOINT_FILE).read_text().splitlines()


def _truncate_and_rewrite_head(keep):
    """What someone with write access to the database would do to hide the last entries."""
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [keep.seq])
    _sql("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s", [keep.seq, keep.hash])


def test_each_seal_appends_a_signed_checkpoint(sealed, settings):
    sealed(3)
    entries = sealed(2, start=4)
    lines = _lines(settings)
    assert len(lines) == 2
    last = json.loads(lines[-1])
    assert (last["seq"], last["count"], last["hash"]) == (5, 5, entries[-1].hash)
    assert last["last_id"] == entries[-1].id and last["sig"]
    assert audit_verify_checkpoints() == ([], 2)


def test_the_signing_key_is_private_and_its_public_half_is_kept(sealed, settings):
    sealed(1)
    key = Path(settings.AUDIT_SIGNING_KEY_FILE)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert b"PUBLIC KEY" in key.with_suffix(".pub").read_bytes()


def test_a_deleted_tail_with_a_rewritten_head_is_caught_only_by_the_checkpoint(sealed):
    entries = sealed(5)
    _truncate_and_rewrite_head(keep=entries[2])
    assert audit_verify() is None  # the chain on its own is consistent
    call_command("audit_verify")
    with pytest.raises(CommandError, match=r"entries #4–#5 were deleted"):
        call_command("audit_verify", "--checkpoint")


def test_a_rewritten_tail_with_recomputed_hashes_is_caught_by_the_checkpoint(sealed):
    entries = sealed(3)
    last = AuditEntry.objects.get(id=entries[-1].id)
    last.action = "thing.hidden"
    new_hash = chain.link_hash(last.prev_hash, last.chained_fields())
    _sql(
        "UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
        ["thing.hidden", new_hash, last.id],
    )
    _sql("UPDATE audit_chainhead SET last_hash = %s", [new_hash])
    assert audit_verify() is None
    with pytest.raises(CommandError, match=r"entry #3 does not match the checkpoint"):
        call_command("audit_verify", "--checkpoint")


@pytest.mark.parametrize(
    "tamper, problem",
    [
        ("UPDATE audit_auditentry SET target = 'x' WHERE seq = 2", "entry #2"),
        ("DELETE FROM audit_auditentry WHERE seq = 2", r"entry #2: missing \(deleted\)"),
    ],
)
def test_a_change_in_the_middle_is_still_caught(sealed, tamper, problem):
    sealed(4)
    _sql(tamper)
    with pytest.raises(CommandError, match=problem):
        call_command("audit_verify", "--checkpoint")


def test_an_inserted_entry_in_the_middle_is_still_caught(sealed):
    first = sealed(3)[0]
    forged = {**first.chained_fields(), "seq": 2, "action": "user.promoted"}
    _sql("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq >= 2")
    _sql("UPDATE audit_auditentry SET seq = seq - 999 WHERE seq >= 1000")
    _sql(
        "INSERT INTO audit_auditentry (seq, created_at, actor_label, action, target, details,"
        " prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            2,
            first.created_at,
            "tester",
            "user.promoted",
            first.target,
            "{}",
            first.hash,
            chain.link_hash(first.hash, forged),
        ],
    )
    with pytest.raises(CommandError, match=r"entry #3 \(id \d+\): previous-hash.*inserted"):
        call_command("audit_verify", "--checkpoint")


def test_unsealed_entries_are_reported_unsealed_not_broken(sealed, capsys):
    sealed(2)
    for i in range(3):
        audit_record(actor="tester", action="thing.later", target=f"later:{i}")
    call_command("audit_verify", "--checkpoint")
    out = capsys.readouterr().out
    assert "3 entries not yet sealed" in out
    assert "matches the latest 1" in out


def test_an_edited_checkpoint_fails_its_signature(sealed, settings):
    sealed(2)
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    line = json.loads(path.read_text())
    line["seq"] = line["count"] = 1
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="signature does not match"):
        call_command("audit_verify", "--checkpoint")


def test_a_removed_checkpoint_file_is_reported(sealed, settings):
    sealed(2)
    Path(settings.AUDIT_CHECKPOINT_FILE).unlink()
    with pytest.raises(CommandError, match="no checkpoint"):
        call_command("audit_verify", "--checkpoint")


def test_the_checkpoint_file_rotates_by_size(sealed, settings):
    settings.AUDIT_CHECKPOINT_MAX_BYTES = 1  # every checkpoint starts a new file
    settings.AUDIT_CHECKPOINT_KEEP = 2
    for start in range(1, 5):
        sealed(1, start=start)
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    kept = sorted(p.name for p in path.parent.glob(path.name + "*"))
    assert kept == [path.name, path.name + ".1", path.name + ".2"]
    assert [r.checkpoint.seq for r in checkpoints.latest(10)] == [4, 3, 2]
    assert audit_verify_checkpoints() == ([], 3)


def test_the_latest_checkpoint_is_mailed_to_district_admins(sealed, district_admin):
    from idbridge.audit.tasks import mail_audit_checkpoint

    entries = sealed(3)
    assert mail_audit_checkpoint.apply().get() == {"mailed": 1}
    message = OutboxMessage.objects.get()
    assert message.to == [district_admin.email]
    assert "3 entries" in message.subject
    assert entries[-1].hash in message.body_text and "PUBLIC KEY" in message.body_text


def test_nothing_is_mailed_before_the_first_seal(db, district_admin):
    from idbridge.audit.mailing import mail_latest_checkpoint

    assert mail_latest_checkpoint() == 0
    assert not OutboxMessage.objects.exists()


def test_checkpoints_are_checked_with_the_public_key_alone(sealed, settings):
    sealed(2)
    Path(settings.AUDIT_SIGNING_KEY_FILE).unlink()  # e.g. a copy checked on another machine
    assert audit_verify_checkpoints() == ([], 1)
    Path(settings.AUDIT_SIGNING_KEY_FILE).with_suffix(".pub").unlink()
    problems, checked = audit_verify_checkpoints()
    assert checked == 0 and "signing key" in problems[0] and "missing" in problems[0]
