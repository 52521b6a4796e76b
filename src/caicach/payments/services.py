"""Recording fees paid on a dossier, and refunds (Luật Phí và lệ phí 2015; Decision 766, 3.5).

Each writer runs in one transaction that locks the dossier row (``SELECT ... FOR UPDATE``),
checks the caller's scope and role, writes the payment, numbers its receipt, writes the audit
entry and emits the domain event, so all of them commit or roll back together.

Who may record:

- scope: a dossier outside the caller's ``dossiers.view`` scope is a 404, its existence not
  revealed (:func:`caicach.dossiers.scope.may_view`);
- cash at the counter: a receiving officer (``dossiers.receive``) of the dossier's receiving
  agency, which collects it (NĐ 61/2018 art. 15: fees are paid when the dossier is received);
- bank transfer, gateway, national platform: the same officers, or an administrator of the
  receiving agency (``dossiers.administer``), or a named system actor (an integration, the
  import), with the transaction's ``reference``;
- a refund: the same rule, over the collecting agency of the payment refunded.

Receipts ("biên lai thu phí, lệ phí", TT 78/2021 and NĐ 11/2020) are numbered per collecting
agency and calendar year, gap-free: the number is taken under a transaction-scoped advisory lock
on (agency, year) and the row is written in the same transaction, so a rollback frees the
number and two counters never take the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from caicach.accounts.access import can_any
from caicach.accounts.errors import ForbiddenError
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError
from caicach.core.events import emit
from caicach.dossiers.history import counted_change
from caicach.dossiers.inputs import aware
from caicach.dossiers.models import Dossier
from caicach.dossiers.scope import DossierNotFoundError, may_view
from caicach.dossiers.work import locked_dossier
from caicach.payments import rules
from caicach.payments.events import PaymentRecorded, PaymentRefunded
from caicach.payments.models import Payment, PaymentChannel, PaymentKind

#: Actions that let an officer record money for an agency.
RECORDING_ACTIONS = ("dossiers.receive", "dossiers.administer")
#: Counter officers only: cash is taken at the receiving desk.
CASH_ACTIONS = ("dossiers.receive",)
MAX_AMOUNT = 10**12


class PaymentError(BilingualError):
    """A payment or refund that cannot be recorded (400)."""

    code = "invalid_payment"

    def __init__(self, field: str, vi: str, en: str, *, code: str = "invalid_payment") -> None:
        super().__init__(vi, en, code=code, errors={field: [en]})
        self.errors_vi = {field: [vi]}
        self.field = field


class PaymentNotFoundError(BilingualError):
    status = 404
    code = "payment_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy khoản thu này trong hồ sơ.", "No such payment on this dossier."
        )


@dataclass(frozen=True)
class PaymentInput:
    amount: Any
    channel: str
    paid_at: datetime | None = None
    reference: str = ""
    note: str = ""


@dataclass(frozen=True)
class Statement:
    """What a dossier owes and what was paid (the "Phí, lệ phí" block and the API)."""

    owed: int
    paid: int
    balance: int
    paid_online: bool
    payments: list[Payment]


def statement(dossier: Dossier) -> Statement:
    """Fees owed by the dossier's version, its payments and refunds, the balance (2 queries)."""
    fees = list(dossier.procedure_version.fees.all())
    payments = list(Payment.objects.filter(dossier=dossier).select_related("recorded_by", "agency"))
    return Statement(
        owed=rules.amount_owed(fees),
        paid=rules.amount_paid(payments),
        balance=rules.balance(fees, payments),
        paid_online=rules.paid_online(payments),
        payments=payments,
    )


