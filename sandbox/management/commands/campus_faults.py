"""Switch the Campus sandbox's faults and read its request counters."""

import json

from django.core.management.base import BaseCommand, CommandError

from sandbox import faults


class Command(BaseCommand):
    help = (
        "Show or change fault switches (e.g. --set error_share=0.5 --set endpoints=soap), "
        "clear them, expire sessions, show or reset request counters."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="SWITCH=VALUE",
            help=f"One of: {', '.join(faults.SWITCHES)}",
        )
        parser.add_argument("--clear", action="store_true", help="Every fault off.")
        parser.add_argument("--expire-sessions", action="store_true")
        parser.add_argument("--counters", action="store_true", help="Print request counters.")
        parser.add_argument("--reset-counters", action="store_true")

    def handle(self, *args, **options):
        actor = "manage.py campus_faults"
        changes = {}
        for item in options["set"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--set needs SWITCH=VALUE, got {item!r}")
            changes[name.strip()] = value.strip()
        try:
            if options["clear"]:
                faults.faults_clear(actor=actor)
            if changes:
                faults.faults_set(actor=actor, **changes)
        except faults.FaultSettingError as exc:
            raise CommandError(str(exc)) from None
        if options["expire_sessions"]:
            self.stdout.write(f"{faults.sessions_expire_now(actor=actor)} sessions expired.")
        if options["reset_counters"]:
            faults.counters_reset(actor=actor)
        output = {"faults": faults.faults_as_dict()}
        if options["counters"] or options["reset_counters"]:
            output["counters"] = faults.counters_get()
        self.stdout.write(json.dumps(output, indent=2))
