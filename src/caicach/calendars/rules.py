"""The pure working-day calendar engine: due dates, working time, explanations.

No Django and no I/O apart from reading the shipped JSON data. Every function takes and returns
*aware* datetimes (a naive one raises :class:`ValueError`); results are in Asia/Ho_Chi_Minh
(+07:00, no daylight saving since 1975).

Rules implemented (see ``docs/regulations.md`` §2.4 and §4):

* Labour Code 2019 art. 112: public holidays; art. 112(3): the Prime Minister fixes the Tết and
  National Day days each year; art. 111(3): a holiday on a weekly rest day gives a day off in
  lieu (*nghỉ bù*) on the next working day. Official swaps (*hoán đổi ngày làm việc*): a weekday
  off in exchange for a worked Saturday. All of this is *data* (:class:`DayEntry`), never code.
* Civil Code 2015 art. 147: the first day (the receipt day) is not counted; art. 148(5): a period
  whose last day is a non-working day ends at the end of the next working day; art. 148(6): the
  last day ends at 24:00.
* NĐ 61/2018 art. 18 and the per-procedure plans: a dossier received after the cut-off (15:00 by
  default) counts as received on the next working day.

Decisions (documented once here, repeated where they apply):

* **Cut-off boundary.** A receipt *at or before* the cut-off (``15:00:00.000000``) counts on that
  day; anything strictly later (``15:00:00.000001``) counts on the next working day. A receipt on
  a non-working day always counts on the next working day; ``cutoff_applied`` is then ``False``
  and ``received_on_non_working_day`` is ``True``. ``cutoff=None`` disables the cut-off.
* **End of day.** By default a period in days ends at the *closing time of the last office-hours
  interval* (17:00) of its last day, which is when the desk can still return a result.
  ``end_of_day="midnight"`` follows art. 148(6) literally; 24:00 is represented as ``23:59:59`` of
  the last day (not 00:00 of the next day) so that the date on the slip is the legal last day.
* **Out of range.** A :class:`WorkCalendar` knows the *covered* years (the official data) and
  indexes a wider *span* (covered years ± ``margin_years``, 10 by default). Inside the span but
  outside the covered years the weekly rest days and whatever entries the caller gives for those
  years are skipped, and the result is flagged ``provisional=True`` (and says so in its
  explanation); a ``strict=True`` calendar raises :class:`CalendarRangeError` instead. Outside
  the span :class:`CalendarRangeError` is always raised. The engine stays pure: the Labour Code
  art. 112 days of the years not announced yet (1/1, Tết and the Hùng Kings' day by the lunar
  calendar, 30/4, 1/5, 2/9, days off in lieu; regulations §4.1, §4.4) are computed by
  :func:`caicach.calendars.seed.art112_year` and given as the lowest layer by
  :mod:`caicach.calendars.building`. ``provisional`` is ``True`` exactly when the counted range
  (the receipt day to the due day) leaves the covered years (:meth:`WorkCalendar.is_provisional`).
* **Working hours.** A due time that falls exactly on the end of an office-hours interval is
  reported at that end (e.g. 7.5 hours from Monday 07:30 is Monday 17:00, not Tuesday 07:30).

Performance: the calendar precomputes, over its span, a working-day flag per day, the cumulative
count of working days, and the sorted list of working-day ordinals, so "the Nth working day after
D" is two list lookups. Explanations (skipped days, worked weekends) are computed lazily.

Size (~1,480 lines): one engine in sections (day data, the calendar and its indexes, due results,
the three ways of counting, working time, changed promises, official data, year summaries). The
counting functions read the calendar's private precomputed indexes; kept in one module so that
those stay private to it and the whole engine is checked by mypy strict as one unit.

Why one module of ~1,500 lines: it is one engine. :class:`WorkCalendar`'s precomputed arrays,
the microsecond arithmetic (``_US_PER_*``, ``_time_us``) the due-date functions share with it, and
:class:`DueResult`, whose explanations read the calendar, make up most of it and would stay over
1,000 lines together; splitting them would only turn those private helpers into a cross-module
API. The loader and the year summary (~180 lines) could stand apart, but would not bring the
rest under the limit.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final, Literal, cast
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_CUTOFF",
    "OFFICIAL_DATA_PATH",
    "VN_TZ",
    "CalendarRangeError",
    "DayEntry",
    "DayKind",
    "DayStatus",
    "DueChange",
    "DueResult",
    "EndOfDay",
    "OfficeHours",
    "OfficialData",
    "Promise",
    "SkipReason",
    "SkippedDay",
    "TimeUnit",
    "WorkCalendar",
    "WorkedDay",
    "YearSummary",
    "calendar_from_entries",
    "changed_due_dates",
    "changed_working_dates",
    "compute_due",
    "due_in_calendar_days",
    "due_in_working_days",
    "due_in_working_hours",
    "elapsed_working_time",
    "load_official_data",
    "load_official_entries",
    "official_calendar",
    "remaining_working_time",
    "working_time_to_days",
    "year_summary",
]

VN_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_CUTOFF: Final = time(15, 0)
OFFICIAL_DATA_PATH: Final = Path(__file__).resolve().parent / "data" / "official_calendar.json"

_US_PER_SECOND: Final = 1_000_000
_US_PER_HOUR: Final = 3600 * _US_PER_SECOND
_US_PER_DAY: Final = 24 * _US_PER_HOUR
_LAST_SECOND: Final = time(23, 59, 59)

EndOfDay = Literal["office_close", "midnight"]


class CalendarRangeError(ValueError):
    """A date lies outside what the calendar can answer for (see the module docstring)."""


class DayKind(StrEnum):
    """Kinds of dated calendar entries (kept in step with ``models.DayKind``)."""

    TET = "tet"  # Tết days off (Labour Code art. 112(1)(b), days fixed by the PM)
    HOLIDAY = "holiday"  # public holiday (art. 112); may fall on a weekend (explanation only)
    IN_LIEU = "in_lieu"  # nghỉ bù: holiday fell on a weekly rest day (art. 111(3))
    SWAPPED_OFF = "swapped_off"  # weekday off in exchange for a worked weekend day
    WORKED_WEEKEND = "worked_weekend"  # hoán đổi: a Saturday/Sunday that is worked
    AGENCY_OFF = "agency_off"  # an agency's own extra day off
    AGENCY_WORKED = "agency_worked"  # an agency's own extra working day

    @property
    def is_working(self) -> bool:
        """Whether an entry of this kind makes its day a working day."""
        return self in _WORKING_KINDS


_WORKING_KINDS: Final = frozenset({DayKind.WORKED_WEEKEND, DayKind.AGENCY_WORKED})


class SkipReason(StrEnum):
    """Why a day was not counted as a working day."""

    WEEKEND = "weekend"
    TET = "tet"
    HOLIDAY = "holiday"
    IN_LIEU = "in_lieu"
    SWAPPED_OFF = "swapped_off"
    AGENCY_OFF = "agency_off"


class TimeUnit(StrEnum):
    """Unit of a statutory processing time (*thời hạn giải quyết*)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


