"""What a calendar change must satisfy before it is written: who may make it, a dated
entry's kind, date and names (against the calendar the override is layered on), and office
hours. Messages come in both languages, every bad field at once
(:class:`~caicach.calendars.errors.CalendarInputError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Any

from django.core.exceptions import PermissionDenied

from caicach.accounts.access import require, scope_paths
from caicach.agencies.models import Agency
from caicach.calendars import rules
from caicach.calendars.building import build, calendar_key, current_version
from caicach.calendars.display import weekday_en, weekday_vi
from caicach.calendars.errors import CalendarInputError, invalid
from caicach.calendars.models import AGENCY_KINDS, OFFICIAL_KINDS, CalendarVersion, DayKind
from caicach.core.audit import Actor


def may_change_official(user: Any) -> bool:
    """Only an administrator over a root of the agency tree may amend the official calendar."""
    return any(path.count(".") == 1 for path in scope_paths(user, "calendars.change"))


def require_change(actor: Actor, agency: Agency | None) -> None:
    if actor.user is None:  # commands and jobs act as the system
        return
    if agency is not None:
        require(actor.user, "calendars.change", agency)
    elif not may_change_official(actor.user):
        raise PermissionDenied("Bạn không có quyền sửa lịch chính thức.")


def _inherited_calendar(agency: Agency | None) -> rules.WorkCalendar | None:
    """The calendar an agency's own override is layered on (official + ancestors')."""
    if agency is None:
        return None
    ids = dict(CalendarVersion.objects.current().values_list("scope_agency_id", "id"))
    ids.pop(agency.pk, None)
    parent_path = agency.path[: -len(f"{agency.pk:06d}.")]
    return build(calendar_key(parent_path, ids))


def official_years() -> tuple[int, int]:
    official = current_version(None)
    if official is None or official.first_year is None or official.last_year is None:
        data = rules.load_official_data()
        return data.years
    return official.first_year, official.last_year


def validate_day(
    agency: Agency | None,
    day: date,
    kind: str,
    name_vi: str,
    name_en: str,
) -> tuple[DayKind, str, str]:
    errors_vi: dict[str, str] = {}
    errors_en: dict[str, str] = {}
    try:
        kind_value = DayKind(kind)
    except ValueError:
        kind_value = None
    allowed = OFFICIAL_KINDS if agency is None else AGENCY_KINDS
    if kind_value is None or kind_value not in allowed:
        names_vi = ", ".join(str(k.label) for k in DayKind if k in allowed)
        errors_vi["kind"] = f"Loại ngày không hợp lệ cho lịch này (chọn: {names_vi})."
        errors_en["kind"] = "This kind of day is not allowed in this calendar (choose: " + (
            ", ".join(k.value for k in DayKind if k in allowed) + ")."
        )
    name_vi = (name_vi or "").strip()
    name_en = (name_en or "").strip()
    if not name_vi:
        errors_vi["name_vi"] = "Hãy nhập tên ngày (tiếng Việt)."
        errors_en["name_vi"] = "The Vietnamese name of the day is required."
    elif len(name_vi) > 200 or len(name_en) > 200:
        errors_vi["name_vi"] = "Tên ngày dài quá 200 ký tự."
        errors_en["name_vi"] = "The name is longer than 200 characters."
    if not isinstance(day, date):
        errors_vi["date"] = "Hãy nhập ngày."
        errors_en["date"] = "The date is required."
    elif kind_value is not None and kind_value in allowed:
        weekend = day.weekday() >= 5
        label = f"{weekday_vi(day)} {day:%d/%m/%Y}"
        label_en = f"{weekday_en(day)} {day:%d/%m/%Y}"
        if kind_value is DayKind.WORKED_WEEKEND and not weekend:
            errors_vi["date"] = f"Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; {label} thì không."
            errors_en["date"] = (
                f"A worked weekend day must be a Saturday or Sunday, not {label_en}."
            )
        elif kind_value in (DayKind.IN_LIEU, DayKind.SWAPPED_OFF) and weekend:
            errors_vi["date"] = (
                f"Ngày nghỉ bù/hoán đổi phải là ngày trong tuần; {label} đã là ngày nghỉ cuối tuần."
            )
            errors_en["date"] = (
                f"A day off in lieu or swapped day off must be a weekday; {label_en} is a weekend day."
            )
        elif kind_value in AGENCY_KINDS:
            inherited = _inherited_calendar(agency)
            assert inherited is not None
            try:
                working = inherited.is_working_day(day)
            except rules.CalendarRangeError:
                working = None
            if kind_value is DayKind.AGENCY_OFF and working is False:
                errors_vi["date"] = f"{label} đã là ngày nghỉ theo lịch chung."
                errors_en["date"] = f"{label_en} is already a day off in the inherited calendar."
            if kind_value is DayKind.AGENCY_WORKED and working is True:
                errors_vi["date"] = f"{label} đã là ngày làm việc theo lịch chung."
                errors_en["date"] = (
                    f"{label_en} is already a working day in the inherited calendar."
                )
        if "date" not in errors_vi:
            first, last = official_years()
            if not first - 10 <= day.year <= last + 10:
                errors_vi["date"] = f"Năm {day.year} nằm ngoài phạm vi của lịch."
                errors_en["date"] = f"The year {day.year} is outside the calendar's range."
    if errors_vi:
        raise CalendarInputError(errors_vi, errors_en)
    assert kind_value is not None
    return kind_value, name_vi, name_en


def parse_office_hours(intervals: Any) -> list[list[str]]:
    """``[["07:30","11:30"],["13:30","17:00"]]`` or ``"07:30-11:30, 13:30-17:00"``, checked:
    each interval non-empty, the intervals in order and not overlapping."""
    if isinstance(intervals, str):
        pairs: list[Sequence[Any]] = [
            [part.strip() for part in chunk.replace("–", "-").split("-")]
            for chunk in intervals.replace(";", ",").split(",")
            if chunk.strip()
        ]
    else:
        pairs = list(intervals or [])
    bad = invalid(
        "office_hours",
        "Giờ làm việc không hợp lệ; nhập dạng 07:30-11:30, 13:30-17:00.",
        "Invalid office hours; use the form 07:30-11:30, 13:30-17:00.",
    )
    if not pairs or len(pairs) > 6:
        raise bad
    parsed: list[tuple[time, time]] = []
    for pair in pairs:
        if len(pair) != 2:
            raise bad
        try:
            start, end = (time.fromisoformat(str(p)).replace(tzinfo=None) for p in pair)
        except ValueError:
            raise bad from None
        if not start < end:
            raise invalid(
                "office_hours",
                f"Khoảng {start:%H:%M}-{end:%H:%M}: giờ kết thúc phải sau giờ bắt đầu.",
                f"Interval {start:%H:%M}-{end:%H:%M}: the end must be after the start.",
            )
        if parsed and start < parsed[-1][1]:
            raise invalid(
                "office_hours",
                "Các khoảng giờ làm việc phải theo thứ tự và không chồng lên nhau.",
                "Office-hours intervals must be in order and must not overlap.",
            )
        parsed.append((start, end))
    return [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in parsed]
