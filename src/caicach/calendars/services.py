"""The calendar app's service API: what pages, the API, the command and other apps call.

Each function lives in the module that owns the rule (one job per module):

==============  ===================================================================================
``rules``       the working-day engine (pure): counting, explanations, the shipped official data
``building``    :func:`calendar_for` an agency, built from its versions and cached (hot path)
``calculator``  the due-date calculator's inputs, :func:`compute_due`, the JSON of results
``changes``     versioned and audited amendments, announced as ``CalendarAmended``
``validation``  what an amendment must satisfy: who may make it, a day's kind and date, hours
``impact``      the promised due dates an amendment moves (regulations §4.4)
``display``     weekdays and instants in both languages, the year page's month grids
``errors``      :class:`CalendarInputError` (400, per field) and :class:`CalendarNotFoundError`
==============  ===================================================================================

Tests that reach the cache (its ``connection``, ``_current``) patch :mod:`.building`.
"""

from __future__ import annotations

from caicach.calendars.building import (
    CURRENT_TTL_SECONDS,
    DEFAULT_OFFICE_HOURS,
    VN_TZ,
    agency_by_code,
    calendar_for,
    calendar_for_path,
    calendar_from_label,
    clear_cache,
    current_version,
)
from caicach.calendars.calculator import (
    DEFAULT_CUTOFF,
    MAX_VALUE,
    UNITS,
    DueQuery,
    compute_due,
    due_as_json,
    parse_cutoff,
    parse_due_query,
    parse_received,
    parse_unit,
    parse_value,
    summary_as_json,
    year_summary,
)
from caicach.calendars.changes import (
    add_day,
    load_official_calendar,
    remove_day,
    set_office_hours,
    set_official_years,
    update_day,
    versions_visible_to,
)
from caicach.calendars.display import (
    format_instant_en,
    format_instant_vi,
    weekday_en,
    weekday_vi,
)
from caicach.calendars.errors import CalendarInputError, CalendarNotFoundError
from caicach.calendars.impact import ImpactItem, OpenPromise, impact_of, record_impact
from caicach.calendars.validation import may_change_official, parse_office_hours

__all__ = [
    "CURRENT_TTL_SECONDS",
    "DEFAULT_CUTOFF",
    "DEFAULT_OFFICE_HOURS",
    "MAX_VALUE",
    "UNITS",
    "VN_TZ",
    "CalendarInputError",
    "CalendarNotFoundError",
    "DueQuery",
    "ImpactItem",
    "OpenPromise",
    "add_day",
    "agency_by_code",
    "calendar_for",
    "calendar_for_path",
    "calendar_from_label",
    "clear_cache",
    "compute_due",
    "current_version",
    "due_as_json",
    "format_instant_en",
    "format_instant_vi",
    "impact_of",
    "load_official_calendar",
    "may_change_official",
    "parse_cutoff",
    "parse_due_query",
    "parse_office_hours",
    "parse_received",
    "parse_unit",
    "parse_value",
    "record_impact",
    "remove_day",
    "set_office_hours",
    "set_official_years",
    "summary_as_json",
    "update_day",
    "versions_visible_to",
    "weekday_en",
    "weekday_vi",
    "year_summary",
]
