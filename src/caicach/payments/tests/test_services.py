"""Recording payments and refunds: scope, roles, refunds bounded, receipts gap-free, events."""

from __future__ import annotations

from typing import Any

import pytest

from caicach.accounts.errors import ForbiddenError
from caicach.core.audit import Actor
from caicach.core.events import subscribe, unsubscribe
from caicach.core.models import AuditEntry
from caicach.dossiers.scope import DossierNotFoundError
from caicach.dossiers.tests.factories import receive, vn
from caicach.payments import services
from caicach.payments.events import PaymentRecorded, PaymentRefunded
from caicach.payments.models import Payment
from caicach.payments.services import PaymentError, PaymentInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(officers: Any, version: Any, tree: Any) -> Any:
    # ProcedureVersionFactory's one fee: "Lệ phí" 8 000 đồng.
    return receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))


def as_(user: Any) -> Actor:
    return Actor(user=user, ip_address="10.0.0.3")


def test_cash_at_the_counter_gets_a_receipt_and_an_audit_entry(officers, dossier) -> None:
    seen: list[Any] = []
    subscribe(PaymentRecorded, seen.append)
    try:
        payment = services.record_payment(
            as_(officers.receiver), dossier.code, PaymentInput(amount=8000, channel="cash")
        )
    finally:
        unsubscribe(PaymentRecorded, seen.append)
    assert payment.portal_code == 0
    assert payment.agency == dossier.receiving_agency
    assert payment.receipt_number.startswith("000001/")
    assert seen and seen[0].amount == 8000 and seen[0].channel == "cash"
    assert AuditEntry.objects.filter(action="payment.recorded", object_id=str(payment.pk)).exists()
    statement = services.statement(dossier)
    assert (statement.owed, statement.paid, statement.balance) == (8000, 8000, 0)
    assert statement.paid_online is False


def test_receipts_are_numbered_per_agency_and_year_without_gaps(
    officers, version, tree, dossier
) -> None:
    other = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 11))
    first = services.record_payment(
        as_(officers.receiver), dossier.code, PaymentInput(amount=5000, channel="cash")
    )
    with pytest.raises(PaymentError):  # refused: takes no number
        services.record_payment(
            as_(officers.receiver), other.code, PaymentInput(amount=9000, channel="cash")
        )
    second = services.record_payment(
        as_(officers.receiver), other.code, PaymentInput(amount=8000, channel="cash")
    )
    year = first.receipt_number.split("/")[1]
    assert [first.receipt_number, second.receipt_number] == [f"000001/{year}", f"000002/{year}"]


def test_online_payment_needs_a_reference_and_sets_the_portal_code(officers, dossier) -> None:
    with pytest.raises(PaymentError) as refused:
        services.record_payment(
            as_(officers.receiver), dossier.code, PaymentInput(amount=8000, channel="gateway")
        )
    assert refused.value.message_vi.startswith("Cần mã giao dịch")
    assert "reference" in refused.value.message_en
    payment = services.record_payment(
        Actor.system("dvcqg"),
        dossier.code,
        PaymentInput(amount=8000, channel="national_platform", reference="PAY-1"),
    )
    assert payment.portal_code == 1
    assert services.statement(dossier).paid_online is True


def test_refunds_are_bounded_by_what_was_paid(officers, dossier) -> None:
    payment = services.record_payment(
        as_(officers.receiver),
        dossier.code,
        PaymentInput(amount=8000, channel="gateway", reference="GW-1"),
    )
    seen: list[Any] = []
    subscribe(PaymentRefunded, seen.append)
    try:
        services.refund_payment(as_(officers.receiver), dossier.code, payment.pk, 3000)
        assert services.statement(dossier).paid_online is True  # partly refunded: still counts
        with pytest.raises(PaymentError) as refused:
            services.refund_payment(as_(officers.receiver), dossier.code, payment.pk, 5001)
        assert refused.value.code == "over_refund"
        assert "5.000" in refused.value.message_vi and "5,000" in refused.value.message_en
        refund = services.refund_payment(as_(officers.receiver), dossier.code, payment.pk, 5000)
    finally:
        unsubscribe(PaymentRefunded, seen.append)
    assert refund.refund_of == payment and refund.channel == "gateway"
    assert [e.amount for e in seen] == [3000, 5000]
    statement = services.statement(dossier)
    assert statement.paid_online is False  # fully refunded online payment does not count
    assert statement.balance == 8000
    assert Payment.objects.filter(dossier=dossier).count() == 3


