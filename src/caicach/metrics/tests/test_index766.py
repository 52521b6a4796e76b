"""Decision 766 index: scoring, what-if and the index from hand-built figures (regulations §1.2).

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.metrics import index766 as ix
from caicach.metrics import index766_reads
from caicach.metrics.figures import Figure, ratio

F = Fraction


# --- score() --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("r", "t", "pmax", "expected"),
    [
        (90, 80, 4, F(4)),  # above T: all the points
        (80, 80, 4, F(4)),  # equal T: all the points
        (40, 80, 4, F(2)),  # below: 40 / 80 × 4 = 2
        (60, 80, 2, F(3, 2)),  # 60 / 80 × 2 = 1.5
        (0, 80, 6, F(0)),
        (75, None, 20, F(15)),  # linear (UNVERIFIED): 0.75 × 20 = 15
        (100, None, 6, F(6)),
        (Decimal("33.33"), None, 6, F(3333, 10000) * 6),
        (120, None, 6, F(6)),  # clamped to 100%
        (45, 90, 6, F(3)),  # 5.4: 45 / 90 × 6 = 3
        (None, 80, 4, None),  # no data stays no data
        (None, None, 4, None),
    ],
)
def test_score_table(r, t, pmax, expected):
    assert ix.score(r, t, pmax) == expected


@given(
    st.fractions(min_value=0, max_value=100),
    st.fractions(min_value=0, max_value=100),
    st.one_of(st.none(), st.integers(min_value=1, max_value=100)),
    st.integers(min_value=0, max_value=20),
)
def test_score_monotone_and_bounded(r1, r2, t, pmax):
    lo, hi = sorted((r1, r2))
    a, b = ix.score(lo, t, pmax), ix.score(hi, t, pmax)
    assert a is not None and b is not None
    assert 0 <= a <= b <= pmax


# --- what-if --------------------------------------------------------------------------------
def test_what_if_threshold():
    # 4.2: 30 digitised of 50 = 60%, T 80%, Pmax 4: 60/80×4 = 3 points.
    w = ix.what_if(30, 50, 80, 4, 5)
    # +5: 35/50 = 70% -> 70/80×4 = 3.5; gain 0.5
    assert (w.r_before, w.r_after) == (F(60), F(70))
    assert (w.points_before, w.points_after, w.gain) == (F(3), F(7, 2), F(1, 2))
    # 80% of 50 = 40: 10 more reach T
    assert w.k_to_full == 10
    assert ix.what_if(30, 50, 80, 4, 10).points_after == 4
    assert (ix.what_if(30, 50, 80, 4, 9).points_after or 0) < 4


def test_what_if_linear_and_caps():
    # 2.1: 90 on time of 100, linear 20 points: 18; +5 -> 19; to full: 10 more.
    w = ix.what_if(90, 100, None, 20, 5)
    assert (w.points_before, w.points_after, w.k_to_full) == (F(18), F(19), 10)
    # more than the denominator is capped at 100%
    assert ix.what_if(90, 100, None, 20, 50).points_after == 20
    # already above T: nothing to gain, k = 0
    w = ix.what_if(45, 50, 80, 4, 3)
    assert w.gain == 0 and w.k_to_full == 0


def test_what_if_no_data():
    w = ix.what_if(0, 0, 80, 4, 3)
    assert w.points_before is None and w.points_after is None and w.k_to_full is None
    with pytest.raises(ValueError):
        ix.what_if(1, 2, 80, 4, -1)


def test_k_to_full_rounds_up():
    # T 50% of 7 dossiers = 3.5: 4 needed; with 1 already, 3 more
    assert ix.k_to_full_points(1, 7, 50) == 3
    assert ix.k_to_full_points(4, 7, 50) == 0


@given(
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=1, max_value=500),
    st.one_of(st.none(), st.integers(min_value=1, max_value=100)),
)
def test_k_is_smallest(n, d, t):
    n = min(n, d)
    k = ix.k_to_full_points(n, d, t)
    assert k is not None
    assert ix.what_if(n, d, t, 6, k).points_after == 6
    if k > 0:
        assert (ix.what_if(n, d, t, 6, k - 1).points_after or 0) < 6


# --- data and settings ----------------------------------------------------------------------
def test_groups_sum_to_100_under_every_split():
    for split in ("metadata", "operator", "3.1:4,3.3:4,3.x:4"):
        subs = ix.sub_indicators(split)
        per_group = {g.number: sum(s.pmax for s in subs if s.group == g.number) for g in ix.GROUPS}
        assert per_group == {g.number: g.pmax for g in ix.GROUPS}
        assert sum(per_group.values()) == 100


def test_group3_split_presets_and_errors():
    assert ix.group3_split("metadata") == {"3.1": 0, "3.2": 0, "3.3": 0, "3.x": 12}
    assert ix.group3_split("operator") == {"3.1": 6, "3.2": 0, "3.3": 6, "3.x": 0}
    for bad in ("3.1:6", "9.9:12", "x", "3.1:-1,3.x:13"):
        with pytest.raises(ix.SettingError) as e:
            ix.group3_split(bad)
        assert "METRICS_766_GROUP3_SPLIT" in e.value.vi and e.value.en


def test_ids_unique_and_each_names_a_kpi():
    ids = [s.id for s in ix.SUB_INDICATORS]
    assert len(ids) == len(set(ids))
    assert all(s.kpi and s.rule.startswith("QĐ 766") for s in ix.SUB_INDICATORS)


# --- the index from figures (pure) ----------------------------------------------------------
def _hand_built():
    """A commune's month, hand built: what the registry gives today."""
    return {
        "on_time_766": ratio(45, 50),  # 90% -> 2.1 linear: 0.9 × 20 = 18
        "avg_processing_days": ratio(120, 50, factor=1),  # info, 0 points
        "procedures_online": ratio(6, 10),  # 60% (3.1 T 80)
        "online_share": ratio(20, 50),  # 40% (3.3 T 50)
        "full_online_share": ratio(5, 20),  # 25% -> 3.x linear: 0.25 × 12 = 3
        "procedures_payable_online": ratio(4, 5),  # 80% = T -> 2
        "paid_online": ratio(10, 40),  # 25% -> 0.25 × 6 = 1.5
        "electronic_results": ratio(25, 50),  # 50% -> 0.5 × 6 = 3
        "digitised": ratio(30, 50),  # 60% of T 80 -> 60/80 × 4 = 3
        "reuse": ratio(0, 50),  # 0% -> 0
        "satisfaction": ratio(9, 10),  # not a 766 KPI: ignored
    }


