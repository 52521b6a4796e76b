"""``caicach demo load``: load the demo province and print the demo logins;
``caicach demo generate``: add synthetic dossier history (:mod:`caicach.demo.generator`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from caicach.demo.services import DEMO_PASSWORD, load_demo


def _day(text: str) -> date:
    if text == "today":
        today: date = timezone.localdate()
        return today
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Demo data. `demo load`: the demo province tỉnh An Hòa after the 2025 two-tier reform "
        "(agencies, official calendars 2024-2026, about 120 procedures, one officer per role). "
        "Idempotent: running it again reuses what exists. `demo logins` prints the logins. "
        "`demo generate --dossiers N [--seed S] [--start 2024-11-01] [--end today]` writes N "
        "synthetic dossiers with their history (skipped if that seed was already generated)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["load", "logins", "generate"], help="load | logins | generate"
        )
        parser.add_argument("--dossiers", type=int, default=200_000, help="generate: how many")
        parser.add_argument("--seed", type=int, default=1, help="generate: random seed")
        parser.add_argument("--start", type=_day, default=date(2024, 11, 1), help="YYYY-MM-DD")
        parser.add_argument("--end", type=_day, default=None, help="YYYY-MM-DD or today")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            from caicach.demo.generator import AlreadyGeneratedError, generate_dossiers

            try:
                result = generate_dossiers(
                    options["dossiers"],
                    seed=options["seed"],
                    start=options["start"],
                    end=options["end"],
                    stdout=self.stdout,
                )
            except AlreadyGeneratedError as error:
                # A second `make demo` reuses the history generated the first time.
                self.stdout.write(f"{error}\n")
                return
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Rate: {result.rate:,.0f} dossiers/s ({result.dossiers} in "
                f"{result.seconds:.1f} s); states: {result.states}\n"
            )
            return
        if options["action"] == "load":
            officers = load_demo(self.stdout)
        else:
            from caicach.agencies.models import Agency
            from caicach.demo.services import demo_officers

            root = Agency.objects.filter(parent__isnull=True).order_by("path").first()
            officers = demo_officers(root) if root else []
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for o in officers:
            self.stdout.write(f"  {o.username:<15} {o.role.label:<20} {o.full_name} ({o.note})\n")
