from django.core.management.base import BaseCommand, CommandError

from staff.models import OnboardingCase
from staff.services.cases import OnboardingError
from staff.services.invitations import invitation_send


class Command(BaseCommand):
    help = "(Re)issue an onboarding invitation by staff number and print its link."

    def add_arguments(self, parser):
        parser.add_argument("--staff-number", required=True)
        parser.add_argument("--reason", default="issued with manage.py staff_invite")

    def handle(self, *args, staff_number, reason, **options):
        cases = list(
            OnboardingCase.objects.filter(staff_member__staff_number__iexact=staff_number.strip())
        )
        if not cases:
            raise CommandError(f"No onboarding case for staff number {staff_number}.")
        if len(cases) > 1:
            raise CommandError(
                f"{len(cases)} cases share staff number {staff_number}; fix the duplicate in "
                "Campus or invite from the dashboard."
            )
        try:
            invitation, link = invitation_send(
                case=cases[0], actor="manage.py staff_invite", reason=reason
            )
        except OnboardingError as exc:
            raise CommandError(str(exc)) from None
        until = f"{invitation.expires_at:%Y-%m-%d %H:%M %Z}"
        self.stdout.write(f"Invitation sent to {invitation.sent_to}, valid until {until}.")
        self.stdout.write(link)
