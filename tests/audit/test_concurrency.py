"""On PostgreSQL: writers do not queue behind each other, and a late commit is sealed later."""

import threading

import pytest
from django.db import connection, transaction

from idbridge.audit.models import AuditEntry
from idbridge.audit.services import audit_record, audit_seal, audit_unsealed, audit_verify

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _no_opportunistic_seal(settings):
    settings.AUDIT_SEAL_EVERY = 0  # the tests seal explicitly, to count what each seal does


def _in_thread(target, *args):
    def run():
        try:
            target(*args)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _long_transaction(appended: threading.Event, release: threading.Event, ids: list):
    with transaction.atomic():
        ids.append(audit_record(actor="long", action="thing.slow", target="slow:1").id)
        appended.set()
        release.wait(60)


def _writer(index: int, n: int):
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=f"writer:{index}", action="thing.done", target=f"x:{i}")


def test_writers_do_not_wait_for_an_open_transaction_and_its_entry_is_sealed_later(
    transactional_db,
):
    appended, release, slow_ids = threading.Event(), threading.Event(), []
    slow = _in_thread(_long_transaction, appended, release, slow_ids)
    assert appended.wait(30)
    writers = [_in_thread(_writer, i, 20) for i in range(8)]
    for thread in writers:
        thread.join(60)
    try:
        # With one chain-head lock per append these would all wait for the open transaction.
        assert not any(thread.is_alive() for thread in writers)
        assert audit_seal(grace_seconds=0).count == 160
    finally:
        release.set()
        slow.join(60)
    assert AuditEntry.objects.get(id=slow_ids[0]).seq is None
    assert audit_unsealed().count == 1
    assert audit_verify() is None
    assert audit_seal(grace_seconds=0).count == 1
    late = AuditEntry.objects.get(id=slow_ids[0])
    assert late.seq == 161  # lower id than every writer's entry, chained after them
    assert audit_verify() is None
    assert audit_unsealed().count == 0


def test_two_sealers_at_once_seal_each_entry_exactly_once(transactional_db):
    for i in range(300):
        audit_record(actor="tester", action="thing.done", target=f"x:{i}")
    counts = []
    sealers = [_in_thread(lambda: counts.append(audit_seal(grace_seconds=0).count)) for _ in "ab"]
    for thread in sealers:
        thread.join(60)
    assert sorted(counts) == [0, 300]
    assert audit_verify() is None
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 301)
    )
