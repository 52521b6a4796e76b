"""The reporting period: ``[from, to]``, both days included (pure).

:func:`parse_period` reads it from two texts, at most :data:`MAX_PERIOD_DAYS` long; bad input is a
:class:`PeriodError` (400), never a 500 (nothing here overflows, even in December 9999).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from caicach.calendars.rules import VN_TZ
from caicach.core.errors import BilingualError

__all__ = [
    "MAX_PERIOD_DAYS",
    "Period",
    "PeriodError",
    "default_period",
    "parse_day",
    "parse_period",
]

#: The longest period a report covers: one year (a leap year included).
MAX_PERIOD_DAYS = 366


class PeriodError(BilingualError):
    status = 400
    code = "invalid_period"


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included (Vietnam time)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00, the day after end 00:00)`` in Vietnam time, for instants; up to the
        last representable instant when ``end`` is the last day there is (9999-12-31)."""
        if self.end == date.max:
            after = datetime.combine(date.max, time.max, VN_TZ)
        else:
            after = datetime.combine(self.end + timedelta(days=1), time.min, VN_TZ)
        return (datetime.combine(self.start, time.min, VN_TZ), after)


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(text: str) -> date | None:
    """``2025-06-30`` (ISO, as sent by ``<input type=date>``) or ``30/06/2025``; ``None`` when
    unreadable."""
    value = (text or "").strip()
    if not value or len(value) > 10:
        return None
    try:
        match = _DMY.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        return None
    return None


def default_period(today: date) -> Period:
    """This month: from its first to its last day (the month's length, not the next month's
    first day, which December 9999 does not have)."""
    last = calendar.monthrange(today.year, today.month)[1]
    return Period(today.replace(day=1), today.replace(day=last))


def parse_period(start_text: str | None, end_text: str | None, today: date) -> Period:
    """The period from two texts; an empty one takes this month's first or last day.

    Raises :class:`PeriodError` (400) when a date is unreadable, the start is after the end or
    the period is longer than :data:`MAX_PERIOD_DAYS` days.
    """
    default = default_period(today)
    days: list[date] = []
    for text, fallback, vi, en in (
        (start_text, default.start, "Từ ngày", "The start date"),
        (end_text, default.end, "Đến ngày", "The end date"),
    ):
        if not (text or "").strip():
            days.append(fallback)
            continue
        parsed = parse_day(str(text))
        if parsed is None:
            shown = str(text).strip()[:20]
            raise PeriodError(
                f"{vi} “{shown}” không đúng định dạng ngày (dd/mm/yyyy hoặc yyyy-mm-dd).",
                f"{en} “{shown}” is not a date (dd/mm/yyyy or yyyy-mm-dd).",
            )
        days.append(parsed)
    period = Period(days[0], days[1])
    if period.start > period.end:
        raise PeriodError(
            "“Từ ngày” phải trước hoặc trùng “Đến ngày”.",
            "The start date must be on or before the end date.",
        )
    if period.days > MAX_PERIOD_DAYS:
        raise PeriodError(
            f"Khoảng thời gian dài {period.days} ngày; tối đa {MAX_PERIOD_DAYS} ngày.",
            f"The period is {period.days} days long; at most {MAX_PERIOD_DAYS} days.",
        )
    return period
