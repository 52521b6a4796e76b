"""Calendar services: the engine calendar of an agency, versioned and audited changes, and the
due dates a new version moves.

* :func:`calendar_for` is on the hot path of dossier intake. Versions never change once written,
  so the built :class:`~caicach.calendars.rules.WorkCalendar` is cached in-process by the ids of
  the versions it is made of; a new version makes a new key, so nothing needs invalidating but
  the small "which versions are current" lookup.
* Every change (:func:`add_day`, :func:`update_day`, :func:`remove_day`,
  :func:`set_office_hours`, :func:`set_official_years`, :func:`load_official_calendar`) runs in one
  transaction that writes a new version snapshotting its scope, appends the audit entry, and
  enqueues the impact job, so all three commit or roll back together.
* Regulations §4.4: a holiday announced late moves due dates already promised.
  :func:`impact_of` lists them, from the promises other apps give when asked
  :class:`~caicach.calendars.events.OpenPromisesWanted` on the event seam.
* Each new version is announced as :class:`~caicach.calendars.events.CalendarAmended`.
"""

from __future__ import annotations

import threading
import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from caicach.accounts.access import require, scope_paths
from caicach.agencies.models import Agency
from caicach.calendars import rules
from caicach.calendars.events import CalendarAmended, OpenPromisesWanted
from caicach.calendars.models import (
    AGENCY_KINDS,
    OFFICIAL_KINDS,
    CalendarDay,
    CalendarImpact,
    CalendarVersion,
    DayKind,
)
from caicach.core import events
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError

VN_TZ = rules.VN_TZ
DEFAULT_CUTOFF = rules.DEFAULT_CUTOFF
DEFAULT_OFFICE_HOURS = [["07:30", "11:30"], ["13:30", "17:00"]]

# Serialises calendar changes (version numbers, the "current" flag) across processes.
_CHANGE_LOCK_KEY = 7_260_002
# How long a process trusts its copy of "which versions are current" outside a transaction.
CURRENT_TTL_SECONDS = 2.0
_MAX_CACHED_CALENDARS = 256


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class CalendarInputError(BilingualError):
    """Bad input, with a message per field in both languages (``errors_vi``/``errors_en``)."""

    def __init__(self, errors_vi: dict[str, str], errors_en: dict[str, str]) -> None:
        super().__init__(
            " ".join(errors_vi.values()),
            " ".join(errors_en.values()),
            code="invalid",
            errors={key: [value] for key, value in errors_en.items()},
        )
        self.errors_vi = errors_vi
        self.errors_en = errors_en


def _invalid(field_name: str, vi: str, en: str) -> CalendarInputError:
    return CalendarInputError({field_name: vi}, {field_name: en})


class CalendarNotFoundError(BilingualError):
    status = 404
    code = "not_found"


# --------------------------------------------------------------------------------------------
# Formatting shared by the page, the API and the command
# --------------------------------------------------------------------------------------------


def weekday_vi(d: date) -> str:
    return rules.WEEKDAY_VI[d.weekday()]


def weekday_en(d: date) -> str:
    return rules.WEEKDAY_EN[d.weekday()]


def format_instant_vi(dt: datetime) -> str:
    """``Thứ Ba, 29/04/2025 lúc 17:00`` (Vietnam time)."""
    local = dt.astimezone(VN_TZ)
    return f"{weekday_vi(local.date())}, {local:%d/%m/%Y} lúc {local:%H:%M}"


def format_instant_en(dt: datetime) -> str:
    local = dt.astimezone(VN_TZ)
    return f"{weekday_en(local.date())} {local:%d/%m/%Y} at {local:%H:%M}"


# --------------------------------------------------------------------------------------------
# Building the engine calendar (hot path)
# --------------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_calendars: dict[tuple[int, ...], rules.WorkCalendar] = {}
_current: tuple[float, dict[int | None, int]] | None = None


def clear_cache() -> None:
    """Forget the current-version lookup (built calendars stay: versions never change)."""
    global _current
    _current = None


