"""The ``holidays`` package as a seed, and where it disagrees with the official data.

Checked against the locked package version (``holidays`` 0.109): it already knows the 2024, 2025
and 2026 swaps (Sat 4/5/2024, Sat 26/4/2025, Sat 22/8/2026 worked, via ``weekend_workdays``),
but it lists 24/11/2026 (*Ngày Văn hóa Việt Nam*) as a holiday although the Labour Code has not
been amended (regulations §4.4), and it does not name the weekend days of the Tết break.
"""

from __future__ import annotations

from datetime import date

import pytest

from caicach.calendars.rules import DayEntry, DayKind, official_calendar, year_summary
from caicach.calendars.seed import (
    compare_with_official,
    draft_year_from_holidays,
    kind_for_holiday_name,
)

D = date


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        pytest.param("Tết Dương lịch", DayKind.HOLIDAY, id="new-year"),
        pytest.param("29 Tết", DayKind.TET, id="29-tet"),
        pytest.param("Giao thừa Tết Nguyên Đán", DayKind.TET, id="eve"),
        pytest.param("Mùng bốn Tết Nguyên Đán", DayKind.TET, id="day-4"),
        pytest.param("Ngày Giỗ Tổ Hùng Vương", DayKind.HOLIDAY, id="hung-kings"),
        pytest.param("Ngày Giỗ Tổ Hùng Vương (nghỉ bù)", DayKind.IN_LIEU, id="in-lieu"),
        pytest.param("Ngày nghỉ (thay cho ngày 26/04/2025)", DayKind.SWAPPED_OFF, id="swap"),
        pytest.param(
            "Quốc khánh; Ngày nghỉ (thay cho ngày 01/01/2030)", DayKind.SWAPPED_OFF, id="joined"
        ),
        pytest.param("Ngày Văn hóa Việt Nam", DayKind.HOLIDAY, id="culture-day"),
    ],
)
def test_kind_for_holiday_name(name: str, kind: DayKind) -> None:
    assert kind_for_holiday_name(name) is kind


def _by_date(entries: list[DayEntry]) -> dict[date, DayEntry]:
    return {e.date: e for e in entries}


@pytest.mark.parametrize(
    ("worked", "off"),
    [
        pytest.param(D(2024, 5, 4), D(2024, 4, 29), id="2024"),
        pytest.param(D(2025, 4, 26), D(2025, 5, 2), id="2025"),
        pytest.param(D(2026, 8, 22), D(2026, 8, 31), id="2026"),
    ],
)
def test_draft_has_the_swaps(worked: date, off: date) -> None:
    draft = _by_date(draft_year_from_holidays(worked.year))
    assert draft[worked].kind is DayKind.WORKED_WEEKEND
    assert f"{off:%d/%m/%Y}" in draft[worked].name_vi
    assert draft[off].kind is DayKind.SWAPPED_OFF
    assert draft[off].name_en  # English names come from the en_US translation


def test_draft_2026_in_lieu_and_tet() -> None:
    draft = _by_date(draft_year_from_holidays(2026))
    assert draft[D(2026, 4, 27)].kind is DayKind.IN_LIEU  # Sun 26/4 Giỗ Tổ -> Mon 27/4
    assert [d for d, e in sorted(draft.items()) if e.kind is DayKind.TET] == [
        D(2026, 2, d) for d in (16, 17, 18, 19, 20)
    ]


def test_2024_agrees_with_the_official_data() -> None:
    assert compare_with_official(2024) == []


def test_2025_differs_only_in_the_named_tet_weekend() -> None:
    diffs = compare_with_official(2025)
    assert [d.date for d in diffs] == [D(2025, 1, 25), D(2025, 1, 26), D(2025, 2, 2)]
    assert not any(d.affects_working_status for d in diffs)
    assert all(d.package_kind is None and d.official_kind is DayKind.TET for d in diffs)


def test_2026_package_anticipates_culture_day() -> None:
    diffs = {d.date: d for d in compare_with_official(2026)}
    culture = diffs[D(2026, 11, 24)]  # Tue 24/11/2026, not yet law
    assert culture.affects_working_status
    assert culture.package_kind is DayKind.HOLIDAY and culture.official_kind is None
    assert "Văn hóa" in culture.package_name
    assert "changes working status" in culture.describe()
    assert [d for d, x in diffs.items() if x.affects_working_status] == [D(2026, 11, 24)]
    assert set(diffs) - {D(2026, 11, 24)} == {D(2026, 2, d) for d in (14, 15, 21, 22)}


def test_a_swap_missing_from_the_package_is_reported() -> None:
    # If the package lacked the 2025 swap (as versions before 2025 did), the comparison flags it.
    draft = [
        e
        for e in draft_year_from_holidays(2025)
        if e.kind not in (DayKind.WORKED_WEEKEND, DayKind.SWAPPED_OFF)
    ]
    diffs = {d.date: d for d in compare_with_official(2025, draft=draft)}
    assert diffs[D(2025, 4, 26)].official_kind is DayKind.WORKED_WEEKEND
    assert diffs[D(2025, 4, 26)].affects_working_status
    assert diffs[D(2025, 5, 2)].official_kind is DayKind.SWAPPED_OFF


def test_draft_working_days_match_official_where_they_agree() -> None:
    # The weekday days off of the draft equal the official ones for 2024 and 2025.
    cal = official_calendar()
    for year in (2024, 2025):
        draft = draft_year_from_holidays(year)
        off = sorted(e.date for e in draft if not e.kind.is_working and e.date.weekday() < 5)
        assert off == [s.date for s in year_summary(cal, year).days_off]
