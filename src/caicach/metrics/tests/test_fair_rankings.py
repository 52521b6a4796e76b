"""Fair rankings, worked by hand (metrics.rankings.fair; shared/docs/metrics-notes.md, "Fair
comparisons between agencies": minimum volume, indirect standardisation, Wilson intervals,
most improved, why here), and their properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caicach.metrics.rankings.fair import Cell, Interval, rank, wilson


def cells(table: dict[str, dict[str, tuple[int, int]]]) -> list[Cell]:
    return [Cell(u, p, n, d) for u, strata in table.items() for p, (n, d) in strata.items()]


# A handles mostly land transfers (hard: the province does 60% of them on time), B and C mostly
# certified copies (easy: 90%). Province (A + B + C):
#   land: 48 + 4 + 8 = 60 on time of 80 + 10 + 10 = 100 -> r_land = 60%
#   copy: 20 + 81 + 79 = 180 on time of 20 + 90 + 90 = 200 -> r_copy = 90%
#   R = 240 / 300 = 80%
MIX = {
    "A": {"land": (48, 80), "copy": (20, 20)},
    "B": {"land": (4, 10), "copy": (81, 90)},
    "C": {"land": (8, 10), "copy": (79, 90)},
}


def test_raw_and_fair_ranks_disagree_when_the_mix_differs() -> None:
    r = rank(cells(MIX), min_volume=30)
    assert r.province_rate == Fraction(240, 300)
    a, b, c = (r.by_unit[u] for u in "ABC")
    # Raw: A 68/100 = 68%, B 85/100 = 85%, C 87/100 = 87% -> C 1, B 2, A 3.
    assert (a.raw_rate, b.raw_rate, c.raw_rate) == (
        Fraction(68, 100),
        Fraction(85, 100),
        Fraction(87, 100),
    )
    assert (c.raw_rank, b.raw_rank, a.raw_rank) == (1, 2, 3)
    # Expected: A 80 × 0.6 + 20 × 0.9 = 48 + 18 = 66; B 10 × 0.6 + 90 × 0.9 = 6 + 81 = 87;
    # C the same mix as B: 87.
    assert (a.expected, b.expected, c.expected) == pytest.approx((66, 87, 87))
    assert a.expected_rate == pytest.approx(0.66)
    # O/E: A 68/66 = 1.0303 > C 87/87 = 1 > B 85/87 = 0.977 -> A 1, C 2, B 3.
    assert (a.ratio, b.ratio, c.ratio) == pytest.approx((68 / 66, 85 / 87, 1))
    assert (a.rank, c.rank, b.rank) == (1, 2, 3)
    assert [s.unit for s in r.ranked] == ["A", "C", "B"]
    # Adjusted = O/E × R: A 68/66 × 0.8 = 82.42%, C 80%, B 85/87 × 0.8 = 78.16%.
    assert float(a.adjusted_rate) == pytest.approx(0.824242, abs=1e-6)
    assert float(b.adjusted_rate) == pytest.approx(0.781609, abs=1e-6)
    assert c.adjusted_rate == pytest.approx(0.8)
    # Why: A's copies are 20 on time where the province rate predicts 20 × 0.9 = 18 (+2);
    # its land transfers are as predicted (48 - 80 × 0.6 = 0), so only copies are named.
    assert [(x.stratum, x.gap) for x in a.contributions] == [
        ("copy", pytest.approx(2)),
        ("land", pytest.approx(0)),
    ]
    # B: land 4 - 10 × 0.6 = -2, copy 81 - 90 × 0.9 = 0.
    assert b.contributions[0].stratum == "land" and b.contributions[0].gap == pytest.approx(-2)
    names = {"copy": "Chứng thực bản sao", "land": "Chuyển nhượng đất"}
    r = rank(cells(MIX), labels=names)
    why = r.by_unit["A"]
    assert "68,0% (68/100 hồ sơ)" in why.why_vi
    assert "dự kiến 66,0%" in why.why_vi and "cao hơn 2,0 điểm %" in why.why_vi
    assert "Chứng thực bản sao (+2,0 hồ sơ)" in why.why_vi
    assert "Chuyển nhượng đất" not in why.why_vi  # a zero gap weighs nothing
    assert "predicts 66.0%" in why.why_en and "2.0 points above" in why.why_en
    assert "thấp hơn 2,0 điểm %" in r.by_unit["B"].why_vi


def test_wilson_and_the_adjusted_interval_by_hand() -> None:
    # Wilson, 68 of 100, z = 1.96: centre = (0.68 + 1.9208/100) / 1.038416 = 0.67334;
    # half = 1.96 / 1.038416 × sqrt(0.68 × 0.32 / 100 + 3.8416 / 40000) = 0.08997.
    ci = wilson(68, 100)
    assert ci is not None
    assert (ci.low, ci.high) == (pytest.approx(0.58337, abs=1e-4), pytest.approx(0.76331, abs=1e-4))
    # 0 of 10 and 10 of 10 stay inside [0, 1] and contain 0 and 1.
    assert wilson(0, 10) == Interval(0.0, pytest.approx(0.27753, abs=1e-4))
    low10 = wilson(10, 10)
    assert low10 is not None and low10.high == 1.0 and low10.low == pytest.approx(0.72247, abs=1e-4)
    assert wilson(0, 0) is None
    # A's adjusted interval = raw interval × R / (E/d) = × 0.8 / 0.66 = × 1.21212.
    a = rank(cells(MIX)).by_unit["A"]
    assert a.adjusted_ci is not None
    assert a.adjusted_ci.low == pytest.approx(0.58337 * 0.8 / 0.66, abs=1e-4)  # 0.70712
    assert a.adjusted_ci.high == pytest.approx(0.76331 * 0.8 / 0.66, abs=1e-4)  # 0.92522
    assert a.adjusted_ci.contains(float(a.adjusted_rate or 0))


def test_the_adjusted_rate_is_capped_at_100_percent_but_ranks_on_the_ratio() -> None:
    # Reference: hard 10 of 100 (10%), easy 90 of 100 (90%); R = 100/200 = 50%.
    ref = {"hard": (10, 100), "easy": (90, 100)}
    # X: 40 hard, 20 on time; E = 4, O/E = 5, O/E × R = 2.5 -> capped at 1.
    # Y: 40 hard, 12 on time; E = 4, O/E = 3 -> 1.5 -> capped at 1.
    r = rank([Cell("X", "hard", 20, 40), Cell("Y", "hard", 12, 40)], reference=ref)
    x, y = r.by_unit["X"], r.by_unit["Y"]
    assert (x.ratio, y.ratio) == pytest.approx((5, 3))
    assert x.adjusted_rate == y.adjusted_rate == 1
    assert (x.rank, y.rank) == (1, 2)
    assert x.adjusted_ci is not None and x.adjusted_ci.high == 1.0


@pytest.mark.parametrize(
    ("volumes", "min_volume", "ranked", "apart"),
    [
        # 29 < 30: apart; 30 is enough (at least the minimum).
        ({"A": 30, "B": 29}, 30, ["A"], ["B"]),
        ({"A": 30, "B": 29}, 29, ["A", "B"], []),
        # Nobody reaches the minimum: nobody is ranked; apart by volume, largest first.
        ({"A": 5, "B": 8}, 30, [], ["B", "A"]),
    ],
)
def test_minimum_volume(
    volumes: dict[str, int], min_volume: int, ranked: list[str], apart: list[str]
) -> None:
    # Every unit on time for all but one dossier: A (30) 29/30 = 96.7% beats B (29) 28/29 = 96.6%.
    cs = [Cell(u, "p", v - 1, v) for u, v in volumes.items()]
    r = rank(cs, min_volume=min_volume)
    assert [s.unit for s in r.ranked] == ranked
    assert [s.unit for s in r.apart] == apart
    for s in r.apart:
        assert s.rank is None and s.reason == "too_few" and s.raw_rate is not None
        assert "không xếp hạng" in s.why_vi


def test_a_unit_without_dossiers_is_listed_apart() -> None:
    r = rank([Cell("A", "p", 30, 40)], units=["A", "Z"])
    z = r.by_unit["Z"]
    assert z.volume == 0 and z.rank is None and z.raw_rate is None
    assert z.why_vi == "Không có hồ sơ trong kỳ."
    assert [s.unit for s in r.apart] == ["Z"]


def test_no_expected_value_is_not_ranked() -> None:
    # The province did none of "p" on time: expected 0, the ratio is undefined.
    r = rank([Cell("A", "p", 0, 40), Cell("B", "q", 20, 40)])
    assert r.by_unit["A"].reason == "no_expected" and r.by_unit["A"].rank is None
    assert r.by_unit["B"].rank == 1


def test_ties_share_a_rank_and_skip_the_next() -> None:
    # One procedure, reference = the sum: 30+30+20+10 of 40 each; ratios 3/4 : 3/4 : 1/2 : 1/4
    # over R = 90/160. X and Y tie at 1; Z is 3rd (not 2nd); W 4th.
    cs = [Cell("X", "p", 30, 40), Cell("Y", "p", 30, 40), Cell("Z", "p", 20, 40)]
    cs.append(Cell("W", "p", 10, 40))
    r = rank(cs)
    assert [(s.unit, s.rank) for s in r.ranked] == [("X", 1), ("Y", 1), ("Z", 3), ("W", 4)]


def test_lower_is_better_reverses_the_order() -> None:
    r = rank([Cell("X", "p", 30, 40), Cell("Y", "p", 10, 40)], higher_is_better=False)
    assert [s.unit for s in r.ranked] == ["Y", "X"]
    assert "càng thấp càng tốt" in r.by_unit["Y"].why_vi


def test_most_improved_with_significance() -> None:
    # Before: A 50/100, B 80/100 (one procedure: adjusted = raw). Now: A 80/100, B 80/100.
    # A +30 points: Wilson now [0.711, 0.867], before [0.404, 0.596]: apart -> significant.
    # B 0: not an improvement.
    now = [Cell("A", "p", 80, 100), Cell("B", "p", 80, 100)]
    before = [Cell("A", "p", 50, 100), Cell("B", "p", 80, 100)]
    r = rank(now, before)
    [a] = r.most_improved
    assert a.unit == "A" and a.change == pytest.approx(0.3) and a.significant
    assert {i.unit for i in r.improvements} == {"A", "B"}
    # Small counts: 3/5 -> 4/5 is +20 points, but the intervals overlap: not significant.
    r = rank([Cell("A", "p", 4, 5)], [Cell("A", "p", 3, 5)], min_volume=1)
    [a] = r.most_improved
    assert a.change == pytest.approx(0.2) and not a.significant
    # Ineligible in the comparison period (10 < 30): no change is shown.
    r = rank([Cell("A", "p", 80, 100)], [Cell("A", "p", 5, 10)])
    assert r.improvements == ()


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        rank([Cell("A", "p", 5, 4)])
    with pytest.raises(ValueError):
        rank([Cell("A", "p", -1, 4)])
    with pytest.raises(ValueError):
        rank([Cell("A", "p", 1, 4)], reference={"q": (1, 2)})
    with pytest.raises(ValueError):
        rank([], min_volume=0)


# -- properties -------------------------------------------------------------------------------

strata = st.lists(
    st.tuples(st.integers(0, 50), st.integers(1, 50)).map(lambda t: (min(t), max(t[1], 1))),
    min_size=1,
    max_size=5,
)


@given(strata, st.lists(st.integers(1, 4), min_size=5, max_size=5))
def test_an_agency_at_the_province_rate_everywhere_has_ratio_one(
    ref: list[tuple[int, int]], ks: list[int]
) -> None:
    reference = {f"p{i}": (n, d) for i, (n, d) in enumerate(ref)}
    cs = [
        Cell("A", f"p{i}", n * k, d * k) for (i, (n, d)), k in zip(enumerate(ref), ks, strict=False)
    ]
    s = rank(cs, reference=reference, min_volume=1).by_unit["A"]
    if s.expected:
        assert s.ratio == pytest.approx(1, rel=1e-12)
        assert float(s.raw_rate or 0) == pytest.approx(s.expected_rate, rel=1e-12)


units_counts = st.dictionaries(
    st.sampled_from("ABCDEFGH"),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=3, max_size=3),
    min_size=1,
)


def _cells(data: dict[str, list[tuple[int, int]]], k: int = 1) -> list[Cell]:
    return [
        Cell(u, f"p{i}", k * min(a, b), k * max(a, b))
        for u, pairs in data.items()
        for i, (a, b) in enumerate(pairs)
    ]


@settings(max_examples=60)
@given(units_counts, st.integers(2, 20))
def test_scaling_every_count_keeps_the_point_estimates(
    data: dict[str, list[tuple[int, int]]], k: int
) -> None:
    one, many = rank(_cells(data), min_volume=1), rank(_cells(data, k), min_volume=1)
    for u, s in one.by_unit.items():
        t = many.by_unit[u]
        assert s.raw_rate == t.raw_rate  # exact
        for mine, theirs in (
            (s.expected_rate, t.expected_rate),
            (s.ratio, t.ratio),
            (s.adjusted_rate, t.adjusted_rate),
        ):
            assert (mine is None) == (theirs is None)
            if mine is not None:
                assert mine == pytest.approx(theirs, rel=1e-12)
        assert s.rank == t.rank
        # More data, narrower (or equal) intervals; each contains its point.
        if s.raw_ci is not None and t.raw_ci is not None:
            assert t.raw_ci.high - t.raw_ci.low <= s.raw_ci.high - s.raw_ci.low + 1e-12
        for ci, point in ((s.raw_ci, s.raw_rate), (s.adjusted_ci, s.adjusted_rate)):
            if ci is not None and point is not None:
                assert 0 <= ci.low <= ci.high <= 1
                assert ci.contains(float(point))


@settings(max_examples=60)
@given(units_counts, st.integers(1, 60))
def test_ranks_are_competition_ranks(data: dict[str, list[tuple[int, int]]], m: int) -> None:
    r = rank(_cells(data), min_volume=m)
    ranks = [s.rank for s in r.ranked]
    assert all(x is not None for x in ranks)
    for i, x in enumerate(ranks):  # 1, then each rank equals the previous (tie) or i + 1
        assert x == 1 if i == 0 else x in (ranks[i - 1], i + 1)
    ratios = [s.ratio or 0 for s in r.ranked]
    assert ratios == sorted(ratios, reverse=True)
    assert all(s.volume >= m for s in r.ranked)
    assert all(s.volume < m or s.reason == "no_expected" for s in r.apart)
    assert len(r.ranked) + len(r.apart) == len(data)