def _current_ids() -> dict[int | None, int]:
    """``{scope agency id or None: current version id}``.

    Outside a transaction the answer is reused for a moment; inside one it is always read, so a
    change and the due dates computed after it in the same transaction agree.
    """
    global _current
    in_transaction = connection.in_atomic_block
    snapshot = _current
    now = clock.monotonic()
    if not in_transaction and snapshot is not None and now - snapshot[0] < CURRENT_TTL_SECONDS:
        return snapshot[1]
    ids = dict(CalendarVersion.objects.current().values_list("scope_agency_id", "id"))
    if not in_transaction:
        _current = (now, ids)
    return ids


def _ids_as_of(
    *, on: datetime | None = None, upto_number: int | None = None
) -> dict[int | None, int]:
    """The version of each scope in force at instant ``on`` or as of version ``upto_number``."""
    qs = CalendarVersion.objects.all()
    if on is not None:
        qs = qs.filter(created_at__lte=on)
    if upto_number is not None:
        qs = qs.filter(number__lte=upto_number)
    rows = qs.order_by("scope_agency_id", "-number").distinct("scope_agency_id")
    return dict(rows.values_list("scope_agency_id", "id"))


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.split(".") if part]


def _key(path: str, ids: dict[int | None, int]) -> tuple[int, ...]:
    """The versions an agency's calendar is made of: official first, then its ancestors'
    overrides from the root down (the nearest wins on a date)."""
    official = ids.get(None)
    if official is None:
        raise CalendarNotFoundError(
            "Chưa có lịch chính thức (chạy: caicach calendar load).",
            "No official calendar yet (run: caicach calendar load).",
            status=503,
            code="no_calendar",
        )
    return (official, *(ids[a] for a in _path_ids(path) if a in ids))


class _StaleVersionsError(Exception):
    """A version id from a cached lookup no longer exists (a rolled-back or flushed change)."""


def _build(key: tuple[int, ...]) -> rules.WorkCalendar:
    cached = _calendars.get(key)
    if cached is not None:
        return cached
    versions = {v.id: v for v in CalendarVersion.objects.filter(id__in=key)}
    if len(versions) != len(set(key)):
        raise _StaleVersionsError(key)
    layers: dict[int, list[rules.DayEntry]] = {vid: [] for vid in key}
    for version_id, day, kind, name_vi, name_en, note in (
        CalendarDay.objects.filter(version_id__in=key)
        .order_by("date")
        .values_list("version_id", "date", "kind", "name_vi", "name_en", "note")
    ):
        layers[version_id].append(rules.DayEntry(day, rules.DayKind(kind), name_vi, name_en, note))
    official = versions[key[0]]
    hours = official.office_hours or DEFAULT_OFFICE_HOURS
    for vid in key[1:]:
        hours = versions[vid].office_hours or hours
    calendar = rules.calendar_from_entries(
        layers[key[0]],
        *(layers[vid] for vid in key[1:]),
        version="+".join(versions[vid].label for vid in key),
        years=(official.first_year, official.last_year),
        office_hours=rules.OfficeHours.from_strings(hours),
    )
    with _cache_lock:
        if len(_calendars) >= _MAX_CACHED_CALENDARS:
            _calendars.pop(next(iter(_calendars)))
        _calendars[key] = calendar
    return calendar


def calendar_for(
    agency: Agency | None = None, on: datetime | date | None = None
) -> rules.WorkCalendar:
    """The engine calendar of ``agency`` (``None``: the official one).

    It is the official calendar plus the overrides of the agency's ancestors and its own, the
    nearest winning on a date; office hours come from the nearest scope that sets them. ``on``
    gives the calendar as it stood at that instant (a date means the end of that day).
    Loads the shipped official calendar the first time, if no version exists yet.
    """
    return calendar_for_path(agency.path if agency is not None else "", on)


