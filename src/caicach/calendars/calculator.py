"""The due-date calculator of the page, the API and ``calendar due``: parsing its inputs (every
bad field reported at once, in both languages), computing the due instant with the agency's
current calendar, and the JSON of a due date and of a year's summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from caicach.agencies.models import Agency
from caicach.calendars import rules
from caicach.calendars.building import calendar_for
from caicach.calendars.display import weekday_vi
from caicach.calendars.errors import CalendarInputError, CalendarNotFoundError, invalid

VN_TZ = rules.VN_TZ
DEFAULT_CUTOFF = rules.DEFAULT_CUTOFF

UNITS = {
    rules.TimeUnit.WORKING_DAYS: ("ngày làm việc", "working days"),
    rules.TimeUnit.WORKING_HOURS: ("giờ làm việc", "working hours"),
    rules.TimeUnit.CALENDAR_DAYS: ("ngày", "calendar days"),
}
#: Large enough for any statutory time, small enough to stay inside the calendar's span.
MAX_VALUE = {
    rules.TimeUnit.WORKING_DAYS: Decimal(1000),
    rules.TimeUnit.WORKING_HOURS: Decimal(7500),
    rules.TimeUnit.CALENDAR_DAYS: Decimal(1500),
}


@dataclass(frozen=True)
class DueQuery:
    received: datetime
    value: Decimal
    unit: rules.TimeUnit
    cutoff: time | None
    agency: Agency | None = None


def parse_received(text: str | datetime | None) -> datetime:
    """An instant from ISO 8601 (``2025-04-25T10:00``, ``...+07:00``) or ``25/04/2025 10:00``;
    without an offset it is Vietnam time."""
    if isinstance(text, datetime):
        value = text
    else:
        raw = (text or "").strip()
        if not raw:
            raise invalid(
                "received", "Hãy nhập thời điểm nhận hồ sơ.", "The receipt time is required."
            )
        try:
            value = datetime.fromisoformat(raw.replace(" ", "T", 1) if "/" not in raw else raw)
        except ValueError:
            try:
                value = datetime.strptime(raw, "%d/%m/%Y %H:%M").replace(tzinfo=VN_TZ)
            except ValueError:
                raise invalid(
                    "received",
                    f"Thời điểm nhận “{raw}” không hợp lệ; dùng dạng 2025-04-25T10:00.",
                    f"Invalid receipt time “{raw}”; use the form 2025-04-25T10:00.",
                ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=VN_TZ)
    try:
        return value.astimezone(VN_TZ)
    except OverflowError:  # e.g. 0001-01-01T00:00+00:53: Vietnam time falls before year 1
        raise invalid(
            "received",
            f"Thời điểm nhận “{value.isoformat()}” nằm ngoài phạm vi ngày hợp lệ.",
            f"The receipt time “{value.isoformat()}” is outside the range of valid dates.",
        ) from None


def parse_unit(text: str | None) -> rules.TimeUnit:
    try:
        return rules.TimeUnit((text or "").strip())
    except ValueError:
        raise invalid(
            "unit",
            "Đơn vị phải là ngày làm việc, giờ làm việc hoặc ngày.",
            "The unit must be working_days, working_hours or calendar_days.",
        ) from None


def parse_value(text: str | int | float | Decimal | None, unit: rules.TimeUnit) -> Decimal:
    raw = str(text).strip() if text is not None else ""
    if not raw:
        raise invalid("value", "Hãy nhập thời hạn.", "The time allowed is required.")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise invalid(
            "value", f"Thời hạn “{raw}” không phải là số.", f"The time “{raw}” is not a number."
        )
    if value < 0:
        raise invalid("value", "Thời hạn không được âm.", "The time allowed cannot be negative.")
    if unit is not rules.TimeUnit.WORKING_HOURS and value != value.to_integral_value():
        raise invalid(
            "value",
            "Thời hạn tính bằng ngày phải là số nguyên.",
            "A time in days must be a whole number.",
        )
    if value > MAX_VALUE[unit]:
        raise invalid(
            "value",
            f"Thời hạn quá dài (tối đa {MAX_VALUE[unit]} {UNITS[unit][0]}).",
            f"The time allowed is too long (at most {MAX_VALUE[unit]} {UNITS[unit][1]}).",
        )
    return value


def parse_cutoff(text: str | time | None) -> time | None:
    """``HH:MM``; empty means the default 15:00, ``none`` means no cut-off."""
    if isinstance(text, time):
        return text
    raw = (text or "").strip()
    if not raw:
        return DEFAULT_CUTOFF
    if raw.lower() in {"none", "khong", "không", "-"}:
        return None
    try:
        value = time.fromisoformat(raw)
    except ValueError:
        raise invalid(
            "cutoff",
            f"Giờ chốt “{raw}” không hợp lệ; dùng dạng 15:00.",
            f"Invalid cut-off “{raw}”; use the form 15:00.",
        ) from None
    return value.replace(tzinfo=None)


def parse_due_query(
    *,
    received: str | datetime | None,
    value: Any,
    unit: str | None,
    cutoff: str | time | None = None,
    agency: Agency | None = None,
) -> DueQuery:
    """Check every field and report all the bad ones at once."""
    errors_vi: dict[str, str] = {}
    errors_en: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("received", lambda: parse_received(received)),
        ("unit", lambda: parse_unit(unit)),
        ("cutoff", lambda: parse_cutoff(cutoff)),
    ]
    for name, step in steps:
        try:
            parsed[name] = step()
        except CalendarInputError as error:
            errors_vi.update(error.errors_vi)
            errors_en.update(error.errors_en)
    try:
        parsed["value"] = parse_value(value, parsed.get("unit", rules.TimeUnit.WORKING_HOURS))
    except CalendarInputError as error:
        errors_vi.update(error.errors_vi)
        errors_en.update(error.errors_en)
    if errors_vi:
        raise CalendarInputError(errors_vi, errors_en)
    return DueQuery(parsed["received"], parsed["value"], parsed["unit"], parsed["cutoff"], agency)


def compute_due(query: DueQuery) -> rules.DueResult:
    """The due instant for ``query`` with the agency's current calendar."""
    calendar = calendar_for(query.agency)
    value: int | Decimal = (
        query.value if query.unit is rules.TimeUnit.WORKING_HOURS else int(query.value)
    )
    try:
        return rules.compute_due(query.received, value, query.unit, calendar, query.cutoff)
    except rules.CalendarRangeError:
        first, last = calendar.span
        raise invalid(
            "received",
            f"Ngoài phạm vi lịch ({first:%d/%m/%Y} – {last:%d/%m/%Y}).",
            f"Outside the calendar's range ({first:%d/%m/%Y} - {last:%d/%m/%Y}).",
        ) from None


