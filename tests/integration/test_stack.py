"""The production stack for real: PostgreSQL, Redis and a Celery worker process."""

import threading

import pytest
from django.db import connection

from idbridge.audit.models import AuditEntry
from idbridge.audit.services import audit_record, audit_seal, audit_verify
from staff import tasks
from staff.models import CampusConnection, OnboardingCase, StaffMember
from staff.transitions import State
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def test_the_database_is_postgresql_and_healthz_sees_redis(client, db):
    assert connection.vendor == "postgresql"
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_a_task_run_by_the_worker_writes_to_the_database(transactional_db, celery_worker):
    # The beat's invitation sweep: a case still invited with no live link expires.
    connection = CampusConnection.objects.create(name="Sandbox", kind="rest")
    member = StaffMember.objects.create(
        connection=connection, campus_key="1001", first_name="Maria", last_name="Lopez"
    )
    case = OnboardingCase.objects.create(staff_member=member, state=State.INVITED)
    tasks.remind_and_expire_invitations.delay()
    entry = wait_for(
        lambda: AuditEntry.objects.filter(
            action="staff.case.expire", target=f"staff.onboardingcase:{case.pk}"
        ).first()
    )
    assert entry.actor_label == "system"
    assert audit_verify() is None


def test_concurrent_writers_keep_the_audit_chain_intact(transactional_db):
    audit_record(actor="setup", action="chain.start")
    errors = []

    def writer(n):
        try:
            for i in range(20):
                audit_record(actor=f"writer{n}", action="chain.append", details={"i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    audit_seal(grace_seconds=0)  # writers append unchained; the sealer chains them
    assert AuditEntry.objects.count() == 121
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 122))
    assert audit_verify() is None