def test_overpayment_is_refused_in_both_languages(officers, dossier) -> None:
    with pytest.raises(PaymentError) as refused:
        services.record_payment(
            as_(officers.receiver), dossier.code, PaymentInput(amount=8001, channel="cash")
        )
    assert "vượt số còn phải nộp" in refused.value.message_vi
    assert "still owed" in refused.value.message_en
    assert not Payment.objects.exists()


def test_outside_the_scope_is_not_found(officers, dossier) -> None:
    with pytest.raises(DossierNotFoundError) as refused:
        services.record_payment(
            as_(officers.receiver_b), dossier.code, PaymentInput(amount=8000, channel="cash")
        )
    assert refused.value.status == 404
    assert "Không tìm thấy hồ sơ" in refused.value.message_vi


def test_a_processor_may_not_take_cash(officers, dossier) -> None:
    with pytest.raises(ForbiddenError) as refused:
        services.record_payment(
            as_(officers.processor), dossier.code, PaymentInput(amount=8000, channel="cash")
        )
    assert refused.value.status == 403
    assert refused.value.message_en.startswith("Only a receiving officer")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, "abc", None, True])
def test_bad_amounts_are_refused(officers, dossier, amount) -> None:
    with pytest.raises(PaymentError):
        services.record_payment(
            as_(officers.receiver), dossier.code, PaymentInput(amount=amount, channel="cash")
        )


def test_unknown_payment_to_refund_is_not_found(officers, dossier) -> None:
    with pytest.raises(services.PaymentNotFoundError):
        services.refund_payment(as_(officers.receiver), dossier.code, 999999, 1)


@pytest.mark.parametrize(
    ("refunds", "refused", "left"),
    [
        # full refund at once
        ([8000], None, 0),
        # partial, then the rest
        ([3000, 5000], None, 0),
        # partial, then more than is left: refused, the first stays
        ([3000, 6000], "over_refund", 5000),
        # more than was paid at once
        ([9000], "over_refund", 8000),
        # a refund of a fully refunded payment
        ([8000, 1], "over_refund", 0),
        # not a positive amount
        ([0], "invalid_payment", 8000),
        (["-5"], "invalid_payment", 8000),
    ],
)
def test_refund_amounts(officers, dossier, refunds, refused, left) -> None:
    payment = services.record_payment(
        as_(officers.receiver), dossier.code, PaymentInput(amount=8000, channel="cash")
    )
    error = None
    for amount in refunds:
        try:
            services.refund_payment(
                as_(officers.receiver), dossier.code, payment.pk, amount, note="Thu nhầm"
            )
        except PaymentError as caught:
            error = caught
    assert (error.code if error else None) == refused
    if error is not None:
        assert error.message_vi and error.message_en and error.message_vi != error.message_en
    refunded = sum(r.amount for r in Payment.objects.filter(refund_of=payment))
    assert 8000 - refunded == left
    assert services.statement(dossier).balance == 8000 - left


def test_a_failure_after_the_write_leaves_nothing(officers, dossier, monkeypatch) -> None:
    """Payment, receipt number, event and audit entry commit together or not at all."""
    payment = services.record_payment(
        as_(officers.receiver), dossier.code, PaymentInput(amount=3000, channel="cash")
    )

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.refund_payment(as_(officers.receiver), dossier.code, payment.pk, 1000)
    with pytest.raises(RuntimeError):
        services.record_payment(
            as_(officers.receiver),
            dossier.code,
            PaymentInput(amount=5000, channel="bank_transfer", reference="VCB-1"),
        )
    assert list(Payment.objects.values_list("pk", flat=True)) == [payment.pk]
    monkeypatch.undo()
    again = services.record_payment(
        as_(officers.receiver),
        dossier.code,
        PaymentInput(amount=5000, channel="bank_transfer", reference="VCB-1"),
    )
    assert again.receipt_number.startswith("000002/")  # the failed one took no number
