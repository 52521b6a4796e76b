"""Importing dossiers in the exchange format: all or nothing, idempotent by code.

:func:`import_dossiers` checks *every* line first (:mod:`caicach.dossiers.exchange.parse`) and,
across lines and against the database, the codes and look-up tokens; if there is any problem,
:class:`DossierImportError` lists them all and nothing is written. Otherwise the new
dossiers are inserted in one transaction; a code already in the database is left alone, the
daily counters are raised to the imported numbers, and one audit entry records the import. The
import emits one :class:`~caicach.dossiers.events.DossiersLoaded` (``source="import"``) with the
new ids, in its transaction: projections see imported history as they see a receipt; the
applicants are not notified (it is history).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError
from caicach.core.events import emit
from caicach.dossiers.events import DossiersLoaded
from caicach.dossiers.exchange.lookups import Lookups
from caicach.dossiers.exchange.parse import ParsedLine, parse_line
from caicach.dossiers.exchange.payments import write_payments
from caicach.dossiers.exchange.reader import LineError
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
)

__all__ = ["MAX_LINES", "DossierImportError", "ImportResult", "import_dossiers"]

#: How many lines one import may hold (a province migrates in batches).
MAX_LINES = 100_000


class DossierImportError(BilingualError):
    """The file has problems; ``problems`` lists every one. Nothing was written."""

    code = "invalid_import"

    def __init__(self, problems: list[LineError]) -> None:
        count = len(problems)
        super().__init__(
            f"Tệp có {count} lỗi; không hồ sơ nào được nhập.",
            f"The file has {count} error(s); no dossier was imported.",
            errors=[p.as_dict() for p in problems],
        )
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int


def _decode(lines: Iterable[str | bytes], errors: list[LineError]) -> list[tuple[int, Any]]:
    rows: list[tuple[int, Any]] = []
    for number, text in enumerate(lines, start=1):
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(
                    LineError(number, "", "Dòng không phải UTF-8.", "The line is not UTF-8.")
                )
                continue
        text = text.strip().lstrip("\ufeff")
        if not text:
            continue
        if len(rows) >= MAX_LINES:
            errors.append(
                LineError(
                    number,
                    "",
                    f"Tệp có quá {MAX_LINES} dòng; hãy chia nhỏ.",
                    f"The file has more than {MAX_LINES} lines; split it.",
                )
            )
            break
        try:
            rows.append((number, json.loads(text)))
        except (ValueError, RecursionError) as error:
            errors.append(
                LineError(
                    number,
                    "",
                    f"Dòng không phải JSON hợp lệ: {error}",
                    f"The line is not valid JSON: {error}",
                )
            )
    return rows


def import_dossiers(
    actor: Actor, lines: Iterable[str | bytes], *, source: str = ""
) -> ImportResult:
    """Import JSON Lines of dossiers: all or nothing, idempotent by code (module docstring).

    Raises :class:`DossierImportError` with every problem found, having written nothing.
    """
    errors: list[LineError] = []
    rows = _decode(lines, errors)
    lookups = Lookups.load()
    parsed: list[ParsedLine] = []
    for number, raw in rows:
        item = parse_line(raw, number, lookups, actor, errors)
        if item is not None:
            parsed.append(item)

    # Across lines and against the database.
    codes = [p.dossier.code for p in parsed]
    existing = set(Dossier.objects.filter(code__in=codes).values_list("code", flat=True))
    seen_codes: dict[str, int] = {}
    seen_tokens: dict[str, int] = {}
    new: list[ParsedLine] = []
    for p in parsed:
        code = p.dossier.code
        if code in seen_codes:
            errors.append(
                LineError(
                    p.line,
                    "code",
                    f"Mã hồ sơ {code} đã có ở dòng {seen_codes[code]}.",
                    f"Dossier code {code} already appears on line {seen_codes[code]}.",
                )
            )
            continue
        seen_codes[code] = p.line
        if code in existing:
            continue
        token = p.dossier.lookup_token
        if p.token_given and token in seen_tokens:
            errors.append(
                LineError(
                    p.line,
                    "lookup_token",
                    f"Mã tra cứu đã có ở dòng {seen_tokens[token]}.",
                    f"The look-up token already appears on line {seen_tokens[token]}.",
                )
            )
            continue
        seen_tokens[token] = p.line
        new.append(p)
    taken = set(
        Dossier.objects.filter(lookup_token__in=list(seen_tokens)).values_list(
            "lookup_token", flat=True
        )
    )
    errors.extend(
        LineError(
            p.line,
            "lookup_token",
            "Mã tra cứu đã được một hồ sơ khác dùng.",
            "The look-up token is already used by another dossier.",
        )
        for p in new
        if p.dossier.lookup_token in taken
    )
    if errors:
        errors.sort(key=lambda e: e.line)
        raise DossierImportError(errors)

    with transaction.atomic():
        _write(new)
        if new:
            emit(DossiersLoaded("import", tuple(p.dossier.pk for p in new)))
        record(
            actor,
            "dossiers.imported",
            object_type="dossiers.dossier",
            object_repr=source[:300],
            changes={
                "source": source,
                "created": len(new),
                "unchanged": len(parsed) - len(new),
            },
        )
    return ImportResult(created=len(new), unchanged=len(parsed) - len(new))


def _write(items: list[ParsedLine]) -> None:
    if not items:
        return
    applicants = Applicant.objects.bulk_create([p.applicant for p in items])
    for p, applicant in zip(items, applicants, strict=True):
        p.dossier.applicant = applicant
    Dossier.objects.bulk_create([p.dossier for p in items])
    components, events, entries = [], [], []
    for p in items:
        for c in p.components:
            c.dossier = p.dossier
            components.append(c)
        for e in p.events:
            e.dossier = p.dossier
            events.append(e)
        for k in p.clock:
            k.dossier = p.dossier
            entries.append(k)
    DossierComponent.objects.bulk_create(components)
    DossierEvent.objects.bulk_create(events)
    ClockEntry.objects.bulk_create(entries)
    for p in items:
        if p.payments:
            write_payments(p.dossier, p.payments)

    # The daily counters never hand out an imported number again.
    highest: dict[tuple[int, date], int] = {}
    for p in items:
        key = (p.dossier.receiving_agency_id, p.dossier.received_on)
        highest[key] = max(highest.get(key, 0), p.dossier.sequence)
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = GREATEST({table}.last, "
            "EXCLUDED.last)",
            [(agency, day, last) for (agency, day), last in sorted(highest.items())],
        )
