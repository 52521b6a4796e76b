"""Versioned and audited changes of a calendar (the official one or an agency's override).

Every change (:func:`add_day`, :func:`update_day`, :func:`remove_day`, :func:`set_office_hours`,
:func:`set_official_years`, :func:`load_official_calendar`) runs in one transaction, under an
advisory lock, that writes a new version snapshotting its scope, appends the audit entry, announces
:class:`~caicach.calendars.events.CalendarAmended` and defers the impact job
(:mod:`caicach.calendars.impact`), so all of them commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.calendars import rules
from caicach.calendars.building import DEFAULT_OFFICE_HOURS, clear_cache, current_version
from caicach.calendars.errors import invalid
from caicach.calendars.events import CalendarAmended
from caicach.calendars.models import CalendarDay, CalendarVersion
from caicach.calendars.seed import art112_year
from caicach.calendars.validation import (
    official_years,
    parse_office_hours,
    require_change,
    validate_day,
)
from caicach.core import events
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError

# Serialises calendar changes (version numbers, the "current" flag) across processes.
_CHANGE_LOCK_KEY = 7_260_002


@dataclass
class DayRow:
    kind: str
    name_vi: str
    name_en: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "note": self.note,
        }


@dataclass
class State:
    """The scope's content being changed: copied from the current version, then mutated."""

    days: dict[date, DayRow] = field(default_factory=dict)
    office_hours: list[list[str]] | None = None
    first_year: int | None = None
    last_year: int | None = None


def _audit_agency(agency: Agency | None) -> Agency | None:
    """Official changes are filed under the root agency, so the province's auditors see them."""
    if agency is not None:
        return agency
    return Agency.objects.filter(parent__isnull=True).order_by("id").first()


def _invalidate() -> None:
    clear_cache()


def _next_number() -> int:
    return (CalendarVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1


def _label_for(agency: Agency | None, number: int) -> str:
    year = timezone.localdate().year
    prefix = "official" if agency is None else agency.code
    return f"{prefix}-{year}.{number}"


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHANGE_LOCK_KEY])


def _state_of(version: CalendarVersion | None) -> State:
    if version is None:
        return State()
    return State(
        days={
            d.date: DayRow(d.kind, d.name_vi, d.name_en, d.note)
            for d in version.days.all().order_by("date")
        },
        office_hours=version.office_hours,
        first_year=version.first_year,
        last_year=version.last_year,
    )


def _write_version(
    actor: Actor,
    agency: Agency | None,
    parent: CalendarVersion | None,
    state: State,
    note: str,
    label: str | None = None,
) -> CalendarVersion:
    if parent is not None:
        CalendarVersion.objects.filter(pk=parent.pk).update(is_current=False)
    number = _next_number()
    version = CalendarVersion.objects.create(
        number=number,
        label=label or _label_for(agency, number),
        scope_agency=agency,
        parent=parent,
        is_current=True,
        office_hours=state.office_hours,
        first_year=state.first_year,
        last_year=state.last_year,
        created_by=actor.user,
        created_by_label=actor.describe()[:200],
        note=note[:500],
    )
    CalendarDay.objects.bulk_create(
        CalendarDay(version=version, date=d, **row.as_dict())
        for d, row in sorted(state.days.items())
    )
    return version


def _change(
    actor: Actor,
    agency: Agency | None,
    action: str,
    mutate: Callable[[State, CalendarVersion | None], tuple[str, dict[str, Any]]],
) -> CalendarVersion:
    """Run one change: lock, copy the current version, let ``mutate`` validate and edit the copy
    (returning the version note and the audit diff), then write, audit and enqueue."""
    require_change(actor, agency)
    with transaction.atomic():
        _lock()
        official = ensure_official()
        parent = official if agency is None else current_version(agency)
        state = _state_of(parent)
        note, changes = mutate(state, parent)
        _check_buildable(agency, state)
        version = _write_version(actor, agency, parent, state, note)
        record(
            actor,
            action,
            version,
            agency=_audit_agency(agency),
            changes={
                **changes,
                "version": version.label,
                "parent": parent.label if parent else None,
                "scope": agency.code if agency else "official",
            },
        )
        _enqueue_impact(version)
        _invalidate()
        transaction.on_commit(_invalidate)
    return version


def ensure_official() -> CalendarVersion:
    """The current official version, loading the shipped one the first time."""
    official = current_version(None)
    return official or load_official_calendar(Actor.system("caicach (nạp lịch lần đầu)"))


