"""The dashboards' targets and traffic lights (pure; ``metrics.dashboards.lights``), worked by
hand from the seed plans' figures (on time ≥ 99%, online ≥ 50%, shared/seeds), and the targets
hook of ``core.registry`` (issue 14 / issue 15)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.core import registry
from caicach.metrics.dashboards.lights import Target, TargetError, light, parse_targets

D = Decimal


@pytest.mark.parametrize(
    ("value", "comparison", "threshold", "unit", "expected"),
    [
        (D("99.00"), ">=", D(99), "%", "met"),  # exactly the plan's 99%: met
        (D("98.99"), ">=", D(99), "%", "near"),  # 0.01 point short
        (D("94.00"), ">=", D(99), "%", "near"),  # 5 points short: still near
        (D("93.99"), ">=", D(99), "%", "missed"),  # more than 5 points short
        (D("25"), ">=", D(50), "%", "missed"),  # test_kpis' July online share vs 50%
        (None, ">=", D(50), "%", "no_data"),  # no denominator: never red, never green
        (D(80), ">=", None, "%", "no_target"),
        (D("4.0"), "<=", D(4), "working_days", "met"),
        (D("4.4"), "<=", D(4), "working_days", "near"),  # 10% of 4 days = 0.4
        (D("4.5"), "<=", D(4), "working_days", "missed"),
        (D(100), "=", D(100), "%", "met"),
        (D(97), "=", D(100), "%", "near"),
    ],
)
def test_lights_worked_by_hand(value, comparison, threshold, unit, expected):
    assert light(value, comparison, threshold, unit) == expected


def test_the_setting_reads_targets_in_order():
    got = parse_targets("on_time_766>=99@2025-12-31, online_share>=50,avg_processing_days<=4")
    assert got == [
        Target("on_time_766", ">=", D(99), date(2025, 12, 31)),
        Target("online_share", ">=", D(50), None),
        Target("avg_processing_days", "<=", D(4), None),
    ]
    assert parse_targets("") == []
    assert parse_targets("a>=1,a>=2") == [Target("a", ">=", D(2), None)]


@pytest.mark.parametrize("text", ["on_time_766", ">=99", "x>=abc", "x>=1@2025-13-01", "x>=NaN"])
def test_bad_targets_are_refused_in_both_languages(text):
    with pytest.raises(TargetError) as err:
        parse_targets(text)
    assert err.value.vi and err.value.en


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_higher_value_never_gets_a_worse_light(value, threshold):
    order = {"missed": 0, "near": 1, "met": 2}
    lower = light(value, ">=", threshold, "%")
    higher = light(value + D("0.5"), ">=", threshold, "%")
    assert order[higher] >= order[lower]
    assert (lower == "met") == (value >= threshold)


def test_the_targets_hook(monkeypatch):
    monkeypatch.setattr(registry, "_targets_providers", [])
    assert registry.targets_for(None, date(2025, 7, 31)) == []

    def plan(agency: Any, day: Any) -> list[dict[str, Any]]:
        return [{"kpi_code": "online_share", "threshold": D(50), "due": day}]

    registry.register_targets_provider(plan)
    registry.register_targets_provider(plan)  # kept once
    assert registry.targets_provider() == [plan]
    assert registry.targets_for(None, date(2025, 7, 31))[0]["threshold"] == D(50)
