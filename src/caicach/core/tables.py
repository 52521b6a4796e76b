"""Any table a page shows, downloaded as CSV or XLSX (issue 14, "Exports").

A page builds one :class:`Table` (the same rows it renders) and answers ``?tai=csv`` or
``?tai=xlsx`` with :func:`download`. Formula-like text is neutralised the same way in both
formats (:mod:`caicach.core.xlsx`, OWASP CSV injection): an apostrophe in CSV, a quote-prefixed
text cell in XLSX. CSV is UTF-8 with a byte order mark so that Excel shows Vietnamese right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from caicach.core.xlsx import formula_like, safe_row

__all__ = ["CSV_TYPE", "FORMATS", "XLSX_TYPE", "Table", "download", "to_csv", "to_xlsx"]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    """A titled grid: ``columns`` are the header texts, ``rows`` the cells (str, int, Decimal,
    float, date, aware datetime or None)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if formula_like(value):
        return f"'{value}"
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_value(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(table: Table) -> bytes:
    """One sheet: the title in A1, the bold header in row 2 (frozen below it), then the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    # A sheet name may hold at most 31 characters and none of []:*?/\.
    name = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet = workbook.create_sheet(name)
    sheet.freeze_panes = "A3"
    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, value=table.title)
    title.font = bold
    sheet.append([title])
    header = []
    for text in table.columns:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        values = [_xlsx_value(v) for v in row]
        cells = safe_row(sheet, values)
        for i, value in enumerate(values):
            if isinstance(value, datetime | date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = (
                    "DD/MM/YYYY HH:MM" if isinstance(value, datetime) else "DD/MM/YYYY"
                )
                cells[i] = cell
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The table as an attachment ``filename.csv`` or ``filename.xlsx`` (``fmt`` in FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    body, content_type = (to_csv(table), CSV_TYPE) if fmt == "csv" else (to_xlsx(table), XLSX_TYPE)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
