"""Reporting periods: month ``2025-07``, quarter ``2025-Q3``, half ``2025-H1``, year ``2025``,
custom ``2025-07-01..2025-08-15`` (issue 13, "A metric registry").

Pure: a period is a closed range of calendar days ``[first, last]``; its end instant is the end of
``last`` (the stock measures, e.g. "overdue open", are taken then). Parsing is strict: anything
else is refused with a message in Vietnamese and English (:class:`PeriodError`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Period", "PeriodError", "parse_period"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_MIN_YEAR, _MAX_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period that cannot be read; ``vi`` and ``en`` carry the two messages."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of days with its kind (month, quarter, half, year, custom) and its label."""

    first: date
    last: date
    kind: str = "custom"

    @property
    def label(self) -> str:
        f = self.first
        if self.kind == "month":
            return f"{f.year}-{f.month:02d}"
        if self.kind == "quarter":
            return f"{f.year}-Q{(f.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{f.year}-H{1 if f.month <= 6 else 2}"
        if self.kind == "year":
            return f"{f.year}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def after(self) -> date:
        """The first day after the period (exclusive end, for half-open filters)."""
        return self.last + timedelta(days=1)

    def months(self) -> list[Period]:
        """The months the period covers (whole or partial), each clipped to the period."""
        out: list[Period] = []
        y, m = self.first.year, self.first.month
        while date(y, m, 1) <= self.last:
            first = max(date(y, m, 1), self.first)
            last = min(_month_end(y, m), self.last)
            whole = first.day == 1 and last == _month_end(y, m)
            out.append(Period(first, last, "month" if whole else "custom"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), _month_end(year, month), "month")

    @classmethod
    def parse(cls, text: str) -> Period:
        return parse_period(text)


def _year(text: str) -> int:
    year = int(text)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(
            f"Năm {year} nằm ngoài khoảng {_MIN_YEAR}-{_MAX_YEAR}.",
            f"Year {year} is outside {_MIN_YEAR}-{_MAX_YEAR}.",
        )
    return year


def parse_period(text: str) -> Period:
    """Read a period label; strict (no spaces, no other spellings)."""
    if not isinstance(text, str) or not text:
        raise PeriodError("Chưa nhập kỳ báo cáo.", "No period given.")
    if m := _MONTH.match(text):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"Tháng không hợp lệ: {text}.", f"Invalid month: {text}.")
        return Period.month(_year(m.group(1)), month)
    if m := _QUARTER.match(text):
        y, q = _year(m.group(1)), int(m.group(2))
        return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter")
    if m := _HALF.match(text):
        y, h = _year(m.group(1)), int(m.group(2))
        return Period(date(y, 6 * h - 5, 1), _month_end(y, 6 * h), "half")
    if m := _YEAR.match(text):
        y = _year(m.group(1))
        return Period(date(y, 1, 1), date(y, 12, 31), "year")
    if m := _CUSTOM.match(text):
        try:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError:
            raise PeriodError(
                f"Ngày không hợp lệ trong kỳ {text}.", f"Invalid date in period {text}."
            ) from None
        _year(str(first.year)), _year(str(last.year))
        if last < first:
            raise PeriodError(
                "Ngày cuối kỳ phải sau ngày đầu kỳ.", "The period must end after it starts."
            )
        return Period(first, last, "custom")
    raise PeriodError(
        f"Kỳ báo cáo không hợp lệ: {text!r}. Dùng 2025-07, 2025-Q3, 2025-H1, 2025 hoặc "
        "2025-07-01..2025-08-15.",
        f"Invalid period: {text!r}. Use 2025-07, 2025-Q3, 2025-H1, 2025 or 2025-07-01..2025-08-15.",
    )
