"""``caicach dossiers import FILE`` and ``caicach dossiers export FILE``: JSON Lines with the
full history (docs/formats/dossiers.md)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.accounts.models import User
from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.core.audit import Actor
from caicach.dossiers.exchange import DossierImportError, export_dossiers, import_dossiers
from caicach.dossiers.models import Dossier


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"Ngày “{value}” không hợp lệ (YYYY-MM-DD) / invalid date (YYYY-MM-DD)."
        ) from error


class Command(BaseCommand):
    help = (
        "Dossiers as JSON Lines with their full event history: `import FILE` (all or nothing, "
        "idempotent by code, every bad line printed) and `export FILE [--agency CODE] "
        "[--from DATE --to DATE]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser("import", help="Import a JSON Lines file of dossiers.")
        importer.add_argument("file", type=Path)
        importer.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="Import with this officer's permissions (dossiers.receive over each receiving "
            "agency) and name in the audit trail. Without it: the system account `cli`.",
        )
        exporter = sub.add_parser("export", help="Export dossiers to a JSON Lines file.")
        exporter.add_argument("file", type=Path)
        exporter.add_argument(
            "--agency",
            metavar="CODE",
            help="Only dossiers received by this agency or the agencies under it.",
        )
        exporter.add_argument(
            "--from", dest="date_from", metavar="DATE", help="Received on or after (YYYY-MM-DD)."
        )
        exporter.add_argument(
            "--to", dest="date_to", metavar="DATE", help="Received on or before (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.do_import(options["file"], options.get("as_user"))
        else:
            self.do_export(
                options["file"],
                options.get("agency"),
                options.get("date_from"),
                options.get("date_to"),
            )

    def do_import(self, path: Path, username: str | None) -> None:
        if not path.is_file():
            raise CommandError(f"Không có tệp {path} / no such file.")
        actor = Actor.system("cli")
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"Không có người dùng {username} / no such active user.")
            actor = Actor(user=user, label="cli")
        try:
            with path.open("rb") as handle:
                result = import_dossiers(actor, handle, source=path.name)
        except DossierImportError as error:
            for problem in error.problems:
                where = f"dòng/line {problem.line}" + (f" {problem.field}" if problem.field else "")
                self.stderr.write(f"{where}: {problem.message_vi} / {problem.message_en}")
            raise CommandError(f"{error.message_vi} / {error.message_en}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {result.created} hồ sơ mới / new, {result.unchanged} đã có, "
                "không thay đổi / already present, unchanged."
            )
        )

    def do_export(
        self, path: Path, agency_code: str | None, date_from: str | None, date_to: str | None
    ) -> None:
        dossiers = Dossier.objects.all()
        if agency_code:
            agency = Agency.objects.filter(code=agency_code.strip()).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan {agency_code} / no such agency.")
            dossiers = dossiers.filter(receiving_agency__path__startswith=agency.path)
        # Receipt dates are Vietnam dates: bound the instant, which the index covers.
        if date_from:
            start = datetime.combine(_day(date_from), time.min, tzinfo=VN_TZ)
            dossiers = dossiers.filter(received_at__gte=start)
        if date_to:
            end = datetime.combine(_day(date_to) + timedelta(days=1), time.min, tzinfo=VN_TZ)
            dossiers = dossiers.filter(received_at__lt=end)
        count = 0
        with path.open("w", encoding="utf-8") as handle:
            for line in export_dossiers(dossiers):
                handle.write(line + "\n")
                count += 1
        self.stdout.write(self.style.SUCCESS(f"{path}: {count} hồ sơ / dossiers."))
