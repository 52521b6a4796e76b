"""Hand-worked KPI tables (issue 13, "Correctness and bad input").

Department A's procedure: statutory 4 working days, promised 3 (official 2025 calendar).

=====  =======  ====================  ==========================================  ============
 id    channel  received (VN time)    then                                        ends
=====  =======  ====================  ==========================================  ============
 D1    counter  Tue 01/07 09:00       refused 01/07 15:00                         early (0.25 d)
 D2    counter  Tue 01/07 09:00       paused twice (supplements), refused 03/07   early (2.0417 d)
                                      10:00
 D3    online   Wed 30/07 09:00       refused Wed 20/08 09:00                     late (21 d)
 D4    counter  Thu 10/07 09:00       still open; promised 15/07                  overdue 31/07
=====  =======  ====================  ==========================================  ============

July: received 4 (1 online: 25%), finished 2 (both early against the promise and within the
statutory time: legal 2/2); by Decision 766 D2 is overdue (more than one supplement request,
regulations §1.3): 1/2; processing time = the stored working days (paused time excluded) / 2; supplement requests 2 / 2 = 1 per dossier;
open at the end of 31/07: D3 (promised in August) and D4 (overdue): 1 / 2 = 50%.
August: finished 1 (D3, late): 0% on time; nothing received: online share "no data".
June: nothing at all: every flow KPI "no data".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine

from caicach.agencies.models import AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers.tests.factories import act, procedure_version, receive, vn
from caicach.metrics.compute import kpi, kpi_from_dossiers
from caicach.metrics.drill import dossiers_behind
from caicach.metrics.periods import parse_period
from caicach.metrics.registry import all_kpis
from caicach.metrics.rollup import rebuild, snapshot
from caicach.metrics.scope import agency_ids

pytestmark = pytest.mark.django_db


def at(when: Any) -> Any:
    return time_machine.travel(when, tick=False)


@pytest.fixture
def july(tree: Any, officers: Any, version: Any) -> dict[str, Any]:
    o = officers
    with at(vn(2025, 7, 1, 9)) as t:
        d1 = receive(o.receiver, version, tree.dept_a)
        d2 = receive(o.receiver, version, tree.dept_a)
        t.move_to(vn(2025, 7, 1, 10))
        d2 = act(o.receiver, d2, "request_supplement", reason="Thiếu ảnh.")
        t.move_to(vn(2025, 7, 1, 15))
        d1 = act(o.receiver, d1, "refuse", reason="Không thuộc thẩm quyền.")
        t.move_to(vn(2025, 7, 2, 9))
        d2 = act(o.receiver, d2, "supplement_received")
        t.move_to(vn(2025, 7, 2, 10))
        d2 = act(o.receiver, d2, "request_supplement", reason="Lại thiếu.")
        t.move_to(vn(2025, 7, 3, 9))
        d2 = act(o.receiver, d2, "supplement_received")
        t.move_to(vn(2025, 7, 3, 10))
        d2 = act(o.receiver, d2, "refuse", reason="Không đủ điều kiện.")
        t.move_to(vn(2025, 7, 10, 9))
        d4 = receive(o.receiver, version, tree.dept_a)
        t.move_to(vn(2025, 7, 30, 9))
        d3 = receive(o.receiver, version, tree.dept_a, channel="online")
        t.move_to(vn(2025, 8, 20, 9))
        d3 = act(o.receiver, d3, "refuse", reason="Quá hạn.")
    snapshot(parse_period("2025-07").last)
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4}


def value(code: str, agency: Any, period: str) -> Any:
    fig = kpi(code, agency, parse_period(period))
    assert fig == kpi_from_dossiers(code, agency, parse_period(period)), code
    return fig


def test_the_hand_worked_month(tree, july):
    d1, d2, d3, d4 = (july[k] for k in ("d1", "d2", "d3", "d4"))
    assert (d1.timeliness, d2.timeliness, d3.timeliness) == ("early", "early", "late")
    assert d2.supplement_requests == 2
    pwd = d1.processing_working_days + d2.processing_working_days
    expected = {
        # code: (numerator, denominator, value)
        "on_time_766": (1, 2, Decimal(50)),  # D2: two supplement requests = overdue (766 §1.3)
        "on_time_legal": (2, 2, Decimal(100)),
        "early": (2, 2, Decimal(100)),
        "online_share": (1, 4, Decimal(25)),
        "avg_processing_days": (pwd, 2, pwd / 2),
        "supplements_per_dossier": (2, 2, Decimal(1)),
        "apologies": (0, 2, Decimal(0)),
        "overdue_open": (1, 2, Decimal(50)),
        "reuse": (2, 2, Decimal(100)),  # the one component is taken from the store (KHO-0001)
    }
    for agency in (tree.dept_a, tree.province):
        for code, (num, den, val) in expected.items():
            fig = value(code, agency, "2025-07")
            assert (fig.numerator, fig.denominator) == (num, den), code
            assert float(fig.value) == pytest.approx(float(val)), code
    assert value("on_time_766", tree.dept_b, "2025-07").value is None  # nothing there
    behind = dossiers_behind("on_time_766", tree.province, parse_period("2025-07"))
    assert list(behind) == [d1]
    assert list(dossiers_behind("on_time_legal", tree.province, parse_period("2025-07"))) == [
        d1,
        d2,
    ]
    assert list(dossiers_behind("overdue_open", tree.province, parse_period("2025-07"))) == [d4]
    received = dossiers_behind(
        "online_share", tree.province, parse_period("2025-07"), "denominator"
    )
    assert list(received) == sorted([d1, d2, d3, d4], key=lambda d: d.pk)


def test_received_in_one_month_finished_in_the_next(tree, july):
    august = value("on_time_766", tree.dept_a, "2025-08")
    assert (august.numerator, august.denominator, august.value) == (0, 1, 0)
    assert value("on_time_legal", tree.dept_a, "2025-08").value == 0
    no_receipts = value("online_share", tree.dept_a, "2025-08")
    assert no_receipts.value is None and "mẫu số bằng 0" in no_receipts.reason_vi
    quarter = value("on_time_766", tree.dept_a, "2025-Q3")
    assert (quarter.numerator, quarter.denominator) == (1, 3)
    legal = value("on_time_legal", tree.dept_a, "2025-Q3")
    assert (legal.numerator, legal.denominator) == (2, 3)


def test_no_dossiers_is_no_data_never_zero(tree, version):
    rebuild()
    for k in all_kpis():
        fig = kpi(k.code, tree.province, parse_period("2025-06"))
        if k.source != "catalogue":
            assert fig.value is None, k.code
            assert fig.reason_vi and fig.reason_en, k.code


def test_kept_current_equals_rebuilt(tree, july):
    from caicach.metrics.models import DailyRollup

    fields = [f.name for f in DailyRollup._meta.fields if f.name != "id"]
    kept = sorted(DailyRollup.objects.values_list(*fields))
    rebuild()
    assert sorted(DailyRollup.objects.values_list(*fields)) == kept


def test_a_merged_commune_rolls_up_to_its_successor(tree, officers, make_officer):
    from datetime import date

    old = AgencyFactory(
        code="000.00.62.H97", name="Xã Cũ", kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE, parent=tree.province, valid_from=date(2020, 1, 1),
    )  # fmt: skip
    version = procedure_version(old)
    clerk = make_officer("receiver", old, username="motcua_cu")
    with at(vn(2025, 6, 10, 9)):
        receive(clerk, version, old, channel="online")
    old.valid_to, old.successor = date(2025, 6, 30), tree.commune
    old.save()
    assert old.pk in agency_ids(tree.commune)
    june = value("online_share", tree.commune, "2025-06")
    assert (june.numerator, june.denominator) == (1, 1)  # the history before the merger
    assert value("online_share", old, "2025-06").denominator == 1
    assert value("online_share", tree.province, "2025-06").denominator == 1  # counted once
    by_tier = kpi("online_share", tree.province, parse_period("2025-06"), by="tier")
    assert by_tier == kpi_from_dossiers(
        "online_share", tree.province, parse_period("2025-06"), by="tier"
    )
    assert by_tier["commune"].denominator == 1


def test_a_catalogue_entry_changed_mid_period(tree):
    from datetime import date

    version = procedure_version(tree.dept_a, online_level="none", effective_to=date(2025, 7, 15))
    procedure_version(
        tree.dept_b, online_level="none", effective_from=date(2025, 1, 1)
    )  # another department
    version.pk = None
    version.number, version.effective_from, version.effective_to = 2, date(2025, 7, 16), None
    version.online_level = "full"
    version.save()
    june = kpi("procedures_online", tree.dept_a, parse_period("2025-06"))
    july = kpi("procedures_online", tree.dept_a, parse_period("2025-07"))
    assert (june.numerator, june.denominator, june.value) == (0, 1, 0)
    assert (july.numerator, july.denominator, july.value) == (1, 1, 100)  # as at 31/07
    province = kpi("procedures_online", tree.province, parse_period("2025-07"))
    assert (province.numerator, province.denominator) == (1, 2)
    cut = kpi("time_cut_25", tree.dept_a, parse_period("2025-07"))
    assert (cut.numerator, cut.denominator) == (1, 1)  # 3 of 4 days: a cut of exactly 25%


def test_a_kpi_whose_facts_do_not_exist_yet_is_no_data_with_the_reason(tree):
    fig = kpi("satisfaction", tree.province, parse_period("2025-07"))
    if fig.value is None and fig.denominator == 0:
        assert fig.reason_vi and fig.reason_en
