"""Properties (issue 13): rollup KPI == raw KPI; rebuild == kept current; for every additive
measure, an agency's value is its own rows plus the sum over its children."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caicach.core.audit import Actor
from caicach.dossiers.tests.factories import act, procedure_version, receive, vn
from caicach.metrics.compute import BREAKDOWNS, kpi, kpi_from_dossiers
from caicach.metrics.models import DailyRollup
from caicach.metrics.periods import parse_period
from caicach.metrics.registry import ROLLUP_MEASURES, all_kpis
from caicach.metrics.rollup import rebuild, snapshot
from caicach.payments import services as payments
from caicach.payments.services import PaymentInput
from caicach.ratings.services import give_rating

pytestmark = pytest.mark.django_db(transaction=False)

dossier = st.tuples(
    st.integers(0, 60),  # day after 02/06/2025
    st.integers(7, 16),  # hour received
    st.sampled_from(["counter", "online", "post"]),
    st.sampled_from(["a", "unit", "commune"]),
    st.one_of(st.none(), st.integers(1, 24 * 30)),  # hours until refused, or still open
    st.sampled_from([None, "cash", "gateway", "gateway_refunded"]),  # a payment at receipt
    st.sampled_from([None, "satisfied", "not_satisfied"]),  # a rating a day after the end
)
PERIODS = ["2025-06", "2025-Q3", "2025-06-15..2025-07-20"]


@pytest.fixture
def world(tree: Any, make_officer: Any) -> dict[str, Any]:
    out = {}
    for key, agency in (("a", tree.dept_a), ("unit", tree.unit_a), ("commune", tree.commune)):
        out[key] = (agency, procedure_version(agency), make_officer("receiver", agency))
    return out


def _load(world: dict[str, Any], rows: list[tuple[Any, ...]]) -> None:
    pending = []
    for i, (day, hour, channel, where, hours, paid, rating) in enumerate(rows):
        agency, version, clerk = world[where]
        start = vn(2025, 6, 2, hour) + timedelta(days=day)
        with time_machine.travel(start, tick=False):
            d = receive(clerk, version, agency, channel=channel)
            _pay(clerk, d, paid, i)
        if hours is not None:
            pending.append((start + timedelta(hours=hours), d, clerk, rating))
    for when, d, clerk, rating in sorted(pending, key=lambda p: p[0]):
        with time_machine.travel(when, tick=False):
            act(clerk, d, "refuse", reason="Không đủ điều kiện.")
        if rating is not None:  # after the end: counted back on the day processing ended
            with time_machine.travel(when + timedelta(days=1), tick=False):
                give_rating(Actor(user=clerk), d.pk, value=rating, source="kiosk")


def _pay(clerk: Any, d: Any, paid: str | None, i: int) -> None:
    if paid is None:
        return
    actor = Actor(user=clerk)
    channel = "cash" if paid == "cash" else "gateway"
    payment = payments.record_payment(
        actor, d.code, PaymentInput(amount=8000, channel=channel, reference=f"REF-{i}")
    )
    if paid == "gateway_refunded":
        payments.refund_payment(actor, d.code, payment.pk, 8000)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(dossier, max_size=8))
def test_rollups_agree_with_the_raw_dossiers(tree, world, rows):
    sid = transaction.savepoint()
    try:
        _load(world, rows)
        fields = [f.name for f in DailyRollup._meta.fields if f.name != "id"]
        kept = sorted(DailyRollup.objects.values_list(*fields))
        rebuild(snapshots=False)
        assert sorted(DailyRollup.objects.values_list(*fields)) == kept  # rebuild == kept
        for label in PERIODS:
            period = parse_period(label)
            snapshot(period.last)
            for k in all_kpis():
                if k.source == "catalogue":
                    continue
                for by in BREAKDOWNS:
                    for agency in (tree.province, tree.dept_a):
                        assert kpi(k.code, agency, period, by=by) == kpi_from_dossiers(
                            k.code, agency, period, by=by
                        ), (k.code, label, by)
            # Additive: province = its own rows + the sum over its children.
            for measure in ROLLUP_MEASURES:
                qs = DailyRollup.objects.filter(day__gte=period.first, day__lte=period.last)

                def total(agency: Any, qs: Any = qs, measure: str = measure) -> Any:
                    rows_ = qs.filter(agency__path__startswith=agency.path)
                    return sum(getattr(r, measure) for r in rows_)

                own = sum(getattr(r, measure) for r in qs.filter(agency=tree.province))
                children = sum(total(c) for c in tree.province.children.all())
                assert total(tree.province) == own + children, measure
    finally:
        transaction.savepoint_rollback(sid)
