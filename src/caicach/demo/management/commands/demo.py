"""``caicach demo load``: load the demo province and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caicach.demo.services import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Demo data. `demo load`: the demo province tỉnh An Hòa after the 2025 two-tier reform "
        "(agencies, official calendars 2024-2026, about 120 procedures, one officer per role). "
        "Idempotent: running it again reuses what exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "logins"], help="load | logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            officers = load_demo(self.stdout)
        else:
            from caicach.agencies.models import Agency
            from caicach.demo.services import demo_officers

            root = Agency.objects.filter(parent__isnull=True).order_by("path").first()
            officers = demo_officers(root) if root else []
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for o in officers:
            self.stdout.write(f"  {o.username:<13} {o.role.label:<20} {o.full_name} ({o.note})\n")
