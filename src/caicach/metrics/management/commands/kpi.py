"""``caicach kpi --agency CODE --period 2025-Q3 [--json]``: the KPIs (and, through
``metrics.compute.report_hooks``, the Decision 766 scores) with the figures behind each ratio."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.metrics.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = "Prints the reform KPIs of an agency for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Agency code (mã định danh).")
        parser.add_argument("--period", required=True, help="2025-07, 2025-Q3, 2025-H1, 2025, …")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        from caicach.agencies.models import Agency
        from caicach.metrics.report import report

        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(
                f"Không có cơ quan mã {options['agency']!r}. / "
                f"No agency with code {options['agency']!r}."
            )
        doc = report(agency, period)
        if options["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{agency.code} {agency.name} · {period.label} · {doc['formula_version']}"
        )
        for row in doc["kpis"]:
            value = "—" if row["value"] is None else f"{float(row['value']):.2f}"
            extra = row["reason_vi"] or f"{row['numerator']} / {row['denominator']}"
            self.stdout.write(f"  {row['code']:<28} {value:>8} {row['unit']:<12} {extra}")
        for key, value in doc.items():
            if key not in {"agency", "period", "formula_version", "kpis"}:
                self.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
