from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_cache_table")]

    operations = [
        migrations.AlterModelOptions(
            name="capability",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("view_onboarding", "See staff onboarding"),
                    ("manage_onboarding", "Invite, re-proof and revoke staff"),
                    ("view_stepup", "See the IdP, service providers and step-up policies"),
                    ("manage_stepup", "Change service providers and step-up policies"),
                    ("view_boi", "See the Business Office console"),
                    ("manage_boi", "Import HR data and run Business Office syncs"),
                    ("view_audit", "Read the audit log"),
                    ("view_sandbox", "See the Campus sandbox"),
                    ("manage_sandbox", "Change the Campus sandbox"),
                    ("view_outbox", "Read the local mail outbox"),
                    ("manage_connections", "Configure Campus connections and their credentials"),
                ],
            },
        ),
    ]
