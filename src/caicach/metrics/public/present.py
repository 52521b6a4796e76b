"""Turning a public document (:mod:`caicach.metrics.public.service`) into what the page shows:
sorted, searched rows of formatted cells, the trend chart with its table, the downloadable table.

No database access: everything comes from the cached document, so the page renders from the cache
without a query (issue 14: the public page under 50 ms from its cache). Sorting and search happen
on the server (the page needs no script); search ignores diacritics (:mod:`caicach.core.text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from caicach.core.tables import Table
from caicach.core.text import normalise
from caicach.metrics import charts
from caicach.metrics.public.service import COUNTS, RATES, TREND

__all__ = [
    "COLUMNS",
    "Column",
    "Style",
    "cells",
    "columns",
    "download_table",
    "filter_rows",
    "index_table",
    "sort_rows",
    "trend_chart",
    "when",
]


@dataclass(frozen=True)
class Column:
    key: str  # a count key, a rate code, "index766" or "name"
    label: Any
    kind: str  # "name", "count", "rate", "index"


COLUMNS: tuple[Column, ...] = (
    Column("name", gettext_lazy("Cơ quan, đơn vị"), "name"),
    Column("received", gettext_lazy("Hồ sơ tiếp nhận"), "count"),
    Column("finished", gettext_lazy("Hồ sơ đã giải quyết"), "count"),
    Column("on_time", gettext_lazy("Đúng hạn"), "count"),
    Column("late", gettext_lazy("Trễ hạn"), "count"),
    Column("on_time_766", gettext_lazy("Tỷ lệ đúng hạn (%)"), "rate"),
    Column("online_share", gettext_lazy("Nộp trực tuyến (%)"), "rate"),
    Column("full_online_share", gettext_lazy("Trực tuyến toàn trình (%)"), "rate"),
    Column("paid_online", gettext_lazy("Thanh toán trực tuyến (%)"), "rate"),
    Column("digitised", gettext_lazy("Số hóa (%)"), "rate"),
    Column("satisfaction", gettext_lazy("Hài lòng (%)"), "rate"),
    Column("index766", gettext_lazy("Chỉ số QĐ 766 (điểm/100)"), "index"),
)
SORT_KEYS = frozenset(c.key for c in COLUMNS)
TIERS = {"tinh": "province", "xa": "commune"}

assert {c.key for c in COLUMNS if c.kind == "rate"} == set(RATES)
assert {k for k, _c, _s in COUNTS} <= {c.key for c in COLUMNS if c.kind == "count"}


def columns() -> tuple[Column, ...]:
    return COLUMNS


@dataclass(frozen=True)
class Style:
    """How the active language writes numbers, and the column labels: read once per page (a
    translation lookup per cell made a 300-row page take a second)."""

    decimal: str
    thousands: str
    english: bool
    labels: tuple[str, ...]

    @classmethod
    def current(cls) -> Style:
        return cls(
            str(get_format("DECIMAL_SEPARATOR")),
            str(get_format("THOUSAND_SEPARATOR")),
            (get_language() or "vi").startswith("en"),
            tuple(str(c.label) for c in COLUMNS),
        )

    def number(self, value: Any, places: int = 0) -> str:
        """``1.234`` / ``98,50`` in Vietnamese, ``1,234`` / ``98.50`` in English; a dash for none."""
        if value is None or value == "":
            return "—"
        text = f"{Decimal(str(value)):,.{places}f}"
        return text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.thousands)


def number(value: Any, places: int = 0) -> str:
    """A figure in the page's language (``1.234`` / ``98,50`` in Vietnamese), or a dash."""
    return Style.current().number(value, places)


def _value(row: dict[str, Any], column: Column) -> Decimal | str | None:
    if column.kind == "name":
        return normalise(row["name"])
    if column.kind == "count":
        return Decimal(row["counts"][column.key])
    if column.kind == "rate":
        value = row["rates"][column.key]["value"]
        return None if value is None else Decimal(value)
    value = row["index766"]["total_scaled"]
    return None if value is None else Decimal(value)


def parse_sort(text: str) -> tuple[str, bool]:
    """``-on_time_766`` → (``on_time_766``, descending); anything unknown → by name."""
    descending = text.startswith("-")
    key = text.removeprefix("-")
    if key not in SORT_KEYS:
        return "name", False
    return key, descending


