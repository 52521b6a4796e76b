"""``caicach metrics rebuild`` / ``caicach metrics close 2025-07 [--cause TEXT]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.metrics.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = "Reform metrics: rebuild the rollups; close (freeze) a month."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Rebuild the daily rollups and month-end snapshots.")
        close = sub.add_parser("close", help="Freeze a month's KPIs (later: record revisions).")
        close.add_argument("period")
        close.add_argument("--cause", default="", help="Why a closed month is recomputed.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            from caicach.metrics.rollup import rebuild

            self.stdout.write(json.dumps(rebuild()))
            return
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        from caicach.metrics.freeze import close_period

        result = close_period(period, cause=options["cause"], by="command")
        self.stdout.write(
            f"{period.label}: {result.frozen} frozen, {result.unchanged} unchanged, "
            f"{result.revised} revised"
        )
