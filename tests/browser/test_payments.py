"""The counter on the dossier page's "Phí, lệ phí" block (issue 13): records a cash payment and
opens the receipt, refunds part of it with the reason (more than is left is refused in
Vietnamese), and records a bank transfer with its reference."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import procedure_version, receive
from caicach.payments.models import Payment
from tests.browser.conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dossier(tree, make_officer):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua", full_name="Phạm Một Cửa")
    version = procedure_version(tree.dept_a, name="Cấp giấy phép thử")  # one fee: 8 000 đồng
    return receive(receiver, version, tree.dept_a)


def test_counter_records_cash_and_opens_the_receipt(page: Page, live_server, dossier, password):
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    block = page.locator("#fees")
    expect(block.get_by_role("heading", name="Phí, lệ phí")).to_be_visible()
    expect(block.locator("#fees-balance")).to_contain_text("8.000")
    cash = block.locator("#cash-form")
    cash.get_by_label("Số tiền (đồng)").fill("8000")
    cash.get_by_role("button", name="Thu tiền mặt và in biên lai").click()
    payment = Payment.objects.get()
    expect(page.get_by_text(f"biên lai số {payment.receipt_number}")).to_be_visible()
    expect(block.locator("#fees-balance")).to_contain_text("0")
    expect(block.get_by_role("button", name="Thu tiền mặt và in biên lai")).to_have_count(0)
    link = block.get_by_role("link", name=payment.receipt_number)
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"


def test_counter_refunds_part_of_a_payment_with_the_reason(
    page: Page, live_server, dossier, password
):
    page.on("dialog", lambda dialog: dialog.accept())  # "Ghi nhận khoản hoàn trả này?"
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    block = page.locator("#fees")
    block.locator("#cash-form").get_by_role("button", name="Thu tiền mặt và in biên lai").click()
    payment = Payment.objects.get()
    row = block.locator(f"#refund-{payment.pk}")
    row.get_by_text(f"Hoàn trả khoản thu {payment.receipt_number} (8.000 đ)").click()
    expect(row.get_by_label("Số tiền hoàn trả (đồng)")).to_have_value("8000")
    row.get_by_label("Số tiền hoàn trả (đồng)").fill("3000")
    row.get_by_label("Lý do hoàn trả").fill("Thu thừa lệ phí bản sao")
    shots(page, "payments-refund-form")
    row.get_by_role("button", name="Ghi nhận hoàn trả").click()

    expect(page.get_by_role("status").filter(has_text="Đã hoàn trả")).to_have_text(
        f"Đã hoàn trả 3.000 đồng của biên lai số {payment.receipt_number}."
    )
    expect(block.locator("#fees-received")).to_contain_text("8.000 đ")
    expect(block.locator("#fees-refunded")).to_contain_text("3.000 đ")
    expect(block.locator("#fees-balance")).to_contain_text("3.000 đ")
    expect(block.locator("#payments tbody tr")).to_have_count(2)
    expect(block.locator("#payments tbody tr").last).to_contain_text("Thu thừa lệ phí bản sao")
    expect(block.locator("#payments tbody tr").last).to_contain_text("−3.000")
    shots(page, "payments-refunded")

    # More than is left of the payment: refused in Vietnamese, nothing written.
    row.locator("summary").click()
    expect(row).to_contain_text("Hoàn trả được tối đa 5.000 đồng.")
    expect(row.get_by_label("Số tiền hoàn trả (đồng)")).to_have_value("5000")
    row.get_by_label("Số tiền hoàn trả (đồng)").fill("6000")
    row.get_by_label("Lý do hoàn trả").fill("Hoàn thêm")
    row.get_by_role("button", name="Ghi nhận hoàn trả").click()
    expect(page.get_by_role("status").filter(has_text="tối đa")).to_have_text(
        "Chỉ có thể hoàn trả tối đa 5.000 đồng của khoản thu này."
    )
    assert Payment.objects.count() == 2
    expect(block.locator("#fees-balance")).to_contain_text("3.000 đ")


def test_counter_records_a_bank_transfer_with_its_reference(
    page: Page, live_server, dossier, password
):
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    block = page.locator("#fees")
    transfer = block.locator("#transfer-form")
    expect(transfer.get_by_role("heading", name="Ghi nhận chuyển khoản")).to_be_visible()
    shots(page, "payments-forms")
    transfer.get_by_label("Số tiền (đồng)").fill("5000")
    transfer.get_by_label("Mã giao dịch (số tham chiếu của ngân hàng)").fill("FT25115123456")
    transfer.get_by_role("button", name="Ghi nhận chuyển khoản").click()
    payment = Payment.objects.get()
    expect(page.get_by_role("status").filter(has_text="chuyển khoản")).to_have_text(
        "Đã ghi nhận chuyển khoản 5.000 đồng (mã giao dịch FT25115123456), biên lai số "
        f"{payment.receipt_number}."
    )
    assert (payment.channel, payment.reference, payment.portal_code) == (
        "bank_transfer",
        "FT25115123456",
        0,
    )
    rows = block.locator("#payments tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chuyển khoản")
    expect(rows.first).to_contain_text("FT25115123456")
    expect(block.locator("#fees-balance")).to_contain_text("3.000 đ")

    # The same bank reference twice: refused, nothing written.
    transfer.get_by_label("Số tiền (đồng)").fill("3000")
    transfer.get_by_label("Mã giao dịch (số tham chiếu của ngân hàng)").fill("FT25115123456")
    transfer.get_by_role("button", name="Ghi nhận chuyển khoản").click()
    expect(page.get_by_role("status").filter(has_text="đã được ghi nhận")).to_have_text(
        "Mã giao dịch FT25115123456 đã được ghi nhận cho hồ sơ này."
    )
    assert Payment.objects.count() == 1
    shots(page, "payments-transfer")
