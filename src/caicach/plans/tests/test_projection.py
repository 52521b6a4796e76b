"""The projection of a target to its due date (plans.projection), worked by hand, and its
properties (issue 15, "Status per target")."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.plans import projection as pj
from caicach.plans import trajectory

D = Decimal


def pts(*rows: tuple[date, int | str]) -> list[pj.Point]:
    return [pj.Point(day, D(str(v))) for day, v in rows]


# Three values 30 days apart: (0, 60), (30, 66), (60, 72). mean x = 30, mean y = 66,
# Sxx = 900 + 0 + 900 = 1800, Sxy = (-30)(-6) + 0 + 30·6 = 360, slope = 0.2 a day (6 a month).
RISING = pts((date(2025, 1, 1), 60), (date(2025, 1, 31), 66), (date(2025, 3, 2), 72))


@pytest.mark.parametrize(
    ("points", "comparison", "threshold", "due", "today", "status", "method", "projected"),
    [
        # No value at all: no data.
        ([], "at_least", "80", date(2025, 12, 31), date(2025, 6, 1), "no_data", "none", None),
        # Trend to 31/5/2025 (x = 150 days from 1/1): 66 + 0.2·(150 - 30) = 90 ≥ 80 → on track
        # (the latest, 72, does not meet 80 yet).
        (
            RISING,
            "at_least",
            "80",
            date(2025, 5, 31),
            date(2025, 3, 5),
            "on_track",
            "linear_trend",
            "90",
        ),
        # Same trend, threshold 95: 90 misses by 5 ≤ margin 5 → at risk.
        (
            RISING,
            "at_least",
            "95",
            date(2025, 5, 31),
            date(2025, 3, 5),
            "at_risk",
            "linear_trend",
            "90",
        ),
        # Threshold 99: misses by 9 > 5 → off track.
        (
            RISING,
            "at_least",
            "99",
            date(2025, 5, 31),
            date(2025, 3, 5),
            "off_track",
            "linear_trend",
            "90",
        ),
        # Latest 72 already ≥ 70 and the trend holds → achieved (before the due date).
        (
            RISING,
            "at_least",
            "70",
            date(2025, 5, 31),
            date(2025, 3, 5),
            "achieved",
            "linear_trend",
            "90",
        ),
        # Falling values and "at most" (e.g. overdue share ≤ 5): 72 → 66 → 60 reversed; the
        # line falls 0.2 a day: at x = 150 the value is 66 - 0.2·120 = 42, clamped at 0..100.
        # Not ≤ 5 by 37 → off track.
        (
            pts((date(2025, 1, 1), 72), (date(2025, 1, 31), 66), (date(2025, 3, 2), 60)),
            "at_most",
            "5",
            date(2025, 5, 31),
            date(2025, 3, 5),
            "off_track",
            "linear_trend",
            "42",
        ),
        # Two values only: no trend, the latest (66) is carried forward; 66 ≥ 60 → achieved.
        (
            RISING[:2],
            "at_least",
            "60",
            date(2025, 12, 31),
            date(2025, 3, 5),
            "achieved",
            "latest",
            "66",
        ),
        # A stage already due is judged on the last value on or before its due date: 66 on
        # 31/1 for a stage due 15/2 (72 came later): 66 < 70 → off track, whatever came after.
        (RISING, "at_least", "70", date(2025, 2, 15), date(2025, 6, 1), "off_track", "final", "66"),
        (RISING, "at_least", "65", date(2025, 2, 15), date(2025, 6, 1), "achieved", "final", "66"),
        # Ranks: lower is better. Ranks 30, 27, 24 a year apart (365, 366 days: 2024 is a leap
        # year); x = 0, 365, 731; mean x = 365.33, mean y = 27; Sxy = -2193, Sxx = 267,132.67,
        # slope ≈ -0.0082 a day. On 31/12/2025 (x = 1095) the rank is 27 - 0.0082·729.67 ≈ 21.0:
        # not in the top 20 by about 1 ≤ margin 2 → at risk.
        (
            pts((date(2023, 1, 1), 30), (date(2024, 1, 1), 27), (date(2025, 1, 1), 24)),
            "rank_at_or_above",
            "20",
            date(2025, 12, 31),
            date(2025, 1, 2),
            "at_risk",
            "linear_trend",
            None,
        ),
        # Exactly: 100 with tolerance 0; latest 100 carried → achieved.
        (
            pts((date(2025, 1, 1), 100)),
            "exactly",
            "100",
            date(2025, 12, 31),
            date(2025, 2, 1),
            "achieved",
            "latest",
            "100",
        ),
    ],
)
def test_status_table(
    points: list[pj.Point],
    comparison: pj.Comparison,
    threshold: str,
    due: date,
    today: date,
    status: str,
    method: str,
    projected: str | None,
) -> None:
    ev = pj.evaluate(points, comparison, D(threshold), due, today, bounds=(D(0), D(100)))
    assert (ev.status, ev.method) == (status, method)
    if projected is not None:
        assert ev.projected is not None
        assert ev.projected.quantize(D("0.01")) == D(projected).quantize(D("0.01"))
    assert ev.method_vi and ev.method_en


def test_rank_projection_worked_by_hand() -> None:
    ev = pj.evaluate(
        pts((date(2023, 1, 1), 30), (date(2024, 1, 1), 27), (date(2025, 1, 1), 24)),
        "rank_at_or_above",
        D(20),
        date(2025, 12, 31),
        date(2025, 1, 2),
        margin=D(2),
        bounds=(D(1), None),
    )
    assert ev.projected is not None
    assert D("20.9") < ev.projected < D("21.1")
    assert ev.slope_per_month is not None and ev.slope_per_month < 0


def test_shortfall_per_comparison() -> None:
    assert pj.shortfall("at_least", D(85), D(90)) == 5
    assert pj.shortfall("at_most", D(7), D(5)) == 2
    assert pj.shortfall("rank_at_or_above", D(18), D(15)) == 3
    assert pj.shortfall("rank_at_or_above", D(12), D(15)) == 0
    assert pj.shortfall("exactly", D(98), D(100), D(1)) == 1


def test_current_stage_and_worst() -> None:
    dues = [date(2025, 12, 31), date(2030, 12, 31)]
    assert pj.current_stage(dues, date(2024, 6, 1)) == 0
    assert pj.current_stage(dues, date(2026, 1, 1)) == 1
    assert pj.current_stage(dues, date(2031, 1, 1)) == 1
    assert pj.worst(["achieved", "at_risk", "no_data"]) == "at_risk"
    assert pj.worst(["no_data"]) == "no_data"


def test_trajectory_step_and_relative() -> None:
    # Sóc Trăng goal 4, district tier: 20% in 2021, +20 a year: 20, 40, 60, 80, 100.
    stages = trajectory.expand(
        {"kind": "step", "start": 2021, "until": 2025, "base": 20, "step": 20, "cap": 100}
    )
    assert [s.threshold for s in stages] == [20, 40, 60, 80, 100]
    # Goal 17: from 2026 one rank better a year: rank 15 reached in 2025 → 14 for 2026 and,
    # if 2026 ends at 16, 15 for 2027.
    rel = trajectory.expand({"kind": "relative", "start": 2026, "until": 2027, "step": -1})
    values = {date(2025, 12, 31): D(15), date(2026, 12, 31): D(16)}
    assert trajectory.resolve(rel, values.get, date(2025, 12, 31)) == [14, 15]
    assert trajectory.resolve(rel, {}.get, date(2025, 12, 31)) == [None, None]
    with pytest.raises(trajectory.TrajectoryError):
        trajectory.expand({"kind": "step", "start": 2025, "until": 2021, "base": 1, "step": 1})
    with pytest.raises(trajectory.TrajectoryError):
        trajectory.expand({"kind": "spiral", "start": 2021, "until": 2022, "step": 1})


values = st.lists(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), min_size=0, max_size=14
)


def _series(vals: list[Decimal]) -> list[pj.Point]:
    start = date(2024, 1, 31)
    return [pj.Point(start + timedelta(days=30 * i), v) for i, v in enumerate(vals)]


@given(
    vals=values,
    shift=st.decimals(min_value=0, max_value=50, places=2),
    threshold=st.decimals(min_value=0, max_value=100, places=1),
    ahead=st.integers(min_value=-400, max_value=900),
)
def test_raising_every_value_never_worsens_an_at_least_status(
    vals: list[Decimal], shift: Decimal, threshold: Decimal, ahead: int
) -> None:
    points = _series(vals)
    today = date(2025, 3, 1)
    due = today + timedelta(days=ahead)
    before = pj.evaluate(points, "at_least", threshold, due, today)
    raised = [pj.Point(p.day, p.value + shift) for p in points]
    after = pj.evaluate(raised, "at_least", threshold, due, today)
    if before.status == "no_data":
        assert after.status == "no_data"
    else:
        assert pj.status_rank(after.status) <= pj.status_rank(before.status)


@given(vals=values, threshold=st.decimals(min_value=1, max_value=60, places=0))
def test_rank_mirror_of_at_most(vals: list[Decimal], threshold: Decimal) -> None:
    """A rank target is an "at most" target on the rank: the same status."""
    points = _series([v + 1 for v in vals])
    today, due = date(2025, 3, 1), date(2025, 12, 31)
    a = pj.evaluate(points, "rank_at_or_above", threshold, due, today)
    b = pj.evaluate(points, "at_most", threshold, due, today)
    assert a.status == b.status


@given(vals=values)
def test_status_is_always_one_of_five(vals: list[Decimal]) -> None:
    ev = pj.evaluate(_series(vals), "at_least", D(50), date(2025, 12, 31), date(2025, 3, 1))
    assert ev.status in pj.STATUSES
    assert (ev.status == "no_data") == (not [p for p in _series(vals) if p.day <= date(2025, 3, 1)])