def _enqueue_impact(version: CalendarVersion) -> None:
    # Deferred through Django's connection: the job row commits or rolls back with the change.
    from caicach.calendars.tasks import report_calendar_impact

    report_calendar_impact.defer(version_id=version.pk)
    events.emit(CalendarAmended(version.pk, version.label, version.scope_agency_id))


def _check_buildable(agency: Agency | None, state: State) -> None:
    """The engine must accept the result; its own checks are the last line of defence."""
    try:
        entries = [
            rules.DayEntry(d, rules.DayKind(row.kind), row.name_vi, row.name_en, row.note)
            for d, row in state.days.items()
        ]
        hours = rules.OfficeHours.from_strings(state.office_hours or DEFAULT_OFFICE_HOURS)
        years = (
            (state.first_year, state.last_year)
            if state.first_year is not None and state.last_year is not None
            else official_years()
        )
        rules.WorkCalendar(entries, version="check", years=years, office_hours=hours)
    except ValueError as error:
        raise BilingualError(
            f"Lịch sau khi sửa không hợp lệ: {error}.", f"The amended calendar is invalid: {error}."
        ) from error


def add_day(
    actor: Actor,
    day: date,
    kind: str,
    name_vi: str,
    name_en: str = "",
    agency: Agency | None = None,
    note: str = "",
) -> CalendarVersion:
    """Add a dated entry to the official calendar (``agency=None``) or an agency's override."""

    def mutate(state: State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        kind_value, vi, en = validate_day(agency, day, kind, name_vi, name_en)
        if day in state.days:
            existing = state.days[day]
            raise ConflictError(
                f"Ngày {day:%d/%m/%Y} đã có trong lịch ({existing.name_vi}); hãy sửa hoặc xóa ngày đó.",
                f"{day:%d/%m/%Y} is already in the calendar ({existing.name_en or existing.name_vi}); "
                "edit or remove it instead.",
            )
        row = DayRow(kind_value.value, vi, en, (note or "").strip()[:500])
        state.days[day] = row
        return (
            f"Thêm {day:%d/%m/%Y} ({kind_value.label}): {vi}",
            {"date": day.isoformat(), "added": row.as_dict()},
        )

    return _change(actor, agency, "calendar.day_added", mutate)


def update_day(
    actor: Actor,
    day: date,
    kind: str,
    name_vi: str,
    name_en: str = "",
    agency: Agency | None = None,
    note: str = "",
) -> CalendarVersion:
    """Change the kind, names or note of an existing entry."""

    def mutate(state: State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        before = state.days.get(day)
        if before is None:
            raise _day_not_found(day)
        del state.days[day]  # validated as if new, so "already a day off" ignores itself
        kind_value, vi, en = validate_day(agency, day, kind, name_vi, name_en)
        after = DayRow(kind_value.value, vi, en, (note or "").strip()[:500])
        if after == before:
            raise BilingualError("Không có thay đổi nào.", "Nothing changed.", code="unchanged")
        state.days[day] = after
        return (
            f"Sửa {day:%d/%m/%Y}: {vi}",
            {"date": day.isoformat(), "before": before.as_dict(), "after": after.as_dict()},
        )

    return _change(actor, agency, "calendar.day_changed", mutate)


def _day_not_found(day: date) -> BilingualError:
    return BilingualError(
        f"Ngày {day:%d/%m/%Y} không có trong lịch này.",
        f"{day:%d/%m/%Y} is not in this calendar.",
        status=404,
        code="not_found",
    )


def remove_day(
    actor: Actor, day: date, agency: Agency | None = None, note: str = ""
) -> CalendarVersion:
    """Remove a dated entry (the day becomes an ordinary weekday or weekend day again)."""

    def mutate(state: State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        before = state.days.pop(day, None)
        if before is None:
            raise _day_not_found(day)
        text = f"Xóa {day:%d/%m/%Y} ({before.name_vi})"
        return (
            f"{text}: {note}" if note else text,
            {"date": day.isoformat(), "removed": before.as_dict()},
        )

    return _change(actor, agency, "calendar.day_removed", mutate)


def set_office_hours(actor: Actor, agency: Agency | None, intervals: Any) -> CalendarVersion:
    """Set the office hours of ``agency`` (``None``: the official default). For an agency, an
    empty value removes its own hours, so it inherits them again."""
    empty = intervals is None or (isinstance(intervals, str | list | tuple) and not intervals)
    if isinstance(intervals, str) and not intervals.strip():
        empty = True
    hours = None if empty and agency is not None else parse_office_hours(intervals)

    def mutate(state: State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        if state.office_hours == hours:
            raise BilingualError("Không có thay đổi nào.", "Nothing changed.", code="unchanged")
        before, state.office_hours = state.office_hours, hours
        text = ", ".join(f"{s}-{e}" for s, e in hours) if hours else "kế thừa cấp trên"
        return f"Giờ làm việc: {text}", {"office_hours": [before, hours]}

    return _change(actor, agency, "calendar.office_hours_changed", mutate)


def set_official_years(actor: Actor, first_year: int, last_year: int) -> CalendarVersion:
    """Declare which years the official calendar fully covers (e.g. once 2027 is announced).

    A year newly covered after the previous last year keeps the Labour Code art. 112 days it had
    provisionally (:func:`seed.art112_year`, regulations §4.1), now official, on every date not
    already entered (what was entered wins), so declaring the year never drops its holidays; the
    administrator then adds or corrects the announced days (swaps, the Prime Minister's Tết). The dossiers whose due dates were provisional are recounted
    (:mod:`caicach.dossiers.provisional`, on :class:`CalendarAmended`)."""

    def mutate(state: State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        if not 1900 < first_year <= last_year < 2200:
            raise invalid(
                "last_year",
                "Năm đầu phải không sau năm cuối.",
                "The first year must not be after the last year.",
            )
        before = [state.first_year, state.last_year]
        if before == [first_year, last_year]:
            raise BilingualError("Không có thay đổi nào.", "Nothing changed.", code="unchanged")
        seeded: list[str] = []
        if state.last_year is not None:
            for year in range(state.last_year + 1, last_year + 1):
                for e in art112_year(year):
                    if e.date not in state.days:  # what was entered wins
                        seeded.append(e.date.isoformat())
                        state.days[e.date] = DayRow(e.kind.value, e.name_vi, e.name_en, "")
        state.first_year, state.last_year = first_year, last_year
        return (
            f"Lịch chính thức cho các năm {first_year}-{last_year}",
            {"years": [before, [first_year, last_year]], "seeded_art112": seeded},
        )

    return _change(actor, None, "calendar.years_changed", mutate)


def load_official_calendar(
    actor: Actor | None = None, path: str | Path | None = None, *, force: bool = False
) -> CalendarVersion:
    """Create the official calendar's first version from ``data/official_calendar.json``.

    Idempotent: when an official version exists it is returned unchanged, unless ``force`` asks
    to replace its days by the file's (a new version, only if they differ).
    """
    actor = actor or Actor.system("caicach")
    require_change(actor, None)
    with transaction.atomic():
        _lock()
        current = current_version(None)
        if current is not None and not force:
            return current
        data = rules.load_official_data(path)
        state = State(
            days={e.date: DayRow(e.kind.value, e.name_vi, e.name_en, e.note) for e in data.entries},
            office_hours=data.office_hours.to_strings(),
            first_year=data.years[0],
            last_year=data.years[1],
        )
        if current is not None:
            old = _state_of(current)
            if (old.days, old.office_hours, old.first_year, old.last_year) == (
                state.days,
                state.office_hours,
                state.first_year,
                state.last_year,
            ):
                return current
        taken = CalendarVersion.objects.filter(label=data.version).exists()
        version = _write_version(
            actor,
            None,
            current,
            state,
            f"Nạp từ tệp dữ liệu chính thức ({data.version})",
            label=None if taken else data.version,
        )
        record(
            actor,
            "calendar.loaded",
            version,
            agency=_audit_agency(None),
            changes={
                "version": version.label,
                "parent": current.label if current else None,
                "days": len(state.days),
                "years": [state.first_year, state.last_year],
                "source": str(path or rules.OFFICIAL_DATA_PATH.name),
            },
        )
        if current is not None:
            _enqueue_impact(version)
        _invalidate()
        transaction.on_commit(_invalidate)
    return version


def versions_visible_to(user: Any) -> Any:
    """Official versions and the overrides of agencies in the user's scope."""
    from caicach.accounts.access import agency_filter

    return CalendarVersion.objects.filter(
        Q(scope_agency__isnull=True) | agency_filter(user, "calendars.view", "scope_agency")
    ).select_related("scope_agency", "impact")
