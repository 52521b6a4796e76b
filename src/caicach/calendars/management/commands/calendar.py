"""``caicach calendar``: due dates, the year's days off, versions and their impact."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.agencies.models import Agency
from caicach.calendars import services
from caicach.calendars.models import CalendarImpact, CalendarVersion
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError

DUE_EXAMPLES = """\
examples:
  caicach calendar due --received 2025-04-25T10:00 --working-days 3
      -> 2025-04-29T17:00:00+07:00 and why (Saturday 26/04/2025 was a worked day)
  caicach calendar due --received "2025-04-25 16:10" --working-days 1 --cutoff 15:00 --lang en
  caicach calendar due --received 2026-02-13T09:00+07:00 --working-hours 4 --agency 000.00.01.H97
  caicach calendar due --received 2026-04-24T08:00 --calendar-days 15 --json

A received time without an offset is Vietnam time (+07:00). --cutoff none turns the cut-off off.
Bad input exits with status 2."""

SHOW_EXAMPLES = """\
examples:
  caicach calendar show 2026
  caicach calendar show 2025 --agency 000.00.01.H97 --json"""

IMPACT_EXAMPLES = """\
examples:
  caicach calendar impact --version 2          # stored result of the background job
  caicach calendar impact --version 2 --recompute"""


class Command(BaseCommand):
    help = (
        "Working-day calendar. `due` computes a due date with its explanation, `show YEAR` lists "
        "the non-working weekdays and the worked weekend days, `versions` lists calendar "
        "versions, `impact --version N` lists the promised due dates version N moves, `load` "
        "loads the shipped official calendar. Each subcommand takes --help."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        raw = argparse.RawDescriptionHelpFormatter

        due = sub.add_parser(
            "due",
            help="compute a due date and explain it",
            description="Compute the due instant of a statutory time from the receipt time.",
            epilog=DUE_EXAMPLES,
            formatter_class=raw,
        )
        due.add_argument("--received", required=True, help="receipt time, ISO 8601")
        amount = due.add_mutually_exclusive_group(required=True)
        amount.add_argument("--working-days", metavar="N", help="time allowed in working days")
        amount.add_argument("--working-hours", metavar="H", help="time allowed in working hours")
        amount.add_argument("--calendar-days", metavar="N", help="time allowed in calendar days")
        due.add_argument("--agency", metavar="CODE", help="use this agency's calendar")
        due.add_argument("--cutoff", metavar="HH:MM", default="", help="cut-off (default 15:00)")
        due.add_argument("--json", action="store_true", help="print JSON")
        due.add_argument("--lang", choices=["vi", "en"], default="vi", help="explanation language")

        show = sub.add_parser(
            "show",
            help="list the year's non-working weekdays and worked weekend days",
            epilog=SHOW_EXAMPLES,
            formatter_class=raw,
        )
        show.add_argument("year", type=int)
        show.add_argument("--agency", metavar="CODE", help="this agency's effective calendar")
        show.add_argument("--json", action="store_true", help="print JSON")
        show.add_argument("--lang", choices=["vi", "en"], default="vi")

        impact = sub.add_parser(
            "impact",
            help="list the promised due dates a calendar version moves",
            epilog=IMPACT_EXAMPLES,
            formatter_class=raw,
        )
        impact.add_argument("--version", required=True, metavar="N", help="version number or label")
        impact.add_argument("--recompute", action="store_true", help="compute now and store it")
        impact.add_argument("--json", action="store_true", help="print JSON")

        versions = sub.add_parser("versions", help="list calendar versions, newest first")
        versions.add_argument("--agency", metavar="CODE", help="only this agency's overrides")
        versions.add_argument("--limit", type=int, default=50)

        load = sub.add_parser(
            "load",
            help="load the shipped official calendar (idempotent)",
            description="Create the official calendar's first version from the data file.",
        )
        load.add_argument("--file", help="another JSON file in the same format")
        load.add_argument(
            "--force", action="store_true", help="make a new version if the file differs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"handle_{options['subcommand']}")
        try:
            handler(options)
        except BilingualError as error:
            english = options.get("lang") == "en"
            raise CommandError(
                error.message_en if english else error.message_vi, returncode=2
            ) from None

    # -- subcommands -------------------------------------------------------------------------

    def _agency(self, code: str | None) -> Agency | None:
        return services.agency_by_code(code) if code else None

    def handle_due(self, options: dict[str, Any]) -> None:
        # argparse makes exactly one of the three required.
        unit = next(u for u in ("working_days", "working_hours", "calendar_days") if options[u])
        value = options[unit]
        query = services.parse_due_query(
            received=options["received"],
            value=value,
            unit=unit,
            cutoff=options["cutoff"],
            agency=self._agency(options["agency"]),
        )
        result = services.compute_due(query)
        if options["json"]:
            self.stdout.write(
                json.dumps(services.due_as_json(result), ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(result.due.isoformat())
        lines = result.explain_en() if options["lang"] == "en" else result.explain_vi()
        for line in lines:
            self.stdout.write(f"  {line}")

    def handle_show(self, options: dict[str, Any]) -> None:
        calendar = services.calendar_for(self._agency(options["agency"]))
        summary = services.year_summary(calendar, options["year"])
        data = services.summary_as_json(summary, calendar)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        en = options["lang"] == "en"
        label = "label_en" if en else "label"
        year = options["year"]
        title = f"Working calendar {year}" if en else f"Lịch làm việc năm {year}"
        self.stdout.write(f"{title} ({data['calendar_version']})")
        if data["provisional"]:
            self.stdout.write(
                "  No official calendar for this year yet: only weekends are known."
                if en
                else "  Chưa có lịch chính thức của năm này: chỉ tính ngày nghỉ cuối tuần."
            )
        sections = [
            ("days_off", "Weekdays off:" if en else "Ngày nghỉ (thứ Hai đến thứ Sáu):"),
            ("worked_weekend_days", "Weekend days worked:" if en else "Ngày cuối tuần làm việc:"),
        ]
        for key, heading in sections:
            self.stdout.write(heading)
            for row in data[key]:
                day = date.fromisoformat(row["date"])
                weekday = services.weekday_en(day) if en else services.weekday_vi(day)
                self.stdout.write(f"  {weekday:<9} {day:%d/%m/%Y}  {row[label]}")
            if not data[key]:
                self.stdout.write("  (none)" if en else "  (không có)")
        hours = ", ".join(f"{s}-{e}" for s, e in data["office_hours"])
        self.stdout.write(
            f"Working days: {data['working_days']}. Office hours: {hours}."
            if en
            else f"Số ngày làm việc: {data['working_days']}. Giờ làm việc: {hours}."
        )

    def handle_impact(self, options: dict[str, Any]) -> None:
        ref = str(options["version"]).strip()
        lookup = {"number": int(ref)} if ref.isdigit() else {"label": ref}
        version = CalendarVersion.objects.filter(**lookup).first()
        if version is None:
            raise services.CalendarNotFoundError(
                f"Không có phiên bản lịch {ref}.", f"No calendar version {ref}."
            )
        impact = CalendarImpact.objects.filter(version=version).first()
        if impact is None or options["recompute"]:
            impact = services.record_impact(version.pk)
        if options["json"]:
            body = {"version": version.label, "count": impact.count, "changes": impact.changes}
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{version.label}: {impact.count} hạn trả thay đổi / {impact.checked} đã kiểm tra "
            f"(tính lúc {impact.computed_at.astimezone(services.VN_TZ):%d/%m/%Y %H:%M})"
        )
        for change in impact.changes:
            self.stdout.write(f"  {change['key']}: {change['old_due']} -> {change['new_due']}")

    def handle_versions(self, options: dict[str, Any]) -> None:
        qs = CalendarVersion.objects.select_related("scope_agency").order_by("-number")
        if options["agency"]:
            qs = qs.filter(scope_agency=self._agency(options["agency"]))
        for v in qs[: options["limit"]]:
            scope = v.scope_agency.code if v.scope_agency else "official"
            mark = "*" if v.is_current else " "
            when = v.created_at.astimezone(services.VN_TZ)
            self.stdout.write(
                f"{mark} {v.number:>4}  {v.label:<28} {scope:<16} {when:%d/%m/%Y %H:%M}  "
                f"{v.created_by_label}  {v.note}"
            )

    def handle_load(self, options: dict[str, Any]) -> None:
        before = services.current_version(None)
        version = services.load_official_calendar(
            Actor.system("caicach calendar load"), options["file"], force=options["force"]
        )
        verb = "unchanged" if before is not None and before.pk == version.pk else "loaded"
        self.stdout.write(
            f"Official calendar {verb}: {version.label} ({version.days.count()} days)"
        )
