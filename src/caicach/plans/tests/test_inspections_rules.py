"""The pure inspection rules, worked by hand (issue 15 "Inspections"; seeds 002/003)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.plans.inspections.rules import (
    DossierFacts,
    Quota,
    choose_sample,
    quota_coverage,
    remedied_share,
    risk,
)

F = DossierFacts


@pytest.mark.parametrize(
    ("facts", "score", "reasons"),
    [
        (F(1, "A"), 0, ()),
        (F(1, "A", late=True), 3, ("late",)),
        # One supplement request is the rule (NĐ 61/2018 art. 15); a second is a risk.
        (F(1, "A", pauses=1), 0, ()),
        (F(1, "A", pauses=2), 2, ("paused_twice",)),
        (F(1, "A", apologies=1), 2, ("apologised",)),
        (F(1, "A", not_satisfied=True), 3, ("not_satisfied",)),
        (F(1, "A", changed_after=True), 4, ("changed_after",)),
        # Everything: 3 + 2 + 2 + 3 + 4 = 14, reasons in the weights' order.
        (
            F(1, "A", True, 3, 1, True, True),
            14,
            ("late", "paused_twice", "apologised", "not_satisfied", "changed_after"),
        ),
        (F(1, "A", late=True, apologies=2), 5, ("late", "apologised")),
    ],
)
def test_risk_score_by_hand(facts: DossierFacts, score: int, reasons: tuple[str, ...]) -> None:
    assert risk(facts) == (score, reasons)


def test_sample_takes_the_riskiest_then_a_seeded_fill() -> None:
    facts = [
        F(1, "D1", late=True),  # 3
        F(2, "D2", changed_after=True),  # 4
        F(3, "D3", late=True),  # 3, after D1 by code
        F(4, "D4"),
        F(5, "D5"),
        F(6, "D6"),
    ]
    picks = choose_sample(facts, 5, seed=7)
    assert [(p.code, p.score, p.by) for p in picks[:3]] == [
        ("D2", 4, "risk"),
        ("D1", 3, "risk"),
        ("D3", 3, "risk"),
    ]
    assert [p.by for p in picks[3:]] == ["random", "random"]
    assert {p.code for p in picks[3:]} <= {"D4", "D5", "D6"}
    # Reproducible: the same data and seed, in any order, give the same sample.
    assert choose_sample(list(reversed(facts)), 5, seed=7) == picks
    # Fewer risky dossiers than the size asks: only the risk ones when size is small.
    assert [p.code for p in choose_sample(facts, 2, seed=7)] == ["D2", "D1"]
    assert choose_sample(facts, 0, seed=1) == []
    assert len(choose_sample(facts, 50, seed=1)) == 6


facts_strategy = st.lists(
    st.builds(
        F,
        id=st.integers(1, 10**6),
        code=st.text("ABC0123", min_size=1, max_size=6),
        late=st.booleans(),
        pauses=st.integers(0, 4),
        apologies=st.integers(0, 3),
        not_satisfied=st.booleans(),
        changed_after=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda f: f.code,
)


@given(facts_strategy, st.integers(0, 60), st.integers(0, 2**31))
def test_sample_properties(facts: list[DossierFacts], size: int, seed: int) -> None:
    picks = choose_sample(facts, size, seed)
    assert len(picks) == min(size, len(facts))
    assert len({p.code for p in picks}) == len(picks)
    # No random pick while a risky dossier was left out; scores never rise down the list.
    risky_left = [f for f in facts if risk(f)[0] > 0 and f.code not in {p.code for p in picks}]
    assert not (risky_left and any(p.by == "random" for p in picks))
    scores = [p.score for p in picks if p.by == "risk"]
    assert scores == sorted(scores, reverse=True)
    assert choose_sample(facts, size, seed) == picks


def test_quota_coverage_by_hand() -> None:
    # Seed 003: ≥30% of departments and ≥30% of communes; seed 002: or ≥60% of units.
    quotas = [
        Quota("department", Decimal(30), 1),
        Quota("commune", Decimal(30), 1),
        Quota("unit", Decimal(60), 2),
    ]
    # 3 of 10 departments (30.0% — met, "ít nhất"), 2 of 10 communes (20% — not met),
    # 5 of 20 units (25% — not met): no alternative fully met.
    results, met = quota_coverage(
        quotas, {"department": (3, 10), "commune": (2, 10), "unit": (5, 20)}
    )
    assert [(r.achieved, r.met) for r in results] == [
        (Decimal("30.0"), True),
        (Decimal("20.0"), False),
        (Decimal("25.0"), False),
    ]
    assert met is False
    # 1 of 3 departments = 33.3%, 1 of 3 communes = 33.3%: alternative 1 met.
    results, met = quota_coverage(quotas, {"department": (1, 3), "commune": (1, 3), "unit": (2, 6)})
    assert results[0].achieved == Decimal("33.3") and met is True
    # An empty tier cannot meet its quota.
    results, met = quota_coverage([Quota("commune", Decimal(30))], {})
    assert results[0].achieved is None and met is False


@pytest.mark.parametrize(
    ("total", "done", "share"),
    [(0, 0, None), (4, 4, Decimal("100.0")), (3, 2, Decimal("66.7")), (3, 0, Decimal("0.0"))],
)
def test_remedied_share(total: int, done: int, share: Decimal | None) -> None:
    assert remedied_share(total, done) == share


@given(st.integers(1, 1000), st.data())
def test_remedied_share_bounds(total: int, data: st.DataObject) -> None:
    done = data.draw(st.integers(0, total))
    share = remedied_share(total, done)
    assert share is not None and Decimal(0) <= share <= Decimal(100)
    with pytest.raises(ValueError):
        remedied_share(total, total + 1)
