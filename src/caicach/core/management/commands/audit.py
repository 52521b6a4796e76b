"""``caicach audit verify``: check that the audit trail's hash chain is unbroken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caicach.core.audit import verify_chain
from caicach.core.models import AuditEntry


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify`: recompute every hash and report broken links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"], help="verify: check the hash chain")

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify_chain())
        total = AuditEntry.objects.count()
        if breaks:
            for b in breaks[:50]:
                self.stderr.write(f"entry {b.entry_id}: {b.reason}")
            raise CommandError(f"{len(breaks)} broken link(s) in {total} audit entries.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {total} entries verified."))