#: Weekday names, Monday first, shared by every calendar module.
WEEKDAY_VI: Final = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_EN: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_NAMES: Final = {
    name: i
    for i, names in enumerate(
        zip(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
            strict=True,
        )
    )
    for name in names
}


def _day_vi(d: date) -> str:
    return f"{WEEKDAY_VI[d.weekday()]} {d:%d/%m/%Y}"


def _day_en(d: date) -> str:
    return f"{WEEKDAY_EN[d.weekday()]} {d:%d/%m/%Y}"


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def _detail(label: str, weekday_name: str) -> str:
    """The part of a skipped-day label after its weekday name, for an explanation line that
    already names the day: "Chủ nhật, trùng X" -> ": trùng X"; "Chủ nhật (…)" -> " (…)"."""
    if label.startswith(weekday_name + ", "):
        return ": " + label[len(weekday_name) + 2 :]
    if label.startswith(weekday_name + " ("):
        return label[len(weekday_name) :]
    return ": " + label


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayEntry:
    """One dated entry of a calendar: a day off, or a weekend day that is worked."""

    date: date
    kind: DayKind
    name_vi: str
    name_en: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DayKind):
            object.__setattr__(self, "kind", DayKind(self.kind))

    def as_json_dict(self) -> dict[str, str]:
        """The shape used in ``official_calendar.json``."""
        return {
            "date": self.date.isoformat(),
            "kind": self.kind.value,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "note": self.note,
        }


def _parse_hhmm(value: str | time) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Office-hours intervals of a working day, sorted and disjoint.

    The default (07:30–11:30, 13:30–17:00, 7.5 hours) is the usual schedule of a one-stop desk;
    agencies may have their own.
    """

    intervals: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )

    def __post_init__(self) -> None:
        ivs = tuple((_parse_hhmm(s), _parse_hhmm(e)) for s, e in self.intervals)
        if not ivs:
            raise ValueError("office hours need at least one interval")
        previous_end: time | None = None
        for start, end in ivs:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office hours are local wall-clock times without tzinfo")
            if not start < end:
                raise ValueError(f"office-hours interval {start}-{end} is empty or reversed")
            if previous_end is not None and start < previous_end:
                raise ValueError("office-hours intervals must be sorted and must not overlap")
            previous_end = end
        object.__setattr__(self, "intervals", ivs)

    @classmethod
    def from_strings(cls, intervals: Iterable[Sequence[str]]) -> OfficeHours:
        """Build from ``[["07:30", "11:30"], ["13:30", "17:00"]]`` (the JSON/model format)."""
        return cls(tuple((_parse_hhmm(s), _parse_hhmm(e)) for s, e in intervals))

    def to_strings(self) -> list[list[str]]:
        """The JSON/model format, ``[["07:30", "11:30"], ...]``."""
        return [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in self.intervals]

    @property
    def opening(self) -> time:
        return self.intervals[0][0]

    @property
    def closing(self) -> time:
        return self.intervals[-1][1]

    @property
    def day_length(self) -> timedelta:
        """Office time in one working day (7 h 30 min by default)."""
        return timedelta(microseconds=sum(_time_us(e) - _time_us(s) for s, e in self.intervals))

    def describe(self) -> str:
        return ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in self.intervals)


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _us_time(us: int) -> time:
    seconds, micro = divmod(us, _US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


@dataclass(frozen=True, slots=True)
class DayStatus:
    """What the calendar says about one date."""

    date: date
    is_working: bool
    reason: SkipReason | None  # why it is not a working day; None for a working day
    entry: DayEntry | None
    label_vi: str
    label_en: str
    provisional: bool  # outside the covered (official) years: weekends only


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A non-working day between the receipt and the due date, with the reason."""

    date: date
    reason: SkipReason
    label_vi: str
    label_en: str

    def as_json_dict(self) -> dict[str, str]:
        return {
            "date": self.date.isoformat(),
            "reason": self.reason.value,
            "label": self.label_vi,
            "label_en": self.label_en,
        }


@dataclass(frozen=True, slots=True)
class WorkedDay:
    """A weekend day (or agency day) that is worked and was counted as a working day."""

    date: date
    kind: DayKind
    label_vi: str
    label_en: str

    def as_json_dict(self) -> dict[str, str]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind.value,
            "label": self.label_vi,
            "label_en": self.label_en,
        }


# --------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------