def _amount(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    try:
        amount = int(str(value).replace(".", "").replace(",", "").strip())
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0 or amount > MAX_AMOUNT:
        raise PaymentError(
            "amount",
            "Số tiền phải là số nguyên dương (đồng).",
            "The amount must be a positive whole number of đồng.",
        )
    return amount


def _check_role(actor: Actor, actions: tuple[str, ...], agency: Agency) -> None:
    if actor.user is None:
        if not actor.label:
            raise ForbiddenError("Cần đăng nhập.", "Authentication required.")
        return
    if not any(can_any(actor.user, a, [agency]) for a in actions):
        raise ForbiddenError(
            "Chỉ cán bộ tiếp nhận của cơ quan thu mới được ghi nhận khoản thu này.",
            "Only a receiving officer of the collecting agency may record this.",
        )


def _locked(actor: Actor, code: str) -> Dossier:
    if actor.user is None:
        dossier = (
            Dossier.objects.select_related("receiving_agency", "procedure_version")
            .select_for_update(of=("self",))
            .filter(code=str(code).strip().upper())
            .first()
        )
        if dossier is None:
            raise DossierNotFoundError(str(code))
        return dossier
    return locked_dossier(code, actor.user)


def next_receipt_number(agency: Agency, year: int) -> str:
    """The next receipt number of ``agency`` in ``year``: ``000123/2026`` (gap-free; call inside
    the transaction that writes the payment)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"payments.receipt:{agency.pk}:{year}"]
        )
    taken = Payment.objects.filter(
        agency=agency, kind=PaymentKind.PAYMENT, receipt_number__endswith=f"/{year}"
    ).count()
    return f"{taken + 1:06d}/{year}"


def record_payment(actor: Actor, code: str, data: PaymentInput) -> Payment:
    """Record a payment of the dossier's fees; returns it with its receipt number.

    Refused (400, bilingual): an unknown channel, an amount not positive or above what is
    still owed, a time in the future, an online or transfer payment without a reference, a
    reference already recorded for the dossier (409).
    """
    channel = str(data.channel or "")
    if channel not in rules.CHANNELS:
        raise PaymentError(
            "channel",
            f"Hình thức thanh toán “{channel}” không hợp lệ.",
            f"Unknown payment channel “{channel}” ({', '.join(rules.CHANNELS)}).",
        )
    amount = _amount(data.amount)
    reference = str(data.reference or "").strip()[:100]
    if channel != PaymentChannel.CASH and not reference:
        raise PaymentError(
            "reference",
            "Cần mã giao dịch cho khoản thu chuyển khoản hoặc trực tuyến.",
            "A bank transfer or online payment needs its transaction reference.",
        )
    now = timezone.now()
    paid_at = aware(data.paid_at) if data.paid_at else now
    if paid_at > now + timedelta(minutes=5):
        raise PaymentError(
            "paid_at", "Thời điểm nộp không được ở tương lai.", "The payment time is in the future."
        )
    with transaction.atomic():
        dossier = _locked(actor, code)
        agency = dossier.receiving_agency
        _check_role(actor, CASH_ACTIONS if channel == "cash" else RECORDING_ACTIONS, agency)
        if reference and Payment.objects.filter(dossier=dossier, reference=reference).exists():
            raise BilingualError(
                f"Mã giao dịch {reference} đã được ghi nhận cho hồ sơ này.",
                f"Transaction {reference} is already recorded for this dossier.",
                code="duplicate_reference",
                status=409,
            )
        current = statement(dossier)
        if amount > current.balance:
            raise PaymentError(
                "amount",
                f"Số tiền {amount:,} đồng vượt số còn phải nộp ({max(current.balance, 0):,} đồng).".replace(
                    ",", "."
                ),
                f"{amount:,} VND is more than the {max(current.balance, 0):,} VND still owed.",
                code="overpayment",
            )
        payment = Payment(
            dossier=dossier,
            agency=agency,
            kind=PaymentKind.PAYMENT,
            amount=amount,
            channel=channel,
            portal_code=rules.portal_code(channel),
            paid_at=paid_at,
            reference=reference,
            note=str(data.note or "")[:500],
            recorded_by=actor.user,
            receipt_number=next_receipt_number(agency, timezone.localtime(paid_at).year),
        )
        with counted_change(dossier.pk):
            payment.save()
        emit(
            PaymentRecorded(
                dossier_id=dossier.pk,
                agency_id=agency.pk,
                amount=amount,
                channel=channel,
                at=paid_at,
                payment_id=payment.pk,
            )
        )
        record(
            actor,
            "payment.recorded",
            payment,
            agency=agency,
            changes={
                "dossier": dossier.code,
                "amount": amount,
                "channel": channel,
                "receipt_number": payment.receipt_number,
                "reference": reference,
            },
        )
    return payment


def refund_payment(
    actor: Actor, code: str, payment_id: Any, amount: Any, *, note: str = ""
) -> Payment:
    """Refund all or part of a payment (never more than what is left of it).

    The refund keeps the payment's channel and collecting agency, so an online payment fully
    refunded no longer counts as paid online (:func:`caicach.payments.rules.paid_online`).
    """
    value = _amount(amount)
    with transaction.atomic():
        dossier = _locked(actor, code)
        try:
            pk = int(payment_id)
        except (TypeError, ValueError):
            raise PaymentNotFoundError() from None
        original = (
            Payment.objects.select_related("agency")
            .filter(dossier=dossier, pk=pk, kind=PaymentKind.PAYMENT)
            .first()
        )
        if original is None:
            raise PaymentNotFoundError()
        _check_role(actor, RECORDING_ACTIONS, original.agency)
        refunded = sum(r.amount for r in Payment.objects.filter(refund_of=original))
        left = rules.refundable(original.amount, refunded)
        if value > left:
            raise PaymentError(
                "amount",
                f"Chỉ có thể hoàn trả tối đa {left:,} đồng của khoản thu này.".replace(",", "."),
                f"At most {left:,} VND of this payment can be refunded.",
                code="over_refund",
            )
        refund = Payment(
            dossier=dossier,
            agency=original.agency,
            kind=PaymentKind.REFUND,
            refund_of=original,
            amount=value,
            channel=original.channel,
            portal_code=original.portal_code,
            paid_at=timezone.now(),
            note=str(note or "")[:500],
            recorded_by=actor.user,
        )
        with counted_change(dossier.pk):
            refund.save()
        emit(
            PaymentRefunded(
                dossier_id=dossier.pk,
                agency_id=original.agency_id,
                amount=value,
                channel=original.channel,
                at=refund.paid_at,
                payment_id=refund.pk,
                refund_of_id=original.pk,
            )
        )
        record(
            actor,
            "payment.refunded",
            refund,
            agency=original.agency,
            changes={
                "dossier": dossier.code,
                "amount": value,
                "refund_of": original.pk,
                "receipt_number": original.receipt_number,
            },
        )
    return refund


def payments_of(user: Any, code: str) -> tuple[Dossier, Statement]:
    """The dossier (404 outside the caller's scope) and its statement."""
    dossier = (
        Dossier.objects.select_related(
            "receiving_agency", "deciding_agency", "current_agency", "procedure_version"
        )
        .filter(code=str(code).strip().upper())
        .first()
    )
    if dossier is None or not may_view(user, dossier):
        raise DossierNotFoundError(str(code))
    return dossier, statement(dossier)
