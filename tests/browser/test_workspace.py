"""The officers' workspace in a real browser: a processor finds a dossier by the applicant's
name typed without diacritics, opens it, accepts it through the confirmation form and sees the
history updated; a stale form shows the conflict message instead of an error page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import ORGANISATION, procedure_version, receive
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dossiers(tree, make_officer):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua", full_name="Phạm Một Cửa")
    processor = make_officer(
        "processor", tree.dept_a, username="chuyenvien", full_name="Vũ Chuyên Viên"
    )
    version = procedure_version(tree.dept_a, name="Cấp bản sao trích lục hộ tịch")
    mine = receive(receiver, version, tree.dept_a)
    receive(receiver, version, tree.dept_a, applicant=ORGANISATION)
    services.perform_action(
        Actor(user=receiver), mine.code, "assign", expected_version=1, assignee=processor.pk
    )
    return Dossier.objects.select_related("assigned_to").get(pk=mine.pk)


def test_processor_searches_opens_and_accepts_a_dossier(
    page: Page, live_server, dossiers, password
):
    login(page, live_server, "chuyenvien", password)
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ thủ tục hành chính")
    page.get_by_role("link", name="Tất cả").click()
    expect(page.locator("tbody tr")).to_have_count(2)

    page.get_by_role("searchbox", name="Tìm kiếm").fill("nguyen van an")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name=dossiers.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossiers.code)
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()

    # The action opens a small confirmation form; keyboard: focus the summary, Enter.
    accept = page.locator("details", has_text="Nhận thụ lý")
    accept.locator("summary").focus()
    page.keyboard.press("Enter")
    accept.get_by_label("Ghi chú").fill("Bắt đầu thẩm định")
    accept.get_by_role("button", name="Xác nhận: Nhận thụ lý").click()

    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_contain_text("Đang xử lý")
    timeline = page.locator("#timeline tbody tr")
    expect(timeline).to_have_count(3)
    expect(timeline.last).to_contain_text("Nhận thụ lý")
    expect(timeline.last).to_contain_text("Bắt đầu thẩm định")


def test_a_stale_form_shows_the_conflict(page: Page, live_server, dossiers, password):
    login(page, live_server, "chuyenvien", password)
    page.goto(f"{live_server.url}/ho-so/{dossiers.code}/")
    page.locator("summary", has_text="Nhận thụ lý").click()
    # Meanwhile someone else accepts it.
    services.perform_action(
        Actor(user=dossiers.assigned_to), dossiers.code, "accept", expected_version=2
    )
    page.get_by_role("button", name="Xác nhận: Nhận thụ lý").click()
    expect(page.get_by_role("alert")).to_contain_text("Hồ sơ đã được người khác cập nhật")


def test_workspace_at_tablet_width(page: Page, live_server, dossiers, password):
    page.set_viewport_size({"width": 800, "height": 1000})
    login(page, live_server, "chuyenvien", password)
    page.goto(f"{live_server.url}/ho-so/{dossiers.code}/")
    expect(page.get_by_role("heading", name="Thời hạn")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800


def test_receiver_inbox_at_tablet_width(page: Page, live_server, dossiers, password):
    page.set_viewport_size({"width": 800, "height": 1000})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/?tab=tat-ca")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Phân công")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800


def test_processor_opens_a_scanned_document(page: Page, live_server, tree, make_officer, password):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua2")
    make_officer("processor", tree.dept_a, username="chuyenvien2")
    version = procedure_version(tree.dept_a, name="Cấp bản sao trích lục hộ tịch")
    scan = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    dossier = receive(
        receiver,
        version,
        tree.dept_a,
        components=[{"name": "Tờ khai", "content": scan, "filename": "to-khai.pdf"}],
    )
    login(page, live_server, "chuyenvien2", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    link = page.get_by_role("link", name="Mở tệp đính kèm")
    expect(link).to_be_visible()
    # It opens in a new tab; the browser's session receives the scan itself, inline.
    assert link.get_attribute("target") == "_blank"
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.body() == scan