class WorkCalendar:
    """A versioned working-day calendar with a precomputed index.

    ``entries`` holds one :class:`DayEntry` per date (a duplicate date raises ``ValueError``; use
    :func:`calendar_from_entries` to layer overrides). A day is a working day when it carries a
    working kind (``worked_weekend``, ``agency_worked``), or when it is not a weekly rest day and
    carries no non-working kind. Entries on weekend days with a non-working kind (a Sunday
    holiday, Tết falling on a Saturday) do not change anything but are named in explanations.

    ``years`` is the inclusive range of years the data covers (defaults to the entries' years).
    See the module docstring for the span, ``provisional`` results and ``strict``.
    """

    __slots__ = (
        "_close_cache",
        "_cov_hi",
        "_cov_lo",
        "_cum",
        "_day_us",
        "_entries",
        "_hi",
        "_intervals_us",
        "_lo",
        "_midnight_cache",
        "_open_cache",
        "_wk",
        "_working",
        "first_year",
        "last_year",
        "margin_years",
        "office_hours",
        "strict",
        "version",
        "weekend",
    )

    def __init__(
        self,
        entries: Iterable[DayEntry],
        *,
        version: str,
        years: tuple[int, int] | None = None,
        weekend: Iterable[int] = (5, 6),
        office_hours: OfficeHours | None = None,
        margin_years: int = 10,
        strict: bool = False,
    ) -> None:
        by_ordinal: dict[int, DayEntry] = {}
        for entry in entries:
            o = entry.date.toordinal()
            if o in by_ordinal:
                raise ValueError(f"two calendar entries for {entry.date.isoformat()}")
            by_ordinal[o] = entry
        self.version = version
        self.weekend = frozenset(weekend)
        if not self.weekend <= set(range(7)) or len(self.weekend) == 7:
            raise ValueError("weekend must be a proper subset of weekdays 0 (Mon) .. 6 (Sun)")
        self.office_hours = office_hours if office_hours is not None else OfficeHours()
        if years is None:
            if not by_ordinal:
                raise ValueError("an empty calendar needs an explicit years=(first, last)")
            entry_years = [e.date.year for e in by_ordinal.values()]
            years = (min(entry_years), max(entry_years))
        self.first_year, self.last_year = years
        if self.first_year > self.last_year:
            raise ValueError("years must be (first, last) with first <= last")
        if margin_years < 0:
            raise ValueError("margin_years must be >= 0")
        self.margin_years = margin_years
        self.strict = strict

        for entry in by_ordinal.values():
            is_weekend = entry.date.weekday() in self.weekend
            if entry.kind is DayKind.WORKED_WEEKEND and not is_weekend:
                raise ValueError(f"{entry.date}: worked_weekend must fall on a weekly rest day")
            if entry.kind in (DayKind.IN_LIEU, DayKind.SWAPPED_OFF) and is_weekend:
                raise ValueError(f"{entry.date}: {entry.kind.value} must fall on a weekday")
        self._entries = by_ordinal

        self._cov_lo = date(self.first_year, 1, 1).toordinal()
        self._cov_hi = date(self.last_year, 12, 31).toordinal()
        self._lo = date(max(1, self.first_year - margin_years), 1, 1).toordinal()
        self._hi = date(min(9999, self.last_year + margin_years), 12, 31).toordinal()
        for o, entry in by_ordinal.items():
            if not self._lo <= o <= self._hi:
                raise ValueError(f"{entry.date}: entry outside the calendar span")

        weekend_set = self.weekend
        working = bytearray(self._hi - self._lo + 1)
        cum: list[int] = []
        wk: list[int] = []
        count = 0
        weekday = date.fromordinal(self._lo).weekday()
        for o in range(self._lo, self._hi + 1):
            day = by_ordinal.get(o)
            # An entry decides by its kind; otherwise the weekly rest days decide.
            if day is not None:
                is_working = day.kind in _WORKING_KINDS
            else:
                is_working = weekday not in weekend_set
            if is_working:
                working[o - self._lo] = 1
                wk.append(o)
                count += 1
            cum.append(count)
            weekday = 0 if weekday == 6 else weekday + 1
        self._working = working
        self._cum = cum  # working days in [lo, o], inclusive, at index o - lo
        self._wk = wk  # sorted working-day ordinals
        self._intervals_us = tuple(
            (_time_us(s), _time_us(e)) for s, e in self.office_hours.intervals
        )
        self._day_us = sum(e - s for s, e in self._intervals_us)
        self._open_cache: dict[int, datetime] = {}
        self._close_cache: dict[int, datetime] = {}
        self._midnight_cache: dict[int, datetime] = {}

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(version={self.version!r}, years={self.first_year}-{self.last_year}, "
            f"entries={len(self._entries)})"
        )

    # -- basic queries -----------------------------------------------------------------------

    @property
    def entries(self) -> tuple[DayEntry, ...]:
        """All entries, sorted by date."""
        return tuple(self._entries[o] for o in sorted(self._entries))

    @property
    def day_length(self) -> timedelta:
        """Office time in one working day."""
        return timedelta(microseconds=self._day_us)

    @property
    def covered_range(self) -> tuple[date, date]:
        """First and last date of the official (covered) years."""
        return date.fromordinal(self._cov_lo), date.fromordinal(self._cov_hi)

    @property
    def span(self) -> tuple[date, date]:
        """First and last date the index can answer for at all."""
        return date.fromordinal(self._lo), date.fromordinal(self._hi)

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies in the covered (official) years."""
        return self._cov_lo <= d.toordinal() <= self._cov_hi

    def _offset(self, o: int) -> int:
        if not self._lo <= o <= self._hi:
            lo, hi = self.span
            raise CalendarRangeError(
                f"{date.fromordinal(o).isoformat()} is outside calendar {self.version!r} "
                f"(span {lo.isoformat()}..{hi.isoformat()})"
            )
        if self.strict and not self._cov_lo <= o <= self._cov_hi:
            raise CalendarRangeError(
                f"{date.fromordinal(o).isoformat()} is outside the official years "
                f"{self.first_year}-{self.last_year} of calendar {self.version!r}"
            )
        return o - self._lo

    def _wk_at(self, index: int) -> int:
        """The working-day ordinal of rank ``index`` (0-based), or CalendarRangeError."""
        if index < 0 or index >= len(self._wk):
            lo, hi = self.span
            raise CalendarRangeError(
                f"the result falls outside calendar {self.version!r} "
                f"(span {lo.isoformat()}..{hi.isoformat()})"
            )
        o = self._wk[index]
        if self.strict:
            self._offset(o)
        return o

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (Labour Code art. 111-112 and the official swaps)."""
        return bool(self._working[self._offset(d.toordinal())])

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        off = self._offset(d.toordinal())
        return date.fromordinal(self._wk_at(self._cum[off]))

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``d`` itself not counted, Civil Code art. 147).

        ``n == 0`` gives ``d`` when it is a working day, else the next working day. A negative
        ``n`` counts backwards: ``-1`` is the last working day strictly before ``d``.
        """
        off = self._offset(d.toordinal())
        if n > 0:
            return date.fromordinal(self._wk_at(self._cum[off] + n - 1))
        if n == 0:
            if self._working[off]:
                return d
            return date.fromordinal(self._wk_at(self._cum[off]))
        return date.fromordinal(self._wk_at(self._cum[off] - self._working[off] + n))

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b`` (negative when ``b < a``)."""
        oa, ob = a.toordinal(), b.toordinal()
        return self._cum[self._offset(ob)] - self._cum[self._offset(oa)]

    def entry(self, d: date) -> DayEntry | None:
        """The dated entry of ``d``, if any."""
        return self._entries.get(d.toordinal())

    def day_kind(self, d: date) -> DayKind | None:
        """The kind of the entry of ``d`` (``None`` for an ordinary weekday or weekend day)."""
        entry = self._entries.get(d.toordinal())
        return entry.kind if entry is not None else None

    def status(self, d: date) -> DayStatus:
        """Working status of ``d`` with its reason and labels."""
        o = d.toordinal()
        off = self._offset(o)
        entry = self._entries.get(o)
        provisional = not self._cov_lo <= o <= self._cov_hi
        if self._working[off]:
            if entry is not None and entry.kind in _WORKING_KINDS:
                return DayStatus(d, True, None, entry, entry.name_vi, entry.name_en, provisional)
            return DayStatus(d, True, None, entry, "Ngày làm việc", "Working day", provisional)
        reason, label_vi, label_en = self._skip_reason(d, entry)
        return DayStatus(d, False, reason, entry, label_vi, label_en, provisional)

    def _skip_reason(self, d: date, entry: DayEntry | None) -> tuple[SkipReason, str, str]:
        wd = d.weekday()
        if wd in self.weekend:
            if entry is None:
                return (
                    SkipReason.WEEKEND,
                    f"{WEEKDAY_VI[wd]} (nghỉ cuối tuần)",
                    f"{WEEKDAY_EN[wd]} (weekly rest day)",
                )
            if entry.kind is DayKind.TET:
                return (
                    SkipReason.WEEKEND,
                    f"{WEEKDAY_VI[wd]}, trong kỳ nghỉ {entry.name_vi}",
                    f"{WEEKDAY_EN[wd]}, within the {entry.name_en or entry.name_vi} break",
                )
            return (
                SkipReason.WEEKEND,
                f"{WEEKDAY_VI[wd]}, trùng {entry.name_vi}",
                f"{WEEKDAY_EN[wd]}, coincides with {entry.name_en or entry.name_vi}",
            )
        if entry is None:  # pragma: no cover - a weekday without an entry is a working day
            raise AssertionError(f"{d} is a weekday without an entry")
        return SkipReason(entry.kind.value), entry.name_vi, entry.name_en or entry.name_vi

    # -- instants ---------------------------------------------------------------------------

    def _open_at(self, o: int) -> datetime:
        dt = self._open_cache.get(o)
        if dt is None:
            dt = datetime.combine(date.fromordinal(o), self.office_hours.opening, VN_TZ)
            self._open_cache[o] = dt
        return dt

    def _close_at(self, o: int) -> datetime:
        dt = self._close_cache.get(o)
        if dt is None:
            dt = datetime.combine(date.fromordinal(o), self.office_hours.closing, VN_TZ)
            self._close_cache[o] = dt
        return dt

    def _midnight_end(self, o: int) -> datetime:
        dt = self._midnight_cache.get(o)
        if dt is None:
            dt = datetime.combine(date.fromordinal(o), _LAST_SECOND, VN_TZ)
            self._midnight_cache[o] = dt
        return dt

    def _at_us(self, o: int, us: int) -> datetime:
        return datetime.combine(date.fromordinal(o), _us_time(us), VN_TZ)

    def _position(self, t_us: int) -> int:
        """Office time elapsed in a working day up to time-of-day ``t_us``."""
        p = 0
        for s, e in self._intervals_us:
            if t_us <= s:
                break
            p += (t_us if t_us < e else e) - s
        return p

    def _time_at_position(self, rem: int) -> int:
        """Time of day at which ``rem`` (0 < rem <= day length) of office time is reached."""
        acc = 0
        for s, e in self._intervals_us:
            length = e - s
            if rem <= acc + length:
                return s + rem - acc
            acc += length
        raise AssertionError("position beyond the office day")  # pragma: no cover

    def _office_clock(self, local: datetime) -> int:
        """Office microseconds from the start of the span to ``local`` (a VN-local instant)."""
        off = self._offset(local.toordinal())
        w = self._working[off]
        before = (self._cum[off] - w) * self._day_us
        if not w:
            return before
        t_us = (
            (local.hour * 60 + local.minute) * 60 + local.second
        ) * _US_PER_SECOND + local.microsecond
        return before + self._position(t_us)

    def is_provisional(self, first: date, last: date) -> bool:
        """Whether a range of days (a receipt day to a due day) leaves the covered (official)
        years, so that a due date counted over it is provisional (module docstring)."""
        return self._is_provisional(first.toordinal(), last.toordinal())

    def _is_provisional(self, first_o: int, last_o: int) -> bool:
        return first_o < self._cov_lo or last_o > self._cov_hi


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueResult:
    """A computed due date with everything needed to explain it.

    ``skipped`` and ``worked_weekend_days`` are computed lazily (cached), so the hot path only
    pays for the date arithmetic.
    """

    due: datetime
    effective_received_on: date
    counting_starts_at: datetime
    cutoff_applied: bool
    received_on_non_working_day: bool
    calendar_version: str
    received: datetime
    value: int | float | Decimal
    unit: TimeUnit
    cutoff: time | None
    end_of_day: EndOfDay
    provisional: bool
    calendar: WorkCalendar = field(repr=False, compare=False)

    @cached_property
    def skipped(self) -> tuple[SkippedDay, ...]:
        """Every non-working day from the receipt day to the due date, with its reason."""
        cal = self.calendar
        out: list[SkippedDay] = []
        for o in range(self.received.toordinal(), self.due.toordinal() + 1):
            off = cal._offset(o)
            if not cal._working[off]:
                d = date.fromordinal(o)
                reason, vi, en = cal._skip_reason(d, cal._entries.get(o))
                out.append(SkippedDay(d, reason, vi, en))
        return tuple(out)

    @cached_property
    def worked_weekend_days(self) -> tuple[WorkedDay, ...]:
        """Worked weekend (or agency-worked) days from the receipt day to the due date."""
        cal = self.calendar
        out: list[WorkedDay] = []
        for o in range(self.received.toordinal(), self.due.toordinal() + 1):
            entry = cal._entries.get(o)
            if entry is not None and entry.kind in _WORKING_KINDS:
                out.append(WorkedDay(entry.date, entry.kind, entry.name_vi, entry.name_en))
        return tuple(out)

    @property
    def nominal_last_day(self) -> date | None:
        """For calendar days: the n-th day after the receipt, before art. 148(5) moves it."""
        if self.unit is not TimeUnit.CALENDAR_DAYS:
            return None
        return self.effective_received_on + timedelta(days=int(self.value))

    def _value_text(self) -> str:
        v = self.value
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def explain_vi(self) -> list[str]:
        """Human-readable explanation in Vietnamese, one line per fact."""
        r, eff, due = self.received, self.effective_received_on, self.due
        lines = [f"Nhận hồ sơ lúc {r:%H:%M} {lower_first(_day_vi(r.date()))}."]
        if self.received_on_non_working_day:
            _, label, _ = self.calendar._skip_reason(
                r.date(), self.calendar._entries.get(r.toordinal())
            )
            lines.append(
                f"Ngày nhận là ngày nghỉ ({lower_first(label)}): tính như nhận vào "
                f"{lower_first(_day_vi(eff))}, ngày làm việc tiếp theo (NĐ 61/2018, Điều 18)."
            )
        elif self.cutoff_applied and self.cutoff is not None:
            lines.append(
                f"Nhận sau giờ chốt {self.cutoff:%H:%M}: tính như nhận vào "
                f"{lower_first(_day_vi(eff))}, ngày làm việc tiếp theo (NĐ 61/2018, Điều 18)."
            )
        start = self.counting_starts_at
        value = self._value_text()
        due_text = f"{due:%H:%M} {lower_first(_day_vi(due.date()))}"
        if self.unit is TimeUnit.WORKING_DAYS:
            if self.value == 0:
                lines.append(f"Giải quyết trong ngày: hạn trả kết quả {due_text}.")
            else:
                lines.append(
                    "Không tính ngày nhận (Bộ luật Dân sự 2015, Điều 147); bắt đầu tính từ "
                    f"{start:%H:%M} {lower_first(_day_vi(start.date()))}."
                )
                lines.append(f"Thời hạn {value} ngày làm việc: hạn trả kết quả {due_text}.")
        elif self.unit is TimeUnit.WORKING_HOURS:
            lines.append(
                f"Chỉ tính giờ hành chính ({self.calendar.office_hours.describe()}) của ngày "
                f"làm việc, bắt đầu từ {start:%H:%M} {lower_first(_day_vi(start.date()))}."
            )
            lines.append(f"Thời hạn {value} giờ làm việc: hạn trả kết quả {due_text}.")
        else:
            nominal = self.nominal_last_day
            assert nominal is not None
            lines.append(
                "Không tính ngày nhận (Bộ luật Dân sự 2015, Điều 147); ngày cuối của "
                f"{value} ngày là {lower_first(_day_vi(nominal))}."
            )
            if nominal != due.date():
                lines.append(
                    "Ngày cuối là ngày nghỉ: thời hạn kết thúc vào cuối ngày làm việc tiếp theo "
                    "(Điều 148 khoản 5)."
                )
            lines.append(f"Thời hạn {value} ngày: hạn trả kết quả {due_text}.")
        if self.end_of_day == "midnight" and self.unit is not TimeUnit.WORKING_HOURS:
            lines.append("Ngày cuối kết thúc lúc 24:00 (Điều 148 khoản 6), ghi là 23:59:59.")
        lines.extend(
            f"Không tính {lower_first(_day_vi(s.date))}"
            f"{_detail(s.label_vi, WEEKDAY_VI[s.date.weekday()])}."
            for s in self.skipped
        )
        lines.extend(
            f"Có tính {lower_first(_day_vi(w.date))} (ngày làm bù): {w.label_vi}."
            for w in self.worked_weekend_days
        )
        if self.provisional:
            lines.append(
                "Lưu ý: vượt ra ngoài lịch chính thức "
                f"({self.calendar.first_year}–{self.calendar.last_year}); lịch nghỉ của năm "
                "sau đó chưa được công bố chính thức, chỉ trừ ngày nghỉ cuối tuần và các ngày "
                "lễ theo Bộ luật Lao động điều 112, hạn trả là tạm tính."
            )
        lines.append(f"Phiên bản lịch: {self.calendar_version}.")
        return lines

    def explain_en(self) -> list[str]:
        """Human-readable explanation in English, one line per fact."""
        r, eff, due = self.received, self.effective_received_on, self.due
        lines = [f"Received at {r:%H:%M} on {_day_en(r.date())}."]
        if self.received_on_non_working_day:
            _, _, label = self.calendar._skip_reason(
                r.date(), self.calendar._entries.get(r.toordinal())
            )
            lines.append(
                f"Received on a non-working day ({label}): counts as received on "
                f"{_day_en(eff)}, the next working day (Decree 61/2018, art. 18)."
            )
        elif self.cutoff_applied and self.cutoff is not None:
            lines.append(
                f"Received after the {self.cutoff:%H:%M} cut-off: counts as received on "
                f"{_day_en(eff)}, the next working day (Decree 61/2018, art. 18)."
            )
        start = self.counting_starts_at
        value = self._value_text()
        due_text = f"{due:%H:%M} on {_day_en(due.date())}"
        if self.unit is TimeUnit.WORKING_DAYS:
            if self.value == 0:
                lines.append(f"Same-day procedure: due at {due_text}.")
            else:
                lines.append(
                    "The receipt day is not counted (Civil Code 2015, art. 147); counting starts "
                    f"at {start:%H:%M} on {_day_en(start.date())}."
                )
                lines.append(f"{value} working day(s): due at {due_text}.")
        elif self.unit is TimeUnit.WORKING_HOURS:
            lines.append(
                f"Only office hours ({self.calendar.office_hours.describe()}) of working days "
                f"count, starting at {start:%H:%M} on {_day_en(start.date())}."
            )
            lines.append(f"{value} working hour(s): due at {due_text}.")
        else:
            nominal = self.nominal_last_day
            assert nominal is not None
            lines.append(
                "The receipt day is not counted (Civil Code 2015, art. 147); day "
                f"{value} is {_day_en(nominal)}."
            )
            if nominal != due.date():
                lines.append(
                    "The last day is a non-working day: the period ends at the end of the next "
                    "working day (art. 148(5))."
                )
            lines.append(f"{value} calendar day(s): due at {due_text}.")
        if self.end_of_day == "midnight" and self.unit is not TimeUnit.WORKING_HOURS:
            lines.append("The last day ends at 24:00 (art. 148(6)), recorded as 23:59:59.")
        lines.extend(
            f"Not counted: {_day_en(s.date)}{_detail(s.label_en, WEEKDAY_EN[s.date.weekday()])}."
            for s in self.skipped
        )
        lines.extend(
            f"Counted as a working day: {_day_en(w.date)}: {w.label_en}."
            for w in self.worked_weekend_days
        )
        if self.provisional:
            lines.append(
                "Warning: beyond the official calendar "
                f"({self.calendar.first_year}-{self.calendar.last_year}); the later days off "
                "are not officially announced yet, only weekly rest days and the Labour Code "
                "art. 112 holidays were skipped, so the due date is provisional."
            )
        lines.append(f"Calendar version: {self.calendar_version}.")
        return lines

    def as_json_dict(self) -> dict[str, Any]:
        """JSON-ready summary; instants are ISO 8601 with ``+07:00``."""
        value: int | str = self.value if isinstance(self.value, int) else self._value_text()
        return {
            "due": self.due.isoformat(),
            "received": self.received.isoformat(),
            "effective_received_on": self.effective_received_on.isoformat(),
            "counting_starts_at": self.counting_starts_at.isoformat(),
            "value": value,
            "unit": self.unit.value,
            "cutoff": self.cutoff.strftime("%H:%M:%S") if self.cutoff is not None else None,
            "cutoff_applied": self.cutoff_applied,
            "received_on_non_working_day": self.received_on_non_working_day,
            "end_of_day": self.end_of_day,
            "provisional": self.provisional,
            "skipped": [s.as_json_dict() for s in self.skipped],
            "worked_weekend_days": [w.as_json_dict() for w in self.worked_weekend_days],
            "calendar_version": self.calendar_version,
        }


