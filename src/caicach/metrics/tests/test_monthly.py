"""Monthly rollups (issue 14, "Speed"): a figure read from the monthly rows equals the one read
from the daily rows, and a month whose daily rows changed is read from them until refreshed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F

from caicach.metrics import compute, rollup
from caicach.metrics.models import DailyRollup, DirtyMonth, MonthlyRollup
from caicach.metrics.periods import parse_period

pytestmark = pytest.mark.django_db


def _row(day: date, agency: object, channel: str, finished: int, on_time: int) -> DailyRollup:
    return DailyRollup(
        day=day,
        agency=agency,
        procedure_id=1,
        version_id=1,
        channel=channel,
        finished=finished,
        finished_on_time=on_time,
    )


@pytest.fixture
def rows(tree):
    DailyRollup.objects.bulk_create(
        [
            _row(date(2026, 1, 5), tree.dept_a, "counter", 10, 9),
            _row(date(2026, 1, 31), tree.unit_a, "online", 5, 5),
            _row(date(2026, 2, 1), tree.dept_a, "counter", 4, 1),
            _row(date(2026, 3, 15), tree.commune, "post", 6, 6),
        ]
    )


def _on_time(agency, label, by=None):
    return compute.kpi("on_time_766", agency, parse_period(label), by=by)


def test_writes_mark_their_months_dirty_and_a_refresh_cleans_them(tree, rows):
    assert set(DirtyMonth.objects.values_list("month", flat=True)) == {
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    }
    assert rollup.refresh_months() == 3
    assert not DirtyMonth.objects.exists()
    # January, department A's subtree: 10 + 5 finished, 9 + 5 on time, on two channels.
    january = MonthlyRollup.objects.filter(month=date(2026, 1, 1))
    assert sorted(january.values_list("agency_id", "channel", "finished", "finished_on_time")) == [
        (tree.dept_a.pk, "counter", 10, 9),
        (tree.unit_a.pk, "online", 5, 5),
    ]
    DailyRollup.objects.filter(day=date(2026, 2, 1)).update(
        finished_on_time=F("finished_on_time") + 3
    )
    assert set(DirtyMonth.objects.values_list("month", flat=True)) == {date(2026, 2, 1)}


@pytest.mark.parametrize("refreshed", [False, True])
def test_the_same_figures_from_daily_and_monthly_rows(tree, rows, refreshed):
    if refreshed:
        rollup.refresh_months()
    # Q1 for department A: finished 10 + 5 + 4 = 19, on time 9 + 5 + 1 = 15 → 78.947…%.
    fig = _on_time(tree.dept_a, "2026-Q1")
    assert (fig.numerator, fig.denominator) == (15, 19)
    assert fig.value == Decimal(15) / 19 * 100
    # The province, by channel: counter 14/10, online 5/5, post 6/6.
    by_channel = _on_time(tree.province, "2026-Q1", by="channel")
    assert {k: (f.numerator, f.denominator) for k, f in by_channel.items()} == {
        "counter": (10, 14),
        "online": (5, 5),
        "post": (6, 6),
    }
    # A custom range inside a month is read from the daily rows: 31 January only.
    fig = _on_time(tree.dept_a, "2026-01-31..2026-02-01")
    assert (fig.numerator, fig.denominator) == (6, 9)


def test_a_change_after_the_refresh_counts_at_once(tree, rows):
    rollup.refresh_months()
    DailyRollup.objects.filter(day=date(2026, 2, 1)).update(finished_on_time=4)
    # February is dirty: read from the daily rows (4/4); January still from the monthly rows.
    fig = _on_time(tree.dept_a, "2026-02")
    assert (fig.numerator, fig.denominator, fig.value) == (4, 4, 100)
    fig = _on_time(tree.dept_a, "2026-Q1")
    assert (fig.numerator, fig.denominator) == (18, 19)
    rollup.refresh_months()
    assert (_on_time(tree.dept_a, "2026-Q1").numerator) == 18


def test_the_rebuild_makes_the_monthly_rows(tree, rows):
    rollup.rebuild(snapshots=False)  # no dossiers: every rollup row goes
    assert not MonthlyRollup.objects.exists() and not DirtyMonth.objects.exists()
    assert _on_time(tree.dept_a, "2026-Q1").value is None


@pytest.mark.parametrize(
    ("label", "months"),
    [
        ("2026-02", [date(2026, 2, 1)]),
        ("2026-Q4", [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]),
        ("2025", [date(2025, m, 1) for m in range(1, 13)]),
        ("2026-01-01..2026-02-28", [date(2026, 1, 1), date(2026, 2, 1)]),
        ("2026-01-02..2026-02-28", None),
        ("2026-01-01..2026-02-27", None),
    ],
)
def test_whole_months(label, months):
    assert compute.whole_months(parse_period(label)) == months


@pytest.mark.parametrize("refreshed", [False, True])
def test_a_series_equals_the_months_one_by_one(tree, rows, refreshed):
    if refreshed:
        rollup.refresh_months()
        DailyRollup.objects.filter(day=date(2026, 3, 15)).update(finished=7)  # March dirty
    months = [parse_period(f"2025-{m}") for m in ("11", "12")]
    months += [parse_period(f"2026-0{m}") for m in (1, 2, 3)] + [parse_period("2026-Q1")]
    codes = ["on_time_766", "online_share", "overdue_open", "procedures_online"]
    for agency in (tree.province, tree.dept_a, tree.commune):
        series = compute.kpi_series(codes, agency, months)
        assert list(series) == codes
        for code in codes:
            assert series[code] == [compute.kpi(code, agency, p) for p in months], code
