"""The one way to write to the audit log, and the sealer that chains what was written.

Appending and chaining are two steps, so that writers never queue behind each other:

- ``audit_record`` only INSERTs an unchained entry in the caller's transaction (the
  database's id sequence gives it its append order). No row is locked.
- ``audit_seal`` (Celery beat every ``AUDIT_SEAL_INTERVAL_SECONDS``, ``manage.py
  audit_seal``, and opportunistically after every ``AUDIT_SEAL_EVERY``-th append) locks
  the one chain-head row, gives committed unsealed entries, in id order, the next chain
  positions ``seq``, their previous hash and hash, moves the head, and appends a signed
  checkpoint outside the database (checkpoints.py).

How the sealer copes with an entry of a lower id that has not committed yet (ids are
handed out at INSERT, so on PostgreSQL a long transaction can commit an id lower than
ones already committed, and a rolled-back one leaves a gap for ever): it does not need to
know. The sealer never advances a watermark over ids; it stores each entry's own chain
position in that entry's row, and it only ever looks at rows with no position yet. An
entry that commits late is sealed by the next batch, at a later position than entries of
higher id, so nothing is skipped and a gap in ids means nothing. The short grace period
(``AUDIT_SEAL_GRACE_SECONDS``, entries younger than it wait for the next seal) only keeps
the chain in append order for the ordinary short transaction; correctness does not
depend on it. A watermark from the database (PostgreSQL's oldest running transaction)
would keep the order exact but ties the sealer to one database; order is not what the
chain proves.

An entry is tamper-evident from its seal on; until then it is reported as "not yet
sealed", never as broken.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from idbridge.audit import chain, checkpoints
from idbridge.audit.models import AuditEntry, ChainHead
from idbridge.core.logging import redact_value
from idbridge.db import row_insert

log = logging.getLogger(__name__)


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username() if actor.is_authenticated else "anonymous"


def _target_label(target) -> str:
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    return f"{target._meta.label_lower}:{target.pk}"


def audit_record(*, actor, action: str, target=None, details: dict | None = None) -> AuditEntry:
    """Append an entry; the sealer chains it shortly after it commits.

    ``actor`` is a user, a label such as ``"campus:poller"``, or None for the system;
    ``target`` a model instance or a label. Runs in the caller's transaction when there
    is one, so the entry commits or rolls back with the change it describes. Details are
    redacted like logs (no SSN, secret or token is ever stored in the audit log).
    """
    clean_details = redact_value("", json.loads(json.dumps(details or {}, default=str)))
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        action=action,
        target=_target_label(target),
        details=clean_details,
    )
    row_insert(entry)  # entry.save() without its overhead: on every SSO answer
    every = settings.AUDIT_SEAL_EVERY
    if every and entry.id % every == 0:
        transaction.on_commit(seal_quietly, robust=True)
    return entry


# --- Sealing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sealed:
    count: int
    head_seq: int
    head_hash: str


def _locked_head(wait: bool) -> ChainHead:
    ChainHead.objects.get_or_create(id=1, defaults={"last_seq": 0, "last_hash": chain.GENESIS})
    return ChainHead.objects.select_for_update(nowait=not wait).get(id=1)


def _link(head: ChainHead, entries: list[AuditEntry]) -> list[tuple]:
    """Give each entry its position and hashes; the rows to UPDATE."""
    seq, prev, rows = head.last_seq, head.last_hash, []
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = chain.link_hash(prev, entry.chained_fields())
        rows.append((entry.seq, entry.prev_hash, entry.hash, entry.id))
        prev = entry.hash
    return rows


def _store_links(rows: list[tuple]) -> None:
    """The sealer's UPDATE: the only write to an entry, and only to one not yet sealed."""
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE audit_auditentry SET seq = %s, prev_hash = %s, hash = %s"
            " WHERE id = %s AND seq IS NULL",
            rows,
        )


def _seal_batch(cutoff, batch: int, wait: bool) -> Sealed:
    with transaction.atomic():
        head = _locked_head(wait)
        entries = list(
            AuditEntry.objects.filter(seq=None, created_at__lte=cutoff).order_by("id")[:batch]
        )
        if not entries:
            return Sealed(0, head.last_seq, head.last_hash)
        _store_links(_link(head, entries))
        last = entries[-1]
        ChainHead.objects.filter(id=1).update(last_seq=last.seq, last_hash=last.hash)
        checkpoint = checkpoints.Checkpoint(
            seq=last.seq,
            count=last.seq,
            hash=last.hash,
            last_id=max(e.id for e in entries),
            at=timezone.now().isoformat(timespec="seconds"),
        )
        transaction.on_commit(lambda: checkpoints.append(checkpoint))
    return Sealed(len(entries), last.seq, last.hash)


def audit_seal(*, grace_seconds: float | None = None, wait: bool = True) -> Sealed:
    """Seal every committed entry older than the grace period, in batches; one checkpoint
    per batch. With ``wait=False`` it gives up at once when another sealer holds the head.
    """
    grace = settings.AUDIT_SEAL_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    total = 0
    while True:
        sealed = _seal_batch(cutoff, settings.AUDIT_SEAL_BATCH, wait)
        total += sealed.count
        if sealed.count < settings.AUDIT_SEAL_BATCH:
            return Sealed(total, sealed.head_seq, sealed.head_hash)


