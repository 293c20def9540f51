"""The onboarding list's search text on each staff member, filled for those recorded."""

from django.db import migrations, models

from staff.models import staff_search_text

BATCH = 2000


def fill(apps, schema_editor):
    StaffMember = apps.get_model("staff", "StaffMember")
    fields = ["first_name", "last_name", "work_email", "personal_email"]
    last = 0
    while True:
        batch = list(StaffMember.objects.filter(id__gt=last).order_by("id").only(*fields)[:BATCH])
        if not batch:
            return
        for member in batch:
            member.search_text = staff_search_text(*(getattr(member, f) for f in fields))
        StaffMember.objects.bulk_update(batch, ["search_text"])
        last = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0013_staff_member_dashboard_user"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="search_text",
            field=models.CharField(blank=True, editable=False, max_length=1000),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="staffmember",
            index=models.Index(fields=["search_text", "staff_number"], name="staff_search"),
        ),
    ]
