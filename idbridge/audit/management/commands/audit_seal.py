from django.core.management.base import BaseCommand

from idbridge.audit.services import audit_seal, audit_unsealed


class Command(BaseCommand):
    help = "Seal the audit entries appended since the last seal and write a signed checkpoint."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            help="seal only entries at least this many seconds old (AUDIT_SEAL_GRACE_SECONDS)",
        )

    def handle(self, *args, **options):
        sealed = audit_seal(grace_seconds=options["grace"])
        self.stdout.write(
            f"Sealed {sealed.count} entries; chain head #{sealed.head_seq}"
            f" {sealed.head_hash[:16]}…; {audit_unsealed()}"
        )
