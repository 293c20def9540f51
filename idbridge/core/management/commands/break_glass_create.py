"""``manage.py break_glass_create [name]``: make (or re-key) the recovery account."""

from django.core.management.base import BaseCommand

from idbridge.core.breakglass import break_glass_create, provisioning_uri


class Command(BaseCommand):
    help = (
        "Create or re-key the break-glass dashboard account (long random password + TOTP). "
        "Prints the password and the TOTP secret once: keep them in the district's safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="break-glass")

    def handle(self, *args, username, **options):
        password, secret = break_glass_create(username)
        self.stdout.write(f"Break-glass account: {username}")
        self.stdout.write(f"Password: {password}")
        self.stdout.write(f"TOTP secret: {secret}")
        self.stdout.write(f"Authenticator app link: {provisioning_uri(username, secret)}")
        self.stdout.write("Every sign-in with it is audited and e-mailed to every district admin.")
