"""Spreadsheet cells that can never run as formulas (CSV/formula injection, OWASP).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken
for a formula by a spreadsheet: openpyxl writes ``=…`` as one, and Excel or LibreOffice turns
the others into one when the cell is edited. An applicant named ``=HYPERLINK(…)`` must stay a
name. Such text is written as a text cell with the *quote prefix* flag (what Excel records when
someone types a leading apostrophe): it shows and reads back exactly as typed, the workbook
holds no formula, and editing it keeps it text. Every XLSX writer passes its cells here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The first characters that make a spreadsheet read text as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Text a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def text_cell(sheet: Any, value: Any) -> Any:
    """A cell of ``sheet`` (write-only or not) holding ``value``; formula-like text is typed as
    text with the quote prefix."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """``values`` for ``sheet.append``: formula-like text as text cells, the rest as is."""
    return [text_cell(sheet, v) if formula_like(v) else v for v in values]
