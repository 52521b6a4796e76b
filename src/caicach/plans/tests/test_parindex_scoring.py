"""PAR-Index scoring worked by hand (issue 15 "PAR-Index self-assessment"; regulations.md §5.1)
and the criteria file's checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.plans.parindex.fileformat import ParFileError, read
from caicach.plans.parindex.scoring import Rule, gaps, points_for, rank, total

D = Decimal
ON_TIME = Rule("metric", "on_time", thresholds=((D(99), D(4)), (D(95), D(3)), (D(90), D(2))))
ONLINE = Rule("metric", "online_share", linear=(D(0), D(50)))
APOLOGIES_LOW = Rule("metric", "x", thresholds=((D(1), D(2)), (D(5), D(1))), higher_better=False)
SIPAS = Rule("survey", "sipas")


@pytest.mark.parametrize(
    ("rule", "maximum", "value", "points"),
    [
        (ON_TIME, D(4), D("99.5"), D(4)),  # ≥ 99 → 4
        (ON_TIME, D(4), D(99), D(4)),  # the bound itself is reached
        (ON_TIME, D(4), D("96.2"), D(3)),  # ≥ 95 → 3
        (ON_TIME, D(4), D(89), D(0)),  # below every bound → 0
        (ONLINE, D(5), D(25), D("2.50")),  # 5 × 25/50
        (ONLINE, D(5), D(60), D(5)),  # past the top: clamped to the maximum
        (ONLINE, D(5), D(-3), D(0)),  # below the bottom: 0
        (ONLINE, D(5), D(33), D("3.30")),  # 5 × 33/50 = 3.3
        (APOLOGIES_LOW, D(2), D("0.5"), D(2)),  # lower is better: ≤ 1 → 2
        (APOLOGIES_LOW, D(2), D(4), D(1)),  # ≤ 5 → 1
        (APOLOGIES_LOW, D(2), D(9), D(0)),
        (SIPAS, D(10), D("87.4"), D("8.74")),  # survey: 10 × 87.4 %
        (SIPAS, D(10), None, None),  # no result yet
        (Rule("manual"), D(3), D(1), None),  # the unit scores it
        (Rule("metric", "x", thresholds=((D(0), D(9)),)), D(4), D(1), D(4)),  # clamped
    ],
)
def test_points_by_hand(
    rule: Rule, maximum: Decimal, value: Decimal | None, points: Decimal | None
) -> None:
    assert points_for(rule, maximum, value) == points


def test_total_gaps_and_rank_by_hand() -> None:
    # Self 3 + 2.5 + (none) = 5.5 (a score above its maximum counts the maximum: 4 of 3 → 3).
    assert total([(D(3), D(3)), (D("2.5"), D(4)), (None, D(2))]) == D("5.5")
    assert total([(D(4), D(3))]) == D(3)
    # Gaps: 1.1 self 3 appraised 2 → +1; 1.2 self 2 appraised 2.5 → −0.5; 1.3 not appraised → 0.
    rows, summed = gaps([("1.1", D(3), D(2)), ("1.2", D(2), D("2.5")), ("1.3", D(1), None)])
    assert [g.gap for g in rows] == [D(1), D("-0.5"), D(0)] and summed == D("0.5")
    # Ties share a rank: 1, 2, 2, 4.
    assert rank({"a": D(90), "b": D(80), "c": D(80), "d": D(70)}) == [
        ("a", D(90), 1),
        ("b", D(80), 2),
        ("c", D(80), 2),
        ("d", D(70), 4),
    ]


points_st = st.decimals(min_value=-50, max_value=200, places=2, allow_nan=False)
max_st = st.decimals(min_value=D("0.5"), max_value=20, places=2, allow_nan=False)


@given(st.lists(st.tuples(st.one_of(st.none(), points_st), max_st), max_size=30))
def test_total_never_exceeds_the_maximum(scores: list[tuple[Decimal | None, Decimal]]) -> None:
    assert D(0) <= total(scores) <= sum((m for _p, m in scores), D(0))


@given(
    st.lists(
        st.tuples(st.one_of(st.none(), points_st), st.one_of(st.none(), points_st)), max_size=30
    )
)
def test_gaps_sum_to_the_difference_of_totals(
    pairs: list[tuple[Decimal | None, Decimal | None]],
) -> None:
    rows, summed = gaps([(str(i), a, b) for i, (a, b) in enumerate(pairs)])
    self_total = sum((a or D(0) for a, _b in pairs), D(0))
    appraised_total = sum(((b if b is not None else a) or D(0) for a, b in pairs), D(0))
    assert summed == self_total - appraised_total == sum((g.gap for g in rows), D(0))


@given(points_st, max_st, st.decimals(min_value=0, max_value=100, places=1))
def test_points_within_bounds(value: Decimal, maximum: Decimal, lo: Decimal) -> None:
    for rule in (ON_TIME, ONLINE, APOLOGIES_LOW, SIPAS, Rule("metric", "x", linear=(lo, lo))):
        points = points_for(rule, maximum, value)
        assert points is not None and D(0) <= points <= maximum


def test_shipped_files_read_and_bad_files_refused() -> None:
    from pathlib import Path

    data = Path(__file__).parents[1] / "parindex" / "data"
    for tier in ("department", "commune"):
        parsed = read((data / f"par_index_{tier}_2025.yaml").read_text(encoding="utf-8"))
        assert parsed.tier == tier and parsed.maximum == D(100) and len(parsed.domains) == 8
    bad = (
        "format: caicach-par-index/1\nyear: 2025\ntier: department\ndomains:\n"
        "  - code: '1'\n    name: A\n    max: 6\n    criteria:\n"
        "      - {code: '1.1', name: B, max: 3, rule: {kind: manual}}\n"
        "      - {code: '1.1', name: C, max: 1, rule: {kind: metric}}\n"
        "      - {code: '1.3', name: D, E, max: 1, rule: {kind: guess}}\n"
    )
    with pytest.raises(ParFileError) as caught:
        read(bad)
    text = " | ".join(en for _vi, en in caught.value.errors)
    assert "differs from its children's sum" in text  # 6 ≠ 3 + 1 + 1
    assert "duplicate code 1.1" in text
    assert "the source is missing" in text and "'thresholds' or 'linear'" in text
    assert "unknown keys E" in text and "'rule.kind' must be one of" in text