def test_index_excluding_no_data():
    res = ix.compute_index(_hand_built(), split="metadata", no_data="exclude")
    by_id = {s.sub.id: s for g in res.groups for s in g.subs}
    assert by_id["2.1"].points == 18
    assert by_id["3.x"].points == 3
    assert by_id["3.5"].points == 2
    assert by_id["3.6"].points == F(3, 2)
    assert by_id["4.1"].points == 3 and by_id["4.2"].points == 3 and by_id["4.3"].points == 0
    # no data: 1.x, 3.5b, 4.x, 4.4, 4.5a/b, 5.x (citizen portal)
    assert by_id["5.2"].points is None and "PAKN" in by_id["5.2"].figure.reason_vi
    assert by_id["5.2"].figure.reason_en and not by_id["5.2"].counted
    # counted maxima: group 2: 20, 3: 12, 4: 2 + 6, 5: 6 + 4 + 2 = 12 -> 52
    assert res.max_counted == 52
    # total 18 + 3 + 2 + 1.5 + 3 + 3 + 0 = 30.5
    assert res.total == F(61, 2)
    assert res.total == sum(g.points for g in res.groups)
    assert res.scaled == F(61, 2) * 100 / 52
    assert res.formula_version == ix.FORMULA_VERSION


def test_index_zero_policy_and_operator_split():
    res = ix.compute_index(_hand_built(), split="operator", no_data="zero")
    by_id = {s.sub.id: s for g in res.groups for s in g.subs}
    # 3.1: 60/80 × 6 = 4.5; 3.3: 40/50 × 6 = 4.8; 3.x: info now
    assert by_id["3.1"].points == F(9, 2) and by_id["3.3"].points == F(24, 5)
    assert by_id["3.x"].points == 0 and not by_id["3.x"].counted
    assert by_id["5.2"].points == 0 and by_id["5.2"].counted
    assert res.max_counted == 100
    # 18 + 4.5 + 4.8 + 2 + 1.5 + 3 + 3 + 0 = 36.8
    assert res.total == F(368, 10)


