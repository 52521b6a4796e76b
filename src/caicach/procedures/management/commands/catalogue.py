"""``caicach catalogue import FILE`` and ``caicach catalogue export FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from caicach.accounts.models import User
from caicach.core.audit import Actor
from caicach.procedures import services
from caicach.procedures.models import Procedure


class Command(BaseCommand):
    help = (
        "Procedure catalogue: `import FILE` (JSON or XLSX by extension; all or nothing, every "
        "error printed) and `export FILE [--format json|xlsx]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser("import", help="Import a JSON or XLSX catalogue file.")
        importer.add_argument("file", type=Path)
        importer.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="Import with this officer's permissions (and name in the audit trail). "
            "Without it the import runs as the system account `cli`.",
        )
        exporter = sub.add_parser("export", help="Export the whole catalogue.")
        exporter.add_argument("file", type=Path)
        exporter.add_argument(
            "--format",
            choices=["json", "xlsx"],
            help="Default: from the file's extension. JSON includes earlier versions.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.do_import(options["file"], options.get("as_user"))
        else:
            self.do_export(options["file"], options.get("format"))

    def do_import(self, path: Path, username: str | None) -> None:
        if not path.is_file():
            raise CommandError(f"Không có tệp {path} / no such file.")
        actor = Actor.system("cli")
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"Không có người dùng {username} / no such active user.")
            actor = Actor(user=user, label="cli")
        content = path.read_bytes()
        try:
            if path.suffix.lower() == ".xlsx":
                rows: Any = services.catalogue_from_xlsx(content)
            elif path.suffix.lower() == ".json":
                rows = services.catalogue_from_json(content)
            else:
                raise CommandError("Chỉ nhận .json hoặc .xlsx / only .json or .xlsx files.")
            result = services.import_catalogue(actor, rows, source=path.name)
        except services.CatalogueImportError as error:
            for problem in error.problems:
                where = " ".join(
                    part
                    for part in (
                        problem.sheet,
                        f"dòng {problem.row}" if problem.row is not None else "",
                        problem.column,
                    )
                    if part
                )
                self.stderr.write(f"{where}: {problem.message_vi} / {problem.message_en}")
            raise CommandError(f"{error.message_vi} / {error.message_en}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {result.created} thủ tục mới, {result.new_versions} phiên bản "
                f"mới, {result.updated} cập nhật cơ quan giải quyết, {result.unchanged} không "
                "thay đổi."
            )
        )

    def do_export(self, path: Path, fmt: str | None) -> None:
        fmt = fmt or path.suffix.lower().lstrip(".")
        procedures: QuerySet[Procedure] = Procedure.objects.all()
        if fmt == "json":
            document = services.export_document(procedures)
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            count = len(document["procedures"])
        elif fmt == "xlsx":
            rows = services.export_catalogue(procedures)
            path.write_bytes(services.catalogue_to_xlsx(rows))
            count = len(rows)
        else:
            raise CommandError("Định dạng json hoặc xlsx / format must be json or xlsx.")
        self.stdout.write(self.style.SUCCESS(f"{path}: {count} thủ tục / procedures."))