def calendar_for_path(path: str, on: datetime | date | None = None) -> rules.WorkCalendar:
    """:func:`calendar_for` the agency at ``path`` (``""``: the official calendar), for callers
    that read the path with their rows instead of loading agencies."""
    if on is not None:
        if not isinstance(on, datetime):
            on = datetime.combine(on, time.max, VN_TZ)
        return _build(_key(path, _ids_as_of(on=on)))
    ids = _current_ids()
    if None not in ids:
        _ensure_official()
        clear_cache()
        ids = _current_ids()
    try:
        return _build(_key(path, ids))
    except _StaleVersionsError:
        clear_cache()
        return _build(_key(path, _current_ids()))


def _key_from_label(label: str) -> tuple[int, ...] | None:
    # Not cached: a label can come back after a rolled-back change (numbers are max + 1).
    parts = [part for part in label.split("+") if part]
    found = dict(CalendarVersion.objects.filter(label__in=parts).values_list("label", "id"))
    if not parts or len(found) != len(set(parts)):
        return None
    return tuple(found[part] for part in parts)


def calendar_from_label(label: str) -> rules.WorkCalendar:
    """Rebuild the calendar a stored due date was computed with, from its version label."""
    key = _key_from_label(label)
    if key is None:
        raise CalendarNotFoundError(
            f"Không có phiên bản lịch {label}.", f"No calendar version {label}."
        )
    return _build(key)


def current_version(agency: Agency | None = None) -> CalendarVersion | None:
    """The current version of one scope (``None``: official), not the inherited ones."""
    return CalendarVersion.objects.filter(scope_agency=agency, is_current=True).first()


def agency_by_code(code: str, queryset: Any = None) -> Agency:
    qs = queryset if queryset is not None else Agency.objects.all()
    agency = qs.filter(code=code.strip()).first()
    if agency is None:
        raise CalendarNotFoundError(
            f"Không tìm thấy cơ quan có mã {code}.", f"No agency with code {code}."
        )
    return agency


# --------------------------------------------------------------------------------------------
# Due dates: parsing the request and computing
# --------------------------------------------------------------------------------------------

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
            raise _invalid(
                "received", "Hãy nhập thời điểm nhận hồ sơ.", "The receipt time is required."
            )
        try:
            value = datetime.fromisoformat(raw.replace(" ", "T", 1) if "/" not in raw else raw)
        except ValueError:
            try:
                value = datetime.strptime(raw, "%d/%m/%Y %H:%M").replace(tzinfo=VN_TZ)
            except ValueError:
                raise _invalid(
                    "received",
                    f"Thời điểm nhận “{raw}” không hợp lệ; dùng dạng 2025-04-25T10:00.",
                    f"Invalid receipt time “{raw}”; use the form 2025-04-25T10:00.",
                ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=VN_TZ)
    try:
        return value.astimezone(VN_TZ)
    except OverflowError:  # e.g. 0001-01-01T00:00+00:53: Vietnam time falls before year 1
        raise _invalid(
            "received",
            f"Thời điểm nhận “{value.isoformat()}” nằm ngoài phạm vi ngày hợp lệ.",
            f"The receipt time “{value.isoformat()}” is outside the range of valid dates.",
        ) from None


def parse_unit(text: str | None) -> rules.TimeUnit:
    try:
        return rules.TimeUnit((text or "").strip())
    except ValueError:
        raise _invalid(
            "unit",
            "Đơn vị phải là ngày làm việc, giờ làm việc hoặc ngày.",
            "The unit must be working_days, working_hours or calendar_days.",
        ) from None


