"""The fee receipt as PDF ("Biên lai thu phí, lệ phí": NĐ 11/2020/NĐ-CP art. 3; TT 78/2021/TT-BTC
art. 30 on receipts), rendered with WeasyPrint on the one-stop forms' template base and font
(:mod:`caicach.dossiers.documents`)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from caicach.dossiers import documents
from caicach.payments.models import Payment


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


#: Vietnamese words for the amount, as receipts write it ("Bằng chữ").
_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _three(n: int, full: bool) -> str:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens > 1:
        words += [_DIGITS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    elif units:
        if words:
            words.append("lẻ")
        words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """``108000`` -> "Một trăm lẻ tám nghìn đồng" (no "chẵn")."""
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        amount, group = divmod(amount, 1000)
        groups.append(group)
    scales = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words.append(_three(group, full=index < len(groups) - 1))
        if scales[index]:
            words.append(scales[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]


def receipt_context(payment: Payment, *, base_url: str | None = None) -> dict[str, Any]:
    dossier = payment.dossier
    fees = list(dossier.procedure_version.fees.all())
    url = documents.lookup_url(dossier, base_url)
    person = dossier.applicant
    officer = payment.recorded_by
    parent = payment.agency.parent
    return {
        "font_faces": documents.font_faces(),
        "font_family": documents.FONT_FAMILY,
        "spec": {"title": "Biên lai thu phí, lệ phí", "number": "BL"},
        "agency": {
            "name": payment.agency.name,
            "parent": parent.name if parent is not None else "",
        },
        "place_date": documents.place_and_date(timezone.localtime(payment.paid_at)),
        "code": dossier.code,
        "payment": payment,
        "receipt_number": payment.receipt_number,
        "applicant_name": person.full_name,
        "procedure_name": dossier.procedure_version.name,
        "fees": [{"name": f.name, "amount": _vnd(f.amount)} for f in fees if f.amount > 0],
        "amount": _vnd(payment.amount),
        "amount_words": amount_in_words(payment.amount),
        "channel": payment.get_channel_display(),
        "paid_at": documents.time_and_date(payment.paid_at),
        "officer": (officer.full_name or officer.get_username()) if officer else "",
        "lookup_url": url,
        "qr": documents.qr_svg(url),
    }


def render_receipt_html(payment: Payment, *, base_url: str | None = None) -> str:
    return render_to_string("payments/receipt.html", receipt_context(payment, base_url=base_url))


def render_receipt(payment: Payment, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_receipt_html(payment, base_url=base_url)
    return bytes(HTML(string=html, base_url=documents.FONT_DIR.as_uri() + "/").write_pdf())
