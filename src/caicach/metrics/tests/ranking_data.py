"""A province with a hand-built July 2025 where raw and fair ranks disagree (shared by the
page tests and the browser test of the rankings)."""

from __future__ import annotations

from datetime import date
from typing import Any

from caicach.agencies.models import AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers.tests.factories import procedure_version
from caicach.metrics.models import DailyRollup
from caicach.procedures.models import Procedure


def _put(agency: Any, version: Any, day: date, on_time: int, finished: int) -> None:
    DailyRollup.objects.create(
        day=day,
        agency=agency,
        procedure_id=version.procedure_id,
        version=version,
        channel="counter",
        finished=finished,
        finished_on_time=on_time,
        received=finished,
        received_online=on_time,
    )


def build_province(tree: Any) -> Any:
    """Departments A (Sở Tư pháp, its land transfers held by its unit), B (Sở Xây dựng), C;
    communes Tân Phú and Bình An. July 2025 as in ``test_fair_rankings.MIX``:
    A land 48/80 (on unit A), copy 20/20 -> raw 68%; B land 4/10, copy 81/90 -> 85%;
    C land 8/10, copy 79/90 -> 87%; the communes' copies 36/40 and 9/10. Province: land 60/100
    = 60%, copy 225/250 = 90%.
    June 2025: A land 30/80, copy 20/20 (50/100), for "most improved" (previous month)."""
    dept_c = AgencyFactory(
        code="000.00.03.H97", name="Sở Y tế", parent=tree.province, valid_from=date(2020, 1, 1)
    )
    commune2 = AgencyFactory(
        code="000.00.62.H97",
        name="Xã Bình An",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
    )
    land = procedure_version(tree.dept_a)
    copy = procedure_version(tree.dept_a)
    Procedure.objects.filter(pk=land.procedure_id).update(name="Chuyển nhượng đất")
    Procedure.objects.filter(pk=copy.procedure_id).update(name="Chứng thực bản sao")
    d1, d2 = date(2025, 7, 3), date(2025, 7, 20)
    _put(tree.unit_a, land, d1, 30, 50)
    _put(tree.unit_a, land, d2, 18, 30)  # 48/80, two days
    _put(tree.dept_a, copy, d1, 20, 20)
    _put(tree.dept_b, land, d1, 4, 10)
    _put(tree.dept_b, copy, d2, 81, 90)
    _put(dept_c, land, d1, 8, 10)
    _put(dept_c, copy, d1, 79, 90)
    _put(tree.commune, copy, d1, 36, 40)
    _put(commune2, copy, d1, 9, 10)  # 10 < 30: too few
    _put(tree.unit_a, land, date(2025, 6, 5), 30, 80)
    _put(tree.dept_a, copy, date(2025, 6, 5), 20, 20)
    tree.dept_c, tree.commune2, tree.land, tree.copy = dept_c, commune2, land, copy
    return tree