def sort_rows(rows: Sequence[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Sorted by one column; rows with no data always last, whatever the direction."""
    column = next(c for c in COLUMNS if c.key == key)
    known = [r for r in rows if _value(r, column) is not None]
    unknown = [r for r in rows if _value(r, column) is None]
    known.sort(key=lambda r: (_value(r, column), normalise(r["name"])), reverse=descending)
    return known + sorted(unknown, key=lambda r: normalise(r["name"]))


def filter_rows(rows: Sequence[dict[str, Any]], query: str, tier: str) -> list[dict[str, Any]]:
    """Rows whose name or code holds every word of ``query`` (diacritics ignored) and, with a
    ``tier`` (``tinh``/``xa``), of that level."""
    words = normalise(query).split()
    level = TIERS.get(tier)
    out = []
    for row in rows:
        if level is not None and row["level"] != level:
            continue
        text = normalise(f"{row['name']} {row['code']}")
        if all(w in text for w in words):
            out.append(row)
    return out


def cells(row: dict[str, Any], style: Style | None = None) -> list[dict[str, Any]]:
    """The formatted cells of one row after the name (with the no-data reason as a title)."""
    style = style or Style.current()
    out = []
    for i, column in enumerate(COLUMNS[1:], start=1):
        if column.kind == "count":
            cell = {"text": style.number(row["counts"][column.key]), "title": ""}
        elif column.kind == "rate":
            fig = row["rates"][column.key]
            reason = fig["reason_en"] if style.english else fig["reason_vi"]
            title = f"{fig['numerator']}/{fig['denominator']}" if fig["value"] else reason
            cell = {"text": style.number(fig["value"], 2), "title": title}
        else:
            cell = {"text": style.number(row["index766"]["total_scaled"], 2), "title": ""}
        cell["label"] = style.labels[i]
        out.append(cell)
    return out


def download_table(doc: dict[str, Any], rows: Sequence[dict[str, Any]]) -> Table:
    """The table the page shows, for CSV/XLSX (``core.tables``, formulas neutralised)."""
    header = [_("Mã cơ quan"), *(str(c.label) for c in COLUMNS)]
    body = []
    for row in rows:
        values: list[Any] = [row["code"], row["name"]]
        for column in COLUMNS[1:]:
            if column.kind == "count":
                values.append(int(row["counts"][column.key]))
            elif column.kind == "rate":
                value = row["rates"][column.key]["value"]
                values.append(None if value is None else Decimal(value))
            else:
                total = row["index766"]["total_scaled"]
                values.append(None if total is None else Decimal(total))
        body.append(values)
    title = _("Số liệu công khai kỳ %(period)s") % {"period": doc["period"]}
    return Table(title, header, body)


def trend_chart(doc: dict[str, Any], title: str) -> tuple[str, list[str], list[list[str]]]:
    """The 12-month trend as an SVG line chart, with the header and rows of its table."""
    labels_by_code = {c.key: str(c.label) for c in COLUMNS}
    labels = [m["period"] for m in doc["trend"]]
    shown = [c for c in TREND if c in ("on_time_766", "online_share", "digitised", "paid_online")]
    series = []
    for code in shown:
        values = [m["kpis"][code]["value"] for m in doc["trend"]]
        series.append(
            charts.Series(labels_by_code[code], [None if v is None else float(v) for v in values])
        )
    chart = charts.LineChart(title, labels, series, unit="%", y_min=0, y_max=100)
    svg = charts.line_svg(chart, width=720, height=320)
    header = [_("Tháng"), *(labels_by_code[c] for c in TREND)]
    rows = [
        [month["period"], *(number(month["kpis"][c]["value"], 2) for c in TREND)]
        for month in doc["trend"]
    ]
    return svg, header, rows


def when(doc: dict[str, Any]) -> dict[str, str]:
    """The period's first and last days and the reading time, as the page's language writes
    them (Vietnam time)."""
    read = timezone.localtime(datetime.fromisoformat(doc["computed_at"]))
    return {
        "first": date_format(date.fromisoformat(doc["first"]), "d/m/Y"),
        "last": date_format(date.fromisoformat(doc["last"]), "d/m/Y"),
        "read": date_format(read, "H:i d/m/Y"),
    }


def index_table(index: dict[str, Any]) -> dict[str, Any]:
    """The Decision 766 groups with their points written in the page's language."""
    english = (get_language() or "vi").startswith("en")
    return {
        "groups": [
            {
                "number": g["number"],
                "name": g["name_en"] if english else g["name_vi"],
                "points": number(g["points"] if Decimal(g["max"]) else None, 2),
                "max": number(g["max"], 2),
                "pmax": g["pmax"],
            }
            for g in index["groups"]
        ],
        "total": number(index["total"], 2),
        "max": number(index["max"], 2),
        "scaled": number(index["total_scaled"], 2),
    }
