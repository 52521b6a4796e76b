"""Hand-worked KPIs over the facts recorded beside the dossier (issue 13, "The facts the metrics
count"): payments (Decision 766 3.6), ratings (5.4 / SIPAS), electronic results (4.1),
full-online submission (group 3) and inter-agency transfers (NĐ 45/2020 art. 13).

Department A's version: fee 8 000 đ (ProcedureVersionFactory), offered fully online.

====  =======  ==================  ==============================================  ===========
 id   channel  received (VN time)  facts                                           ends
====  =======  ==================  ==============================================  ===========
 F1   counter  Tue 01/07 09:00     cash 8 000; result ready 02/07; electronic      02/07
                                   result attached 03/07; rated "satisfied" 03/07
 F2   online   Tue 01/07 09:00     gateway 8 000 (code 2); rated "not satisfied"   01/07
 F3   online   Tue 01/07 10:00     national platform 8 000 (code 1), refunded      01/07
                                   in full
 F4   online   Tue 01/07 10:00     national platform 8 000, refunded 3 000         01/07
 F5   counter  Wed 02/07 09:00     transferred to dept B electronically, refused   03/07
 F6   counter  Wed 02/07 09:00     transferred to dept B on paper, refused         03/07
====  =======  ==================  ==============================================  ===========

July, department A (the deciding agency of all six: a transfer does not change it): finished
6, all fee-bearing; paid online F2 and F4 (F3's online payment is wholly refunded: not counted,
766 3.6) = 2 / 6; electronic results F1 = 1 / 6; rated F1, F2: satisfied 1 / 2 = 50%;
transfers 2 (F5, F6), electronic 1 = 50%. Received: 6, online 3 (F2-F4), full online 3 of 6
eligible = 50%. Department B decides nothing: every KPI "no data". The province: as A.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine

from caicach.core.audit import Actor
from caicach.dossiers import services as dossier_services
from caicach.dossiers.tests.factories import act, procedure_version, receive, vn
from caicach.metrics.compute import kpi, kpi_from_dossiers
from caicach.metrics.drill import dossiers_behind
from caicach.metrics.models import DailyRollup
from caicach.metrics.periods import parse_period
from caicach.metrics.rollup import rebuild
from caicach.payments import services as payments
from caicach.payments.services import PaymentInput
from caicach.ratings.services import give_rating

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% result\n%%EOF\n"
JULY = parse_period("2025-07")


def at(when: Any) -> Any:
    return time_machine.travel(when, tick=False)


@pytest.fixture
def world(tree: Any, officers: Any, make_officer: Any) -> dict[str, Any]:
    o = officers
    version = procedure_version(
        tree.dept_a, online_level="full", full_online_eligible=True, payable_online=True
    )
    version.procedure.handling_agencies.add(tree.dept_b)  # competent for the transfers
    receiver = Actor(user=o.receiver)
    processor_b = make_officer("processor", tree.dept_b, username="chuyenvien_b")
    leader_b = make_officer("agency_leader", tree.dept_b, username="lanhdao_b")
    with at(vn(2025, 7, 1, 9)) as t:
        f1 = receive(o.receiver, version, tree.dept_a)
        f2 = receive(o.receiver, version, tree.dept_a, channel="online")
        payments.record_payment(receiver, f1.code, PaymentInput(amount=8000, channel="cash"))
        payments.record_payment(
            receiver, f2.code, PaymentInput(amount=8000, channel="gateway", reference="GW-1")
        )
        t.move_to(vn(2025, 7, 1, 10))
        f3 = receive(o.receiver, version, tree.dept_a, channel="online")
        f4 = receive(o.receiver, version, tree.dept_a, channel="online")
        p3 = payments.record_payment(
            receiver,
            f3.code,
            PaymentInput(amount=8000, channel="national_platform", reference="NP-3"),
        )
        p4 = payments.record_payment(
            receiver,
            f4.code,
            PaymentInput(amount=8000, channel="national_platform", reference="NP-4"),
        )
        t.move_to(vn(2025, 7, 1, 11))
        payments.refund_payment(receiver, f3.code, p3.pk, 8000, note="Rút hồ sơ")
        payments.refund_payment(receiver, f4.code, p4.pk, 3000, note="Thu thừa")
        t.move_to(vn(2025, 7, 1, 15))
        for d in (f2, f3, f4):
            act(o.receiver, d, "refuse", reason="Không đủ điều kiện.")
        t.move_to(vn(2025, 7, 2, 9))
        f1 = act(o.receiver, f1, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
        f1 = act(o.processor, f1, "accept")
        f1 = act(o.processor, f1, "submit_for_approval")
        f5 = receive(o.receiver, version, tree.dept_a)
        f6 = receive(o.receiver, version, tree.dept_a)
        moved = []
        for d, paper in ((f5, False), (f6, True)):
            d = act(o.receiver, d, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
            d = act(o.processor, d, "accept")
            moved.append(
                act(o.processor, d, "transfer_agency", agency=tree.dept_b.code, paper=paper)
            )
        t.move_to(vn(2025, 7, 2, 10))
        f1 = act(o.leader, f1, "approve")
        f1 = act(o.processor, f1, "mark_result_ready")
        t.move_to(vn(2025, 7, 2, 16))
        give_rating(receiver, f2, value="not_satisfied", source="kiosk")
        t.move_to(vn(2025, 7, 3, 9))
        dossier_services.attach_result(receiver, f1.code, name="Giấy phép", content=PDF)
        give_rating(receiver, f1, value="satisfied", source="link")
        for d in moved:
            d = act(processor_b, d, "accept")
            act(leader_b, d, "refuse", reason="Không đủ điều kiện.")
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5, "f6": f6}


EXPECTED_A = {
    # code: (numerator, denominator, value) for department A in July 2025
    "paid_online": (2, 6, Decimal(100) / 3),
    "electronic_results": (1, 6, Decimal(100) / 6),
    "satisfaction": (1, 2, Decimal(50)),
    "online_share": (3, 6, Decimal(50)),
    "full_online_share": (3, 6, Decimal(50)),
    "transfers_electronic": (1, 2, Decimal(50)),
}


def check(code: str, agency: Any, expected: tuple[Any, Any, Any]) -> None:
    fig = kpi(code, agency, JULY)
    assert fig == kpi_from_dossiers(code, agency, JULY), code
    num, den, val = expected
    assert (fig.numerator, fig.denominator) == (num, den), code
    if val is None:
        assert fig.value is None and fig.reason_en, code
    else:
        assert float(fig.value) == pytest.approx(float(val)), code


def test_the_facts_kept_current_in_the_writers_transactions(tree, world):
    for code, expected in EXPECTED_A.items():
        check(code, tree.dept_a, expected)
    for code, expected in EXPECTED_A.items():
        check(code, tree.province, expected)
        check(code, tree.dept_b, (0, 0, None))


def test_a_rebuild_gives_the_same_rows(tree, world):
    fields = [f.name for f in DailyRollup._meta.fields if f.name != "id"]
    kept = sorted(DailyRollup.objects.values_list(*fields))
    rebuild(snapshots=False)
    assert sorted(DailyRollup.objects.values_list(*fields)) == kept
    for code, expected in EXPECTED_A.items():
        check(code, tree.dept_a, expected)


def test_the_dossiers_behind_the_facts(tree, world):
    w = world
    assert list(dossiers_behind("paid_online", tree.dept_a, JULY)) == [w["f2"], w["f4"]]
    assert list(dossiers_behind("electronic_results", tree.dept_a, JULY)) == [w["f1"]]
    assert list(dossiers_behind("satisfaction", tree.dept_a, JULY)) == [w["f1"]]
    assert list(dossiers_behind("satisfaction", tree.dept_a, JULY, "denominator")) == [
        w["f1"],
        w["f2"],
    ]
    full = dossiers_behind("full_online_share", tree.dept_a, JULY)
    assert list(full) == [w["f2"], w["f3"], w["f4"]]


def test_facts_land_on_the_day_processing_ended(tree, world):
    """F1 ended on 02/07; its result and rating came on 03/07 but are counted on 02/07."""
    day = DailyRollup.objects.filter(agency=tree.dept_a, day=vn(2025, 7, 2).date())
    assert sum(r.electronic_result for r in day) == 1
    assert sum(r.rated_satisfied for r in day) == 1
    assert not DailyRollup.objects.filter(
        agency=tree.dept_a, day=vn(2025, 7, 3).date(), rated__gt=0
    ).exists()
