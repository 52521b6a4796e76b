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