def test_registry_takes_a_missing_kpi_without_code_change():
    figs = _hand_built()
    figs["feedback_on_time"] = ratio(3, 4)  # 75% linear -> 4.5
    res = ix.compute_index(figs)
    by_id = {s.sub.id: s for g in res.groups for s in g.subs}
    assert by_id["5.2"].points == F(9, 2) and by_id["5.2"].counted


def test_no_denominator_is_no_data_not_zero():
    res = ix.compute_index({"on_time_766": ratio(0, 0)})
    g2 = res.groups[1]
    assert g2.subs[0].points is None and g2.max_counted == 0
    assert res.max_counted == 0 and res.scaled is None and res.total == 0


@given(
    st.dictionaries(
        st.sampled_from([s.kpi for s in ix.SUB_INDICATORS]),
        st.tuples(st.integers(0, 50), st.integers(0, 50)),
    )
)
def test_total_is_sum_of_groups_and_bounded(raw):
    figs = {k: ratio(min(n, d), d) for k, (n, d) in raw.items()}
    for policy in ("exclude", "zero"):
        res = ix.compute_index(figs, no_data=policy)
        assert res.total == sum(g.points for g in res.groups)
        for g in res.groups:
            assert 0 <= g.points <= g.max_counted <= g.group.pmax
        assert res.max_counted <= 100


def test_render_text_and_dict():
    res = ix.compute_index(_hand_built(), agency_code="X01", period="2025-07")
    text = ix.render_text(res)
    assert "X01 2025-07" in text and ix.FORMULA_VERSION in text and "30.50 / 52.00" in text
    d = res.as_dict()
    assert d["total"] == "30.50" and d["groups"][1]["subs"][0]["r"] == "90.00"
    assert isinstance(Figure(0, 0, None).as_dict(), dict)


def test_fold_up_sums_subtrees():
    class A:
        def __init__(self, pk, path):
            self.pk, self.path = pk, path

    province, dept, unit, other = (
        A(1, "000001."),
        A(2, "000001.000002."),
        A(3, "000001.000002.000003."),
        A(4, "000001.000004."),
    )
    counts = {"000001.": 1, "000001.000002.000003.": 5, "000001.000004.": 2, "": 9}
    assert index766_reads.fold_up(counts, [province, dept, unit, other]) == {1: 8, 2: 5, 3: 5, 4: 2}
    assert index766_reads.fold_up(counts, [dept]) == {2: 5}


@pytest.mark.django_db
def test_index_for_all_reads_once_for_every_agency(tree):
    """The KPI reader is called once with every agency (no per-agency loop); each agency gets
    its own figures."""
    from caicach.metrics.periods import parse_period

    calls = []
    agencies = [tree.province, tree.dept_a]

    def reader(codes, ags, period):
        calls.append([a.code for a in ags])
        return {
            ("on_time_766", tree.province.pk): ratio(9, 10),  # 0.9 × 20 = 18
            ("on_time_766", tree.dept_a.pk): ratio(1, 2),  # 0.5 × 20 = 10
        }

    out = index766_reads.index_for_all(parse_period("2025-07"), agencies, reader=reader)
    assert calls == [[tree.province.code, tree.dept_a.code]]
    assert [r.total for r in out] == [18, 10]
    assert [r.agency_code for r in out] == [tree.province.code, tree.dept_a.code]
    assert index766_reads.index_for(tree.dept_a, parse_period("2025-07"), reader=reader).total == 10
