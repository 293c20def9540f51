from django.core.management.base import BaseCommand, CommandError

from idbridge.audit.models import ChainHead
from idbridge.audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; name the first broken link."

    def handle(self, *args, **options):
        broken = audit_verify()
        if broken is not None:
            raise CommandError(f"Audit chain broken at {broken}")
        head = ChainHead.objects.filter(id=1).first()
        count = head.last_seq if head else 0
        last = head.last_hash if head else "-"
        self.stdout.write(f"Audit chain intact: {count} entries, head {last}")
