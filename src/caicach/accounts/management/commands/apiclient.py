"""``caicach apiclient create|revoke``: register or revoke a machine client of the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.accounts import machine_clients
from caicach.accounts.models import MachineClient, Role
from caicach.agencies.models import Agency
from caicach.core.audit import Actor


class Command(BaseCommand):
    help = (
        "Machine clients (OAuth2 client credentials). `apiclient create NAME --agency CODE "
        "--role ROLE --scope S [--scope S]`: prints the client id and secret once. "
        "`apiclient revoke CLIENT_ID`: revokes its tokens and disables it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="register a client")
        create.add_argument("name", help="what the client is, e.g. 'Kiosk, An Phu commune'")
        create.add_argument("--agency", required=True, help="code of the agency it acts for")
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=sorted(settings.API_TOKEN_SCOPES),
            help="a scope it may ask for (repeat for several)",
        )
        revoke = sub.add_parser("revoke", help="revoke every token of a client and disable it")
        revoke.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("caicach apiclient")
        if options["action"] == "create":
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency with the code {options['agency']!r}.")
            machine, secret = machine_clients.create_client(
                actor,
                name=options["name"],
                agency=agency,
                role=options["role"],
                scopes=options["scope"],
            )
            self.stdout.write(f"client_id: {machine.application.client_id}")
            self.stdout.write(f"client_secret: {secret}")
            self.stdout.write("The secret is stored hashed: keep it now, it cannot be shown again.")
            return
        machine_client = MachineClient.objects.filter(
            application__client_id=options["client_id"]
        ).first()
        if machine_client is None:
            raise CommandError(f"No machine client {options['client_id']!r}.")
        count = machine_clients.revoke_client(actor, machine_client)
        self.stdout.write(f"Revoked {count} token(s); the client is disabled.")
