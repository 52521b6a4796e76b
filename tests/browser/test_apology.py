"""Issue 16, in a real browser: a leader apologises and sets a new return date (form 04); the
page then shows the first promise, the new promise and the unchanged statutory due, says why,
and marks the dossier as delayed, never "Còn hạn". Desktop and 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import procedure_version, receive
from tests.browser.conftest import login
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dossier(tree, make_officer):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua")
    make_officer("agency_leader", tree.dept_a, username="giamdoc", full_name="Đặng Văn Giám")
    version = procedure_version(
        tree.dept_a, name="Cấp phiếu lý lịch tư pháp", statutory_value=10, promised_value=8
    )
    return receive(receiver, version, tree.dept_a)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_apology_keeps_the_statutory_due_and_the_delay(
    page: Page, live_server, dossier, password, width
):
    page.set_viewport_size({"width": width, "height": 900})
    legal = dossier.legal_due_at
    login(page, live_server, "giamdoc", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    expect(page.locator("#clock-h")).to_contain_text("Còn hạn")
    page.locator("summary", has_text="Xin lỗi, hẹn lại").click()
    box = page.locator("details[open]")
    box.get_by_label("Lý do").fill("Cần xác minh thêm với cơ quan khác")
    new_due = timezone.localtime(legal + timedelta(days=3)).replace(hour=17, minute=0)
    box.get_by_label("Ngày hẹn trả mới").fill(new_due.strftime("%Y-%m-%dT%H:%M"))
    box.get_by_role("button", name="Xác nhận: Xin lỗi, hẹn lại").click()
    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_be_visible()

    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.legal_due_at == legal
    clock = page.locator("#clock-h")
    expect(clock).to_contain_text("Trễ hẹn, đã xin lỗi và hẹn lại")
    expect(clock).not_to_contain_text("Còn hạn")
    dates = page.locator("#due-dates")
    expect(dates).to_contain_text("Hẹn trả lần đầu")
    expect(dates).to_contain_text("Hẹn trả mới (sau xin lỗi)")
    expect(dates).to_contain_text(timezone.localtime(legal).strftime("%d/%m/%Y %H:%M"))
    expect(page.locator("#due-notes")).to_contain_text(
        "Xin lỗi không làm thay đổi hạn theo quy định"
    )
    expect(page.locator("#forms")).to_contain_text("Mẫu 04")
    page.locator("#clock-h").scroll_into_view_if_needed()
    shoot(page, f"apology_{width}")
