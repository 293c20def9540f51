"""Migration 0007 merges the duplicate staff records that a second connection made before
cases were keyed by the Campus person: the case furthest along is kept, passkeys,
invitations and timelines move onto it, and nothing is lost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from idbridge.audit.models import AuditEntry
from staff.models import Invitation, OnboardingCase, Passkey, StaffMember

BEFORE = [("staff", "0010_staff_source")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


class Before:
    """Rows as the release before this one wrote them (historical models)."""

    def __init__(self, apps):
        self.apps = apps
        model = apps.get_model
        self.rest = model("staff", "CampusConnection").objects.create(name="REST", kind="rest")
        self.soap = model("staff", "CampusConnection").objects.create(name="SOAP", kind="soap")

    def member(self, via, key, person_id, number, state, **case):
        model = self.apps.get_model
        member = model("staff", "StaffMember").objects.create(
            connection=via,
            campus_key=key,
            campus_person_id=person_id,
            staff_number=number,
            first_name="Ana",
            last_name=f"Diaz{key}",
            birth_date="1980-01-02",
            work_email=f"ana{key}@district.example",
        )
        made = model("staff", "OnboardingCase").objects.create(
            staff_member=member, state=state, **case
        )
        model("staff", "CaseEvent").objects.create(
            case=made, actor_label="campus:poller", event="discover", to_state=state
        )
        return member, made

    def invitation(self, case, *, used=False):
        now = timezone.now()
        return self.apps.get_model("staff", "Invitation").objects.create(
            case=case,
            secret_hash=f"hash-{case.id}",
            sent_to="ana@district.example",
            expires_at=now + timedelta(days=7),
            used_at=now if used else None,
        )

    def passkey(self, member):
        return self.apps.get_model("staff", "Passkey").objects.create(
            staff_member=member, name="Phone", credential_id=f"cred-{member.id}", public_key=b"k"
        )


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_each_persons_records_keeping_the_case_furthest_along():
    old = Before(migrate(BEFORE))
    # Ana: verified through REST (no person ID over OneRoster then), invited again by SOAP.
    ana, ana_case = old.member(old.rest, "p-1", None, "S1", "verified", invitations_sent=1)
    old.passkey(ana)
    _, again = old.member(old.soap, "1", 1, "s1", "invited", invitations_sent=1)
    second_link = old.invitation(again)
    # Ben: an existing case through REST, proofing through SOAP (a used link).
    old.member(old.rest, "p-2", None, "S2", "existing", from_baseline=True)
    ben, ben_case = old.member(old.soap, "2", 2, "S2", "proofing")
    old.invitation(ben_case, used=True)
    # Cy is seen by one connection only; Dee's records share nothing to tell they match.
    old.member(old.rest, "p-3", None, "S3", "invited")
    old.member(old.rest, "p-4", None, "", "existing")
    old.member(old.soap, "4", 4, "", "existing")

    migrate(latest())

    assert StaffMember.objects.count() == 5
    ana = StaffMember.objects.get(id=ana.id)
    assert ana.campus_person_id == 1 and ana.case.id == ana_case.id
    assert ana.case.state == "verified" and ana.case.invitations_sent == 2
    assert Passkey.objects.get().staff_member == ana
    moved = Invitation.objects.get(id=second_link.id)
    assert moved.case == ana.case and moved.superseded_at is not None
    assert ana.case.events.filter(event="merge").count() == 1
    assert ana.case.events.filter(event="discover").count() == 2
    ben = StaffMember.objects.get(id=ben.id)
    assert ben.case.state == "proofing" and ben.sources.count() == 2
    assert not OnboardingCase.objects.filter(state="existing", staff_member__staff_number="S2")
    assert {m.sources.count() for m in StaffMember.objects.all()} == {1, 2}
    merged = AuditEntry.objects.filter(action="staff.merged")
    assert sorted(e.details["kept_case"] for e in merged) == sorted([ana_case.id, ben_case.id])
