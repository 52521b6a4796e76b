"""Table-driven tests of the working-day engine against the official calendars 2024-2026.

Every expected date was checked by hand against ``python -c "import calendar; ..."`` and the
table of regulations §4.4. Days off beyond Saturday/Sunday:
2024: Mon 1/1; Tết Thu 8/2 - Wed 14/2 (8, 9, 12, 13, 14); Thu 18/4; Mon 29/4 (swap), Tue 30/4,
      Wed 1/5; Mon 2/9, Tue 3/9. Worked: Sat 4/5.
2025: Wed 1/1; Tết Mon 27/1 - Fri 31/1; Mon 7/4; Wed 30/4, Thu 1/5, Fri 2/5 (swap); Mon 1/9,
      Tue 2/9. Worked: Sat 26/4.
2026: Thu 1/1; Tết Mon 16/2 - Fri 20/2; Mon 27/4 (in lieu of Sun 26/4); Thu 30/4, Fri 1/5;
      Mon 31/8 (swap), Tue 1/9, Wed 2/9. Worked: Sat 22/8.
Default cut-off 15:00 (at 15:00:00 still the same day), office hours 07:30-11:30, 13:30-17:00.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from caicach.calendars.rules import (
    OFFICIAL_DATA_PATH,
    VN_TZ,
    CalendarRangeError,
    DayEntry,
    DayKind,
    OfficeHours,
    Promise,
    SkipReason,
    TimeUnit,
    WorkCalendar,
    calendar_from_entries,
    changed_due_dates,
    changed_working_dates,
    compute_due,
    due_in_calendar_days,
    due_in_working_days,
    due_in_working_hours,
    elapsed_working_time,
    load_official_data,
    load_official_entries,
    official_calendar,
    remaining_working_time,
    working_time_to_days,
    year_summary,
)

CAL = official_calendar()


def vn(y: int, mo: int, d: int, h: int = 10, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN_TZ)


def at(d: date, h: int, mi: int = 0, s: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, h, mi, s, tzinfo=VN_TZ)


D = date

# --------------------------------------------------------------------------------------------
# Working days: Civil Code art. 147 (receipt day not counted) + 15:00 cut-off (NĐ 61 art. 18)
# (received, n, expected due date at 17:00, expected effective receipt day)
# --------------------------------------------------------------------------------------------
# fmt: off
WORKING_DAY_CASES = [
    # --- Tết Giáp Thìn 2024 ---
    pytest.param(vn(2024, 2, 7), 1, D(2024, 2, 15), D(2024, 2, 7), id="2024-tet-wed-1d"),  # Wed -> Thu 15/2 after Tết 8-14/2
    pytest.param(vn(2024, 2, 7), 3, D(2024, 2, 19), D(2024, 2, 7), id="2024-tet-wed-3d"),  # Thu 15, Fri 16, Mon 19
    pytest.param(vn(2024, 2, 6, 16), 2, D(2024, 2, 16), D(2024, 2, 7), id="2024-tet-tue-late-2d"),  # Tue 16:00 -> eff Wed 7; Thu 15, Fri 16
    pytest.param(vn(2024, 2, 12, 9), 1, D(2024, 2, 16), D(2024, 2, 15), id="2024-tet-received-mon-tet"),  # Mon 12/2 Tết -> eff Thu 15; Fri 16
    pytest.param(vn(2024, 4, 17), 1, D(2024, 4, 19), D(2024, 4, 17), id="2024-hung-kings"),  # Wed; Thu 18/4 Giỗ Tổ -> Fri 19
    # --- Tết Ất Tỵ 2025 (9 days off Sat 25/1 - Sun 2/2) ---
    pytest.param(vn(2025, 1, 24, 9), 1, D(2025, 2, 3), D(2025, 1, 24), id="2025-tet-fri-1d"),  # Fri -> Mon 3/2
    pytest.param(vn(2025, 1, 23, 14, 59), 2, D(2025, 2, 3), D(2025, 1, 23), id="2025-tet-thu-1459-2d"),  # Thu: Fri 24/1, Mon 3/2
    pytest.param(vn(2025, 1, 23, 15, 1), 2, D(2025, 2, 4), D(2025, 1, 24), id="2025-tet-thu-1501-2d"),  # after cut-off: eff Fri 24; Mon 3, Tue 4/2
    pytest.param(vn(2025, 1, 24, 15, 30), 5, D(2025, 2, 10), D(2025, 2, 3), id="2025-tet-fri-late-5d"),  # eff Mon 3/2; 4,5,6,7, Mon 10/2
    pytest.param(vn(2025, 4, 4), 1, D(2025, 4, 8), D(2025, 4, 4), id="2025-hung-kings"),  # Fri; Sat, Sun, Mon 7/4 Giỗ Tổ -> Tue 8/4
    # --- Tết Bính Ngọ 2026 (9 days off Sat 14/2 - Sun 22/2) ---
    pytest.param(vn(2026, 2, 13), 1, D(2026, 2, 23), D(2026, 2, 13), id="2026-tet-fri-1d"),  # Fri -> Mon 23/2
    pytest.param(vn(2026, 2, 12), 3, D(2026, 2, 24), D(2026, 2, 12), id="2026-tet-thu-3d"),  # Thu: Fri 13, Mon 23, Tue 24
    pytest.param(vn(2026, 2, 17), 1, D(2026, 2, 24), D(2026, 2, 23), id="2026-tet-received-mung1"),  # Tue 17/2 (Mùng 1) -> eff Mon 23; Tue 24
    pytest.param(vn(2026, 2, 13, 15, 0, 0), 1, D(2026, 2, 23), D(2026, 2, 13), id="2026-tet-cutoff-exact"),  # Fri 15:00:00 = same day
    pytest.param(vn(2026, 2, 13, 15, 0, 1), 1, D(2026, 2, 24), D(2026, 2, 23), id="2026-tet-cutoff-plus-1s"),  # Fri 15:00:01 -> eff Mon 23; Tue 24
    # --- 30/4-1/5 2024: Mon 29/4 swapped, Sat 4/5 worked ---
    pytest.param(vn(2024, 4, 26), 1, D(2024, 5, 2), D(2024, 4, 26), id="2024-0430-fri-1d"),  # Fri; 27-28 wknd, 29 swap, 30, 1/5 -> Thu 2/5
    pytest.param(vn(2024, 4, 26), 3, D(2024, 5, 4), D(2024, 4, 26), id="2024-0430-fri-3d-worked-sat"),  # Thu 2, Fri 3, Sat 4/5 (worked)
    pytest.param(vn(2024, 4, 26), 4, D(2024, 5, 6), D(2024, 4, 26), id="2024-0430-fri-4d"),  # ... Sat 4/5, Mon 6/5
    pytest.param(vn(2024, 4, 25), 2, D(2024, 5, 2), D(2024, 4, 25), id="2024-0430-thu-2d"),  # Thu: Fri 26, Thu 2/5
    pytest.param(vn(2024, 5, 3, 16), 1, D(2024, 5, 6), D(2024, 5, 4), id="2024-0430-fri-late-to-worked-sat"),  # Fri 16:00 -> eff Sat 4/5; Mon 6
    pytest.param(vn(2024, 5, 4), 1, D(2024, 5, 6), D(2024, 5, 4), id="2024-received-on-worked-sat"),  # Sat 4/5 worked, 10:00 -> Mon 6
    # --- 30/4-1/5 2025: Fri 2/5 swapped, Sat 26/4 worked ---
    pytest.param(vn(2025, 4, 25), 3, D(2025, 4, 29), D(2025, 4, 25), id="2025-0430-brief-example"),  # Fri: Sat 26 (worked), Mon 28, Tue 29
    pytest.param(vn(2025, 4, 25, 16), 3, D(2025, 5, 5), D(2025, 4, 26), id="2025-0430-brief-example-late"),  # eff Sat 26; 28, 29, Mon 5/5
    pytest.param(vn(2025, 4, 29), 1, D(2025, 5, 5), D(2025, 4, 29), id="2025-0430-tue-1d"),  # Tue; 30, 1, 2 (swap), 3-4 wknd -> Mon 5/5
    pytest.param(vn(2025, 4, 24), 2, D(2025, 4, 26), D(2025, 4, 24), id="2025-due-on-worked-sat"),  # Thu: Fri 25, Sat 26 (worked)
    pytest.param(vn(2025, 4, 27, 9), 1, D(2025, 4, 29), D(2025, 4, 28), id="2025-received-sunday"),  # Sun -> eff Mon 28; Tue 29
    # --- 2/9 2025 (Mon 1/9, Tue 2/9) and 2026 (Mon 31/8 swapped, Sat 22/8 worked) ---
    pytest.param(vn(2025, 8, 29), 1, D(2025, 9, 3), D(2025, 8, 29), id="2025-0209-fri-1d"),  # Fri; 30-31 wknd, 1/9, 2/9 -> Wed 3/9
    pytest.param(vn(2026, 8, 21), 1, D(2026, 8, 22), D(2026, 8, 21), id="2026-0209-due-worked-sat"),  # Fri -> Sat 22/8 (worked)
    pytest.param(vn(2026, 8, 21, 15, 30), 1, D(2026, 8, 24), D(2026, 8, 22), id="2026-0209-late-to-worked-sat"),  # eff Sat 22; Sun 23 off; Mon 24
    pytest.param(vn(2026, 8, 28), 1, D(2026, 9, 3), D(2026, 8, 28), id="2026-0209-fri-1d"),  # Fri; 29-30 wknd, 31 swap, 1/9, 2/9 -> Thu 3/9
    pytest.param(vn(2026, 8, 27), 3, D(2026, 9, 4), D(2026, 8, 27), id="2026-0209-thu-3d"),  # Thu: Fri 28, Thu 3/9, Fri 4/9
    pytest.param(vn(2026, 8, 31, 9), 1, D(2026, 9, 4), D(2026, 9, 3), id="2026-received-swapped-mon"),  # Mon 31/8 swapped -> eff Thu 3/9; Fri 4
    pytest.param(vn(2026, 4, 24), 1, D(2026, 4, 28), D(2026, 4, 24), id="2026-hung-kings-in-lieu"),  # Fri; Sat, Sun 26 Giỗ Tổ, Mon 27 bù -> Tue 28
    pytest.param(vn(2026, 4, 28), 2, D(2026, 5, 4), D(2026, 4, 28), id="2026-0430-tue-2d"),  # Tue: Wed 29, (30/4, 1/5, 2-3 wknd) Mon 4/5
    # --- year ends ---
    pytest.param(vn(2024, 12, 31), 1, D(2025, 1, 2), D(2024, 12, 31), id="2024-year-end"),  # Tue 31/12; Wed 1/1 -> Thu 2/1/2025
    pytest.param(vn(2024, 12, 31, 16), 1, D(2025, 1, 3), D(2025, 1, 2), id="2024-year-end-late"),  # eff Thu 2/1; Fri 3/1
    pytest.param(vn(2025, 12, 31), 1, D(2026, 1, 2), D(2025, 12, 31), id="2025-year-end"),  # Wed 31/12; Thu 1/1 -> Fri 2/1/2026
    pytest.param(vn(2025, 12, 31), 3, D(2026, 1, 6), D(2025, 12, 31), id="2025-year-end-3d"),  # Fri 2/1, Mon 5, Tue 6
    pytest.param(vn(2026, 1, 1, 9), 1, D(2026, 1, 5), D(2026, 1, 2), id="2026-received-new-year"),  # Thu 1/1 -> eff Fri 2/1; Mon 5/1
    # --- weekends and holidays as receipt days ---
    pytest.param(vn(2025, 3, 8), 1, D(2025, 3, 11), D(2025, 3, 10), id="received-saturday"),  # Sat -> eff Mon 10/3; Tue 11
    pytest.param(vn(2025, 3, 9, 23, 59), 1, D(2025, 3, 11), D(2025, 3, 10), id="received-sunday-night"),  # Sun 23:59 -> same
    pytest.param(vn(2025, 1, 1), 1, D(2025, 1, 3), D(2025, 1, 2), id="received-holiday"),  # Wed 1/1 -> eff Thu 2/1; Fri 3/1
    pytest.param(vn(2025, 3, 10, 6), 1, D(2025, 3, 11), D(2025, 3, 10), id="received-before-opening"),  # Mon 06:00 counts on Mon
    pytest.param(vn(2025, 3, 10, 23), 1, D(2025, 3, 12), D(2025, 3, 11), id="received-monday-night"),  # Mon 23:00 -> eff Tue; Wed 12
    # --- n = 0: same-day procedures ---
    pytest.param(vn(2025, 3, 10), 0, D(2025, 3, 10), D(2025, 3, 10), id="same-day"),  # Mon 10:00 -> Mon 17:00
    pytest.param(vn(2025, 3, 10, 15, 30), 0, D(2025, 3, 11), D(2025, 3, 11), id="same-day-late"),  # Mon 15:30 -> Tue 17:00
    pytest.param(vn(2025, 4, 26), 0, D(2025, 4, 26), D(2025, 4, 26), id="same-day-worked-sat"),  # Sat 26/4 worked -> same day
    pytest.param(vn(2026, 2, 14), 0, D(2026, 2, 23), D(2026, 2, 23), id="same-day-received-in-tet"),  # Sat 14/2 -> Mon 23/2
]
# fmt: on


@pytest.mark.parametrize(("received", "n", "due_on", "effective"), WORKING_DAY_CASES)
def test_due_in_working_days(received: datetime, n: int, due_on: date, effective: date) -> None:
    result = due_in_working_days(received, n, CAL)
    assert result.due == at(due_on, 17)
    assert result.effective_received_on == effective
    assert result.due.utcoffset() == timedelta(hours=7)
    assert not result.provisional
    assert CAL.is_working_day(result.due.date())


def test_flags_after_cutoff_and_on_non_working_day() -> None:
    late = due_in_working_days(vn(2025, 4, 25, 16), 3, CAL)  # Fri 16:00
    assert late.cutoff_applied and not late.received_on_non_working_day
    sunday = due_in_working_days(vn(2025, 4, 27, 16), 1, CAL)  # Sun 16:00
    assert not sunday.cutoff_applied and sunday.received_on_non_working_day
    exact = due_in_working_days(vn(2025, 4, 25, 15), 3, CAL)  # Fri 15:00:00 is not late
    assert not exact.cutoff_applied
    assert exact.due == at(D(2025, 4, 29), 17)


@pytest.mark.parametrize(
    ("received", "cutoff", "due_on"),
    [
        pytest.param(
            vn(2025, 4, 25, 16), None, D(2025, 4, 29), id="no-cutoff"
        ),  # Fri 16:00 counts Fri
        pytest.param(
            vn(2025, 4, 25, 16), time(16, 30), D(2025, 4, 29), id="cutoff-1630"
        ),  # before 16:30
        pytest.param(
            vn(2025, 4, 25, 11), time(11, 0), D(2025, 4, 29), id="cutoff-11-exact"
        ),  # at cut-off
        pytest.param(
            vn(2025, 4, 25, 11, 1), time(11, 0), D(2025, 5, 5), id="cutoff-11-late"
        ),  # eff Sat 26
    ],
)
def test_per_procedure_cutoff(received: datetime, cutoff: time | None, due_on: date) -> None:
    # Regulations §2.4: the cut-off is configurable per TTHC.
    assert due_in_working_days(received, 3, CAL, cutoff).due == at(due_on, 17)


def test_counting_starts_at_next_working_day_opening() -> None:
    r = due_in_working_days(vn(2025, 4, 25, 16), 3, CAL)  # eff Sat 26/4 -> starts Mon 28/4 07:30
    assert r.counting_starts_at == vn(2025, 4, 28, 7, 30)
    assert elapsed_working_time(r.counting_starts_at, r.due, CAL) == 3 * CAL.day_length


def test_end_of_day_midnight_art_148_6() -> None:
    # Art. 148(6): the last day ends at 24:00, represented as 23:59:59 of that day.
    r = due_in_working_days(vn(2025, 4, 25), 3, CAL, end_of_day="midnight")
    assert r.due == vn(2025, 4, 29, 23, 59, 59)
    assert any("24:00" in line for line in r.explain_vi())
    with pytest.raises(ValueError, match="end_of_day"):
        due_in_working_days(vn(2025, 4, 25), 3, CAL, end_of_day="noon")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("received", "due_on"),
    [
        pytest.param(
            datetime(2025, 4, 25, 7, 59, tzinfo=UTC), D(2025, 4, 29), id="utc-1459-vn"
        ),  # 14:59 +07
        pytest.param(
            datetime(2025, 4, 25, 8, 1, tzinfo=UTC), D(2025, 5, 5), id="utc-1501-vn"
        ),  # 15:01 +07
        pytest.param(
            datetime(2025, 4, 25, 20, 0, tzinfo=UTC), D(2025, 5, 5), id="utc-sat-0300-vn"
        ),  # Sat 26/4 03:00 +07 (worked)
    ],
)
def test_other_time_zones_are_converted(received: datetime, due_on: date) -> None:
    r = due_in_working_days(received, 3, CAL)
    assert r.due == at(due_on, 17)
    assert r.received.tzinfo is VN_TZ
    assert r.as_json_dict()["due"].endswith("+07:00")


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2025, 4, 25, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        due_in_working_days(naive, 3, CAL)
    with pytest.raises(ValueError, match="naive"):
        due_in_working_hours(naive, 3, CAL)
    with pytest.raises(ValueError, match="naive"):
        due_in_calendar_days(naive, 3, CAL)
    with pytest.raises(ValueError, match="naive"):
        elapsed_working_time(naive, vn(2025, 4, 28), CAL)
    with pytest.raises(ValueError, match="naive"):
        remaining_working_time(vn(2025, 4, 28), naive, CAL)


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError):
        due_in_working_days(vn(2025, 3, 10), -1, CAL)
    with pytest.raises(ValueError):
        due_in_calendar_days(vn(2025, 3, 10), -1, CAL)
    with pytest.raises(ValueError):
        due_in_working_hours(vn(2025, 3, 10), -0.5, CAL)


# --------------------------------------------------------------------------------------------
# Working hours (office hours 07:30-11:30, 13:30-17:00 on working days)
# --------------------------------------------------------------------------------------------
# fmt: off
WORKING_HOUR_CASES = [
    pytest.param(vn(2025, 3, 10, 8), 2, None, vn(2025, 3, 10, 10), id="mon-morning"),  # Mon 08:00 + 2h
    pytest.param(vn(2025, 3, 10, 10, 30), 2, None, vn(2025, 3, 10, 14, 30), id="across-lunch"),  # 1h to 11:30, 1h from 13:30
    pytest.param(vn(2025, 3, 10, 12), 1, None, vn(2025, 3, 10, 14, 30), id="received-at-lunch"),  # starts 13:30
    pytest.param(vn(2025, 3, 10, 6), 4, None, vn(2025, 3, 10, 11, 30), id="before-opening-ends-at-1130"),  # 07:30 + 4h = 11:30, not 13:30
    pytest.param(vn(2025, 3, 10, 14), 4, None, vn(2025, 3, 11, 8, 30), id="across-night"),  # 3h Mon, 1h Tue
    pytest.param(vn(2025, 3, 10, 15, 30), 1, None, vn(2025, 3, 11, 8, 30), id="after-cutoff"),  # starts Tue 07:30
    pytest.param(vn(2025, 3, 10, 20), 1, None, vn(2025, 3, 11, 8, 30), id="night"),  # Mon 20:00 -> Tue 07:30
    pytest.param(vn(2025, 3, 7, 14), 8, None, vn(2025, 3, 10, 14, 30), id="across-weekend"),  # Fri 3h, Mon 4h + 1h
    pytest.param(vn(2025, 4, 25, 14), 4, None, vn(2025, 4, 26, 8, 30), id="into-worked-saturday"),  # Fri 3h, Sat 26/4 1h
    pytest.param(vn(2025, 4, 25, 11, 45), 8, None, vn(2025, 4, 26, 14), id="lunch-into-worked-saturday"),  # Fri 3.5h, Sat 4h + 0.5h
    pytest.param(vn(2025, 3, 10, 7, 30), Decimal("7.5"), None, vn(2025, 3, 10, 17), id="full-day-ends-1700"),  # not Tue 07:30
    pytest.param(vn(2025, 3, 10, 9), Decimal("1.5"), None, vn(2025, 3, 10, 10, 30), id="decimal-hours"),
    pytest.param(vn(2025, 3, 10, 11), 0.5, None, vn(2025, 3, 10, 11, 30), id="float-to-1130"),
    pytest.param(vn(2025, 3, 10, 11), 0.75, None, vn(2025, 3, 10, 13, 45), id="float-across-lunch"),  # 30 + 15 min
    pytest.param(vn(2025, 3, 8, 10), 3, None, vn(2025, 3, 10, 10, 30), id="received-saturday"),  # Mon 07:30 + 3h
    pytest.param(vn(2026, 2, 13, 14), 4, None, vn(2026, 2, 23, 8, 30), id="across-tet-2026"),  # Fri 3h; Mon 23/2 1h
    pytest.param(vn(2025, 4, 29, 16), 1, time(17, 0), vn(2025, 4, 29, 17), id="ends-at-close"),  # cut-off 17:00
    pytest.param(vn(2025, 4, 29, 16), 2, time(17, 0), vn(2025, 5, 5, 8, 30), id="across-0430-2025"),  # 1h Tue; Mon 5/5 1h
    pytest.param(vn(2025, 3, 10, 12), 0, None, vn(2025, 3, 10, 13, 30), id="zero-hours-at-lunch"),  # due = start
    pytest.param(vn(2025, 3, 10, 8), timedelta(minutes=90), None, vn(2025, 3, 10, 9, 30), id="timedelta"),
]
# fmt: on


@pytest.mark.parametrize(("received", "hours", "cutoff", "due"), WORKING_HOUR_CASES)
def test_due_in_working_hours(
    received: datetime,
    hours: int | float | Decimal | timedelta,
    cutoff: time | None,
    due: datetime,
) -> None:
    result = due_in_working_hours(received, hours, CAL, cutoff or time(15, 0))
    assert result.due == due
    assert result.unit is TimeUnit.WORKING_HOURS


def test_working_hours_start_and_inverse() -> None:
    r = due_in_working_hours(vn(2025, 3, 10, 12), 5, CAL)  # lunch -> starts 13:30
    assert r.counting_starts_at == vn(2025, 3, 10, 13, 30)
    assert elapsed_working_time(r.counting_starts_at, r.due, CAL) == timedelta(hours=5)


# --------------------------------------------------------------------------------------------
# Calendar days: art. 147 (first day not counted), art. 148(5) (last day non-working)
# --------------------------------------------------------------------------------------------
# fmt: off
CALENDAR_DAY_CASES = [
    pytest.param(vn(2026, 4, 21, 9), 5, D(2026, 4, 28), id="ends-sun-gio-to-then-in-lieu"),  # Tue; day 5 Sun 26/4, Mon 27 bù -> Tue 28
    pytest.param(vn(2025, 3, 10), 5, D(2025, 3, 17), id="ends-saturday"),  # Mon; day 5 Sat 15/3 -> Mon 17
    pytest.param(vn(2025, 3, 10), 4, D(2025, 3, 14), id="ends-friday"),  # Mon; day 4 Fri 14/3
    pytest.param(vn(2025, 4, 25), 5, D(2025, 5, 5), id="ends-on-3004-2025"),  # Fri; day 5 Wed 30/4 -> Mon 5/5
    pytest.param(vn(2025, 4, 25), 1, D(2025, 4, 26), id="ends-on-worked-saturday"),  # Fri; day 1 Sat 26/4 is worked
    pytest.param(vn(2025, 1, 23), 7, D(2025, 2, 3), id="ends-in-tet-2025"),  # Thu; day 7 Thu 30/1 (Tết) -> Mon 3/2
    pytest.param(vn(2025, 12, 22), 10, D(2026, 1, 2), id="ends-on-new-year"),  # Mon; day 10 Thu 1/1/2026 -> Fri 2/1
    pytest.param(vn(2025, 3, 10, 16), 4, D(2025, 3, 17), id="late-receipt"),  # Mon 16:00 -> eff Tue 11; Sat 15 -> Mon 17
    pytest.param(vn(2026, 8, 24), 7, D(2026, 9, 3), id="ends-on-swapped-monday"),  # Mon; day 7 Mon 31/8 (swap) -> Thu 3/9
    pytest.param(vn(2025, 3, 8), 2, D(2025, 3, 12), id="received-saturday"),  # Sat -> eff Mon 10; Wed 12
    pytest.param(vn(2025, 3, 10), 0, D(2025, 3, 10), id="zero-days"),  # same day
]
# fmt: on


@pytest.mark.parametrize(("received", "n", "due_on"), CALENDAR_DAY_CASES)
def test_due_in_calendar_days(received: datetime, n: int, due_on: date) -> None:
    result = due_in_calendar_days(received, n, CAL)
    assert result.due == at(due_on, 17)
    assert result.unit is TimeUnit.CALENDAR_DAYS


def test_calendar_days_explains_art_148_5() -> None:
    r = due_in_calendar_days(vn(2026, 4, 21, 9), 5, CAL)
    assert r.nominal_last_day == D(2026, 4, 26)
    assert any("Điều 148 khoản 5" in line for line in r.explain_vi())
    assert any("148(5)" in line for line in r.explain_en())


# --------------------------------------------------------------------------------------------
# Dispatcher
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "due"),
    [
        pytest.param(3, "working_days", vn(2025, 4, 29, 17), id="working-days"),
        pytest.param(Decimal(3), TimeUnit.WORKING_DAYS, vn(2025, 4, 29, 17), id="decimal-days"),
        pytest.param(
            4, "working_hours", vn(2025, 4, 25, 16), id="working-hours"
        ),  # Fri 10:00 +1.5h, 13:30 +2.5h
        pytest.param(5, "calendar_days", vn(2025, 5, 5, 17), id="calendar-days"),
    ],
)
def test_compute_due_dispatches(value: int | Decimal, unit: str, due: datetime) -> None:
    assert compute_due(vn(2025, 4, 25), value, unit, CAL).due == due


def test_compute_due_refuses_fractional_days_and_unknown_units() -> None:
    with pytest.raises(ValueError, match="whole"):
        compute_due(vn(2025, 4, 25), Decimal("1.5"), "working_days", CAL)
    with pytest.raises(ValueError):
        compute_due(vn(2025, 4, 25), 1, "fortnights", CAL)


# --------------------------------------------------------------------------------------------
# Explanations and JSON
# --------------------------------------------------------------------------------------------


def test_skipped_days_and_worked_weekend_of_the_brief_example() -> None:
    r = due_in_working_days(vn(2025, 4, 25, 16), 3, CAL)
    assert [(s.date, s.reason) for s in r.skipped] == [
        (D(2025, 4, 27), SkipReason.WEEKEND),
        (D(2025, 4, 30), SkipReason.HOLIDAY),
        (D(2025, 5, 1), SkipReason.HOLIDAY),
        (D(2025, 5, 2), SkipReason.SWAPPED_OFF),
        (D(2025, 5, 3), SkipReason.WEEKEND),
        (D(2025, 5, 4), SkipReason.WEEKEND),
    ]
    assert r.skipped[3].label_vi == "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)"
    assert [w.date for w in r.worked_weekend_days] == [D(2025, 4, 26)]
    vi = r.explain_vi()
    assert any("giờ chốt 15:00" in line for line in vi)
    assert any("Điều 147" in line for line in vi)
    assert any("26/04/2025" in line and "làm bù" in line for line in vi)
    assert vi[-1] == "Phiên bản lịch: official-2026.1."
    en = r.explain_en()
    assert any("15:00 cut-off" in line for line in en)
    assert any("Swapped day off" in line for line in en)


def test_weekend_holidays_are_named() -> None:
    r = due_in_working_days(vn(2026, 4, 24), 1, CAL)  # Fri; Sun 26/4 Giỗ Tổ; Mon 27/4 bù
    labels = {s.date: (s.reason, s.label_vi) for s in r.skipped}
    assert labels[D(2026, 4, 26)] == (SkipReason.WEEKEND, "Chủ nhật, trùng Giỗ Tổ Hùng Vương")
    assert labels[D(2026, 4, 27)][0] is SkipReason.IN_LIEU
    assert labels[D(2026, 4, 27)][1].startswith("Nghỉ bù")
    tet = due_in_working_days(vn(2026, 2, 13), 1, CAL)  # Fri 13/2 -> Mon 23/2
    reasons = [s.reason for s in tet.skipped]
    assert reasons == [SkipReason.WEEKEND] * 2 + [SkipReason.TET] * 5 + [SkipReason.WEEKEND] * 2
    assert tet.skipped[0].label_vi == "Thứ Bảy, trong kỳ nghỉ Tết Nguyên đán"
    assert tet.skipped[2].label_vi == "Tết Nguyên đán"  # Mon 16/2


def test_as_json_dict() -> None:
    r = due_in_working_days(vn(2025, 4, 25, 16), 3, CAL)
    data = r.as_json_dict()
    assert data["due"] == "2025-05-05T17:00:00+07:00"
    assert data["effective_received_on"] == "2025-04-26"
    assert data["cutoff_applied"] is True
    assert data["calendar_version"] == "official-2026.1"
    assert data["skipped"][1] == {
        "date": "2025-04-30",
        "reason": "holiday",
        "label": "Ngày Chiến thắng",
        "label_en": "Reunification Day",
    }
    json.dumps(data)  # serialisable as is


def test_received_on_non_working_day_is_explained() -> None:
    r = due_in_working_days(vn(2025, 4, 27, 9), 1, CAL)  # Sunday
    assert any("ngày nghỉ" in line and "28/04/2025" in line for line in r.explain_vi())
    assert any("non-working day" in line for line in r.explain_en())


# --------------------------------------------------------------------------------------------
# Out of range: provisional (weekends only) or strict
# --------------------------------------------------------------------------------------------


def test_beyond_covered_years_is_provisional() -> None:
    # Wed 30/12/2026, 3 days: Thu 31/12, Fri 1/1/2027 (not yet known: weekends only), Mon 4/1.
    r = due_in_working_days(vn(2026, 12, 30), 3, CAL)
    assert r.due == vn(2027, 1, 4, 17)
    assert r.provisional
    assert any("tạm tính" in line for line in r.explain_vi())
    assert any("provisional" in line for line in r.explain_en())
    # Sun 31/12/2023 (before the data): eff Tue 2/1/2024 (Mon 1/1 holiday); Wed 3/1.
    before = due_in_working_days(vn(2023, 12, 31), 1, CAL)
    assert before.due == vn(2024, 1, 3, 17) and before.provisional


def test_strict_calendar_raises_outside_covered_years() -> None:
    strict = official_calendar(strict=True)
    assert due_in_working_days(vn(2026, 12, 28), 2, strict).due == vn(2026, 12, 30, 17)
    with pytest.raises(CalendarRangeError):
        due_in_working_days(vn(2026, 12, 30), 3, strict)
    with pytest.raises(CalendarRangeError):
        due_in_working_days(vn(2023, 12, 29), 1, strict)
    with pytest.raises(CalendarRangeError):
        strict.is_working_day(D(2027, 1, 4))


def test_outside_the_span_always_raises() -> None:
    with pytest.raises(CalendarRangeError):
        due_in_working_days(vn(2040, 1, 2), 1, CAL)
    with pytest.raises(CalendarRangeError):
        due_in_working_days(vn(2036, 12, 31), 5, CAL)  # the result leaves the span
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(D(2014, 1, 1), -5)


# --------------------------------------------------------------------------------------------
# WorkCalendar queries
# --------------------------------------------------------------------------------------------


def test_calendar_queries() -> None:
    assert CAL.is_working_day(D(2025, 4, 26))  # worked Saturday
    assert not CAL.is_working_day(D(2025, 5, 2))  # swapped Friday
    assert not CAL.is_working_day(D(2026, 4, 26))  # Sunday (Giỗ Tổ)
    assert CAL.next_working_day(D(2025, 4, 29)) == D(2025, 5, 5)
    assert CAL.next_working_day(D(2025, 4, 25)) == D(2025, 4, 26)
    assert CAL.add_working_days(D(2025, 4, 25), 3) == D(2025, 4, 29)
    assert CAL.add_working_days(D(2025, 4, 27), 0) == D(2025, 4, 28)  # Sun -> Mon
    assert CAL.add_working_days(D(2025, 4, 28), 0) == D(2025, 4, 28)
    assert CAL.add_working_days(D(2025, 5, 5), -1) == D(2025, 4, 29)  # one before Mon 5/5
    assert CAL.add_working_days(D(2025, 5, 4), -1) == D(2025, 4, 29)  # one before Sun 4/5
    assert CAL.working_days_between(D(2025, 4, 25), D(2025, 5, 5)) == 4  # 26, 28, 29, 5/5
    assert CAL.working_days_between(D(2025, 5, 5), D(2025, 4, 25)) == -4
    assert CAL.day_kind(D(2025, 4, 26)) is DayKind.WORKED_WEEKEND
    assert CAL.day_kind(D(2025, 4, 28)) is None
    st = CAL.status(D(2026, 4, 27))
    assert not st.is_working and st.reason is SkipReason.IN_LIEU
    assert CAL.status(D(2025, 4, 28)).is_working


@pytest.mark.parametrize(
    ("year", "days_off", "worked", "working_days"),
    [
        pytest.param(
            2024,
            [
                (1, 1),
                (2, 8),
                (2, 9),
                (2, 12),
                (2, 13),
                (2, 14),
                (4, 18),
                (4, 29),
                (4, 30),
                (5, 1),
                (9, 2),
                (9, 3),
            ],
            [(5, 4)],
            262 - 12 + 1,  # 262 weekdays in leap 2024 (starts Mon)
            id="2024",
        ),
        pytest.param(
            2025,
            [
                (1, 1),
                (1, 27),
                (1, 28),
                (1, 29),
                (1, 30),
                (1, 31),
                (4, 7),
                (4, 30),
                (5, 1),
                (5, 2),
                (9, 1),
                (9, 2),
            ],
            [(4, 26)],
            261 - 12 + 1,
            id="2025",
        ),
        pytest.param(
            2026,
            [
                (1, 1),
                (2, 16),
                (2, 17),
                (2, 18),
                (2, 19),
                (2, 20),
                (4, 27),
                (4, 30),
                (5, 1),
                (8, 31),
                (9, 1),
                (9, 2),
            ],
            [(8, 22)],
            261 - 12 + 1,
            id="2026",
        ),
    ],
)
def test_year_summary_matches_regulations_4_4(
    year: int, days_off: list[tuple[int, int]], worked: list[tuple[int, int]], working_days: int
) -> None:
    s = year_summary(CAL, year)
    assert [(d.date.month, d.date.day) for d in s.days_off] == days_off
    assert [(d.date.month, d.date.day) for d in s.worked_weekend_days] == worked
    assert s.working_days == working_days
    assert not s.provisional
    assert all(d.label_vi for d in s.days_off)


def test_year_summary_names_weekend_holidays() -> None:
    s = year_summary(CAL, 2026)
    assert D(2026, 4, 26) in [d.date for d in s.weekend_holidays]
    assert year_summary(CAL, 2027).provisional


# --------------------------------------------------------------------------------------------
# Data file, loading, overrides
# --------------------------------------------------------------------------------------------


def test_official_data_file() -> None:
    data = load_official_data()
    assert data.version == "official-2026.1"
    assert data.timezone == "Asia/Ho_Chi_Minh"
    assert data.years == (2024, 2026)
    assert set(data.sources) == {2024, 2025, 2026}
    entries = load_official_entries()
    assert D(2026, 11, 24) not in {e.date for e in entries}  # not law yet (regulations §4.4)
    raw = json.loads(OFFICIAL_DATA_PATH.read_text(encoding="utf-8"))
    assert all(
        set(d) == {"date", "kind", "name_vi", "name_en", "note"}
        for y in raw["years"].values()
        for d in y["days"]
    )
    assert OfficeHours.from_strings(raw["office_hours"]) == OfficeHours()


def test_load_from_another_path(tmp_path: Path) -> None:
    raw = json.loads(OFFICIAL_DATA_PATH.read_text(encoding="utf-8"))
    raw["version"] = "test-1"
    p = tmp_path / "cal.json"
    p.write_text(json.dumps(raw), encoding="utf-8")
    assert official_calendar(path=p).version == "test-1"
    raw["years"]["2025"]["days"].append(raw["years"]["2024"]["days"][0])
    p.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="listed under year"):
        load_official_data(p)


def test_agency_override_wins() -> None:
    base = load_official_entries()
    agency = [
        DayEntry(D(2025, 4, 28), DayKind.AGENCY_OFF, "Nghỉ riêng", "Agency day off"),
        DayEntry(D(2025, 5, 2), DayKind.AGENCY_WORKED, "Làm việc riêng", "Agency working day"),
    ]
    cal = calendar_from_entries(base, agency, version="agency-1")
    assert cal.first_year == 2024 and cal.last_year == 2026
    # Fri 25/4 16:00: eff Sat 26; Mon 28 now off; Tue 29 (1), Fri 2/5 worked (2), Mon 5/5 (3).
    r = due_in_working_days(vn(2025, 4, 25, 16), 3, cal)
    assert r.due == vn(2025, 5, 5, 17)
    assert SkipReason.AGENCY_OFF in {s.reason for s in r.skipped}
    assert D(2025, 5, 2) in {w.date for w in r.worked_weekend_days}
    # 2 days: Tue 29, Fri 2/5
    assert due_in_working_days(vn(2025, 4, 25, 16), 2, cal).due == vn(2025, 5, 2, 17)


def test_invalid_calendars() -> None:
    e = DayEntry(D(2025, 4, 28), DayKind.HOLIDAY, "x")
    with pytest.raises(ValueError, match="two calendar entries"):
        WorkCalendar([e, e], version="x")
    with pytest.raises(ValueError, match="worked_weekend"):
        WorkCalendar([DayEntry(D(2025, 4, 28), DayKind.WORKED_WEEKEND, "x")], version="x")
    with pytest.raises(ValueError, match="weekday"):
        WorkCalendar([DayEntry(D(2025, 4, 27), DayKind.IN_LIEU, "x")], version="x")
    with pytest.raises(ValueError):
        OfficeHours(((time(13, 0), time(12, 0)),))
    with pytest.raises(ValueError):
        OfficeHours(((time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))))


def test_custom_office_hours() -> None:
    hours = OfficeHours.from_strings([["08:00", "12:00"], ["13:00", "17:00"]])
    cal = calendar_from_entries(load_official_entries(), version="x", office_hours=hours)
    assert cal.day_length == timedelta(hours=8)
    r = due_in_working_days(vn(2025, 3, 10), 1, cal)
    assert r.due == vn(2025, 3, 11, 17) and r.counting_starts_at == vn(2025, 3, 11, 8)
    assert due_in_working_hours(vn(2025, 3, 10, 12, 30), 1, cal).due == vn(2025, 3, 10, 14)


# --------------------------------------------------------------------------------------------
# Working time
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            vn(2025, 3, 10, 10), vn(2025, 3, 11, 9), timedelta(hours=6, minutes=30), id="mon-tue"
        ),  # 1.5 + 3.5 + 1.5
        pytest.param(
            vn(2025, 3, 7, 16),
            vn(2025, 3, 10, 8),
            timedelta(hours=1, minutes=30),
            id="over-weekend",
        ),  # Fri 1h + Mon 0.5h
        pytest.param(vn(2025, 3, 10, 12), vn(2025, 3, 10, 13), timedelta(0), id="inside-lunch"),
        pytest.param(
            vn(2025, 4, 29, 7, 30), vn(2025, 5, 5, 17), timedelta(hours=15), id="over-0430-2025"
        ),  # Tue + Mon
        pytest.param(
            vn(2025, 4, 25, 7, 30),
            vn(2025, 4, 26, 17),
            timedelta(hours=15),
            id="incl-worked-saturday",
        ),
        pytest.param(vn(2025, 3, 10, 10), vn(2025, 3, 10, 10), timedelta(0), id="empty"),
    ],
)
def test_elapsed_working_time(start: datetime, end: datetime, expected: timedelta) -> None:
    assert elapsed_working_time(start, end, CAL) == expected


def test_elapsed_refuses_reversed_and_remaining_is_signed() -> None:
    with pytest.raises(ValueError, match="before start"):
        elapsed_working_time(vn(2025, 3, 11), vn(2025, 3, 10), CAL)
    due = vn(2025, 3, 10, 17)
    assert remaining_working_time(vn(2025, 3, 10, 15), due, CAL) == timedelta(hours=2)
    assert remaining_working_time(vn(2025, 3, 11, 9), due, CAL) == -timedelta(hours=1, minutes=30)
    assert remaining_working_time(vn(2025, 3, 10, 20), due, CAL) == timedelta(0)


def test_working_time_to_days() -> None:
    assert working_time_to_days(timedelta(hours=15), CAL) == Decimal(2)
    assert working_time_to_days(timedelta(hours=3, minutes=45), CAL) == Decimal("0.5")
    assert working_time_to_days(timedelta(hours=1), CAL, places=2) == Decimal("0.13")


# --------------------------------------------------------------------------------------------
# Late amendment: 24/11 (Ngày Văn hóa Việt Nam) becomes a holiday mid-year (regulations §4.4)
# --------------------------------------------------------------------------------------------


def _with_culture_day() -> WorkCalendar:
    culture = DayEntry(
        D(2026, 11, 24), DayKind.HOLIDAY, "Ngày Văn hóa Việt Nam", "Vietnamese Culture Day"
    )
    return calendar_from_entries(load_official_entries(), [culture], version="official-2026.2")


def _promise(key: str, received: datetime, value: int, unit: str = "working_days") -> Promise:
    due = compute_due(received, value, unit, CAL).due
    return Promise(key, received, value, unit, time(15, 0), due)


def test_changed_due_dates_for_culture_day() -> None:
    new = _with_culture_day()
    assert changed_working_dates(CAL, new) == [D(2026, 11, 24)]
    promises = [
        _promise("moves", vn(2026, 11, 20), 3),  # Fri: 23, 24, 25 -> 23, 25, 26
        _promise("before", vn(2026, 11, 2), 3),  # due Thu 5/11: untouched
        _promise("after", vn(2026, 11, 25), 3),  # received after 24/11
        _promise("due-on-23", vn(2026, 11, 20), 1),  # due Mon 23/11: 24/11 is after the due
        _promise("days4", vn(2026, 11, 23, 14), 4),  # Mon: 24, 25, 26, Fri 27 -> 25, 26, 27, Mon 30
        _promise("wh", vn(2026, 11, 23, 14), 4, "working_hours"),  # Mon 3h, Tue 1h -> Wed 08:30
        _promise("cal", vn(2026, 11, 20), 4, "calendar_days"),  # Fri; day 4 Tue 24/11 -> Wed 25
    ]
    changes = {c.key: c for c in changed_due_dates(CAL, new, promises)}
    assert set(changes) == {"moves", "days4", "wh", "cal"}
    assert changes["moves"].old_due == vn(2026, 11, 25, 17)
    assert changes["moves"].new_due == vn(2026, 11, 26, 17)
    assert changes["moves"].delta == timedelta(days=1)
    assert changes["wh"].old_due == vn(2026, 11, 24, 8, 30)
    assert changes["wh"].new_due == vn(2026, 11, 25, 8, 30)
    assert changes["cal"].new_due == vn(2026, 11, 25, 17)
    assert changes["moves"].result.calendar_version == "official-2026.2"


def test_changed_due_dates_identical_or_office_hours() -> None:
    promises = [_promise("a", vn(2026, 11, 20), 3)]
    assert changed_due_dates(CAL, CAL, promises) == []
    assert changed_working_dates(CAL, official_calendar(version="copy")) == []
    later = calendar_from_entries(
        load_official_entries(),
        version="late",
        office_hours=OfficeHours.from_strings([["07:30", "11:30"], ["13:30", "17:30"]]),
    )
    assert changed_working_dates(CAL, later) is None
    [change] = changed_due_dates(CAL, later, promises)
    assert change.new_due == vn(2026, 11, 25, 17, 30)
