"""``caicach orphans [--dry-run] [--grace-hours N]``: delete stored files no row references."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caicach.core.orphans import remove_orphans


class Command(BaseCommand):
    help = (
        "Delete files under MEDIA_ROOT that no row references, older than "
        "ORPHAN_FILE_GRACE_HOURS (an upload whose transaction rolled back). "
        "--dry-run lists them only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
        parser.add_argument("--grace-hours", type=float, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        orphans = remove_orphans(dry_run=options["dry_run"], grace_hours=options["grace_hours"])
        for orphan in orphans:
            self.stdout.write(f"{orphan.name}\t{orphan.size}\t{orphan.age_hours:.1f} h")
        verb = "would be deleted" if options["dry_run"] else "deleted"
        self.stdout.write(f"{len(orphans)} orphan file(s) {verb}.")
