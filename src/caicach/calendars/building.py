"""The engine calendar of an agency, built from its calendar versions and cached (hot path of
dossier intake).

Versions never change once written, so the built :class:`~caicach.calendars.rules.WorkCalendar`
is cached in-process by the ids of the versions it is made of; a new version makes a new key, so
nothing needs invalidating but the small "which versions are current" lookup
(:func:`clear_cache`). The cache and that lookup live here and nowhere else.

**Years past the official calendar** (issue 16; Labour Code 2019 art. 111(3) and 112,
regulations §4.1 and §4.4): the engine (:mod:`.rules`, pure) counts whatever entries it is given
and flags ``provisional`` every due date whose counted range leaves the covered (official) years.
Here, below the official layer, each year after the official ones (up to the engine's margin) gets
the holidays the law fixes in advance (:func:`caicach.calendars.seed.art112_year`: 1/1, Tết and
the Hùng Kings' day by the lunar calendar, 30/4, 1/5, 2/9 and its adjacent day, with the days off
in lieu), so a date on 01/01/2027 or in Tết 2027 is skipped before the 2027 calendar is announced,
and is still marked provisional. An official or agency entry on the same date wins. When the
official calendar of such a year is entered, the dossiers recount those dates
(:mod:`caicach.dossiers.provisional`).
"""

from __future__ import annotations

import threading
import time as clock
from datetime import date, datetime, time
from typing import Any

from django.db import connection

from caicach.agencies.models import Agency
from caicach.calendars import rules
from caicach.calendars.errors import CalendarNotFoundError
from caicach.calendars.models import CalendarDay, CalendarVersion
from caicach.calendars.seed import art112_year

VN_TZ = rules.VN_TZ
DEFAULT_OFFICE_HOURS = [["07:30", "11:30"], ["13:30", "17:00"]]

# How long a process trusts its copy of "which versions are current" outside a transaction.
CURRENT_TTL_SECONDS = 2.0
_MAX_CACHED_CALENDARS = 256


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


def ids_as_of(
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


#: Years after the official ones that get the provisional art. 112 days (the engine's span).
PROVISIONAL_YEARS = 10


def provisional_entries(last_official_year: int) -> list[rules.DayEntry]:
    """The art. 112 days off of the years after ``last_official_year`` (see the module
    docstring), the lowest layer of every calendar."""
    return [
        entry
        for year in range(last_official_year + 1, last_official_year + PROVISIONAL_YEARS + 1)
        for entry in art112_year(year)
    ]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.split(".") if part]


def calendar_key(path: str, ids: dict[int | None, int]) -> tuple[int, ...]:
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


def build(key: tuple[int, ...]) -> rules.WorkCalendar:
    """The calendar made of the versions ``key`` names (see :func:`calendar_key`), cached."""
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
        provisional_entries(official.last_year) if official.last_year is not None else [],
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
        return build(calendar_key(path, ids_as_of(on=on)))
    ids = _current_ids()
    if None not in ids:
        # Imported here: changes build on this module; this branch runs once per database.
        from caicach.calendars.changes import ensure_official

        ensure_official()
        clear_cache()
        ids = _current_ids()
    try:
        return build(calendar_key(path, ids))
    except _StaleVersionsError:
        clear_cache()
        return build(calendar_key(path, _current_ids()))


def key_from_label(label: str) -> tuple[int, ...] | None:
    """The versions a label names (``official-2025.3+...``); ``None`` if one is gone."""
    # Not cached: a label can come back after a rolled-back change (numbers are max + 1).
    parts = [part for part in label.split("+") if part]
    found = dict(CalendarVersion.objects.filter(label__in=parts).values_list("label", "id"))
    if not parts or len(found) != len(set(parts)):
        return None
    return tuple(found[part] for part in parts)


def calendar_from_label(label: str) -> rules.WorkCalendar:
    """Rebuild the calendar a stored due date was computed with, from its version label."""
    key = key_from_label(label)
    if key is None:
        raise CalendarNotFoundError(
            f"Không có phiên bản lịch {label}.", f"No calendar version {label}."
        )
    return build(key)


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
