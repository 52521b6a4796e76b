"""Counter intake in a real browser: a receiver opens the form from the inbox, picks the
procedure (the checklist appears), enters the applicant, attaches the application form as a
PDF, mistypes the citizen ID (the file is kept), receives the dossier, lands on its page and opens the receipt (form 01) as a PDF."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import CITIZEN_ID, procedure_version
from caicach.procedures.services import search_text
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def desk(tree, make_officer):  # noqa: F811
    make_officer("receiver", tree.dept_a, username="motcua", full_name="Phạm Một Cửa")
    name = "Cấp bản sao trích lục hộ tịch"
    version = procedure_version(tree.dept_a, name=name)
    procedure = version.procedure
    procedure.name = name  # as the catalogue keeps it: the name of the version in force
    procedure.search_text = search_text(procedure.code, name, procedure.field.name)
    procedure.save()
    version.components.create(
        order=1, name="Giấy khai sinh", copy_kind="copy", quantity=1, required=False, reusable=True
    )
    return version


def test_receiver_receives_a_dossier_and_prints_the_receipt(
    page: Page, live_server, desk, password
):
    login(page, live_server, "motcua", password)
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận hồ sơ")

    # Search without diacritics, then pick: htmx swaps in the checklist.
    page.get_by_label("Tìm thủ tục").fill("trich luc ho tich")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.get_by_label("Thủ tục hành chính").select_option(desk.procedure.code)
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("Tờ khai")
    expect(checklist).to_contain_text("Giấy khai sinh")

    page.get_by_label("Họ tên người nộp / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    page.get_by_label("Điện thoại").fill("0912345678")
    page.get_by_label("Địa chỉ").fill("12 Lê Lợi, phường Bến Thành")
    checklist.get_by_label("Tờ khai").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    checklist.get_by_placeholder("Mã giấy tờ").fill("KHO-0001")
    if os.environ.get("SCREENSHOTS"):  # the filled form, besides the page the test ends on
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "intake_form_filled.ok.png"), full_page=True)
    # A mistyped citizen ID first: the page says so and keeps the chosen file (issue 16).
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("001085")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#intake-error")).to_contain_text("Chưa tiếp nhận được hồ sơ")
    expect(page.locator("#checklist")).to_contain_text(
        "Đã giữ tệp to-khai.pdf (chọn tệp khác để thay)"
    )
    expect(page.locator("#files-again")).to_contain_text("không cần chọn lại")
    assert not Dossier.objects.exists()
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / "intake_file_kept.ok.png"), full_page=True)
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    dossier = Dossier.objects.get()
    assert dossier.components.filter(file__endswith=".pdf").count() == 1
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)
    expect(page.get_by_role("status")).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}")
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()

    link = page.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả (mẫu 01)")
    href = link.get_attribute("href")
    assert href and href.endswith(f"/ho-so/{dossier.code}/bieu-mau/receipt.pdf")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert dossier.components.filter(reused=True, store_reference="KHO-0001").exists()


def test_the_procedure_search_keeps_the_applicant_out_of_the_url(
    page: Page, live_server, desk, password
):
    """Issue 16: the search posted the whole form by GET (CSRF token and applicant in the URL)."""
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    page.get_by_label("Họ tên người nộp / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    page.get_by_label("Tìm thủ tục").fill("trich luc ho tich")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "?" not in page.url and CITIZEN_ID not in page.url
    # What was typed is still there.
    expect(page.get_by_label("Họ tên người nộp / tên tổ chức")).to_have_value("Nguyễn Văn An")
    expect(page.get_by_label("Tìm thủ tục")).to_have_value("trich luc ho tich")
    page.get_by_label("Thủ tục hành chính").select_option(desk.procedure.code)
    page.get_by_role("button", name="Chọn thủ tục").click()
    page.wait_for_load_state("networkidle")
    assert "?" not in page.url and "csrf" not in page.url
    expect(page.locator("#checklist")).to_contain_text("Tờ khai")
    expect(page.get_by_label("Số định danh cá nhân (CCCD)")).to_have_value(CITIZEN_ID)
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "intake-after-search-390.png"), full_page=True)