def seal_quietly() -> None:
    """The opportunistic seal after a commit: skipped when a sealer is already at work."""
    try:
        audit_seal(wait=False)
    except DatabaseError:
        log.debug("audit seal skipped: another sealer holds the chain head")


# --- Verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Unsealed:
    count: int
    oldest: object = None  # created_at of the oldest unsealed entry

    def __str__(self):
        if not self.count:
            return "every entry is sealed"
        noun = "entry" if self.count == 1 else "entries"
        age = int((timezone.now() - self.oldest).total_seconds())
        return f"{self.count} {noun} not yet sealed (oldest {age} s old)"


def audit_unsealed() -> Unsealed:
    pending = AuditEntry.objects.filter(seq=None)
    count = pending.count()
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    return Unsealed(count, oldest)


def _head() -> tuple[int, str]:
    head = ChainHead.objects.filter(id=1).first()
    return (head.last_seq, head.last_hash) if head else (0, chain.GENESIS)


def audit_verify(progress: Callable[[int], None] | None = None) -> chain.Break | None:
    """The first broken link of the sealed chain, or None when it is intact.

    Unsealed entries are not part of the chain yet: ``audit_unsealed`` counts them.
    ``progress``: told how many entries were checked, every ``VERIFY_PROGRESS_EVERY``.
    """
    head_seq, head_hash = _head()
    rows = (
        (e.seq, e.id, e.prev_hash, e.hash, e.chained_fields())
        for e in AuditEntry.objects.exclude(seq=None).order_by("seq").iterator(chunk_size=2000)
    )
    return chain.verify(_counted(rows, progress) if progress else rows, head_seq, head_hash)


VERIFY_PROGRESS_EVERY = 5000


def _counted(rows, progress: Callable[[int], None]):
    count = 0
    for count, row in enumerate(rows, 1):  # noqa: B007 - the last count is reported
        if count % VERIFY_PROGRESS_EVERY == 0:
            progress(count)
        yield row
    progress(count)


def _against(checkpoint: checkpoints.Checkpoint, length: int, hashes: dict) -> str:
    if checkpoint.seq > length:
        return (
            f"the chain is shorter than {checkpoint.describe()}: the database has {length}"
            f" sealed entries, so entries #{length + 1}–#{checkpoint.seq} were deleted"
            " (and the chain head rewritten)"
        )
    if hashes.get(checkpoint.seq) != checkpoint.hash:
        return (
            f"entry #{checkpoint.seq} does not match {checkpoint.describe()}: the chain up"
            " to it was rewritten"
        )
    return ""


def audit_verify_checkpoints(limit: int = 100) -> tuple[list[str], int]:
    """Problems found checking the chain against the latest signed checkpoints, in words,
    and how many checkpoints were checked. An empty list means they all match.
    """
    reads = checkpoints.latest(limit)
    problems = [read.problem for read in reads if read.problem]
    found = [read.checkpoint for read in reads if read.checkpoint]
    sealed = AuditEntry.objects.exclude(seq=None)
    length = sealed.count()
    if not found and length:
        problems.append(
            f"no checkpoint in {settings.AUDIT_CHECKPOINT_FILE}, yet {length} entries are"
            " sealed (the checkpoint file was removed)"
        )
    hashes = dict(
        sealed.filter(seq__in={c.seq for c in found}).values_list("seq", "hash").iterator()
    )
    problems += [p for p in (_against(c, length, hashes) for c in found) if p]
    return problems, len(found)


# --- The auditors' page ----------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    """The result of "Verify the chain", in words."""

    intact: bool
    sentences: list[str]


def audit_check_fits_in_page() -> bool:
    """Short enough to check in the web request (about 7,000 entries a second here)?
    A longer log is checked by a job with progress (``idbridge.audit.jobs``)."""
    return AuditEntry.objects.exclude(seq=None).count() <= settings.AUDIT_CHECK_IN_PAGE_MAX


def audit_chain_check(
    *, actor, progress: Callable[[int], None] | None = None, job_id: int | None = None
) -> ChainCheck:
    """What ``manage.py audit_verify --checkpoint`` checks, for the audit log page (in
    the request, or as the job ``job_id``); the check itself is audited (who checked,
    and what they were told)."""
    sealed = AuditEntry.objects.exclude(seq=None).count()
    broken = audit_verify(progress)
    problems, checked = audit_verify_checkpoints()
    if broken:
        sentences = [f"The chain is broken at {broken}. Entries from there on cannot be trusted."]
    else:
        sentences = [f"The chain is intact: all {sealed} sealed entries link up."]
    if problems:
        sentences += [f"Against the signed checkpoints: {p}." for p in problems]
    elif checked:
        sentences.append(f"The latest {checked} signed checkpoints match the chain.")
    sentences.append(f"{str(audit_unsealed()).capitalize()}.")
    result = ChainCheck(intact=broken is None and not problems, sentences=sentences)
    details = {"intact": result.intact, "result": " ".join(sentences)}
    if job_id is not None:
        details["job"] = job_id
    audit_record(actor=actor, action="audit.verified", details=details)
    return result


def audit_export_record(*, actor, filters: dict) -> None:
    """An export of the log is itself in the log, with the filters it used."""
    audit_record(actor=actor, action="audit.exported", details={"filters": filters})
