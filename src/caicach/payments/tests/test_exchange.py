"""Payments in the dossiers' JSON Lines exchange: exported with ``DuocThanhToanTrucTuyen``,
imported back identical; a refund beyond its payment is refused with the line and the path."""

from __future__ import annotations

import json

import pytest

from caicach.core.audit import Actor
from caicach.dossiers.exchange import export_dossiers, import_dossiers
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import receive, vn
from caicach.dossiers.tests.test_exchange import wipe_dossiers
from caicach.payments import services
from caicach.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)
CLI = Actor.system("test import")


def test_payments_round_trip(tree, officers, version) -> None:
    dossier = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 6, 2, 9))
    paid = services.record_payment(
        Actor(user=officers.receiver),
        dossier.code,
        services.PaymentInput(amount=8000, channel="gateway", reference="GW-7"),
    )
    services.refund_payment(Actor(user=officers.receiver), dossier.code, paid.pk, 3000)
    lines = list(export_dossiers(Dossier.objects.all()))
    line = json.loads(lines[0])
    assert line["portal"]["DuocThanhToanTrucTuyen"] == 2
    assert [(p["kind"], p["amount"], p["refund_of"]) for p in line["payments"]] == [
        ("payment", 8000, None),
        ("refund", 3000, 0),
    ]
    wipe_dossiers()
    import_dossiers(CLI, lines, source="lines.jsonl")
    assert Payment.objects.count() == 2
    assert list(export_dossiers(Dossier.objects.all())) == lines

    # A refund of more than is left of the payment: refused, nothing imported.
    wipe_dossiers()
    line["payments"][1]["amount"] = 9000
    with pytest.raises(Exception) as refused:
        import_dossiers(CLI, [json.dumps(line, ensure_ascii=False)], source="bad.jsonl")
    problems = getattr(refused.value, "problems", [])
    assert any(p.field == "payments[1].amount" for p in problems)
    assert not Payment.objects.exists()