# --------------------------------------------------------------------------------------------
# Due-date functions
# --------------------------------------------------------------------------------------------


def _to_local(dt: datetime) -> datetime:
    """``dt`` in Asia/Ho_Chi_Minh; a naive datetime raises ``ValueError``."""
    tz = dt.tzinfo
    if tz is VN_TZ:
        return dt
    if tz is None or tz.utcoffset(dt) is None:
        raise ValueError(f"naive datetime {dt.isoformat()}: pass an aware datetime")
    return dt.astimezone(VN_TZ)


def _check_end_of_day(end_of_day: str) -> None:
    if end_of_day != "office_close" and end_of_day != "midnight":
        raise ValueError(f"end_of_day must be 'office_close' or 'midnight', not {end_of_day!r}")


def _effective(
    cal: WorkCalendar, local: datetime, cutoff: time | None
) -> tuple[int, int, bool, bool]:
    """(receipt ordinal, effective receipt ordinal, cutoff_applied, on_non_working_day)."""
    o = local.toordinal()
    off = cal._offset(o)
    if cal._working[off]:
        if cutoff is not None and local.time() > cutoff:
            return o, cal._wk_at(cal._cum[off]), True, False
        return o, o, False, False
    return o, cal._wk_at(cal._cum[off]), False, True


