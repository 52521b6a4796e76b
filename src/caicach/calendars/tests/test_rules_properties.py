"""Property-based tests of the working-day engine (hypothesis).

Received instants stay within 2024-01-01 .. 2026-10-31 so that every due date lies inside the
official (covered) years 2024-2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from caicach.calendars.rules import (
    VN_TZ,
    DayEntry,
    DayKind,
    Promise,
    WorkCalendar,
    calendar_from_entries,
    changed_due_dates,
    compute_due,
    due_in_calendar_days,
    due_in_working_days,
    due_in_working_hours,
    elapsed_working_time,
    load_official_entries,
    official_calendar,
    remaining_working_time,
)

CAL = official_calendar()
ENTRIES = load_official_entries()
DAY = CAL.day_length
ZONES = st.sampled_from([VN_TZ, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))])

received_st = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - bounds are naive by hypothesis' API
    max_value=datetime(2026, 10, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=st.just(VN_TZ),
).flatmap(lambda dt: ZONES.map(dt.astimezone))
days_st = st.integers(min_value=0, max_value=40)
hours_st = st.one_of(
    st.integers(min_value=0, max_value=200),
    st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False),
)
cutoff_st = st.one_of(st.none(), st.times(min_value=time(7, 0), max_value=time(18, 0)))


def _reference_working(d: date) -> bool:
    """Day-by-day reference, independent of the index (Labour Code art. 111-112 + swaps)."""
    entry = CAL.entry(d)
    if entry is not None:
        return entry.kind in (DayKind.WORKED_WEEKEND, DayKind.AGENCY_WORKED)
    return d.weekday() < 5


def _reference_due(received: datetime, n: int, cutoff: time | None) -> date:
    local = received.astimezone(VN_TZ)
    d = local.date()
    if not _reference_working(d) or (cutoff is not None and local.time() > cutoff):
        d += timedelta(days=1)
        while not _reference_working(d):
            d += timedelta(days=1)
    for _ in range(n):
        d += timedelta(days=1)
        while not _reference_working(d):
            d += timedelta(days=1)
    return d


@given(received_st, days_st, cutoff_st)
def test_matches_day_by_day_reference(received: datetime, n: int, cutoff: time | None) -> None:
    assert due_in_working_days(received, n, CAL, cutoff).due.date() == _reference_due(
        received, n, cutoff
    )


@given(received_st, days_st)
def test_due_is_a_working_day_aware_and_plus_seven(received: datetime, n: int) -> None:
    r = due_in_working_days(received, n, CAL)
    assert CAL.is_working_day(r.due.date())
    assert r.due.tzinfo is VN_TZ
    assert r.due.utcoffset() == timedelta(hours=7)
    assert r.due.isoformat().endswith("+07:00")
    assert r.due.time() == time(17, 0)
    assert r.due > received
    assert not r.provisional


@given(received_st, days_st)
def test_monotonic_in_n(received: datetime, n: int) -> None:
    assert due_in_working_days(received, n, CAL).due < due_in_working_days(received, n + 1, CAL).due


@given(received_st, received_st, days_st)
def test_monotonic_in_received_time(a: datetime, b: datetime, n: int) -> None:
    first, second = sorted((a, b))
    assert due_in_working_days(first, n, CAL).due <= due_in_working_days(second, n, CAL).due


@given(received_st, st.integers(min_value=1, max_value=40))
def test_elapsed_from_counting_start_inverts_the_due(received: datetime, n: int) -> None:
    r = due_in_working_days(received, n, CAL)
    assert elapsed_working_time(r.counting_starts_at, r.due, CAL) == n * DAY
    # the midnight variant covers the same office time
    m = due_in_working_days(received, n, CAL, end_of_day="midnight")
    assert m.due.date() == r.due.date()
    assert elapsed_working_time(m.counting_starts_at, m.due, CAL) == n * DAY


@given(received_st, days_st)
def test_skipped_days_are_exactly_the_non_working_days(received: datetime, n: int) -> None:
    r = due_in_working_days(received, n, CAL)
    start = r.received.date()
    span = [start + timedelta(days=i) for i in range((r.due.date() - start).days + 1)]
    assert [s.date for s in r.skipped] == [d for d in span if not CAL.is_working_day(d)]
    assert all(s.label_vi and s.label_en for s in r.skipped)
    assert r.explain_vi() and r.explain_en()


@given(received_st, hours_st, cutoff_st)
def test_working_hours_due_is_in_office_hours(
    received: datetime, hours: int | Decimal, cutoff: time | None
) -> None:
    r = due_in_working_hours(received, hours, CAL, cutoff)
    assert CAL.is_working_day(r.due.date())
    t = r.due.timetz().replace(tzinfo=None)
    assert any(s <= t <= e for s, e in CAL.office_hours.intervals)
    assert r.due >= r.counting_starts_at >= received
    exact = timedelta(microseconds=int(Decimal(hours) * 3_600_000_000))
    assert elapsed_working_time(r.counting_starts_at, r.due, CAL) == exact
    assert r.due.utcoffset() == timedelta(hours=7)


@given(received_st, hours_st, hours_st)
def test_working_hours_monotonic(received: datetime, a: int | Decimal, b: int | Decimal) -> None:
    lo, hi = sorted((Decimal(a), Decimal(b)))
    assert (
        due_in_working_hours(received, lo, CAL).due <= due_in_working_hours(received, hi, CAL).due
    )


@given(received_st, days_st)
def test_calendar_days_art_148_5(received: datetime, n: int) -> None:
    r = due_in_calendar_days(received, n, CAL)
    nominal = r.effective_received_on + timedelta(days=n)
    assert CAL.is_working_day(r.due.date())
    assert r.due.date() >= nominal
    # every day between the nominal last day and the due date is a non-working day
    d = nominal
    while d < r.due.date():
        assert not CAL.is_working_day(d)
        d += timedelta(days=1)


@given(received_st, received_st)
def test_remaining_is_antisymmetric(a: datetime, b: datetime) -> None:
    assert remaining_working_time(a, b, CAL) == -remaining_working_time(b, a, CAL)
    first, second = sorted((a, b))
    assert elapsed_working_time(first, second, CAL) == remaining_working_time(first, second, CAL)


promise_st = st.builds(
    lambda key, received, value, unit: (key, received, value, unit),
    st.text(min_size=1, max_size=5),
    received_st,
    st.integers(min_value=0, max_value=30),
    st.sampled_from(["working_days", "working_hours", "calendar_days"]),
)


def _promises(raw: list[tuple[str, datetime, int, str]]) -> list[Promise]:
    out = []
    for i, (key, received, value, unit) in enumerate(raw):
        due = compute_due(received, value, unit, CAL).due
        out.append(Promise(f"{i}-{key}", received, value, unit, time(15, 0), due))
    return out


@given(st.lists(promise_st, max_size=10))
def test_identical_calendars_change_nothing(raw: list[tuple[str, datetime, int, str]]) -> None:
    assert changed_due_dates(CAL, CAL, _promises(raw)) == []


def _toggled(day: date) -> WorkCalendar:
    """The official calendar with one date's working status flipped."""
    kind = DayKind.AGENCY_OFF if CAL.is_working_day(day) else DayKind.AGENCY_WORKED
    return calendar_from_entries(ENTRIES, [DayEntry(day, kind, "thay đổi")], version="toggled")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(promise_st, min_size=1, max_size=15),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
)
def test_changed_due_dates_agrees_with_brute_force(
    raw: list[tuple[str, datetime, int, str]], day: date
) -> None:
    new = _toggled(day)
    promises = _promises(raw)
    expected = {
        p.key
        for p in promises
        if compute_due(p.received, p.value, p.unit, new, p.cutoff).due != p.due
    }
    assert {c.key for c in changed_due_dates(CAL, new, promises)} == expected
