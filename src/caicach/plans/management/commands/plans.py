"""``caicach plans import FILE [--check]`` (issue 15, "The seeds as plan files") and
``caicach plans propose`` (corrective proposals for live targets off track)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.core.audit import Actor


class Command(BaseCommand):
    help = "Reform plans: import a plan file (all or nothing); propose corrective tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a plan file (docs/formats/plans.md).")
        imp.add_argument("file")
        imp.add_argument("--check", action="store_true", help="Check only; write nothing.")
        sub.add_parser("propose", help="Propose corrective tasks for live targets off track.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("plans")
        if options["action"] == "propose":
            from caicach.plans.proposals import propose_all

            made = propose_all(actor)
            self.stdout.write(f"Đề xuất mới / new proposals: {len(made)}")
            return
        from caicach.plans.importer import PlanImportError, import_plan

        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"Không đọc được tệp {path}: {exc} / Cannot read the file {path}: {exc}"
            ) from None
        try:
            result = import_plan(text, actor, check_only=options["check"])
        except PlanImportError as error:
            raise CommandError(
                f"{path}: {len(error.issues)} lỗi, không ghi gì / {len(error.issues)} errors, "
                f"nothing written\n{error}"
            ) from None
        self.stdout.write(result.summary())