def due_as_json(result: rules.DueResult) -> dict[str, Any]:
    """The engine's JSON plus both explanations (API and ``calendar due --json``)."""
    data = result.as_json_dict()
    data["explanation_vi"] = result.explain_vi()
    data["explanation_en"] = result.explain_en()
    return data


# Year view


def year_summary(calendar: rules.WorkCalendar, year: int) -> rules.YearSummary:
    try:
        return rules.year_summary(calendar, year)
    except rules.CalendarRangeError:
        raise CalendarNotFoundError(
            f"Không có lịch cho năm {year}.", f"No calendar for the year {year}."
        ) from None


def summary_as_json(summary: rules.YearSummary, calendar: rules.WorkCalendar) -> dict[str, Any]:
    def row(status: rules.DayStatus) -> dict[str, Any]:
        entry = status.entry
        return {
            "date": status.date.isoformat(),
            "weekday": weekday_vi(status.date),
            "kind": entry.kind.value if entry is not None else "weekend",
            "label": status.label_vi,
            "label_en": status.label_en,
            "note": entry.note if entry is not None else "",
        }

    return {
        "year": summary.year,
        "calendar_version": summary.calendar_version,
        "provisional": summary.provisional,
        "working_days": summary.working_days,
        "office_hours": calendar.office_hours.to_strings(),
        "days_off": [row(s) for s in summary.days_off],
        "worked_weekend_days": [row(s) for s in summary.worked_weekend_days],
        "weekend_holidays": [row(s) for s in summary.weekend_holidays],
    }
