"""One staff record and case per Campus person: record the connection each staff record
came from as its first source, then merge the records that name one person (same person
ID, or same staff number where the person IDs cannot disagree: ``staff.identity``),
keeping the case furthest along and moving passkeys, invitations and timelines onto it
(``staff.services.merge``). Each merge is audited as ``staff.merged``."""

import json

from django.db import migrations
from django.utils import timezone

from staff.identity import same_person_groups

ACTOR = "migration:staff.0007"
REASON = "the same Campus person, recorded once per connection before this release"


def sources_record(apps):
    StaffMember = apps.get_model("staff", "StaffMember")
    StaffSource = apps.get_model("staff", "StaffSource")
    rows = StaffMember.objects.values_list(
        "id", "connection_id", "campus_key", "is_staff_in_campus", "last_seen_at"
    )
    StaffSource.objects.bulk_create(
        [
            StaffSource(
                staff_member_id=member_id,
                connection_id=connection_id,
                campus_key=campus_key,
                is_staff=is_staff,
                last_seen_at=seen,
            )
            for member_id, connection_id, campus_key, is_staff, seen in rows.iterator()
        ],
        batch_size=1000,
    )


def duplicates_merge(apps, schema_editor):
    from staff.services.merge import Rows, members_merge_rows

    sources_record(apps)
    get = apps.get_model
    StaffMember = get("staff", "StaffMember")
    AuditEntry = get("audit", "AuditEntry")
    rows = Rows(
        member=StaffMember,
        source=get("staff", "StaffSource"),
        case=get("staff", "OnboardingCase"),
        event=get("staff", "CaseEvent"),
        invitation=get("staff", "Invitation"),
        passkey=get("staff", "Passkey"),
    )
    people = StaffMember.objects.values_list("id", "campus_person_id", "staff_number")
    now = timezone.now()
    for group in same_person_groups(people.iterator()):
        _, details = members_merge_rows(group, actor_label=ACTOR, reason=REASON, rows=rows, now=now)
        AuditEntry.objects.create(
            created_at=timezone.now(),
            actor_label=ACTOR,
            action="staff.merged",
            target=f"staff.onboardingcase:{details['kept_case']}" if details["kept_case"] else "",
            details=json.loads(json.dumps(details)),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0010_staff_source"),
        ("audit", "0002_unchained_append_sealed_chain"),
    ]

    operations = [migrations.RunPython(duplicates_merge, migrations.RunPython.noop)]
