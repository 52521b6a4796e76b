"""The ``caicach`` command: Django's manage.py with the project's settings preselected.

``caicach --help`` lists the project's own commands with what each does; any Django command
works too (``caicach migrate``, ``caicach shell``).
"""

from __future__ import annotations

import os
import sys
import textwrap

#: The project's commands, shown first by ``caicach --help``.
PROJECT_COMMANDS = {
    "calendar": "Working-day calendar: `calendar due` computes a due date with its explanation, "
    "`calendar show YEAR` lists days off and worked weekend days, `calendar impact` lists "
    "promised due dates a new calendar version would move, `calendar versions` lists the "
    "versions, `calendar load` loads the official calendars from the data file.",
    "catalogue": "Procedure catalogue: `catalogue import FILE` (JSON or XLSX, all-or-nothing) "
    "and `catalogue export FILE`.",
    "metrics": "`metrics rebuild` rebuilds the KPI rollups; `metrics close 2025-07` freezes a "
    "month (a later close records revisions).",
    "kpi": "`kpi --agency CODE --period 2025-Q3 [--json]`: the reform KPIs with their figures.",
    "dossiers": "`dossiers import FILE` / `dossiers export FILE`: dossiers as JSON Lines with "
    "their full event history (docs/formats/dossiers.md).",
    "demo": "`demo load` loads the demo province (agencies, officers, procedures).",
    "audit": "`audit verify` checks the hash chain of the audit trail.",
    "config-docs": "Writes docs/configuration.md from the settings read in the code.",
    "serve": "Runs the web server (gunicorn) and the background job worker together.",
}


def _help() -> str:
    lines = [
        "usage: caicach <command> [options]",
        "",
        "caicach: the one-stop shop and reform cockpit. Project commands:",
        "",
    ]
    for name, text in PROJECT_COMMANDS.items():
        wrapped = textwrap.wrap(
            text, width=78, initial_indent=f"  {name:<12} ", subsequent_indent=" " * 15
        )
        lines.extend(wrapped)
    lines += [
        "",
        "Each takes --help. Every Django command works too (migrate, createsuperuser, shell,",
        "check, ...): `caicach help` lists them all.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.dev")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(_help())
        return
    from django.core.management import execute_from_command_line

    command = argv[1].replace("-", "_") if argv[1] in PROJECT_COMMANDS else argv[1]
    execute_from_command_line(["caicach", command, *argv[2:]])


if __name__ == "__main__":
    main()
