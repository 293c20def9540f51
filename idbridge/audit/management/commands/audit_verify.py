from django.core.management.base import BaseCommand, CommandError

from idbridge.audit.models import ChainHead
from idbridge.audit.services import audit_unsealed, audit_verify, audit_verify_checkpoints


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain and name the first broken link; with --checkpoint"
        " also check it against the latest signed checkpoints kept outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="also compare the chain with the latest signed checkpoints",
        )
        parser.add_argument(
            "--checkpoints", type=int, default=100, help="how many recent checkpoints to check"
        )

    def handle(self, *args, **options):
        broken = audit_verify()
        if broken is not None:
            raise CommandError(f"Audit chain broken at {broken}")
        head = ChainHead.objects.filter(id=1).first()
        count = head.last_seq if head else 0
        last = head.last_hash if head else "-"
        self.stdout.write(
            f"Audit chain intact: {count} sealed entries, head {last}; {audit_unsealed()}"
        )
        if options["checkpoint"]:
            self._check_against_checkpoints(options["checkpoints"])

    def _check_against_checkpoints(self, limit: int):
        problems, checked = audit_verify_checkpoints(limit)
        if problems:
            raise CommandError("Audit chain does not match its checkpoints: " + "; ".join(problems))
        if checked:
            self.stdout.write(f"Checkpoints: the chain matches the latest {checked}.")
        else:
            self.stdout.write("Checkpoints: none yet (nothing has been sealed).")