def due_in_working_days(
    received: datetime,
    n: int,
    calendar: WorkCalendar,
    cutoff: time | None = DEFAULT_CUTOFF,
    *,
    end_of_day: EndOfDay = "office_close",
) -> DueResult:
    """Due date of a period of ``n`` working days.

    * Civil Code 2015 art. 147: the receipt day is not counted; counting starts on the next
      working day, and the period ends at the end of the ``n``-th working day after it.
    * NĐ 61/2018 art. 18 and the per-procedure cut-off (regulations §2.4): a receipt strictly
      after ``cutoff`` (15:00 by default; at 15:00:00 exactly still counts the same day), or on a
      non-working day, counts as received on the next working day.
    * End of the day: the closing time of the last office-hours interval (17:00) by default;
      ``end_of_day="midnight"`` follows art. 148(6) (24:00), represented as 23:59:59.
    * ``n == 0``: a same-day procedure, due at the end of the effective receipt day.

    ``counting_starts_at`` is the opening of the first counted working day, so that
    ``elapsed_working_time(counting_starts_at, due) == n * day_length``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    cal = calendar
    # Hot path: inlined _to_local/_effective, two list lookups for the n-th working day.
    tz = received.tzinfo
    if tz is VN_TZ:
        local = received
    elif tz is None or tz.utcoffset(received) is None:
        raise ValueError(f"naive datetime {received.isoformat()}: pass an aware datetime")
    else:
        local = received.astimezone(VN_TZ)
    o = local.toordinal()
    off = o - cal._lo
    if off < 0 or o > cal._hi or cal.strict:
        off = cal._offset(o)
    cum = cal._cum
    wk = cal._wk
    late = False
    non_working = False
    try:
        if cal._working[off]:
            if cutoff is not None and local.time() > cutoff:
                late = True
                eff = wk[cum[off]]
            else:
                eff = o
        else:
            non_working = True
            eff = wk[cum[off]]
        if n:
            start_o = wk[cum[eff - cal._lo]]
            due_o = wk[cum[eff - cal._lo] + n - 1]
        else:
            start_o = due_o = eff
    except IndexError:
        raise CalendarRangeError(
            f"the due date falls outside calendar {cal.version!r} (span "
            f"{cal.span[0].isoformat()}..{cal.span[1].isoformat()})"
        ) from None
    provisional = o < cal._cov_lo or due_o > cal._cov_hi
    if provisional and cal.strict:
        cal._offset(due_o)
    if end_of_day == "office_close":
        due = cal._close_cache.get(due_o) or cal._close_at(due_o)
    else:
        _check_end_of_day(end_of_day)
        due = cal._midnight_end(due_o)
    return DueResult(
        due,
        date.fromordinal(eff),
        cal._open_cache.get(start_o) or cal._open_at(start_o),
        late,
        non_working,
        cal.version,
        local,
        n,
        TimeUnit.WORKING_DAYS,
        cutoff,
        end_of_day,
        provisional,
        cal,
    )


def _hours_us(hours: int | float | Decimal | timedelta) -> int:
    if isinstance(hours, timedelta):
        us = hours // timedelta(microseconds=1)
    elif isinstance(hours, Decimal):
        us = int((hours * _US_PER_HOUR).to_integral_value(ROUND_HALF_EVEN))
    elif isinstance(hours, int):
        us = hours * _US_PER_HOUR
    else:
        us = round(hours * _US_PER_HOUR)
    if us < 0:
        raise ValueError("hours must be >= 0")
    return us


def due_in_working_hours(
    received: datetime,
    hours: int | float | Decimal | timedelta,
    calendar: WorkCalendar,
    cutoff: time | None = DEFAULT_CUTOFF,
) -> DueResult:
    """Due instant of a period in working hours (*giờ làm việc*).

    Only office-hours time of working days counts. Counting starts at the receipt instant when
    it is inside office hours on a working day and not after the cut-off (NĐ 61/2018 art. 18;
    regulations §2.4); a receipt during the lunch break starts at the next interval (13:30);
    before opening it starts at opening; after the cut-off, after closing, or on a non-working
    day it starts at the next working day's opening. Fractional hours are accepted (``Decimal``,
    ``float`` or ``timedelta``; microsecond resolution). A due instant landing exactly on the end
    of an interval is reported at that end (11:30 or 17:00), not at the next opening.
    """
    cal = calendar
    local = _to_local(received)
    total = _hours_us(hours)
    o = local.toordinal()
    off = cal._offset(o)
    t_us = (
        (local.hour * 60 + local.minute) * 60 + local.second
    ) * _US_PER_SECOND + local.microsecond
    late = False
    non_working = False
    start_us: int | None = None
    if not cal._working[off]:
        non_working = True
    elif cutoff is not None and local.time() > cutoff:
        late = True
    else:
        for s, e in cal._intervals_us:
            if t_us < e:
                start_us = t_us if t_us > s else s
                break
    if start_us is None:
        start_o = cal._wk_at(cal._cum[off])
        start_us = cal._intervals_us[0][0]
    else:
        start_o = o
    start_at = cal._at_us(start_o, start_us)
    if total == 0:
        due_o, due = start_o, start_at
    else:
        pos = cal._position(start_us) + total
        days, rem = divmod(pos, cal._day_us)
        if rem == 0:
            days -= 1
            rem = cal._day_us
        start_rank = cal._cum[cal._offset(start_o)] - 1
        due_o = cal._wk_at(start_rank + days)
        due = cal._at_us(due_o, cal._time_at_position(rem))
    return DueResult(
        due,
        date.fromordinal(start_o),
        start_at,
        late,
        non_working,
        cal.version,
        local,
        hours if not isinstance(hours, timedelta) else Decimal(total) / _US_PER_HOUR,
        TimeUnit.WORKING_HOURS,
        cutoff,
        "office_close",
        cal._is_provisional(o, due_o),
        cal,
    )


def due_in_calendar_days(
    received: datetime,
    n: int,
    calendar: WorkCalendar,
    cutoff: time | None = DEFAULT_CUTOFF,
    *,
    end_of_day: EndOfDay = "office_close",
) -> DueResult:
    """Due date of a period of ``n`` calendar days.

    * Civil Code 2015 art. 147: the receipt day is not counted; day 1 is the next calendar day.
    * Art. 148(5): when the ``n``-th day is a weekend day or holiday, the period ends at the end
      of the next working day.
    * The receipt day itself follows the same rule as for working days (NĐ 61/2018 art. 18,
      regulations §2.4): after the cut-off or on a non-working day the dossier counts as received
      on the next working day, and calendar days are counted from there.
    * End of day: see :func:`due_in_working_days` (office close, or art. 148(6) 24:00 as 23:59:59).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    _check_end_of_day(end_of_day)
    cal = calendar
    local = _to_local(received)
    o, eff, late, non_working = _effective(cal, local, cutoff)
    last = eff + n
    off = cal._offset(last)
    if not cal._working[off]:
        last = cal._wk_at(cal._cum[off])
    # Counting starts at 00:00 of the day after the (effective) receipt day (art. 147).
    start = datetime.combine(date.fromordinal(eff + 1), time(0), VN_TZ) if n else cal._open_at(eff)
    due = cal._close_at(last) if end_of_day == "office_close" else cal._midnight_end(last)
    return DueResult(
        due,
        date.fromordinal(eff),
        start,
        late,
        non_working,
        cal.version,
        local,
        n,
        TimeUnit.CALENDAR_DAYS,
        cutoff,
        end_of_day,
        cal._is_provisional(o, last),
        cal,
    )


