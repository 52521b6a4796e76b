"""Issue 16: years past the official calendar get the Labour Code 2019 art. 112 holidays (fixed
and lunar, with the days off in lieu) as provisional entries, and the due dates counted over
them are ``provisional`` (regulations §4.1, §4.4; building.provisional_entries).

Worked by hand (official data 2024-2026; 2026 has no entry after 02/09; 5 working days, receipt
at 10:00, before the 15:00 cut-off; Civil Code art. 147: the receipt day is not counted):

* Mon 28/12/2026: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri 01/01/2027 New Year (art. 112) skipped,
  Sat 2 and Sun 3 skipped, Mon 4 (4), Tue 5 (5): due Tue 05/01/2027 17:00, provisional.
* Mon 01/02/2027: the lunar new year is Sat 06/02/2027 (``holidays`` package: Tết Nguyên Đán);
  the package's Tết break is Thu 04/02 - Wed 10/02 (Eve to day 4, two falling on the weekend
  made up on 29 Tết and day 5). Tue 2 (1), Wed 3 (2), 4-10/02 skipped, Thu 11 (3), Fri 12 (4),
  Mon 15 (5): due Mon 15/02/2027, provisional.
* Mon 07/12/2026: Tue 8, Wed 9, Thu 10, Fri 11, Mon 14: due Mon 14/12/2026, not provisional.
* Wed 21/04/2027 (Hùng Kings Fri 16/04/2027 is before it): Thu 22, Fri 23, Mon 26, Tue 27,
  Wed 28: due 28/04/2027; from Tue 13/04/2027: Wed 14, Thu 15, (Fri 16 Hùng Kings), Mon 19,
  Tue 20, Wed 21: due 21/04/2027.
"""

from __future__ import annotations

from datetime import date, datetime

import holidays
import pytest

from caicach.calendars import building, rules, services
from caicach.calendars.seed import PROVISIONAL_NOTE, art112_year
from caicach.core.audit import Actor


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=rules.VN_TZ)  # type: ignore[misc]


OFFICIAL = rules.load_official_data()
CAL = rules.calendar_from_entries(
    building.provisional_entries(OFFICIAL.years[1]),
    OFFICIAL.entries,
    version="t",
    years=OFFICIAL.years,
)

CASES = [
    (vn(2026, 12, 28, 10), vn(2027, 1, 5, 17), True),
    (vn(2027, 2, 1, 10), vn(2027, 2, 15, 17), True),
    (vn(2026, 12, 7, 10), vn(2026, 12, 14, 17), False),
    (vn(2027, 4, 21, 10), vn(2027, 4, 28, 17), True),
    (vn(2027, 4, 13, 10), vn(2027, 4, 21, 17), True),
]


@pytest.mark.parametrize(("received", "due", "provisional"), CASES)
def test_due_dates_past_the_official_years(
    received: datetime, due: datetime, provisional: bool
) -> None:
    result = rules.due_in_working_days(received, 5, CAL)
    assert result.due == due
    assert result.provisional is provisional


def test_the_lunar_new_year_2027_is_the_package_s() -> None:
    vn_holidays = holidays.country_holidays("VN", years=2027, language="vi")
    assert vn_holidays.get(date(2027, 2, 6)) == "Tết Nguyên Đán"
    tet = [e.date for e in art112_year(2027) if e.kind is rules.DayKind.TET]
    assert tet == [date(2027, 2, d) for d in range(4, 11)]


def test_art112_keeps_the_law_s_holidays_only() -> None:
    days = {e.date: e for e in art112_year(2027)}
    assert date(2027, 1, 1) in days and date(2027, 4, 16) in days  # New Year, Hùng Kings
    assert days[date(2027, 5, 3)].kind is rules.DayKind.IN_LIEU  # 1/5 is a Saturday
    assert date(2027, 11, 24) not in days  # Ngày Văn hóa: not in art. 112 yet (§4.4)
    assert all(e.note == PROVISIONAL_NOTE for e in days.values())
    kinds = {e.kind for e in days.values()}
    assert rules.DayKind.SWAPPED_OFF not in kinds and rules.DayKind.WORKED_WEEKEND not in kinds


def test_the_explanation_names_the_skipped_provisional_holiday() -> None:
    result = rules.due_in_working_days(vn(2026, 12, 28, 10), 5, CAL)
    assert any("01/01/2027" in line and "Tết Dương lịch" in line for line in result.explain_vi())
    assert any("tạm tính" in line for line in result.explain_vi())


@pytest.mark.django_db
def test_calendar_for_applies_them_and_declaring_the_year_keeps_them() -> None:
    cal = services.calendar_for()
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 2, 9))
    assert not cal.covers(date(2027, 1, 1))
    system = Actor.system("t")
    services.add_day(system, date(2027, 1, 4), "holiday", "Nghỉ bổ sung")
    services.set_official_years(system, 2024, 2027)
    cal = services.calendar_for()
    assert cal.covers(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 1, 1))  # seeded from art. 112, now official
    assert not cal.is_working_day(date(2027, 1, 4))  # what was entered is kept
    assert not rules.due_in_working_days(vn(2026, 12, 28, 10), 5, cal).provisional
    assert not cal.is_working_day(date(2028, 1, 3))  # 2028: provisional New Year in lieu