def parse_value(text: str | int | float | Decimal | None, unit: rules.TimeUnit) -> Decimal:
    raw = str(text).strip() if text is not None else ""
    if not raw:
        raise _invalid("value", "Hãy nhập thời hạn.", "The time allowed is required.")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise _invalid(
            "value", f"Thời hạn “{raw}” không phải là số.", f"The time “{raw}” is not a number."
        )
    if value < 0:
        raise _invalid("value", "Thời hạn không được âm.", "The time allowed cannot be negative.")
    if unit is not rules.TimeUnit.WORKING_HOURS and value != value.to_integral_value():
        raise _invalid(
            "value",
            "Thời hạn tính bằng ngày phải là số nguyên.",
            "A time in days must be a whole number.",
        )
    if value > MAX_VALUE[unit]:
        raise _invalid(
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
        raise _invalid(
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
        raise _invalid(
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


# --------------------------------------------------------------------------------------------
# Year view
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Changes: one transaction, one new version, one audit entry, one impact job
# --------------------------------------------------------------------------------------------


@dataclass
class _DayRow:
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
class _State:
    """The scope's content being changed: copied from the current version, then mutated."""

    days: dict[date, _DayRow] = field(default_factory=dict)
    office_hours: list[list[str]] | None = None
    first_year: int | None = None
    last_year: int | None = None


def may_change_official(user: Any) -> bool:
    """Only an administrator over a root of the agency tree may amend the official calendar."""
    return any(path.count(".") == 1 for path in scope_paths(user, "calendars.change"))


def _require_change(actor: Actor, agency: Agency | None) -> None:
    if actor.user is None:  # commands and jobs act as the system
        return
    if agency is not None:
        require(actor.user, "calendars.change", agency)
    elif not may_change_official(actor.user):
        raise PermissionDenied("Bạn không có quyền sửa lịch chính thức.")


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


def _state_of(version: CalendarVersion | None) -> _State:
    if version is None:
        return _State()
    return _State(
        days={
            d.date: _DayRow(d.kind, d.name_vi, d.name_en, d.note)
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
    state: _State,
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
    mutate: Callable[[_State, CalendarVersion | None], tuple[str, dict[str, Any]]],
) -> CalendarVersion:
    """Run one change: lock, copy the current version, let ``mutate`` validate and edit the copy
    (returning the version note and the audit diff), then write, audit and enqueue."""
    _require_change(actor, agency)
    with transaction.atomic():
        _lock()
        official = _ensure_official()
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


def _ensure_official() -> CalendarVersion:
    """The current official version, loading the shipped one the first time."""
    official = current_version(None)
    return official or load_official_calendar(Actor.system("caicach (nạp lịch lần đầu)"))


def _enqueue_impact(version: CalendarVersion) -> None:
    # Deferred through Django's connection: the job row commits or rolls back with the change.
    from caicach.calendars.tasks import report_calendar_impact

    report_calendar_impact.defer(version_id=version.pk)
    events.emit(CalendarAmended(version.pk, version.label, version.scope_agency_id))


def _inherited_calendar(agency: Agency | None) -> rules.WorkCalendar | None:
    """The calendar an agency's own override is layered on (official + ancestors')."""
    if agency is None:
        return None
    ids = dict(CalendarVersion.objects.current().values_list("scope_agency_id", "id"))
    ids.pop(agency.pk, None)
    parent_path = agency.path[: -len(f"{agency.pk:06d}.")]
    return _build(_key(parent_path, ids))


def _official_years() -> tuple[int, int]:
    official = current_version(None)
    if official is None or official.first_year is None or official.last_year is None:
        data = rules.load_official_data()
        return data.years
    return official.first_year, official.last_year


def _check_buildable(agency: Agency | None, state: _State) -> None:
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
            else _official_years()
        )
        rules.WorkCalendar(entries, version="check", years=years, office_hours=hours)
    except ValueError as error:
        raise BilingualError(
            f"Lịch sau khi sửa không hợp lệ: {error}.", f"The amended calendar is invalid: {error}."
        ) from error


def _validate_day(
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
            first, last = _official_years()
            if not first - 10 <= day.year <= last + 10:
                errors_vi["date"] = f"Năm {day.year} nằm ngoài phạm vi của lịch."
                errors_en["date"] = f"The year {day.year} is outside the calendar's range."
    if errors_vi:
        raise CalendarInputError(errors_vi, errors_en)
    assert kind_value is not None
    return kind_value, name_vi, name_en


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

    def mutate(state: _State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        kind_value, vi, en = _validate_day(agency, day, kind, name_vi, name_en)
        if day in state.days:
            existing = state.days[day]
            raise ConflictError(
                f"Ngày {day:%d/%m/%Y} đã có trong lịch ({existing.name_vi}); hãy sửa hoặc xóa ngày đó.",
                f"{day:%d/%m/%Y} is already in the calendar ({existing.name_en or existing.name_vi}); "
                "edit or remove it instead.",
            )
        row = _DayRow(kind_value.value, vi, en, (note or "").strip()[:500])
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

    def mutate(state: _State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        before = state.days.get(day)
        if before is None:
            raise _day_not_found(day)
        del state.days[day]  # validated as if new, so "already a day off" ignores itself
        kind_value, vi, en = _validate_day(agency, day, kind, name_vi, name_en)
        after = _DayRow(kind_value.value, vi, en, (note or "").strip()[:500])
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

    def mutate(state: _State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        before = state.days.pop(day, None)
        if before is None:
            raise _day_not_found(day)
        text = f"Xóa {day:%d/%m/%Y} ({before.name_vi})"
        return (
            f"{text}: {note}" if note else text,
            {"date": day.isoformat(), "removed": before.as_dict()},
        )

    return _change(actor, agency, "calendar.day_removed", mutate)


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
    bad = _invalid(
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
            raise _invalid(
                "office_hours",
                f"Khoảng {start:%H:%M}-{end:%H:%M}: giờ kết thúc phải sau giờ bắt đầu.",
                f"Interval {start:%H:%M}-{end:%H:%M}: the end must be after the start.",
            )
        if parsed and start < parsed[-1][1]:
            raise _invalid(
                "office_hours",
                "Các khoảng giờ làm việc phải theo thứ tự và không chồng lên nhau.",
                "Office-hours intervals must be in order and must not overlap.",
            )
        parsed.append((start, end))
    return [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in parsed]


def set_office_hours(actor: Actor, agency: Agency | None, intervals: Any) -> CalendarVersion:
    """Set the office hours of ``agency`` (``None``: the official default). For an agency, an
    empty value removes its own hours, so it inherits them again."""
    empty = intervals is None or (isinstance(intervals, str | list | tuple) and not intervals)
    if isinstance(intervals, str) and not intervals.strip():
        empty = True
    hours = None if empty and agency is not None else parse_office_hours(intervals)

    def mutate(state: _State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        if state.office_hours == hours:
            raise BilingualError("Không có thay đổi nào.", "Nothing changed.", code="unchanged")
        before, state.office_hours = state.office_hours, hours
        text = ", ".join(f"{s}-{e}" for s, e in hours) if hours else "kế thừa cấp trên"
        return f"Giờ làm việc: {text}", {"office_hours": [before, hours]}

    return _change(actor, agency, "calendar.office_hours_changed", mutate)


def set_official_years(actor: Actor, first_year: int, last_year: int) -> CalendarVersion:
    """Declare which years the official calendar fully covers (e.g. once 2027 is announced)."""

    def mutate(state: _State, parent: CalendarVersion | None) -> tuple[str, dict[str, Any]]:
        if not 1900 < first_year <= last_year < 2200:
            raise _invalid(
                "last_year",
                "Năm đầu phải không sau năm cuối.",
                "The first year must not be after the last year.",
            )
        before = [state.first_year, state.last_year]
        if before == [first_year, last_year]:
            raise BilingualError("Không có thay đổi nào.", "Nothing changed.", code="unchanged")
        state.first_year, state.last_year = first_year, last_year
        return (
            f"Lịch chính thức cho các năm {first_year}-{last_year}",
            {"years": [before, [first_year, last_year]]},
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
    _require_change(actor, None)
    with transaction.atomic():
        _lock()
        current = current_version(None)
        if current is not None and not force:
            return current
        data = rules.load_official_data(path)
        state = _State(
            days={
                e.date: _DayRow(e.kind.value, e.name_vi, e.name_en, e.note) for e in data.entries
            },
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


# --------------------------------------------------------------------------------------------
# Impact of a new version on promised due dates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenPromise:
    """A due date promised and not yet met, as another app stores it.

    ``calendar_version`` is the label it was computed with (``WorkCalendar.version``); empty
    means "with the version before the one being checked". ``agency_id`` picks the agency's
    calendar (``None``: the official one).
    """

    key: str
    received: datetime
    value: int | float | Decimal
    unit: str
    cutoff: time | None
    due: datetime
    calendar_version: str = ""
    agency_id: int | None = None
    end_of_day: rules.EndOfDay = "office_close"

    def as_rule_promise(self) -> rules.Promise:
        return rules.Promise(
            self.key, self.received, self.value, self.unit, self.cutoff, self.due, self.end_of_day
        )


@dataclass(frozen=True)
class ImpactItem:
    promise: OpenPromise
    change: rules.DueChange
    old_version: str

    def as_json_dict(self) -> dict[str, Any]:
        return {
            "key": self.change.key,
            "agency_id": self.promise.agency_id,
            "received": self.change.received.isoformat(),
            "old_due": self.change.old_due.isoformat(),
            "new_due": self.change.new_due.isoformat(),
            "delta_seconds": int(self.change.delta / timedelta(seconds=1)),
            "old_calendar_version": self.old_version,
            "new_calendar_version": self.change.result.calendar_version,
        }


def _impact(version: CalendarVersion) -> tuple[list[ImpactItem], int]:
    scope = version.scope_agency
    promises = [p for answer in events.ask(OpenPromisesWanted(scope)) for p in answer]
    agency_ids = {p.agency_id for p in promises if p.agency_id is not None}
    paths = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "path"))
    new_ids = _ids_as_of(upto_number=version.number)
    old_ids = dict(new_ids)
    scope_id = scope.pk if scope is not None else None
    if version.parent_id is not None:
        old_ids[scope_id] = version.parent_id
    else:
        old_ids.pop(scope_id, None)
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[OpenPromise]] = defaultdict(list)
    label_keys: dict[str, tuple[int, ...] | None] = {}
    checked = 0
    for promise in promises:
        path = paths.get(promise.agency_id, "") if promise.agency_id is not None else ""
        if scope is not None and not path.startswith(scope.path):
            continue
        checked += 1
        new_key = _key(path, new_ids)
        old_key: tuple[int, ...] | None = None
        if promise.calendar_version:
            if promise.calendar_version not in label_keys:
                label_keys[promise.calendar_version] = _key_from_label(promise.calendar_version)
            old_key = label_keys[promise.calendar_version]
        if old_key is None:
            old_key = _key(path, old_ids) if None in old_ids else new_key
        groups[(old_key, new_key)].append(promise)
    items: list[ImpactItem] = []
    for (old_key, new_key), group in groups.items():
        if old_key == new_key:
            continue
        old, new = _build(old_key), _build(new_key)
        by_key = {p.key: p for p in group}
        changes = rules.changed_due_dates(old, new, [p.as_rule_promise() for p in group])
        items.extend(ImpactItem(by_key[c.key], c, old.version) for c in changes)
    items.sort(key=lambda item: (item.change.old_due, item.change.key))
    return items, checked


def impact_of(version: CalendarVersion) -> list[rules.DueChange]:
    """The promised due dates that ``version`` moves, and to what (regulations §4.4)."""
    return [item.change for item in _impact(version)[0]]


def record_impact(version_id: int) -> CalendarImpact:
    """Compute and store the impact of a version (run by the job; safe to run again)."""
    version = CalendarVersion.objects.select_related("scope_agency").get(pk=version_id)
    items, checked = _impact(version)
    impact, _ = CalendarImpact.objects.update_or_create(
        version=version,
        defaults={
            "computed_at": timezone.now(),
            "count": len(items),
            "checked": checked,
            "changes": [item.as_json_dict() for item in items],
        },
    )
    return impact


def versions_visible_to(user: Any) -> Any:
    """Official versions and the overrides of agencies in the user's scope."""
    from caicach.accounts.access import agency_filter

    return CalendarVersion.objects.filter(
        Q(scope_agency__isnull=True) | agency_filter(user, "calendars.view", "scope_agency")
    ).select_related("scope_agency", "impact")