def _whole(value: int | float | Decimal, unit: TimeUnit) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise ValueError(f"{unit.value} needs a whole number, not {value!r}")


def compute_due(
    received: datetime,
    value: int | float | Decimal,
    unit: TimeUnit | str,
    calendar: WorkCalendar,
    cutoff: time | None = DEFAULT_CUTOFF,
    *,
    end_of_day: EndOfDay = "office_close",
) -> DueResult:
    """Dispatch on the unit of the statutory time: working days, working hours, calendar days.

    See :func:`due_in_working_days` (art. 147), :func:`due_in_working_hours` and
    :func:`due_in_calendar_days` (art. 147, 148(5)). ``end_of_day`` is ignored for hours.
    """
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_DAYS:
        return due_in_working_days(
            received, _whole(value, unit), calendar, cutoff, end_of_day=end_of_day
        )
    if unit is TimeUnit.WORKING_HOURS:
        return due_in_working_hours(received, value, calendar, cutoff)
    return due_in_calendar_days(
        received, _whole(value, unit), calendar, cutoff, end_of_day=end_of_day
    )


# --------------------------------------------------------------------------------------------
# Working time
# --------------------------------------------------------------------------------------------


def elapsed_working_time(start: datetime, end: datetime, calendar: WorkCalendar) -> timedelta:
    """Office-hours time of working days between two instants (regulations §2.4, TT 01/2018
    art. 13: time taken is compared in the unit of the procedure).

    ``end < start`` raises ``ValueError`` (a reversed clock segment is a bug in the caller; use
    :func:`remaining_working_time` for signed values). ``end == start`` gives zero.
    """
    a, b = _to_local(start), _to_local(end)
    if b < a:
        raise ValueError("end is before start; use remaining_working_time for signed values")
    return timedelta(microseconds=calendar._office_clock(b) - calendar._office_clock(a))


