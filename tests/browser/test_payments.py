"""The counter records a cash payment on the dossier page and opens the receipt (issue 13)."""

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
from tests.browser.conftest import login

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
    block.get_by_label("Số tiền (đồng)").fill("8000")
    block.get_by_role("button", name="Thu tiền mặt và in biên lai").click()
    payment = Payment.objects.get()
    expect(page.get_by_text(f"biên lai số {payment.receipt_number}")).to_be_visible()
    expect(block.locator("#fees-balance")).to_contain_text("0")
    expect(block.get_by_role("button", name="Thu tiền mặt và in biên lai")).to_have_count(0)
    link = block.get_by_role("link", name=payment.receipt_number)
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
