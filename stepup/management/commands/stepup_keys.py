"""The IdP's signing keys: list, start a rollover, promote the next key.

manage.py stepup_keys list
manage.py stepup_keys rollover   # publish a next key in metadata beside the current one
manage.py stepup_keys promote    # once every SP has the new metadata: sign with it
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stepup.models import SigningKey
from stepup.services.signing_keys import (
    signing_key_ensure,
    signing_key_promote,
    signing_key_rollover,
)

ACTOR = "cli:stepup_keys"


class Command(BaseCommand):
    help = "List and roll over the step-up IdP's signing keys."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "rollover", "promote"])

    def handle(self, *args, action, **options):
        try:
            if action == "rollover":
                key = signing_key_rollover(actor=ACTOR)
                self.stdout.write(f"Next key published in metadata: {key.fingerprint}")
            elif action == "promote":
                key = signing_key_promote(actor=ACTOR)
                self.stdout.write(f"Now signing with: {key.fingerprint}")
        except ValidationError as exc:
            raise CommandError(exc.messages[0])
        if action == "list":
            signing_key_ensure()
            for key in SigningKey.objects.exclude(status=SigningKey.RETIRED).order_by("status"):
                self.stdout.write(
                    f"{key.status}\t{key.fingerprint}\tuntil {key.not_after:%Y-%m-%d}"
                )
