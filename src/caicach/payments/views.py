"""The "Phí, lệ phí" block of the officer's dossier page, the counter's cash form and the
printable receipt. Thin views over :mod:`caicach.payments.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caicach.accounts.access import can_any, require_anywhere
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized, number
from caicach.dossiers.models import Dossier
from caicach.payments import rules, services
from caicach.payments.documents import render_receipt
from caicach.payments.models import Payment, PaymentKind


class CashForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=500)


class TransferForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1)
    reference = forms.CharField(
        label=gettext_lazy("Mã giao dịch (số tham chiếu của ngân hàng)"), max_length=100
    )
    paid_at = forms.DateTimeField(
        label=gettext_lazy("Thời điểm chuyển khoản"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Để trống: thời điểm hiện tại."),
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=500)


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Số tiền hoàn trả (đồng)"), min_value=1)
    reason = forms.CharField(label=gettext_lazy("Lý do hoàn trả"), max_length=500)


def vnd(amount: int) -> str:
    """``8000`` -> ``8.000`` (Vietnamese thousands separator)."""
    return number(amount)


def panel_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The block's context: fees owed, what was received and refunded, the balance, the
    payments with their refund forms, and the counter's cash and bank-transfer forms."""
    statement = services.statement(dossier)
    counter = can_any(request.user, "dossiers.receive", [dossier.receiving_agency])
    recorder = any(
        can_any(request.user, action, [dossier.receiving_agency])
        for action in services.RECORDING_ACTIONS
    )
    refunded: dict[int, int] = {}
    for p in statement.payments:
        if p.refund_of_id is not None:
            refunded[p.refund_of_id] = refunded.get(p.refund_of_id, 0) + p.amount
    for p in statement.payments:
        p.amount_text = vnd(p.amount)  # type: ignore[attr-defined]
        left = rules.refundable(p.amount, refunded.get(p.pk, 0)) if p.kind == "payment" else 0
        p.refund_left_text = vnd(left)  # type: ignore[attr-defined]
        may_refund = left > 0 and any(
            can_any(request.user, action, [p.agency]) for action in services.RECORDING_ACTIONS
        )
        p.refund_form = (  # type: ignore[attr-defined]
            RefundForm(prefix=f"refund-{p.pk}", initial={"amount": left}) if may_refund else None
        )
    owing = max(statement.balance, 0)
    return {
        "dossier": dossier,
        "statement": statement,
        "owed": vnd(statement.owed),
        "received": vnd(rules.amount_received(statement.payments)),
        "refunded": vnd(rules.amount_refunded(statement.payments)),
        "any_refund": any(p.kind == "refund" for p in statement.payments),
        "paid": vnd(statement.paid),
        "balance": vnd(statement.balance),
        "fees": [
            (f.name, vnd(f.amount)) for f in dossier.procedure_version.fees.all() if f.amount > 0
        ],
        "may_take_cash": counter and statement.balance > 0,
        "cash_form": CashForm(initial={"amount": owing}),
        "may_record_transfer": recorder and statement.balance > 0,
        "transfer_form": TransferForm(prefix="transfer", initial={"amount": owing}),
    }


def _back(code: str) -> HttpResponse:
    return redirect(reverse("dossiers:detail", args=[code]) + "#fees")


def _form_errors(form: forms.Form) -> str:
    """A refused form's errors, each after its field's label."""
    parts: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return " ".join(parts)


def _record(request: HttpRequest, code: str, write: Any) -> Any:
    """Call a recording service; ``None`` (and a message) when it refuses."""
    try:
        return write()
    except services.DossierNotFoundError:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    except BilingualError as error:
        if error.status == 403:
            raise
        messages.error(request, localized(error))
        return None


@login_required
@require_POST
def record_cash(request: HttpRequest, code: str) -> HttpResponse:
    """The counter takes cash: records it, numbers the receipt, back to the dossier page."""
    form = CashForm(request.POST)
    payment = _take(request, code, form, channel="cash")
    if payment is not None:
        messages.success(
            request,
            _("Đã thu %(amount)s đồng, biên lai số %(number)s.")
            % {"amount": vnd(payment.amount), "number": payment.receipt_number},
        )
    return _back(code)


@login_required
@require_POST
def record_transfer(request: HttpRequest, code: str) -> HttpResponse:
    """A bank transfer received for the dossier, with the bank's reference."""
    form = TransferForm(request.POST, prefix="transfer")
    payment = _take(request, code, form, channel="bank_transfer", extra=("paid_at", "reference"))
    if payment is not None:
        messages.success(
            request,
            _(
                "Đã ghi nhận chuyển khoản %(amount)s đồng (mã giao dịch %(reference)s), biên lai số %(number)s."
            )
            % {
                "amount": vnd(payment.amount),
                "reference": payment.reference,
                "number": payment.receipt_number,
            },
        )
    return _back(code)


def _take(
    request: HttpRequest, code: str, form: Any, *, channel: str, extra: tuple[str, ...] = ()
) -> Any:
    """Record a payment taken by an officer from ``form`` (amount, note and the ``extra``
    fields); the form's errors become a message. The payment, or ``None`` when refused."""
    require_anywhere(request.user, "dossiers.view")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return None
    data = form.cleaned_data
    return _record(
        request,
        code,
        lambda: services.record_payment(
            Actor.from_request(request),
            code,
            services.PaymentInput(
                amount=data["amount"],
                channel=channel,
                note=data["note"],
                **{name: data[name] for name in extra},
            ),
        ),
    )


@login_required
@require_POST
def refund(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Refund all or part of one payment of the dossier, with the reason."""
    require_anywhere(request.user, "dossiers.view")
    form = RefundForm(request.POST, prefix=f"refund-{pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(code)
    done = _record(
        request,
        code,
        lambda: services.refund_payment(
            Actor.from_request(request),
            code,
            pk,
            form.cleaned_data["amount"],
            note=form.cleaned_data["reason"],
        ),
    )
    if done is not None:
        messages.success(
            request,
            _("Đã hoàn trả %(amount)s đồng của biên lai số %(number)s.")
            % {"amount": vnd(done.amount), "number": done.refund_of.receipt_number},
        )
    return _back(code)


@login_required
def receipt_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The receipt of one payment of a dossier in the caller's scope, as PDF."""
    require_anywhere(request.user, "dossiers.view")
    try:
        dossier, _statement = services.payments_of(request.user, code)
    except services.DossierNotFoundError:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    payment = (
        Payment.objects.select_related(
            "dossier__applicant",
            "dossier__procedure_version",
            "agency__parent",
            "recorded_by",
        )
        .filter(dossier=dossier, pk=pk, kind=PaymentKind.PAYMENT)
        .first()
    )
    if payment is None:
        raise Http404(_("Không tìm thấy khoản thu."))
    pdf = render_receipt(payment, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"bien-lai-{payment.receipt_number.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
