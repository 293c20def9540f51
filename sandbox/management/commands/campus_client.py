"""Manage the Campus sandbox's API clients (a SOAP user + an OAuth2 client each)."""

import json

from django.core.management.base import BaseCommand, CommandError

from sandbox.models import BOI_SCOPE, ROSTER_CORE_SCOPE, ROSTER_DEMOGRAPHICS_SCOPE
from sandbox.selectors import api_client_list
from sandbox.services.clients import DEFAULT_SCOPES, ClientError, api_client_create


class Command(BaseCommand):
    help = "Create sandbox API clients (prints their credentials as JSON) or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a client and print its credentials.")
        create.add_argument("--name", required=True)
        create.add_argument("--app-name", default=None, help="Defaults to the name, slugified.")
        create.add_argument(
            "--no-demographics",
            action="store_true",
            help="Without the roster-demographics.readonly scope (no birth dates).",
        )
        create.add_argument(
            "--no-boi",
            action="store_true",
            help=f"Without the {BOI_SCOPE} scope (no Business Office API).",
        )
        sub.add_parser("list", help="List clients (no secrets).")

    def handle(self, *args, action, **options):
        if action == "list":
            for client in api_client_list():
                self.stdout.write(
                    json.dumps(
                        {
                            "name": client.name,
                            "app_name": client.app_name,
                            "client_id": client.application.client_id,
                            "soap_username": client.soap_username,
                            "scopes": client.scopes,
                        }
                    )
                )
            return
        scopes = DEFAULT_SCOPES.split()
        if options["no_demographics"]:
            scopes.remove(ROSTER_DEMOGRAPHICS_SCOPE)
        if options["no_boi"]:
            scopes.remove(BOI_SCOPE)
        scopes = " ".join(scopes or [ROSTER_CORE_SCOPE])
        try:
            _, credentials = api_client_create(
                name=options["name"],
                app_name=options["app_name"],
                scopes=scopes,
                actor="manage.py campus_client",
            )
        except ClientError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(credentials, indent=2))