def remaining_working_time(now: datetime, due: datetime, calendar: WorkCalendar) -> timedelta:
    """Office-hours time left until ``due``; **negative** when overdue (the office time elapsed
    since ``due``), zero when due exactly now or when only non-office time is left."""
    a, b = _to_local(now), _to_local(due)
    return timedelta(microseconds=calendar._office_clock(b) - calendar._office_clock(a))


def working_time_to_days(
    td: timedelta, calendar: WorkCalendar, places: int | None = None
) -> Decimal:
    """Convert office time to working days using the length of the office day (7.5 h by
    default), e.g. for 766 indicator 2.2 (average processing time in the unit of the TTHC).
    ``places`` rounds half-even; ``None`` keeps full decimal precision."""
    us = td // timedelta(microseconds=1)
    days = Decimal(us) / Decimal(calendar._day_us)
    if places is not None:
        days = days.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return days


# --------------------------------------------------------------------------------------------
# Late amendments
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Promise:
    """A stored promised due date (*ngày hẹn trả*) and the inputs it was computed from."""

    key: str
    received: datetime
    value: int | float | Decimal
    unit: TimeUnit | str
    cutoff: time | None
    due: datetime
    end_of_day: EndOfDay = "office_close"


@dataclass(frozen=True, slots=True)
class DueChange:
    """A promise whose due date moves under the new calendar."""

    key: str
    received: datetime
    old_due: datetime
    new_due: datetime
    result: DueResult

    @property
    def delta(self) -> timedelta:
        return self.new_due - self.old_due


def changed_working_dates(old: WorkCalendar, new: WorkCalendar) -> list[date] | None:
    """Dates whose working status differs between two calendars, sorted.

    Compared over the intersection of the two spans. ``None`` means "everything may differ"
    (different office hours or weekly rest days), so every promise must be recomputed.
    """
    if old._intervals_us != new._intervals_us or old.weekend != new.weekend:
        return None
    return [date.fromordinal(o) for o in _changed_ordinals(old, new)]


def _changed_ordinals(old: WorkCalendar, new: WorkCalendar) -> list[int]:
    lo, hi = max(old._lo, new._lo), min(old._hi, new._hi)
    wo, wn = old._working, new._working
    so, sn = lo - old._lo, lo - new._lo
    return [lo + i for i in range(hi - lo + 1) if wo[so + i] != wn[sn + i]]


def changed_due_dates(
    old: WorkCalendar, new: WorkCalendar, promises: Iterable[Promise]
) -> list[DueChange]:
    """Promises whose due date differs under ``new`` (regulations §4.4: a holiday announced late,
    such as 24/11, moves due dates already promised).

    The dates whose working status changed are computed once; a promise is recomputed only when
    one of them lies between its receipt day and its stored due date (inclusive), found by one
    bisection. ``promise.due`` is assumed to have been computed with ``old``. When office hours or
    weekly rest days differ, every promise is recomputed.
    """
    all_changed = old._intervals_us != new._intervals_us or old.weekend != new.weekend
    changed = [] if all_changed else _changed_ordinals(old, new)
    if not all_changed and not changed:
        return []
    out: list[DueChange] = []
    for p in promises:
        if not all_changed:
            r_o = _to_local(p.received).toordinal()
            d_o = _to_local(p.due).toordinal()
            i = bisect_left(changed, r_o)
            if i == len(changed) or changed[i] > d_o:
                continue
        result = compute_due(p.received, p.value, p.unit, new, p.cutoff, end_of_day=p.end_of_day)
        if result.due != p.due:
            out.append(DueChange(p.key, result.received, _to_local(p.due), result.due, result))
    return out


