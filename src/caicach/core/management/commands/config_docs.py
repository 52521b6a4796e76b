"""``caicach config-docs``: write docs/configuration.md from the settings read in the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from caicach.conf import render_markdown


class Command(BaseCommand):
    help = "Write docs/configuration.md (every environment variable, default and meaning)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args: Any, **options: Any) -> None:
        import caicach.settings.production  # noqa: F401  (registers the production variables)

        target = Path(settings.BASE_DIR) / "docs" / "configuration.md"
        text = render_markdown()
        if options["check"]:
            if not target.exists() or target.read_text() != text:
                raise SystemExit("docs/configuration.md is stale: run `caicach config-docs`.")
            self.stdout.write("docs/configuration.md is current.")
            return
        target.parent.mkdir(exist_ok=True)
        target.write_text(text)
        self.stdout.write(f"wrote {target}")
