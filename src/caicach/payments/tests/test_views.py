"""The dossier page's "Phí, lệ phí" block, the counter's cash form and the receipt PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caicach.dossiers.tests.factories import receive, vn
from caicach.payments.documents import amount_in_words, render_receipt_html
from caicach.payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(officers: Any, version: Any, tree: Any) -> Any:
    return receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))


def test_the_counter_records_cash_and_prints_the_receipt(client, officers, dossier) -> None:
    client.force_login(officers.receiver)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Phí, lệ phí" in page and "Thu tiền mặt và in biên lai" in page
    response = client.post(
        reverse("payments:record_cash", args=[dossier.code]), {"amount": "8000"}, follow=True
    )
    payment = Payment.objects.get()
    assert f"biên lai số {payment.receipt_number}" in response.content.decode()
    pdf = client.get(reverse("payments:receipt", args=[dossier.code, payment.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = render_receipt_html(payment)
    assert "Biên lai thu phí, lệ phí" in html and "Tám nghìn đồng" in html


def test_an_overpayment_is_shown_not_recorded(client, officers, dossier) -> None:
    client.force_login(officers.receiver)
    response = client.post(
        reverse("payments:record_cash", args=[dossier.code]), {"amount": "9000"}, follow=True
    )
    assert "vượt số còn phải nộp" in response.content.decode()
    assert not Payment.objects.exists()


def test_out_of_scope_is_404_and_processor_403(client, officers, dossier) -> None:
    client.force_login(officers.receiver_b)
    url = reverse("payments:record_cash", args=[dossier.code])
    assert client.post(url, {"amount": "8000"}).status_code == 404
    client.force_login(officers.processor)
    assert client.post(url, {"amount": "8000"}).status_code == 403
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Phí, lệ phí" in page and "Thu tiền mặt" not in page


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (8_000, "Tám nghìn đồng"),
        (108_000, "Một trăm lẻ tám nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (1_005_000, "Một triệu không trăm lẻ năm nghìn đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_the_counter_records_a_bank_transfer_with_its_reference(client, officers, dossier) -> None:
    client.force_login(officers.receiver)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Ghi nhận chuyển khoản" in page
    url = reverse("payments:record_transfer", args=[dossier.code])
    missing = client.post(url, {"transfer-amount": "8000"}, follow=True).content.decode()
    assert "Mã giao dịch (số tham chiếu của ngân hàng)" in missing and not Payment.objects.exists()
    response = client.post(
        url,
        {
            "transfer-amount": "8000",
            "transfer-reference": "VCB 123456",
            "transfer-paid_at": "2025-04-25T14:30",
        },
        follow=True,
    )
    payment = Payment.objects.get()
    assert (payment.channel, payment.reference, payment.amount) == (
        "bank_transfer",
        "VCB 123456",
        8000,
    )
    assert payment.paid_at == vn(2025, 4, 25, 14, 30)
    page = response.content.decode()
    assert "Đã ghi nhận chuyển khoản 8.000 đồng (mã giao dịch VCB 123456)" in page
    # The same reference again is refused (the balance is 0 now anyway: the form is gone).
    again = client.post(
        url, {"transfer-amount": "1", "transfer-reference": "VCB 123456"}, follow=True
    )
    assert Payment.objects.count() == 1 and "VCB 123456" in again.content.decode()


def test_a_future_transfer_is_refused(client, officers, dossier) -> None:
    client.force_login(officers.receiver)
    response = client.post(
        reverse("payments:record_transfer", args=[dossier.code]),
        {
            "transfer-amount": "8000",
            "transfer-reference": "X1",
            "transfer-paid_at": "2999-01-01T00:00",
        },
        follow=True,
    )
    assert "Thời điểm nộp không được ở tương lai." in response.content.decode()
    assert not Payment.objects.exists()


def test_the_counter_refunds_part_then_is_refused_more(client, officers, dossier) -> None:
    client.force_login(officers.receiver)
    client.post(reverse("payments:record_cash", args=[dossier.code]), {"amount": "8000"})
    payment = Payment.objects.get()
    url = reverse("payments:refund", args=[dossier.code, payment.pk])
    prefix = f"refund-{payment.pk}"
    no_reason = client.post(url, {f"{prefix}-amount": "3000"}, follow=True).content.decode()
    assert "Lý do hoàn trả" in no_reason and Payment.objects.count() == 1
    done = client.post(
        url, {f"{prefix}-amount": "3000", f"{prefix}-reason": "Thu thừa"}, follow=True
    ).content.decode()
    assert f"Đã hoàn trả 3.000 đồng của biên lai số {payment.receipt_number}" in done
    refund = Payment.objects.get(kind="refund")
    assert (refund.amount, refund.refund_of, refund.note) == (3000, payment, "Thu thừa")
    # The block: received 8 000, refunded 3 000, still owed 3 000.
    assert 'id="fees-refunded">3.000 đ' in done and "<strong>3.000 đ</strong>" in done
    over = client.post(
        url, {f"{prefix}-amount": "6000", f"{prefix}-reason": "Thêm"}, follow=True
    ).content.decode()
    assert "Chỉ có thể hoàn trả tối đa 5.000 đồng của khoản thu này." in over
    assert Payment.objects.count() == 2


def test_a_processor_sees_no_money_forms_and_may_not_refund(client, officers, dossier) -> None:
    client.force_login(officers.receiver)
    client.post(reverse("payments:record_cash", args=[dossier.code]), {"amount": "5000"})
    payment = Payment.objects.get()
    client.force_login(officers.processor)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Ghi nhận hoàn trả" not in page and "Ghi nhận chuyển khoản" not in page
    prefix = f"refund-{payment.pk}"
    response = client.post(
        reverse("payments:refund", args=[dossier.code, payment.pk]),
        {f"{prefix}-amount": "1000", f"{prefix}-reason": "x"},
    )
    assert response.status_code == 403 and Payment.objects.count() == 1
