"""The onboarding list's search reads a word table (``idbridge.search``): every staff
member's words, filled here from their search text; the search text's index goes."""

import django.db.models.deletion
from django.db import migrations, models

from idbridge.search import words_fill


def fill(apps, schema_editor):
    words_fill(
        apps.get_model("staff", "StaffMember"),
        apps.get_model("staff", "StaffSearchWord"),
        "staff_member_id",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0015_connection_school_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffSearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=40)),
                (
                    "staff_member",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="staff.staffmember",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="staffsearchword",
            index=models.Index(fields=["word", "staff_member"], name="staff_word"),
        ),
        migrations.AddIndex(
            model_name="staffsearchword",
            index=models.Index(fields=["staff_member", "word"], name="staff_word_of_member"),
        ),
        migrations.RemoveIndex(model_name="staffmember", name="staff_search"),
    ]
