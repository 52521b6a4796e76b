"""How a calendar reads: weekdays and instants in Vietnamese and English (shared by the pages,
the API and the command), and what the year page draws: twelve month grids with each day's
class and label (in the interface language: the engine keeps both, ``label_vi`` and
``label_en``)."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from caicach.calendars import rules
from caicach.core.i18n import localized


def weekday_vi(d: date) -> str:
    return rules.WEEKDAY_VI[d.weekday()]


def weekday_en(d: date) -> str:
    return rules.WEEKDAY_EN[d.weekday()]


def format_instant_vi(dt: datetime) -> str:
    """``Thứ Ba, 29/04/2025 lúc 17:00`` (Vietnam time)."""
    local = dt.astimezone(rules.VN_TZ)
    return f"{weekday_vi(local.date())}, {local:%d/%m/%Y} lúc {local:%H:%M}"


def format_instant_en(dt: datetime) -> str:
    local = dt.astimezone(rules.VN_TZ)
    return f"{weekday_en(local.date())} {local:%d/%m/%Y} at {local:%H:%M}"


WEEKDAY_HEADERS = (
    pgettext_lazy("weekday abbreviation", "T2"),
    pgettext_lazy("weekday abbreviation", "T3"),
    pgettext_lazy("weekday abbreviation", "T4"),
    pgettext_lazy("weekday abbreviation", "T5"),
    pgettext_lazy("weekday abbreviation", "T6"),
    pgettext_lazy("weekday abbreviation", "T7"),
    pgettext_lazy("weekday abbreviation", "CN"),
)


@dataclass(frozen=True)
class Cell:
    day: date
    css: str
    label: str

    @property
    def is_special(self) -> bool:
        return self.css != ""


@dataclass(frozen=True)
class Month:
    number: int
    name: str
    weeks: list[list[Cell | None]]


def _cell(calendar: rules.WorkCalendar, day: date, today: date) -> Cell:
    status = calendar.status(day)
    weekend = day.weekday() in calendar.weekend
    entry = status.entry
    label = localized(status, "label")
    if entry is not None and entry.note:
        label = f"{label} ({entry.note})"
    if status.is_working and weekend:
        css = "day-worked"
    elif not status.is_working and not weekend:
        css = "day-off"
    elif not status.is_working and entry is not None:
        css = "day-off day-weekend-off"  # a holiday or Tết day falling on a weekend
    elif weekend:
        css = "day-weekend"
    else:
        css, label = "", ""
    if day == today:
        css = f"{css} day-today".strip()
    return Cell(day, css, label)


def month_grids(calendar: rules.WorkCalendar, year: int, today: date) -> list[Month]:
    """Monday-first weeks of each month; ``None`` pads the days of other months."""
    grid = stdlib_calendar.Calendar(firstweekday=0)
    return [
        Month(
            number,
            _("Tháng %(number)s") % {"number": number},
            [
                [_cell(calendar, d, today) if d.month == number else None for d in week]
                for week in grid.monthdatescalendar(year, number)
            ],
        )
        for number in range(1, 13)
    ]
