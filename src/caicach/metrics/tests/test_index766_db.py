"""Decision 766 on the hand-worked July of ``test_kpis`` (read from the rollups), and the
grouped reader against ``metrics.compute.kpi`` per agency (issue 13)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from caicach.metrics import index766 as ix
from caicach.metrics import index766_reads
from caicach.metrics.compute import kpi
from caicach.metrics.periods import parse_period
from caicach.metrics.tests.test_kpis import july  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_july_for_department_a_and_the_province(tree, july):  # noqa: F811
    july_ = parse_period("2025-07")
    for agency in (tree.dept_a, tree.province):
        res = index766_reads.index_for(agency, july_)
        by_id = {s.sub.id: s for g in res.groups for s in g.subs}
        # 2.1: D1 and D2 finished in July, both before their promise; but D2 was asked for a
        # supplement twice, which regulations §1.3 counts overdue (its stored timeliness_766):
        # R = 1/2 = 50%, linear (no threshold) -> 0.5 x 20 = 10
        assert (by_id["2.1"].figure.numerator, by_id["2.1"].figure.denominator) == (1, 2)
        assert by_id["2.1"].points == 10
        # 3.3: 1 online of 4 received = 25%: information only under the default split
        assert by_id["3.3"].figure.value == 25 and not by_id["3.3"].counted
        # 4.3: both finished dossiers reuse a stored component: 100% >= 80% -> 2
        assert by_id["4.3"].points == 2
        # 5.2: the citizen portal's facts: no data with the reason
        assert by_id["5.2"].points is None and by_id["5.2"].figure.reason_en
        assert res.total == sum(g.points for g in res.groups)
    # department B: nothing in July -> no data, not 0 points
    b = index766_reads.index_for(tree.dept_b, july_)
    assert {s.sub.id: s for g in b.groups for s in g.subs}["2.1"].points is None


def test_grouped_reader_equals_compute_per_agency(tree, july, django_assert_max_num_queries):  # noqa: F811
    agencies = list(vars(tree).values())
    codes = ix.kpi_codes("metadata") + ix.kpi_codes("operator")
    for label in ("2025-07", "2025-08", "2025-Q3", "2025"):
        period = parse_period(label)
        with django_assert_max_num_queries(12):
            bulk = index766_reads.kpis_for_agencies(codes, agencies, period)
        for (code, pk), fig in bulk.items():
            agency = next(a for a in agencies if a.pk == pk)
            expected = kpi(code, agency, period)
            assert (fig.numerator, fig.denominator, fig.value) == (
                expected.numerator,  # type: ignore[union-attr]
                expected.denominator,  # type: ignore[union-attr]
                expected.value,  # type: ignore[union-attr]
            ), (code, agency.code, label)


def test_the_kpi_command_prints_the_766_scores(tree, july):  # noqa: F811
    out = io.StringIO()
    call_command("kpi", agency=tree.dept_a.code, period="2025-07", json=True, stdout=out)
    doc: dict[str, Any] = json.loads(out.getvalue())
    assert doc["decision_766"]["formula_version"] == ix.FORMULA_VERSION
    assert doc["decision_766"]["groups"][1]["subs"][0]["points"] == "10.00"  # 2.1 as above


def test_legal_and_766_verdicts_side_by_side(tree, july):  # noqa: F811
    """D2 was asked for a supplement twice: early by the statutory time, late by 766 (§1.3: more
    than one request counts overdue): one difference in July. D1 is early by both ("early" and
    "on time" are both in time). Marking D1 late by 766 only makes two, for department A and the
    province, none for department B; D3 (finished in August) is not counted."""
    from caicach.dossiers.models import Dossier

    july_ = parse_period("2025-07")
    d2 = Dossier.objects.get(pk=july["d2"].pk)
    assert (d2.legal_timeliness, d2.timeliness_766) == ("early", "late")
    assert index766_reads.index_for(tree.province, july_).differences == 1
    Dossier.objects.filter(pk=july["d1"].pk).update(timeliness_766="late")
    diffs = index766_reads.verdict_differences([tree.province, tree.dept_a, tree.dept_b], july_)
    assert diffs == {tree.province.pk: 2, tree.dept_a.pk: 2, tree.dept_b.pk: 0}
    assert index766_reads.index_for(tree.dept_a, july_).as_dict()["verdict_differences"] == 2
