"""Reporting periods and DHIS2 reporting rates (issue 15), worked by hand
(``plans.reporting.rates``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.plans.reporting.rates import Expected, Rate, periods, rate

D = date


@pytest.mark.parametrize(
    ("frequency", "start", "end", "started_by", "labels"),
    [
        # A yearly duty of a 2021-2025 plan, on 10/04/2024: the years begun so far.
        (
            "yearly",
            D(2021, 1, 1),
            D(2025, 12, 31),
            D(2024, 4, 10),
            ["2021", "2022", "2023", "2024"],
        ),
        # Quarters of 2024 begun by 10/04/2024: Q1 (ended) and Q2 (running).
        ("quarterly", D(2024, 1, 1), D(2024, 12, 31), D(2024, 4, 10), ["2024-Q1", "2024-Q2"]),
        # A plan starting mid-quarter still reports on that quarter.
        ("quarterly", D(2024, 5, 15), D(2024, 9, 30), D(2025, 1, 1), ["2024-Q2", "2024-Q3"]),
        (
            "half_yearly",
            D(2024, 1, 1),
            D(2025, 12, 31),
            D(2025, 7, 1),
            ["2024-H1", "2024-H2", "2025-H1", "2025-H2"],
        ),
        (
            "monthly",
            D(2024, 11, 1),
            D(2025, 12, 31),
            D(2025, 1, 31),
            ["2024-11", "2024-12", "2025-01"],
        ),
        # Ad hoc reports are asked for one by one: the frequency makes none.
        ("ad_hoc", D(2024, 1, 1), D(2024, 12, 31), D(2025, 1, 1), []),
    ],
)
def test_periods(
    frequency: str, start: date, end: date, started_by: date, labels: list[str]
) -> None:
    assert [p.label for p in periods(frequency, start, end, started_by=started_by)] == labels


# DHIS2 reporting rate = submitted / expected; on-time rate = submitted by the due day / expected.
DUE = D(2024, 4, 5)
CASES = [
    # nothing expected: no rate (no data, never 0 %)
    ([], (0, 0, 0, None, None)),
    # on the due day counts as on time (Civil Code 2015 art. 148: the period ends at day's end)
    ([DUE], (1, 1, 1, Decimal("100.0"), Decimal("100.0"))),
    # one day late: submitted, not on time
    ([DUE + timedelta(days=1)], (1, 1, 0, Decimal("100.0"), Decimal("0.0"))),
    # 3 expected: one on time, one late, one missing → 2/3 = 66.7 %, 1/3 = 33.3 %
    ([D(2024, 4, 1), D(2024, 4, 9), None], (3, 2, 1, Decimal("66.7"), Decimal("33.3"))),
    # 4 expected, all missing
    ([None] * 4, (4, 0, 0, Decimal("0.0"), Decimal("0.0"))),
]


@pytest.mark.parametrize(("submitted", "expected"), CASES)
def test_rate_by_hand(submitted: list[date | None], expected: tuple[object, ...]) -> None:
    r = rate(Expected(DUE, s) for s in submitted)
    assert (r.expected, r.submitted, r.on_time, r.reporting_rate, r.on_time_rate) == expected
    assert r.missing == r.expected - r.submitted


@given(st.lists(st.tuples(st.dates(), st.one_of(st.none(), st.dates())), max_size=40))
def test_rate_bounds(rows: list[tuple[date, date | None]]) -> None:
    r = rate(Expected(due, first) for due, first in rows)
    assert 0 <= r.on_time <= r.submitted <= r.expected == len(rows)
    if r.expected:
        assert r.reporting_rate is not None and r.on_time_rate is not None
        assert Decimal(0) <= r.on_time_rate <= r.reporting_rate <= Decimal(100)
    else:
        assert r == Rate(0, 0, 0) and r.reporting_rate is None
