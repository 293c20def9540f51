"""The outbox search reads a word table (``idbridge.search``): every message's words,
filled here from its search text; the paging index no longer carries the text."""

import django.db.models.deletion
from django.db import migrations, models

from idbridge.search import words_fill


def fill(apps, schema_editor):
    words_fill(
        apps.get_model("core", "OutboxMessage"),
        apps.get_model("core", "OutboxSearchWord"),
        "message_id",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_break_glass_account_and_manage_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxSearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=40)),
                (
                    "message",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.outboxmessage",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="outboxsearchword",
            index=models.Index(fields=["word", "message"], name="outbox_word"),
        ),
        migrations.AddIndex(
            model_name="outboxsearchword",
            index=models.Index(fields=["message", "word"], name="outbox_word_of_message"),
        ),
        migrations.RemoveIndex(model_name="outboxmessage", name="outbox_newest_first"),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(fields=["created_at", "id"], name="outbox_newest_first"),
        ),
    ]
