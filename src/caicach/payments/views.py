"""The "Phí, lệ phí" block of the officer's dossier page, the counter's cash form and the
printable receipt. Thin views over :mod:`caicach.payments.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caicach.accounts.access import can_any, require_anywhere
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers.models import Dossier
from caicach.payments import services
from caicach.payments.documents import render_receipt
from caicach.payments.models import Payment, PaymentKind


class CashForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=500)


def vnd(amount: int) -> str:
    """``8000`` -> ``8.000`` (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".")


def panel_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The block's context: fees owed, payments, balance, and the cash form for the counter."""
    statement = services.statement(dossier)
    counter = can_any(request.user, "dossiers.receive", [dossier.receiving_agency])
    for p in statement.payments:
        p.amount_text = vnd(p.amount)  # type: ignore[attr-defined]
    return {
        "dossier": dossier,
        "statement": statement,
        "owed": vnd(statement.owed),
        "paid": vnd(statement.paid),
        "balance": vnd(statement.balance),
        "fees": [
            (f.name, vnd(f.amount)) for f in dossier.procedure_version.fees.all() if f.amount > 0
        ],
        "may_take_cash": counter and statement.balance > 0,
        "cash_form": CashForm(initial={"amount": max(statement.balance, 0)}),
    }


@login_required
@require_POST
def record_cash(request: HttpRequest, code: str) -> HttpResponse:
    """The counter takes cash: records it, numbers the receipt, back to the dossier page."""
    require_anywhere(request.user, "dossiers.view")
    form = CashForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("dossiers:detail", code=code)
    try:
        payment = services.record_payment(
            Actor.from_request(request),
            code,
            services.PaymentInput(
                amount=form.cleaned_data["amount"],
                channel="cash",
                note=form.cleaned_data["note"],
            ),
        )
    except services.DossierNotFoundError:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    except BilingualError as error:
        if error.status == 403:
            raise
        messages.error(request, localized(error))
        return redirect("dossiers:detail", code=code)
    messages.success(
        request,
        _("Đã thu %(amount)s đồng, biên lai số %(number)s.")
        % {"amount": f"{payment.amount:,}".replace(",", "."), "number": payment.receipt_number},
    )
    return redirect("dossiers:detail", code=code)


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
