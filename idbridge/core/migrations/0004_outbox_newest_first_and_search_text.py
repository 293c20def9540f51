"""The outbox list pages by (created_at, id) and searches a stored, lowercased
"recipients, subject" text; existing messages get theirs here."""

from django.db import migrations, models

from idbridge.core.models import outbox_search_text


def fill_search_text(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    batch = []
    for message in OutboxMessage.objects.only("id", "to", "subject").iterator(chunk_size=2000):
        message.search_text = outbox_search_text(message.to or [], message.subject)
        batch.append(message)
        if len(batch) == 2000:
            OutboxMessage.objects.bulk_update(batch, ["search_text"])
            batch = []
    OutboxMessage.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_connections_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="search_text",
            field=models.CharField(blank=True, editable=False, max_length=600),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="outboxmessage",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                fields=["created_at", "id", "search_text"], name="outbox_newest_first"
            ),
        ),
    ]