# --------------------------------------------------------------------------------------------
# Loading and building
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfficialData:
    """The parsed ``official_calendar.json``."""

    version: str
    timezone: str
    years: tuple[int, int]
    sources: Mapping[int, str]
    weekend: frozenset[int]
    office_hours: OfficeHours
    entries: tuple[DayEntry, ...]


def _parse_weekend(values: Iterable[str | int]) -> frozenset[int]:
    out: set[int] = set()
    for v in values:
        if isinstance(v, int):
            out.add(v)
        else:
            out.add(_WEEKDAY_NAMES[v.strip().lower()])
    return frozenset(out)


def _entry_from_json(raw: Mapping[str, Any]) -> DayEntry:
    return DayEntry(
        date=date.fromisoformat(str(raw["date"])),
        kind=DayKind(str(raw["kind"])),
        name_vi=str(raw["name_vi"]),
        name_en=str(raw.get("name_en", "")),
        note=str(raw.get("note", "")),
    )


def load_official_data(path: str | Path | None = None) -> OfficialData:
    """Read and validate the official calendar JSON (default: the shipped data file)."""
    p = Path(path) if path is not None else OFFICIAL_DATA_PATH
    raw = cast(dict[str, Any], json.loads(p.read_text(encoding="utf-8")))
    if raw.get("timezone", "Asia/Ho_Chi_Minh") != "Asia/Ho_Chi_Minh":
        raise ValueError(f"{p}: only Asia/Ho_Chi_Minh is supported")
    entries: list[DayEntry] = []
    sources: dict[int, str] = {}
    years_raw = cast(dict[str, Any], raw["years"])
    for year_text, block in years_raw.items():
        year = int(year_text)
        sources[year] = str(block.get("source", ""))
        for item in block["days"]:
            entry = _entry_from_json(item)
            if entry.date.year != year:
                raise ValueError(f"{p}: {entry.date} listed under year {year}")
            entries.append(entry)
    years = sorted(sources)
    if not years:
        raise ValueError(f"{p}: no years")
    if years != list(range(years[0], years[-1] + 1)):
        raise ValueError(f"{p}: the years must be contiguous, got {years}")
    entries.sort(key=lambda e: e.date)
    return OfficialData(
        version=str(raw["version"]),
        timezone=str(raw.get("timezone", "Asia/Ho_Chi_Minh")),
        years=(years[0], years[-1]),
        sources=sources,
        weekend=_parse_weekend(raw.get("weekend", ["saturday", "sunday"])),
        office_hours=OfficeHours.from_strings(
            raw.get("office_hours", [["07:30", "11:30"], ["13:30", "17:00"]])
        ),
        entries=tuple(entries),
    )


def load_official_entries(path: str | Path | None = None) -> list[DayEntry]:
    """The dated entries of the official calendar JSON, sorted by date."""
    return list(load_official_data(path).entries)


def calendar_from_entries(
    base: Iterable[DayEntry],
    *overrides: Iterable[DayEntry],
    version: str,
    years: tuple[int, int] | None = None,
    weekend: Iterable[int] = (5, 6),
    office_hours: OfficeHours | None = None,
    margin_years: int = 10,
    strict: bool = False,
) -> WorkCalendar:
    """Merge the base (official) entries with override layers (e.g. an agency's own days off or
    worked days, then a sub-unit's): for the same date the **last** layer wins.

    ``years`` defaults to the years of the *base* entries (overrides do not extend coverage).
    """
    merged: dict[date, DayEntry] = {}
    base_years: list[int] = []
    for entry in base:
        merged[entry.date] = entry
        base_years.append(entry.date.year)
    for layer in overrides:
        for entry in layer:
            merged[entry.date] = entry
    if years is None and base_years:
        years = (min(base_years), max(base_years))
    return WorkCalendar(
        merged.values(),
        version=version,
        years=years,
        weekend=weekend,
        office_hours=office_hours,
        margin_years=margin_years,
        strict=strict,
    )


@lru_cache(maxsize=8)
def _official_calendar_cached(version: str | None, path: str | None, strict: bool) -> WorkCalendar:
    data = load_official_data(path)
    return WorkCalendar(
        data.entries,
        version=version if version is not None else data.version,
        years=data.years,
        weekend=data.weekend,
        office_hours=data.office_hours,
        strict=strict,
    )


def official_calendar(
    version: str | None = None, path: str | Path | None = None, *, strict: bool = False
) -> WorkCalendar:
    """The shipped official calendar (2024-2026, regulations §4.4) as a :class:`WorkCalendar`.

    ``version`` overrides the label stored in the file (``"official-2026.1"``). Cached: the
    calendar is read-only, so one instance is shared.
    """
    return _official_calendar_cached(version, str(path) if path is not None else None, strict)


# --------------------------------------------------------------------------------------------
# Year summary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearSummary:
    """A year at a glance (``caicach calendar show 2026``)."""

    year: int
    calendar_version: str
    days_off: tuple[DayStatus, ...]  # non-working weekdays
    worked_weekend_days: tuple[DayStatus, ...]  # weekly rest days that are worked
    weekend_holidays: tuple[DayStatus, ...]  # holidays / Tết days falling on a rest day
    working_days: int
    provisional: bool


def year_summary(calendar: WorkCalendar, year: int) -> YearSummary:
    """Non-working weekdays and worked weekend days of ``year``, sorted, with labels (Labour Code
    art. 111-112 and the official swaps; regulations §4.4). A year outside the calendar's span
    (even one ``date`` cannot hold, e.g. from a URL) is a :class:`CalendarRangeError`."""
    lo, hi = calendar.span
    if not lo.year <= year <= hi.year:
        raise CalendarRangeError(
            f"year {year} is outside calendar {calendar.version!r} "
            f"(span {lo.isoformat()}..{hi.isoformat()})"
        )
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    days_off: list[DayStatus] = []
    worked: list[DayStatus] = []
    weekend_holidays: list[DayStatus] = []
    for o in range(first, last + 1):
        d = date.fromordinal(o)
        is_rest = d.weekday() in calendar.weekend
        st = calendar.status(d)
        if st.is_working and is_rest:
            worked.append(st)
        elif not st.is_working and not is_rest:
            days_off.append(st)
        elif not st.is_working and st.entry is not None:
            weekend_holidays.append(st)
    off_first, off_last = calendar._offset(first), calendar._offset(last)
    count = calendar._cum[off_last] - calendar._cum[off_first] + calendar._working[off_first]
    return YearSummary(
        year=year,
        calendar_version=calendar.version,
        days_off=tuple(days_off),
        worked_weekend_days=tuple(worked),
        weekend_holidays=tuple(weekend_holidays),
        working_days=count,
        provisional=not calendar.covers(date(year, 1, 1)),
    )
